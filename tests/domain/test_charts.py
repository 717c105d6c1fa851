"""Server-rendered SVG charts (``interdict.io.charts``): tick maths, number formatting, and charts
parsed as a browser would see them. Tick maths is pinned case by case and checked by property.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdict.io.charts import (
    MAX_SERIES,
    SERIES_COLOURS,
    bar_chart,
    escape,
    format_number,
    nice_ticks,
    period_key,
    tick_labels,
    time_series,
)

NS = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(\"x\")</script> & 'q'\x07"


def svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    return root


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{NS}text")]


def mark_titles(root: ET.Element, tag: str) -> list[str]:
    return [el.findtext(f"{NS}title") or "" for el in root.iter(f"{NS}{tag}")]


# --- ticks ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TickCase:
    id: str
    low: float
    high: float
    ticks: list[float]


TICK_CASES = [
    TickCase("counts", 0, 1234, [0, 500, 1000, 1500]),
    TickCase("unit interval", 0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    TickCase("small fraction", 0, 0.37, [0, 0.1, 0.2, 0.3, 0.4]),
    TickCase("negative to positive", -5, 17, [-10, 0, 10, 20]),
    TickCase("all zero", 0, 0, [0, 1]),
    TickCase("single value", 3, 3, [0, 1, 2, 3]),
    TickCase("reversed bounds", 10, 0, [0, 2, 4, 6, 8, 10]),
    TickCase("millions", 0, 98_765_432, [0, 2e7, 4e7, 6e7, 8e7, 1e8]),
    TickCase("not from zero", 0.001, 0.0042, [0.001, 0.002, 0.003, 0.004, 0.005]),
]


@pytest.mark.parametrize("case", TICK_CASES, ids=lambda c: c.id)
def test_nice_ticks(case: TickCase) -> None:
    assert nice_ticks(case.low, case.high) == case.ticks


def test_nice_ticks_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        nice_ticks(0, math.inf)


def _is_nice(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))


AXIS_VALUES = st.one_of(st.just(0.0), st.floats(1e-6, 1e9), st.floats(-1e9, -1e-6))


@given(AXIS_VALUES, AXIS_VALUES)
def test_ticks_cover_the_range_in_even_nice_steps(a: float, b: float) -> None:
    ticks = nice_ticks(a, b)
    assert ticks[0] <= min(a, b) and ticks[-1] >= max(a, b)
    assert 2 <= len(ticks) <= 12
    steps = [y - x for x, y in itertools.pairwise(ticks)]
    assert all(math.isclose(s, steps[0], rel_tol=1e-6) for s in steps)
    assert _is_nice(steps[0])


# --- numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (0, None, "0"),
        (1234567, None, "1,234,567"),
        (12345.6, None, "12,346"),
        (12.5, None, "12.5"),
        (1.234, None, "1.23"),
        (0.01234, None, "0.0123"),
        (-0.5, None, "-0.5"),
        (math.nan, None, "n/a"),
        (1500, 1, "1,500.0"),
    ],
)
def test_format_number(value: float, decimals: int | None, shown: str) -> None:
    assert format_number(value, decimals) == shown


def test_tick_labels_share_one_precision() -> None:
    assert tick_labels([0, 0.5, 1.0, 1.5]) == ["0.0", "0.5", "1.0", "1.5"]
    assert tick_labels([0, 5000, 10000]) == ["0", "5,000", "10,000"]


def test_escape_drops_characters_xml_cannot_carry() -> None:
    assert escape("a\x00b\x1bc<&>\"'") == "abc&lt;&amp;&gt;&quot;&#x27;"


def test_period_key_orders_naturally() -> None:
    periods = ["2024-W10", "2024-W9", "2023-Q4", "2024-Q1", "2024"]
    assert sorted(periods, key=period_key) == ["2023-Q4", "2024", "2024-Q1", "2024-W9", "2024-W10"]


# --- bar chart --------------------------------------------------------------------------------------

DRUGS = [("Methamphetamine", 12345.6), ("Heroin", 3000.0), ("Ketamine", 0.5)]


def test_bar_chart_draws_a_bar_and_value_per_item_in_order() -> None:
    root = svg(bar_chart(DRUGS, title="Seizures by drug", unit="kg"))
    assert root.findtext(f"{NS}title") == "Seizures by drug"
    assert mark_titles(root, "rect")[-3:] == [
        "Methamphetamine: 12,346 kg",
        "Heroin: 3,000 kg",
        "Ketamine: 0.5 kg",
    ]
    shown = texts(root)
    assert shown.index("Methamphetamine") < shown.index("Heroin") < shown.index("Ketamine")
    assert {"12,346 kg", "3,000 kg", "0.5 kg", "15,000", "kg"} <= set(shown)
    assert "Methamphetamine: 12,346 kg" in (root.findtext(f"{NS}desc") or "")


def test_bar_lengths_are_proportional() -> None:
    root = svg(bar_chart([("a", 100.0), ("b", 50.0)], title="t"))
    bars = [float(el.get("width", "0")) for el in root.iter(f"{NS}rect") if el.find(f"{NS}title") is not None]
    assert math.isclose(bars[0], 2 * bars[1], rel_tol=0.01)


def test_bar_chart_escapes_labels_and_titles() -> None:
    text = bar_chart([(EVIL, 1.0)], title=EVIL, unit="<kg>", desc=EVIL)
    root = svg(text)
    assert "<script>" not in text and not list(root.iter(f"{NS}script"))
    assert root.findtext(f"{NS}title") == "<script>alert(\"x\")</script> & 'q'"
    assert any(t.startswith("<script>") for t in mark_titles(root, "rect"))


def test_bar_chart_handles_negative_and_missing_values() -> None:
    root = svg(bar_chart([("up", 10.0), ("down", -4.0), ("unknown", math.nan)], title="Change"))
    assert "n/a" in texts(root)
    assert len([t for t in mark_titles(root, "rect") if t]) == 2


def test_long_labels_are_shortened_but_kept_in_titles() -> None:
    label = "Methamphetamine hydrochloride, crystalline, seized at the Mae Sai crossing"
    root = svg(bar_chart([(label, 1.0)], title="t", width=400))
    assert label not in texts(root) and any(t.endswith("…") for t in texts(root))
    assert mark_titles(root, "rect")[-1].startswith(label)


def test_empty_bar_chart_says_no_data() -> None:
    root = svg(bar_chart([], title="Nothing"))
    assert "No data" in texts(root)


# --- time series ------------------------------------------------------------------------------------

SERIES = {
    "Methamphetamine": [("2024-Q1", 100.0), ("2024-Q2", 250.0), ("2024-Q3", 170.0), ("2024-Q4", 400.0)],
    "Heroin": [("2024-Q1", 40.0), ("2024-Q2", 30.0), ("2024-Q4", 60.0)],
}


def test_time_series_has_a_line_legend_and_marker_per_value() -> None:
    root = svg(time_series(SERIES, title="By quarter", unit="kg"))
    shown = texts(root)
    assert {"Methamphetamine", "Heroin", "2024-Q1", "2024-Q4", "kg", "400"} <= set(shown)
    tips = mark_titles(root, "circle")
    assert len(tips) == 7 and "Heroin, 2024-Q4: 60 kg" in tips
    strokes = {el.get("stroke") for el in root.iter(f"{NS}path")}
    assert strokes == {SERIES_COLOURS[0], SERIES_COLOURS[1]}


def test_missing_period_breaks_the_line() -> None:
    root = svg(time_series(SERIES, title="t"))
    paths = {el.get("stroke"): el.get("d", "") for el in root.iter(f"{NS}path")}
    assert paths[SERIES_COLOURS[0]].count("M") == 1
    assert paths[SERIES_COLOURS[1]].count("M") == 2  # Q3 is missing for heroin


def test_periods_are_the_union_in_natural_order() -> None:
    root = svg(time_series({"a": [("2024-10", 1.0), ("2024-9", 2.0)], "b": [("2024-1", 3.0)]}, title="t"))
    periods = [t for t in texts(root) if t.startswith("2024-")]
    assert periods == ["2024-1", "2024-9", "2024-10"]


def test_many_periods_are_thinned_not_overlapping() -> None:
    months = [(f"{2000 + i // 12}-{i % 12 + 1:02d}", float(i)) for i in range(120)]
    root = svg(time_series({"x": months}, title="t", width=640))
    labels = [t for t in texts(root) if t[:2] == "20"]
    assert 5 <= len(labels) < 40
    assert len(mark_titles(root, "circle")) == 120


def test_time_series_escapes_series_names_and_periods() -> None:
    text = time_series({EVIL: [(EVIL, 1.0)]}, title="t")
    root = svg(text)
    assert "<script>" not in text and not list(root.iter(f"{NS}script"))


def test_too_many_series_is_refused() -> None:
    with pytest.raises(ValueError, match=f"at most {MAX_SERIES}"):
        time_series({str(i): [("2024", 1.0)] for i in range(MAX_SERIES + 1)}, title="t")


@pytest.mark.parametrize("series", [{}, {"a": []}, {"a": [("2024", math.nan)]}], ids=["none", "empty", "nan"])
def test_empty_time_series_says_no_data(series: dict[str, list[tuple[str, float]]]) -> None:
    assert "No data" in texts(svg(time_series(series, title="t")))


def test_charts_are_deterministic() -> None:
    assert time_series(SERIES, title="t") == time_series(SERIES, title="t")
    assert bar_chart(DRUGS, title="t") == bar_chart(DRUGS, title="t")


def test_wide_characters_count_double_when_fitting_labels() -> None:
    from interdict.io.charts import _fit, text_units

    assert text_units("甲基苯丙胺") == 10 and text_units("heroin") == 6
    assert _fit("甲基苯丙胺", 10) == "甲基苯丙胺"
    assert _fit("甲基苯丙胺", 6) == "甲基…"
    assert _fit("methamphetamine", 6) == "metha…"
