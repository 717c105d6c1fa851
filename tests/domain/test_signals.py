"""Signal rules on generated series with planted changes (found) and on noise (bounded false alarms)."""

from __future__ import annotations

import numpy as np
import pytest

from interdict.domain.signals import (
    change,
    detect_spikes,
    emerging,
    month_index,
    route_shift,
)

FIRST = month_index("2020-01")


def _noise(rng: np.random.Generator, n_series: int, months: int) -> np.ndarray:
    return rng.lognormal(mean=4.0, sigma=0.35, size=(n_series, months))


def test_planted_spike_is_found_with_its_figures() -> None:
    rng = np.random.default_rng(1)
    m = _noise(rng, 1, 60)
    m[0, 50] *= 6
    found = detect_spikes([{"substance": "heroin"}], m, FIRST, FIRST + 36, FIRST + 59)
    spikes = [f for f in found if f.status == "signal"]
    assert [f.period for f in spikes] == ["2024-03"]
    fig = spikes[0].figures
    assert fig["modified_z"] >= 4 and fig["history_months"] == 36 and fig["value"] == pytest.approx(m[0, 50], abs=1e-3)


def test_noise_gives_few_false_alarms() -> None:
    rng = np.random.default_rng(7)
    m = _noise(rng, 300, 60)
    found = detect_spikes([{"s": str(i)} for i in range(300)], m, FIRST, FIRST + 24, FIRST + 59)
    alarms = [f for f in found if f.status == "signal"]
    tests = 300 * 36
    assert len(alarms) / tests < 0.003  # about 0.1% expected: the normal tail plus the noise of the MAD


def test_short_series_cannot_judge() -> None:
    m = np.full((1, 8), 10.0)
    m[0, 7] = 500
    found = detect_spikes([{"s": "x"}], m, FIRST, FIRST, FIRST + 7)
    assert [f.status for f in found] == ["cannot_judge"]
    assert "at least 12" in found[0].message


def test_sparse_history_cannot_judge() -> None:
    m = np.zeros((1, 30))
    m[0, 5] = 2.0
    m[0, 29] = 10.0
    found = detect_spikes([{"s": "x"}], m, FIRST, FIRST + 20, FIRST + 29)
    assert [f.status for f in found] == ["cannot_judge"] and "too sparse" in found[0].message


def _routes(rng: np.random.Generator, months: int, cp: int | None, before: float, after: float) -> dict[str, list[float]]:
    a, b = [], []
    for t in range(months):
        p = before if cp is None or t < cp else after
        n = rng.poisson(12)
        x = rng.binomial(n, p)
        a.append(float(x))
        b.append(float(n - x))
    return {"MM>CN": a, "LA>CN": b}


def test_planted_route_shift_is_found_near_its_change_point() -> None:
    rng = np.random.default_rng(3)
    routes = _routes(rng, 36, 24, 0.8, 0.3)
    f = route_shift({"substance": "methamphetamine"}, routes, FIRST)
    assert f.status == "signal"
    assert abs(month_index(f.figures["change_point"]) - (FIRST + 24)) <= 2
    assert f.figures["gained"][0] == "LA>CN" and f.figures["lost"][0] == "MM>CN"
    assert f.figures["routes"]["MM>CN"]["share_before_pct"] > 70


def test_no_shift_on_stable_shares() -> None:
    rng = np.random.default_rng(11)
    alarms = sum(
        route_shift({"s": str(i)}, _routes(rng, 36, None, 0.6, 0.6), FIRST).status == "signal" for i in range(100)
    )
    assert alarms <= 2


def test_route_shift_too_few_seizures_cannot_judge() -> None:
    f = route_shift({"s": "x"}, {"A>B": [1.0] * 12, "C>B": [0.0] * 12}, FIRST)
    assert f.status == "cannot_judge"


def test_emerging_first_sighting_fast_growth_and_too_short() -> None:
    first = emerging({"substance": "protonitazene", "country": "TH"}, [0.0] * 20 + [0, 0, 1, 2, 3, 1], FIRST)
    assert first.status == "signal" and first.kind == "first_sighting"
    assert first.figures["first_month"] == "2021-11"
    growth = emerging({"s": "ketamine"}, [1.0] * 12 + [0, 1, 0, 1, 0, 1] + [2, 3, 4, 3, 2, 4], FIRST)
    assert growth.kind == "fast_growth" and growth.status == "signal"
    steady = emerging({"s": "heroin"}, [5.0] * 24, FIRST)
    assert steady.status == "none"
    short = emerging({"s": "x"}, [0.0] * 4 + [1, 2], FIRST)
    assert short.status == "cannot_judge"


def test_change_against_previous_and_baseline() -> None:
    f = change({"indicator": "x"}, "2023-05", 120, 100, [80, 100, 90])
    assert f.figures["change_pct"] == 20.0 and f.figures["baseline"] == 90
    assert f.figures["baseline_change_pct"] == pytest.approx(33.3)
    assert f.status == "none"  # a third more is within the usual range
    doubled = change({"s": "heroin"}, "2023", 400, 150, [150, 200, 180])
    assert doubled.status == "signal" and doubled.figures["baseline"] == 180
    halved = change({"s": "heroin"}, "2023", 40, 150, [150, 200, 180])
    assert halved.status == "signal"
    tiny = change({"s": "heroin"}, "2023", 4, 1, [1, 2, 1])
    assert tiny.status == "none"  # below 10 kg either way
    assert change({"i": "x"}, "2023-05", 120, 100, [80]).status == "cannot_judge"
