"""`interdict scheduling gaps|status|set|import|jurisdictions`: control status of substances by
jurisdiction and the scheduling-gap report of a mechanism, as the user of INTERDICT_TOKEN.

Each command is a thin call to ``services/scheduling.py`` in one unit of work, checked exactly as the API
checks it (who may record which jurisdiction; evidence only from what the user's agency may see); the
platform's errors become one line and exit code 1 (``interdict.cli.main.friendly``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from interdict.cli.output import Format, day_option, emit

scheduling_app = typer.Typer(
    help="Control status of substances by jurisdiction, and scheduling gaps (acts as the user of INTERDICT_TOKEN).",
    no_args_is_help=True,
)

FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
HISTORY = [
    "jurisdiction",
    "subject",
    "schedule",
    "decontrolled",
    "in_force",
    "until",
    "legal_reference",
    "source",
]


def _main() -> Any:
    from interdict.cli import main

    return main


@scheduling_app.command("gaps")
def gaps(
    mechanism: str = typer.Option(..., "--mechanism", "-m", help="Mechanism code, e.g. MEKONG-MOU"),
    on: str | None = typer.Option(None, "--on", help="Day the statuses are read for (YYYY-MM-DD); today"),
    category: str | None = typer.Option(None, "--category", help="Only this category, e.g. precursor"),
    date_from: str | None = typer.Option(
        None, "--from", help="Evidence period start; three years before --to"
    ),
    date_to: str | None = typer.Option(None, "--to", help="Evidence period end; the --on day"),
    fmt: Format = FormatOpt,
) -> None:
    """Substances controlled in some of the mechanism's countries and not in others, with the evidence."""
    m = _main()

    def run() -> None:
        from interdict.services.scheduling_gaps import gap_csv

        p = m.platform()
        with m.user_unit(p) as (session, actor):
            report = p.scheduling.gaps(
                session,
                actor,
                mechanism,
                day_option(on, "--on"),
                category,
                day_option(date_from, "--from"),
                day_option(date_to, "--to"),
            )
        if fmt is Format.JSON:
            sys.stdout.write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
        elif fmt is Format.CSV:
            sys.stdout.write(gap_csv(report))
        else:
            columns, rows = gap_table(report)
            title = (
                f"Scheduling gaps, {report.mechanism}, on {report.on.isoformat()} "
                f"(evidence {report.period_from.isoformat()} to {report.period_to.isoformat()})"
            )
            emit(rows, columns, fmt, title)
            typer.echo("yes YEAR: controlled since that year (class: by a class-wide control); no: no control status "
                       "in force is recorded on the platform; UN is shown for reference.")
            for g in report.groups:
                cells = ", ".join(
                    f"{c.jurisdiction}: class-wide since {c.since.isoformat() if c.since else '?'}"
                    if c.class_wide
                    else f"{c.jurisdiction}: {c.listed}/{c.total} listed"
                    for c in g.cells
                )
                typer.echo(f"{g.label}: {cells}")

    m.friendly(run)()


def gap_table(report: Any) -> tuple[list[str], list[dict[str, object]]]:
    """The matrix for a terminal: one short cell per jurisdiction ("yes 2019", "yes 2019 class", "no"); the
    schedules and legal detail are in --format json and csv."""
    places = [report.reference, *report.jurisdictions]
    rows: list[dict[str, object]] = []
    for r in report.rows:
        row: dict[str, object] = {"substance": r.name}
        for c in r.cells:
            if not c.controlled:
                row[c.jurisdiction] = "no"
            else:
                since = f" {c.since.year}" if c.since else ""
                row[c.jurisdiction] = f"yes{since}" + (" class" if c.basis == "class" else "")
        row.update(seizures=r.seizures, kg=round(r.seizure_kg, 1), incidents=r.incidents)
        rows.append(row)
    return ["substance", *places, "seizures", "kg", "incidents"], rows


