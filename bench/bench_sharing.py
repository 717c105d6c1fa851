#!/usr/bin/env python
"""Sharing benchmark: bulk creation and the filtered list of intelligence reports at scale.

Not a test. For each store (SQLite, PostgreSQL) it

1. creates a fresh database (SQLite: a file in a temp dir; PostgreSQL: a new database on the admin
   server, dropped at the end) and runs the real migrations (``interdict.store.migrate.upgrade``);
2. builds a cooperation structure through the real services (200 agencies, 20 mechanisms with
   overlapping and former memberships, sharing agreements, some allowing personal data) and users;
3. generates N intelligence reports and their ``record_shares`` rows, loads the first N - --bulk-sample
   the fast way (PostgreSQL COPY, SQLite driver executemany; not a measured figure) and the last
   --bulk-sample through the bulk path that is measured: SQLAlchemy Core ``insert`` executemany, in
   batches, one transaction per batch (rows/s);
4. measures the filtered list: ``IntelService.list`` inside ``db.unit()`` for random (viewer, filter)
   pairs, exactly as the endpoint calls it (including the audit rows written for each foreign record
   returned), and a sample through the HTTP endpoint (FastAPI TestClient, bearer token);
5. measures the full service create path (``platform.intel.create``: validation, distribution check,
   audit row; one unit of work per record) on a smaller sample;
6. replays the slowest measured list queries under EXPLAIN (ANALYZE on PostgreSQL, QUERY PLAN on
   SQLite) and prints the plans;
7. prints a table and writes a JSON of the results to bench/out/.

Run:  .venv/bin/python bench/bench_sharing.py                  (1,000,000 records, both stores)
      .venv/bin/python bench/bench_sharing.py --records 100000 --store sqlite --queries 100
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import itertools
import json
import math
import os
import platform as pyplatform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.engine import Engine

from interdict.api.app import create_app
from interdict.domain.roles import Role
from interdict.schemas.intel import IntelReportCreate
from interdict.schemas.structure import AgencyCreate, AgreementCreate, MechanismCreate, MembershipChange
from interdict.services.context import Actor, system_actor
from interdict.services.intel import IntelFilters
from interdict.services.platform import Platform
from interdict.settings import Settings
from interdict.store.audit import AuditRow
from interdict.store.identity import User
from interdict.store.migrate import upgrade
from interdict.store.records import IntelReport, RecordShare
from interdict.store.structure import Agency, Mechanism

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
PG_ADMIN_URL = os.environ.get("INTERDICT_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-key-" + "b" * 32
PAGE = 50
YEARS = 3

# --------------------------------------------------------------------------------------------------
# Vocabulary (deterministic): words for titles and bodies, place names, tags, countries, substances.
# --------------------------------------------------------------------------------------------------

WORDS = """
shipment methamphetamine tablets crystal heroin cocaine ketamine precursor chemicals courier border
crossing river checkpoint truck container port vessel warehouse syndicate network leader financier
broker supplier buyer seller route transit corridor smuggling concealment compartment parcel postal
online marketplace darknet cryptocurrency payment laundering cash front company logistics freight
airport passenger luggage swallower bodypacker laboratory production cook equipment pill press
diversion pharmaceutical ephedrine pseudoephedrine safrole acetic anhydride caffeine seizure arrest
raid surveillance informant controlled delivery intercept phone messaging encrypted app group
meeting hotel rental vehicle motorbike boat night morning weekly monthly increase decrease price
purity wholesale retail street consumer youth village district province highway mountain forest
jungle plantation cultivation opium poppy cannabis harvest farmer labourer migrant worker fishing
trawler coast island beach casino special economic zone militia armed group corruption official
bribe document forged passport identity alias associate relative wife brother cousin nephew
""".split()  # noqa: SIM905

SYLLABLES = [
    "ba",
    "ka",
    "la",
    "ma",
    "na",
    "pa",
    "sa",
    "ta",
    "wa",
    "ya",
    "ko",
    "lo",
    "mo",
    "no",
    "po",
    "so",
    "to",
    "vo",
    "ki",
    "li",
    "mi",
    "ni",
    "pi",
    "si",
    "ti",
    "ku",
    "lu",
    "mu",
    "nu",
    "pu",
    "su",
    "tu",
]
TAGS = [
    "route",
    "lab",
    "precursor",
    "maritime",
    "air",
    "postal",
    "online",
    "finance",
    "cash",
    "crypto",
    "border",
    "trend",
    "arrest",
    "seizure",
    "threat",
    "network",
    "youth",
    "price",
    "purity",
    "corruption",
    "weapons",
    "migrants",
    "forgery",
    "hawala",
    "casino",
]
COUNTRIES = [
    "TH",
    "LA",
    "MM",
    "KH",
    "VN",
    "MY",
    "SG",
    "ID",
    "PH",
    "BN",
    "CN",
    "IN",
    "BD",
    "AU",
    "NZ",
    "JP",
    "KR",
    "US",
    "CA",
    "GB",
    "NL",
    "BE",
    "DE",
    "FR",
    "AE",
    "PK",
    "AF",
    "IR",
    "LK",
    "NP",
]
SUBSTANCES = [
    "methamphetamine",
    "heroin",
    "cocaine",
    "ketamine",
    "cannabis",
    "mdma",
    "fentanyl",
    "ephedrine",
    "pseudoephedrine",
    "safrole",
    "acetic anhydride",
    "opium",
]
CATEGORIES = {
    "trafficking_route": 25,
    "modus_operandi": 15,
    "syndicate": 20,
    "precursor_diversion": 10,
    "emerging_threat": 10,
    "online_sale": 10,
    "other": 10,
}
AGENCY_KINDS = ["police", "customs", "drug_control_commission", "precursor_authority"]
DISTRIBUTION_MIX = {"agency": 35, "agencies": 20, "mechanisms": 30, "all": 15}
PERSONAL_DATA_SHARE = 0.10

# Filters drawn for the list measurement, with weights. "q_place" searches a place name (each place
# is in ~0.3% of the reports); "q_word" a common word from the Zipf vocabulary.
FILTER_MIX = {
    "none": 20,
    "category": 25,
    "owner": 15,
    "distribution": 10,
    "q_word": 10,
    "q_place": 10,
    "category_recent": 10,
}


def _cum(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (k + 1) ** s for k in range(n)]


# --------------------------------------------------------------------------------------------------
# The world plan: pure Python, the same for every store.
# --------------------------------------------------------------------------------------------------


@dataclass
class Membership:
    agency: int  # index into plan.agencies
    mechanism: int
    joined: date
    left: date | None


@dataclass
class AgreementPlan:
    agencies: tuple[int, int] | None
    mechanism: int | None
    personal_data: bool
    valid_from: date
    valid_to: date | None


@dataclass
class WorldPlan:
    now: datetime
    agencies: list[str]
    countries: list[str]
    mechanisms: list[str]
    memberships: list[Membership]
    agreements: list[AgreementPlan]
    users_per_agency: list[list[tuple[str, str]]]  # (username, role)
    places: list[str]
    activity: list[float]  # relative record volume per agency

    def memberships_of(self, agency: int) -> list[Membership]:
        return [m for m in self.memberships if m.agency == agency]


def plan_world(rng: random.Random, n_agencies: int, n_mechanisms: int, now: datetime) -> WorldPlan:
    today = now.date()
    agencies = [f"AG-{i:03d}" for i in range(1, n_agencies + 1)]
    countries = [rng.choice(COUNTRIES) for _ in agencies]
    mechanisms = [f"MECH-{i:02d}" for i in range(1, n_mechanisms + 1)]
    mech_pop = zipf_weights(n_mechanisms, 0.7)  # a few big mechanisms, many small ones
    memberships: list[Membership] = []
    start = today - timedelta(days=365 * YEARS)
    for a in range(n_agencies):
        k = rng.choices([0, 1, 2, 3, 4], weights=[12, 30, 28, 20, 10])[0]
        chosen: set[int] = set()
        while len(chosen) < k:
            chosen.add(rng.choices(range(n_mechanisms), weights=mech_pop)[0])
        for m in sorted(chosen):
            # most joined before the 3-year window; ~15% joined during it
            if rng.random() < 0.15:
                joined = start + timedelta(days=rng.randrange(0, 365 * YEARS - 30))
            else:
                joined = date(2017, 1, 1) + timedelta(days=rng.randrange(0, (start - date(2017, 1, 1)).days))
            memberships.append(Membership(a, m, joined, None))
        # former members: ~1 in 4 agencies left one mechanism during the window
        if rng.random() < 0.25:
            m = rng.choices(range(n_mechanisms), weights=mech_pop)[0]
            if m not in chosen:
                joined = date(2016, 1, 1) + timedelta(days=rng.randrange(0, 365 * 3))
                left = start + timedelta(days=rng.randrange(1, 365 * YEARS - 1))
                memberships.append(Membership(a, m, joined, left))
    agreements: list[AgreementPlan] = []
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < 150:
        a, b = sorted(rng.sample(range(n_agencies), 2))
        pairs.add((a, b))
    for a, b in sorted(pairs):
        pd = rng.random() < 0.7
        valid_to = today - timedelta(days=rng.randrange(30, 700)) if rng.random() < 0.15 else None
        agreements.append(AgreementPlan((a, b), None, pd, date(2018, 1, 1), valid_to))
    for m in rng.sample(range(n_mechanisms), 6):
        agreements.append(AgreementPlan(None, m, m % 3 != 0, date(2019, 6, 1), None))
    users = [
        [
            (f"{code.lower()}.analyst", "analyst"),
            (f"{code.lower()}.investigator", "investigator"),
            (f"{code.lower()}.reader", "reader"),
        ]
        for code in agencies
    ]
    places: set[str] = set()
    while len(places) < 500:
        places.add("".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize())
    activity = zipf_weights(n_agencies, 0.8)
    rng.shuffle(activity)
    return WorldPlan(
        now, agencies, countries, mechanisms, memberships, agreements, users, sorted(places), activity
    )


@dataclass
class World:
    """The plan applied to one database: ids as stored."""

    plan: WorldPlan
    agency_ids: list[int]
    mechanism_ids: list[int]
    user_ids: list[list[int]]  # per agency, aligned with plan.users_per_agency
    tokens: dict[int, str] = field(default_factory=dict)  # user id -> API token

    def key(self) -> tuple[Any, ...]:
        return (tuple(self.agency_ids), tuple(self.mechanism_ids), tuple(map(tuple, self.user_ids)))


def console(p: Platform, now: datetime) -> Actor:
    return system_actor(now, p.settings.node_name)


def apply_world(p: Platform, plan: WorldPlan) -> World:
    """Structure through the real services; users with Core (argon2 per user would take minutes)."""
    c = console(p, plan.now)
    with p.db.unit() as s:
        for i, (code, country) in enumerate(zip(plan.agencies, plan.countries, strict=True)):
            p.structure.create_agency(
                s,
                c,
                AgencyCreate(code=code, name_en=f"Agency {code}", country=country, kind=AGENCY_KINDS[i % 4]),
            )
    with p.db.unit() as s:
        for mi, code in enumerate(plan.mechanisms):
            members = [m for m in plan.memberships if m.mechanism == mi]
            p.structure.create_mechanism(
                s,
                c,
                MechanismCreate(
                    code=code,
                    name_en=f"Mechanism {code}",
                    kind="multilateral",
                    members=[
                        MembershipChange(agency=plan.agencies[m.agency], date=m.joined) for m in members
                    ],
                ),
            )
    with p.db.unit() as s:
        for m in plan.memberships:
            if m.left is not None:
                p.structure.leave(
                    s,
                    c,
                    plan.mechanisms[m.mechanism],
                    MembershipChange(agency=plan.agencies[m.agency], date=m.left),
                )
    with p.db.unit() as s:
        for i, ag in enumerate(plan.agreements):
            pd = ag.personal_data
            p.structure.create_agreement(
                s,
                c,
                AgreementCreate(
                    title=f"Agreement {i + 1}",
                    kind="bilateral" if ag.agencies else "mechanism",
                    agencies=[plan.agencies[x] for x in ag.agencies] if ag.agencies else [],
                    mechanism=plan.mechanisms[ag.mechanism] if ag.mechanism is not None else None,
                    categories=["intelligence", "personal_data"] if pd else ["intelligence"],
                    allows_personal_data=pd,
                    valid_from=ag.valid_from,
                    valid_to=ag.valid_to,
                ),
            )
    insert_users(p, plan)
    return read_world(p, plan)


def insert_users(p: Platform, plan: WorldPlan) -> None:
    with p.db.unit() as s:
        agency_ids = dict(s.execute(select(Agency.code, Agency.id)).all())
    from interdict.services.auth import hash_password

    pw_hash = hash_password("bench password not used for sign-in 1234")
    user_rows = [
        {
            "uuid": str(uuid.UUID(int=random.Random(name).getrandbits(128), version=4)),
            "username": name,
            "display_name": name,
            "email": f"{name}@example.org",
            "agency_id": agency_ids[code],
            "roles": [role],
            "language": "en",
            "password_hash": pw_hash,
            "created_at": plan.now,
            "password_changed_at": plan.now,
        }
        for code, users in zip(plan.agencies, plan.users_per_agency, strict=True)
        for name, role in users
    ]
    with p.db.engine.begin() as conn:
        conn.execute(insert(User.__table__), user_rows)


def read_world(p: Platform, plan: WorldPlan) -> World:
    with p.db.unit() as s:
        agency_ids = dict(s.execute(select(Agency.code, Agency.id)).all())
        mech_ids = dict(s.execute(select(Mechanism.code, Mechanism.id)).all())
        by_name = dict(s.execute(select(User.username, User.id)).all())
    user_ids = [[by_name[n] for n, _ in users] for users in plan.users_per_agency]
    return World(
        plan, [agency_ids[c] for c in plan.agencies], [mech_ids[c] for c in plan.mechanisms], user_ids
    )


def issue_tokens(p: Platform, world: World) -> None:
    """One API token per agency's analyst (the HTTP viewers), through the real service."""
    c = console(p, world.plan.now)
    with p.db.unit() as s:
        for users in world.user_ids:
            user = s.get(User, users[0])
            assert user is not None
            token, _ = p.auth.issue_token(s, c, user, "bench", None)
            world.tokens[user.id] = token


