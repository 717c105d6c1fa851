"""The matching engine: subjects, their blocking keys, and a scored, explained comparison of two subjects.

One engine serves the cross-check against the store, the linkage of two files and the automatic matching
of new records, so a score means the same everywhere.

**Subjects.** A :class:`Subject` is a person, an organisation or a bare identifier, reduced to what the
comparison needs: name forms (:mod:`interdict.domain.names`), a birth date that may be partial, nationalities,
normalised identifiers by kind and an address as tokens.

**Keys.** :func:`subject_keys` gives the blocking keys: the names' phonetic keys, the birth date, every
identifier, and for document numbers of six characters or more their one-deletion variants, so that one
typed-wrong digit still meets its twin (the deletion neighbourhood of SymSpell). Only subjects that share a key
are compared.

**Score.** Each field compares into a level with a fixed weight, in the manner of Fellegi and Sunter: the
weights are log2 likelihood ratios chosen in advance from what each agreement means (an identical passport
number is strong evidence, a shared birth year weak, a different phone almost none, because people change
phones), not fitted to any test set. The sum plus a prior of -10 goes through the logistic function to a
score between 0 and 1. :data:`RECOMMENDED_THRESHOLD` is where the evidence for and against is even. Every
level contributes a phrase to the explanation ("passport identical, name 0.93 after transliteration, birth
year equal").
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from interdict.domain.names import NameForm, name_form, name_keys, name_parts, name_similarity, phonetic_key

__all__ = [
    "ID_KINDS",
    "PRIOR",
    "RECOMMENDED_THRESHOLD",
    "Comparison",
    "Subject",
    "compare",
    "parse_birth_date",
    "subject_keys",
]

PRIOR = -10.0
RECOMMENDED_THRESHOLD = 0.5

# Identifier kinds, each with its weights: identical, one character apart, different (both present).
ID_KINDS: Mapping[str, tuple[float, float, float]] = {
    "passport": (13.0, 5.0, -3.0),
    "national_id": (13.0, 5.0, -6.0),
    "tax_id": (12.0, 4.0, -5.0),
    "phone": (11.0, 2.0, -0.5),
    "email": (11.0, 2.0, -0.5),
    "iban": (12.0, 3.0, -0.5),
    "bank_account": (11.0, 3.0, -0.5),
    "crypto": (12.0, 0.0, -0.5),
    "imo": (14.0, 2.0, -8.0),
    "plate": (9.0, 3.0, -0.5),
    "container": (9.0, 2.0, 0.0),
    "registration": (12.0, 4.0, -4.0),
}
# Kinds typed by hand from a document, whose one-deletion variants are keys too (see subject_keys). Phones
# and e-mail addresses are not: they are copied rather than typed, and a phone's twelve variants would
# multiply the keys table for little gain.
FUZZY_KINDS = frozenset({"passport", "national_id", "tax_id", "registration", "imo", "iban", "bank_account",
                         "plate"})
_ID_LABEL = {"national_id": "ID number", "tax_id": "tax number", "iban": "IBAN", "imo": "IMO number"}

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{4})$"), ("y",)),
)
_TEXT_DATE = re.compile(r"^(?:(\d{1,2})\s+)?([a-z]{3})[a-z]*\.?\s+(\d{4})$")
_ADDRESS_SPLIT = re.compile(r"[^0-9a-z]+")

BirthDate = tuple[int, int | None, int | None]


def parse_birth_date(value: str | date | None) -> BirthDate | None:
    """A birth date, possibly partial, as (year, month, day); None when empty or unreadable.

    Accepts ISO dates (1979-03-05, 1979-03, 1979), 19790305, day-first 05.03.1979 and 05/03/1979, and
    "5 Mar 1979" / "Mar 1979". Impossible dates keep what is sound (a day of 31 in February is dropped)
    because a typed-wrong day must still compare on its year and month.
    """
    if value is None:
        return None
    if isinstance(value, date):
        return (value.year, value.month, value.day)
    text = unicodedata.normalize("NFKC", value).strip().lower()
    if not text:
        return None
    for pattern, order in _DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            parts = dict(zip(order, (int(g) for g in found.groups()), strict=True))
            return _sound(parts.get("y"), parts.get("m"), parts.get("d"))
    found = _TEXT_DATE.match(text)
    if found and found.group(2) in _MONTHS:
        day = int(found.group(1)) if found.group(1) else None
        return _sound(int(found.group(3)), _MONTHS[found.group(2)], day)
    return None


def _sound(year: int | None, month: int | None, day: int | None) -> BirthDate | None:
    if year is None or not 1800 <= year <= 2100:
        return None
    if month is not None and not 1 <= month <= 12:
        month, day = None, None
    if day is not None and month is not None:
        try:
            date(year, month, day)
        except ValueError:
            day = None
    return (year, month, day)


def address_tokens(text: str) -> tuple[str, ...]:
    from anyascii import anyascii

    return tuple(t for t in _ADDRESS_SPLIT.split(anyascii(text).lower()) if t)


@dataclass(slots=True)
class Subject:
    """What the comparison knows of one record. ``ref`` is the caller's handle (a row id, an entity id)."""

    ref: str
    schema: str = "Person"
    names: tuple[NameForm, ...] = ()
    births: tuple[BirthDate, ...] = ()
    nationalities: frozenset[str] = frozenset()
    identifiers: dict[str, frozenset[str]] = field(default_factory=dict)
    address: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        ref: str,
        *,
        schema: str = "Person",
        names: Iterable[str] = (),
        birth_date: str | date | None = None,
        birth_dates: Iterable[str | date] = (),
        nationalities: Iterable[str] = (),
        identifiers: Iterable[tuple[str, str]] = (),
        address: str = "",
    ) -> Subject:
        forms = []
        seen: set[tuple[str, ...]] = set()
        for name in names:
            form = name_form(name)
            if form.tokens and form.tokens not in seen:
                seen.add(form.tokens)
                forms.append(form)
        ids: dict[str, set[str]] = {}
        for kind, value in identifiers:
            if value:
                ids.setdefault(kind, set()).add(value)
        return cls(
            ref=ref,
            schema=schema,
            names=tuple(forms),
            births=_births(birth_date, birth_dates),
            nationalities=frozenset(n.lower() for n in nationalities if n),
            identifiers={k: frozenset(v) for k, v in ids.items()},
            address=address_tokens(address) if address else (),
        )

    @property
    def birth(self) -> BirthDate | None:
        return self.births[0] if self.births else None

    @property
    def empty(self) -> bool:
        return not (self.names or self.identifiers or self.births)


