"""Signals over the seizures the asking agency may see; planted changes found; alerts under the sharing rule."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from interdict.domain.errors import BadInputError, NotFoundError
from interdict.services.demo_situation import _row, planted_rows
from interdict.services.platform import Platform
from interdict.services.seizure_import import FIELDS, ImportOptions
from interdict.services.sharing import DistributionRequest
from interdict.services.signals import SignalQuery, finding_id
from interdict.store.records import IntelReport
from tests.conftest import Clock
from tests.factories import Person, World

TODAY = date(2026, 11, 1)


def _load(platform: Platform, world: World, who: Person, rows: list[list[str]], level: str,
          agencies: list[str] | None = None) -> None:  # fmt: skip
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(FIELDS)
    w.writerows(rows)
    actor = world.actor(who)
    with platform.db.unit() as s:
        out = platform.seizure_import.run(s, actor, io.BytesIO(buf.getvalue().encode()), ImportOptions(
            filename="t.csv", distribution=DistributionRequest(level, agencies or [], [])))
        assert out.loaded, out.errors[:3]


@pytest.fixture
def setup(platform: Platform, world: World, clock: Clock) -> dict[str, Person]:
    clock.now = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for code, country in (("TH-A", "TH"), ("CN-B", "CN"), ("VN-C", "VN")):
        world.agency(code, country=country)
    world.mechanism("MEK", ["TH-A", "CN-B"])
    people = {c: world.user(c, "analyst") for c in ("TH-A", "CN-B", "VN-C")}
    rows = planted_rows("TH-A", "TH", TODAY, random.Random(5))
    _load(platform, world, people["TH-A"], rows, "all")
    # Only CN-B sees this: a substance nobody else may learn about, and a spike of its own.
    secret = [_row(f"B-{i}", TODAY - timedelta(days=20 + i), "CN", "etonitazene", 900.0, "kg", "MM", "CN")
              for i in range(6)]  # fmt: skip
    # Two years of CN-B's own heroin seizures before it: a history in which etonitazene is new.
    secret += [_row(f"B-H-{i}", TODAY - timedelta(days=200 + 15 * i), "CN", "heroin", 5.0, "kg", "MM", "CN")
               for i in range(40)]  # fmt: skip
    _load(platform, world, people["CN-B"], secret, "agency")
    return people


def _query() -> SignalQuery:
    return SignalQuery(date(2026, 6, 1), date(2026, 10, 31))


def test_planted_route_shift_and_first_sighting_are_found(platform: Platform, world: World, setup: dict[str, Person]) -> None:
    actor = world.actor(setup["TH-A"])
    with platform.db.unit() as s:
        out = platform.signals.run(s, actor, _query())
    shifts = [f for f in out.findings if f.kind == "route_shift" and f.status == "signal"]
    assert [f.subject["substance"] for f in shifts] == ["methamphetamine"]
    assert shifts[0].figures["gained"][0] == "LA>TH" and shifts[0].figures["lost"][0] == "MM>TH"
    assert abs(date.fromisoformat(shifts[0].figures["change_point"] + "-01") - date(2025, 12, 1)).days < 100
    new = [f for f in out.findings if f.kind == "first_sighting" and f.status == "signal"]
    assert [(f.subject["substance"], f.subject["country"]) for f in new] == [("protonitazene", "TH")]
    assert out.scope == "seizures visible to TH-A"


def test_signals_never_use_seizures_the_agency_may_not_see(platform: Platform, world: World, setup: dict[str, Person]) -> None:
    for who in ("TH-A", "VN-C"):
        actor = world.actor(setup[who])
        with platform.db.unit() as s:
            out = platform.signals.run(s, actor, _query())
        assert not any("etonitazene" in f.message or "etonitazene" in str(f.subject) for f in out.findings)
    actor = world.actor(setup["CN-B"])
    with platform.db.unit() as s:
        out = platform.signals.run(s, actor, _query())
    assert any(f.subject.get("substance") == "etonitazene" for f in out.findings)


def test_publish_reaches_mechanism_members_only(platform: Platform, world: World, setup: dict[str, Person]) -> None:
    author = world.actor(setup["TH-A"])
    with platform.db.unit() as s:
        out = platform.signals.run(s, author, _query())
        shift = next(f for f in out.findings if f.kind == "route_shift" and f.status == "signal")
        report = platform.signals.publish(s, author, _query(), finding_id(shift), "MEK")
        ref = report.uuid
        assert "LA>TH" in report.body and report.category == "trafficking_route"
    member, outsider = world.actor(setup["CN-B"]), world.actor(setup["VN-C"])
    with platform.db.unit() as s:
        assert platform.intel.get(s, member, ref).uuid == ref
        with pytest.raises(NotFoundError):
            platform.intel.get(s, outsider, ref)


def test_publish_refuses_a_signal_built_on_what_members_do_not_share(
    platform: Platform, world: World, setup: dict[str, Person]
) -> None:
    b = world.actor(setup["CN-B"])
    with platform.db.unit() as s:
        out = platform.signals.run(s, b, _query())
        secret = next(f for f in out.findings if f.subject.get("substance") == "etonitazene" and f.status == "signal")
        with pytest.raises(BadInputError, match="does not hold over the seizures that every member"):
            platform.signals.publish(s, b, _query(), finding_id(secret), "MEK")
    with platform.db.unit() as s:
        assert s.scalars(select(IntelReport)).all() == []
    outsider = world.actor(setup["VN-C"])
    with platform.db.unit() as s, pytest.raises(BadInputError, match="not a member"):
        platform.signals.publish(s, outsider, _query(), "0" * 16, "MEK")


def test_vectorised_changes_agree_with_the_rule_series_by_series() -> None:
    """``_changes`` pre-selects with numpy; the rule applied to every series must flag the same ones."""
    import numpy as np

    from interdict.domain.signals import change, month_index, month_label
    from interdict.services.signals import _changes

    rng = np.random.default_rng(2)
    first, months = month_index("2022-01"), 48
    rows = {}
    for s_ in range(5):
        for c in range(20):
            scale = rng.choice([0.3, 1.0, 3.0])
            for t in range(months):
                kg = float(rng.lognormal(3, 0.4) * (scale if t >= 42 else 1.0))
                rows[(f"s{s_}", f"C{c:02d}", month_label(first + t))] = (1, kg, {})
    q = SignalQuery(date(2025, 7, 1), date(2025, 12, 31))
    got = {(f.subject["substance"], f.subject["country"]) for f in _changes(rows, first, first + months - 1, q)}
    want = set()
    for s_ in range(5):
        for c in range(20):
            series = [rows[(f"s{s_}", f"C{c:02d}", month_label(first + t))][1] for t in range(months)]
            cur, prev = sum(series[42:48]), sum(series[36:42])
            earlier = [sum(series[42 - 12 * y : 48 - 12 * y]) for y in (1, 2, 3)]
            if change({}, "", cur, prev, earlier).status == "signal":
                want.add((f"s{s_}", f"C{c:02d}"))
    assert got == want and want  # some series tripled or fell to a third
