"""`interdict precursors incidents add|list|show|stats`: precursor incidents, as the user of
INTERDICT_TOKEN.

Each command is a thin call to ``services/precursor_incidents.py`` in one unit of work, checked exactly
as the API checks it; the platform's errors become one line and exit code 1
(``interdict.cli.main.friendly``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from interdict.cli.output import Format, day_option, emit
from interdict.cli.precursors import precursors_app

incidents_app = typer.Typer(
    help="Precursor incidents: stopped shipments, suspicious orders, seizures, thefts, diversions "
    "(acts as the user of INTERDICT_TOKEN).",
    no_args_is_help=True,
)
precursors_app.add_typer(incidents_app, name="incidents")

FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
COLUMNS = [
    "uuid",
    "reference",
    "occurred_on",
    "kind",
    "country",
    "summary",
    "total_mass_kg",
    "equipment_units",
]


def _main() -> Any:
    from interdict.cli import main

    return main


def _read_json(path: str) -> dict[str, Any]:
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected one JSON object (an incident), got {type(data).__name__}")
    return data


def _row(d: dict[str, Any]) -> dict[str, Any]:
    return {**d, "distribution": d["sharing"]["distribution"], "owner": d["sharing"]["owner_agency"]}


def _show(d: dict[str, Any], fmt: Format) -> None:
    if fmt is not Format.TABLE:
        emit([d], list(d.keys()), fmt)
        return
    sharing = d["sharing"]
    facts = {
        **{k: d[k] for k in COLUMNS},
        "kind": d["kind_label"],
        "place": d["place"],
        "methods": ", ".join(d["methods"]),
        "route": " > ".join(
            c for c in (d["origin_country"], *d["transit_countries"], d["destination_country"]) if c
        ),
        "notification": d["notification"] or "",
        "seizure": d["seizure_uuid"] or "",
        "owner": sharing["owner_agency"],
        "shared with": sharing["distribution"]
        + "".join(f" {c}" for c in sharing["agencies"] + sharing["mechanisms"]),
        "created_by": d["created_by"],
    }
    for key, value in facts.items():
        typer.echo(f"{key:>15}: {'' if value is None else value}")
    for line in d["lines"]:
        name = line["substance_name"] or line["equipment_label"]
        normal = f" = {line['mass_kg']:g} kg" if line["mass_kg"] is not None else ""
        typer.echo(f"  {line['line']}. {name}: {line['quantity']:g} {line['unit']}{normal}")
    if d["narrative"]:
        typer.echo("")
        typer.echo(d["narrative"])


@incidents_app.command("add")
def incidents_add(
    file: str = typer.Option(
        "", "--file", help="A JSON object as the API takes it ('-' reads standard input)."
    ),
    kind: str = typer.Option(
        "",
        help="stopped_shipment, suspicious_order, precursor_seizure, equipment_seizure, theft or diversion.",
    ),
    occurred_on: str = typer.Option("", "--date", help="YYYY-MM-DD."),
    country: str = typer.Option("", help="Where it happened (ISO code or English name)."),
    summary: str = typer.Option("", help="One line saying what happened."),
    place: str = typer.Option(""),
    narrative: str = typer.Option("", help="'-' reads standard input."),
    method: list[str] = typer.Option([], "--method", help="A method used (e.g. front_company); repeat."),
    chemical: list[str] = typer.Option([], "--chemical", help="'substance; quantity; unit'; repeat."),
    equipment: list[str] = typer.Option([], "--equipment", help="'equipment; count'; repeat."),
    origin: str = typer.Option("", help="Origin country."),
    transit: list[str] = typer.Option([], "--transit", help="A transit country; repeat."),
    destination: str = typer.Option("", help="Destination country."),
    reference: str = typer.Option("", help="Your agency's own reference."),
    notification: str = typer.Option(
        "", help="A pre-export notification your agency may see (uuid or reference)."
    ),
    distribution: str = typer.Option("agency", help="agency, agencies, mechanisms or all"),
    agencies: str = typer.Option("", help="Comma-separated agency codes (with --distribution agencies)"),
    mechanisms: str = typer.Option(
        "", help="Comma-separated mechanism codes (with --distribution mechanisms)"
    ),
    personal_data: bool = typer.Option(False, "--personal-data", help="The record names persons."),
    fmt: Format = FormatOpt,
) -> None:
    """Report a precursor incident, from options or from a JSON file; chemicals seized also become a
    seizure record with the same sharing."""
    from interdict.domain.precursor_incidents import parse_chemical_text, parse_equipment_text
    from interdict.schemas.common import comma_list
    from interdict.schemas.precursor_incidents import PrecursorIncidentCreate

    m = _main()

    def body() -> dict[str, Any]:
        if file:
            return _read_json(file)
        chemicals = [parse_chemical_text(t, n) for n, t in enumerate(chemical, start=1)]
        machines = [parse_equipment_text(t, n) for n, t in enumerate(equipment, start=1)]
        return {
            "kind": kind,
            "occurred_on": occurred_on or None,
            "country": country,
            "summary": summary,
            "place": place,
            "narrative": sys.stdin.read() if narrative == "-" else narrative,
            "methods": method,
            "chemicals": [
                {"substance": c.substance, "quantity": c.quantity, "unit": c.unit} for c in chemicals
            ],
            "equipment": [{"equipment": e.equipment, "count": e.count, "unit": e.unit} for e in machines],
            "origin_country": origin,
            "transit_countries": transit,
            "destination_country": destination,
            "reference": reference,
            "notification": notification,
            "distribution": distribution,
            "agencies": comma_list(agencies),
            "mechanisms": comma_list(mechanisms),
            "contains_personal_data": personal_data,
        }

    def run() -> None:
        data = PrecursorIncidentCreate.model_validate(body())
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            svc = p.precursor_incidents
            out = svc.public_page(session, actor, [svc.create(session, actor, data)])[0]
        _show(out.model_dump(mode="json"), fmt)

    m.friendly(run)()


@incidents_app.command("list")
def incidents_list(
    kind: str = typer.Option("", help="Only this kind."),
    country: str = typer.Option("", help="Only this country (ISO code)."),
    substance: str = typer.Option("", help="Only incidents with this chemical (code or name)."),
    date_from: str = typer.Option("", "--from", help="YYYY-MM-DD"),
    date_to: str = typer.Option("", "--to", help="YYYY-MM-DD"),
    limit: int = typer.Option(50, min=1, max=200),
    offset: int = typer.Option(0, min=0),
    fmt: Format = FormatOpt,
) -> None:
    """The precursor incidents your agency may see, latest first."""
    from interdict.services.precursor_incidents import IncidentFilters

    m = _main()

    def run() -> None:
        f = IncidentFilters(
            kind or None,
            country or None,
            substance or None,
            day_option(date_from, "--from"),
            day_option(date_to, "--to"),
        )
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            svc = p.precursor_incidents
            rows, _ = svc.list(session, actor, f, limit, offset)
            out = [_row(i.model_dump(mode="json")) for i in svc.public_page(session, actor, rows)]
        emit(out, [*COLUMNS, "owner", "distribution"], fmt, "Precursor incidents")

    m.friendly(run)()


@incidents_app.command("show")
def incidents_show(
    ref: str = typer.Argument(..., help="The incident's uuid."), fmt: Format = FormatOpt
) -> None:
    """One incident: facts, lines, the linked seizure and notification you may see, its sharing."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            svc = p.precursor_incidents
            out = svc.public_page(session, actor, [svc.get(session, actor, ref)])[0]
        _show(out.model_dump(mode="json"), fmt)

    m.friendly(run)()


@incidents_app.command("stats")
def incidents_stats(
    by: str = typer.Option("kind", help="kind, country, year, substance, equipment or method"),
    date_from: str = typer.Option("", "--from", help="YYYY-MM-DD"),
    date_to: str = typer.Option("", "--to", help="YYYY-MM-DD"),
    fmt: Format = FormatOpt,
) -> None:
    """Incidents, kilograms of chemicals and units of equipment over the incidents your agency may see."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = p.precursor_incidents.stats(
                session,
                actor,
                by,
                day_option(date_from, "--from"),
                day_option(date_to, "--to"),
            )
        rows = [r.model_dump(mode="json") for r in out.rows]
        emit(
            rows,
            ["key", "label", "incidents", "mass_kg", "equipment_units"],
            fmt,
            f"Precursor incidents by {out.by}",
        )
        if fmt is Format.TABLE:
            typer.echo(
                f"total: {out.total_incidents} incidents, {out.total_mass_kg:g} kg, "
                f"{out.total_equipment_units:g} units of equipment ({out.scope})"
            )

    m.friendly(run)()


__all__ = ["incidents_app", "precursors_app"]
