"""`interdict watchlists import|list|alerts` (as the user of INTERDICT_TOKEN; imports: platform admins)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from interdict.cli.output import Format, day_option, emit

watchlists_app = typer.Typer(help="Published watch lists (OFAC SDN, FtM lists), screened in every cross-check.")


def _main() -> Any:
    from interdict.cli import main

    return main


@watchlists_app.command("import")
def watchlists_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="OFAC sdn.csv, or FtM JSON lines"),
    published: str = typer.Option("", help="The list's publication date, YYYY-MM-DD"),
    programs: str = typer.Option("", help="Only entries under these programmes, e.g. SDNT,SDNTK,ILLICIT-DRUGS-EO14059"),
    code: str = typer.Option("", help="FtM lists: the list's code (default: the file name)"),
    title: str = typer.Option("", help="FtM lists: the list's title"),
    fmt: Format = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv"),
) -> None:
    """Import a published list as the current version of its code; the same file again changes nothing."""
    _main().friendly(_import)(file, published, programs, code, title, fmt)


def _import(file: Path, published: str, programs: str, code: str, title: str, fmt: Format) -> None:
    from interdict.schemas.common import comma_list

    m = _main()
    day = day_option(published, "--published")
    p = m.platform()
    with m.user_unit(p) as (session, actor):
        done = p.watchlists.import_list(session, actor, file.read_bytes(), source=file.name, published=day,
                                        programs=comma_list(programs), code=code or None, title=title or None)
    row = {"code": done.code, "title": done.title, "entries": done.entries, "unchanged": done.unchanged,
           "superseded": done.superseded, "sha256": done.sha256}
    emit([row], list(row), fmt, "Watch list")
    for warning in done.warnings[:20]:
        typer.echo(f"warning: {warning}", err=True)


@watchlists_app.command("list")
def watchlists_list(fmt: Format = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")) -> None:
    """The lists screened now, with their provenance."""
    _main().friendly(_list)(fmt)


def _list(fmt: Format) -> None:
    m = _main()
    p = m.platform()
    with m.user_unit(p) as (session, _):
        rows = [{"code": w.code, "title": w.title, "published_on": w.published_on, "entries": w.entries,
                 "programs": ",".join(w.programs), "source": w.source, "sha256": w.sha256,
                 "imported_at": w.imported_at} for w in p.watchlists.lists(session)]
    emit(rows, ["code", "title", "published_on", "entries", "programs", "source", "sha256", "imported_at"], fmt,
         "Watch lists")


@watchlists_app.command("alerts")
def watchlists_alerts(
    limit: int = typer.Option(50, min=1, max=200),
    fmt: Format = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv"),
) -> None:
    """Your agency's entities that matched a list entry when they were written."""
    _main().friendly(_alerts)(limit, fmt)


def _alerts(limit: int, fmt: Format) -> None:
    from interdict.services.watchlists import alerts_for

    m = _main()
    p = m.platform()
    with m.user_unit(p) as (session, actor):
        rows = [a.__dict__ for a in alerts_for(session, actor, limit)]
    emit(rows, ["created_at", "entity_caption", "list_code", "entry_id", "entry_caption", "programs", "score",
                "explanation"], fmt, "Watch-list alerts")