# --------------------------------------------------------------------------------------------------
# Record generation (Python only, timed separately from the inserts).
# --------------------------------------------------------------------------------------------------


class Generator:
    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world
        plan = world.plan
        self.word_cum = _cum(zipf_weights(len(WORDS), 1.0))
        self.place_cum = _cum([1.0] * len(plan.places))
        self.owner_cum = _cum(plan.activity)
        self.cat_names = list(CATEGORIES)
        self.cat_cum = _cum(list(CATEGORIES.values()))
        self.dist_names = list(DISTRIBUTION_MIX)
        self.dist_cum = _cum(list(DISTRIBUTION_MIX.values()))
        self.n_agencies = len(plan.agencies)
        self.members = [plan.memberships_of(a) for a in range(self.n_agencies)]

    def mechanisms_at(self, agency: int, day: date) -> list[int]:
        return [
            m.mechanism for m in self.members[agency] if m.joined <= day and (m.left is None or day < m.left)
        ]

    def text(self, k: int) -> str:
        """About k words: whole 5-word fragments drawn from a pool (Zipf word frequencies)."""
        if not hasattr(self, "_pool"):
            self._pool = [
                " ".join(self.rng.choices(WORDS, cum_weights=self.word_cum, k=5)) for _ in range(8192)
            ]
        return " ".join(self.rng.choices(self._pool, k=max(1, round(k / 5))))

    def created_ats(self, n: int) -> list[datetime]:
        span = 365 * YEARS * 86400.0
        offsets = sorted((self.rng.random() * span for _ in range(n)), reverse=True)
        now = self.world.plan.now
        return [now - timedelta(seconds=o) for o in offsets]  # oldest first: ids follow time

    def record(self, created_at: datetime) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
        rng, w, plan = self.rng, self.world, self.world.plan
        a = bisect.bisect(self.owner_cum, rng.random() * self.owner_cum[-1])
        a = min(a, self.n_agencies - 1)
        user_id = w.user_ids[a][rng.randrange(2)]  # analyst or investigator
        dist = self.dist_names[bisect.bisect(self.dist_cum, rng.random() * self.dist_cum[-1])]
        rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        shares: list[dict[str, Any]] = []
        if dist == "mechanisms":
            mine = self.mechanisms_at(a, created_at.date())
            if mine:
                for m in rng.sample(mine, min(len(mine), rng.choice((1, 1, 2)))):
                    shares.append(
                        {"record_uuid": rid, "target_kind": "mechanism", "target_id": w.mechanism_ids[m]}
                    )
            else:
                dist = "agencies"  # an agency in no mechanism names agencies instead
        if dist == "agencies":
            others = set()
            k = rng.randint(1, 5)
            while len(others) < k:
                x = rng.randrange(self.n_agencies)
                if x != a:
                    others.add(x)
            shares.extend(
                {"record_uuid": rid, "target_kind": "agency", "target_id": w.agency_ids[x]}
                for x in sorted(others)
            )
        places = rng.choices(plan.places, k=rng.choice((1, 1, 2)))
        title_words = self.text(rng.randint(4, 8)).split()
        title_words.insert(rng.randrange(len(title_words) + 1), places[0])
        body = (
            self.text(rng.randint(25, 55))
            + " Near "
            + " and ".join(places)
            + ". "
            + self.text(rng.randint(5, 15))
            + "."
        )
        hc = []
        r = rng.random()
        if r < 0.10:
            hc = ["no_onward_sharing"]
        elif r < 0.15:
            hc = ["not_for_evidence"]
        row = {
            "uuid": rid,
            "owner_agency_id": w.agency_ids[a],
            "distribution": dist,
            "handling_conditions": hc,
            "handling_notes": "",
            "contains_personal_data": rng.random() < PERSONAL_DATA_SHARE,
            "hit_notification": rng.random() < 0.9,
            "title": " ".join(title_words).capitalize(),
            "body": body.capitalize(),
            "category": self.cat_names[bisect.bisect(self.cat_cum, rng.random() * self.cat_cum[-1])],
            "source_reliability": rng.choice("ABCX"),
            "info_accuracy": rng.randint(1, 4),
            "tags": rng.sample(TAGS, rng.randint(0, 3)),
            "countries": sorted(set(rng.choices(COUNTRIES, k=rng.randint(1, 2)))),
            "substances": sorted(set(rng.choices(SUBSTANCES, k=rng.randint(1, 2)))),
            "created_at": created_at,
            "updated_at": created_at,
            "created_by_id": user_id,
            "updated_by_id": user_id,
            "version": 1,
        }
        return row, shares, dist

    def batches(self, n: int, size: int) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
        out = []
        stamps = self.created_ats(n)
        for i in range(0, n, size):
            reports: list[dict[str, Any]] = []
            shares: list[dict[str, Any]] = []
            for ts in stamps[i : i + size]:
                row, sh, _ = self.record(ts)
                reports.append(row)
                shares.extend(sh)
            out.append((reports, shares))
        return out


