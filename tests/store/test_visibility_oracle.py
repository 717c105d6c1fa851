"""The SQL filter (``interdict.store.visibility``) equals the Python rule (``domain.sharing.can_see``).

Hypothesis generates whole worlds: agencies, mechanisms with memberships that start and end around
"today", bilateral and mechanism agreements (personal data or not, with validity windows), and records
with any distribution and any named targets, including targets that do not fit the distribution,
unknown ids, and ids of the wrong kind. Each world is inserted with the store models inside one
transaction, every agency is asked "what may you see?" for the day before, the day itself and the day
after, and the transaction is rolled back, so examples never see each other's rows. Runs on SQLite and
PostgreSQL through the ``db_url`` fixture.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from interdict.domain.sharing import Agreement as AgreementFacts
from interdict.domain.sharing import Distribution, Membership, SharingFacts, World, can_see
from interdict.services.sharing import ResolvedDistribution, audience_for
from interdict.store.db import make_engine
from interdict.store.models import (
    Agency,
    Agreement,
    Audience,
    IntelReport,
    Mechanism,
    MechanismMember,
    RecordShare,
    User,
)
from interdict.store.visibility import viewer_context, visible

TODAY = date(2026, 6, 1)
DAYS = (TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1))
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
EXAMPLES_PER_DATABASE = 150


# -- what a generated world looks like -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A named target: the n-th agency/mechanism of the world, or a raw id (unknown, or of the wrong kind)."""

    index: int | None = None
    raw_id: int | None = None


@dataclass(frozen=True)
class MemberSpec:
    agency: int
    mechanism: int
    joined: int  # days from TODAY
    left_after: int | None  # days after joining; None: still a member


@dataclass(frozen=True)
class AgreementSpec:
    personal: bool
    valid_from: int  # days from TODAY
    valid_for: int | None  # valid_to = valid_from + valid_for; None: open-ended
    agencies: tuple[int, int] | None = None
    mechanism: int | None = None


@dataclass(frozen=True)
class RecordSpec:
    owner: int
    distribution: Distribution
    agencies: tuple[Target, ...]
    mechanisms: tuple[Target, ...]
    personal: bool


@dataclass(frozen=True)
class WorldSpec:
    agencies: int
    mechanisms: int
    members: tuple[MemberSpec, ...] = ()
    agreements: tuple[AgreementSpec, ...] = ()
    records: tuple[RecordSpec, ...] = field(default_factory=tuple)


def _day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


offsets = st.integers(-3, 3)
gaps = st.none() | st.integers(0, 3)


def targets(n: int) -> st.SearchStrategy[tuple[Target, ...]]:
    one = st.one_of(
        st.integers(0, n - 1).map(lambda i: Target(index=i)) if n else st.nothing(),
        # Unknown ids, and small ids that may be some agency's id used as a mechanism id (or vice versa).
        st.integers(-3, 12).map(lambda i: Target(raw_id=i)),
        st.just(Target(raw_id=2_000_000_000)),
    )
    return st.lists(one, max_size=3).map(tuple)


@st.composite
def world_specs(draw: st.DrawFn) -> WorldSpec:
    n_ag = draw(st.integers(2, 8))
    n_mech = draw(st.integers(0, 4))
    agency = st.integers(0, n_ag - 1)
    members: list[MemberSpec] = []
    if n_mech:
        members = draw(
            st.lists(st.builds(MemberSpec, agency, st.integers(0, n_mech - 1), offsets, gaps), max_size=12)
        )
    pair = st.lists(agency, min_size=2, max_size=2, unique=True).map(lambda p: (p[0], p[1]))
    personal = st.sampled_from((True, True, False))  # agreements that allow personal data matter most
    bilateral = st.builds(AgreementSpec, personal, offsets, gaps, agencies=pair)
    by_mechanism = st.builds(
        AgreementSpec, personal, offsets, gaps, mechanism=st.integers(0, max(n_mech - 1, 0))
    )
    kinds = st.one_of(bilateral, by_mechanism) if n_mech else bilateral
    agreements = draw(st.lists(kinds, max_size=6))
    # Draw the count first: a plain st.lists() keeps most worlds at a handful of records.
    n_records = draw(st.integers(0, 40))
    records = draw(
        st.lists(
            st.builds(
                RecordSpec,
                agency,
                st.sampled_from(list(Distribution)),
                targets(n_ag),
                targets(n_mech),
                st.booleans(),
            ),
            min_size=n_records,
            max_size=n_records,
        )
    )
    return WorldSpec(n_ag, n_mech, tuple(members), tuple(agreements), tuple(records))


# -- the two halves --------------------------------------------------------------------------------------


