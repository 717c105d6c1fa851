"""The indicator catalogue, indicator periods and indicator units.

An indicator is a published statistic of the drug situation: hectares of opium poppy cultivated,
tonnes of potential opium production, kilograms of heroin seized, persons arrested, the price of a
gram of heroin. Each has one canonical unit; a value reported in another unit of the same dimension
is converted with pint (hectares from km², tonnes from kg), and one of another dimension is refused
(a price in USD per gram is converted to USD per kilogram; a price in another currency is refused,
since no exchange rate is implied by the table).

Periods are a year (``2023``), a quarter (``2023-Q2``) or a month (``2023-05``).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from interdict.domain.errors import BadInputError


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str  # canonical unit, in pint notation
    kind: str  # cultivation | production | seizures | enforcement | market | health | capacity
    description: str = ""
    substance: str = ""  # catalogue code where the indicator is about one substance


def _seizures(substance: str, label: str) -> Indicator:
    return Indicator(
        f"seizures_{substance}",
        f"Seizures of {label} (mass)",
        "kg",
        "seizures",
        f"Quantity of {label} seized in the period, in kilograms.",
        substance,
    )


CATALOGUE: tuple[Indicator, ...] = (
    Indicator("opium_poppy_cultivation", "Opium poppy cultivation", "ha", "cultivation",
              "Area under opium poppy at harvest, net of eradication (hectares)."),
    Indicator("opium_poppy_eradication", "Opium poppy eradication", "ha", "cultivation",
              "Area of opium poppy eradicated (hectares)."),
    Indicator("coca_cultivation", "Coca bush cultivation", "ha", "cultivation", "Area under coca bush (hectares)."),
    Indicator("cannabis_cultivation", "Cannabis cultivation", "ha", "cultivation", "Area under cannabis (hectares)."),
    Indicator("opium_potential_production", "Potential opium production", "t", "production",
              "Opium that the harvested poppy could yield (tonnes, oven-dry or air-dry as the source states).",
              "opium"),
    Indicator("heroin_potential_production", "Potential heroin production", "t", "production",
              "Heroin that the opium produced could be turned into (tonnes).", "heroin"),
    Indicator("cocaine_potential_production", "Potential cocaine production", "t", "production",
              "Pure cocaine hydrochloride that the coca harvested could yield (tonnes).", "cocaine"),
    Indicator("methamphetamine_potential_production", "Potential methamphetamine production", "t", "production",
              "Methamphetamine that dismantled or estimated laboratory capacity could produce (tonnes).",
              "methamphetamine"),
    _seizures("heroin", "heroin"),
    _seizures("opium", "opium"),
    _seizures("morphine", "morphine"),
    _seizures("methamphetamine", "methamphetamine (all forms)"),
    _seizures("cocaine", "cocaine"),
    _seizures("cannabis", "cannabis (herb and resin)"),
    _seizures("ketamine", "ketamine"),
    _seizures("mdma", "MDMA (ecstasy)"),
    _seizures("precursors", "precursor chemicals"),
    Indicator("seizures_methamphetamine_tablets", "Seizures of methamphetamine tablets (count)", "tablet",
              "seizures", "Number of methamphetamine ('yaba') tablets seized.", "methamphetamine"),
    Indicator("drug_cases", "Drug-related cases", "case", "enforcement", "Drug-related criminal cases opened."),
    Indicator("transnational_cases", "Transnational trafficking cases", "case", "enforcement",
              "Drug trafficking cases with a cross-border element."),
    Indicator("persons_arrested", "Persons arrested for drug offences", "person", "enforcement",
              "Suspects arrested for drug offences."),
    Indicator("people_in_treatment", "People in drug treatment", "person", "health",
              "People who received treatment for drug use."),
    Indicator("registered_drug_users", "Registered drug users", "person", "health",
              "People on a national register of drug users."),
    Indicator("officers_trained", "Officers trained", "person", "capacity",
              "Law-enforcement officers trained under a cooperation programme."),
    Indicator("opium_farmgate_price", "Opium farm-gate price", "USD/kg", "market",
              "Price farmers receive for fresh or dry opium (US dollars per kilogram)."),
    Indicator("heroin_wholesale_price", "Heroin wholesale price", "USD/kg", "market",
              "Wholesale price of heroin (US dollars per kilogram)."),
    Indicator("heroin_retail_price", "Heroin retail price", "USD/g", "market",
              "Street price of heroin (US dollars per gram)."),
    Indicator("methamphetamine_tablet_price", "Methamphetamine tablet retail price", "USD/tablet", "market",
              "Street price of one methamphetamine tablet (US dollars)."),
    Indicator("heroin_purity", "Heroin purity", "percent", "market", "Typical purity of heroin seized (per cent)."),
    Indicator("methamphetamine_purity", "Crystalline methamphetamine purity", "percent", "market",
              "Typical purity of crystalline methamphetamine seized (per cent)."),
)  # fmt: skip

INDICATORS: dict[str, Indicator] = {i.code: i for i in CATALOGUE}


def get_indicator(code: str) -> Indicator | None:
    return INDICATORS.get(code.strip().lower())


def suggest(value: str, choices: list[str], limit: int = 3) -> list[str]:
    """The nearest known names, to put in a refusal ("did you mean ...")."""
    from rapidfuzz import fuzz, process, utils

    found = process.extract(value, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit)
    return [name for name, score, _ in found if score >= 60]


def resolve_indicator(text: str) -> Indicator:
    """The indicator named by ``text`` (its code or its English name, any case)."""
    key = str(text).strip()
    found = get_indicator(key)
    if found is None:
        by_name = {i.name.lower(): i for i in CATALOGUE}
        found = by_name.get(key.lower())
    if found is None:
        near = suggest(key, [i.code for i in CATALOGUE] + [i.name for i in CATALOGUE])
        hint = f"; did you mean {', '.join(near)}?" if near else "; see `interdict indicators catalogue`"
        raise BadInputError(f"unknown indicator {key!r}{hint}", {"indicator": f"unknown indicator {key!r}"})
    return found


# -- periods ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    label: str
    kind: str  # year | quarter | month


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})[-\s]?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _month_end(year: int, month: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return nxt - timedelta(days=1)


def parse_period(raw: Any) -> Period:
    """A year, quarter or month; XLSX cells holding 2023 as a number are accepted."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip() if raw is not None else ""
    if not text:
        raise BadInputError("the period is empty; give a year (2023), quarter (2023-Q2) or month (2023-05)",
                            {"period": "empty"})  # fmt: skip
    if m := _YEAR.match(text):
        y = int(m.group(1))
        return Period(date(y, 1, 1), date(y, 12, 31), f"{y:04d}", "year")
    if m := _QUARTER.match(text):
        y, q = int(m.group(1)), int(m.group(2))
        return Period(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), f"{y:04d}-Q{q}", "quarter")
    if (m := _MONTH.match(text)) and 1 <= int(m.group(2)) <= 12:
        y, mo = int(m.group(1)), int(m.group(2))
        return Period(date(y, mo, 1), _month_end(y, mo), f"{y:04d}-{mo:02d}", "month")
    raise BadInputError(
        f"period {text!r} is not a year (2023), quarter (2023-Q2) or month (2023-05)",
        {"period": f"not a period: {text!r}"},
    )


