"""The substance catalogue: controlled drugs, new psychoactive substances and precursor chemicals.

The catalogue ships as package data (``interdict/data/substances.json``, described in
``docs/SUBSTANCES.md``) and is loaded once by :func:`catalogue`. Each entry carries its names in several
scripts, its international control status and the physical data that unit conversion needs
(``interdict.domain.quantities``).

Names are matched after :func:`normalise_name` (NFKC, case folding, Greek letters spelt out, spaces,
hyphens and punctuation removed), so ``"Crystal-Meth"`` and ``"crystal meth"`` are one key. Two further
keys make names findable from another script: an ASCII transliteration (anyascii: ``метамфетамин`` →
``metamfetamin``) and, for Chinese, toneless pinyin (pypinyin: ``冰毒`` → ``bingdu``). Lookups try the
name as written first and the transliterations only when that fails. A name used for two substances
(a street name such as "china white") is ambiguous: :meth:`Catalogue.resolve` refuses to guess and
returns ``None``, :meth:`Catalogue.candidates` and :meth:`Catalogue.search` show every reading.

Importing this module is cheap; pypinyin (slow to import) and rapidfuzz are imported only when the
transliteration index or the fuzzy search is first needed, and each index is built once.
"""

from __future__ import annotations

import bisect
import enum
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any


class SubstanceCategory(enum.StrEnum):
    OPIOID = "opioid"
    ATS = "ats"
    COCAINE = "cocaine"
    CANNABIS = "cannabis"
    HALLUCINOGEN = "hallucinogen"
    SEDATIVE = "sedative"
    NPS = "nps"
    PRECURSOR = "precursor"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[SubstanceCategory, str] = {
    SubstanceCategory.OPIOID: "Opioids",
    SubstanceCategory.ATS: "Amphetamine-type stimulants",
    SubstanceCategory.COCAINE: "Cocaine-type",
    SubstanceCategory.CANNABIS: "Cannabis-type",
    SubstanceCategory.HALLUCINOGEN: "Hallucinogens and dissociatives",
    SubstanceCategory.SEDATIVE: "Sedatives and hypnotics",
    SubstanceCategory.NPS: "New psychoactive substances",
    SubstanceCategory.PRECURSOR: "Precursor chemicals",
    SubstanceCategory.OTHER: "Other",
}

#: A schedule of the 1961 or 1971 Convention, a table of the 1988 Convention, or an article of the 1961
#: Convention that controls a plant (or plant material) without scheduling it, e.g. ``1961:art28``.
CONTROL_PATTERN = re.compile(r"^(?:1961:(?:I|II|III|IV|art\d{2})|1971:(?:I|II|III|IV)|1988:(?:I|II))$")
CAS_PATTERN = re.compile(r"^\d{2,7}-\d{2}-\d$")


def valid_cas(cas: str) -> bool:
    """True when ``cas`` is a well-formed CAS Registry Number with a correct check digit.

    The check digit is the sum of the other digits, each multiplied by its position counted from the
    right (1, 2, 3, ...), modulo 10: for 7732-18-5 (water), 8*1 + 1*2 + 2*3 + 3*4 + 7*5 + 7*6 = 105 → 5.
    """
    if not CAS_PATTERN.match(cas):
        return False
    digits = cas.replace("-", "")
    body, check = digits[:-1], int(digits[-1])
    return sum(pos * int(d) for pos, d in enumerate(reversed(body), start=1)) % 10 == check


@dataclass(frozen=True)
class Substance:
    """One catalogue entry. ``source`` is the full citation text; ``source_keys`` name rows of the
    catalogue's sources table. Physical data: a tablet mass or a liquid density where one is documented
    (with its note), and whether the substance is seen as tablets, liquid, blotters or plants."""

    code: str
    name: str
    category: SubstanceCategory
    nps_group: str | None = None
    control: tuple[str, ...] = ()
    control_note: str | None = None
    cas: str | None = None
    synonyms: tuple[str, ...] = ()
    street_names: tuple[str, ...] = ()
    names_zh: tuple[str, ...] = ()
    names_ru: tuple[str, ...] = ()
    tablet_mass_g: float | None = None
    density_g_ml: float | None = None
    plant: bool = False
    source: str = ""
    source_keys: tuple[str, ...] = ()
    tablets: bool = False
    liquid: bool = False
    blotters: bool = False
    tablet_note: str | None = None
    density_note: str | None = None
    volume_note: str | None = None

    @property
    def all_names(self) -> tuple[str, ...]:
        """The preferred name, then synonyms, street names, Chinese and Russian names, without repeats."""
        names = (self.name, *self.synonyms, *self.street_names, *self.names_zh, *self.names_ru)
        return tuple(dict.fromkeys(names))

    @property
    def internationally_controlled(self) -> bool:
        return bool(self.control)