REPORT_COLUMNS = [c.name for c in IntelReport.__table__.columns if c.name != "id"]
SHARE_COLUMNS = ["record_uuid", "target_kind", "target_id"]


def _driver_values(row: dict[str, Any], columns: list[str], sqlite: bool) -> tuple[Any, ...]:
    """A row as the column types would bind it (UTC naive datetimes, JSON text, 0/1 on SQLite)."""
    out = []
    for c in columns:
        v = row[c]
        if isinstance(v, list):
            v = json.dumps(v, ensure_ascii=False)
        elif isinstance(v, datetime):
            v = v.astimezone(UTC).replace(tzinfo=None)
            if sqlite:
                v = v.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DATETIME storage format
        elif isinstance(v, bool) and sqlite:
            v = int(v)
        out.append(v)
    return tuple(out)


def fast_load(
    engine: Engine, batches: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]
) -> dict[str, Any]:
    """Data generation only (not the measured bulk figure): PostgreSQL COPY, SQLite driver executemany."""
    sqlite = engine.dialect.name == "sqlite"
    n_reports = n_shares = 0
    t0 = time.perf_counter()
    for reports, shares in batches:
        r_rows = [_driver_values(r, REPORT_COLUMNS, sqlite) for r in reports]
        s_rows = [_driver_values(x, SHARE_COLUMNS, sqlite) for x in shares]
        if sqlite:
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    f"INSERT INTO intel_reports ({', '.join(REPORT_COLUMNS)}) VALUES "
                    f"({', '.join('?' * len(REPORT_COLUMNS))})",
                    r_rows,
                )
                if s_rows:
                    conn.exec_driver_sql(
                        "INSERT INTO record_shares (record_uuid, target_kind, target_id) VALUES (?, ?, ?)",
                        s_rows,
                    )
        else:
            raw = engine.raw_connection()
            try:
                with raw.driver_connection.cursor() as cur:
                    with cur.copy(f"COPY intel_reports ({', '.join(REPORT_COLUMNS)}) FROM STDIN") as cp:
                        for t in r_rows:
                            cp.write_row(t)
                    with cur.copy(
                        "COPY record_shares (record_uuid, target_kind, target_id) FROM STDIN"
                    ) as cp:
                        for t in s_rows:
                            cp.write_row(t)
                raw.driver_connection.commit()
            finally:
                raw.close()
        n_reports += len(reports)
        n_shares += len(shares)
    elapsed = time.perf_counter() - t0
    return {
        "method": "SQLite executemany (driver)" if sqlite else "PostgreSQL COPY (psycopg)",
        "reports": n_reports,
        "record_shares": n_shares,
        "seconds": round(elapsed, 2),
        "rows_per_s": round((n_reports + n_shares) / elapsed) if elapsed else 0,
    }


