"""Case file vocabulary: the suspected offences a case may name, the statuses of a case and the moves
between them, and the FollowTheMoney relations that make an entity a member of a syndicate. No I/O.

Offences follow the offence groups of the 1988 UN Convention against Illicit Traffic in Narcotic Drugs
and Psychotropic Substances (art. 3: trafficking, manufacture and cultivation, precursors, laundering of
proceeds), the UN Convention against Transnational Organized Crime (art. 5, participation in an organised
criminal group; art. 8, corruption) and simple possession for supply, the labels agencies use in
their case management systems.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Offence(enum.StrEnum):
    DRUG_TRAFFICKING = "drug_trafficking"
    MANUFACTURE = "cultivation_manufacture"
    PRECURSOR_DIVERSION = "precursor_diversion"
    MONEY_LAUNDERING = "money_laundering"
    ORGANISED_CRIME = "organised_crime"
    CORRUPTION = "corruption"
    POSSESSION_FOR_SUPPLY = "possession_for_supply"

    @property
    def label(self) -> str:
        return OFFENCE_LABELS[self]


OFFENCE_LABELS: dict[Offence, str] = {
    Offence.DRUG_TRAFFICKING: "Drug trafficking",
    Offence.MANUFACTURE: "Illicit cultivation or manufacture",
    Offence.PRECURSOR_DIVERSION: "Precursor diversion",
    Offence.MONEY_LAUNDERING: "Money laundering",
    Offence.ORGANISED_CRIME: "Participation in an organised criminal group",
    Offence.CORRUPTION: "Corruption",
    Offence.POSSESSION_FOR_SUPPLY: "Possession for supply",
}


def parse_offences(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """The offences named (codes, in the order given, without repeats) and the values that name none.
    A value matches a code or a label, case-insensitively (``Money laundering`` -> ``money_laundering``)."""
    by_name = {o.value: o.value for o in Offence} | {o.label.lower(): o.value for o in Offence}
    good: list[str] = []
    bad: list[str] = []
    for value in values:
        code = by_name.get(value.strip().lower().replace("-", "_")) or by_name.get(value.strip().lower())
        if code is None:
            bad.append(value)
        elif code not in good:
            good.append(code)
    return good, bad


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"
    CLOSED = "closed"


# The moves of a case (from -> allowed to). Only the owner agency moves a case; a closed case takes no
# change but reopening.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.SUSPENDED, CaseStatus.CLOSED}),
    CaseStatus.SUSPENDED: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.OPEN}),
}


def may_move(current: str, target: str) -> bool:
    try:
        return CaseStatus(target) in TRANSITIONS[CaseStatus(current)]
    except ValueError:
        return False


def writable(status: str) -> bool:
    """Whether the case takes changes (links, notes, messages, participants, edits): not when closed."""
    return status != CaseStatus.CLOSED


# FtM relation schemata that make an entity a member of an organisation: schema -> (the property naming
# the member, the property naming the organisation). Each has ``role``, ``startDate`` and ``endDate``.
MEMBER_RELATIONS: dict[str, tuple[str, str]] = {
    "Membership": ("member", "organization"),
    "Directorship": ("director", "organization"),
    "Employment": ("employee", "employer"),
    "Ownership": ("owner", "asset"),
}

__all__ = [
    "MEMBER_RELATIONS",
    "OFFENCE_LABELS",
    "TRANSITIONS",
    "CaseStatus",
    "Offence",
    "may_move",
    "parse_offences",
    "writable",
]
