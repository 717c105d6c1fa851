"""Server-rendered SVG charts: no JavaScript, no CDN, nothing fetched at run time.

Agencies run the platform on closed networks, so every chart is a self-contained inline SVG
string. Each is accessible (``role="img"`` with a ``<title>`` and ``<desc>``, hover titles on
every mark, text at high contrast) and safe: labels come from users, so every piece of text is
escaped and stripped of characters XML cannot carry. Output is deterministic, so pages cache and
tests compare strings. Callers should still show the same numbers as a table.

The helpers ``escape``, ``svg_document``, ``nice_ticks`` and ``format_number`` are shared with
``interdict.io.worldmap``.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', sans-serif"
INK = "#1f1f1f"  # body text: contrast 16:1 on white
MUTED = "#4a4a4a"  # tick labels: contrast 8.9:1 on white
GRID = "#d9d9d9"
BAR = "#0072B2"
CHAR_W = 7.0  # average advance of a 12px sans-serif glyph, for layout estimates
MAX_SERIES = 8
TINY = 1e-9  # magnitudes below this count as zero on an axis, away from float underflow
# Okabe-Ito, ordered so the first lines have the strongest contrast on white; yellow comes last.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#B8A800")
# A dash pattern per series, so the lines differ without colour too.
SERIES_DASHES = ("", "7 3", "2 3", "10 3 2 3", "4 4", "1 2", "12 4", "6 2 2 2")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: object) -> str:
    """Text safe for XML content and quoted attributes; characters XML 1.0 forbids are dropped."""
    return html.escape(_NOT_XML.sub("", str(text)), quote=True)


def svg_id(*parts: object) -> str:
    """A deterministic element id, distinct per chart, so several charts can share one page."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
    return "c" + digest[:10]


def svg_document(width: float, height: float, title: str, desc: str, body: Iterable[str], uid: str) -> str:
    """Wrap ``body`` in an ``<svg>`` whose accessible name and description come from title and desc."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'font-family="{escape(FONT)}" font-size="12" fill="{INK}">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
    )
    return head + "".join(body) + "</svg>"


def _n(value: float) -> str:
    """Coordinates with at most one decimal and no trailing zeros, to keep output small and stable."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _nice(value: float, *, round_: bool) -> float:
    """The 1-2-5 number closest to (round_) or not below value, times a power of ten."""
    exponent = math.floor(math.log10(value))
    fraction = value / 10**exponent
    if round_:
        steps = ((1.5, 1.0), (3.0, 2.0), (7.0, 5.0))
        nice = next((n for limit, n in steps if fraction < limit), 10.0)
    else:
        nice = next((n for n in (1.0, 2.0, 5.0) if fraction <= n), 10.0)
    return float(nice * 10**exponent)


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Evenly spaced ticks on 1, 2 or 5 times a power of ten that cover [low, high].

    Readers judge quantities against round numbers, so axes end on a tick, never on the raw data
    maximum (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990). Magnitudes under
    ``TINY`` count as zero; a range too narrow to resolve (a single value) is drawn from zero.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"ticks need finite bounds, got {low!r} and {high!r}")
    low, high = (0.0 if abs(v) < TINY else v for v in (min(low, high), max(low, high)))
    if high - low <= 1e-6 * max(abs(low), abs(high)):
        # One value, or a span below float resolution at this magnitude: axis from zero instead.
        low, high = min(0.0, low), max(0.0, high)
    if low == high:
        return [0.0, 1.0]
    span = _nice(high - low, round_=False)
    step = _nice(span / max(1, target - 1), round_=True)
    decimals = _decimals(step)
    first, last = math.floor(_snap(low / step)), math.ceil(_snap(high / step))
    ticks = [round(i * step, decimals) + 0.0 for i in range(first, last + 1)]
    if ticks[0] > low:  # snapping absorbed float noise in the wrong direction
        ticks.insert(0, round((first - 1) * step, decimals) + 0.0)
    if ticks[-1] < high:
        ticks.append(round((last + 1) * step, decimals) + 0.0)
    return ticks


