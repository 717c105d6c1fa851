"""The PEN transition table, deadlines and reminders (domain/pen.py): every (state, move) pair, allowed
or refused, against a table written out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdict.domain.errors import BadInputError, ConflictError
from interdict.domain.pen import (
    Move,
    PenState,
    Side,
    allowed_moves,
    answer_due,
    check_arrived_on,
    check_deadline_days,
    check_shipped_on,
    format_reference,
    is_late,
    is_overdue,
    needs_reminder,
    party_key,
    sequence_of,
)
from interdict.domain.pen import next_state as move

S, M = PenState, Move

# Written out by hand (not derived from the table under test): every allowed move, in time.
ALLOWED: dict[tuple[PenState, Move], PenState] = {
    (S.AWAITING_ANSWER, M.NO_OBJECTION): S.CLEARED,
    (S.AWAITING_ANSWER, M.OBJECTION): S.OBJECTED,
    (S.AWAITING_ANSWER, M.INFORMATION_REQUESTED): S.INFO_REQUESTED,
    (S.AWAITING_ANSWER, M.WITHDRAW): S.WITHDRAWN,
    (S.INFO_REQUESTED, M.NO_OBJECTION): S.CLEARED,
    (S.INFO_REQUESTED, M.OBJECTION): S.OBJECTED,
    (S.INFO_REQUESTED, M.INFORMATION_REQUESTED): S.INFO_REQUESTED,
    (S.INFO_REQUESTED, M.PROVIDE_INFORMATION): S.AWAITING_ANSWER,
    (S.INFO_REQUESTED, M.WITHDRAW): S.WITHDRAWN,
    (S.CLEARED, M.OBJECTION): S.OBJECTED,
    (S.CLEARED, M.INFORMATION_REQUESTED): S.INFO_REQUESTED,
    (S.CLEARED, M.WITHDRAW): S.WITHDRAWN,
    (S.CLEARED, M.SHIP): S.SHIPPED,
    (S.CLEARED, M.NOT_SHIP): S.NOT_SHIPPED,
    (S.OBJECTED, M.NO_OBJECTION): S.CLEARED,
    (S.OBJECTED, M.INFORMATION_REQUESTED): S.INFO_REQUESTED,
    (S.SHIPPED, M.ARRIVE): S.ARRIVED,
}
# Allowed only once the deadline passed without an answer.
AFTER_DEADLINE = {
    (S.AWAITING_ANSWER, M.SHIP): S.SHIPPED,
    (S.AWAITING_ANSWER, M.NOT_SHIP): S.NOT_SHIPPED,
}
PAIRS = [(s, m) for s in PenState for m in Move]


@pytest.mark.parametrize(("state", "mv"), PAIRS, ids=[f"{s.value}-{m.value}" for s, m in PAIRS])
def test_every_transition_in_time(state: PenState, mv: Move) -> None:
    if (state, mv) in ALLOWED:
        assert move(state, mv) is ALLOWED[(state, mv)]
        return
    with pytest.raises(ConflictError) as err:
        move(state, mv)
    assert f"the notification is {state.value}" in err.value.detail
    assert f"{mv.value} is not allowed" in err.value.detail
    allowed = [m.value for m in Move if (state, m) in ALLOWED]
    assert err.value.detail.endswith(", ".join(allowed) if allowed else "nothing: it is final")


@pytest.mark.parametrize(("state", "mv"), PAIRS, ids=[f"{s.value}-{m.value}" for s, m in PAIRS])
def test_every_transition_after_deadline(state: PenState, mv: Move) -> None:
    table = {**ALLOWED, **AFTER_DEADLINE}
    if (state, mv) in table:
        assert move(state, mv, overdue=True) is table[(state, mv)]
    else:
        with pytest.raises(ConflictError):
            move(state, mv, overdue=True)


def test_shipping_without_an_answer_before_the_deadline_says_why() -> None:
    with pytest.raises(ConflictError) as err:
        move(S.AWAITING_ANSWER, M.SHIP)
    assert "only after the deadline has passed" in err.value.detail


def test_final_states_allow_nothing() -> None:
    for state in (S.WITHDRAWN, S.NOT_SHIPPED, S.ARRIVED):
        assert allowed_moves(state, overdue=True) == []


def test_sides() -> None:
    assert [m.value for m in allowed_moves(S.AWAITING_ANSWER, side=Side.IMPORTER)] == [
        "no_objection",
        "objection",
        "information_requested",
    ]
    assert allowed_moves(S.AWAITING_ANSWER, side=Side.EXPORTER) == [M.WITHDRAW]
    assert allowed_moves(S.AWAITING_ANSWER, overdue=True, side=Side.EXPORTER) == [
        M.WITHDRAW,
        M.SHIP,
        M.NOT_SHIP,
    ]
    assert allowed_moves(S.SHIPPED, side=Side.IMPORTER) == []


# -- deadlines -----------------------------------------------------------------------------------------
DAY = date(2026, 6, 1)


@pytest.mark.parametrize("days", [0, -1, 91, 365])
def test_deadline_out_of_bounds(days: int) -> None:
    with pytest.raises(BadInputError) as err:
        check_deadline_days(days)
    assert err.value.errors["deadline_days"].startswith(f"deadline_days {days}")


def test_answer_due_and_overdue() -> None:
    due = answer_due(DAY, 15)
    assert due == date(2026, 6, 16)
    assert not is_overdue(S.AWAITING_ANSWER, due, due)  # the due day itself is in time
    assert is_overdue(S.AWAITING_ANSWER, due, due + timedelta(days=1))
    assert not is_overdue(S.INFO_REQUESTED, due, due + timedelta(days=30))  # the clock is stopped
    assert not is_overdue(S.CLEARED, due, due + timedelta(days=30))
    assert is_late(S.AWAITING_ANSWER, due, due + timedelta(days=1))
    assert not is_late(S.AWAITING_ANSWER, due, due)


@pytest.mark.parametrize(
    ("days_before_due", "last", "expected"),
    [
        (10, None, False),  # far off
        (4, None, False),
        (3, None, True),  # due within three days
        (0, None, True),  # due today
        (-5, None, True),  # overdue
        (1, "today", False),  # at most one a day
        (1, "yesterday", True),
    ],
)
def test_needs_reminder(days_before_due: int, last: str | None, expected: bool) -> None:
    today = DAY
    due = today + timedelta(days=days_before_due)
    last_day = {"today": today, "yesterday": today - timedelta(days=1), None: None}[last]
    assert needs_reminder(S.AWAITING_ANSWER, due, today, last_day) is expected


def test_no_reminder_unless_awaiting() -> None:
    for state in PenState:
        if state is not S.AWAITING_ANSWER:
            assert not needs_reminder(state, DAY, DAY + timedelta(days=3), None)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 90))
def test_due_is_within_bounds(day: date, days: int) -> None:
    due = answer_due(day, days)
    assert 1 <= (due - day).days <= 90
    assert not is_overdue(S.AWAITING_ANSWER, due, day)


# -- shipment dates --------------------------------------------------------------------------------------
def test_shipment_and_arrival_dates() -> None:
    assert check_shipped_on(DAY, DAY, DAY) == DAY
    with pytest.raises(BadInputError) as err:
        check_shipped_on(DAY + timedelta(days=1), DAY, DAY)
    assert "in the future" in err.value.errors["shipped_on"]
    with pytest.raises(BadInputError):
        check_shipped_on(DAY - timedelta(days=1), DAY, DAY)
    with pytest.raises(BadInputError) as err:
        check_arrived_on(DAY - timedelta(days=1), DAY, DAY)
    assert "before shipped_on" in err.value.errors["arrived_on"]
    assert check_arrived_on(DAY, DAY, DAY) == DAY


# -- references and duplicate keys -------------------------------------------------------------------------
def test_reference_round_trip() -> None:
    ref = format_reference("CN", 2026, 12)
    assert ref == "PEN-CN-2026-000012"
    assert sequence_of(ref) == 12
    assert sequence_of("PEN-CN-26-12") is None


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Acme Chemicals Co., Ltd.", "ACME  chemicals co ltd", True),
        ("Acme Chemicals", "Acme Chemical", False),
        ("Ｆｕｌｌｗｉｄｔｈ Trading", "fullwidth trading", True),
    ],
)
def test_party_key(a: str, b: str, same: bool) -> None:
    assert (party_key(a) == party_key(b)) is same