def _births(first: str | date | None, more: Iterable[str | date]) -> tuple[BirthDate, ...]:
    found: list[BirthDate] = []
    for value in (first, *more):
        parsed = parse_birth_date(value)
        if parsed is not None and parsed not in found:
            found.append(parsed)
    return tuple(found)


def _deletions(value: str) -> set[str]:
    return {value[:i] + value[i + 1:] for i in range(len(value))}


def subject_keys(subject: Subject, *, fuzzy_ids: bool = True, for_index: bool = True) -> set[str]:
    """The blocking keys of a subject (see the module docstring).

    Names give their whole-name key and pair keys (:func:`~interdict.domain.names.name_keys`), and with a
    birth year each part with the initials of the other parts and the year (``nx:``), which still meets a
    twin whose name has one mistyped part. A part's key alone is stored (``for_index``) but asked for
    only by single-part names: "Wei" must find "Zhang Wei", while "Zhang Wei" asking for everyone called
    Wei would compare half a province. Addresses give their numbers in pairs (house number and
    postcode), or their one number with their longest word.
    """
    keys: set[str] = set()
    years = sorted({birth[0] for birth in subject.births})
    # A query that carries a full birth date or an identifier finds a mistyped name through those keys
    # (and nx:); only a weaker one asks for the name's deletion neighbourhood, which every record stores.
    weak = not subject.identifiers and not any(b[2] is not None for b in subject.births)
    for form in subject.names:
        parts = name_parts(form)
        for key in name_keys(form):
            tag = key[:3]
            if tag == "n1:":
                if for_index or len(parts) == 1:
                    keys.add(key)
            elif tag != "nd:" or for_index or weak:
                keys.add(key)
        pieces = form.syllables or tuple(t for t in form.tokens if len(t) > 1)
        if len(pieces) >= 2 and years:
            for i, piece in enumerate(pieces):
                part = piece if form.syllables else phonetic_key(piece)
                rest = "".join(sorted(p[0] for j, p in enumerate(pieces) if j != i))
                keys.update(f"nx:{part}|{rest}|{year}" for year in years)
    for birth in subject.births:
        if birth[1] is not None and birth[2] is not None:
            keys.add(f"b:{birth[0]:04d}{birth[1]:02d}{birth[2]:02d}")
    for kind, values in subject.identifiers.items():
        for value in values:
            keys.add(f"i:{kind}:{value}")
            if fuzzy_ids and len(value) >= 6 and kind in FUZZY_KINDS:
                keys.update(f"d:{kind}:{v}" for v in (value, *_deletions(value)))
    if subject.address:
        numbers = sorted({t for t in subject.address if t.isdigit()})
        if len(numbers) >= 2:
            keys.update(f"a:{x}|{y}" for x, y in itertools.combinations(numbers[:4], 2))
        elif numbers:
            words = [t for t in subject.address if t.isalpha() and len(t) >= 4]
            if words:
                keys.add(f"a:{numbers[0]}|{max(words, key=len)}")
    return keys