def python_world(spec: WorldSpec) -> World:
    memberships = tuple(
        Membership(
            f"AG{m.agency}",
            f"MX{m.mechanism}",
            _day(m.joined),
            None if m.left_after is None else _day(m.joined + m.left_after),
        )
        for m in spec.members
    )
    agreements = tuple(
        AgreementFacts(
            a.personal,
            _day(a.valid_from),
            None if a.valid_for is None else _day(a.valid_from + a.valid_for),
            agencies=frozenset(f"AG{i}" for i in a.agencies) if a.agencies else frozenset(),
            mechanism=None if a.mechanism is None else f"MX{a.mechanism}",
        )
        for a in spec.agreements
    )
    return World(memberships, agreements, frozenset(f"AG{i}" for i in range(spec.agencies)))


@dataclass
class Tally:
    cases: int = 0  # (world, viewer, day)
    pairs: int = 0  # (world, viewer, day, record)
    foreign_visible: int = 0  # pairs where a non-owner sees the record
    foreign_personal_visible: int = 0


def insert_structure(s: Session, spec: WorldSpec, prefix: str) -> tuple[list[Agency], list[Mechanism], User]:
    """The agencies, mechanisms, memberships and agreements of ``spec``, and an author for its records
    (codes start with ``prefix``). Shared by the oracles of each record type."""
    agencies = [
        Agency(code=f"{prefix}A-{i}", name_en=f"Agency {i}", kind="police", created_at=NOW)
        for i in range(spec.agencies)
    ]
    mechanisms = [
        Mechanism(code=f"{prefix}M-{j}", name_en=f"Mechanism {j}", kind="multilateral", created_at=NOW)
        for j in range(spec.mechanisms)
    ]
    s.add_all([*agencies, *mechanisms])
    s.flush()
    author = User(
        uuid=str(uuid.uuid4()),
        username=f"{prefix.lower()}-author",
        agency_id=agencies[0].id,
        password_hash="x",
        created_at=NOW,
        password_changed_at=NOW,
    )
    s.add(author)
    s.flush()
    for m in spec.members:
        s.add(
            MechanismMember(
                mechanism_id=mechanisms[m.mechanism].id,
                agency_id=agencies[m.agency].id,
                joined=_day(m.joined),
                left=None if m.left_after is None else _day(m.joined + m.left_after),
            )
        )
    for a in spec.agreements:
        s.add(
            Agreement(
                uuid=str(uuid.uuid4()),
                title="Agreement",
                kind="bilateral" if a.agencies else "mechanism",
                agency_a_id=agencies[a.agencies[0]].id if a.agencies else None,
                agency_b_id=agencies[a.agencies[1]].id if a.agencies else None,
                mechanism_id=None if a.mechanism is None else mechanisms[a.mechanism].id,
                allows_personal_data=a.personal,
                valid_from=_day(a.valid_from),
                valid_to=None if a.valid_for is None else _day(a.valid_from + a.valid_for),
                created_at=NOW,
            )
        )
    return agencies, mechanisms, author