def bulk_load(
    engine: Engine, batches: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]
) -> dict[str, Any]:
    """The bulk path: Core insert executemany, one transaction per batch of reports + shares."""
    reports_t, shares_t = IntelReport.__table__, RecordShare.__table__
    n_reports = n_shares = 0
    t0 = time.perf_counter()
    last = t0
    for reports, shares in batches:
        with engine.begin() as conn:
            conn.execute(insert(reports_t), reports)
            if shares:
                conn.execute(insert(shares_t), shares)
        n_reports += len(reports)
        n_shares += len(shares)
        if time.perf_counter() - last > 15:
            last = time.perf_counter()
            rate = (n_reports + n_shares) / (last - t0)
            print(f"    ... {n_reports:,} reports ({rate:,.0f} rows/s)", flush=True)
    elapsed = time.perf_counter() - t0
    return {
        "reports": n_reports,
        "record_shares": n_shares,
        "seconds": round(elapsed, 2),
        "rows_per_s": round((n_reports + n_shares) / elapsed),
        "reports_per_s": round(n_reports / elapsed),
        "batch_size": len(batches[0][0]) if batches else 0,
    }


# --------------------------------------------------------------------------------------------------
# Measurement helpers
# --------------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = max(0, min(len(xs) - 1, math.ceil(p / 100 * len(xs)) - 1))
    return xs[k]