def previous_period(p: Period) -> Period:
    return parse_period(_shift(p, -1))


def same_period_earlier(p: Period, years: int) -> Period:
    y = int(p.label[:4]) - years
    return parse_period(f"{y:04d}{p.label[4:]}")


def _shift(p: Period, n: int) -> str:
    y = int(p.label[:4])
    if p.kind == "year":
        return f"{y + n:04d}"
    if p.kind == "quarter":
        idx = y * 4 + int(p.label[-1]) - 1 + n
        return f"{idx // 4:04d}-Q{idx % 4 + 1}"
    idx = y * 12 + int(p.label[5:7]) - 1 + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


# -- units --------------------------------------------------------------------------------------------------
# In drug statistics "tons" are metric tonnes (UNODC reports); pint's "ton" is the US short ton, so the
# words are mapped to the tonne before pint reads them.
_UNIT_WORDS = {
    "tons": "t", "ton": "t", "tonnes": "t", "tonne": "t", "metric tons": "t", "mt": "t",
    "hectares": "ha", "hectare": "ha", "%": "percent", "pct": "percent",
    "tablets": "tablet", "pills": "tablet", "persons": "person", "people": "person", "cases": "case",
    "km2": "km**2", "km²": "km**2", "sq km": "km**2",
}  # fmt: skip


@functools.cache
def _registry() -> Any:
    import pint

    ureg: Any = pint.UnitRegistry()
    # Counts and currency as their own dimensions, so that persons never convert to cases, nor
    # dollars to any other currency (no exchange rate is implied by a table).
    ureg.define("person = [persons]")
    ureg.define("case = [cases]")
    ureg.define("tablet = [tablets]")
    # Each currency its own dimension: a price in yuan is refused for a dollar indicator, not converted.
    for code in ("USD", "EUR", "CNY", "RUB", "THB", "LAK", "MMK", "AFN", "INR", "PKR", "IRR", "KZT", "VND"):
        ureg.define(f"{code} = [currency_{code.lower()}]")
    return ureg


def _unit_text(unit: str) -> str:
    text = unit.strip()
    return _UNIT_WORDS.get(text.lower(), text)


def check_unit(unit: str, field: str = "unit") -> str:
    """The unit as pint reads it; refused when pint does not know it."""
    import pint

    text = _unit_text(unit)
    try:
        _registry().Unit(text)
    except (pint.UndefinedUnitError, AttributeError, TypeError, ValueError, AssertionError):
        raise BadInputError(f"unknown unit {unit!r}", {field: f"unknown unit {unit!r}"}) from None
    return text


def convert(value: float, unit: str, indicator: Indicator, field: str = "unit") -> float:
    """``value`` in ``unit`` expressed in the indicator's canonical unit; refused across dimensions."""
    import pint

    if not math.isfinite(value):
        raise BadInputError(f"value {value!r} is not a finite number", {"value": "not finite"})
    text = check_unit(unit or indicator.unit, field)
    ureg = _registry()
    try:
        converted = ureg.Quantity(value, text).to(indicator.unit).magnitude
    except pint.DimensionalityError:
        raise BadInputError(
            f"unit {unit!r} cannot be converted to {indicator.unit} for {indicator.code}",
            {field: f"{unit!r} is not convertible to {indicator.unit}"},
        ) from None
    if not math.isfinite(float(converted)) or abs(float(converted)) > 1e15:
        raise BadInputError(f"value {value!r} {unit} is out of range", {"value": "out of range"})
    return float(converted)
