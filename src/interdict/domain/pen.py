"""The life of a pre-export notification (PEN): states, who moves it, deadlines and reminders.

A pure transition table: no session, no clock (callers pass the day). ``services/pen.py`` applies it.

States and moves (``TRANSITIONS``; the side is who may make the move):

* ``awaiting_answer``: the importing authority answers ``no_objection`` (→ ``cleared``), ``objection``
  with a reason (→ ``objected``) or ``information_requested`` with a question (→ ``info_requested``);
  the exporting authority may ``withdraw`` it. Once the deadline has passed without an answer the
  exporter may also record the shipment (``ship`` → ``shipped`` or ``not_ship`` → ``not_shipped``):
  shipped without an answer, and the log says so (``AFTER_DEADLINE``).
* ``info_requested``: the exporter ``provide_information`` (→ ``awaiting_answer`` with a fresh deadline
  from that day) or withdraws; the importer may still answer.
* ``cleared``: the exporter records the shipment (``ship`` / ``not_ship``) or withdraws; the importer
  may change its answer while nothing has shipped.
* ``objected``: final for shipment; the importer may change its answer while nothing has shipped.
* ``shipped``: the exporter records the arrival (``arrive`` → ``arrived``).
* ``withdrawn``, ``not_shipped``, ``arrived``: final.

Deadlines: the answer is due ``deadline_days`` after the day of notification (``answer_due``); the day
itself still counts as in time. A notification is overdue when it awaits an answer after that day. An
answer given while overdue is late: recorded with ``late``, never refused.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from interdict.domain.errors import BadInputError, ConflictError

DEFAULT_DEADLINE_DAYS = 15
MIN_DEADLINE_DAYS, MAX_DEADLINE_DAYS = 1, 90
#: Reminders go out for notifications due within this many days, and for overdue ones.
REMIND_WITHIN_DAYS = 3


class PenState(enum.StrEnum):
    AWAITING_ANSWER = "awaiting_answer"
    INFO_REQUESTED = "info_requested"
    CLEARED = "cleared"
    OBJECTED = "objected"
    WITHDRAWN = "withdrawn"
    SHIPPED = "shipped"
    NOT_SHIPPED = "not_shipped"
    ARRIVED = "arrived"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[PenState, str] = {
    PenState.AWAITING_ANSWER: "Awaiting answer",
    PenState.INFO_REQUESTED: "Information requested",
    PenState.CLEARED: "Cleared (no objection)",
    PenState.OBJECTED: "Objected",
    PenState.WITHDRAWN: "Withdrawn",
    PenState.SHIPPED: "Shipped",
    PenState.NOT_SHIPPED: "Not shipped",
    PenState.ARRIVED: "Arrived",
}


class Answer(enum.StrEnum):
    """What the importing authority answers."""

    NO_OBJECTION = "no_objection"
    OBJECTION = "objection"
    INFORMATION_REQUESTED = "information_requested"


class Side(enum.StrEnum):
    EXPORTER = "exporter"
    IMPORTER = "importer"


class Move(enum.StrEnum):
    NO_OBJECTION = "no_objection"
    OBJECTION = "objection"
    INFORMATION_REQUESTED = "information_requested"
    PROVIDE_INFORMATION = "provide_information"
    WITHDRAW = "withdraw"
    SHIP = "ship"
    NOT_SHIP = "not_ship"
    ARRIVE = "arrive"

    @property
    def side(self) -> Side:
        return Side.IMPORTER if self.value in {a.value for a in Answer} else Side.EXPORTER


S, M = PenState, Move
_ANSWERS = {M.NO_OBJECTION: S.CLEARED, M.OBJECTION: S.OBJECTED, M.INFORMATION_REQUESTED: S.INFO_REQUESTED}

#: (state, move) -> the state it leads to. Anything not listed is refused.
TRANSITIONS: dict[tuple[PenState, Move], PenState] = {
    **{(S.AWAITING_ANSWER, m): to for m, to in _ANSWERS.items()},
    **{(S.INFO_REQUESTED, m): to for m, to in _ANSWERS.items()},
    # A changed answer: only a different one, and only while nothing has shipped.
    **{(S.CLEARED, m): to for m, to in _ANSWERS.items() if to is not S.CLEARED},
    **{(S.OBJECTED, m): to for m, to in _ANSWERS.items() if to is not S.OBJECTED},
    (S.INFO_REQUESTED, M.PROVIDE_INFORMATION): S.AWAITING_ANSWER,
    (S.AWAITING_ANSWER, M.WITHDRAW): S.WITHDRAWN,
    (S.INFO_REQUESTED, M.WITHDRAW): S.WITHDRAWN,
    (S.CLEARED, M.WITHDRAW): S.WITHDRAWN,
    (S.CLEARED, M.SHIP): S.SHIPPED,
    (S.CLEARED, M.NOT_SHIP): S.NOT_SHIPPED,
    (S.SHIPPED, M.ARRIVE): S.ARRIVED,
}

#: Moves allowed only once the answer is overdue (the deadline passed without one).
AFTER_DEADLINE: dict[tuple[PenState, Move], PenState] = {
    (S.AWAITING_ANSWER, M.SHIP): S.SHIPPED,
    (S.AWAITING_ANSWER, M.NOT_SHIP): S.NOT_SHIPPED,
}

FINAL = frozenset({S.WITHDRAWN, S.NOT_SHIPPED, S.ARRIVED})


def allowed_moves(state: PenState, overdue: bool = False, side: Side | None = None) -> list[Move]:
    """The moves allowed from ``state`` (for one side when given), in the order of ``Move``."""
    table = {**TRANSITIONS, **(AFTER_DEADLINE if overdue else {})}
    return [m for m in Move if (state, m) in table and (side is None or m.side is side)]


def next_state(state: PenState, move: Move, overdue: bool = False) -> PenState:
    """The state ``move`` leads to from ``state``, or ConflictError naming the state and what it allows."""
    found = TRANSITIONS.get((state, move))
    if found is None and overdue:
        found = AFTER_DEADLINE.get((state, move))
    if found is not None:
        return found
    allowed = [m.value for m in allowed_moves(state, overdue)]
    also = ""
    if (state, move) in AFTER_DEADLINE:
        also = " (recording the shipment without an answer is allowed only after the deadline has passed)"
    what = ", ".join(allowed) if allowed else "nothing: it is final"
    raise ConflictError(
        f"the notification is {state.value}; {move.value} is not allowed{also}; allowed: {what}",
        {"state": f"{state.value}; allowed: {what}"},
    )


# -- deadlines --------------------------------------------------------------------------------------


def check_deadline_days(days: int) -> int:
    if not MIN_DEADLINE_DAYS <= days <= MAX_DEADLINE_DAYS:
        message = f"deadline_days {days!r} is out of bounds; expected {MIN_DEADLINE_DAYS} to {MAX_DEADLINE_DAYS} days"
        raise BadInputError(message, {"deadline_days": message})
    return days


def answer_due(notified_on: date, deadline_days: int) -> date:
    """The last day on which an answer is in time."""
    return notified_on + timedelta(days=check_deadline_days(deadline_days))


def is_overdue(state: PenState, due: date, today: date) -> bool:
    return state is S.AWAITING_ANSWER and today > due


def is_late(state: PenState, due: date, today: date) -> bool:
    """An answer given today is late when the notification was waiting for it past its due day. An
    answer to a notification waiting for the exporter's information (the clock stopped), or a changed
    answer, is not late."""
    return is_overdue(state, due, today)


def days_left(due: date, today: date) -> int:
    return (due - today).days


def needs_reminder(state: PenState, due: date, today: date, last_reminded: date | None) -> bool:
    """Awaiting an answer, due within ``REMIND_WITHIN_DAYS`` days or overdue, and not reminded today."""
    if state is not S.AWAITING_ANSWER or last_reminded == today:
        return False
    return days_left(due, today) <= REMIND_WITHIN_DAYS


# -- dates of the shipment ------------------------------------------------------------------------------


def check_shipped_on(shipped_on: date, notified_on: date, today: date) -> date:
    if shipped_on > today:
        message = (
            f"shipped_on {shipped_on.isoformat()} is in the future; record the shipment once it has left"
        )
        raise BadInputError(message, {"shipped_on": message})
    if shipped_on < notified_on:
        message = (
            f"shipped_on {shipped_on.isoformat()} is before the notification ({notified_on.isoformat()}); "
            "expected a day on or after it"
        )
        raise BadInputError(message, {"shipped_on": message})
    return shipped_on


def check_arrived_on(arrived_on: date, shipped_on: date | None, today: date) -> date:
    if shipped_on is not None and arrived_on < shipped_on:
        message = (
            f"arrived_on {arrived_on.isoformat()} is before shipped_on {shipped_on.isoformat()}; "
            "expected a day on or after the shipment"
        )
        raise BadInputError(message, {"arrived_on": message})
    if arrived_on > today:
        message = f"arrived_on {arrived_on.isoformat()} is in the future; record the arrival once it happened"
        raise BadInputError(message, {"arrived_on": message})
    return arrived_on


# -- references and duplicates --------------------------------------------------------------------------

REFERENCE_PATTERN = re.compile(r"^PEN-([A-Z]{2})-(\d{4})-(\d{6})$")


def format_reference(country: str, year: int, sequence: int) -> str:
    """``PEN-CN-2026-000012``: exporting country, year of notification, sequence within both."""
    return f"PEN-{country}-{year:04d}-{sequence:06d}"


def reference_prefix(country: str, year: int) -> str:
    return f"PEN-{country}-{year:04d}-"


def sequence_of(reference: str) -> int | None:
    found = REFERENCE_PATTERN.match(reference)
    return int(found.group(3)) if found else None


_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def party_key(name: str) -> str:
    """The comparison key of a company name: NFKC, case-folded, punctuation and spacing collapsed
    (``"Acme Chemicals Co., Ltd."`` and ``"ACME  chemicals co ltd"`` are the same key)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


@dataclass(frozen=True)
class DuplicateKey:
    """What makes two live notifications of one exporting authority the same."""

    importer: str
    substance: str
    quantity: float
    unit: str
    ship_date: date
    order_reference: str

    @classmethod
    def of(
        cls, importer: str, substance: str, quantity: float, unit: str, ship_date: date, order_reference: str
    ) -> DuplicateKey:
        return cls(
            party_key(importer), substance, float(quantity), unit, ship_date, party_key(order_reference)
        )


__all__ = [
    "AFTER_DEADLINE",
    "DEFAULT_DEADLINE_DAYS",
    "FINAL",
    "MAX_DEADLINE_DAYS",
    "MIN_DEADLINE_DAYS",
    "REMIND_WITHIN_DAYS",
    "STATE_LABELS",
    "TRANSITIONS",
    "Answer",
    "DuplicateKey",
    "Move",
    "PenState",
    "Side",
    "allowed_moves",
    "answer_due",
    "check_arrived_on",
    "check_deadline_days",
    "check_shipped_on",
    "days_left",
    "format_reference",
    "is_late",
    "is_overdue",
    "needs_reminder",
    "party_key",
    "reference_prefix",
    "sequence_of",
]