def check_world(engine: Engine, spec: WorldSpec, tally: Tally) -> None:
    """Insert ``spec``, compare SQL with Python for every agency and day, roll everything back."""
    with Session(engine) as s:
        agencies, mechanisms, author = insert_structure(s, spec, "ORC")
        agency_name = {ag.id: f"AG{i}" for i, ag in enumerate(agencies)}
        mechanism_name = {me.id: f"MX{j}" for j, me in enumerate(mechanisms)}
        facts: dict[str, SharingFacts] = {}
        for r in spec.records:
            ref = str(uuid.uuid4())
            agency_ids = {agencies[t.index].id if t.index is not None else t.raw_id for t in r.agencies}
            mechanism_ids = {
                mechanisms[t.index].id if t.index is not None else t.raw_id for t in r.mechanisms
            }
            s.add(
                IntelReport(
                    uuid=ref,
                    owner_agency_id=agencies[r.owner].id,
                    distribution=r.distribution.value,
                    contains_personal_data=r.personal,
                    title="Oracle report",
                    category="other",
                    source_reliability="B",
                    info_accuracy=2,
                    created_at=NOW,
                    updated_at=NOW,
                    created_by_id=author.id,
                    updated_by_id=author.id,
                )
            )
            s.add_all(
                [RecordShare(record_uuid=ref, target_kind="agency", target_id=i) for i in agency_ids]
                + [RecordShare(record_uuid=ref, target_kind="mechanism", target_id=i) for i in mechanism_ids]
            )
            # The oracle reads the targets the way the database holds them: an id is whatever it names.
            facts[ref] = SharingFacts(
                owner=f"AG{r.owner}",
                distribution=r.distribution,
                agencies=frozenset(
                    agency_name.get(i, f"unknown-agency-{i}") for i in agency_ids if i is not None
                ),
                mechanisms=frozenset(
                    mechanism_name.get(i, f"unknown-mechanism-{i}") for i in mechanism_ids if i is not None
                ),
                contains_personal_data=r.personal,
            )
        s.flush()
        # Each record's audience, as the write paths of seizures compute it (services.sharing).
        audiences: dict[str, int] = {}
        for ref in facts:
            row = s.get(IntelReport, s.scalar(select(IntelReport.id).where(IntelReport.uuid == ref)))
            assert row is not None
            shares = s.execute(
                select(RecordShare.target_kind, RecordShare.target_id).where(RecordShare.record_uuid == ref)
            ).all()
            audiences[ref] = audience_for(
                s,
                row.owner_agency_id,
                ResolvedDistribution(
                    Distribution(row.distribution),
                    frozenset(t for k, t in shares if k == "agency"),
                    frozenset(t for k, t in shares if k == "mechanism"),
                    (),
                ),
                row.contains_personal_data,
            )
        world = python_world(spec)
        mismatches: list[str] = []
        for day in DAYS:
            for ag in agencies:
                ctx = viewer_context(s, ag.id, day)
                got = set(s.scalars(select(IntelReport.uuid).where(visible(IntelReport, ctx))))
                name = agency_name[ag.id]
                want = {ref for ref, f in facts.items() if can_see(name, f, world, day)}
                tally.cases += 1
                tally.pairs += len(facts)
                tally.foreign_visible += sum(1 for ref in want if facts[ref].owner != name)
                tally.foreign_personal_visible += sum(
                    1 for ref in want if facts[ref].owner != name and facts[ref].contains_personal_data
                )
                for ref in got ^ want:
                    mismatches.append(
                        f"{day} viewer {name}: SQL {'shows' if ref in got else 'hides'} {facts[ref]} "
                        f"(context {ctx})"
                    )
                for level in Distribution:  # the rule narrowed to one level, as list filters use it
                    narrowed = set(
                        s.scalars(select(IntelReport.uuid).where(visible(IntelReport, ctx, level)))
                    )
                    expected = {ref for ref in want if facts[ref].distribution is level}
                    mismatches.extend(
                        f"{day} viewer {name}, {level.value} only: SQL {'shows' if ref in narrowed else 'hides'} "
                        f"{facts[ref]}"
                        for ref in narrowed ^ expected
                    )
                # The rule applied to each record's audience, as the statistics use it.
                seen_audiences = set(s.scalars(select(Audience.id).where(visible(Audience, ctx))))
                by_audience = {ref for ref, aid in audiences.items() if aid in seen_audiences}
                mismatches.extend(
                    f"{day} viewer {name}, by audience: SQL {'shows' if ref in by_audience else 'hides'} "
                    f"{facts[ref]}"
                    for ref in by_audience ^ want
                )
        s.rollback()
    assert not mismatches, "SQL filter and can_see disagree:\n" + "\n".join(mismatches)


# -- named worlds, so these cases never depend on what hypothesis happens to draw -----------------------

ALL_SHARED = Distribution.ALL
EMPTY_AND_UNKNOWN = WorldSpec(
    agencies=3,
    mechanisms=2,
    members=(MemberSpec(0, 0, -5, None), MemberSpec(1, 0, -5, None), MemberSpec(2, 1, -5, None)),
    agreements=(AgreementSpec(True, -5, None, mechanism=0),),
    records=(
        RecordSpec(0, Distribution.AGENCIES, (), (), False),
        RecordSpec(0, Distribution.AGENCIES, (), (), True),
        RecordSpec(0, Distribution.AGENCIES, (Target(raw_id=-1), Target(raw_id=2_000_000_000)), (), False),
        RecordSpec(0, Distribution.AGENCIES, (), (Target(index=0),), False),  # targets of the wrong kind
        RecordSpec(0, Distribution.MECHANISMS, (), (), False),
        RecordSpec(0, Distribution.MECHANISMS, (), (Target(raw_id=-1), Target(raw_id=2_000_000_000)), False),
        RecordSpec(0, Distribution.MECHANISMS, (Target(index=1), Target(index=2)), (), False),
        RecordSpec(0, Distribution.AGENCY, (Target(index=1),), (Target(index=0),), False),
        RecordSpec(0, ALL_SHARED, (), (), True),  # personal data: partner AG1 only (mechanism agreement)
    ),
)