# --- comparison levels ------------------------------------------------------------------------------------
# Each field compares into a level; level 0 means "not on both sides" and weighs nothing. Each other level
# has an a priori weight (natural log of the likelihood ratio) used where no estimate from the data exists.

NAME_LEVELS = {1: 9.0, 2: 7.0, 3: 4.5, 4: 1.0, 5: 1.5, 6: -4.0, 7: 5.0}
BIRTH_LEVELS = {1: 8.0, 2: 4.0, 3: 3.5, 4: 1.0, 5: 0.5, 6: -5.0, 7: 3.0, 8: 2.0, 9: -0.5, 10: -3.0, 11: -2.0}
ADDRESS_LEVELS = {1: 5.0, 2: 3.0, 3: 1.0, 4: 0.0, 5: -2.0}
NATIONALITY_LEVELS = {1: 0.5, 2: -2.0}

FIELDS: tuple[str, ...] = ("name", "birth", "address", "nationality", *ID_KINDS)
_FIELD_INDEX = {f: i for i, f in enumerate(FIELDS)}
SCHEMA_CLASH = -3.0


def _apriori_levels(name: str) -> dict[int, float]:
    if name == "name":
        return NAME_LEVELS
    if name == "birth":
        return BIRTH_LEVELS
    if name == "address":
        return ADDRESS_LEVELS
    if name == "nationality":
        return NATIONALITY_LEVELS
    same, near, differ = ID_KINDS[name]
    return {1: same, 2: near, 3: differ}


def _name_level(a: Subject, b: Subject) -> tuple[int, float, NameForm | None, NameForm | None]:
    """The strongest name level over every pair of the two sides' names (aliases included)."""
    if not a.names or not b.names:
        return 0, 0.0, None, None
    best: tuple[float, float, int, NameForm, NameForm] | None = None
    for fa in a.names:
        for fb in b.names:
            similarity = name_similarity(fa, fb)
            level = _pair_level(fa, fb, similarity)
            option = (NAME_LEVELS[level], similarity, level, fa, fb)
            if best is None or option[:2] > best[:2]:
                best = option
    assert best is not None
    return best[2], best[1], best[3], best[4]


