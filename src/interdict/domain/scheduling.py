"""Control status of substances by jurisdiction: the rules, without a database.

A *jurisdiction* is the international drug conventions (``UN``), a country (ISO 3166-1 alpha-2) or a
regional body (``EU``). A *status* says that, from a date, a jurisdiction controls a substance (or a whole
analogue group, class-wide) under a schedule it names in its own words ("Category 1", "Schedule I",
"Annexe IV"), or that it ended control (a decontrol). The statuses of one subject in one jurisdiction form
a timeline of intervals ``[in_force, until)`` that never overlap: a new status closes the one before it.

``status_on`` answers for one day: controlled or not, under which schedule, since when, and whether by
the substance's own listing or by a class-wide control of its group. ``gap_rows`` builds the scheduling-gap
matrix from those answers: a substance controlled in some jurisdictions and not in others.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import pycountry

from interdict.domain.errors import BadInputError
from interdict.domain.substances import Substance

UN = "UN"

# Member states of the European Union since 1 February 2020 (27), as listed on the EU's own page
# "EU countries" (european-union.europa.eu/principles-countries-history/eu-countries). Drug precursors
# are regulated for the whole Union by Regulation (EC) No 273/2004 (inside the EU) and Council Regulation
# (EC) No 111/2005 (trade with third countries).
REGIONAL_BODIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "EU": (
        "European Union",
        (
            "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
            "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
        ),
    ),
}  # fmt: skip

# Analogue groups of the catalogue (``Substance.nps_group``) with a readable name.
GROUP_LABELS: dict[str, str] = {
    "fentanyl_analogue": "Fentanyl analogues",
    "nitazene": "Nitazenes (2-benzylbenzimidazole opioids)",
    "synthetic_cathinone": "Synthetic cathinones",
    "synthetic_cannabinoid": "Synthetic cannabinoid receptor agonists",
    "designer_benzodiazepine": "Designer benzodiazepines",
    "synthetic_opioid": "Other synthetic opioids",
    "phenethylamine": "Phenethylamines",
    "stimulant": "Other stimulants",
    "arylcyclohexylamine": "Arylcyclohexylamines",
    "semi_synthetic_cannabinoid": "Semi-synthetic cannabinoids",
    "aminorex_derivative": "Aminorex derivatives",
    "piperazine": "Piperazines",
    "dissociative": "Dissociatives",
}

_CONVENTIONS = {"1961": "Single Convention 1961", "1971": "Convention 1971", "1988": "Convention 1988"}


class JurisdictionKind(enum.StrEnum):
    INTERNATIONAL = "international"
    COUNTRY = "country"
    REGIONAL = "regional"


class Basis(enum.StrEnum):
    """Why a substance is controlled: its own listing, or a class-wide control of its analogue group."""

    LISTING = "listing"
    CLASS = "class"
    CONVENTION = "convention"


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    kind: JurisdictionKind
    name: str
    members: tuple[str, ...] = ()


def jurisdiction(code: str, field_name: str = "jurisdiction") -> Jurisdiction:
    """The jurisdiction ``code`` names (``UN``, an ISO 3166-1 alpha-2 country, or ``EU``); a bad code is an
    error naming it and what is expected."""
    key = (code or "").strip().upper()
    if key == UN:
        return Jurisdiction(UN, JurisdictionKind.INTERNATIONAL, "United Nations drug conventions")
    if key in REGIONAL_BODIES:
        name, members = REGIONAL_BODIES[key]
        return Jurisdiction(key, JurisdictionKind.REGIONAL, name, members)
    country = pycountry.countries.get(alpha_2=key) if len(key) == 2 and key.isalpha() else None
    if country is None:
        expected = f"UN, {', '.join(REGIONAL_BODIES)} or an ISO 3166-1 alpha-2 country code such as TH"
        message = f"unknown jurisdiction {code!r}; expected {expected}"
        raise BadInputError(message, {field_name: message})
    return Jurisdiction(key, JurisdictionKind.COUNTRY, str(country.name))


def un_schedule_label(control: str) -> str:
    """``"1961:I"`` → ``"Single Convention 1961, Schedule I"``; ``"1988:II"`` → ``"Convention 1988, Table II"``."""
    treaty, _, item = control.partition(":")
    name = _CONVENTIONS.get(treaty, treaty)
    if item.startswith("art"):
        return f"{name}, article {item[3:]}"
    return f"{name}, {'Table' if treaty == '1988' else 'Schedule'} {item}"


@dataclass(frozen=True)
class Interval:
    """One status of a subject (a substance code, or an analogue group) in one jurisdiction."""

    in_force: date
    until: date | None
    schedule: str
    decontrolled: bool = False
    key: object = None  # the caller's handle on the stored row

    def covers(self, day: date) -> bool:
        return self.in_force <= day and (self.until is None or day < self.until)

    def same_statement(self, other: Interval) -> bool:
        return (self.in_force, self.schedule, self.decontrolled) == (
            other.in_force,
            other.schedule,
            other.decontrolled,
        )


@dataclass(frozen=True)
class Placement:
    """Where a new status goes in a timeline: its own end, and the earlier status it closes (if any)."""

    until: date | None
    closes: Interval | None


def place(history: Sequence[Interval], new: Interval) -> Placement:
    """Fit ``new`` into ``history`` (non-overlapping intervals) so that the result stays non-overlapping.

    The status in force just before ``new.in_force`` is closed on that date; ``new`` runs until its own
    ``until`` or, when the timeline already holds a later status, until that one starts. A status from the
    same date as one already recorded, or one whose ``until`` runs past the start of the next, is refused.
    """
    ordered = sorted(history, key=lambda i: i.in_force)
    for old in ordered:
        if old.in_force == new.in_force:
            raise BadInputError(
                f"a status from {new.in_force.isoformat()} is already recorded ({describe(old)}); "
                "record the change with a later in_force date",
                {"in_force": f"a status from {new.in_force.isoformat()} already exists"},
            )
    later = [i for i in ordered if i.in_force > new.in_force]
    until = new.until
    if until is not None and until <= new.in_force:
        raise BadInputError(
            f"until {until.isoformat()} is not after in_force {new.in_force.isoformat()}",
            {"until": "expected a date after in_force"},
        )
    if later:
        nxt = later[0].in_force
        if until is not None and until > nxt:
            raise BadInputError(
                f"until {until.isoformat()} runs past the next status, in force from {nxt.isoformat()}",
                {"until": f"expected a date up to {nxt.isoformat()}"},
            )
        until = until or nxt
    earlier = [i for i in ordered if i.in_force < new.in_force]
    closes = None
    if earlier and (earlier[-1].until is None or earlier[-1].until > new.in_force):
        closes = earlier[-1]
    return Placement(until, closes)


def apply(history: Sequence[Interval], new: Interval) -> list[Interval]:
    """``history`` with ``new`` placed (``place``), sorted: the pure form of what the store does."""
    placement = place(history, new)
    out = [replace(i, until=new.in_force) if i is placement.closes else i for i in history]
    out.append(replace(new, until=placement.until))
    return sorted(out, key=lambda i: i.in_force)


def describe(interval: Interval) -> str:
    what = "decontrolled" if interval.decontrolled else interval.schedule
    end = f" until {interval.until.isoformat()}" if interval.until else ""
    return f"{what} from {interval.in_force.isoformat()}{end}"


def in_force_on(history: Iterable[Interval], day: date) -> Interval | None:
    return next((i for i in history if i.covers(day)), None)


@dataclass(frozen=True)
class Answer:
    """Whether a substance is controlled in a jurisdiction on a day, and how."""

    controlled: bool
    schedule: str = ""
    since: date | None = None
    basis: Basis | None = None
    decontrolled_since: date | None = None
    status: Interval | None = None
    via: str = ""  # the regional body whose status a member country takes, when it has none of its own

    @property
    def class_wide(self) -> bool:
        return self.basis is Basis.CLASS


NOT_CONTROLLED = Answer(False)


def status_on(own: Sequence[Interval], group: Sequence[Interval], day: date) -> Answer:
    """The answer for a day from the substance's own timeline and its group's (class-wide) timeline.

    The substance's own listing wins where it controls; otherwise a class-wide control of its group
    covers it; otherwise it is not controlled (with the date of a decontrol in force, if one is)."""
    mine = in_force_on(own, day)
    if mine is not None and not mine.decontrolled:
        return Answer(True, mine.schedule, mine.in_force, Basis.LISTING, status=mine)
    cls = in_force_on(group, day)
    if cls is not None and not cls.decontrolled:
        return Answer(True, cls.schedule, cls.in_force, Basis.CLASS, status=cls)
    ended = mine if mine is not None else cls
    return Answer(False, decontrolled_since=ended.in_force if ended is not None else None, status=ended)


def un_answer(substance: Substance) -> Answer:
    """The international status the catalogue holds (dates are not in the catalogue: ``since`` is None)."""
    if not substance.control:
        return NOT_CONTROLLED
    schedule = "; ".join(un_schedule_label(c) for c in substance.control)
    return Answer(True, schedule, None, Basis.CONVENTION)


@dataclass(frozen=True)
class GapRow:
    substance: Substance
    cells: dict[str, Answer]  # jurisdiction code -> answer (the reference jurisdiction included)
    controlled_in: tuple[str, ...]
    not_controlled_in: tuple[str, ...]
    evidence_weight: float = 0.0


def gap_rows(
    substances: Iterable[Substance],
    jurisdictions: Sequence[str],
    answers: Mapping[tuple[str, str], Answer],
    reference: Mapping[str, Answer] | None = None,
    evidence: Mapping[str, float] | None = None,
) -> list[GapRow]:
    """The substances controlled in some of ``jurisdictions`` and not in others, those with evidence first
    (most first), then by name. ``answers`` maps (substance code, jurisdiction) to the answer for the day;
    a missing answer is "not controlled". ``reference`` (the UN column) is shown but decides nothing."""
    weights = evidence or {}
    rows: list[GapRow] = []
    for s in substances:
        cells = {j: answers.get((s.code, j), NOT_CONTROLLED) for j in jurisdictions}
        yes = tuple(j for j in jurisdictions if cells[j].controlled)
        no = tuple(j for j in jurisdictions if not cells[j].controlled)
        if not yes or not no:
            continue
        if reference is not None:
            cells = {UN: reference.get(s.code, NOT_CONTROLLED), **cells}
        rows.append(GapRow(s, cells, yes, no, weights.get(s.code, 0.0)))
    rows.sort(key=lambda r: (r.evidence_weight <= 0, -r.evidence_weight, r.substance.name.casefold()))
    return rows


@dataclass(frozen=True)
class GroupCell:
    """How one jurisdiction controls an analogue group on a day."""

    class_wide: bool
    since: date | None
    schedule: str
    listed: int  # the group's catalogue substances controlled by their own listing
    total: int


@dataclass(frozen=True)
class GroupRow:
    group: str
    label: str
    members: tuple[str, ...]
    cells: dict[str, GroupCell] = field(default_factory=dict)


def group_cell(group_answer: Answer, member_answers: Sequence[Answer]) -> GroupCell:
    listed = sum(1 for a in member_answers if a.controlled and a.basis is Basis.LISTING)
    if group_answer.controlled:
        return GroupCell(True, group_answer.since, group_answer.schedule, listed, len(member_answers))
    return GroupCell(False, None, "", listed, len(member_answers))


def group_label(group: str) -> str:
    return GROUP_LABELS.get(group, group.replace("_", " ").capitalize())
