"""Production estimates against values computed by hand."""

from __future__ import annotations

import pytest

from interdict.domain.estimates import (
    HEROIN_RATIO,
    YIELDS,
    Factor,
    heroin_from_opium,
    potential_opium,
    yield_for,
)


def test_opium_from_area_and_yield_by_hand() -> None:
    # 47,100 ha x 22.9 kg/ha = 1,078,590 kg = 1,078.59 t; range 13.7 .. 22.9 kg/ha
    est = potential_opium(47_100, YIELDS["MM"])
    assert est.value == pytest.approx(1078.59)
    assert est.low == pytest.approx(47_100 * 13.7 / 1000)
    assert est.high == pytest.approx(1078.59)
    assert est.unit == "t"
    assert "47,100 ha × 22.9 kg/ha" in est.steps[0]


def test_area_range_is_carried_through() -> None:
    y = Factor("y", 20, 10, 40, "kg/ha", "test")
    est = potential_opium(1000, y, area_low=800, area_high=1200)
    assert (est.value, est.low, est.high) == pytest.approx((20.0, 8.0, 48.0))


def test_heroin_by_ratio_by_hand() -> None:
    opium = potential_opium(328_000, YIELDS["AF"])  # 8,987.2 t
    heroin = heroin_from_opium(opium)
    assert heroin.value == pytest.approx(328_000 * 27.4 / 1000 / 10)
    # low: lowest opium over the highest ratio; high: highest opium over the lowest ratio
    assert heroin.low == pytest.approx(328_000 * 23.9 / 1000 / 18.5)
    assert heroin.high == pytest.approx(328_000 * 38.4 / 1000 / 7.0)
    assert len(heroin.steps) == 2 and len(heroin.factors) == 3
    assert all(f.source for f in heroin.factors)


def test_user_factor_changes_the_result_and_names_itself() -> None:
    ratio = HEROIN_RATIO.set(value=7.0)
    opium = potential_opium(1000, Factor("y", 10, 10, 10, "kg/ha", "test"))  # 10 t
    heroin = heroin_from_opium(opium, ratio)
    assert heroin.value == pytest.approx(10 / 7)
    assert (heroin.low, heroin.high) == pytest.approx((10 / 7, 10 / 7))
    assert ratio.source.startswith("set by the user")


def test_bad_factor_refused() -> None:
    with pytest.raises(ValueError, match="low <= value <= high"):
        HEROIN_RATIO.set(value=5.0, low=6.0)
    with pytest.raises(ValueError, match="between 0 and"):
        potential_opium(-1, YIELDS["AF"])
    with pytest.raises(ValueError, match="outside its range"):
        potential_opium(10, YIELDS["AF"], area_low=20)


def test_unknown_country_gets_the_documented_default() -> None:
    assert yield_for("XX").name == "opium yield (default)"
    assert yield_for("la").value == pytest.approx(176_000 / 5_700, abs=0.05)
