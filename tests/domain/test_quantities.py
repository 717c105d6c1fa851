"""Seizure quantities (``interdict.domain.quantities``): unit parsing, exact mass conversion, and the
per-substance conversions of tablets, volumes, plants, hectares and blotters.

Mass conversion is checked by property against pint itself; the substance conversions are pinned
case by case on the shipped catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdict.domain.errors import BadInputError
from interdict.domain.quantities import (
    MASS_UNITS,
    Conversion,
    QuantityError,
    Unit,
    check_purity,
    check_quantity,
    conversion,
    from_kg,
    mass_factor,
    parse_unit,
    to_kg,
)
from interdict.domain.substances import Substance, SubstanceCategory, catalogue

CAT = catalogue()
UREG: Any = pint.UnitRegistry(non_int_type=Decimal)
PINT_NAMES = {Unit.MG: "mg", Unit.G: "g", Unit.KG: "kg", Unit.T: "t", Unit.LB: "lb", Unit.OZ: "oz"}


def substance(code: str) -> Substance:
    found = CAT.get(code)
    assert found is not None, code
    return found


# Decimals that fit the default 28-digit context, from milligram traces to hundreds of tonnes.
decimals = st.decimals(
    min_value=Decimal("1e-9"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False
).filter(lambda d: len(d.as_tuple().digits) <= 28)
mass_units = st.sampled_from(sorted(MASS_UNITS))


@given(value=decimals, unit=mass_units)
def test_mass_round_trip_is_exact(value: Decimal, unit: Unit) -> None:
    assert from_kg(to_kg(value, unit), unit) == value


@given(value=decimals, unit=mass_units)
def test_to_kg_agrees_with_pint(value: Decimal, unit: Unit) -> None:
    expected = UREG.Quantity(value, PINT_NAMES[unit]).to("kg").magnitude
    assert abs(to_kg(value, unit) - expected) <= abs(expected) * Decimal("1e-24")


@pytest.mark.parametrize(
    ("unit", "factor"),
    [
        (Unit.MG, "0.000001"),
        (Unit.G, "0.001"),
        (Unit.KG, "1"),
        (Unit.T, "1000"),
        (Unit.LB, "0.45359237"),
        (Unit.OZ, "0.028349523125"),
    ],
    ids=["mg", "g", "kg", "t", "lb", "oz"],
)
def test_mass_factors(unit: Unit, factor: str) -> None:
    assert mass_factor(unit) == Decimal(factor)


def test_mass_factor_of_a_count_unit_is_refused() -> None:
    with pytest.raises(QuantityError):
        mass_factor(Unit.TABLETS)


# -- parse_unit -----------------------------------------------------------------------------------

SPELLINGS: dict[Unit, str] = {
    Unit.G: "g|gram|Grams|gr|克|г",
    Unit.KG: "kg|KGS|kilogram|kilos|公斤|千克|кг| kg. |ｋｇ",
    Unit.T: "t|tonnes|ton|MT|metric  ton|吨|т",
    Unit.MG: "mg|毫克|мг",
    Unit.LB: "lb|lbs|pound",
    Unit.OZ: "oz|ounces",
    Unit.TABLETS: "tab|tabs|tablet|pills|pill|片|粒|таблеток",
    Unit.L: "litres|liter|L|升|л",
    Unit.ML: "millilitre|mL|毫升|мл",
    Unit.PLANTS: "plants|株",
    Unit.HA: "hectare|公顷|га",
    Unit.BLOTTERS: "blotters|марки",
}
UNIT_CASES = [(text, unit) for unit, texts in SPELLINGS.items() for text in texts.split("|")]


@pytest.mark.parametrize(("text", "unit"), UNIT_CASES, ids=[t for t, _ in UNIT_CASES])
def test_parse_unit(text: str, unit: Unit) -> None:
    assert parse_unit(text) is unit


@pytest.mark.parametrize("text", ["bushel", "", "kgg", "doses"])
def test_parse_unit_names_the_text_and_the_accepted_units(text: str) -> None:
    with pytest.raises(QuantityError) as caught:
        parse_unit(text)
    assert repr(text) in caught.value.message and "tablets" in caught.value.message
    assert caught.value.field == "unit" and caught.value.errors == {"unit": caught.value.message}


# -- conversion for a substance --------------------------------------------------------------------


@dataclass(frozen=True)
class ConversionCase:
    id: str
    code: str
    unit: Unit
    kind: str
    value: float
    mass_kg: float | None
    count: float | None
    count_unit: str | None
    note_has: str


CONVERSION_CASES = [
    ConversionCase("kg-heroin", "heroin", Unit.KG, "mass", 2.5, 2.5, None, None, "1 kg"),
    ConversionCase("lb-cocaine", "cocaine", Unit.LB, "mass", 10, 4.5359237, None, None, "0.45359237"),
    ConversionCase(
        "litres-acetic-anhydride", "acetic_anhydride", Unit.L, "mass", 10, 10.8, 10, "l", "1.08 g/ml"
    ),
    ConversionCase(
        "ml-acetic-anhydride", "acetic_anhydride", Unit.ML, "mass", 500, 0.54, 0.5, "l", "1.08 g/ml"
    ),
    ConversionCase("litres-toluene", "toluene", Unit.L, "mass", 100, 87.0, 100, "l", "toluene"),
    ConversionCase(
        "tablets-methamphetamine",
        "methamphetamine",
        Unit.TABLETS,
        "mass",
        1_000_000,
        90.0,
        1_000_000,
        "tablets",
        "0.09 g",
    ),
    ConversionCase(
        "tablets-mdma", "mdma", Unit.TABLETS, "count", 5000, None, 5000, "tablets", "no tablet mass"
    ),
    ConversionCase("hectares-opium-poppy", "opium_poppy", Unit.HA, "count", 120, None, 120, "ha", "area"),
    ConversionCase(
        "plants-cannabis", "cannabis_plant", Unit.PLANTS, "count", 300, None, 300, "plants", "counted"
    ),
    ConversionCase("kg-cannabis-plant", "cannabis_plant", Unit.KG, "mass", 3, 3.0, None, None, "1 kg"),
    ConversionCase("ml-ghb", "ghb", Unit.ML, "count", 250, None, 0.25, "l", "no density"),
    ConversionCase("blotters-lsd", "lsd", Unit.BLOTTERS, "count", 40, None, 40, "blotters", "counted"),
]


@pytest.mark.parametrize("case", CONVERSION_CASES, ids=[c.id for c in CONVERSION_CASES])
def test_conversion(case: ConversionCase) -> None:
    conv = conversion(substance(case.code), case.unit)
    assert conv.kind == case.kind and conv.count_unit == case.count_unit
    assert case.note_has in conv.note
    mass, count = conv.apply(case.value)
    assert mass == pytest.approx(case.mass_kg) if case.mass_kg is not None else mass is None
    assert count == pytest.approx(case.count) if case.count is not None else count is None


def test_methamphetamine_tablet_note_cites_unodc() -> None:
    conv = conversion(substance("methamphetamine"), Unit.TABLETS)
    assert conv.factor_kg == Decimal("0.00009") and "UNODC" in conv.note


def test_acetic_anhydride_litre_factor_is_its_density() -> None:
    assert conversion(substance("acetic_anhydride"), Unit.L).factor_kg == Decimal("1.08")
    assert conversion(substance("acetic_anhydride"), Unit.ML).factor_kg == Decimal("0.00108")


@pytest.mark.parametrize(
    ("code", "unit", "fragment"),
    [
        ("methamphetamine", Unit.PLANTS, "plant entries"),
        ("methamphetamine", Unit.HA, "plant entries"),
        ("heroin", Unit.L, "no density"),
        ("cocaine", Unit.ML, "no density"),
        ("cannabis_resin", Unit.TABLETS, "not seen as tablets"),
        ("heroin", Unit.BLOTTERS, "paper"),
    ],
    ids=["plants-meth", "ha-meth", "litres-heroin", "ml-cocaine", "tablets-resin", "blotters-heroin"],
)
def test_units_that_do_not_fit_are_refused(code: str, unit: Unit, fragment: str) -> None:
    with pytest.raises(QuantityError) as caught:
        conversion(substance(code), unit)
    message = caught.value.message
    assert f"unit '{unit.value}' does not fit {substance(code).name}" in message and fragment in message
    assert caught.value.field == "unit"


def test_every_mass_unit_fits_every_substance() -> None:
    for s in CAT:
        for unit in MASS_UNITS:
            assert conversion(s, unit).kind == "mass"


def test_conversion_is_cached_per_substance_and_unit() -> None:
    meth = substance("methamphetamine")
    assert conversion(meth, Unit.TABLETS) is conversion(meth, Unit.TABLETS)
    other = Substance("methamphetamine", "methamphetamine", SubstanceCategory.ATS, tablets=True)
    assert conversion(other, Unit.TABLETS).kind == "count"  # a different object is not served a stale entry


def test_conversion_apply_uses_precomputed_factors() -> None:
    conv = Conversion(Unit.G, "mass", Decimal("0.001"), "1 g = 0.001 kg")
    assert conv.apply(1500.0) == (1.5, None)


# -- checks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), -0.0, True, "3"])
def test_check_quantity_refuses(value: float) -> None:
    with pytest.raises(QuantityError) as caught:
        check_quantity(value)
    assert caught.value.field == "quantity"


@pytest.mark.parametrize("value", [1, 0.001, 2.5e6, Decimal("3.2")])
def test_check_quantity_accepts(value: float) -> None:
    assert check_quantity(value) == value


@pytest.mark.parametrize("value", [0, -5, 100.01, float("nan"), 1000])
def test_check_purity_refuses(value: float) -> None:
    with pytest.raises(QuantityError) as caught:
        check_purity(value)
    assert caught.value.field == "purity"


@pytest.mark.parametrize("value", [None, 0.5, 72.3, 100])
def test_check_purity_accepts(value: float | None) -> None:
    assert check_purity(value) == value


def test_quantity_error_is_a_value_error_and_a_422() -> None:
    error = QuantityError("bad", field="unit")
    assert isinstance(error, ValueError) and isinstance(error, BadInputError)
    assert error.status == 422 and error.errors == {"unit": "bad"}