@scheduling_app.command("status")
def status(
    substance: str = typer.Argument(..., help="Catalogue code, CAS number or any name"),
    jurisdiction: str | None = typer.Option(None, "--jurisdiction", "-j", help="Only this jurisdiction"),
    on: str | None = typer.Option(None, "--on", help="Day to answer for (YYYY-MM-DD); today"),
    fmt: Format = FormatOpt,
) -> None:
    """A substance's status in every jurisdiction that recorded one (UN first), with history."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = p.scheduling.substance_status(
                session, substance, jurisdiction, day_option(on, "--on"), actor.today
            )
        if fmt is Format.JSON:
            sys.stdout.write(json.dumps(out.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
            return
        rows = [
            {
                "jurisdiction": j.jurisdiction,
                "subject": h.group_label or h.substance_name,
                "schedule": h.schedule,
                "decontrolled": "yes" if h.decontrolled else "",
                "in_force": h.in_force.isoformat() if h.in_force else "",
                "until": h.until.isoformat() if h.until else "",
                "legal_reference": h.legal_reference,
                "source": h.source,
            }
            for j in out.jurisdictions
            for h in j.history
        ]
        if fmt is Format.CSV:
            emit(rows, HISTORY, fmt)
            return
        typer.echo(f"{out.name} ({out.substance}), on {out.day.isoformat()}")
        for j in out.jurisdictions:
            typer.echo(f"  {j.jurisdiction:>4}: {_answer(j.on.model_dump())}")
        emit(rows, HISTORY, fmt, "History")

    m.friendly(run)()


def _answer(a: dict[str, Any]) -> str:
    if not a["controlled"]:
        ended = f" (decontrolled {a['decontrolled_since']})" if a["decontrolled_since"] else ""
        return "not controlled" + ended
    since = f" since {a['since']}" if a["since"] else ""
    how = {"class": ", class-wide", "convention": ", international conventions"}.get(a["basis"] or "", "")
    via = f", via {a['via']}" if a["via"] else ""
    return f"controlled: {a['schedule']}{since}{how}{via}"


@scheduling_app.command("set")
def set_status(
    jurisdiction: str = typer.Option(..., "--jurisdiction", "-j", help="ISO country code, or EU"),
    in_force: str = typer.Option(..., "--in-force", help="YYYY-MM-DD"),
    source: str = typer.Option(..., "--source", help="Where this status comes from"),
    substance: str = typer.Option("", "--substance", "-s", help="Catalogue code, CAS number or name"),
    group: str = typer.Option("", "--group", "-g", help="Analogue group, for a class-wide control"),
    schedule: str = typer.Option("", "--schedule", help="As the jurisdiction names it"),
    until: str | None = typer.Option(None, "--until", help="YYYY-MM-DD"),
    decontrolled: bool = typer.Option(False, "--decontrolled", help="Control ends on --in-force"),
    legal_reference: str = typer.Option("", "--legal-reference"),
    fmt: Format = FormatOpt,
) -> None:
    """Record a control status (or a decontrol); it closes the status in force before it."""
    m = _main()

    def run() -> None:
        from interdict.schemas.scheduling import ControlStatusCreate

        data = ControlStatusCreate.model_validate({
            "substance": substance, "group": group, "jurisdiction": jurisdiction, "schedule": schedule,
            "decontrolled": decontrolled, "in_force": day_option(in_force, "--in-force"), "until": day_option(until, "--until"),
            "legal_reference": legal_reference, "source": source,
        })  # fmt: skip
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            result = p.scheduling.record(session, actor, data)
        d = {
            "outcome": result.outcome,
            "superseded": result.superseded or "",
            **result.status.model_dump(mode="json"),
        }
        emit([d], ["outcome", "uuid", "jurisdiction", "substance", "group", "schedule", "in_force", "until",
                   "superseded"], fmt)  # fmt: skip

    m.friendly(run)()


@scheduling_app.command("import")
def import_list(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV or XLSX"),
    fmt: Format = FormatOpt,
) -> None:
    """Import a national list, all or nothing; every bad row is named."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with file.open("rb") as stream, m.user_unit(p) as (session, actor):
            result = p.scheduling.import_file(session, actor, stream, file.name)
        d = result.model_dump(mode="json")
        emit([d], list(d), fmt)

    m.friendly(run)()


@scheduling_app.command("jurisdictions")
def jurisdictions(fmt: Format = FormatOpt) -> None:
    """UN, the regional bodies and every country with a recorded status."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, _actor):
            rows = [j.model_dump(mode="json") for j in p.scheduling.jurisdictions(session)]
        emit(rows, ["code", "kind", "name", "statuses", "members"], fmt)

    m.friendly(run)()