def _pair_level(fa: NameForm, fb: NameForm, similarity: float) -> int:
    if min(len(fa.tokens), len(fb.tokens)) == 1 and not (fa.chinese and fb.chinese):
        short, long_ = (fa, fb) if len(fa.tokens) == 1 else (fb, fa)
        if similarity >= 0.995 or short.tokens[0] in long_.tokens:
            return 7
    if similarity >= 0.995:
        return 1
    if similarity >= 0.93:
        return 2
    if similarity >= 0.85:
        return 3
    if set(fa.syllables or fa.tokens) & set(fb.syllables or fb.tokens):
        return 4
    if similarity >= 0.75:
        return 5
    return 6


def _births_level(a: Sequence[BirthDate], b: Sequence[BirthDate]) -> int:
    """The best level over every pair of the two sides' birth dates (lists carry alternative dates)."""
    if not a or not b:
        return 0
    if len(a) == 1 and len(b) == 1:
        return _birth_level(a[0], b[0])
    return max((_birth_level(x, y) for x in a for y in b), key=BIRTH_LEVELS.__getitem__)


def _birth_level(a: BirthDate, b: BirthDate) -> int:
    (ya, ma, da), (yb, mb, db) = a, b
    if ma is not None and mb is not None and da is not None and db is not None:
        if (ya, ma, da) == (yb, mb, db):
            return 1
        if ya == yb and ma == db and da == mb:
            return 2
        if OSA.distance(f"{ya:04d}{ma:02d}{da:02d}", f"{yb:04d}{mb:02d}{db:02d}", score_cutoff=1) <= 1:
            return 3
        if ma == mb and da == db:
            return 4
        if ya == yb:
            return 5
        return 6
    if ya != yb:
        return 10 if abs(ya - yb) > 1 else 9
    if ma is not None and mb is not None:
        return 7 if ma == mb else 11
    return 8


def _identifier_level(a: frozenset[str], b: frozenset[str]) -> int:
    if a & b:
        return 1
    for x in a:
        for y in b:
            if len(x) >= 6 and OSA.distance(x, y, score_cutoff=1) <= 1:
                return 2
    return 3


def _address_level(a: Sequence[str], b: Sequence[str]) -> tuple[int, float]:
    if not a or not b:
        return 0, 0.0
    s = fuzz.token_set_ratio(" ".join(a), " ".join(b), processor=None) / 100.0
    if s >= 0.95:
        return 1, s
    if s >= 0.8:
        return 2, s
    if s >= 0.6:
        return 3, s
    if s >= 0.4:
        return 4, s
    return 5, s


def levels(a: Subject, b: Subject) -> list[int]:
    """The comparison level of every field of :data:`FIELDS` (0 where a side lacks it)."""
    return _levels_detail(a, b)[0]


_NameDetail = tuple[int, float, NameForm | None, NameForm | None]


def _levels_detail(a: Subject, b: Subject) -> tuple[list[int], _NameDetail, float]:
    """The levels, with the name comparison and the address similarity the explanation quotes."""
    out = [0] * len(FIELDS)
    name = _name_level(a, b)
    out[0] = name[0]
    if a.schema == "Person" and b.schema == "Person":
        out[1] = _births_level(a.births, b.births)
    out[2], address = _address_level(a.address, b.address)
    if a.nationalities and b.nationalities:
        out[3] = 1 if a.nationalities & b.nationalities else 2
    if a.identifiers and b.identifiers:
        for kind, values in a.identifiers.items():
            other = b.identifiers.get(kind)
            if other and kind in _FIELD_INDEX:
                out[_FIELD_INDEX[kind]] = _identifier_level(values, other)
    return out, name, address


