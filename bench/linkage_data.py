"""Generated persons with known truth, for the cross-check and linkage benchmarks.

Each person has a name in the way one of the region's agencies would write it (Chinese characters,
pinyin in either order, Palladius Cyrillic, Thai script or its romanisation, Russian in Cyrillic or Latin,
Spanish names with double surnames), a birth date, a nationality, a mobile phone valid for the
nationality (phonenumbers' example number with new trailing digits, kept only if still valid) and a
passport number. :func:`noisy_copy` writes the same person the way a partner would: another script or
order, a mistyped letter, the phone in local format, a missing or mistyped birth date or passport.
Nothing here is real: the name parts are common ones, combined at random.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field, replace

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

CHINESE_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁"
CHINESE_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志红晓建国斌文辉海波鹏飞宇浩然子轩雨欣佳琪思"
THAI = [  # (Thai script, royal romanisation, common spelling)
    ("สมชาย", "somchai", "somchai"), ("สมศักดิ์", "somsak", "somsak"), ("ประเสริฐ", "prasoet", "prasert"),
    ("วิชัย", "wichai", "vichai"), ("สุรชัย", "surachai", "surachai"), ("อนันต์", "anan", "anan"),
    ("ใจดี", "chaidi", "jaidee"), ("ศรีสุข", "sisuk", "srisuk"), ("บุญมา", "bunma", "boonma"),
    ("แก้วมณี", "kaeomani", "kaewmanee"), ("ทองดี", "thongdi", "thongdee"), ("สุขใจ", "sukchai", "sukjai"),
]
RUSSIAN_GIVEN = ["Сергей", "Алексей", "Дмитрий", "Андрей", "Иван", "Николай", "Ольга", "Елена", "Татьяна",
                 "Наталья", "Михаил", "Юрий", "Виктор", "Анна", "Мария", "Павел"]
RUSSIAN_FAMILY = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
                  "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров"]
SPANISH_GIVEN = ["Juan", "Jose", "Luis", "Carlos", "Jorge", "Miguel", "Pedro", "Maria", "Ana", "Carmen",
                 "Rosa", "Luz", "Diego", "Andres", "Fernando", "Ricardo", "Alejandro", "Sofia"]
SPANISH_FAMILY = ["Garcia", "Rodriguez", "Martinez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez",
                  "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Reyes", "Morales", "Ortiz", "Castro", "Vargas"]
MAIL_DOMAINS = ("163.com", "qq.com", "gmail.com", "mail.ru", "yandex.ru", "hotmail.com", "yahoo.com")
CULTURES = (("CN", 0.4), ("TH", 0.15), ("RU", 0.15), ("CO", 0.15), ("MM", 0.05), ("LA", 0.05), ("MX", 0.05))


@dataclass
class Person:
    id: str
    names: list[str]
    birth_date: str
    nationality: str
    phones: list[str] = field(default_factory=list)
    passport: str = ""
    emails: list[str] = field(default_factory=list)
    culture: str = ""
    # What a noisy copy may draw on: the same name in other scripts and orders.
    name_variants: list[str] = field(default_factory=list)


@functools.cache
def _phone_plan(region: str) -> tuple[str, str, int] | None:
    """(country code, national prefix, digits to draw) such that drawn numbers are valid: the example
    mobile number of the region with its last digits redrawn, checked on a sample once."""
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    if example is None:
        return None
    national = str(example.national_number)
    rng = random.Random(region)
    for tail in (6, 5, 4, 3):
        prefix = national[: len(national) - tail]
        sample = [prefix + "".join(rng.choice("0123456789") for _ in range(tail)) for _ in range(30)]
        if all(phonenumbers.is_valid_number(phonenumbers.parse(f"+{example.country_code}{n}")) for n in sample):
            return str(example.country_code), prefix, tail
    return None


def _phone(rng: random.Random, region: str) -> str:
    plan = _phone_plan(region)
    if plan is None:
        return ""
    code, prefix, tail = plan
    return f"+{code}{prefix}" + "".join(rng.choice("0123456789") for _ in range(tail))


@functools.lru_cache(maxsize=200_000)
def _readings(surname: str, given: str) -> tuple[str, str, str]:
    """Pinyin of surname and given name, and the Palladius Cyrillic of the whole name."""
    from pypinyin import Style, lazy_pinyin

    sp, gp = lazy_pinyin(surname)[0], "".join(lazy_pinyin(given))
    cyr = [c.rstrip("012345") for c in lazy_pinyin(surname + given, style=Style.CYRILLIC)]
    return sp, gp, cyr[0].capitalize() + " " + "".join(cyr[1:]).capitalize()


def _chinese(rng: random.Random) -> tuple[str, list[str]]:
    surname = rng.choice(CHINESE_SURNAMES)
    given = "".join(rng.choice(CHINESE_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    sp, gp, palladius = _readings(surname, given)
    variants = [f"{sp.capitalize()} {gp.capitalize()}", f"{gp.capitalize()} {sp.capitalize()}",
                f"{sp.upper()} {gp.capitalize()}", palladius]
    return surname + given, variants


def _thai(rng: random.Random) -> tuple[str, list[str]]:
    given, family = rng.choice(THAI[:6]), rng.choice(THAI[6:])
    return f"{given[0]} {family[0]}", [f"{given[2].capitalize()} {family[2].capitalize()}",
                                       f"{given[1].capitalize()} {family[1].capitalize()}"]


def _russian(rng: random.Random) -> tuple[str, list[str]]:
    from anyascii import anyascii

    given, family = rng.choice(RUSSIAN_GIVEN), rng.choice(RUSSIAN_FAMILY)
    if given.endswith(("а", "я")):
        family += "а"
    latin = anyascii(f"{given} {family}")
    return f"{given} {family}", [latin, f"{anyascii(family).upper()} {anyascii(given)}"]


def _spanish(rng: random.Random) -> tuple[str, list[str]]:
    given = rng.choice(SPANISH_GIVEN)
    if rng.random() < 0.4:
        given += " " + rng.choice(SPANISH_GIVEN)
    first, second = rng.choice(SPANISH_FAMILY), rng.choice(SPANISH_FAMILY)
    return f"{given} {first} {second}", [f"{given} {first}", f"{first.upper()} {second.upper()}, {given}"]


def person(rng: random.Random, ident: str) -> Person:
    roll, culture = rng.random(), "CN"
    for code, share in CULTURES:
        if roll < share:
            culture = code
            break
        roll -= share
    if culture in ("CN", "MM", "LA"):
        name, variants = _chinese(rng)
    elif culture == "TH":
        name, variants = _thai(rng)
    elif culture == "RU":
        name, variants = _russian(rng)
    else:
        name, variants = _spanish(rng)
    born = f"{rng.randrange(1950, 2004)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    phones = [_phone(rng, culture)] if rng.random() < 0.8 else []
    if rng.random() < 0.3:
        phones.append(_phone(rng, culture))
    passport = (rng.choice("EGPKT") + "".join(rng.choice("0123456789") for _ in range(8))) if rng.random() < 0.6 else ""
    emails = []
    if rng.random() < 0.45:
        local = "".join(c for c in (variants[0] if variants else name).lower() if c.isascii() and c.isalnum())
        emails.append(f"{local or 'user'}{rng.randrange(10, 9999)}@{rng.choice(MAIL_DOMAINS)}")
    return Person(ident, [name], born, culture, [p for p in phones if p], passport, emails, culture, variants)


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:])
    action = rng.choice(("swap", "drop", "change"))
    if action == "swap" and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if action == "drop":
        return text[:i] + text[i + 1:]
    return text[:i] + rng.choice("aeioulnrst") + text[i + 1:]


def _local(phone: str) -> str:
    number = phonenumbers.parse(phone)
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def noisy_copy(rng: random.Random, p: Person, ident: str) -> Person:
    """The same person as a partner might have written them (see the module docstring)."""
    name = rng.choice(p.name_variants + p.names) if rng.random() < 0.7 else p.names[0]
    if rng.random() < 0.25:
        name = _typo(rng, name)
    birth = p.birth_date
    roll = rng.random()
    if roll < 0.1:
        birth = ""
    elif roll < 0.2:
        birth = birth[:4]
    elif roll < 0.28:
        y, m, d = birth.split("-")
        birth = f"{y}-{m}-{int(d) % 28 + 1:02d}"
    phones = list(p.phones)
    if phones and rng.random() < 0.4:
        phones = [_local(phones[0])]
    if rng.random() < 0.3:
        phones = []
    passport = p.passport if rng.random() < 0.6 else ""
    if passport and rng.random() < 0.15:
        passport = passport[:-2] + passport[-1] + passport[-2]
    emails = p.emails if rng.random() < 0.5 else []
    return replace(p, id=ident, names=[name], birth_date=birth, phones=phones, passport=passport,
                   emails=emails, name_variants=[])


def population(seed: int, count: int, prefix: str = "p") -> list[Person]:
    rng = random.Random(seed)
    return [person(rng, f"{prefix}{i}") for i in range(count)]
