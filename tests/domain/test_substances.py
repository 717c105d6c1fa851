"""The substance catalogue (``interdict.domain.substances``): data integrity, resolution and search.

The integrity tests read every entry of the shipped catalogue; the search cases pin the cross-script
behaviour (Chinese, Cyrillic, transliterations, pinyin, street names); ambiguous street names must never
resolve silently.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest

from interdict.domain.substances import (
    CONTROL_PATTERN,
    Catalogue,
    Substance,
    SubstanceCategory,
    catalogue,
    load_catalogue,
    normalise_name,
    valid_cas,
)

CAT = catalogue()


# -- integrity of the shipped data -----------------------------------------------------------------


def test_catalogue_size_and_every_category_present() -> None:
    assert 150 <= len(CAT) <= 260
    assert {s.category for s in CAT} == set(SubstanceCategory)


def test_codes_are_unique_lowercase_slugs() -> None:
    codes = [s.code for s in CAT]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert code == code.lower() and code.replace("_", "").isalnum(), code


def test_cas_numbers_are_unique_and_valid() -> None:
    numbers = [s.cas for s in CAT if s.cas is not None]
    assert len(numbers) == len(set(numbers))
    for cas in numbers:
        assert valid_cas(cas), cas


@pytest.mark.parametrize(
    ("cas", "ok"),
    [
        ("7732-18-5", True),  # water
        ("50-00-0", True),  # formaldehyde
        ("537-46-2", True),  # methamphetamine
        ("7732-18-4", False),  # wrong check digit
        ("537-64-2", False),  # transposition
        ("7732185", False),  # no hyphens
        ("12345678-12-1", False),  # first part too long
    ],
    ids=["water", "formaldehyde", "methamphetamine", "bad-check", "transposed", "no-hyphens", "too-long"],
)
def test_valid_cas(cas: str, ok: bool) -> None:
    assert valid_cas(cas) is ok


def test_every_entry_has_category_source_and_wellformed_control() -> None:
    for s in CAT:
        assert isinstance(s.category, SubstanceCategory), s.code
        assert s.source.strip(), s.code
        assert s.source_keys and all(k in CAT.sources for k in s.source_keys), s.code
        for item in s.control:
            assert CONTROL_PATTERN.match(item), (s.code, item)
        if not s.control:
            assert s.control_note, f"{s.code}: not internationally controlled, the note must say so"
        if s.category is SubstanceCategory.NPS:
            assert s.nps_group, s.code


def test_every_name_resolves_back_unless_ambiguous() -> None:
    for s in CAT:
        for name in (s.code, *s.all_names):
            found = CAT.candidates(name)
            assert s in found, (s.code, name)
            assert CAT.resolve(name) is (s if len(found) == 1 else None), (s.code, name)


def test_plants_and_physical_data_are_consistent() -> None:
    assert {s.code for s in CAT if s.plant} == {"cannabis_plant", "opium_poppy", "coca_bush"}
    for s in CAT:
        if s.density_g_ml is not None:
            assert s.liquid and s.density_note and 0.5 < s.density_g_ml < 2.5, s.code
        if s.tablet_mass_g is not None:
            assert s.tablets and s.tablet_note and 0 < s.tablet_mass_g < 1, s.code


def test_tramadol_and_ketamine_say_they_are_not_internationally_controlled() -> None:
    for code in ("tramadol", "ketamine"):
        s = CAT.get(code)
        assert s is not None and s.control == () and not s.internationally_controlled
        assert s.control_note and "not under international control" in s.control_note


# -- resolution and search across scripts ----------------------------------------------------------


@dataclass(frozen=True)
class SearchCase:
    query: str
    code: str


SEARCH_CASES = [
    SearchCase("冰毒", "methamphetamine"),
    SearchCase("shabu", "methamphetamine"),
    SearchCase("yaba", "methamphetamine"),
    SearchCase("ice", "methamphetamine"),
    SearchCase("Ice", "methamphetamine"),
    SearchCase("МЕТАМФЕТАМИН", "methamphetamine"),
    SearchCase("metamfetamin", "methamphetamine"),
    SearchCase("bingdu", "methamphetamine"),
    SearchCase("crystal-meth", "methamphetamine"),
    SearchCase("heroin", "heroin"),
    SearchCase("海洛因", "heroin"),
    SearchCase("героин", "heroin"),
    SearchCase("geroin", "heroin"),
    SearchCase("ketamine", "ketamine"),
    SearchCase("K粉", "ketamine"),
    SearchCase("fentanyl", "fentanyl"),
    SearchCase("芬太尼", "fentanyl"),
    SearchCase("фентанил", "fentanyl"),
    SearchCase("acetic anhydride", "acetic_anhydride"),
    SearchCase("醋酸酐", "acetic_anhydride"),
    SearchCase("α-PVP", "alpha_pvp"),
    SearchCase("Alpha PVP", "alpha_pvp"),
    SearchCase("Héroïne", "heroin"),
    SearchCase("metamphetamine", "methamphetamine"),
    SearchCase("hashish", "cannabis_resin"),
    SearchCase("BMK", "p2p"),
]


@pytest.mark.parametrize("case", SEARCH_CASES, ids=[c.query for c in SEARCH_CASES])
def test_search_finds_the_substance_first(case: SearchCase) -> None:
    results = CAT.search(case.query)
    assert results and results[0].substance.code == case.code
    assert 0 <= results[0].score <= 100


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("冰毒", "methamphetamine"),
        ("metamfetamin", "methamphetamine"),
        ("bingdu", "methamphetamine"),
        ("SHABU", "methamphetamine"),
        ("K粉", "ketamine"),
        ("醋酸酐", "acetic_anhydride"),
        ("cannabis_herb", "cannabis_herb"),
    ],
    ids=["chinese", "transliterated-russian", "pinyin", "upper-case", "mixed-script", "precursor", "code"],
)
def test_resolve_exact_names_in_any_script(name: str, code: str) -> None:
    resolved = CAT.resolve(name)
    assert resolved is not None and resolved.code == code


def test_resolve_unknown_or_misspelt_name_is_none() -> None:
    assert CAT.resolve("metamphetamine") is None
    assert CAT.resolve("") is None
    assert CAT.resolve("no such drug") is None


@pytest.mark.parametrize(
    ("name", "codes"),
    [("china white", {"heroin", "fentanyl"}), ("captagon", {"amphetamine", "fenetylline"})],
    ids=["china-white", "captagon"],
)
def test_ambiguous_street_names_do_not_resolve_but_search_shows_all(name: str, codes: set[str]) -> None:
    assert CAT.resolve(name) is None
    assert {s.code for s in CAT.candidates(name)} == codes
    top = CAT.search(name)[: len(codes)]
    assert {m.substance.code for m in top} == codes
    assert all(m.score == 100 for m in top)


def test_search_reports_the_name_that_matched() -> None:
    best = CAT.search("冰毒")[0]
    assert best.name == "冰毒" and best.score == 100
    assert CAT.search("bingdu")[0].name == "冰毒"


def test_search_returns_one_match_per_substance_within_limit() -> None:
    results = CAT.search("fentanyl", limit=5)
    assert len(results) == 5
    assert len({m.substance.code for m in results}) == 5
    assert [m.score for m in results] == sorted((m.score for m in results), reverse=True)
    assert CAT.search("   ") == [] and CAT.search("fentanyl", limit=0) == []


def test_suggest_offers_the_nearest_names() -> None:
    assert "methamphetamine" in CAT.suggest("metamphetamine")
    assert len(CAT.suggest("metamphetamine", n=2)) == 2


def test_resolve_is_cached() -> None:
    assert CAT.resolve("shabu") is CAT.resolve("shabu") is CAT.get("methamphetamine")


def test_by_category_and_iteration() -> None:
    precursors = CAT.by_category("precursor")
    assert CAT.get("acetic_anhydride") in precursors
    assert all(s.category is SubstanceCategory.PRECURSOR for s in precursors)
    assert len(list(CAT)) == len(CAT)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Crystal-Meth", "crystalmeth"),
        ("α-PVP", "alphapvp"),
        ("3,4-MDP-2-P", "34mdp2p"),
        ("ＭＤＭＡ", "mdma"),
        ("  ice  ", "ice"),
        ("Δ9-THC", "delta9thc"),
    ],
    ids=["hyphen-case", "greek", "punctuation", "fullwidth", "spaces", "capital-greek"],
)
def test_normalise_name(text: str, key: str) -> None:
    assert normalise_name(text) == key


# -- loading --------------------------------------------------------------------------------------


def small_document(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "code": "x",
        "name": "x",
        "category": "ats",
        "control": ["1971:II"],
        "sources": ["s"],
        "cas": None,
    }
    entry.update(overrides)
    return {"sources": {"s": "a source"}, "conversions": {}, "substances": [entry]}


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"category": "sweets"}, "unknown category"),
        ({"control": ["1961:V"]}, "malformed control"),
        ({"cas": "50-00-1"}, "invalid CAS"),
        ({"sources": ["nope"]}, "source keys"),
        ({"sources": []}, "source keys"),
        ({"physical": {"density": "missing"}}, "unknown conversion"),
    ],
    ids=["category", "control", "cas", "unknown-source", "no-source", "conversion"],
)
def test_load_rejects_bad_entries(override: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        load_catalogue(small_document(**override))


def test_duplicate_codes_are_rejected() -> None:
    s = Substance("x", "x", SubstanceCategory.OTHER)
    with pytest.raises(ValueError, match="duplicate"):
        Catalogue([s, s])


def test_importing_and_resolving_does_not_load_pypinyin_or_pint() -> None:
    code = (
        "import sys; from interdict.domain.substances import catalogue; "
        "assert catalogue().resolve('heroin').code == 'heroin'; "
        "assert 'pypinyin' not in sys.modules and 'pint' not in sys.modules and 'rapidfuzz' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