@dataclass(frozen=True)
class Match:
    substance: Substance
    name: str
    score: float


_GREEK = str.maketrans({"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta"})
_SEPARATORS = re.compile(r"[\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normalise_name(text: str) -> str:
    """The matching key of a name: NFKC, case-folded, Greek letters spelt out, and every space, hyphen
    and punctuation mark removed (``"Alpha-PVP"``, ``"α-PVP"`` and ``"alpha pvp"`` → ``"alphapvp"``)."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_GREEK)
    return _SEPARATORS.sub("", folded)


def transliteration_keys(text: str) -> set[str]:
    """Extra keys for a name written in another script: its anyascii transliteration and, when it has
    Chinese characters, its toneless pinyin. The name's own key is not included."""
    from anyascii import anyascii

    keys = {normalise_name(anyascii(text))}
    if _HAN.search(text):
        from pypinyin import lazy_pinyin

        keys.add(normalise_name("".join(lazy_pinyin(text))))
    keys.discard(normalise_name(text))
    keys.discard("")
    return keys


# Scores of search results, best first: the name as written, the name through a transliteration,
# a prefix of a name, then fuzzy similarity (rapidfuzz ratio scaled below the prefix band).
SCORE_EXACT = 100.0
SCORE_TRANSLITERATED = 95.0
SCORE_PREFIX_MAX = 94.0
SCORE_FUZZY_MAX = 80.0
FUZZY_CUTOFF = 65.0
_RESOLVE_CACHE_MAX = 100_000


@dataclass(frozen=True, order=True)
class _Name:
    key: str
    code: str
    name: str


class Catalogue:
    """Substances by code, with name resolution and search across scripts."""

    def __init__(self, substances: Iterable[Substance], sources: Mapping[str, str] | None = None) -> None:
        self._by_code: dict[str, Substance] = {}
        for substance in substances:
            if substance.code in self._by_code:
                raise ValueError(f"duplicate substance code {substance.code!r}")
            self._by_code[substance.code] = substance
        self.sources: dict[str, str] = dict(sources or {})
        self._exact: dict[str, tuple[str, ...]] | None = None
        self._translit: dict[str, tuple[str, ...]] | None = None
        self._names: list[_Name] | None = None
        self._name_of: dict[tuple[str, str], str] = {}
        self._resolve_cache: dict[str, Substance | None] = {}

    def __iter__(self) -> Iterator[Substance]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Substance | None:
        return self._by_code.get(code)

    def by_category(self, category: SubstanceCategory | str) -> list[Substance]:
        wanted = SubstanceCategory(category)
        return [s for s in self if s.category is wanted]

    def candidates(self, name: str) -> tuple[Substance, ...]:
        """Every substance whose code or one of whose names matches ``name`` exactly after normalisation;
        transliterated keys are tried only when the name as written matches nothing."""
        key = normalise_name(name)
        if not key:
            return ()
        codes = self._exact_index().get(key, ())
        if not codes:
            translit = self._translit_index()
            found = {c for k in (key, *transliteration_keys(name)) for c in translit.get(k, ())}
            codes = tuple(sorted(found))
        return tuple(self._by_code[c] for c in codes)

    def resolve(self, name: str) -> Substance | None:
        """The one substance ``name`` denotes, or ``None`` when it is unknown or ambiguous. Cached, so the
        importer may call it for every row."""
        try:
            return self._resolve_cache[name]
        except KeyError:
            pass
        found = self.candidates(name)
        result = found[0] if len(found) == 1 else None
        if len(self._resolve_cache) >= _RESOLVE_CACHE_MAX:
            self._resolve_cache.clear()
        self._resolve_cache[name] = result
        return result

    def search(self, query: str, limit: int = 10) -> list[Match]:
        """Best matches for ``query`` in any script: exact names, then transliterated names, prefixes and
        fuzzy matches; one result per substance, best first."""
        key = normalise_name(query)
        if not key or limit <= 0:
            return []
        variants = [key, *sorted(transliteration_keys(query))]
        best: dict[str, tuple[float, str]] = {}
        self._score_exact(key, variants, best)
        self._score_prefix(variants, best)
        self._score_fuzzy(variants, best)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], self._by_code[item[0]].name))
        return [Match(self._by_code[code], name, round(score, 1)) for code, (score, name) in ranked[:limit]]

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Preferred names of the nearest entries, for messages like "did you mean methamphetamine?"."""
        return [m.substance.name for m in self.search(name, limit=n)]

    # -- scoring -------------------------------------------------------------------------------

    def _score_exact(self, key: str, variants: list[str], best: dict[str, tuple[float, str]]) -> None:
        exact, translit = self._exact_index(), self._translit_index()
        for code in exact.get(key, ()):
            _keep(best, code, SCORE_EXACT, self._display(code, key))
        for variant in variants:
            for code in (*exact.get(variant, ()), *translit.get(variant, ())):
                _keep(best, code, SCORE_TRANSLITERATED, self._display(code, variant))

    def _score_prefix(self, variants: list[str], best: dict[str, tuple[float, str]]) -> None:
        names = self._name_list()
        keys = [n.key for n in names]
        for variant in variants:
            start = bisect.bisect_left(keys, variant)
            for entry in names[start:]:
                if not entry.key.startswith(variant):
                    break
                if entry.key != variant:
                    score = 80.0 + (SCORE_PREFIX_MAX - 80.0) * len(variant) / len(entry.key)
                    _keep(best, entry.code, score, entry.name)

    def _score_fuzzy(self, variants: list[str], best: dict[str, tuple[float, str]]) -> None:
        from rapidfuzz import fuzz, process

        names = self._name_list()
        choices = [n.key for n in names]
        for variant in variants:
            hits = process.extract(variant, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=50)
            for _choice, similarity, index in hits:
                entry = names[index]
                _keep(best, entry.code, similarity * SCORE_FUZZY_MAX / 100.0, entry.name)

    def _display(self, code: str, key: str) -> str:
        """The name of ``code`` that produced ``key`` (for showing which name matched)."""
        self._name_list()
        return self._name_of.get((key, code), self._by_code[code].name)

    # -- indexes -------------------------------------------------------------------------------

    def _exact_index(self) -> dict[str, tuple[str, ...]]:
        if self._exact is None:
            index: dict[str, dict[str, None]] = {}
            for substance in self:
                for name in (substance.code, *substance.all_names):
                    key = normalise_name(name)
                    if key:
                        index.setdefault(key, {})[substance.code] = None
            self._exact = {key: tuple(codes) for key, codes in index.items()}
        return self._exact

    def _translit_index(self) -> dict[str, tuple[str, ...]]:
        if self._translit is None:
            index: dict[str, dict[str, None]] = {}
            for substance in self:
                for name in substance.all_names:
                    for key in transliteration_keys(name):
                        index.setdefault(key, {})[substance.code] = None
            self._translit = {key: tuple(codes) for key, codes in index.items()}
        return self._translit

    def _name_list(self) -> list[_Name]:
        """Every (key, code, name), transliterated keys included, sorted by key for prefix search."""
        if self._names is None:
            entries: dict[tuple[str, str], str] = {}
            for substance in self:
                for name in (*substance.all_names, substance.code):
                    for key in (normalise_name(name), *sorted(transliteration_keys(name))):
                        if key:
                            entries.setdefault((key, substance.code), name)
            self._name_of = entries
            self._names = sorted(_Name(key, code, name) for (key, code), name in entries.items())
        return self._names


def _keep(best: dict[str, tuple[float, str]], code: str, score: float, name: str) -> None:
    if code not in best or score > best[code][0]:
        best[code] = (score, name)


# -- loading ---------------------------------------------------------------------------------------


def load_catalogue(data: Mapping[str, Any]) -> Catalogue:
    """Build a catalogue from the parsed JSON document (see docs/SUBSTANCES.md for its shape).

    Raises ``ValueError`` naming the entry when a category, control string, CAS number, source key or
    conversion key is invalid, so a bad data file fails at load rather than at use."""
    sources: dict[str, str] = dict(data["sources"])
    conversions: dict[str, dict[str, Any]] = dict(data.get("conversions", {}))
    substances = [_substance(raw, sources, conversions) for raw in data["substances"]]
    return Catalogue(substances, sources)


def _substance(
    raw: Mapping[str, Any], sources: dict[str, str], conversions: dict[str, dict[str, Any]]
) -> Substance:
    code = str(raw["code"])
    try:
        category = SubstanceCategory(raw["category"])
    except ValueError:
        raise ValueError(f"substance {code!r}: unknown category {raw['category']!r}") from None
    control = tuple(raw.get("control", ()))
    for item in control:
        if not CONTROL_PATTERN.match(item):
            raise ValueError(f"substance {code!r}: malformed control {item!r}")
    cas = raw.get("cas")
    if cas is not None and not valid_cas(cas):
        raise ValueError(f"substance {code!r}: invalid CAS number {cas!r}")
    keys = tuple(raw.get("sources", ()))
    if not keys or any(k not in sources for k in keys):
        raise ValueError(f"substance {code!r}: missing or unknown source keys {list(keys)!r}")
    physical: Mapping[str, Any] = raw.get("physical", {})
    tablet = _conversion(code, physical.get("tablet"), conversions)
    density = _conversion(code, physical.get("density"), conversions)
    volume = _conversion(code, physical.get("volume"), conversions)
    return Substance(
        code=code,
        name=str(raw["name"]),
        category=category,
        nps_group=raw.get("nps_group"),
        control=control,
        control_note=raw.get("control_note"),
        cas=cas,
        synonyms=tuple(raw.get("synonyms", ())),
        street_names=tuple(raw.get("street_names", ())),
        names_zh=tuple(raw.get("names_zh", ())),
        names_ru=tuple(raw.get("names_ru", ())),
        tablet_mass_g=float(tablet["g"]) if tablet else None,
        density_g_ml=float(density["g_ml"]) if density else None,
        plant=bool(physical.get("plant", False)),
        source="; ".join(sources[k] for k in keys),
        source_keys=keys,
        tablets=bool(physical.get("tablets", False)),
        liquid=bool(physical.get("liquid", False)),
        blotters=bool(physical.get("blotters", False)),
        tablet_note=_note(tablet, sources),
        density_note=_note(density, sources),
        volume_note=_note(volume, sources),
    )


def _conversion(code: str, key: str | None, conversions: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if key is None:
        return None
    if key not in conversions:
        raise ValueError(f"substance {code!r}: unknown conversion {key!r}")
    return conversions[key]


def _note(conversion: dict[str, Any] | None, sources: dict[str, str]) -> str | None:
    if conversion is None:
        return None
    return f"{conversion['note']} (source: {sources[conversion['source']]})"


@functools.cache
def catalogue() -> Catalogue:
    """The catalogue shipped with the package, loaded once."""
    text = resources.files("interdict.data").joinpath("substances.json").read_text(encoding="utf-8")
    return load_catalogue(json.loads(text))


def find_precursor(name: str) -> Substance | None:
    """The catalogue precursor chemical ``name`` denotes (its code or any name it is known by), else None."""
    cat = catalogue()
    found = cat.get(name.strip()) or cat.resolve(name)
    return found if found is not None and found.category is SubstanceCategory.PRECURSOR else None


def precursor_named(name: str, field: str = "substance") -> Substance:
    """Like :func:`find_precursor`, but a name that is not a precursor raises ``BadInputError`` on ``field``,
    saying whether the catalogue does not know it (with the nearest names) or knows it as something else."""
    from interdict.domain.errors import BadInputError

    found = find_precursor(name)
    if found is not None:
        return found
    cat = catalogue()
    other = cat.get(name.strip()) or cat.resolve(name)
    if other is None:
        hint = ", ".join(cat.suggest(name)) or "see the substance catalogue"
        message = f"substance {name!r} is not in the catalogue (did you mean: {hint}?); expected a precursor chemical"
    else:
        message = (
            f"substance {name!r} is {other.name} ({other.category.label}), not a precursor; "
            "expected a precursor chemical"
        )
    raise BadInputError(message, {field: message})