# Every boundary at once: joins today, left today, joins tomorrow, agreements ending today or yesterday,
# starting tomorrow, not allowing personal data; every owner x distribution x personal-data flag.
BOUNDARIES = WorldSpec(
    agencies=4,
    mechanisms=2,
    members=(
        MemberSpec(0, 0, -3, None),
        MemberSpec(1, 0, 0, None),  # joins MX0 today
        MemberSpec(2, 0, -3, 3),  # leaves MX0 today
        MemberSpec(3, 1, 1, None),  # joins MX1 tomorrow
        MemberSpec(0, 1, -3, 2),  # left MX1 yesterday
        MemberSpec(1, 1, -2, None),
    ),
    agreements=(
        AgreementSpec(True, -1, 1, mechanism=0),  # MX0, in force yesterday and today
        AgreementSpec(True, 1, None, agencies=(0, 3)),  # from tomorrow
        AgreementSpec(False, -3, None, agencies=(0, 2)),  # no personal data
        AgreementSpec(True, -3, 2, agencies=(1, 3)),  # ends yesterday
        AgreementSpec(True, 0, 0, mechanism=1),  # today only
    ),
    records=tuple(
        RecordSpec(
            owner,
            dist,
            tuple(Target(index=i) for i in range(4) if i != owner),
            (Target(index=0), Target(index=1)),
            personal,
        )
        for owner in range(4)
        for dist in Distribution
        for personal in (False, True)
    ),
)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    e = make_engine(db_url)
    yield e
    e.dispose()


def test_sql_filter_equals_python_rule(
    engine: Engine, record_property: Callable[[str, object], None]
) -> None:
    tally = Tally()

    @settings(
        max_examples=EXAMPLES_PER_DATABASE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(spec=world_specs())
    @example(spec=EMPTY_AND_UNKNOWN)
    @example(spec=BOUNDARIES)
    def check(spec: WorldSpec) -> None:
        check_world(engine, spec, tally)

    check()
    record_property("world_viewer_day_cases", tally.cases)
    record_property("record_pairs", tally.pairs)
    record_property("foreign_visible_pairs", tally.foreign_visible)
    record_property("foreign_personal_visible_pairs", tally.foreign_personal_visible)
    # The run must exercise the interesting part of the rule, not only "owner sees, others don't" (the
    # explicit examples guarantee it whatever hypothesis draws).
    assert tally.foreign_visible > 0 and tally.foreign_personal_visible > 0


def test_empty_or_unknown_targets_reach_only_the_owner(engine: Engine) -> None:
    tally = Tally()
    check_world(engine, EMPTY_AND_UNKNOWN, tally)
    assert tally.cases == 3 * len(DAYS)
    # Only the last record (shared with all, personal data under MX0's agreement) reaches anyone but AG0:
    # AG1 as partner (3 days) and AG2 not at all. Everything else reaches nobody but the owner.
    assert tally.foreign_visible == 3


def test_wrong_kind_ids_do_not_reach(engine: Engine) -> None:
    """A mechanism-kind target whose id equals the viewer's agency id (and the reverse) reaches nobody."""
    with Session(engine) as s:
        a = Agency(code="WK-A", name_en="A", kind="police", created_at=NOW)
        b = Agency(code="WK-B", name_en="B", kind="police", created_at=NOW)
        m = Mechanism(code="WK-M", name_en="M", kind="multilateral", created_at=NOW)
        s.add_all([a, b, m])
        s.flush()
        s.add(MechanismMember(mechanism_id=m.id, agency_id=b.id, joined=TODAY - timedelta(days=9)))
        author = User(
            uuid=str(uuid.uuid4()),
            username="wk",
            agency_id=a.id,
            password_hash="x",
            created_at=NOW,
            password_changed_at=NOW,
        )
        s.add(author)
        s.flush()
        refs = {"agencies": str(uuid.uuid4()), "mechanisms": str(uuid.uuid4())}
        for dist, ref in refs.items():
            s.add(
                IntelReport(
                    uuid=ref,
                    owner_agency_id=a.id,
                    distribution=dist,
                    title="t",
                    category="other",
                    source_reliability="B",
                    info_accuracy=2,
                    created_at=NOW,
                    updated_at=NOW,
                    created_by_id=author.id,
                    updated_by_id=author.id,
                )
            )
        # "agencies" naming b's id as a mechanism, "mechanisms" naming m's id as an agency.
        s.add_all(
            [
                RecordShare(record_uuid=refs["agencies"], target_kind="mechanism", target_id=b.id),
                RecordShare(record_uuid=refs["mechanisms"], target_kind="agency", target_id=m.id),
                RecordShare(record_uuid=refs["mechanisms"], target_kind="agency", target_id=b.id),
            ]
        )
        s.flush()
        ctx = viewer_context(s, b.id, TODAY)
        assert ctx.mechanism_ids == {m.id}
        assert set(s.scalars(select(IntelReport.uuid).where(visible(IntelReport, ctx)))) == set()
        s.rollback()
