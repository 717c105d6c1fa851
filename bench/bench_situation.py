#!/usr/bin/env python
"""Situation benchmark: signals over many series, and the regional situation report at scale.

Not a test. Two measurements (target: under 30 s each):

1. **Signals**: ten years of monthly seizure series for 200 areas x 50 substances (10,000 series of 120
   months, deterministic log-normal noise with a few planted spikes and one planted route shift), in the
   shape the seizure statistics return them (one row per substance, area and month), through the signal
   service's own series building and the rules of ``domain/signals.py``: spikes over the last 12 months
   of every series, emerging substances in every area, route shifts for every substance over 20 routes,
   and the change of the last year against the previous one and the same months of earlier years.
2. **Report**: the situation report (``SituationReportService.build``: statistics, signals, map places,
   operations, indicators) for LA-LCDC on the MEKONG-MOU mechanism over the whole period, on a store of
   N seizures imported and spread over the four distribution levels by ``bench_seizures.py``'s own code.

Run:  .venv/bin/python bench/bench_situation.py                        (1,000,000 seizures, SQLite)
      .venv/bin/python bench/bench_situation.py --rows 100000 --store postgresql
      .venv/bin/python bench/bench_situation.py --signals-only
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_seizures as bs  # the seizure benchmark's data and store helpers


def signals_bench(areas: int = 200, substances: int = 50, months: int = 120, seed: int = 1) -> dict[str, float]:
    from interdict.domain.signals import month_label
    from interdict.services.signals import SignalQuery, _changes, _emerging, _shifts, _spikes

    rng = np.random.default_rng(seed)
    first = 2016 * 12
    kg = rng.lognormal(3.0, 0.5, size=(substances, areas, months))
    counts = rng.poisson(4.0, size=(substances, areas, months))
    kg[3, 7, -5] *= 20  # a planted spike
    labels = [month_label(first + t) for t in range(months)]
    t0 = time.perf_counter()
    rows = {
        (f"s{s:02d}", f"A{a:03d}", labels[t]): (int(counts[s, a, t]), float(kg[s, a, t]), {})
        for s in range(substances)
        for a in range(areas)
        for t in range(months)
    }
    build = time.perf_counter() - t0
    routes: dict[tuple[str, ...], tuple[int, float, dict[str, float]]] = {}
    for s in range(substances):
        for r in range(20):
            for t in range(months):
                shift = s == 0 and t >= 90 and r in (0, 1)
                lam = 6.0 if not shift else (1.0 if r == 0 else 30.0)
                routes[(f"s{s:02d}", f"R{r:02d}>TH", labels[t])] = (int(rng.poisson(lam)), 1.0, {})
    last = first + months - 1
    q = SignalQuery(date(2025, 1, 1), date(2025, 12, 31))
    t1 = time.perf_counter()
    spikes = _spikes(rows, ("substance", "country"), first, last, q)
    t2 = time.perf_counter()
    emerging = _emerging(rows, first, last)
    t3 = time.perf_counter()
    shifts = _shifts(routes, "route", first, last, q)
    t4 = time.perf_counter()
    changes = _changes(rows, first, last, q)
    t5 = time.perf_counter()
    found = [f for f in spikes if f.status == "signal"]
    planted = any(f.subject == {"substance": "s03", "country": "A007"} for f in found)
    shifted = [f.subject["substance"] for f in shifts if f.status == "signal"]
    print(
        f"signals over {areas} areas x {substances} substances x {months} months "
        f"({areas * substances:,} series, {len(rows):,} rows):\n"
        f"  rows in the statistics' shape built in {build:.1f} s (not counted)\n"
        f"  spikes     {t2 - t1:6.2f} s  ({len(found)} spikes; planted one found: {planted})\n"
        f"  emerging   {t3 - t2:6.2f} s  ({sum(f.status == 'signal' for f in emerging)} signals)\n"
        f"  route shift{t4 - t3:6.2f} s  (50 substances x 20 routes; shifted: {shifted})\n"
        f"  change     {t5 - t4:6.2f} s  ({sum(f.status == 'signal' for f in changes)} signals)\n"
        f"  total      {t5 - t1:6.2f} s",
        flush=True,
    )
    return {"spikes_s": t2 - t1, "emerging_s": t3 - t2, "shifts_s": t4 - t3, "change_s": t5 - t4, "total_s": t5 - t1}


def report_bench(store: str, rows: int, seed: int) -> float:
    from interdict.services.situation_report import ReportQuery

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        file = tmp / f"seizures-{rows}.csv"
        bs.write_csv(file, rows, seed)
        with bs.database(store, tmp) as url:
            bs.prepare(url, tmp)
            imported = bs.run_child(url, tmp, file)
            bs.spread(url, tmp)
            p = bs.platform_for(url, tmp)
            with p.db.unit() as s:
                actor = bs.actor_of(p, s, bs.VIEWER)
                t = time.perf_counter()
                report = p.situation.build(s, actor, ReportQuery(date(2021, 1, 1), date(2026, 10, 31), "MEKONG-MOU"))
                took = time.perf_counter() - t
            p.db.dispose()
    print(
        f"situation report, {store}, {imported['created']:,} seizures imported: {took:.1f} s "
        f"({report.key_figures[0].value:,.0f} seizures visible to {report.agency}; "
        f"{sum(f.status == 'signal' for f in report.findings)} signals; {len(report.routes)} routes)",
        flush=True,
    )
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--signals-only", action="store_true")
    args = parser.parse_args()
    signals_bench(seed=args.seed)
    if not args.signals_only:
        report_bench(args.store, args.rows, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
