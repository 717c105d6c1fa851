"""Seizure quantities: units, their normalisation to kilograms, and the checks on reported values.

A seizure is reported as a value and a unit. Mass units (mg, g, kg, t, lb, oz) convert exactly; their
factors are derived once from pint (``UnitRegistry(non_int_type=Decimal)``) and cached. The other units
depend on the substance (:func:`conversion`):

* ``tablets`` give a mass where the catalogue documents a tablet mass (methamphetamine 'yaba' tablets,
  about 0.09 g), otherwise they stay a count of tablets;
* ``l``/``ml`` give a mass where a density is documented (acetic anhydride 1.08 g/ml, ...), otherwise,
  for substances reported as liquids without one (GHB, cannabis oil, ...), a count of litres;
* ``plants`` and ``ha`` (cultivated or eradicated area) fit only the plant entries (cannabis plant,
  opium poppy, coca bush) and stay counts: no sound mass exists for them;
* ``blotters`` fit only substances sold on blotter paper (LSD, NBOMes) and stay counts.

A unit that does not fit the substance raises :class:`QuantityError` rather than guessing. Conversions
are cached per (substance, unit) and :meth:`Conversion.apply` is a multiplication or two, so the importer
can call :func:`conversion` and ``apply`` for every row.
"""

from __future__ import annotations

import enum
import functools
import math
import unicodedata
from dataclasses import dataclass, field
from decimal import Context, Decimal, getcontext
from typing import Any, Literal

from interdict.domain.errors import BadInputError
from interdict.domain.substances import Substance


class QuantityError(BadInputError, ValueError):
    """A quantity, unit or purity that cannot be accepted; ``field`` names the offending input."""

    def __init__(self, message: str, field: str = "quantity") -> None:
        super().__init__(message, {field: message})
        self.field = field
        self.message = message


class Unit(enum.StrEnum):
    MG = "mg"
    G = "g"
    KG = "kg"
    T = "t"
    LB = "lb"
    OZ = "oz"
    TABLETS = "tablets"
    BLOTTERS = "blotters"
    L = "l"
    ML = "ml"
    PLANTS = "plants"
    HA = "ha"

    @property
    def label(self) -> str:
        return UNIT_LABELS[self]

    @property
    def is_mass(self) -> bool:
        return self in MASS_UNITS


UNIT_LABELS: dict[Unit, str] = {
    Unit.MG: "milligrams",
    Unit.G: "grams",
    Unit.KG: "kilograms",
    Unit.T: "tonnes (metric)",
    Unit.LB: "pounds (avoirdupois)",
    Unit.OZ: "ounces (avoirdupois)",
    Unit.TABLETS: "tablets or pills",
    Unit.BLOTTERS: "blotters (paper doses)",
    Unit.L: "litres",
    Unit.ML: "millilitres",
    Unit.PLANTS: "plants",
    Unit.HA: "hectares (cultivated or eradicated)",
}

MASS_UNITS = frozenset({Unit.MG, Unit.G, Unit.KG, Unit.T, Unit.LB, Unit.OZ})
_PINT_NAMES: dict[Unit, str] = {
    Unit.MG: "milligram",
    Unit.G: "gram",
    Unit.KG: "kilogram",
    Unit.T: "metric_ton",
    Unit.LB: "pound",
    Unit.OZ: "ounce",
}

# Accepted spellings, "|"-separated, compared after NFKC, case folding and trimming (see _unit_key).
# "ton" and "mt" are read as the metric tonne, the unit drug statistics use; "gr" as gram, as in
# seizure reports.
_ALIASES: dict[Unit, str] = {
    Unit.MG: "mg|mgs|milligram|milligrams|milligramme|milligrammes|毫克|мг|миллиграмм|миллиграмма|миллиграммов",
    Unit.G: "g|gr|grs|gm|gms|gram|grams|gramme|grammes|克|公克|г|гр|грамм|грамма|граммов",
    Unit.KG: "kg|kgs|kilo|kilos|kilogram|kilograms|kilogramme|kilogrammes|公斤|千克|кг|килограмм|килограмма|килограммов",
    Unit.T: "t|tonne|tonnes|ton|tons|mt|metric ton|metric tons|metric tonne|metric tonnes|吨|公吨|т|тонна|тонны|тонн",
    Unit.LB: "lb|lbs|pound|pounds|磅|фунт|фунта|фунтов",
    Unit.OZ: "oz|ozs|ounce|ounces|盎司|унция|унции|унций",
    Unit.TABLETS: "tablets|tablet|tab|tabs|pill|pills|片|粒|颗|таблетка|таблетки|таблеток|таб",
    Unit.BLOTTERS: "blotters|blotter|blotter papers|марка|марки|марок",
    Unit.L: "l|litre|litres|liter|liters|ltr|ltrs|升|公升|л|литр|литра|литров",
    Unit.ML: "ml|millilitre|millilitres|milliliter|milliliters|cc|毫升|мл|миллилитр|миллилитра|миллилитров",
    Unit.PLANTS: "plants|plant|株|棵|растение|растения|растений|куст|куста|кустов",
    Unit.HA: "ha|hectare|hectares|公顷|га|гектар|гектара|гектаров",
}


