"""The sharing rule in Python (``interdict.domain.sharing.can_see``), pinned case by case and by property.

The case table is the readable statement of the rule; the properties check how it behaves on
generated worlds (monotonicity: widening never hides, taking away memberships or agreements never
reveals). The SQL half is held equal to this predicate in tests/store/test_visibility_oracle.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interdict.domain.sharing import Agreement, Distribution, Membership, SharingFacts, World, can_see

TODAY = date(2026, 6, 1)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
LONG_AGO = date(2020, 1, 1)

OWNER, VIEWER, THIRD = "OWN", "VIEW", "THIRD"
MEK, OTHER = "MEK", "OTHER"


def member(
    agency: str, mechanism: str = MEK, joined: date = LONG_AGO, left: date | None = None
) -> Membership:
    return Membership(agency, mechanism, joined, left)


def bilateral(
    a: str = OWNER,
    b: str = VIEWER,
    personal: bool = True,
    valid_from: date = LONG_AGO,
    valid_to: date | None = None,
) -> Agreement:
    return Agreement(personal, valid_from, valid_to, agencies=frozenset({a, b}))


def mech_agreement(
    mechanism: str = MEK, personal: bool = True, valid_from: date = LONG_AGO, valid_to: date | None = None
) -> Agreement:
    return Agreement(personal, valid_from, valid_to, mechanism=mechanism)


def record(
    distribution: Distribution,
    *,
    owner: str = OWNER,
    agencies: tuple[str, ...] = (),
    mechanisms: tuple[str, ...] = (),
    personal: bool = False,
) -> SharingFacts:
    return SharingFacts(owner, distribution, frozenset(agencies), frozenset(mechanisms), personal)


def world(*parts: Membership | Agreement) -> World:
    return World(
        memberships=tuple(p for p in parts if isinstance(p, Membership)),
        agreements=tuple(p for p in parts if isinstance(p, Agreement)),
        agencies=frozenset({OWNER, VIEWER, THIRD}),
    )


BOTH_IN_MEK = (member(OWNER), member(VIEWER))


@dataclass(frozen=True)
class Case:
    id: str
    record: SharingFacts
    world: World
    expected: bool
    viewer: str = VIEWER
    day: date = TODAY


A, AS, MS, ALL = Distribution.AGENCY, Distribution.AGENCIES, Distribution.MECHANISMS, Distribution.ALL

CASES: list[Case] = [
    # -- the owner ----------------------------------------------------------------------------------
    Case("owner-sees-agency-only", record(A), world(), True, viewer=OWNER),
    Case(
        "owner-sees-own-personal-data-without-agreement",
        record(A, personal=True),
        world(),
        True,
        viewer=OWNER,
    ),
    Case("owner-sees-agencies-naming-nobody", record(AS), world(), True, viewer=OWNER),
    Case("owner-sees-mechanisms-naming-nobody", record(MS), world(), True, viewer=OWNER),
    Case(
        "owner-sees-mechanism-record-after-leaving",
        record(MS, mechanisms=(MEK,)),
        world(member(OWNER, left=YESTERDAY)),
        True,
        viewer=OWNER,
    ),
    # -- agency ---------------------------------------------------------------------------------------
    Case("agency-hides-from-other", record(A), world(), False),
    Case(
        "agency-hides-from-comember-with-agreement",
        record(A, personal=True),
        world(*BOTH_IN_MEK, mech_agreement(), bilateral()),
        False,
    ),
    # -- agencies -------------------------------------------------------------------------------------
    Case("agencies-reaches-named", record(AS, agencies=(VIEWER,)), world(), True),
    Case("agencies-reaches-named-among-others", record(AS, agencies=(THIRD, VIEWER)), world(), True),
    Case("agencies-hides-from-unnamed", record(AS, agencies=(THIRD,)), world(), False),
    Case("agencies-empty-list-reaches-nobody", record(AS), world(*BOTH_IN_MEK), False),
    Case("agencies-unknown-code-reaches-nobody", record(AS, agencies=("NO-SUCH",)), world(), False),
    Case("agencies-ignores-named-mechanisms", record(AS, mechanisms=(MEK,)), world(*BOTH_IN_MEK), False),
    # -- mechanisms -----------------------------------------------------------------------------------
    Case("mechanisms-reaches-current-member", record(MS, mechanisms=(MEK,)), world(*BOTH_IN_MEK), True),
    Case(
        "mechanisms-reaches-member-of-one-of-several",
        record(MS, mechanisms=(OTHER, MEK)),
        world(member(VIEWER)),
        True,
    ),
    Case("mechanisms-owner-need-not-be-member", record(MS, mechanisms=(MEK,)), world(member(VIEWER)), True),
    Case("mechanisms-hides-from-non-member", record(MS, mechanisms=(MEK,)), world(member(OWNER)), False),
    Case(
        "mechanisms-hides-from-member-of-other-mechanism",
        record(MS, mechanisms=(MEK,)),
        world(member(OWNER), member(VIEWER, OTHER)),
        False,
    ),
    Case("mechanisms-empty-list-reaches-nobody", record(MS), world(*BOTH_IN_MEK), False),
    Case(
        "mechanisms-unknown-code-reaches-nobody",
        record(MS, mechanisms=("NO-SUCH",)),
        world(*BOTH_IN_MEK),
        False,
    ),
    Case("mechanisms-ignores-named-agencies", record(MS, agencies=(VIEWER,)), world(), False),
    Case(
        "mechanisms-hides-from-former-member",
        record(MS, mechanisms=(MEK,)),
        world(member(OWNER), member(VIEWER, left=YESTERDAY)),
        False,
    ),
    Case(
        "mechanisms-left-today-is-no-longer-member",
        record(MS, mechanisms=(MEK,)),
        world(member(OWNER), member(VIEWER, left=TODAY)),
        False,
    ),
    Case(
        "mechanisms-left-tomorrow-is-still-member",
        record(MS, mechanisms=(MEK,)),
        world(member(OWNER), member(VIEWER, left=TOMORROW)),
        True,
    ),
    Case(
        "mechanisms-joined-today-is-member",
        record(MS, mechanisms=(MEK,)),
        world(member(OWNER), member(VIEWER, joined=TODAY)),
        True,
    ),
    Case(
        "mechanisms-joined-tomorrow-is-not-yet-member",
        record(MS, mechanisms=(MEK,)),
        world(member(OWNER), member(VIEWER, joined=TOMORROW)),
        False,
    ),
    Case(
        "mechanisms-rejoined-after-leaving-is-member",
        record(MS, mechanisms=(MEK,)),
        world(member(VIEWER, left=YESTERDAY - timedelta(days=10)), member(VIEWER, joined=YESTERDAY)),
        True,
    ),
    Case(
        "mechanisms-joined-and-left-same-day-never-member",
        record(MS, mechanisms=(MEK,)),
        world(member(VIEWER, joined=TODAY, left=TODAY)),
        False,
    ),
    Case(
        "mechanisms-evaluated-for-the-day-given",
        record(MS, mechanisms=(MEK,)),
        world(member(VIEWER, left=TODAY)),
        True,
        day=YESTERDAY,
    ),
    # -- all ------------------------------------------------------------------------------------------
    Case("all-reaches-anyone", record(ALL), world(), True),
    Case("all-reaches-agency-outside-every-mechanism", record(ALL), world(member(OWNER)), True),
    # -- personal data: needs an agreement in force allowing it --------------------------------------
    Case("pd-without-agreement-hidden", record(ALL, personal=True), world(), False),
    Case(
        "pd-without-agreement-hidden-even-if-named",
        record(AS, agencies=(VIEWER,), personal=True),
        world(),
        False,
    ),
    Case("pd-bilateral-in-force", record(ALL, personal=True), world(bilateral()), True),
    Case("pd-bilateral-either-order", record(ALL, personal=True), world(bilateral(VIEWER, OWNER)), True),
    Case(
        "pd-bilateral-not-allowing-personal-data",
        record(ALL, personal=True),
        world(bilateral(personal=False)),
        False,
    ),
    Case(
        "pd-bilateral-with-third-party-only",
        record(ALL, personal=True),
        world(bilateral(OWNER, THIRD), bilateral(THIRD, VIEWER)),
        False,
    ),
    Case(
        "pd-bilateral-valid-from-today", record(ALL, personal=True), world(bilateral(valid_from=TODAY)), True
    ),
    Case(
        "pd-bilateral-valid-from-tomorrow",
        record(ALL, personal=True),
        world(bilateral(valid_from=TOMORROW)),
        False,
    ),
    Case(
        "pd-bilateral-valid-to-today-inclusive",
        record(ALL, personal=True),
        world(bilateral(valid_to=TODAY)),
        True,
    ),
    Case(
        "pd-bilateral-valid-to-yesterday-expired",
        record(ALL, personal=True),
        world(bilateral(valid_to=YESTERDAY)),
        False,
    ),
    Case(
        "pd-bilateral-one-day-window",
        record(ALL, personal=True),
        world(bilateral(valid_from=TODAY, valid_to=TODAY)),
        True,
    ),
    Case(
        "pd-expired-plus-one-in-force",
        record(ALL, personal=True),
        world(bilateral(valid_to=YESTERDAY), bilateral(valid_from=TODAY)),
        True,
    ),
    Case(
        "pd-agreement-does-not-widen-agency-distribution", record(A, personal=True), world(bilateral()), False
    ),
    Case(
        "pd-agreement-does-not-widen-agencies-distribution",
        record(AS, agencies=(THIRD,), personal=True),
        world(bilateral()),
        False,
    ),
    Case(
        "pd-bilateral-with-mechanism-distribution",
        record(MS, mechanisms=(MEK,), personal=True),
        world(*BOTH_IN_MEK, bilateral()),
        True,
    ),
    Case("non-pd-needs-no-agreement", record(AS, agencies=(VIEWER,)), world(), True),
    # -- personal data via a mechanism agreement: both must be current members -----------------------
    Case(
        "pd-mechanism-both-current", record(ALL, personal=True), world(*BOTH_IN_MEK, mech_agreement()), True
    ),
    Case(
        "pd-mechanism-not-allowing-personal-data",
        record(ALL, personal=True),
        world(*BOTH_IN_MEK, mech_agreement(personal=False)),
        False,
    ),
    Case(
        "pd-mechanism-expired",
        record(ALL, personal=True),
        world(*BOTH_IN_MEK, mech_agreement(valid_to=YESTERDAY)),
        False,
    ),
    Case(
        "pd-mechanism-valid-to-today",
        record(ALL, personal=True),
        world(*BOTH_IN_MEK, mech_agreement(valid_to=TODAY)),
        True,
    ),
    Case(
        "pd-mechanism-not-yet-in-force",
        record(ALL, personal=True),
        world(*BOTH_IN_MEK, mech_agreement(valid_from=TOMORROW)),
        False,
    ),
    Case(
        "pd-mechanism-valid-from-today",
        record(ALL, personal=True),
        world(*BOTH_IN_MEK, mech_agreement(valid_from=TODAY)),
        True,
    ),
    Case(
        "pd-mechanism-viewer-not-member",
        record(ALL, personal=True),
        world(member(OWNER), mech_agreement()),
        False,
    ),
    Case(
        "pd-mechanism-owner-not-member",
        record(ALL, personal=True),
        world(member(VIEWER), mech_agreement()),
        False,
    ),
    Case(
        "pd-mechanism-owner-left-yesterday",
        record(ALL, personal=True),
        world(member(OWNER, left=YESTERDAY), member(VIEWER), mech_agreement()),
        False,
    ),
    Case(
        "pd-mechanism-owner-left-today",
        record(ALL, personal=True),
        world(member(OWNER, left=TODAY), member(VIEWER), mech_agreement()),
        False,
    ),
    Case(
        "pd-mechanism-viewer-left-today",
        record(ALL, personal=True),
        world(member(OWNER), member(VIEWER, left=TODAY), mech_agreement()),
        False,
    ),
    Case(
        "pd-mechanism-viewer-joins-tomorrow",
        record(ALL, personal=True),
        world(member(OWNER), member(VIEWER, joined=TOMORROW), mech_agreement()),
        False,
    ),
    Case(
        "pd-mechanism-owner-joins-tomorrow",
        record(ALL, personal=True),
        world(member(OWNER, joined=TOMORROW), member(VIEWER), mech_agreement()),
        False,
    ),
    Case(
        "pd-mechanism-owner-joined-today",
        record(ALL, personal=True),
        world(member(OWNER, joined=TODAY), member(VIEWER), mech_agreement()),
        True,
    ),
    Case(
        "pd-mechanism-different-mechanisms",
        record(ALL, personal=True),
        world(member(OWNER), member(VIEWER, OTHER), mech_agreement(), mech_agreement(OTHER)),
        False,
    ),
    Case(
        "pd-mechanism-agreement-of-other-mechanism",
        record(ALL, personal=True),
        world(*BOTH_IN_MEK, mech_agreement(OTHER)),
        False,
    ),
    Case(
        "pd-mechanism-agreement-applies-to-any-distribution",
        record(AS, agencies=(VIEWER,), personal=True),
        world(*BOTH_IN_MEK, mech_agreement()),
        True,
    ),
    Case(
        "pd-mechanism-distributed-via-one-agreement-in-another",
        record(MS, mechanisms=(OTHER,), personal=True),
        world(*BOTH_IN_MEK, member(VIEWER, OTHER), mech_agreement()),
        True,
    ),
    Case(
        "pd-mechanism-does-not-widen-mechanism-distribution",
        record(MS, mechanisms=(OTHER,), personal=True),
        world(*BOTH_IN_MEK, mech_agreement()),
        False,
    ),
]


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_sharing_rule(case: Case) -> None:
    assert can_see(case.viewer, case.record, case.world, case.day) is case.expected


# -- properties ----------------------------------------------------------------------------------------

AGENCY_CODES = ("A", "B", "C", "D", "E")
MECHANISM_CODES = ("M1", "M2", "M3")
days = st.integers(-3, 3).map(lambda n: TODAY + timedelta(days=n))


@st.composite
def memberships(draw: st.DrawFn) -> Membership:
    joined = draw(days)
    gap = draw(st.none() | st.integers(0, 4))
    return Membership(
        draw(st.sampled_from(AGENCY_CODES)),
        draw(st.sampled_from(MECHANISM_CODES)),
        joined,
        None if gap is None else joined + timedelta(days=gap),
    )


@st.composite
def agreements(draw: st.DrawFn) -> Agreement:
    valid_from = draw(days)
    gap = draw(st.none() | st.integers(0, 4))
    valid_to = None if gap is None else valid_from + timedelta(days=gap)
    personal = draw(st.booleans())
    if draw(st.booleans()):
        pair = draw(st.lists(st.sampled_from(AGENCY_CODES), min_size=2, max_size=2, unique=True))
        return Agreement(personal, valid_from, valid_to, agencies=frozenset(pair))
    return Agreement(personal, valid_from, valid_to, mechanism=draw(st.sampled_from(MECHANISM_CODES)))


worlds = st.builds(
    lambda ms, ags: World(tuple(ms), tuple(ags), frozenset(AGENCY_CODES)),
    st.lists(memberships(), max_size=8),
    st.lists(agreements(), max_size=5),
)

records = st.builds(
    SharingFacts,
    owner=st.sampled_from(AGENCY_CODES),
    distribution=st.sampled_from(list(Distribution)),
    agencies=st.frozensets(st.sampled_from((*AGENCY_CODES, "UNKNOWN")), max_size=3),
    mechanisms=st.frozensets(st.sampled_from((*MECHANISM_CODES, "UNKNOWN")), max_size=2),
    contains_personal_data=st.booleans(),
)
viewers = st.sampled_from(AGENCY_CODES)


@settings(max_examples=200)
@given(record=records, w=worlds, day=days)
def test_owner_always_sees(record: SharingFacts, w: World, day: date) -> None:
    assert can_see(record.owner, record, w, day)


@settings(max_examples=200)
@given(viewer=viewers, record=records, w=worlds, day=days)
def test_widening_to_all_never_hides(viewer: str, record: SharingFacts, w: World, day: date) -> None:
    if can_see(viewer, record, w, day):
        assert can_see(viewer, replace(record, distribution=Distribution.ALL), w, day)


@settings(max_examples=200)
@given(viewer=viewers, record=records, w=worlds, day=days, extra=st.sampled_from(AGENCY_CODES))
def test_naming_more_agencies_never_hides(
    viewer: str, record: SharingFacts, w: World, day: date, extra: str
) -> None:
    if can_see(viewer, record, w, day):
        assert can_see(viewer, replace(record, agencies=record.agencies | {extra}), w, day)


@settings(max_examples=200)
@given(viewer=viewers, record=records, w=worlds, day=days)
def test_marking_personal_data_never_reveals(viewer: str, record: SharingFacts, w: World, day: date) -> None:
    if can_see(viewer, replace(record, contains_personal_data=True), w, day):
        assert can_see(viewer, replace(record, contains_personal_data=False), w, day)


@settings(max_examples=200)
@given(viewer=viewers, record=records, w=worlds, day=days, data=st.data())
def test_removing_a_membership_never_reveals(
    viewer: str, record: SharingFacts, w: World, day: date, data: st.DataObject
) -> None:
    if not w.memberships:
        return
    i = data.draw(st.integers(0, len(w.memberships) - 1))
    smaller = replace(w, memberships=w.memberships[:i] + w.memberships[i + 1 :])
    if can_see(viewer, record, smaller, day):
        assert can_see(viewer, record, w, day)


@settings(max_examples=200)
@given(viewer=viewers, record=records, w=worlds, day=days, data=st.data())
def test_removing_an_agreement_never_reveals(
    viewer: str, record: SharingFacts, w: World, day: date, data: st.DataObject
) -> None:
    if not w.agreements:
        return
    i = data.draw(st.integers(0, len(w.agreements) - 1))
    smaller = replace(w, agreements=w.agreements[:i] + w.agreements[i + 1 :])
    if can_see(viewer, record, smaller, day):
        assert can_see(viewer, record, w, day)


@settings(max_examples=200)
@given(viewer=viewers, record=records, w=worlds, day=days)
def test_agency_distribution_reaches_only_the_owner(
    viewer: str, record: SharingFacts, w: World, day: date
) -> None:
    assert can_see(viewer, replace(record, distribution=Distribution.AGENCY), w, day) is (
        viewer == record.owner
    )


@settings(max_examples=200)
@given(w=worlds, day=days, a=viewers, b=viewers)
def test_personal_data_partnership_is_symmetric(w: World, day: date, a: str, b: str) -> None:
    assert (b in w.personal_data_partners(a, day)) is (a in w.personal_data_partners(b, day))
    assert a not in w.personal_data_partners(a, day)


@settings(max_examples=200)
@given(viewer=viewers, record=records, w=worlds, day=days)
def test_without_personal_data_only_the_distribution_matters(
    viewer: str, record: SharingFacts, w: World, day: date
) -> None:
    plain = replace(record, contains_personal_data=False)
    no_agreements = replace(w, agreements=())
    assert can_see(viewer, plain, w, day) is can_see(viewer, plain, no_agreements, day)
