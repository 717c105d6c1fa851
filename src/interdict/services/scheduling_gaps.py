"""The scheduling-gap report of a mechanism: which substances are controlled in some of its countries and
not in others on a day, with the evidence from the region that argues for closing the gap.

The jurisdictions are the countries of the mechanism's current member agencies; the UN column is shown for
reference and decides nothing. The evidence is what the caller's agency may see, and only that: seizure
lines through the sharing rule applied to their audiences (``seizure_stats.visible_lines``) and precursor
incidents through ``visible``, in the mechanism's countries over the period (default: the three years up
to the day). A mechanism the caller's agency is not a member of answers "not found" (platform admins see
every mechanism).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.scheduling import (
    UN,
    Answer,
    GroupRow,
    gap_rows,
    group_cell,
    group_label,
)
from interdict.domain.substances import SubstanceCategory, catalogue
from interdict.schemas.scheduling import (
    EvidenceByCountry,
    GapCell,
    GapReport,
    GapRowPublic,
    GroupCellPublic,
    GroupRowPublic,
)
from interdict.services.context import Actor
from interdict.services.scheduling import Timelines, load_timelines
from interdict.services.seizure_stats import visible_lines
from interdict.services.sharing import viewer
from interdict.services.structure import StructureService, current_members
from interdict.store.precursor_incidents import PrecursorIncident, PrecursorIncidentItem
from interdict.store.seizures import SeizureItem
from interdict.store.visibility import visible

DEFAULT_YEARS = 3


@dataclass
class Tally:
    seizures: int = 0
    seizure_kg: float = 0.0
    incidents: int = 0
    incident_kg: float = 0.0
    by_country: dict[str, list[float]] = field(
        default_factory=dict
    )  # country -> [seizures, kg, incidents, kg]

    def add(self, country: str, slot: int, count: int, kg: float) -> None:
        cells = self.by_country.setdefault(country, [0, 0.0, 0, 0.0])
        cells[slot] += count
        cells[slot + 1] += kg
        if slot == 0:
            self.seizures += count
            self.seizure_kg += kg
        else:
            self.incidents += count
            self.incident_kg += kg

    @property
    def weight(self) -> float:
        return float(self.seizures + self.incidents)


def parse_category(value: str | None) -> SubstanceCategory | None:
    if not value:
        return None
    try:
        return SubstanceCategory(value)
    except ValueError:
        known = ", ".join(c.value for c in SubstanceCategory)
        raise BadInputError(
            f"category {value!r} is not one of {known}", {"category": f"one of {known}"}
        ) from None


def seizure_evidence(
    session: Session, actor: Actor, countries: list[str], start: date, end: date, codes: list[str]
) -> dict[str, Tally]:
    """Seizures (counted once per substance) and kilograms by substance and country, of what the actor's
    agency may see."""
    out: dict[str, Tally] = defaultdict(Tally)
    if not countries or not codes:
        return out
    first = func.sum(case((SeizureItem.first_of_substance.is_(True), 1), else_=0))
    stmt = (
        select(
            SeizureItem.substance,
            SeizureItem.country,
            first,
            func.coalesce(func.sum(SeizureItem.mass_kg), 0.0),
        )
        .where(
            visible_lines(session, actor),
            SeizureItem.country.in_(countries),
            SeizureItem.seized_on >= start,
            SeizureItem.seized_on <= end,
            SeizureItem.substance.in_(codes),
        )
        .group_by(SeizureItem.substance, SeizureItem.country)
    )
    for code, country, count, kg in session.execute(stmt):
        out[code].add(country, 0, int(count or 0), float(kg or 0.0))
    return out


def incident_evidence(
    session: Session,
    actor: Actor,
    countries: list[str],
    start: date,
    end: date,
    codes: list[str],
    into: dict[str, Tally],
) -> None:
    """Precursor incidents (each counted once per substance) and their kilograms, of what the actor's
    agency may see."""
    if not countries or not codes:
        return
    item, incident = PrecursorIncidentItem, PrecursorIncident
    stmt = (
        select(
            item.substance,
            incident.country,
            func.count(func.distinct(incident.id)),
            func.coalesce(func.sum(item.mass_kg), 0.0),
        )
        .join(incident, incident.id == item.incident_id)
        .where(
            visible(incident, viewer(session, actor)),
            incident.country.in_(countries),
            incident.occurred_on >= start,
            incident.occurred_on <= end,
            item.substance.in_(codes),
        )
        .group_by(item.substance, incident.country)
    )
    for code, country, count, kg in session.execute(stmt):
        into[code].add(country, 2, int(count or 0), float(kg or 0.0))


class SchedulingGaps:
    def __init__(self, structure: StructureService) -> None:
        self.structure = structure

    def report(
        self,
        session: Session,
        actor: Actor,
        mechanism: str,
        on: date | None = None,
        category: str | None = None,
        period_from: date | None = None,
        period_to: date | None = None,
    ) -> GapReport:
        day = on or actor.today
        wanted = parse_category(category)
        end = period_to or day
        start = period_from or end - timedelta(days=365 * DEFAULT_YEARS)
        if start > end:
            raise BadInputError(
                f"period_from {start.isoformat()} is after period_to {end.isoformat()}",
                {"period_from": "after period_to"},
            )
        mech = self.structure.get_mechanism(session, actor, mechanism)
        countries = sorted({m.agency.country for m in current_members(mech, actor.today) if m.agency.country})
        timelines = load_timelines(session, countries)
        substances = [s for s in catalogue() if wanted is None or s.category is wanted]
        answers = {(s.code, c): timelines.answer(s, c, day) for s in substances for c in countries}
        reference = {s.code: timelines.answer(s, UN, day) for s in substances}
        candidates = gap_rows(substances, countries, answers)
        codes = sorted(r.substance.code for r in candidates)
        tallies = seizure_evidence(session, actor, countries, start, end, codes)
        incident_evidence(session, actor, countries, start, end, codes, tallies)
        weights = {code: t.weight for code, t in tallies.items()}
        rows = gap_rows([r.substance for r in candidates], countries, answers, reference, weights)
        return GapReport(
            mechanism=mech.code,
            mechanism_name=mech.name_en,
            on=day,
            period_from=start,
            period_to=end,
            category=wanted.value if wanted else None,
            reference=UN,
            jurisdictions=countries,
            rows=[
                _row(r.substance.code, r.cells, r.controlled_in, r.not_controlled_in, tallies) for r in rows
            ],
            groups=_groups(timelines, countries, day, wanted),
        )


def _cell(code: str, a: Answer) -> GapCell:
    return GapCell(
        jurisdiction=code, controlled=a.controlled, schedule=a.schedule, since=a.since,
        basis=a.basis.value if a.basis else None, via=a.via,
    )  # fmt: skip


def _row(
    code: str, cells: dict[str, Answer], yes: tuple[str, ...], no: tuple[str, ...], tallies: dict[str, Tally]
) -> GapRowPublic:
    s = catalogue().get(code)
    assert s is not None
    t = tallies.get(code, Tally())
    evidence = [
        EvidenceByCountry(country=c, seizures=int(v[0]), seizure_kg=round(v[1], 3), incidents=int(v[2]),
                          incident_kg=round(v[3], 3))
        for c, v in sorted(t.by_country.items())
    ]  # fmt: skip
    return GapRowPublic(
        substance=code, name=s.name, category=s.category.value, group=s.nps_group or "",
        controlled_in=list(yes), not_controlled_in=list(no), cells=[_cell(j, a) for j, a in cells.items()],
        seizures=t.seizures, seizure_kg=round(t.seizure_kg, 3), incidents=t.incidents,
        incident_kg=round(t.incident_kg, 3), evidence=evidence,
    )  # fmt: skip


def _groups(
    timelines: Timelines, countries: list[str], day: date, wanted: SubstanceCategory | None
) -> list[GroupRowPublic]:
    """Per analogue group and jurisdiction: class-wide control (since when) or how many of the group's
    catalogue substances are listed one by one."""
    members: dict[str, list[str]] = defaultdict(list)
    for s in catalogue():
        if s.nps_group and (wanted is None or s.category is wanted):
            members[s.nps_group].append(s.code)
    out: list[GroupRowPublic] = []
    for group in sorted(members, key=lambda g: (-len(members[g]), g)):
        subs = [catalogue().get(c) for c in members[group]]
        row = GroupRow(group, group_label(group), tuple(members[group]))
        for c in countries:
            answers = [timelines.answer(s, c, day) for s in subs if s is not None]
            row.cells[c] = group_cell(timelines.group_answer(group, c, day), answers)
        out.append(
            GroupRowPublic(
                group=group, label=row.label, members=len(row.members),
                cells=[GroupCellPublic(jurisdiction=c, class_wide=g.class_wide, since=g.since, schedule=g.schedule,
                                       listed=g.listed, total=g.total) for c, g in row.cells.items()],
            )
        )  # fmt: skip
    return out


def cell_text(c: GapCell) -> str:
    """One matrix cell as text: "Category 1 since 2010-01-01 (class-wide, via EU)" or "not controlled"."""
    if not c.controlled:
        return "not controlled"
    notes = [n for n in ("class-wide" if c.basis == "class" else "", f"via {c.via}" if c.via else "") if n]
    since = f" since {c.since.isoformat()}" if c.since else ""
    return f"{c.schedule}{since}" + (f" ({', '.join(notes)})" if notes else "")


def flat_rows(report: GapReport) -> tuple[list[str], list[dict[str, object]]]:
    """The matrix as flat rows (for tables and CSV): one column per jurisdiction, then the evidence."""
    places = [report.reference, *report.jurisdictions]
    columns = [
        "substance",
        "name",
        "category",
        "group",
        *places,
        "seizures",
        "seizure_kg",
        "incidents",
        "incident_kg",
    ]
    rows: list[dict[str, object]] = []
    for r in report.rows:
        row: dict[str, object] = {
            "substance": r.substance,
            "name": r.name,
            "category": r.category,
            "group": r.group,
        }
        row.update({c.jurisdiction: cell_text(c) for c in r.cells})
        row.update(
            seizures=r.seizures, seizure_kg=r.seizure_kg, incidents=r.incidents, incident_kg=r.incident_kg
        )
        rows.append(row)
    return columns, rows


def gap_csv(report: GapReport) -> str:
    """The matrix as CSV, cells made safe for spreadsheet programs."""
    import csv
    import io

    from interdict.io.csvsafe import cell

    columns, rows = flat_rows(report)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c, "")) for c in columns])
    return buf.getvalue()
