"""`interdict seizures ...`, `interdict stats seizures`, `interdict operations ...`, `interdict substances`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from interdict.cli.output import Format, day_option, emit
from interdict.schemas.common import comma_list

seizures_app = typer.Typer(
    help="Seizure reports (acts as the user of INTERDICT_TOKEN).", no_args_is_help=True
)
stats_app = typer.Typer(help="Statistics over what your agency may see.", no_args_is_help=True)
operations_app = typer.Typer(
    help="Joint operations (acts as the user of INTERDICT_TOKEN).", no_args_is_help=True
)
substances_app = typer.Typer(help="The substance catalogue.", no_args_is_help=True)

FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")


def _main() -> Any:
    from interdict.cli import main

    return main


@seizures_app.command("template")
def seizures_template(
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write here (.csv or .xlsx); stdout when omitted."
    ),
    fmt: str = typer.Option("", "--format", help="csv or xlsx (default: from --out, else csv)"),
) -> None:
    """The published import template: the CSV header, or a workbook with a guide to every column."""
    from interdict.services.seizure_import import template_csv, template_xlsx

    kind = fmt or (out.suffix.lstrip(".").lower() if out else "csv")
    if kind not in ("csv", "xlsx"):
        _main().fail(f"template format must be csv or xlsx (got {kind!r})")
    if kind == "xlsx":
        if out is None:
            _main().fail("an xlsx template needs --out FILE.xlsx")
        assert out is not None
        out.write_bytes(template_xlsx())
    elif out is None:
        sys.stdout.write(template_csv())
    else:
        out.write_text(template_csv(), encoding="utf-8")
    if out is not None:
        typer.echo(f"template written to {out}")


@seizures_app.command("import")
def seizures_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV or XLSX file"),
    layout: str = typer.Option("interdict", help="interdict (the template) or unodc-ids"),
    mapping: Path | None = typer.Option(None, help='JSON file {"field": "header in your file"}'),
    map_: list[str] = typer.Option([], "--map", help="field=Header, repeatable (overrides --mapping)"),
    valid_only: bool = typer.Option(
        False,
        "--valid-only",
        help="Load the valid rows and write the refused ones to --refused (default: all or nothing)",
    ),
    refused: Path | None = typer.Option(None, help="Where to write refused rows (default: FILE.refused.csv)"),
    encoding: str = typer.Option("utf-8", help="Encoding of a CSV file, e.g. cp1252"),
    distribution: str = typer.Option("agency", help="agency, agencies, mechanisms or all"),
    agencies: str = typer.Option("", help="Comma-separated agency codes (with --distribution agencies)"),
    mechanisms: str = typer.Option(
        "", help="Comma-separated mechanism codes (with --distribution mechanisms)"
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on stderr"),
    fmt: Format = FormatOpt,
) -> None:
    """Import seizure reports. Nothing is half-loaded: by default every row or none; re-importing
    the same file creates no duplicates."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from interdict.domain.errors import InterdictError
    from interdict.services.seizure_import import ImportOptions
    from interdict.services.sharing import DistributionRequest

    m = _main()
    fields: dict[str, str] = {}
    try:
        if mapping is not None:
            loaded = json.loads(mapping.read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                m.fail("the mapping file must hold a JSON object")
            fields.update({str(k): str(v) for k, v in loaded.items()})
        for pair in map_:
            key, sep, header = pair.partition("=")
            if not sep:
                m.fail(f"--map wants field=Header (got {pair!r})")
            fields[key.strip()] = header.strip()
        opts = ImportOptions(
            filename=file.name,
            layout=layout,
            mapping=fields,
            mode="valid" if valid_only else "all",
            encoding=encoding,
            distribution=DistributionRequest(
                distribution,
                comma_list(agencies),
                comma_list(mechanisms),
            ),
        )
        p = m.platform()
        size = file.stat().st_size
        show = (progress and sys.stderr.isatty()) or (progress and size > 5_000_000)
        with Progress(
            TextColumn("importing {task.fields[rows]:>10,} rows"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            disable=not show,
            transient=False,
        ) as bar:
            task = bar.add_task("import", total=size, rows=0)

            def tick(rows: int, position: int) -> None:
                bar.update(task, completed=min(position, size), rows=rows)

            with file.open("rb") as stream, m.user_unit(p) as (session, actor):
                outcome = p.seizure_import.run(session, actor, stream, opts, tick)
            bar.update(task, completed=size, rows=outcome.rows)
    except InterdictError as exc:
        m.fail(exc.detail)
        return
    except (json.JSONDecodeError, OSError) as exc:
        m.fail(str(exc))
        return
    if outcome.refused_csv:
        target = refused or file.with_name(file.name + ".refused.csv")
        target.write_text(outcome.refused_csv, encoding="utf-8")
        typer.echo(f"refused rows written to {target}", err=True)
    summary = {
        "file": outcome.filename,
        "loaded": outcome.loaded,
        "rows": outcome.rows,
        "seizures_created": outcome.seizures_created,
        "rows_loaded": outcome.rows_loaded,
        "rows_unchanged": outcome.rows_unchanged,
        "rows_refused": outcome.rows_refused,
        "import": outcome.import_uuid or "",
        "sha256": outcome.sha256,
    }
    if fmt is Format.JSON:
        summary["errors"] = [e.__dict__ for e in outcome.errors]
        emit([summary], list(summary), fmt)
    else:
        emit([summary], list(summary), fmt, "Import")
        if outcome.errors and fmt is Format.TABLE:
            emit(
                [e.__dict__ for e in outcome.errors[:50]],
                ["row", "column", "message"],
                fmt,
                "Problems (first 50)",
            )
    if not outcome.loaded:
        typer.echo("nothing was loaded: correct the rows above (or use --valid-only)", err=True)
        raise typer.Exit(1)


@seizures_app.command("list")
def seizures_list(
    country: str = typer.Option("", help="ISO country code"),
    substance: str = typer.Option("", help="Substance, any name"),
    operation: str = typer.Option("", help="Operation code"),
    limit: int = typer.Option(50, min=1, max=200),
    fmt: Format = FormatOpt,
) -> None:
    """Seizures your agency may see, newest first."""
    from interdict.services.seizures import SeizureFilters

    m = _main()
    p = m.platform()
    with m.user_unit(p) as (session, actor):
        rows, _ = p.seizures.list(
            session,
            actor,
            SeizureFilters(country=country or None, substance=substance or None, operation=operation or None),
            limit,
            0,
        )
        out = [
            {
                "uuid": s.uuid,
                "seized_on": s.seized_on.isoformat(),
                "owner": s.sharing.owner_agency,
                "country": s.country,
                "place": s.place,
                "substances": ", ".join(f"{i.substance} {i.quantity:g} {i.unit}" for i in s.items),
                "mass_kg": s.total_mass_kg,
                "distribution": s.sharing.distribution.value,
            }
            for s in p.seizures.public_page(session, actor, rows)
        ]
    emit(
        out,
        ["uuid", "seized_on", "owner", "country", "place", "substances", "mass_kg", "distribution"],
        fmt,
        "Seizures",
    )


@stats_app.command("seizures")
def stats_seizures(
    by: str = typer.Option(
        "substance",
        "--by",
        help="Comma-separated: substance, category, country, agency, port_type, port, origin, destination, "
        "route, operation, year, quarter, month",
    ),
    date_from: str = typer.Option("", "--from", help="YYYY-MM-DD"),
    date_to: str = typer.Option("", "--to", help="YYYY-MM-DD"),
    substance: str = typer.Option("", help="Only this substance"),
    category: str = typer.Option("", help="Only this category"),
    country: str = typer.Option("", help="Only this country"),
    operation: str = typer.Option("", help="Only this operation"),
    fmt: Format = FormatOpt,
) -> None:
    """Totals and counts of the seizures your agency may see, with the change against the previous period."""

    from interdict.domain.errors import InterdictError
    from interdict.services.seizure_stats import StatsQuery, parse_by

    m = _main()
    try:
        q = StatsQuery(
            tuple(parse_by(by)),
            day_option(date_from, "--from"),
            day_option(date_to, "--to"),
            substance or None,
            category or None,
            country or None,
            None,
            operation or None,
        )
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = p.stats.run(session, actor, q)
    except InterdictError as exc:
        m.fail(exc.detail)
        return
    except ValueError as exc:
        m.fail(str(exc))
        return
    units = sorted({u for r in out.rows for u in r.counts})
    rows = [
        {
            **r.key,
            "seizures": r.seizures,
            "mass_kg": r.mass_kg,
            **{f"count_{u}": r.counts.get(u) for u in units},
            "previous_mass_kg": r.previous_mass_kg,
            "change_pct": r.change_mass_pct,
        }
        for r in out.rows
    ]
    columns = [
        *out.by,
        "seizures",
        "mass_kg",
        *(f"count_{u}" for u in units),
        "previous_mass_kg",
        "change_pct",
    ]
    if fmt is Format.JSON:
        sys.stdout.write(out.model_dump_json(indent=2) + "\n")
    else:
        emit(
            rows,
            columns,
            fmt,
            f"Seizures by {', '.join(out.by)} ({out.scope}; {out.total_seizures:,} seizures, {out.total_mass_kg:,.1f} kg)",
        )


@operations_app.command("list")
def operations_list(fmt: Format = FormatOpt) -> None:
    """Operations your agency takes part in."""
    m = _main()
    p = m.platform()
    with m.user_unit(p) as (session, actor):
        out = [
            p.operations.public(session, op).model_dump(mode="json")
            for op in p.operations.list(session, actor)
        ]
    emit(out, ["code", "name", "starts_on", "ends_on", "lead_agency", "participants"], fmt, "Operations")


@operations_app.command("results")
def operations_results(code: str, fmt: Format = FormatOpt) -> None:
    """Consolidated results of an operation, with each participant's share."""
    from interdict.domain.errors import InterdictError

    m = _main()
    p = m.platform()
    try:
        with m.user_unit(p) as (session, actor):
            out = p.operations.consolidated(session, actor, code)
    except InterdictError as exc:
        m.fail(exc.detail)
        return
    if fmt is Format.JSON:
        sys.stdout.write(out.model_dump_json(indent=2) + "\n")
        return
    emit(
        [x.model_dump() for x in out.participants],
        ["agency", "cases", "suspects_arrested", "mass_kg", "share_mass_pct", "basis"],
        fmt,
        f"{out.operation.code}: {out.total_cases} cases, {out.total_suspects} arrested, {out.total_mass_kg:,.1f} kg",
    )


@substances_app.command("search")
def substances_search(
    query: str, limit: int = typer.Option(10, min=1, max=100), fmt: Format = FormatOpt
) -> None:
    """Find a substance by any name in any script (冰毒, shabu, первитин ...)."""
    from interdict.domain.substances import catalogue

    rows = [
        {
            "code": mt.substance.code,
            "name": mt.substance.name,
            "matched": mt.name,
            "score": round(mt.score),
            "category": mt.substance.category.value,
            "control": ", ".join(mt.substance.control),
            "cas": mt.substance.cas or "",
        }
        for mt in catalogue().search(query, limit)
    ]
    emit(
        rows,
        ["code", "name", "matched", "score", "category", "control", "cas"],
        fmt,
        f"Substances matching {query!r}",
    )
