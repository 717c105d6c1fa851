"""Early-warning signals over monthly series: changes, spikes, route displacement, emerging substances.

Pure functions over numbers; the service (services/signals.py) builds the series from the seizures the
requesting agency may see. A series is a sequence of monthly values over an observation window in
which a month without seizures counts as zero. Every finding carries the figures behind it, and a
series too short to judge yields a finding that says so ("cannot judge") instead of a guess.

Rules (docs/SITUATION.md explains them to users):

* **Change**: a period against the previous one of the same length, and against its baseline, the
  median of the same period in up to three earlier years (fewer than two: cannot judge); a signal when
  the period is at least double or at most half its baseline and either is at least 10 kg.
* **Spike**: a month whose value stands out from the (up to) 36 months before it, by the modified
  z-score of Iglewicz and Hoaglin (1993) on log(1 + value): z = 0.6745 · (y − median) / MAD, a spike
  when z ≥ 4, the value is above every month of the history and at least ``min_value``. Logarithms
  make the rule about ratios (seizure masses are heavy-tailed); median and MAD make it robust to the
  spikes themselves. Their 3.5 is raised to 4 because a MAD from a few dozen months is itself noisy:
  on log-normal noise 3.5 over 24 months alarms on about 0.4% of months, 4 over 36 on about 0.1%
  (bench/bench_situation.py prints the count on 10,000 series). Where more than half the history is
  one value (MAD = 0: a sparse series, mostly months without seizures), no spike rule is sound (any
  seizure after empty months would look like one): cannot judge, once per series; a substance new to an
  area is the emerging-substance rule's business. Fewer than 12 months of history: cannot judge.
* **Route displacement**: for each candidate change point with at least six months either side, a
  chi-square test of the seizure counts by route before and after; the best point is kept if its
  p-value, multiplied by the number of points tried (Bonferroni), is below 0.001 and the shares moved
  by at least 15 percentage points in total (total variation distance). Routes with fewer than five
  seizures are pooled as "other"; fewer than 30 seizures or one route: cannot judge.
* **Emerging substance**: in an area, a substance seized in the recent window (six months) and never
  in the twelve or more months before it (first sighting); or at most five seizures in the six months
  before and at least three times as many, and at least five, in the recent six (fast growth from a low
  base). Less than twelve months of history before the window: cannot judge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SPIKE_WINDOW = 36
SPIKE_MIN_HISTORY = 12
SPIKE_Z = 4.0
SHIFT_MIN_SIDE = 6
SHIFT_ALPHA = 0.001
SHIFT_MIN_TV = 0.15
SHIFT_MIN_ROUTE = 5
SHIFT_MIN_TOTAL = 30
EMERGING_WINDOW = 6
EMERGING_MIN_HISTORY = 12
LOW_BASE = 5
CHANGE_FACTOR = 2.0
CHANGE_MIN = 10.0
GROWTH_FACTOR = 3.0
GROWTH_MIN = 5


@dataclass(frozen=True)
class Finding:
    kind: str  # change | spike | route_shift | first_sighting | fast_growth
    status: str  # signal | cannot_judge | none
    subject: Mapping[str, str]
    period: str
    message: str
    figures: Mapping[str, Any] = field(default_factory=dict)


def month_index(label: str) -> int:
    return int(label[:4]) * 12 + int(label[5:7]) - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _subject_text(subject: Mapping[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in subject.items())


# -- change against previous period and a same-period baseline ---------------------------------------------
def pct_change(current: float, previous: float | None) -> float | None:
    if previous is None or previous == 0:
        return None
    return round((current - previous) / previous * 100, 1)


def change(
    subject: Mapping[str, str],
    period: str,
    current: float,
    previous: float | None,
    same_period: Sequence[float],
    unit: str = "kg",
    min_value: float = CHANGE_MIN,
) -> Finding:
    """The period against the previous one and against its baseline, the median of the same period in
    up to three earlier years (``same_period``, most recent first). A signal when the period is at least
    double or at most half its baseline, and either is at least ``min_value``; fewer than two earlier
    years: cannot judge."""
    earlier = [round(float(x), 3) for x in list(same_period)[:3]]
    figures: dict[str, Any] = {
        "current": round(current, 3),
        "unit": unit,
        "previous": None if previous is None else round(previous, 3),
        "change_pct": pct_change(current, previous),
        "same_period_earlier": earlier,
    }
    if len(earlier) < 2:
        figures["baseline"] = None
        return Finding(
            "change", "cannot_judge", subject, period,
            f"{_subject_text(subject)}: {current:,.1f} {unit} in {period}; fewer than two earlier years of the "
            "same period, so no baseline to judge against",
            figures,
        )  # fmt: skip
    base = float(np.median(earlier))
    figures["baseline"] = round(base, 3)
    figures["baseline_change_pct"] = pct_change(current, base)
    moved = current >= CHANGE_FACTOR * base or current <= base / CHANGE_FACTOR
    status = "signal" if moved and max(current, base) >= min_value else "none"
    msg = (
        f"{_subject_text(subject)}: {current:,.1f} {unit} in {period} against a baseline of {base:,.1f} {unit} "
        f"(median of the same period in {len(earlier)} earlier years)"
    )
    if previous is not None:
        msg += f"; previous period {previous:,.1f} {unit}"
    return Finding("change", status, subject, period, msg, figures)


# -- spikes --------------------------------------------------------------------------------------------------
def spike_scores(
    matrix: np.ndarray, window: int = SPIKE_WINDOW
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every series (row) and month t >= ``window``-or-fewer: the modified z-score of month t
    against the months before it (at most ``window``), the history's median (as a value, not a log) and
    its MAD, and the history's largest month. Months with fewer than SPIKE_MIN_HISTORY months before
    them get NaN. Vectorised over all series at once, one step per month."""
    n_series, n = matrix.shape
    y = np.log1p(np.clip(matrix, 0, None))
    z = np.full((n_series, n), np.nan)
    med_out = np.full((n_series, n), np.nan)
    mad_out = np.full((n_series, n), np.nan)
    max_out = np.full((n_series, n), np.nan)
    for t in range(SPIKE_MIN_HISTORY, n):
        hist = y[:, max(0, t - window) : t]
        med = np.median(hist, axis=1)
        mad = np.median(np.abs(hist - med[:, None]), axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            z[:, t] = np.where(mad > 0, 0.6745 * (y[:, t] - med) / mad, np.nan)
        med_out[:, t] = np.expm1(med)
        mad_out[:, t] = mad
        max_out[:, t] = matrix[:, max(0, t - window) : t].max(axis=1)
    return z, med_out, mad_out, max_out


def detect_spikes(
    names: Sequence[Mapping[str, str]],
    matrix: np.ndarray,
    first_month: int,
    check_from: int,
    check_to: int,
    *,
    unit: str = "kg",
    min_value: float = 1.0,
) -> list[Finding]:
    """Spikes in months ``check_from``..``check_to`` (month indexes) of each row of ``matrix`` (whose
    column 0 is ``first_month``). One "cannot judge" finding per series too short for the rule."""
    out: list[Finding] = []
    if matrix.size == 0:
        return out
    # Series with fewer than seven months with seizures have a zero median and MAD in every window of
    # twelve or more months: too sparse whatever the month, so their scores are not computed at all
    # (most route-level series are like this; it keeps 10,000 series to seconds).
    dense = np.flatnonzero((matrix > 0).sum(axis=1) > SPIKE_MIN_HISTORY // 2)
    n = matrix.shape[1]
    z = np.full(matrix.shape, np.nan)
    med, mad, hmax_all = z.copy(), z.copy(), np.zeros(matrix.shape)
    if dense.size:
        z[dense], med[dense], mad[dense], hmax_all[dense] = spike_scores(matrix[dense])
    lo, hi = max(0, check_from - first_month), min(n - 1, check_to - first_month)
    for i, subject in enumerate(names):
        row = matrix[i]
        if lo > hi:
            continue
        if lo < SPIKE_MIN_HISTORY:
            if row[lo : hi + 1].any():
                out.append(Finding(
                    "spike", "cannot_judge", subject, month_label(first_month + lo),
                    f"{_subject_text(subject)}: only {lo} months of history before {month_label(first_month + lo)}; "
                    f"at least {SPIKE_MIN_HISTORY} are needed to judge a spike",
                    {"history_months": lo, "needed": SPIKE_MIN_HISTORY},
                ))  # fmt: skip
            lo_i = SPIKE_MIN_HISTORY
        else:
            lo_i = lo
        if lo_i > hi:
            continue
        seg = slice(lo_i, hi + 1)
        vals = row[seg]
        zs = z[i, seg]
        sparse = np.isnan(zs) & (vals >= min_value)
        if sparse.any():
            t = lo_i + int(np.flatnonzero(sparse)[0])
            out.append(Finding(
                "spike", "cannot_judge", subject, month_label(first_month + t),
                f"{_subject_text(subject)}: more than half of the {min(t, SPIKE_WINDOW)} months before "
                f"{month_label(first_month + t)} have the same value (mostly no seizures); too sparse to judge a spike",
                {"history_months": min(t, SPIKE_WINDOW), "history_max": round(float(row[max(0, t - SPIKE_WINDOW) : t].max()), 3)},
            ))  # fmt: skip
        hits = (vals >= min_value) & (np.nan_to_num(zs, nan=0.0) >= SPIKE_Z) & (vals > hmax_all[i, seg])
        for t in (lo_i + np.flatnonzero(hits)).tolist():
            out.append(_spike(subject, row, t, first_month, float(z[i, t]), float(med[i, t]), float(mad[i, t]), unit))
    return out


def _spike(
    subject: Mapping[str, str], row: np.ndarray, t: int, first_month: int, z: float, med: float, mad: float, unit: str
) -> Finding:
    value = float(row[t])
    hist = row[max(0, t - SPIKE_WINDOW) : t]
    label = month_label(first_month + t)
    figures: dict[str, Any] = {
        "value": round(value, 3),
        "unit": unit,
        "history_months": len(hist),
        "history_median": round(med, 3),
        "history_max": round(float(hist.max()), 3),
    }
    figures.update({"modified_z": round(z, 2), "mad_log": round(mad, 4)})
    return Finding(
        "spike", "signal", subject, label,
        f"{_subject_text(subject)}: {value:,.1f} {unit} in {label}, against a median of "
        f"{figures['history_median']:,.1f} {unit} over the {len(hist)} months before "
        f"(modified z-score {figures['modified_z']} ≥ {SPIKE_Z:g}, above every month before)",
        figures,
    )  # fmt: skip


# -- route displacement -----------------------------------------------------------------------------------
def route_shift(
    subject: Mapping[str, str],
    routes: Mapping[str, Sequence[float]],
    first_month: int,
    kg: Mapping[str, Sequence[float]] | None = None,
) -> Finding:
    """The strongest shift of seizure counts between routes at one change point (module docstring)."""
    # scipy.special rather than scipy.stats: the same survival function, without the second it takes to
    # import scipy.stats.
    from scipy.special import chdtrc

    names = sorted(routes)
    if not names:
        return Finding("route_shift", "cannot_judge", subject, "", "no seizures", {})
    n = len(routes[names[0]])
    big = [r for r in names if sum(routes[r]) >= SHIFT_MIN_ROUTE]
    small = [r for r in names if r not in big]
    rows = [np.asarray(routes[r], dtype=float) for r in big]
    labels = list(big)
    if small:
        rows.append(np.sum([np.asarray(routes[r], dtype=float) for r in small], axis=0))
        labels.append("other")
    m = np.vstack(rows) if rows else np.zeros((0, n))
    total = float(m.sum())
    period = f"{month_label(first_month)}..{month_label(first_month + n - 1)}"
    if len(big) < 2 or total < SHIFT_MIN_TOTAL or n < 2 * SHIFT_MIN_SIDE:
        return Finding(
            "route_shift", "cannot_judge", subject, period,
            f"{_subject_text(subject)}: {int(total)} seizures on {len(big)} route(s) with at least "
            f"{SHIFT_MIN_ROUTE} seizures over {n} months; a shift needs two such routes, {SHIFT_MIN_TOTAL} "
            f"seizures and {2 * SHIFT_MIN_SIDE} months",
            {"seizures": int(total), "routes": len(big), "months": n},
        )  # fmt: skip
    cum = np.cumsum(m, axis=1)
    candidates = np.arange(SHIFT_MIN_SIDE, n - SHIFT_MIN_SIDE + 1)
    # The chi-square statistic of the 2 x routes table (before, after) at every candidate at once: the
    # same statistic as scipy.stats.chi2_contingency(correction=False), vectorised over change points.
    route_total = cum[:, -1][:, None]
    before_all = cum[:, candidates - 1]
    after_all = route_total - before_all
    nb, na = before_all.sum(axis=0), after_all.sum(axis=0)
    valid = (nb > 0) & (na > 0)
    if not valid.any():
        return Finding("route_shift", "none", subject, period, f"{_subject_text(subject)}: no change point", {})
    grand = float(route_total.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        eb, ea = route_total * nb / grand, route_total * na / grand
        stats = np.nansum((before_all - eb) ** 2 / eb + (after_all - ea) ** 2 / ea, axis=0)
    stats = np.where(valid, stats, -1.0)
    k = int(np.argmax(stats))
    best = (float(stats[k]), int(candidates[k]), float(chdtrc(int((route_total > 0).sum()) - 1, stats[k])))
    stat, cp, p = best
    before, after = cum[:, cp - 1], cum[:, -1] - cum[:, cp - 1]
    sb, sa = before / before.sum(), after / after.sum()
    tv = float(np.abs(sa - sb).sum() / 2)
    p_adj = min(1.0, p * len(candidates))
    shares = {
        label: {
            "seizures_before": int(before[i]),
            "seizures_after": int(after[i]),
            "share_before_pct": round(float(sb[i]) * 100, 1),
            "share_after_pct": round(float(sa[i]) * 100, 1),
        }
        for i, label in enumerate(labels)
    }
    if kg is not None:
        for label in big:
            series = np.asarray(kg.get(label, [0.0] * n), dtype=float)
            shares[label]["kg_before"] = round(float(series[:cp].sum()), 3)
            shares[label]["kg_after"] = round(float(series[cp:].sum()), 3)
    gained = sorted((lab for lab in labels if shares[lab]["share_after_pct"] > shares[lab]["share_before_pct"]),
                    key=lambda lab: shares[lab]["share_before_pct"] - shares[lab]["share_after_pct"])  # fmt: skip
    lost = sorted((lab for lab in labels if shares[lab]["share_after_pct"] < shares[lab]["share_before_pct"]),
                  key=lambda lab: shares[lab]["share_after_pct"] - shares[lab]["share_before_pct"])  # fmt: skip
    figures = {
        "change_point": month_label(first_month + cp),
        "months_before": cp,
        "months_after": n - cp,
        "chi_square": round(stat, 2),
        "p_value_bonferroni": float(f"{p_adj:.3g}"),
        "total_variation_pct": round(tv * 100, 1),
        "routes": shares,
        "gained": gained,
        "lost": lost,
    }
    found = p_adj < SHIFT_ALPHA and tv >= SHIFT_MIN_TV
    desc = "; ".join(
        f"{lab} {shares[lab]['share_before_pct']:g}% → {shares[lab]['share_after_pct']:g}%" for lab in labels
    )
    msg = (
        f"{_subject_text(subject)}: from {figures['change_point']} the routes' shares of seizures moved by "
        f"{figures['total_variation_pct']:g} points ({desc}; p = {figures['p_value_bonferroni']:g} after "
        f"Bonferroni over {len(candidates)} change points)"
    )
    return Finding("route_shift", "signal" if found else "none", subject, month_label(first_month + cp), msg, figures)


# -- emerging substances ------------------------------------------------------------------------------------
def emerging(subject: Mapping[str, str], counts: Sequence[float], first_month: int) -> Finding:
    """First sighting or fast growth from a low base in the last EMERGING_WINDOW months of ``counts``."""
    n = len(counts)
    w = EMERGING_WINDOW
    recent = float(sum(counts[-w:])) if n else 0.0
    prior_all = counts[: max(0, n - w)]
    prior = float(sum(counts[max(0, n - 2 * w) : max(0, n - w)]))
    window = f"{month_label(first_month + max(0, n - w))}..{month_label(first_month + n - 1)}" if n else ""
    figures: dict[str, Any] = {
        "recent_seizures": int(recent),
        "previous_window_seizures": int(prior),
        "history_months": len(prior_all),
    }
    if recent == 0:
        return Finding("first_sighting", "none", subject, window, f"{_subject_text(subject)}: none recently", figures)
    if len(prior_all) < EMERGING_MIN_HISTORY:
        return Finding(
            "first_sighting", "cannot_judge", subject, window,
            f"{_subject_text(subject)}: {int(recent)} seizures in {window}, but only {len(prior_all)} months "
            f"of history before; at least {EMERGING_MIN_HISTORY} are needed to call it new",
            figures,
        )  # fmt: skip
    if sum(prior_all) == 0:
        first = next(i for i in range(n - w, n) if counts[i] > 0)
        figures["first_month"] = month_label(first_month + first)
        return Finding(
            "first_sighting", "signal", subject, window,
            f"{_subject_text(subject)}: first seized in {figures['first_month']} ({int(recent)} seizures in "
            f"{window}, none in the {len(prior_all)} months before)",
            figures,
        )  # fmt: skip
    if prior <= LOW_BASE and recent >= max(GROWTH_MIN, GROWTH_FACTOR * prior):
        return Finding(
            "fast_growth", "signal", subject, window,
            f"{_subject_text(subject)}: {int(recent)} seizures in {window} against {int(prior)} in the "
            f"{w} months before (low base ≤ {LOW_BASE}, growth ≥ {GROWTH_FACTOR:g}×)",
            figures,
        )  # fmt: skip
    return Finding("fast_growth", "none", subject, window, f"{_subject_text(subject)}: no sign of emergence", figures)
