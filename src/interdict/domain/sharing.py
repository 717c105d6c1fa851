"""The sharing rule: who may see a shared record.

This is the Python half of the rule. The SQL half lives in ``interdict.store.visibility`` and a
property-based test holds the two equal on generated worlds. Nothing here touches a database or a
clock: callers pass the day the rule is evaluated for.

A viewing agency sees a record when

* it owns the record, or
* the record is distributed to ``all``, or to ``agencies`` naming it, or to ``mechanisms`` naming a
  mechanism the viewer is a current member of (joined on or before the day, not yet left),

and, when the record contains personal data and the viewer is not its owner, a sharing agreement in
force that day allows personal data to flow between the owner and the viewer: either a bilateral
agreement between the two, or a mechanism agreement of a mechanism both are current members of.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date


class Distribution(enum.StrEnum):
    """Distribution levels, from narrowest to widest."""

    AGENCY = "agency"
    AGENCIES = "agencies"
    MECHANISMS = "mechanisms"
    ALL = "all"

    @property
    def label(self) -> str:
        return DISTRIBUTION_LABELS[self]


DISTRIBUTION_LABELS: dict[Distribution, str] = {
    Distribution.AGENCY: "Owner agency only",
    Distribution.AGENCIES: "Named agencies",
    Distribution.MECHANISMS: "Members of named mechanisms",
    Distribution.ALL: "All agencies on the platform",
}


class HandlingCondition(enum.StrEnum):
    NO_ONWARD_SHARING = "no_onward_sharing"
    NOT_FOR_EVIDENCE = "not_for_evidence"


@dataclass(frozen=True)
class Membership:
    agency: str
    mechanism: str
    joined: date
    left: date | None = None

    def current(self, day: date) -> bool:
        return self.joined <= day and (self.left is None or day < self.left)


@dataclass(frozen=True)
class Agreement:
    """A sharing agreement: bilateral (two agencies) or within a mechanism."""

    allows_personal_data: bool
    valid_from: date
    valid_to: date | None = None
    agencies: frozenset[str] = frozenset()
    mechanism: str | None = None

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class SharingFacts:
    """What the rule needs to know about one record."""

    owner: str
    distribution: Distribution
    agencies: frozenset[str] = frozenset()
    mechanisms: frozenset[str] = frozenset()
    contains_personal_data: bool = False


@dataclass(frozen=True)
class World:
    """The cooperation structure the rule is evaluated against."""

    memberships: tuple[Membership, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    agencies: frozenset[str] = field(default_factory=frozenset)

    def current_mechanisms(self, agency: str, day: date) -> frozenset[str]:
        return frozenset(m.mechanism for m in self.memberships if m.agency == agency and m.current(day))

    def personal_data_partners(self, agency: str, day: date) -> frozenset[str]:
        """Agencies with which ``agency`` may exchange personal data on ``day``."""
        partners: set[str] = set()
        mine = self.current_mechanisms(agency, day)
        for agreement in self.agreements:
            if not (agreement.allows_personal_data and agreement.in_force(day)):
                continue
            if agreement.mechanism is None:
                if agency in agreement.agencies:
                    partners.update(agreement.agencies)
            elif agreement.mechanism in mine:
                partners.update(
                    m.agency
                    for m in self.memberships
                    if m.mechanism == agreement.mechanism and m.current(day)
                )
        partners.discard(agency)
        return frozenset(partners)


def reaches(viewer: str, record: SharingFacts, viewer_mechanisms: Iterable[str]) -> bool:
    """Whether the distribution alone reaches the viewer (personal data not yet considered)."""
    if record.owner == viewer:
        return True
    match record.distribution:
        case Distribution.ALL:
            return True
        case Distribution.AGENCIES:
            return viewer in record.agencies
        case Distribution.MECHANISMS:
            return not record.mechanisms.isdisjoint(viewer_mechanisms)
        case _:
            return False


def can_see(viewer: str, record: SharingFacts, world: World, day: date) -> bool:
    """The sharing rule. ``viewer`` and ``record.owner`` are agency codes."""
    if record.owner == viewer:
        return True
    if not reaches(viewer, record, world.current_mechanisms(viewer, day)):
        return False
    if record.contains_personal_data:
        return record.owner in world.personal_data_partners(viewer, day)
    return True
