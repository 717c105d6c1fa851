"""`interdict crosscheck link`: link two files of persons or organisations, no database needed."""

from __future__ import annotations

from pathlib import Path

import typer

crosscheck_app = typer.Typer(
    help="Cross-checks: link two files, or ask the store who else knows a person.", no_args_is_help=True
)


@crosscheck_app.command("link")
def crosscheck_link(
    left: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV or XLSX file"),
    right: Path | None = typer.Argument(
        None, exists=True, dir_okay=False, readable=True, help="CSV or XLSX file (or use --against-list)"
    ),
    against_list: Path | None = typer.Option(
        None, "--against-list", exists=True, dir_okay=False, readable=True,
        help="Screen LEFT against a published watch list (OFAC sdn.csv layout, or FtM JSON lines).",
    ),
    programs: str = typer.Option(
        "", "--programs", help="With --against-list: only entries of these programmes (e.g. SDNTK,SDNT)."
    ),
    against_store: bool = typer.Option(
        False, "--against-store",
        help="Cross-check every row of LEFT against the store, as the user of INTERDICT_TOKEN: what your "
             "agency may see, and blind hits (an empty right_id) for what it may not.",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write left_id,right_id,score,explanation."),
    threshold: float | None = typer.Option(
        None, "--threshold", "-t", min=0.0, max=1.0,
        help="Lowest score written (0 writes every scored candidate pair); default: the engine's "
             "recommended threshold.",
    ),
    encoding: str = typer.Option("utf-8", help="Encoding of CSV files (utf-8, gb18030, cp1251, ...)."),
    fixed_weights: bool = typer.Option(
        False, "--fixed-weights",
        help="Use the engine's a priori weights instead of learning them from the two files.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the one-line summary."),
) -> None:
    """Link LEFT against RIGHT (or against a watch list). Columns are recognised by header: id, name or
    given_name/family_name, birth_date, nationality, phone, email, passport, id_number, address; others
    are reported and ignored."""
    from interdict.cli.main import fail, friendly
    from interdict.domain.matching import RECOMMENDED_THRESHOLD
    from interdict.schemas.common import comma_list
    from interdict.services.linkage import link_files

    chosen = RECOMMENDED_THRESHOLD if threshold is None else threshold
    if against_store:
        if right is not None or against_list is not None:
            fail("--against-store links LEFT alone: give no RIGHT file and no --against-list")
        _link_store(left, out, chosen, encoding)
        return
    left_file, right_file, report = friendly(link_files)(
        left, right, out, threshold=chosen, encoding=encoding, estimate=not fixed_weights,
        against_list=against_list, programs=comma_list(programs),
    )
    if not quiet:
        for file in (left_file, right_file):
            typer.echo(
                f"{file.name}: {len(file.subjects):,} rows; columns used: {', '.join(file.columns)}", err=True
            )
            for warning in file.warnings[:20]:
                typer.echo(f"  warning: {warning}", err=True)
            if len(file.warnings) > 20:
                typer.echo(f"  ... and {len(file.warnings) - 20:,} more warnings", err=True)
        model = report.model
        if model is not None:
            how = (f"learnt from the two files ({model.iterations} iterations)" if model.estimated
                   else "a priori" if fixed_weights or against_list else "a priori (too few pairs to learn from)")
            typer.echo(f"weights: {how}", err=True)
        for key, size in report.skipped_keys[:10]:
            typer.echo(f"  blocking key {key!r} is shared by {size:,} rows of {right_file.name}: not used",
                       err=True)
        if report.scanned_rows:
            typer.echo(
                f"  {report.scanned_rows:,} rows had only over-large blocks and were compared with the "
                "smallest of them", err=True,
            )
    typer.echo(
        f"{len(report.links):,} links at score >= {chosen:g} written to {out} "
        f"({report.compared:,} pairs compared in {report.seconds:.2f} s)"
    )


def _link_store(left: Path, out: Path, threshold: float, encoding: str) -> None:
    from interdict.cli import main as m
    from interdict.services.linkage import LinkFile, LinkReport, link_against_store

    def run() -> tuple[LinkFile, LinkReport]:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            return link_against_store(session, p.audit, actor, left, out, threshold=threshold, encoding=encoding)

    file, report = m.friendly(run)()
    for warning in file.warnings[:20]:
        typer.echo(f"  warning: {warning}", err=True)
    blind = sum(1 for link in report.links if not link.right_id)
    typer.echo(
        f"{len(report.links) - blind:,} candidates and {blind:,} blind hits for {report.compared:,} rows "
        f"written to {out}"
    )


@crosscheck_app.command("alerts")
def crosscheck_alerts(
    limit: int = typer.Option(50, min=1, max=200),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv"),
) -> None:
    """Automatic cross-matching: your agency's entities that matched others when either was written
    (acts as the user of INTERDICT_TOKEN). The other entity is named only where your agency may see it."""
    from interdict.cli import main as m
    from interdict.cli.output import Format, emit
    from interdict.services.entity_alerts import AlertView, alerts_for

    try:
        chosen = Format(fmt)
    except ValueError:
        m.fail(f"format must be table, json or csv (got {fmt!r})")
        return

    def run() -> list[AlertView]:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            return alerts_for(session, actor, limit, 0)

    found = m.friendly(run)()
    rows = [
        {"when": a.created_at.isoformat(), "your_record": a.own_caption, "agency": a.other_agency,
         "matching_record": a.other_caption or "", "score": "" if a.score is None else f"{a.score:.2f}",
         "explanation": a.explanation or a.message, "own_ref": a.own_ref, "other_ref": a.other_ref or ""}
        for a in found
    ]
    columns = ["when", "your_record", "agency", "matching_record", "score", "explanation", "own_ref", "other_ref"]
    if not rows and chosen is Format.TABLE:
        typer.echo("no alert for your agency")
        return
    emit(rows, columns, chosen, "Alerts")