def summary(ms: list[float]) -> dict[str, float]:
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2) if ms else float("nan"),
        "p95_ms": round(pct(ms, 95), 2),
        "p99_ms": round(pct(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else float("nan"),
    }


class SqlTap:
    """Counts and times statements per call, and keeps the list SELECT (text and driver params) so
    the slowest can be replayed under EXPLAIN."""

    def __init__(self, engine: Engine) -> None:
        self.reset()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        self._t = 0.0

    def reset(self) -> None:
        self.statements = 0
        self.by_kind: dict[str, float] = defaultdict(float)
        self.list_sql: tuple[str, Any] | None = None

    @staticmethod
    def kind(statement: str) -> str:
        s = " ".join(statement.split()[:12]).upper()
        if s.startswith("SELECT") and "FROM INTEL_REPORTS" in " ".join(statement.upper().split()):
            return "select intel_reports"
        if "AUDIT" in s:
            return (
                "insert audit"
                if s.startswith("INSERT")
                else "update audit_head"
                if s.startswith("UPDATE")
                else "select audit_head"
            )
        if "MECHANISM_MEMBERS" in s or "AGREEMENTS" in s or "FROM AGREEMENTS" in statement.upper():
            return "viewer context"
        return "other"

    def _before(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        self._t = time.perf_counter()
        if (
            self.list_sql is None
            and statement.lstrip().upper().startswith("SELECT")
            and "ORDER BY intel_reports.created_at DESC" in statement
        ):
            self.list_sql = (statement, params)

    def _after(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        self.statements += 1
        self.by_kind[self.kind(statement)] += (time.perf_counter() - self._t) * 1000


@dataclass
class Viewer:
    actor: Actor
    token: str | None


def make_viewers(p: Platform, world: World) -> list[Viewer]:
    """Actors built as services.auth.actor_for builds them (one per agency's analyst)."""
    out = []
    with p.db.unit() as s:
        for users in world.user_ids:
            user = s.get(User, users[0])
            assert user is not None
            actor = Actor(
                user_id=user.id,
                username=user.username,
                agency_id=user.agency_id,
                agency_code=user.agency.code,
                roles=frozenset(Role(r) for r in user.roles),
                now=world.plan.now,
                request_id=None,
                source_ip="127.0.0.1",
                node=p.settings.node_name,
                via="api",
            )
            out.append(Viewer(actor, world.tokens.get(user.id)))
    return out


def draw_filter(rng: random.Random, plan: WorldPlan) -> tuple[str, IntelFilters, dict[str, str]]:
    kind = rng.choices(list(FILTER_MIX), weights=list(FILTER_MIX.values()))[0]
    cat = rng.choice(list(CATEGORIES))
    if kind == "none":
        return kind, IntelFilters(), {}
    if kind == "category":
        return kind, IntelFilters(category=cat), {"category": cat}
    if kind == "owner":
        owner = rng.choices(plan.agencies, weights=plan.activity)[0]
        return kind, IntelFilters(owner=owner), {"owner": owner}
    if kind == "distribution":
        d = rng.choice(["all", "mechanisms", "agencies"])
        return kind, IntelFilters(distribution=d), {"distribution": d}
    if kind == "q_word":
        word = rng.choice(WORDS[:60])
        return kind, IntelFilters(q=word), {"q": word}
    if kind == "q_place":
        place = rng.choice(plan.places)
        return kind, IntelFilters(q=place), {"q": place}
    since = plan.now - timedelta(days=30)
    return (
        kind,
        IntelFilters(category=cat, created_from=since),
        {"category": cat, "created_from": since.isoformat()},
    )


def with_now(actor: Actor) -> Actor:
    return Actor(
        actor.user_id,
        actor.username,
        actor.agency_id,
        actor.agency_code,
        actor.roles,
        datetime.now(UTC),
        uuid.uuid4().hex,
        actor.source_ip,
        actor.node,
        actor.via,
    )


def measure_service_list(
    p: Platform, tap: SqlTap, viewers: list[Viewer], plan: WorldPlan, n: int, rng: random.Random, warmup: int
) -> dict[str, Any]:
    samples: list[dict[str, Any]] = []
    for i in range(warmup + n):
        v = rng.choice(viewers)
        kind, f, _ = draw_filter(rng, plan)
        actor = with_now(v.actor)
        tap.reset()
        t0 = time.perf_counter()
        with p.db.unit() as s:
            rows, _more, _ = p.intel.list(s, actor, f, PAGE, 0)
        ms = (time.perf_counter() - t0) * 1000
        if i < warmup:
            continue
        foreign = sum(1 for r in rows if r.owner_agency_id != actor.agency_id)
        samples.append(
            {
                "ms": ms,
                "kind": kind,
                "agency": actor.agency_code,
                "filter": f.__dict__,
                "rows": len(rows),
                "audit_rows": foreign,
                "statements": tap.statements,
                "sql_ms": dict(tap.by_kind),
                "list_sql": tap.list_sql,
            }
        )
    return _digest(samples)


def _digest(samples: list[dict[str, Any]]) -> dict[str, Any]:
    ms = [x["ms"] for x in samples]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for x in samples:
        by_kind[x["kind"]].append(x["ms"])
    split: dict[str, float] = defaultdict(float)
    for x in samples:
        for k, v in x.get("sql_ms", {}).items():
            split[k] += v
    structured = [x["ms"] for x in samples if not x["kind"].startswith("q_")]
    return {
        **summary(ms),
        "without_free_text": summary(structured),
        "rows_median": statistics.median(x["rows"] for x in samples),
        "audit_rows_per_call_mean": round(statistics.fmean(x["audit_rows"] for x in samples), 1),
        "statements_per_call_median": statistics.median(x["statements"] for x in samples),
        "sql_ms_mean_per_call": {k: round(v / len(samples), 2) for k, v in sorted(split.items())},
        "by_filter": {k: summary(v) for k, v in sorted(by_kind.items())},
        "_samples": samples,
    }


def measure_http(
    p: Platform, tap: SqlTap, viewers: list[Viewer], plan: WorldPlan, n: int, rng: random.Random, warmup: int
) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    app = create_app(platform=p, clock=lambda: datetime.now(UTC))
    samples: list[dict[str, Any]] = []
    with TestClient(app) as client:
        for i in range(warmup + n):
            v = rng.choice(viewers)
            kind, _, params = draw_filter(rng, plan)
            tap.reset()
            t0 = time.perf_counter()
            r = client.get(
                "/api/v1/intel-reports",
                params={**params, "limit": PAGE},
                headers={"Authorization": f"Bearer {v.token}"},
            )
            ms = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
            if i < warmup:
                continue
            items = r.json()["items"]
            foreign = sum(1 for it in items if it["sharing"]["owner_agency"] != v.actor.agency_code)
            samples.append(
                {
                    "ms": ms,
                    "kind": kind,
                    "agency": v.actor.agency_code,
                    "filter": params,
                    "rows": len(items),
                    "audit_rows": foreign,
                    "statements": tap.statements,
                    "sql_ms": dict(tap.by_kind),
                    "list_sql": tap.list_sql,
                }
            )
    return _digest(samples)


def measure_service_create(
    p: Platform, world: World, viewers: list[Viewer], n: int, rng: random.Random
) -> dict[str, Any]:
    """The full create path, one unit of work (transaction) per record, as an API request does it."""
    gen = Generator(rng, world)
    plan = world.plan
    code_of_mech = {mid: code for mid, code in zip(world.mechanism_ids, plan.mechanisms, strict=True)}
    code_of_agency = {aid: code for aid, code in zip(world.agency_ids, plan.agencies, strict=True)}
    payloads = []
    for _ in range(n):
        row, shares, dist = gen.record(plan.now)
        owner = world.agency_ids.index(row["owner_agency_id"])
        payload = {
            "title": row["title"],
            "body": row["body"],
            "category": row["category"],
            "source_reliability": row["source_reliability"],
            "info_accuracy": row["info_accuracy"],
            "tags": row["tags"],
            "countries": row["countries"],
            "substances": row["substances"],
            "distribution": dist,
            "handling_conditions": row["handling_conditions"],
            "contains_personal_data": row["contains_personal_data"],
            "agencies": [code_of_agency[s["target_id"]] for s in shares if s["target_kind"] == "agency"],
            # record(now) names only mechanisms the owner is a current member of today
            "mechanisms": [code_of_mech[s["target_id"]] for s in shares if s["target_kind"] == "mechanism"],
        }
        payloads.append((viewers[owner], payload, len(shares)))
    t0 = time.perf_counter()
    n_shares = 0
    for viewer, payload, k in payloads:
        actor = with_now(viewer.actor)
        with p.db.unit() as s:
            p.intel.create(s, actor, IntelReportCreate.model_validate(payload))
        n_shares += k
    elapsed = time.perf_counter() - t0
    return {
        "reports": n,
        "record_shares_approx": n_shares,
        "audit_rows": n,
        "seconds": round(elapsed, 2),
        "reports_per_s": round(n / elapsed),
        "rows_per_s_incl_shares_and_audit": round((2 * n + n_shares) / elapsed),
        "ms_per_report": round(elapsed / n * 1000, 2),
    }


def explain(engine: Engine, statement: str, params: Any) -> str:
    """Replays a captured list SELECT (driver-level text and params) under EXPLAIN."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            lines = [r[0] for r in cur.fetchall()]
        else:
            cur.execute("EXPLAIN QUERY PLAN " + statement, params)
            lines = [f"{'  ' * 0}{r[3]}" for r in cur.fetchall()]
            t0 = time.perf_counter()
            cur.execute(statement, params)
            n = len(cur.fetchall())
            lines.append(f"(replayed: {n} rows in {(time.perf_counter() - t0) * 1000:.1f} ms)")
        raw.rollback()
        return "\n".join(lines)
    finally:
        raw.close()


# --------------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------------


def _pg_admin(sql: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _pg_exists(name: str) -> bool:
    engine = create_engine(PG_ADMIN_URL)
    with engine.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    engine.dispose()
    return bool(found)


@contextlib.contextmanager
def database(store: str, tmp: Path, args: argparse.Namespace) -> Iterator[tuple[str, bool]]:
    """(url, reused). A fresh database unless --reuse finds the one --keep left; removed unless --keep."""
    if store == "sqlite":
        path = Path(args.sqlite_file) if args.sqlite_file else tmp / "bench.db"
        reused = bool(args.reuse and path.exists())
        if not reused:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        try:
            yield f"sqlite:///{path}", reused
        finally:
            if args.keep:
                print(f"  kept: sqlite:///{path}")
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
        return
    name = args.pg_name or f"bench_sharing_{os.getpid()}"
    reused = bool(args.reuse and _pg_exists(name))
    if not reused:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {name}")
    try:
        yield PG_ADMIN_URL.rpartition("/")[0] + "/" + name, reused
    finally:
        if args.keep:
            print(f"  kept: PostgreSQL database {name} (drop it: DROP DATABASE {name} WITH (FORCE))")
        else:
            _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def maintenance(engine: Engine, store: str, sqlite_analyze: bool) -> str:
    if store == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        return "VACUUM ANALYZE"
    if sqlite_analyze:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        return "ANALYZE"
    return "none (the application does not run ANALYZE on SQLite)"


def db_size(engine: Engine, store: str, url: str) -> str:
    if store == "postgresql":
        with engine.connect() as conn:
            return str(conn.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))")))
    path = Path(url.removeprefix("sqlite:///"))
    total = sum(Path(str(path) + s).stat().st_size for s in ("", "-wal") if Path(str(path) + s).exists())
    return f"{total / 2**20:.0f} MB"


def machine_info() -> dict[str, Any]:
    pg = "?"
    with contextlib.suppress(Exception):
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            pg = str(conn.scalar(text("SHOW server_version")))
        engine.dispose()
    cpu = "?"
    with contextlib.suppress(Exception):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(Exception):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    commit = "?"
    with contextlib.suppress(Exception):
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "src"],
            cwd=BENCH_DIR.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        commit += " (+ uncommitted changes in src/)" if dirty else ""
    import sqlalchemy

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": sys.version.split()[0],
        "platform": pyplatform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
        "sqlalchemy": sqlalchemy.__version__,
        "git": commit,
    }


# --------------------------------------------------------------------------------------------------
# One store, end to end
# --------------------------------------------------------------------------------------------------


def run_store(store: str, args: argparse.Namespace, plan: WorldPlan, cache: dict[str, Any]) -> dict[str, Any]:
    print(f"\n=== {store} ===", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="interdict-bench-"))
    result: dict[str, Any] = {"store": store}
    try:
        with database(store, tmp, args) as (url, reused):
            t0 = time.perf_counter()
            upgrade(url)
            result["migrate_s"] = round(time.perf_counter() - t0, 2)
            result["reused_database"] = reused
            if reused:
                print(
                    f"  reusing the kept database; migrations to head took {result['migrate_s']} s",
                    flush=True,
                )
            p = Platform(Settings(environment="test", database_url=url, data_dir=tmp, secret_key=SECRET))
            try:
                t0 = time.perf_counter()
                world = read_world(p, plan) if reused else apply_world(p, plan)
                issue_tokens(p, world)
                result["world_s"] = round(time.perf_counter() - t0, 2)
                print(
                    f"  structure: {len(plan.agencies)} agencies, {len(plan.mechanisms)} mechanisms, "
                    f"{len(plan.memberships)} memberships ({sum(m.left is not None for m in plan.memberships)}"
                    f" former), {len(plan.agreements)} agreements, {sum(map(len, world.user_ids))} users "
                    f"[{result['world_s']} s]",
                    flush=True,
                )
                if reused:
                    with p.db.unit() as s:
                        n = s.scalar(select(func.count()).select_from(IntelReport))
                    print(f"  {n:,} reports already loaded (bulk figures come from the run that loaded them)")
                    result["bulk"] = None
                if not reused and ("batches" not in cache or cache["world_key"] != world.key()):
                    t0 = time.perf_counter()
                    gen = Generator(random.Random(args.seed + 1), world)
                    cache["batches"] = gen.batches(args.records, args.batch)
                    cache["world_key"] = world.key()
                    cache["generation_s"] = round(time.perf_counter() - t0, 2)
                    dist = Counter(r["distribution"] for b, _ in cache["batches"] for r in b)
                    pd = sum(r["contains_personal_data"] for b, _ in cache["batches"] for r in b)
                    cache["mix"] = {k: round(v / args.records * 100, 1) for k, v in sorted(dist.items())} | {
                        "personal_data": round(pd / args.records * 100, 1)
                    }
                    print(
                        f"  generated {args.records:,} reports in Python [{cache['generation_s']} s]; "
                        f"mix % {cache['mix']}",
                        flush=True,
                    )
                if not reused:
                    result["generation_s"] = cache["generation_s"]
                    result["mix_percent"] = cache["mix"]
                    batches = cache["batches"]
                    measured = (
                        min(len(batches), math.ceil(args.bulk_sample / args.batch))
                        if args.bulk_sample
                        else len(batches)
                    )
                    head, tail = batches[: len(batches) - measured], batches[len(batches) - measured :]
                    if head:
                        print(
                            f"  loading the first {sum(len(r) for r, _ in head):,} reports (generation, not "
                            f"measured as bulk creation) ...",
                            flush=True,
                        )
                        result["loader"] = fast_load(p.db.engine, head)
                        ld = result["loader"]
                        print(
                            f"  loader: {ld['method']}: {ld['rows_per_s']:,} rows/s [{ld['seconds']} s]",
                            flush=True,
                        )
                    print(
                        f"  bulk creation, measured: the last {sum(len(r) for r, _ in tail):,} reports with Core "
                        f"insert executemany, batches of {args.batch:,}, one transaction each ...",
                        flush=True,
                    )
                    result["bulk"] = bulk_load(p.db.engine, tail)
                    result["bulk"]["table_rows_before"] = sum(len(r) for r, _ in head)
                    b = result["bulk"]
                    print(
                        f"  bulk: {b['reports']:,} reports + {b['record_shares']:,} shares in {b['seconds']} s "
                        f"= {b['rows_per_s']:,} rows/s ({b['reports_per_s']:,} reports/s)",
                        flush=True,
                    )
                t0 = time.perf_counter()
                result["maintenance"] = maintenance(p.db.engine, store, args.sqlite_analyze)
                result["maintenance_s"] = round(time.perf_counter() - t0, 2)
                result["db_size"] = db_size(p.db.engine, store, url)
                print(
                    f"  maintenance: {result['maintenance']} [{result['maintenance_s']} s]; "
                    f"size {result['db_size']}",
                    flush=True,
                )

                tap = SqlTap(p.db.engine)
                viewers = make_viewers(p, world)
                result["loadavg_before_lists"] = os.getloadavg()
                print(f"  service list x{args.queries} ...", flush=True)
                result["service_list"] = measure_service_list(
                    p, tap, viewers, plan, args.queries, random.Random(args.seed + 2), args.warmup
                )
                print("    " + _line(result["service_list"]), flush=True)
                if args.http_queries:
                    print(f"  HTTP list x{args.http_queries} ...", flush=True)
                    result["http_list"] = measure_http(
                        p, tap, viewers, plan, args.http_queries, random.Random(args.seed + 3), args.warmup
                    )
                    print("    " + _line(result["http_list"]), flush=True)
                result["loadavg_after_lists"] = os.getloadavg()
                result["explain"] = []
                slow = sorted(result["service_list"]["_samples"], key=lambda x: -x["ms"])[: args.explain]
                for x in slow:
                    if x["list_sql"] is None:
                        continue
                    result["explain"].append(
                        {
                            "ms": round(x["ms"], 2),
                            "kind": x["kind"],
                            "agency": x["agency"],
                            "filter": {k: v for k, v in x["filter"].items() if v is not None},
                            "plan": explain(p.db.engine, *x["list_sql"]),
                        }
                    )
                if args.create_sample:
                    print(f"  service create x{args.create_sample} ...", flush=True)
                    result["service_create"] = measure_service_create(
                        p, world, viewers, args.create_sample, random.Random(args.seed + 4)
                    )
                    c = result["service_create"]
                    print(f"    {c['reports_per_s']:,} reports/s ({c['ms_per_report']} ms each)", flush=True)
                with p.db.unit() as s:
                    result["audit_rows_total"] = s.scalar(
                        select(AuditRow.seq).order_by(AuditRow.seq.desc()).limit(1)
                    )
            finally:
                p.db.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _line(d: dict[str, Any]) -> str:
    return (
        f"median {d['median_ms']} ms, p95 {d['p95_ms']} ms, p99 {d['p99_ms']} ms, max {d['max_ms']} ms; "
        f"{d['audit_rows_per_call_mean']} audit rows/call; {d['statements_per_call_median']} statements/call"
    )


def report(
    results: list[dict[str, Any]], info: dict[str, Any], args: argparse.Namespace, command: str
) -> None:
    print("\n" + "=" * 100)
    print(
        f"Interdict sharing benchmark -- {args.records:,} reports, {args.agencies} agencies, "
        f"{args.mechanisms} mechanisms, page of {PAGE}, target p99 < {args.target_ms} ms"
    )
    print(
        f"machine: {info['nproc']} cores ({info['cpu']}), {info['memory']}; Python {info['python']}; "
        f"SQLite {info['sqlite']}; PostgreSQL {info['postgresql']}; SQLAlchemy {info['sqlalchemy']}; "
        f"git {info['git']}"
    )
    print(f"command: {command}")
    print("-" * 100)
    print(
        f"{'store':<11}{'path':<22}{'n':>5}{'median ms':>11}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'target':>8}"
    )
    for r in results:
        for key, label in (("service_list", "IntelService.list"), ("http_list", "GET /intel-reports")):
            if key not in r:
                continue
            d = r[key]
            ok = "ok" if d["p99_ms"] < args.target_ms else "MISS"
            print(
                f"{r['store']:<11}{label:<22}{d['n']:>5}{d['median_ms']:>11}{d['p95_ms']:>9}{d['p99_ms']:>9}"
                f"{d['max_ms']:>9}{ok:>8}"
            )
    for r in results:
        for key, label in (("service_list", "IntelService.list *"), ("http_list", "GET /intel-reports *")):
            if key in r:
                d = r[key]["without_free_text"]
                ok = "ok" if d["p99_ms"] < args.target_ms else "MISS"
                print(
                    f"{r['store']:<11}{label:<22}{d['n']:>5}{d['median_ms']:>11}{d['p95_ms']:>9}"
                    f"{d['p99_ms']:>9}{d['max_ms']:>9}{ok:>8}"
                )
    print("* without the free-text filter q (substring search over title and body; no index serves it)")
    print("-" * 100)
    print(f"{'store':<11}{'bulk (Core executemany)':<44}{'service create (full path)':<40}")
    for r in results:
        b = r.get("bulk")
        c = r.get("service_create")
        bulk = (
            f"{b['rows_per_s']:,} rows/s ({b['reports_per_s']:,} reports/s)" if b else "- (reused database)"
        )
        svc = f"{c['reports_per_s']:,} reports/s ({c['ms_per_report']} ms each)" if c else "-"
        print(f"{r['store']:<11}{bulk:<44}{svc:<40}")
    print("-" * 100)
    print("latency by filter (service path): median / p99 ms")
    kinds = sorted({k for r in results for k in r["service_list"]["by_filter"]})
    print(f"{'store':<11}" + "".join(f"{k:>18}" for k in kinds))
    for r in results:
        bf = r["service_list"]["by_filter"]
        print(
            f"{r['store']:<11}"
            + "".join(
                f"{(str(bf[k]['median_ms']) + ' / ' + str(bf[k]['p99_ms'])) if k in bf else '-':>18}"
                for k in kinds
            )
        )
    print("mean SQL time per call by statement kind (ms):")
    for r in results:
        for key in ("service_list", "http_list"):
            if key in r:
                print(f"  {r['store']:<11}{key:<14}{r[key]['sql_ms_mean_per_call']}")
    for r in results:
        if r.get("explain"):
            x = r["explain"][0]
            print(
                f"\nslowest {r['store']} list query ({x['ms']} ms, {x['kind']} {x['filter']}, viewer {x['agency']}):"
            )
            print("  " + x["plan"].replace("\n", "\n  "))
    print("=" * 100)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--records", type=int, default=1_000_000, help="intel reports to bulk-load")
    ap.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--queries", type=int, default=200, help="measured service-path list calls")
    ap.add_argument("--http-queries", type=int, default=100, help="measured HTTP list calls (0: skip)")
    ap.add_argument("--warmup", type=int, default=10, help="unmeasured calls before each measurement")
    ap.add_argument(
        "--create-sample", type=int, default=2000, help="records created via the service (0: skip)"
    )
    ap.add_argument("--batch", type=int, default=10_000, help="reports per bulk-insert transaction")
    ap.add_argument(
        "--bulk-sample",
        type=int,
        default=100_000,
        help="the last N reports are loaded with Core executemany and measured; the rest with "
        "COPY (PostgreSQL) / driver executemany (SQLite). 0: all through Core",
    )
    ap.add_argument("--agencies", type=int, default=200)
    ap.add_argument("--mechanisms", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--explain", type=int, default=3, help="slowest list queries to replay under EXPLAIN")
    ap.add_argument("--sqlite-analyze", action="store_true", help="run ANALYZE on SQLite after the load")
    ap.add_argument("--target-ms", type=float, default=50.0)
    ap.add_argument("--keep", action="store_true", help="keep the databases (to --reuse them)")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="measure a database kept by --keep (same --seed/--records) instead of loading anew",
    )
    ap.add_argument("--sqlite-file", default=None, help="SQLite file (default: a temp dir)")
    ap.add_argument("--pg-name", default=None, help="PostgreSQL database name (default bench_sharing_<pid>)")
    ap.add_argument(
        "--out", type=Path, default=None, help="JSON output (default bench/out/sharing-<time>.json)"
    )
    args = ap.parse_args()
    command = " ".join(
        [
            os.path.relpath(sys.executable, BENCH_DIR.parent)
            if sys.executable.startswith(str(BENCH_DIR.parent))
            else sys.executable,
            os.path.relpath(__file__, Path.cwd()),
            *sys.argv[1:],
        ]
    )
    stores = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    info = machine_info()
    now = datetime.now(UTC).replace(microsecond=0)
    plan = plan_world(random.Random(args.seed), args.agencies, args.mechanisms, now)
    cache: dict[str, Any] = {}
    results = []
    t_all = time.perf_counter()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = args.out or OUT_DIR / f"sharing-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    failed = False

    def save() -> None:
        payload = {
            "command": command,
            "machine": info,
            "args": {k: str(v) for k, v in vars(args).items()},
            "total_s": round(time.perf_counter() - t_all, 1),
            "results": results,
        }
        out.write_text(json.dumps(payload, indent=2, default=str))

    for store in stores:
        try:
            r = run_store(store, args, plan, cache)
        except Exception as exc:  # keep the other store's figures
            import traceback

            traceback.print_exc()
            print(f"!! {store} failed: {exc!r}")
            failed = True
            continue
        for key in ("service_list", "http_list"):
            if key in r:
                samples = r[key].pop("_samples")
                r[key]["slowest"] = [
                    {k: v for k, v in x.items() if k != "list_sql"}
                    for x in sorted(samples, key=lambda x: -x["ms"])[:10]
                ]
                r[key]["samples"] = [[x["kind"], round(x["ms"], 2)] for x in samples]
        results.append(r)
        save()
    cache.clear()
    if results:
        report(results, info, args, command)
    save()
    print(f"results: {out}  (total {round(time.perf_counter() - t_all, 1)} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