def _unit_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().strip().rstrip(".")
    return " ".join(folded.split())


_UNIT_BY_ALIAS: dict[str, Unit] = {
    _unit_key(alias): unit for unit, aliases in _ALIASES.items() for alias in aliases.split("|")
}
_PARSED: dict[str, Unit] = {}
ACCEPTED_UNITS = ", ".join(unit.value for unit in Unit)


def parse_unit(text: str) -> Unit:
    """The unit named by ``text`` (English, Chinese or Russian spellings; see docs/SUBSTANCES.md)."""
    try:
        return _PARSED[text]
    except KeyError:
        pass
    unit = _UNIT_BY_ALIAS.get(_unit_key(text))
    if unit is None:
        raise QuantityError(f"unknown unit {text!r}; accepted units: {ACCEPTED_UNITS}", field="unit")
    if len(_PARSED) < 10_000:
        _PARSED[text] = unit
    return unit


# -- mass units ------------------------------------------------------------------------------------

# Wide enough that value × factor (≤ 28 significant digits × ≤ 14) is exact.
_EXACT = Context(prec=80)


@functools.cache
def _registry() -> Any:
    import pint

    return pint.UnitRegistry(non_int_type=Decimal)


@functools.cache
def mass_factor(unit: Unit) -> Decimal:
    """Kilograms in one ``unit``, derived from pint once per unit (1 lb = 0.45359237 kg exactly)."""
    if unit not in MASS_UNITS:
        raise QuantityError(f"unit {unit.value!r} is not a mass unit", field="unit")
    magnitude = _registry().Quantity(Decimal(1), _PINT_NAMES[unit]).to("kilogram").magnitude
    if not isinstance(magnitude, Decimal):
        raise TypeError(f"pint returned {type(magnitude).__name__} for {unit.value}")
    return magnitude.normalize()


def to_kg(value: Decimal, unit: Unit) -> Decimal:
    """``value`` in ``unit`` as kilograms, exactly."""
    return _EXACT.multiply(value, mass_factor(unit))


def from_kg(kg: Decimal, unit: Unit) -> Decimal:
    """``kg`` kilograms expressed in ``unit``, rounded to the current decimal context (28 significant
    digits by default); ``from_kg(to_kg(v, u), u) == v`` for any ``v`` that fits that context."""
    return getcontext().plus(_EXACT.divide(kg, mass_factor(unit)))


# -- conversion for a substance ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Conversion:
    """How one unit of a substance turns into a mass and/or a count.

    ``factor_kg`` is kilograms per reported unit (``None`` when no sound mass exists); ``count_factor``
    is ``count_unit`` per reported unit (``None`` for plain mass units). ``note`` states the factor used
    and its source, for display next to the normalised figure."""

    unit: Unit
    kind: Literal["mass", "count"]
    factor_kg: Decimal | None
    note: str
    count_unit: str | None = None
    count_factor: Decimal | None = None
    _mass: float | None = field(init=False, repr=False, compare=False)
    _count: float | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_mass", None if self.factor_kg is None else float(self.factor_kg))
        object.__setattr__(self, "_count", None if self.count_factor is None else float(self.count_factor))

    def apply(self, value: float) -> tuple[float | None, float | None]:
        """(mass in kg, count in ``count_unit``) for a reported ``value``; either may be ``None``."""
        mass, count = self._mass, self._count
        return (None if mass is None else value * mass, None if count is None else value * count)


_CACHE: dict[tuple[str, Unit], tuple[Substance, Conversion]] = {}
_ONE = Decimal(1)
_ML_IN_L = Decimal("0.001")