def _snap(quotient: float) -> float:
    """A quotient within float noise of a whole number is that number (0.7 / 0.1 is 7, not 6.99...)."""
    nearest = round(quotient)
    return float(nearest) if abs(quotient - nearest) < 1e-9 else quotient


def _decimals(step: float) -> int:
    """Decimals needed to print multiples of step exactly (0.25 -> 2, 5 -> 0)."""
    for decimals in range(0, 16):
        scaled = step * 10**decimals
        if round(scaled) >= 1 and abs(scaled - round(scaled)) < 1e-6 * scaled:
            return decimals
    return 16


def format_number(value: float, decimals: int | None = None) -> str:
    """Thousands separators and a precision that suits the size: 12,345 / 12.5 / 0.0123.

    With ``decimals`` every label on an axis gets the same precision.
    """
    if not math.isfinite(value):
        return "n/a"
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    if value == round(value) or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return _strip(f"{value:,.2f}")
    significant = 3 - math.floor(math.log10(abs(value))) - 1
    return _strip(f"{value:,.{significant}f}")


def _strip(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def with_unit(value: float, unit: str) -> str:
    return f"{format_number(value)} {unit}" if unit else format_number(value)


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """Labels with one shared precision, taken from the tick step."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = _decimals(step)
    return [format_number(t, decimals) for t in ticks]


def text_units(text: str) -> int:
    """Width of ``text`` in average Latin glyphs: Chinese, Japanese and Korean characters (East Asian
    wide and full-width) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, chars: int) -> str:
    """Shorten text to ``chars`` Latin-glyph widths with an ellipsis; the full text stays in the
    mark's title."""
    if text_units(text) <= chars:
        return text
    out, used = [], 0
    for c in text:
        w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if used + w > max(1, chars - 1):
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def _text(x: float, y: float, content: str, *, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{escape(content)}</text>'


def _heading(title: str, width: float) -> str:
    chars = int((width - 24) / 8.5)
    return _text(12, 22, _fit(title, chars), extra=' font-size="15" font-weight="bold"')


def no_data(title: str, width: int, desc: str = "") -> str:
    """A small chart that says there is nothing to show, rather than an empty frame."""
    height = 90
    body = [
        _heading(title, width),
        _text(width / 2, 62, "No data", anchor="middle", extra=f' fill="{MUTED}" font-size="14"'),
    ]
    return svg_document(width, height, title, desc or "No data", body, svg_id("none", title, desc, width))


@dataclass(frozen=True)
class _Scale:
    """Linear map from a value domain to pixels."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return self.r0
        return self.r0 + (value - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)


# ---------------------------------------------------------------------------------------------
# Bar chart


def bar_chart(
    items: Sequence[tuple[str, float]], *, title: str, unit: str = "", width: int = 640, desc: str = ""
) -> str:
    """Horizontal bars in the order given: labels on the left, values on the right.

    Horizontal bars keep long names (agencies, drugs, ports) readable without rotation. The axis
    always includes zero, so bar lengths compare honestly; non-finite values show as "n/a".
    """
    if not items:
        return no_data(title, width, desc)
    values = [v for _, v in items if math.isfinite(v)]
    ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]))
    value_texts = [with_unit(v, unit) for _, v in items]
    label_w = min(max(text_units(str(label)) for label, _ in items) * CHAR_W + 10, width * 0.35)
    value_w = max(len(t) for t in value_texts) * CHAR_W + 10
    x0, x1 = 12 + label_w, max(12 + label_w + 40, width - 12 - value_w)
    scale = _Scale(ticks[0], ticks[-1], x0, x1)
    top, row = 40, 24
    body = [_heading(title, width)]
    body += _x_grid(ticks, scale, top, top + row * len(items), unit)
    for index, ((label, value), shown) in enumerate(zip(items, value_texts, strict=True)):
        y = top + index * row
        body.append(_bar_row(str(label), value, shown, y, scale, label_w))
    height = top + row * len(items) + 44
    summary = desc or _bar_desc(items, unit)
    return svg_document(width, height, title, summary, body, svg_id("bar", items, title, unit, width, desc))


def _x_grid(ticks: Sequence[float], scale: _Scale, top: float, bottom: float, unit: str) -> list[str]:
    """Vertical grid lines and tick labels under the bars; the unit names the axis."""
    out = []
    for tick, label in zip(ticks, tick_labels(ticks), strict=True):
        x = scale(tick)
        colour = MUTED if tick == 0 else GRID
        out.append(
            f'<line x1="{_n(x)}" y1="{_n(top - 4)}" x2="{_n(x)}" y2="{_n(bottom)}" stroke="{colour}"/>'
        )
        out.append(_text(x, bottom + 16, label, anchor="middle", extra=f' fill="{MUTED}" font-size="11"'))
    if unit:
        out.append(_text(scale.r1, bottom + 32, unit, anchor="end", extra=f' fill="{MUTED}" font-size="11"'))
    return out


def _bar_row(label: str, value: float, shown: str, y: float, scale: _Scale, label_w: float) -> str:
    """One row: clipped label, bar with a hover title, value text at the right edge."""
    parts = [_text(12, y + 12, _fit(label, int((label_w - 10) / CHAR_W)))]
    if math.isfinite(value):
        start, end = sorted((scale(0.0), scale(value)))
        parts.append(
            f'<rect x="{_n(start)}" y="{_n(y)}" width="{_n(max(end - start, 0.5))}" height="16" '
            f'fill="{BAR}"><title>{escape(label)}: {escape(shown)}</title></rect>'
        )
    parts.append(_text(scale.r1 + 8, y + 12, shown))
    return "<g>" + "".join(parts) + "</g>"


def _bar_desc(items: Sequence[tuple[str, float]], unit: str) -> str:
    """A one-line reading of the data for screen readers when the caller gave no description."""
    shown = "; ".join(f"{label}: {with_unit(value, unit)}" for label, value in items[:20])
    more = f"; and {len(items) - 20} more" if len(items) > 20 else ""
    return f"Bar chart of {len(items)} items. {shown}{more}."


# ---------------------------------------------------------------------------------------------
# Time series


def period_key(period: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order for period labels: "2024-W9" before "2024-W10", "2024-Q1" before "2024-Q2"."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|\D+", period))


def time_series(
    series: Mapping[str, Sequence[tuple[str, float]]],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    desc: str = "",
) -> str:
    """One line per series over period labels (``2024-01``, ``2024-Q1``, ``2024``).

    Periods are the union of all series in natural order; a period a series lacks, or a
    non-finite value, breaks its line rather than being drawn as zero. At most eight series, each
    with its own colour-blind-safe colour and dash pattern; aggregate the rest into "other".
    """
    if len(series) > MAX_SERIES:
        raise ValueError(f"a time series chart shows at most {MAX_SERIES} series, got {len(series)}")
    data = {name: dict(points) for name, points in series.items()}
    periods = sorted({p for points in data.values() for p in points}, key=period_key)
    values = [v for points in data.values() for v in points.values() if math.isfinite(v)]
    if not periods or not values:
        return no_data(title, width, desc)
    ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]))
    legend, legend_bottom = _legend(list(data), width)
    labels = tick_labels(ticks)
    left = 12 + max(text_units(t) for t in labels) * CHAR_W + 8
    top, plot_h = legend_bottom + 32, round(width * 0.4)
    right = width - 12 - min(max(len(p) for p in periods) * CHAR_W / 2, width / 4)
    x_scale = _Scale(0, max(1, len(periods) - 1), left + 10, right)
    if len(periods) == 1:
        x_scale = _Scale(0, 1, (left + width - 12) / 2, (left + width - 12) / 2)
    y_scale = _Scale(ticks[0], ticks[-1], top + plot_h, top)
    body = [_heading(title, width), *legend]
    body += _y_grid(ticks, labels, y_scale, left, width - 12, unit)
    body += _x_labels(periods, x_scale, top + plot_h, width - left)
    for index, (name, points) in enumerate(data.items()):
        body.append(_series_marks(index, name, periods, points, x_scale, y_scale, unit))
    height = top + plot_h + 40
    summary = desc or _series_desc(data, periods, unit)
    uid = svg_id("ts", sorted((k, list(v)) for k, v in series.items()), title, unit, width, desc)
    return svg_document(width, height, title, summary, body, uid)


def _legend(names: Sequence[str], width: int) -> tuple[list[str], float]:
    """Swatches (line sample in colour and dash) with names, wrapped into rows under the title."""
    out, x, y = [], 12.0, 44.0
    for index, name in enumerate(names):
        text = _fit(name, 40)
        item_w = 30 + text_units(text) * CHAR_W + 16
        if x + item_w > width - 12 and x > 12:
            x, y = 12.0, y + 20
        out.append(
            f'<g><line x1="{_n(x)}" y1="{_n(y - 4)}" x2="{_n(x + 24)}" y2="{_n(y - 4)}" '
            f'{_stroke(index)} stroke-width="2.5"/>{_text(x + 30, y, text)}</g>'
        )
        x += item_w
    return out, y


def _stroke(index: int) -> str:
    dash = SERIES_DASHES[index]
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'stroke="{SERIES_COLOURS[index]}"{dashes}'


def _y_grid(
    ticks: Sequence[float], labels: Sequence[str], scale: _Scale, left: float, right: float, unit: str
) -> list[str]:
    """Horizontal grid with tick labels on the left and the unit above the axis."""
    out = []
    for tick, label in zip(ticks, labels, strict=True):
        y = scale(tick)
        colour = MUTED if tick == 0 else GRID
        out.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" stroke="{colour}"/>')
        out.append(_text(left - 6, y + 4, label, anchor="end", extra=f' fill="{MUTED}" font-size="11"'))
    if unit:
        out.append(
            _text(left - 6, scale.r1 - 10, unit, anchor="end", extra=f' fill="{MUTED}" font-size="11"')
        )
    return out


def _x_labels(periods: Sequence[str], scale: _Scale, baseline: float, plot_w: float) -> list[str]:
    """Period labels under the axis, thinned to every k-th so they never overlap."""
    widest = max(len(p) for p in periods) * CHAR_W + 8
    step = max(1, math.ceil(len(periods) * widest / max(plot_w, 1)))
    return [
        _text(scale(i), baseline + 18, period, anchor="middle", extra=f' fill="{MUTED}" font-size="11"')
        for i, period in enumerate(periods)
        if i % step == 0
    ]


def _series_marks(
    index: int,
    name: str,
    periods: Sequence[str],
    points: Mapping[str, float],
    x_scale: _Scale,
    y_scale: _Scale,
    unit: str,
) -> str:
    """The line (broken at gaps) and a marker with a hover title for every value."""
    path, pen_down, markers = [], False, []
    radius = 3 if len(periods) <= 60 else 1.8
    for i, period in enumerate(periods):
        value = points.get(period)
        if value is None or not math.isfinite(value):
            pen_down = False
            continue
        x, y = x_scale(i), y_scale(value)
        path.append(f"{'L' if pen_down else 'M'}{_n(x)} {_n(y)}")
        pen_down = True
        tip = f"{name}, {period}: {with_unit(value, unit)}"
        markers.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{radius}" fill="{SERIES_COLOURS[index]}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    line = f'<path d="{"".join(path)}" fill="none" {_stroke(index)} stroke-width="2"/>' if path else ""
    return f"<g><title>{escape(name)}</title>{line}{''.join(markers)}</g>"


def _series_desc(data: Mapping[str, Mapping[str, float]], periods: Sequence[str], unit: str) -> str:
    """Range and last value per series, for screen readers when the caller gave no description."""
    parts = []
    for name, points in data.items():
        latest = next((p for p in reversed(periods) if p in points and math.isfinite(points[p])), None)
        if latest is not None:
            parts.append(f"{name}: {with_unit(points[latest], unit)} in {latest}")
    span = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else periods[0]
    return f"Line chart, {len(data)} series, {span}. Latest values: " + "; ".join(parts) + "."
