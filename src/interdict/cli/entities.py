"""`interdict entities import|export` and `interdict crosscheck query` (as the user of INTERDICT_TOKEN).

There is one ``interdict crosscheck`` group: the Typer app ``crosscheck_app`` of cli/crosscheck.py
(which also holds ``link``), registered in ``interdict.cli.main``. This module adds ``query`` to it by
decorating with ``@crosscheck_app.command("query")`` and re-exports it. Any other module adds a command
the same way (``from interdict.cli.crosscheck import crosscheck_app``), provided it is imported before
the app runs, e.g. from ``interdict.cli.main._add_record_commands``, as this one is.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from interdict.cli.crosscheck import crosscheck_app
from interdict.cli.output import Format, emit
from interdict.schemas.common import comma_list

entities_app = typer.Typer(
    help="FollowTheMoney entities (acts as the user of INTERDICT_TOKEN).", no_args_is_help=True
)


__all__ = ["crosscheck_app", "entities_app"]


def _main() -> Any:
    from interdict.cli import main

    return main


@entities_app.command("import")
def entities_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="FtM JSON lines"),
    distribution: str = typer.Option("agency", help="agency, agencies, mechanisms or all"),
    agencies: str = typer.Option("", help="Comma-separated agency codes (with --distribution agencies)"),
    mechanisms: str = typer.Option(
        "", help="Comma-separated mechanism codes (with --distribution mechanisms)"
    ),
    condition: list[str] = typer.Option([], "--condition", help="no_onward_sharing, not_for_evidence"),
    personal_data: bool | None = typer.Option(
        None, "--personal-data/--no-personal-data", help="Default: yes for persons and their documents"
    ),
    hit_notification: bool = typer.Option(
        True, "--hit-notification/--no-hit-notification", help="May a cross-check hit reveal the agency?"
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv"),
) -> None:
    """Import FtM entities: every line or none; re-importing the same file creates no duplicates."""
    from interdict.services.sharing import DistributionRequest

    dist = DistributionRequest(distribution, comma_list(agencies), comma_list(mechanisms), condition)
    _main().friendly(_import)(file, dist, personal_data, hit_notification, fmt)


def _import(file: Path, dist: Any, personal: bool | None, hit: bool, fmt: Format) -> None:
    from interdict.services.entities import EntityService

    m = _main()
    p = m.platform()
    data = file.read_bytes()
    with m.user_unit(p) as (session, actor):
        out = EntityService(p.audit).import_ftm(
            session,
            actor,
            data,
            dist,
            filename=file.name,
            contains_personal_data=personal,
            hit_notification=hit,
        )
    summary = {
        "file": file.name,
        "entities": out.entities,
        "created": out.created,
        "updated": out.updated,
        "unchanged": out.unchanged,
        "sharing_kept": out.sharing_kept,
        "sha256": out.sha256,
    }
    emit([summary], list(summary), fmt, "Import")
    if out.sharing_kept:
        typer.echo(
            f"{out.sharing_kept} entities already existed with another sharing; theirs was kept", err=True
        )


@entities_app.command("export")
def entities_export(
    out: Path | None = typer.Option(None, "--out", "-o", help="Write here; stdout when omitted."),
    schema: str = typer.Option("", help="Only this FtM schema, e.g. Person."),
) -> None:
    """Export the entities your agency may see as FtM JSON lines."""
    _main().friendly(_export)(out, schema)


def _export(out: Path | None, schema: str) -> None:
    from interdict.services.entities import EntityService

    m = _main()
    p = m.platform()
    with m.user_unit(p) as (session, actor):
        lines = EntityService(p.audit).export_ftm(session, actor, schema=schema or None)
        if out is None:
            for line in lines:
                sys.stdout.write(line + "\n")
        else:
            with out.open("w", encoding="utf-8") as fh:
                for line in lines:
                    fh.write(line + "\n")
    where = f" to {out}" if out else ""
    withheld = f"; {lines.withheld} withheld (no onward sharing)" if lines.withheld else ""
    typer.echo(f"exported {lines.exported} entities{where}{withheld}", err=True)


@crosscheck_app.command("query")
def crosscheck_query(
    name: list[str] = typer.Option([], "--name", help="A name in any script; repeat for aliases."),
    birth_date: str = typer.Option("", "--birth-date", help="e.g. 1980-03-05, 1980-03 or 1980"),
    nationality: list[str] = typer.Option([], "--nationality", help="ISO code or English name; repeat."),
    phone: list[str] = typer.Option([], "--phone", help="+<country code>..., or local with --country"),
    email: list[str] = typer.Option([], "--email"),
    passport: list[str] = typer.Option([], "--passport"),
    id_number: list[str] = typer.Option([], "--id-number"),
    country: str = typer.Option(
        "", "--country", help="Country of local phone numbers (default: nationality)"
    ),
    schema: str = typer.Option("Person", help="Person, Organization, Company ..."),
    limit: int = typer.Option(10, min=1, max=200),
    threshold: float = typer.Option(-1.0, help="Score from 0 to 1 (default: the recommended one)"),
    fmt: Format = typer.Option(Format.TABLE, "--format", "-f", help="table or json"),
) -> None:
    """Candidates your agency may see, with score and explanation, and the agencies holding a matching
    record you may not see (blind hits: request it from them)."""
    ids = [("phone", v) for v in phone] + [("email", v) for v in email]
    ids += [("passport", v) for v in passport] + [("national_id", v) for v in id_number]
    _main().friendly(_query)(
        dict(
            names=name,
            birth_date=birth_date or None,
            nationalities=nationality,
            identifiers=ids,
            country=country or None,
            schema=schema,
        ),
        limit,
        threshold,
        fmt,
    )


def _query(query: dict[str, Any], limit: int, threshold: float, fmt: Format) -> None:
    import json

    from interdict.domain.matching import RECOMMENDED_THRESHOLD
    from interdict.services.entities import EntityService
    from interdict.services.entity_rules import query_subject

    m = _main()
    subject = query_subject(**query)
    p = m.platform()
    with m.user_unit(p) as (session, actor):
        result = EntityService(p.audit).crosscheck(
            session, actor, subject, limit, threshold=RECOMMENDED_THRESHOLD if threshold < 0 else threshold
        )
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    rows = [c.__dict__ for c in result.candidates]
    columns = ["score", "caption", "schema", "owner_agency", "explanation", "ref"]
    if fmt is Format.CSV:
        emit(rows, columns, fmt)
        return
    if rows:
        emit(rows, columns, fmt, "Candidates")
    else:
        typer.echo("no candidate your agency may see")
    for hit in result.blind_hits:
        typer.echo(hit.message)
    for note in result.notes:
        typer.echo(f"note: {note}")