def _schema_clash(a: Subject, b: Subject) -> bool:
    kinds = {a.schema, b.schema}
    return a.schema != b.schema and kinds <= {"Person", "Organization", "Company"}


# --- the model: weights per level, a priori or estimated from the data -------------------------------------

@dataclass
class Model:
    """Weights (natural-log likelihood ratios) per field and level, and the prior log-odds of a match.

    :meth:`apriori` is the fixed model used where the data cannot teach one (a single cross-check).
    :meth:`estimate` learns from the pairs being linked without any truth, as Fellegi and Sunter
    describe and Splink does: the chance of each level among non-matches (u) from random pairs, the
    chance among matches (m) and the share of matches by expectation maximisation over the compared
    pairs, the a priori model serving as a prior that keeps small or one-sided data sensible.
    """

    weights: list[dict[int, float]]
    prior: float = PRIOR
    estimated: bool = False
    iterations: int = 0

    @classmethod
    def apriori(cls) -> Model:
        return cls(weights=[dict(_apriori_levels(f)) for f in FIELDS])

    def total(self, row: Sequence[int]) -> float:
        total = self.prior
        for field_levels, level in zip(self.weights, row, strict=True):
            if level:
                total += field_levels.get(level, 0.0)
        return total

    @classmethod
    def estimate(
        cls,
        compared: Sequence[Sequence[int]],
        random_pairs: Sequence[Sequence[int]],
        *,
        max_iterations: int = 25,
        prior_strength: float = 50.0,
    ) -> Model:
        """Learn a model from the compared pairs' levels and random pairs' levels (see the class doc)."""
        base = cls.apriori()
        if len(compared) < 200 or len(random_pairs) < 200:
            return base
        import numpy as np

        levels_array = np.asarray(compared, dtype=np.int8)
        random_array = np.asarray(random_pairs, dtype=np.int8)
        n_fields = len(FIELDS)
        max_level = int(max(levels_array.max(), random_array.max())) + 1
        # u: level frequencies among random pairs (nearly all non-matches), with half a pair of smoothing.
        u = np.full((n_fields, max_level), 0.5)
        for f in range(n_fields):
            u[f] += np.bincount(random_array[:, f], minlength=max_level)[:max_level]
        u[:, 0] = 0.0
        u /= np.maximum(u.sum(axis=1, keepdims=True), 1e-12)
        u_random = u.copy()
        # m prior: the a priori weights applied to u (m proportional to u * e^w), then normalised.
        m_prior = np.zeros((n_fields, max_level))
        for f in range(n_fields):
            for level, weight in base.weights[f].items():
                if level < max_level:
                    m_prior[f, level] = max(u[f, level], 1e-4) * math.exp(weight)
        m_prior /= np.maximum(m_prior.sum(axis=1, keepdims=True), 1e-12)
        m = m_prior.copy()
        share = 0.5
        onehot = [
            np.stack([levels_array[:, f] == level for level in range(max_level)], axis=1).astype(np.float64)
            for f in range(n_fields)
        ]
        u_safe = np.where(u > 0, u, 1.0)
        iterations = 0
        for iterations in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
            log_m = np.log(np.where(m > 0, m, 1.0))
            log_u = np.log(u_safe)
            score = np.full(len(levels_array), math.log(share / (1 - share)))
            for f in range(n_fields):
                present = levels_array[:, f] > 0
                lv = levels_array[:, f]
                score += np.where(present, log_m[f, lv] - log_u[f, lv], 0.0)
            posterior = 1.0 / (1.0 + np.exp(-np.clip(score, -50, 50)))
            new_share = float(np.clip(posterior.mean(), 1e-6, 1 - 1e-6))
            new_m = np.zeros_like(m)
            for f in range(n_fields):
                counts = posterior @ onehot[f]
                counts[0] = 0.0
                new_m[f] = counts + prior_strength * m_prior[f]
            new_m /= np.maximum(new_m.sum(axis=1, keepdims=True), 1e-12)
            new_u = np.zeros_like(u)
            for f in range(n_fields):
                counts = (1.0 - posterior) @ onehot[f]
                counts[0] = 0.0
                new_u[f] = counts + prior_strength * u_random[f]
            new_u /= np.maximum(new_u.sum(axis=1, keepdims=True), 1e-12)
            converged = abs(new_share - share) < 1e-5 and float(np.abs(new_m - m).max()) < 1e-4
            m, u, share = new_m, new_u, new_share
            u_safe = np.where(u > 0, u, 1.0)
            if converged:
                break
        weights: list[dict[int, float]] = []
        for f in range(n_fields):
            field_weights: dict[int, float] = {}
            for level in base.weights[f]:
                if level < max_level and m[f, level] > 0 and u[f, level] > 0:
                    field_weights[level] = math.log(m[f, level] / u[f, level])
                else:
                    field_weights[level] = base.weights[f][level]
            weights.append(field_weights)
        # The prior: the share of matches among compared pairs is not the share among all pairs; the
        # posterior of a compared pair is what the score reports, so the compared-pair share is used.
        return cls(weights=weights, prior=math.log(share / (1 - share)), estimated=True, iterations=iterations)


