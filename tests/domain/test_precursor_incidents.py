"""The rules of a precursor incident (``domain/precursor_incidents.py``), without a database: every bad
input names its field and value, quantities are normalised, and the statistics add up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdict.domain.errors import BadInputError
from interdict.domain.precursor_incidents import (
    CheckedLine,
    ChemicalDraft,
    Equipment,
    EquipmentDraft,
    IncidentDraft,
    IncidentFacts,
    IncidentKind,
    IncidentRules,
    Method,
    StatsKey,
    aggregate,
    parse_chemical_text,
    parse_equipment,
    parse_equipment_text,
    parse_kind,
    parse_method,
)

TODAY = date(2026, 6, 1)
RULES = IncidentRules(TODAY)
GOOD = IncidentDraft(
    kind="precursor_seizure",
    occurred_on=date(2026, 3, 2),
    country="LA",
    summary="APAAN declared as fertiliser",
    chemicals=[ChemicalDraft("APAAN", 250, "kg")],
)


def errors_of(draft: IncidentDraft) -> dict[str, str]:
    checked, errors = RULES.check(draft)
    assert (checked is None) == bool(errors)
    return {e.field: e.message for e in errors}


def test_a_good_draft_is_checked_and_normalised() -> None:
    checked, errors = RULES.check(
        replace(
            GOOD,
            chemicals=[ChemicalDraft("apaan", 250, "kg"), ChemicalDraft("BMK", 20, "l")],
            equipment=[EquipmentDraft("Tableting machine (pill press)", 2)],
            methods=["false declaration or mislabelling", "front_company", "front_company"],
            transit_countries=["Viet Nam", "VNM"],
            origin_country="China",
        )
    )
    assert errors == []
    assert checked is not None
    assert [ln.substance or ln.equipment for ln in checked.lines] == ["apaan", "p2p", "tableting_machine"]
    assert checked.lines[1].mass_kg == pytest.approx(20 * 1.01)  # documented density of P-2-P
    assert checked.lines[2].count == 2 and checked.lines[2].unit == "units"
    assert checked.methods == ("false_declaration", "front_company")
    assert checked.transit_countries == ("VN",) and checked.origin_country == "CN"
    assert [ln.substance for ln in checked.seized_chemicals] == ["apaan", "p2p"]


BAD_CASES = [
    pytest.param({"kind": "smuggling"}, "kind", "'smuggling'", id="unknown-kind"),
    pytest.param({"occurred_on": None}, "occurred_on", "required", id="no-date"),
    pytest.param(
        {"occurred_on": date(2026, 6, 2)}, "occurred_on", "2026-06-02 is in the future", id="future"
    ),
    pytest.param({"country": ""}, "country", "required", id="no-country"),
    pytest.param({"country": "Atlantis"}, "country", "'Atlantis'", id="bad-country"),
    pytest.param({"origin_country": "ZZ"}, "origin_country", "'ZZ'", id="bad-origin"),
    pytest.param({"transit_countries": ["XX"]}, "transit_countries", "'XX'", id="bad-transit"),
    pytest.param({"summary": " "}, "summary", "required", id="no-summary"),
    pytest.param({"summary": "x" * 301}, "summary", "at most 300", id="long-summary"),
    pytest.param({"methods": ["magic"]}, "methods", "'magic'", id="bad-method"),
    pytest.param({"chemicals": []}, "lines", "at least one", id="seizure-without-lines"),
    pytest.param(
        {"chemicals": [ChemicalDraft("heroin", 1, "kg")]},
        "chemicals[0].substance",
        "'heroin' is not a precursor chemical",
        id="drug-not-precursor",
    ),
    pytest.param(
        {"chemicals": [ChemicalDraft("unobtainium", 1, "kg")]},
        "chemicals[0].substance",
        "a precursor chemical",
        id="unknown-substance",
    ),
    pytest.param(
        {"chemicals": [ChemicalDraft("APAAN", 1, "kg"), ChemicalDraft("ephedrine", 3, "l")]},
        "chemicals[1].unit",
        "line 2: unit 'l' does not fit ephedrine",
        id="unfit-unit-names-line",
    ),
    pytest.param(
        {"chemicals": [ChemicalDraft("APAAN", 1, "bushels")]}, "chemicals[0].unit", "'bushels'", id="bad-unit"
    ),
    pytest.param(
        {"chemicals": [ChemicalDraft("APAAN", -4, "kg")]},
        "chemicals[0].quantity",
        "-4",
        id="negative-quantity",
    ),
    pytest.param(
        {"chemicals": [ChemicalDraft("APAAN", None, "kg")]},
        "chemicals[0].quantity",
        "required",
        id="no-quantity",
    ),
    pytest.param(
        {"kind": "equipment_seizure", "chemicals": [], "equipment": [EquipmentDraft("lathe", 1)]},
        "equipment[0].equipment",
        "'lathe'",
        id="unknown-equipment",
    ),
    pytest.param(
        {"kind": "equipment_seizure", "chemicals": [], "equipment": [EquipmentDraft("reactor", 1.5)]},
        "equipment[0].count",
        "1.5",
        id="fractional-count",
    ),
    pytest.param(
        {"kind": "equipment_seizure", "chemicals": [], "equipment": [EquipmentDraft("reactor", 1, "kg")]},
        "equipment[0].unit",
        "'kg'",
        id="equipment-in-kg",
    ),
    pytest.param(
        {"kind": "equipment_seizure"},
        "equipment",
        "at least one equipment line",
        id="equipment-seizure-no-equipment",
    ),
    pytest.param(
        {"chemicals": [], "equipment": [EquipmentDraft("reactor", 1)]},
        "chemicals",
        "at least one chemical line",
        id="precursor-seizure-no-chemicals",
    ),
    pytest.param({"kind": "theft", "chemicals": []}, "lines", "a theft needs", id="theft-without-lines"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD_CASES)
def test_bad_input_names_field_and_value(change: dict[str, object], field: str, words: str) -> None:
    errors = errors_of(replace(GOOD, **change))  # type: ignore[arg-type]
    assert field in errors, errors
    assert words in errors[field]


def test_a_suspicious_order_may_have_no_lines_and_seizes_nothing() -> None:
    checked, errors = RULES.check(replace(GOOD, kind="suspicious_order", chemicals=[]))
    assert errors == [] and checked is not None and checked.lines == ()
    order, _ = RULES.check(replace(GOOD, kind="suspicious_order"))
    assert order is not None and order.seized_chemicals == ()


@pytest.mark.parametrize(
    ("kind", "counted"),
    [
        (IncidentKind.PRECURSOR_SEIZURE, True),
        (IncidentKind.STOPPED_SHIPMENT, True),
        (IncidentKind.EQUIPMENT_SEIZURE, True),
        (IncidentKind.THEFT, False),
        (IncidentKind.DIVERSION, False),
        (IncidentKind.SUSPICIOUS_ORDER, False),
    ],
)
def test_only_seized_chemicals_count_as_seizures(kind: IncidentKind, counted: bool) -> None:
    draft = replace(GOOD, kind=kind.value, equipment=[EquipmentDraft("reactor", 1)])
    checked, errors = RULES.check(draft)
    assert errors == [] and checked is not None
    assert bool(checked.seized_chemicals) is counted


def test_every_vocabulary_parses_its_codes_and_labels() -> None:
    for kind in IncidentKind:
        assert parse_kind(kind.value) is kind and parse_kind(kind.label.upper()) is kind
    for method in Method:
        assert parse_method(method.value) is method and parse_method(method.label) is method
    for eq in Equipment:
        assert parse_equipment(eq.value) is eq and parse_equipment(eq.label) is eq
    assert parse_kind("smuggling") is None


def chem(code: str, kg: float) -> CheckedLine:
    return CheckedLine("chemical", code, "", code, kg, "kg", kg, None, "")


def machine(code: str, n: float) -> CheckedLine:
    return CheckedLine("equipment", "", code, code, n, "units", None, n, "units")


def test_aggregate_by_substance_sums_only_that_substance() -> None:
    facts = [
        IncidentFacts(
            "precursor_seizure",
            "TH",
            date(2025, 1, 1),
            ("front_company",),
            (chem("p2p", 10), chem("apaan", 5)),
        ),
        IncidentFacts("theft", "LA", date(2026, 1, 1), (), (chem("p2p", 1), chem("p2p", 2))),
    ]
    rows = {r.key: r for r in aggregate(facts, StatsKey.SUBSTANCE)}
    assert rows["p2p"].incidents == 2 and rows["p2p"].mass_kg == 13
    assert rows["apaan"].incidents == 1 and rows["apaan"].mass_kg == 5
    years = {r.key: r.incidents for r in aggregate(facts, StatsKey.YEAR)}
    assert years == {"2025": 1, "2026": 1}


line_st = st.one_of(
    st.builds(chem, st.sampled_from(["p2p", "apaan", "ephedrine"]), st.floats(0.001, 1e5)),
    st.builds(machine, st.sampled_from([e.value for e in Equipment]), st.integers(1, 50).map(float)),
)
fact_st = st.builds(
    IncidentFacts,
    st.sampled_from([k.value for k in IncidentKind]),
    st.sampled_from(["TH", "LA", "MM", "CN"]),
    st.dates(date(2015, 1, 1), date(2026, 6, 1)),
    st.lists(st.sampled_from([m.value for m in Method]), max_size=3, unique=True).map(tuple),
    st.lists(line_st, max_size=5).map(tuple),
)


@given(st.lists(fact_st, max_size=20))
def test_single_valued_keys_partition_the_totals(facts: list[IncidentFacts]) -> None:
    """By kind, country or year every incident falls in exactly one row: rows add up to the totals."""
    total_kg = sum(ln.mass_kg or 0.0 for f in facts for ln in f.lines)
    total_units = sum(ln.count or 0.0 for f in facts for ln in f.lines if ln.item_kind == "equipment")
    for key in (StatsKey.KIND, StatsKey.COUNTRY, StatsKey.YEAR):
        rows = aggregate(facts, key)
        assert sum(r.incidents for r in rows) == len(facts)
        assert sum(r.mass_kg for r in rows) == pytest.approx(total_kg)
        assert sum(r.equipment_units for r in rows) == pytest.approx(total_units)
    by_substance = aggregate(facts, StatsKey.SUBSTANCE)
    assert sum(r.mass_kg for r in by_substance) == pytest.approx(total_kg)
    by_equipment = aggregate(facts, StatsKey.EQUIPMENT)
    assert sum(r.equipment_units for r in by_equipment) == pytest.approx(total_units)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("APAAN; 250; kg", ChemicalDraft("APAAN", 250.0, "kg")),
        ("acetic anhydride ;1 200; l", ChemicalDraft("acetic anhydride", 1200.0, "l")),
        ("ephedrine; 3", ChemicalDraft("ephedrine", 3.0, "kg")),
    ],
)
def test_chemical_lines_as_text(text: str, expected: ChemicalDraft) -> None:
    assert parse_chemical_text(text, 1) == expected


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("APAAN", "chemicals[1]", "line 2: 'APAAN' is not 'substance; quantity; unit'"),
        ("APAAN; lots; kg", "chemicals[1].quantity", "line 2: quantity 'lots' is not a number"),
        ("; 3; kg", "chemicals[1]", "is not 'substance; quantity; unit'"),
    ],
)
def test_bad_chemical_text_names_the_line(text: str, field: str, words: str) -> None:
    with pytest.raises(BadInputError) as exc:
        parse_chemical_text(text, 2)
    assert words in exc.value.errors[field]


def test_equipment_lines_as_text() -> None:
    assert parse_equipment_text("reactor; 2", 1) == EquipmentDraft("reactor", 2.0, "units")
    with pytest.raises(BadInputError, match="equipment line 3: count 'two' is not a number"):
        parse_equipment_text("reactor; two", 3)