def conversion(substance: Substance, unit: Unit) -> Conversion:
    """The conversion of ``unit`` for ``substance``; raises :class:`QuantityError` when the unit does not
    fit it (plants for methamphetamine, litres for heroin, ...). Cached per (code, unit)."""
    cached = _CACHE.get((substance.code, unit))
    if cached is not None and cached[0] is substance:
        return cached[1]
    result = _build(substance, unit)
    _CACHE[(substance.code, unit)] = (substance, result)
    return result


def _build(substance: Substance, unit: Unit) -> Conversion:
    if unit in MASS_UNITS:
        return Conversion(unit, "mass", mass_factor(unit), _mass_note(unit))
    if unit is Unit.TABLETS:
        return _tablets(substance)
    if unit in (Unit.L, Unit.ML):
        return _volume(substance, unit)
    if unit is Unit.BLOTTERS:
        if not substance.blotters:
            raise _unfit(
                unit, substance, "blotters are for hallucinogens sold on paper (LSD, NBOMes); report the mass"
            )
        note = "blotters are counted; the weight of the paper says nothing about the dose"
        return Conversion(unit, "count", None, note, "blotters", _ONE)
    if not substance.plant:
        raise _unfit(
            unit,
            substance,
            "plants and hectares are for plant entries (cannabis plant, opium poppy, coca bush)",
        )
    if unit is Unit.PLANTS:
        note = (
            "plants are counted; no mass is derived (yield varies with variety, age and growing conditions)"
        )
        return Conversion(unit, "count", None, note, "plants", _ONE)
    note = "hectares of cultivation or eradication are an area, kept as a count; no mass is derived"
    return Conversion(unit, "count", None, note, "ha", _ONE)


def _tablets(substance: Substance) -> Conversion:
    if substance.tablet_mass_g is not None:
        factor = Decimal(str(substance.tablet_mass_g)) / 1000
        note = substance.tablet_note or f"1 tablet ≈ {substance.tablet_mass_g} g"
        return Conversion(Unit.TABLETS, "mass", factor, note, "tablets", _ONE)
    if not substance.tablets:
        raise _unfit(Unit.TABLETS, substance, "it is not seen as tablets; report the mass")
    note = (
        f"no tablet mass is documented for {substance.name} (UNODC assumes 90-300 mg per ATS tablet depending on "
        "region and drug); kept as a count of tablets"
    )
    return Conversion(Unit.TABLETS, "count", None, note, "tablets", _ONE)


def _volume(substance: Substance, unit: Unit) -> Conversion:
    litres = _ONE if unit is Unit.L else _ML_IN_L
    if substance.density_g_ml is not None:
        factor = Decimal(str(substance.density_g_ml)) * litres  # g/ml = kg/l
        note = substance.density_note or f"density {substance.density_g_ml} g/ml"
        return Conversion(unit, "mass", factor, note, "l", litres)
    if not substance.liquid:
        raise _unfit(
            unit, substance, "no density is documented and it is not reported as a liquid; report the mass"
        )
    note = substance.volume_note or "no density documented; the volume is kept as a count in litres"
    return Conversion(unit, "count", None, note, "l", litres)


def _mass_note(unit: Unit) -> str:
    factor = mass_factor(unit)
    return f"1 {unit.value} = {factor:f} kg" if unit is not Unit.KG else "1 kg = 1 kg"


def _unfit(unit: Unit, substance: Substance, why: str) -> QuantityError:
    return QuantityError(f"unit {unit.value!r} does not fit {substance.name}: {why}", field="unit")


# -- checks on reported values ---------------------------------------------------------------------


def check_quantity(value: float, field: str = "quantity") -> float:
    """``value`` if it is a finite number greater than zero, else :class:`QuantityError`."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise QuantityError(f"{field} must be a number, got {value!r}", field=field)
    if not math.isfinite(value) or value <= 0:
        raise QuantityError(f"{field} must be a finite number above zero, got {value!r}", field=field)
    return value


def check_purity(value: float | None, field: str = "purity") -> float | None:
    """``value`` (a percentage) if it is missing or 0 < value <= 100, else :class:`QuantityError`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise QuantityError(f"{field} must be a number, got {value!r}", field=field)
    if not math.isfinite(value) or not 0 < value <= 100:
        raise QuantityError(
            f"{field} must be a percentage above 0 and at most 100 %, got {value!r}", field=field
        )
    return value