_APRIORI = Model.apriori()


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of comparing two subjects: score 0..1, the evidence total, and why."""

    score: float
    total: float
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return ", ".join(self.reasons)


def score_of(total: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, total))))


def score_levels(row: Sequence[int], a: Subject, b: Subject, model: Model = _APRIORI) -> float:
    total = model.total(row) + (SCHEMA_CLASH if _schema_clash(a, b) else 0.0)
    return score_of(total)


_BIRTH_PHRASES = {
    1: "birth date equal", 2: "birth date equal with day and month swapped", 3: "birth date one typo apart",
    4: "birth day and month equal", 5: "birth year equal", 6: "birth date differs",
    7: "birth year and month equal", 8: "birth year equal", 9: "birth year one apart",
    10: "birth year differs", 11: "birth month differs",
}


def compare(a: Subject, b: Subject, model: Model = _APRIORI) -> Comparison:
    """Score two subjects with ``model`` and say why, field by field."""
    row, name, address = _levels_detail(a, b)
    reasons: list[str] = []
    for kind in ID_KINDS:
        level = row[_FIELD_INDEX[kind]]
        if level:
            label = _ID_LABEL.get(kind, kind)
            reasons.append(f"{label} " + ("identical", "one character apart", "differs")[level - 1])
    level, similarity, fa, fb = name
    if level and fa is not None and fb is not None:
        translit = " after transliteration" if fa.script != fb.script else ""
        alias = "" if (fa is a.names[0] and fb is b.names[0]) else " (alias)"
        if level == 1:
            reasons.append(f"name identical{translit}{alias}")
        elif level == 4:
            reasons.append(f"name shares a part ({similarity:.2f}){translit}{alias}")
        elif level == 6:
            reasons.append(f"name differs ({similarity:.2f})")
        elif level == 7:
            reasons.append(f"single name matches ({similarity:.2f}){translit}{alias}")
        else:
            reasons.append(f"name {similarity:.2f}{translit}{alias}")
    if row[1]:
        reasons.append(_BIRTH_PHRASES[row[1]])
    if row[3]:
        reasons.append("nationality equal" if row[3] == 1 else "nationality differs")
    if row[2]:
        if row[2] == 5:
            reasons.append("address differs")
        elif address >= 0.999:
            reasons.append("address identical")
        else:
            reasons.append(f"address {address:.2f}")
    clash = _schema_clash(a, b)
    if clash:
        reasons.append(f"{a.schema.lower()} against {b.schema.lower()}")
    total = model.total(row) + (SCHEMA_CLASH if clash else 0.0)
    return Comparison(score=score_of(total), total=total, reasons=tuple(reasons))
