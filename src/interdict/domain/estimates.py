"""Production estimates: from cultivated area to potential opium, and from opium to heroin.

The method is the one UNODC's opium surveys publish: potential opium production is the area under
poppy at harvest times the average opium yield per hectare; potential heroin production is the opium
(the share of it assumed to be processed) divided by a conversion ratio, kilograms of opium per
kilogram of heroin. Every factor carries its value, a range and its source; ranges are carried
through by interval arithmetic (all quantities are positive, so the low estimate multiplies the lows
and divides by the high ratio, and the other way round for the high estimate). Users can give their
own factors; the result lists every step with the factor used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

MAX_FACTOR = 1e6
MAX_AREA_HA = 1e9  # far above any country's farmland; keeps every product finite


@dataclass(frozen=True)
class Factor:
    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str

    def __post_init__(self) -> None:
        if not all(math.isfinite(x) and x <= MAX_FACTOR for x in (self.low, self.value, self.high)):
            raise ValueError(f"factor {self.name}: values must be finite and at most {MAX_FACTOR:g}")
        if not (0 < self.low <= self.value <= self.high):
            raise ValueError(
                f"factor {self.name}: need 0 < low <= value <= high, got {self.low}, {self.value}, {self.high}"
            )

    def set(self, value: float | None = None, low: float | None = None, high: float | None = None) -> Factor:
        """The factor with the user's value (and range; a value alone gives a range of that value)."""
        if value is None and low is None and high is None:
            return self
        v = self.value if value is None else value
        lo = low if low is not None else (v if value is not None else self.low)
        hi = high if high is not None else (v if value is not None else self.high)
        return replace(self, value=v, low=lo, high=hi, source=f"set by the user (default: {self.source})")


@dataclass(frozen=True)
class Estimate:
    what: str
    value: float
    low: float
    high: float
    unit: str
    steps: tuple[str, ...]
    factors: tuple[Factor, ...]


# Yields are derived from the surveys' published national totals (production / area), so they can be
# checked against the documents by a division; the ranges span the published survey years named.
YIELDS: dict[str, Factor] = {
    "AF": Factor(
        "opium yield (Afghanistan)", 27.4, 23.9, 38.4, "kg/ha",
        "UNODC and Afghanistan Ministry of Counter Narcotics, Afghanistan Opium Survey 2017: 9,000 t "
        "from 328,000 ha (27.4 kg/ha); range over the 2016-2021 surveys (4,800 t / 201,000 ha = 23.9; "
        "6,800 t / 177,000 ha = 38.4)",
    ),
    "MM": Factor(
        "opium yield (Myanmar)", 22.9, 13.7, 22.9, "kg/ha",
        "UNODC, Myanmar Opium Survey 2023: 1,080 t from 47,100 ha (22.9 kg/ha); range over the "
        "2020-2023 surveys (405 t / 29,500 ha = 13.7 kg/ha)",
    ),
    "LA": Factor(
        "opium yield (Lao PDR)", 30.9, 20.0, 30.9, "kg/ha",
        "UNODC, Southeast Asia Opium Survey 2015: 176 t from 5,700 ha (30.9 kg/ha); low end an assumption "
        "for rain-fed fields",
    ),
}  # fmt: skip

DEFAULT_YIELD = Factor(
    "opium yield (default)", 20.0, 10.0, 40.0, "kg/ha",
    "assumption spanning the national averages of the UNODC opium surveys of Afghanistan, Myanmar and "
    "the Lao PDR (about 14 to 39 kg/ha); set a country's own yield where known",
)  # fmt: skip

HEROIN_RATIO = Factor(
    "opium-to-heroin conversion ratio", 10.0, 7.0, 18.5, "kg opium per kg heroin",
    "UNODC, World Drug Report and Southeast Asia opium surveys: about 10 kg of opium for 1 kg of heroin "
    "(the conventional ratio); the range reflects morphine content and laboratory efficiency as "
    "discussed in the Afghanistan Opium Survey methodology",
)  # fmt: skip

HEROIN_SHARE = Factor(
    "share of opium processed into heroin", 1.0, 1.0, 1.0, "fraction",
    "assumption: all potential opium is counted as processed, giving the maximum potential heroin; "
    "set a lower share where part of the opium is consumed or seized as opium",
)  # fmt: skip


def yield_for(area: str) -> Factor:
    return YIELDS.get(area.upper(), DEFAULT_YIELD)


def _fmt(x: float) -> str:
    return f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"


def potential_opium(
    area_ha: float, yield_kg_ha: Factor, area_low: float | None = None, area_high: float | None = None
) -> Estimate:
    """Tonnes of potential opium from hectares under poppy and the yield per hectare."""
    lo_a = area_ha if area_low is None else area_low
    hi_a = area_ha if area_high is None else area_high
    for x in (area_ha, lo_a, hi_a):
        if not (math.isfinite(x) and 0 <= x <= MAX_AREA_HA):
            raise ValueError(f"cultivated area must be between 0 and {MAX_AREA_HA:g} ha, got {x}")
    if not lo_a <= area_ha <= hi_a:
        raise ValueError(f"cultivated area {area_ha} lies outside its range {lo_a}–{hi_a}")
    value = area_ha * yield_kg_ha.value / 1000
    low = lo_a * yield_kg_ha.low / 1000
    high = hi_a * yield_kg_ha.high / 1000
    step = (
        f"potential opium = {_fmt(area_ha)} ha × {yield_kg_ha.value:g} kg/ha ÷ 1,000 = {_fmt(value)} t "
        f"(range {_fmt(lo_a)} ha × {yield_kg_ha.low:g} … {_fmt(hi_a)} ha × {yield_kg_ha.high:g}: "
        f"{_fmt(low)}–{_fmt(high)} t)"
    )
    return Estimate("potential opium production", value, low, high, "t", (step,), (yield_kg_ha,))


def heroin_from_opium(opium: Estimate, ratio: Factor = HEROIN_RATIO, share: Factor = HEROIN_SHARE) -> Estimate:
    """Tonnes of potential heroin from tonnes of opium, a conversion ratio and the share processed."""
    value = opium.value * share.value / ratio.value
    low = opium.low * share.low / ratio.high
    high = opium.high * share.high / ratio.low
    step = (
        f"potential heroin = {_fmt(opium.value)} t opium × {share.value:g} ÷ {ratio.value:g} = {_fmt(value)} t "
        f"(range {_fmt(opium.low)} × {share.low:g} ÷ {ratio.high:g} … {_fmt(opium.high)} × {share.high:g} "
        f"÷ {ratio.low:g}: {_fmt(low)}–{_fmt(high)} t)"
    )
    return Estimate(
        "potential heroin production",
        value,
        low,
        high,
        "t",
        (*opium.steps, step),
        (*opium.factors, share, ratio),
    )
