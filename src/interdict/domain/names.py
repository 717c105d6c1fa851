"""Names reduced to comparable forms across scripts, their similarity and their blocking keys.

Partners write one trafficker as 张伟, Zhang Wei, Wei Zhang, ZHANG WEI or Чжан Вэй. :func:`name_form`
turns each into the same lower-case ASCII tokens:

* **Chinese characters** go to pinyin with pypinyin. A run of two to four characters is read as a
  personal name, surname first (compound surnames such as 欧阳 recognised), and the given name's
  syllables are joined into one token ("张小龙" -> ``zhang xiaolong``), as passports write them.
  Polyphonic characters take their surname reading in the surname position (曾 -> zeng, 单 -> shan).
* **Cyrillic** that reads as Chinese in the Palladius system (Чжан Вэй, Си Цзиньпин) goes back to pinyin
  through a syllable table generated from pypinyin's own Cyrillic style; other Cyrillic, and Lao,
  Burmese, Arabic and the rest go through anyascii (ICU for Burmese, which anyascii spells poorly).
* **Thai** is romanised with PyThaiNLP's Royal Thai General System engine (สมชาย -> somchai): Thai
  script leaves most vowels unwritten, so a letter-by-letter transliteration would not compare.
* **Latin** loses diacritics and punctuation. A Latin name whose tokens all spell pinyin syllables and
  which carries a common Chinese surname is read as Chinese too, so "Xiao Long Zhang" and "Zhang
  Xiaolong" give the same tokens.

Token order is ignored by the comparisons (:func:`name_similarity` uses the sorted tokens), and each
token has a phonetic key (metaphone from rigour, with a vowel-free skeleton for scripts that do not
write vowels, such as Arabic "mhmd" for Mohammed). :func:`name_keys` gives the blocking keys that the
linkage engine and the keys table use.

No library does the Palladius-to-pinyin reading or the pinyin segmentation of Latin names, so those are
written here; the tables they use are generated from pypinyin at first use, not typed in.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

__all__ = [
    "NameForm",
    "name_form",
    "name_keys",
    "name_parts",
    "name_similarity",
    "phonetic_key",
]

# The most frequent Chinese surnames (Ministry of Public Security household-register name report, 2020,
# top 100, plus the common compound surnames). Used only to recognise Chinese names written in Latin
# letters; the pinyin comes from pypinyin.
_SURNAME_CHARS = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任"
    "卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧"
    "莫孔向常汤康易乔赖文施洪辛柯庄凌单解查翟区仇朴岳傅符"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                      "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里", "万俟")
# Surname readings of characters whose everyday reading differs.
_SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou", "查": "zha", "盖": "ge",
    "乐": "yue", "种": "chong", "覃": "qin", "翟": "zhai", "缪": "miao", "秘": "bi", "召": "shao",
    "尉迟": "yuchi", "万俟": "moqi", "长孙": "zhangsun", "重": "chong", "员": "yun", "柏": "bai",
}

_TOKEN_SPLIT = re.compile(r"[^0-9a-z]+")
_VOWELS = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class NameForm:
    """A name as comparable tokens. ``tokens`` keeps the written order (surname first for Chinese)."""

    original: str
    tokens: tuple[str, ...]
    script: str
    chinese: bool
    # For Chinese names, the pinyin syllables sorted: the same however the name is ordered or split.
    syllables: tuple[str, ...] = ()

    @functools.cached_property
    def sorted_text(self) -> str:
        return " ".join(sorted(self.tokens))

    @functools.cached_property
    def joined(self) -> str:
        return "".join(self.tokens)

    @functools.cached_property
    def skeleton(self) -> str:
        return " ".join(sorted(_skeleton(t) for t in self.tokens))

    def __bool__(self) -> bool:
        return bool(self.tokens)


# --- script detection -------------------------------------------------------------------------------------

def _script_of(ch: str) -> str:
    cp = ord(ch)
    if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FA1F or 0xF900 <= cp <= 0xFAFF:
        return "han"
    if 0x0400 <= cp <= 0x052F:
        return "cyrillic"
    if 0x0E00 <= cp <= 0x0E7F:
        return "thai"
    if 0x0E80 <= cp <= 0x0EFF:
        return "lao"
    if 0x1000 <= cp <= 0x109F or 0xA9E0 <= cp <= 0xA9FF or 0xAA60 <= cp <= 0xAA7F:
        return "myanmar"
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
        return "arabic"
    if ch.isalpha():
        return "latin" if cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF else "other"
    return "none"


def _runs(text: str) -> list[tuple[str, str]]:
    """Split text into (script, run) pieces; spaces and punctuation end a run."""
    runs: list[tuple[str, str]] = []
    current, buf = "none", list[str]()
    for ch in text:
        script = _script_of(ch)
        if script in ("none",) and not ch.isdigit():
            if buf:
                runs.append((current, "".join(buf)))
            current, buf = "none", list[str]()
            continue
        if ch.isdigit():
            script = current if current != "none" else "latin"
        if script != current and buf:
            runs.append((current, "".join(buf)))
            buf = []
        current = script
        buf.append(ch)
    if buf:
        runs.append((current, "".join(buf)))
    return runs


# --- tables generated from pypinyin -----------------------------------------------------------------------

@functools.cache
def _pinyin_tables() -> tuple[frozenset[str], dict[str, str]]:
    """All toneless pinyin syllables, and the Palladius (Cyrillic) spelling of each back to pinyin."""
    from pypinyin import Style
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert

    marked: set[str] = set()
    for readings in pinyin_dict.values():
        marked.update(readings.split(","))
    syllables: set[str] = set()
    palladius: dict[str, str] = {}
    for reading in sorted(marked):
        plain = str(convert(reading, Style.NORMAL, strict=True)).replace("ü", "v")
        if not plain.isascii() or not plain.isalpha():
            continue
        syllables.add(plain)
        cyrillic = str(convert(reading, Style.CYRILLIC, strict=True)).rstrip("012345")
        # One Cyrillic spelling, 'ло', stands for two syllables (luo, lo): the common one wins.
        if cyrillic and (cyrillic not in palladius or plain == "luo"):
            palladius[cyrillic] = plain
    return frozenset(syllables), palladius


@functools.cache
def _surname_pinyin() -> frozenset[str]:
    from pypinyin import lazy_pinyin

    names = {_SURNAME_READINGS.get(ch) or lazy_pinyin(ch)[0] for ch in _SURNAME_CHARS}
    names.update(_SURNAME_READINGS.get(s) or "".join(lazy_pinyin(s)) for s in _COMPOUND_SURNAMES)
    return frozenset(names)


_SEGMENT_VOWELS = frozenset("aeiouvаеёиоуыэюя")


@functools.lru_cache(maxsize=65536)
def _segment(token: str, table_name: str) -> tuple[str, ...] | None:
    """Split ``token`` into syllables of the pinyin or Palladius table; None if it does not split.

    Pinyin marks a vowel-initial syllable inside a word with an apostrophe (xi'an), so an unmarked word
    is read with as few of them as possible: "lina" is li-na, not lin-a.
    """
    syllables, palladius = _pinyin_tables()
    table: frozenset[str] | dict[str, str] = syllables if table_name == "pinyin" else palladius
    n = len(token)
    # best[i]: (vowel-initial syllables, syllable count, split) for token[i:].
    best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (n + 1)
    best[n] = (0, 0, ())
    for i in range(n - 1, -1, -1):
        choice: tuple[int, int, tuple[str, ...]] | None = None
        for j in range(i + 1, min(n, i + 6) + 1):
            rest = best[j]
            piece = token[i:j]
            if rest is None or piece not in table:
                continue
            option = (rest[0] + (piece[0] in _SEGMENT_VOWELS and i > 0), rest[1] + 1, (piece, *rest[2]))
            if choice is None or option[:2] < choice[:2]:
                choice = option
        best[i] = choice
    found = best[0]
    return found[2] if found is not None else None


# --- per-script readings ----------------------------------------------------------------------------------

def _han_tokens(run: str) -> list[str]:
    """Pinyin tokens of a run of characters: surname, then the given name as one token."""
    from pypinyin import lazy_pinyin

    if 2 <= len(run) <= 4:
        surname_len = 2 if run[:2] in _COMPOUND_SURNAMES and len(run) >= 3 else 1
        surname = run[:surname_len]
        reading = _SURNAME_READINGS.get(surname) or "".join(lazy_pinyin(surname, errors=_unknown_han))
        given = "".join(lazy_pinyin(run[surname_len:], errors=_unknown_han))
        return [t for t in (reading, given) if t]
    return [t for t in ["".join(lazy_pinyin(run, errors=_unknown_han))] if t]


def _unknown_han(chars: str) -> str:
    """Characters pypinyin has no reading for (rare extension blocks): anyascii's reading, or nothing."""
    return "".join(ch for ch in _ascii(chars) if ch.isalnum())


def _cyrillic_tokens(run: str) -> tuple[list[str], bool]:
    low = run.lower().replace("ё", "е")
    _, palladius = _pinyin_tables()
    pieces = _segment(low, "palladius")
    if pieces is not None and len(low) <= 12:
        return ["".join(palladius[p] for p in pieces)], True
    return [_ascii(run)], False


@functools.cache
def _thai_romanise(run: str) -> str:
    try:
        from pythainlp.transliterate import romanize
    except ImportError:  # pragma: no cover - pythainlp is a declared dependency
        return _ascii(run)
    return str(romanize(run, engine="royin")).lower()


@functools.cache
def _icu_latin(run: str) -> str:
    try:
        import icu  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - PyICU comes with followthemoney
        return _ascii(run)
    return str(icu.Transliterator.createInstance("Any-Latin; Latin-ASCII").transliterate(run)).lower()


def _ascii(text: str) -> str:
    return anyascii(text).lower()


def _split_ascii(text: str) -> list[str]:
    return [t for t in _TOKEN_SPLIT.split(text.lower()) if t]


def _latin_chinese(tokens: list[str]) -> list[str] | None:
    """Read Latin tokens as a Chinese name when they spell pinyin and carry a common surname."""
    if not 2 <= len(tokens) <= 4:
        return None
    surnames = _surname_pinyin()
    if not all(_segment(t, "pinyin") is not None for t in tokens):
        return None
    # Surname first (the Chinese order), else last (the Western order). Where both ends are surnames
    # the order stays a guess; the comparisons use the sorted syllables, which do not depend on it.
    for index in (0, len(tokens) - 1):
        if tokens[index] in surnames:
            given = "".join(t for i, t in enumerate(tokens) if i != index)
            if 1 <= len(_segment(given, "pinyin") or ()) <= 3:
                return [tokens[index], given]
    return None


@functools.lru_cache(maxsize=65536)
def name_form(name: str) -> NameForm:
    """The comparable form of one written name (cached: the same names recur in every list)."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    tokens: list[str] = []
    scripts: set[str] = set()
    chinese = False
    # Plain ASCII, the commonest case, needs no script analysis.
    pieces = [("latin", text)] if text.isascii() else _runs(text)
    for script, run in pieces:
        scripts.add(script)
        if script == "han":
            tokens.extend(_han_tokens(run))
            chinese = True
        elif script == "cyrillic":
            found, is_chinese = _cyrillic_tokens(run)
            tokens.extend(found)
            chinese = chinese or is_chinese
        elif script == "thai":
            tokens.extend(_split_ascii(_thai_romanise(run)))
        elif script == "myanmar":
            tokens.extend(_split_ascii(_icu_latin(run)))
        else:
            tokens.extend(_split_ascii(_ascii(run)))
    written = list(tokens)  # as written, before a Chinese given name is joined into one token
    if not chinese and scripts <= {"latin"}:
        as_chinese = _latin_chinese(tokens)
        if as_chinese is not None:
            tokens, chinese = as_chinese, True
    elif chinese and len(tokens) > 2 and scripts == {"cyrillic"}:
        # Palladius spells each syllable apart ("Си Цзинь Пин"): join the given name as pinyin does.
        tokens = [tokens[0], "".join(tokens[1:])]
    script = scripts.pop() if len(scripts) == 1 else ("mixed" if scripts else "none")
    syllables: tuple[str, ...] = ()
    if chinese:
        split = [_segment(t, "pinyin") or (t,) for t in written]
        syllables = tuple(sorted(itertools.chain.from_iterable(split)))
    return NameForm(original=name, tokens=tuple(tokens), script=script, chinese=chinese, syllables=syllables)


# --- comparison and keys ----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=262144)
def phonetic_key(token: str) -> str:
    """A phonetic key for one ASCII token: metaphone, falling back to the consonant skeleton."""
    from rigour.text.phonetics import metaphone

    if token.isdigit():
        return token
    key = str(metaphone(token)) if token.isalpha() else ""
    return key or _skeleton(token)


def _skeleton(token: str) -> str:
    """Consonants only, repeats collapsed: compares scripts that leave vowels unwritten (mhmd ~ mohammed)."""
    bare = _VOWELS.sub("", token) or token[:1]
    return "".join(ch for ch, _ in itertools.groupby(bare))


def name_similarity(a: NameForm, b: NameForm) -> float:
    """0..1, token order ignored; a name that is the other plus extra tokens scores a little lower."""
    if not a.tokens or not b.tokens:
        return 0.0
    if a.tokens == b.tokens:
        return 1.0
    sa, sb = a.sorted_text, b.sorted_text
    if sa == sb:
        return 1.0
    best = fuzz.token_sort_ratio(sa, sb, processor=None) / 100.0
    if a.syllables and b.syllables:
        if a.syllables == b.syllables:
            return 1.0
        best = max(best, fuzz.ratio(" ".join(a.syllables), " ".join(b.syllables), processor=None) / 100.0)
    # Joined forms catch names split differently ("xiao long" / "xiaolong").
    best = max(best, JaroWinkler.similarity(a.joined, b.joined) - 0.02)
    if len(a.tokens) != len(b.tokens) and min(len(a.tokens), len(b.tokens)) >= 2:
        best = max(best, 0.96 * fuzz.token_set_ratio(sa, sb, processor=None) / 100.0)
    if best < 0.9 and a.skeleton == b.skeleton and len(a.skeleton) - a.skeleton.count(" ") >= 3:
        best = 0.9
    return best


@functools.lru_cache(maxsize=65536)
@functools.lru_cache(maxsize=65536)
def name_parts(form: NameForm) -> tuple[str, ...]:
    """The parts a name's keys are made of: a Chinese name's pinyin syllables (the same however it is
    ordered or split), otherwise each token's phonetic key. Sorted, duplicates removed."""
    if form.syllables:
        return tuple(sorted(set(form.syllables)))
    return tuple(sorted({phonetic_key(t) for t in form.tokens if len(t) > 1}))


@functools.lru_cache(maxsize=65536)
def name_keys(form: NameForm) -> frozenset[str]:
    """The blocking keys of a name that do not need a birth date.

    * ``nf:`` the whole name: every part, sorted. Selective, and equal across scripts and orders.
    * ``nd:`` the name's letters (tokens sorted, joined), and each form of them with one letter left
      out: one typed-wrong, dropped, added or swapped letter still meets the name (a deletion
      neighbourhood, as for document numbers).
    * ``n2:`` each pair of parts, for names of three parts or more that are not Chinese (a second given
      name or a second surname dropped by one side). Chinese syllable pairs are not keys: "zhang" and
      "wei" together are shared by far too many people.
    * ``n1:`` each part's phonetic key alone. Stored for every name, asked for only by single-part names
      (:func:`interdict.domain.matching.subject_keys`).
    """
    parts = name_parts(form)
    if not parts:
        return frozenset()
    keys = {f"nf:{'|'.join(parts)}"}
    compact = "".join(sorted(form.tokens))
    if len(compact) >= 6:
        keys.add(f"nd:{compact}")
        keys.update(f"nd:{compact[:i]}{compact[i + 1:]}" for i in range(len(compact)))
    if len(parts) >= 3 and not form.syllables:
        keys.update(f"n2:{a}|{b}" for a, b in itertools.combinations(parts, 2))
    # Single parts by their phonetic key even for Chinese names: a lone "Wei" is not read as Chinese.
    keys.update(f"n1:{phonetic_key(p) if form.syllables else p}" for p in parts)
    return frozenset(keys)


def warm_up() -> None:
    """Load what the first name of each script would otherwise load mid-request: the pinyin tables,
    PyThaiNLP's dictionary (about 1.5 s on its first Thai name), ICU's transliterator and rigour's
    phonetics. ``interdict serve`` calls this before it listens."""
    for sample in ("张伟", "Чжан Вэй", "สมชาย", "မောင်", "Zhang Wei Smith"):
        form = name_form(sample)
        name_keys(form)
