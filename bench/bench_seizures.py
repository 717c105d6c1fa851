#!/usr/bin/env python
"""Seizure benchmark: bulk import and statistics at scale, beside the stores' raw floors.

Not a test. For each store (SQLite, PostgreSQL) it

1. writes a CSV in the published template layout (N rows: 20 substances in kg, g, tablets and litres,
   35 countries, ports, routes, references; deterministic);
2. creates a fresh database with the real migrations and the reference structure;
3. measures the raw floor in the same run: the same number of seizure-shaped rows plus one line each
   written with plain ``sqlite3`` executemany (SQLite) or ``COPY`` (PostgreSQL) into scratch tables
   of the same columns, values prepared beforehand (what the store can take, nothing else);
4. imports the CSV through ``interdict seizures import``'s own code (``SeizureImporter.run`` inside
   one unit of work: reading, validation against the catalogue and ports, normalisation, the
   re-import check and the bulk writes) in a child process, and reports rows/s and the child's peak
   memory (``ru_maxrss``);
5. re-imports the same file (every row unchanged: the idempotency check at scale);
6. spreads the imported seizures over the four distribution levels (a quarter each, with named
   agencies and mechanisms in ``record_shares``) and measures the statistics query
   (``SeizureStats.run``, ``--by substance,country,year``, as the CLI and API call it, through the
   sharing rule) for a viewer that is a member of two mechanisms: the median of --repeats runs.

Run:  .venv/bin/python bench/bench_seizures.py                      (1,000,000 rows, both stores)
      .venv/bin/python bench/bench_seizures.py --rows 100000 --store sqlite
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
PG_ADMIN_URL = os.environ.get("INTERDICT_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-key-" + "b" * 32
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
IMPORTER = "TH-ONCB"
VIEWER = "LA-LCDC"  # member of ASOD-CN and MEKONG-MOU

LINES = [  # substance, unit, median quantity
    ("methamphetamine", "tablets", 40_000),
    ("methamphetamine", "kg", 8),
    ("yaba", "tablets", 20_000),
    ("冰毒", "kg", 5),
    ("heroin", "kg", 3),
    ("海洛因", "g", 800),
    ("opium", "kg", 12),
    ("ketamine", "kg", 4),
    ("cannabis_herb", "kg", 20),
    ("cannabis_resin", "kg", 25),
    ("mdma", "tablets", 3_000),
    ("cocaine", "kg", 5),
    ("fentanyl", "g", 300),
    ("mephedrone", "kg", 1),
    ("alpha_pvp", "g", 500),
    ("acetic_anhydride", "l", 400),
    ("ephedrine", "kg", 50),
    ("p2p", "l", 200),
    ("tramadol", "tablets", 20_000),
    ("protonitazene", "g", 30),
]
COUNTRIES = [
    "TH",
    "MM",
    "LA",
    "CN",
    "KH",
    "VN",
    "MY",
    "SG",
    "ID",
    "PH",
    "PK",
    "IR",
    "AF",
    "TJ",
    "UZ",
    "KG",
    "KZ",
    "RU",
    "IN",
    "BD",
    "NP",
    "LK",
    "AE",
    "TR",
    "AU",
    "JP",
    "KR",
    "HK",
    "TW",
    "MO",
    "BN",
    "TM",
    "MN",
    "GE",
    "AZ",
]
PORTS = [
    ("XING:TH-MM-MAESAI", "border_crossing"),
    ("IATA:BKK", "airport"),
    ("THLCH", "seaport"),
    ("SITE:TH-CHIANGSAEN", "river_port"),
    ("", "inland"),
    ("", "inland"),
    ("", "inland"),
]


def write_csv(path: Path, rows: int, seed: int) -> None:
    from interdict.services.seizure_import import FIELDS

    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(FIELDS)
        index = {name: i for i, name in enumerate(FIELDS)}
        blank = [""] * len(FIELDS)
        start = date(2021, 1, 1)
        for n in range(rows):
            sub, unit, median = LINES[n % len(LINES)]
            port, kind = PORTS[n % len(PORTS)]
            row = blank.copy()
            row[index["reference"]] = f"B-{n:08d}"
            row[index["seized_on"]] = (start + timedelta(days=rng.randrange(0, 2100))).isoformat()
            row[index["country"]] = "TH"
            row[index["location_type"]] = kind
            row[index["port"]] = port
            row[index["substance"]] = sub
            row[index["quantity"]] = f"{median * rng.uniform(0.1, 3):.3f}"
            row[index["unit"]] = unit
            row[index["origin_country"]] = COUNTRIES[rng.randrange(len(COUNTRIES))]
            row[index["destination_country"]] = COUNTRIES[rng.randrange(len(COUNTRIES))]
            row[index["suspects_arrested"]] = str(rng.randrange(0, 4))
            row[index["transport_mode"]] = "road"
            w.writerow(row)


# -- databases ---------------------------------------------------------------------------------------


def _pg_admin(sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


@contextlib.contextmanager
def database(store: str, tmp: Path) -> Iterator[str]:
    if store == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    name = f"interdict_bench_seizures_{uuid.uuid4().hex[:8]}"
    _pg_admin(f"CREATE DATABASE {name}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def platform_for(url: str, data_dir: Path) -> Any:
    from interdict.services.platform import Platform
    from interdict.settings import Settings

    return Platform(Settings(environment="test", database_url=url, data_dir=data_dir, secret_key=SECRET))


def prepare(url: str, data_dir: Path, agencies: tuple[str, ...] = (IMPORTER, VIEWER)) -> None:
    """Migrations, the reference structure, and one analyst (``bench.<code>``) for each of ``agencies``."""
    from sqlalchemy import select

    from interdict.domain.roles import Role
    from interdict.schemas.users import UserCreate
    from interdict.services.context import system_actor
    from interdict.services.reference import load_reference, reference_data
    from interdict.store.identity import User

    p = platform_for(url, data_dir)
    p.upgrade()
    with p.db.unit() as s:
        console = system_actor(NOW, "bench")
        load_reference(p, s, console, reference_data())
        for code in agencies:
            name = f"bench.{code.lower()}"
            if s.scalar(select(User.id).where(User.username == name)) is None:
                p.users.create(
                    s,
                    console,
                    UserCreate(
                        username=name,
                        agency=code,
                        roles=[Role.ANALYST],
                        password="bench password " + "x" * 20,
                    ),
                )
    p.db.dispose()


def actor_of(p: Any, session: Any, agency: str) -> Any:
    from sqlalchemy import select

    from interdict.services.auth import actor_for
    from interdict.services.context import system_actor
    from interdict.store.identity import User

    user = session.scalars(select(User).where(User.username == f"bench.{agency.lower()}")).one()
    return actor_for(system_actor(NOW, "bench"), user)


# -- the raw floor -----------------------------------------------------------------------------------


def floor(url: str, rows: int) -> dict[str, float]:
    """Seizure-shaped and line-shaped rows written by the driver alone, values prepared beforehand."""
    from sqlalchemy import create_engine

    from interdict.store.seizures import Seizure, SeizureItem

    s_cols = [c.name for c in Seizure.__table__.columns]
    i_cols = [c.name for c in SeizureItem.__table__.columns]
    now = NOW.replace(tzinfo=None)

    def seizure_row(n: int) -> tuple[Any, ...]:
        values: dict[str, Any] = {
            "id": n,
            "uuid": str(uuid.UUID(int=n)),
            "distribution": "agency",
            "handling_conditions": "[]",
            "handling_notes": "",
            "contains_personal_data": False,
            "hit_notification": True,
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "owner_agency_id": 1,
            "created_by_id": 1,
            "updated_by_id": 1,
            "reference": f"B-{n:08d}",
            "source_key": f"B-{n:08d}",
            "source_hash": "0" * 32,
            "import_id": None,
            "seized_on": date(2024, 1, 1),
            "seized_month": 202401,
            "country": "TH",
            "subdivision": "",
            "place": "",
            "latitude": None,
            "longitude": None,
            "location_type": "inland",
            "port_code": "",
            "concealment": "",
            "transport_mode": "road",
            "origin_country": "MM",
            "transit_countries": "[]",
            "destination_country": "TH",
            "suspects_arrested": 1,
            "suspect_nationalities": "[]",
            "assets": "[]",
            "operation_id": None,
            "narrative": "",
            "audience_id": 1,
        }
        return tuple(values[c] for c in s_cols)

    def item_row(n: int) -> tuple[Any, ...]:
        values: dict[str, Any] = {
            "id": n,
            "seizure_id": n,
            "line": 1,
            "substance": "methamphetamine",
            "category": "ats",
            "reported_name": "methamphetamine",
            "quantity": 1.5,
            "unit": "kg",
            "mass_kg": 1.5,
            "count": None,
            "count_unit": "",
            "factor": "1 kg = 1 kg",
            "purity_pct": None,
            "form": "",
            "first_of_substance": True,
            "first_of_category": True,
            "audience_id": 1,
            "owner_agency_id": 1,
            "seized_on": date(2024, 1, 1),
            "seized_month": 202401,
            "country": "TH",
            "location_type": "inland",
            "port_code": "",
            "origin_country": "MM",
            "destination_country": "TH",
            "operation_id": None,
        }
        return tuple(values[c] for c in i_cols)

    chunk = 50_000
    spent = 0.0
    if url.startswith("sqlite"):
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("CREATE TABLE floor_s AS SELECT * FROM seizures WHERE 0")
        con.execute("CREATE TABLE floor_i AS SELECT * FROM seizure_items WHERE 0")
        s_sql = f"INSERT INTO floor_s ({', '.join(s_cols)}) VALUES ({', '.join('?' * len(s_cols))})"
        i_sql = f"INSERT INTO floor_i ({', '.join(i_cols)}) VALUES ({', '.join('?' * len(i_cols))})"
        for start in range(0, rows, chunk):
            batch_s = [
                tuple(str(v) if isinstance(v, datetime | date) else v for v in seizure_row(n))
                for n in range(start, min(rows, start + chunk))
            ]
            batch_i = [item_row(n) for n in range(start, min(rows, start + chunk))]
            t = time.perf_counter()
            con.executemany(s_sql, batch_s)
            con.executemany(i_sql, batch_i)
            spent += time.perf_counter() - t
        t = time.perf_counter()
        con.commit()
        spent += time.perf_counter() - t
        con.execute("DROP TABLE floor_s")
        con.execute("DROP TABLE floor_i")
        con.commit()
        con.close()
    else:
        engine = create_engine(url)
        with engine.begin() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur:
                cur.execute("CREATE TABLE floor_s (LIKE seizures)")
                cur.execute("CREATE TABLE floor_i (LIKE seizure_items)")
                for start in range(0, rows, chunk):
                    batch_s = [seizure_row(n) for n in range(start, min(rows, start + chunk))]
                    batch_i = [item_row(n) for n in range(start, min(rows, start + chunk))]
                    t = time.perf_counter()
                    with cur.copy(f"COPY floor_s ({', '.join(s_cols)}) FROM STDIN") as cp:
                        for r in batch_s:
                            cp.write_row(r)
                    with cur.copy(f"COPY floor_i ({', '.join(i_cols)}) FROM STDIN") as cp:
                        for r in batch_i:
                            cp.write_row(r)
                    spent += time.perf_counter() - t
        with engine.begin() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur:
                cur.execute("DROP TABLE floor_s")
                cur.execute("DROP TABLE floor_i")
        engine.dispose()
    return {"seconds": spent, "rows_per_s": rows / spent}


# -- the import, in a child process (its own peak memory) ---------------------------------------------


def child_import(url: str, data_dir: Path, file: Path) -> dict[str, Any]:
    from interdict.services.seizure_import import ImportOptions

    p = platform_for(url, data_dir)
    t = time.perf_counter()
    with file.open("rb") as stream, p.db.unit() as s:
        actor = actor_of(p, s, IMPORTER)
        out = p.seizure_import.run(s, actor, stream, ImportOptions(filename=file.name))
    seconds = time.perf_counter() - t
    p.db.dispose()
    return {
        "seconds": seconds,
        "rows": out.rows,
        "created": out.seizures_created,
        "unchanged": out.rows_unchanged,
        "refused": out.rows_refused,
        "errors": [e.message for e in out.errors[:3]],
        "rows_per_s": out.rows / seconds if seconds else 0.0,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(url: str, data_dir: Path, file: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child-import", url, "--data-dir", str(data_dir), "--file", str(file)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# -- statistics -------------------------------------------------------------------------------------


def spread(url: str, data_dir: Path) -> None:
    """A quarter of the seizures at each distribution level, with their named targets and the
    audiences the write paths would have given them (services.sharing.audience_for)."""
    from sqlalchemy import text

    from interdict.domain.sharing import Distribution
    from interdict.services.sharing import ResolvedDistribution, audience_for

    p = platform_for(url, data_dir)
    with p.db.unit() as s:
        ids = dict(s.execute(text("SELECT code, id FROM agencies")).all())
        mechs = dict(s.execute(text("SELECT code, id FROM mechanisms")).all())
        owner = ids[IMPORTER]

        def aud(
            level: str, agencies: frozenset[int] = frozenset(), mechanisms: frozenset[int] = frozenset()
        ) -> int:
            return audience_for(
                s, owner, ResolvedDistribution(Distribution(level), agencies, mechanisms, ()), False
            )

        # id % 8 -> (distribution, audience): agencies and mechanisms name the viewer's agency or
        # mechanism for half their seizures, another agency or mechanism for the other half.
        plan = {
            0: ("agency", aud("agency")),
            4: ("agency", aud("agency")),
            1: ("agencies", aud("agencies", frozenset({ids[VIEWER]}))),
            5: ("agencies", aud("agencies", frozenset({ids["VN-MPS-C04"]}))),
            2: ("mechanisms", aud("mechanisms", mechanisms=frozenset({mechs["MEKONG-MOU"]}))),
            6: ("mechanisms", aud("mechanisms", mechanisms=frozenset({mechs["SCO"]}))),
            3: ("all", aud("all")),
            7: ("all", aud("all")),
        }
        dist_case = " ".join(f"WHEN {k} THEN '{d}'" for k, (d, _) in plan.items())
        aud_case = " ".join(f"WHEN {k} THEN {a}" for k, (_, a) in plan.items())
        s.execute(
            text(
                f"UPDATE seizures SET distribution = CASE id % 8 {dist_case} END, "
                f"audience_id = CASE id % 8 {aud_case} END"
            )
        )
        s.execute(text(f"UPDATE seizure_items SET audience_id = CASE seizure_id % 8 {aud_case} END"))
        s.execute(
            text(
                "INSERT INTO record_shares (record_uuid, target_kind, target_id) "
                "SELECT uuid, 'agency', CASE WHEN id % 8 = 1 THEN :viewer ELSE :other END FROM seizures "
                "WHERE id % 4 = 1"
            ),
            {"viewer": ids[VIEWER], "other": ids["VN-MPS-C04"]},
        )
        s.execute(
            text(
                "INSERT INTO record_shares (record_uuid, target_kind, target_id) "
                "SELECT uuid, 'mechanism', CASE WHEN id % 8 = 2 THEN :mine ELSE :other END FROM seizures "
                "WHERE id % 4 = 2"
            ),
            {"mine": mechs["MEKONG-MOU"], "other": mechs["SCO"]},
        )
    with p.db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    p.db.dispose()


def measure_stats(url: str, data_dir: Path, repeats: int) -> dict[str, Any]:
    from interdict.services.seizure_stats import StatsQuery

    p = platform_for(url, data_dir)
    times = []
    result: Any = None
    for _ in range(repeats):
        with p.db.unit() as s:
            actor = actor_of(p, s, VIEWER)
            t = time.perf_counter()
            result = p.stats.run(s, actor, StatsQuery(("substance", "country", "year")))
            times.append(time.perf_counter() - t)
    with p.db.unit() as s:
        actor = actor_of(p, s, VIEWER)
        t = time.perf_counter()
        p.stats.run(s, actor, StatsQuery(("country",)))
        one_key = time.perf_counter() - t
    p.db.dispose()
    return {
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "max_ms": max(times) * 1000,
        "rows": len(result.rows),
        "visible_seizures": result.total_seizures,
        "by_country_ms": one_key * 1000,
    }


def run_store(store: str, rows: int, file: Path, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with database(store, tmp) as url:
            prepare(url, tmp)
            raw = floor(url, rows)
            first = run_child(url, tmp, file)
            again = run_child(url, tmp, file)
            spread(url, tmp)
            stats = measure_stats(url, tmp, repeats)
    return {"store": store, "floor": raw, "import": first, "reimport": again, "stats": stats}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child-import", default="")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--file", default="")
    args = parser.parse_args()
    if args.child_import:
        sys.stdout.write(
            json.dumps(child_import(args.child_import, Path(args.data_dir), Path(args.file))) + "\n"
        )
        return 0
    stores = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    with tempfile.TemporaryDirectory() as tmp_name:
        file = Path(tmp_name) / f"seizures-{args.rows}.csv"
        t = time.perf_counter()
        write_csv(file, args.rows, args.seed)
        print(
            f"wrote {file.name}: {args.rows:,} rows, {file.stat().st_size / 1e6:.0f} MB "
            f"in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        results = []
        for store in stores:
            r = run_store(store, args.rows, file, args.repeats)
            results.append(r)
            imp, again, raw, st = r["import"], r["reimport"], r["floor"], r["stats"]
            print(f"\n== {store} ({args.rows:,} rows)")
            print(f"raw floor (driver only, 2 tables): {raw['rows_per_s']:>10,.0f} rows/s")
            print(
                f"import (validated, normalised):    {imp['rows_per_s']:>10,.0f} rows/s  "
                f"{imp['seconds']:.1f} s  peak {imp['peak_rss_mib']:.0f} MiB  "
                f"created {imp['created']:,} refused {imp['refused']:,}  "
                f"= {imp['rows_per_s'] / raw['rows_per_s']:.2f} of the floor"
            )
            print(
                f"re-import (all unchanged):         {again['rows_per_s']:>10,.0f} rows/s  "
                f"unchanged {again['unchanged']:,}  peak {again['peak_rss_mib']:.0f} MiB"
            )
            print(
                f"statistics by substance,country,year: median {st['median_ms']:.0f} ms "
                f"(min {st['min_ms']:.0f}, max {st['max_ms']:.0f}; {args.repeats} runs; "
                f"{st['visible_seizures']:,} visible seizures, {st['rows']} rows); by country: "
                f"{st['by_country_ms']:.0f} ms",
                flush=True,
            )
            if imp["errors"]:
                print("first import errors:", imp["errors"])
    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / f"seizures-{args.rows}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwritten {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
