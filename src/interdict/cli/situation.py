"""`interdict indicators ...`, `interdict signals ...` and `interdict report situation ...`, as the user of
INTERDICT_TOKEN: thin calls to services/indicators.py, services/signals.py, services/situation_report.py."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import typer

from interdict.cli.output import Format, emit

indicators_app = typer.Typer(help="Indicator figures with provenance (acts as the user of INTERDICT_TOKEN).",
                             no_args_is_help=True)  # fmt: skip
signals_app = typer.Typer(help="Early-warning signals over the seizures your agency may see.", no_args_is_help=True)
report_app = typer.Typer(help="Reports (acts as the user of INTERDICT_TOKEN).", no_args_is_help=True)

FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
VALUE_COLUMNS = ["indicator", "area", "period", "value", "unit", "low", "high", "revision", "source", "source_table",
                 "source_page", "entered_by", "agency"]  # fmt: skip


def _main() -> Any:
    from interdict.cli import main

    return main


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None


def _pairs(items: list[str], name: str) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"{name}: {item!r} is not FIELD=VALUE")
        k, _, v = item.partition("=")
        out[k.strip()] = v.strip()
    return out


@indicators_app.command("catalogue")
def indicators_catalogue(fmt: Format = FormatOpt) -> None:
    """The indicators figures may be given for, with their units."""
    from interdict.domain.indicators import CATALOGUE

    emit([asdict(i) for i in CATALOGUE], ["code", "name", "unit", "kind", "substance"], fmt)


@indicators_app.command("list")
def indicators_list(
    indicator: str = typer.Option("", help="Code or name"),
    area: str = typer.Option("", help="Country, subdivision or region"),
    fmt: Format = FormatOpt,
) -> None:
    """The latest revision of every matching figure."""
    from interdict.services.indicators import IndicatorFilters

    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            rows = p.indicators.latest(session, actor, IndicatorFilters(indicator or None, area or None))
            out = [r.model_dump(mode="json") for r in p.indicators.public(session, rows)]
        emit(out, VALUE_COLUMNS, fmt)

    m.friendly(run)()


@indicators_app.command("history")
def indicators_history(
    indicator: str = typer.Argument(...), area: str = typer.Argument(...), period: str = typer.Argument(...),
    fmt: Format = FormatOpt,
) -> None:  # fmt: skip
    """Every revision of one figure with its provenance."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            rows = p.indicators.history(session, actor, indicator, area, period)
            out = [r.model_dump(mode="json") for r in p.indicators.public(session, rows)]
        emit(out, [*VALUE_COLUMNS, "reported_value", "reported_unit", "import_row", "entered_at"], fmt)

    m.friendly(run)()


@indicators_app.command("add")
def indicators_add(
    indicator: str = typer.Option(...), area: str = typer.Option(...), period: str = typer.Option(...),
    value: float = typer.Option(...), source: str = typer.Option(..., help="Document the figure comes from"),
    unit: str = typer.Option("", help="As reported; default the indicator's unit"),
    low: float | None = typer.Option(None), high: float | None = typer.Option(None),
    table: str = typer.Option("", help="Table in the document"), page: str = typer.Option("", help="Page"),
    fmt: Format = FormatOpt,
) -> None:  # fmt: skip
    """Enter one figure; an existing figure gets a new revision."""
    from interdict.schemas.indicators import IndicatorValueCreate

    m = _main()

    def run() -> None:
        data = IndicatorValueCreate(indicator=indicator, area=area, period=period, value=value, unit=unit, low=low,
                                    high=high, source=source, source_table=table, source_page=page)  # fmt: skip
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            row = p.indicators.public(session, [p.indicators.add(session, actor, data)])[0]
        emit([row.model_dump(mode="json")], VALUE_COLUMNS, fmt)

    m.friendly(run)()


@indicators_app.command("import")
def indicators_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX"),
    layout: str = typer.Option("long", help="long (one figure per row) or wide (one column per period)"),
    map_: list[str] = typer.Option([], "--map", help="FIELD=HEADER, repeatable"),
    set_: list[str] = typer.Option([], "--set", help="FIELD=VALUE for every row, repeatable (e.g. source=...)"),
    values: str = typer.Option("", help='JSON: {"field": {"value in file": "ours"}}'),
    encoding: str = typer.Option("utf-8"),
) -> None:
    """Import a table, all or nothing; problems are listed by row and column."""
    from interdict.services.indicator_import import IndicatorImportOptions

    m = _main()

    def run() -> None:
        opts = IndicatorImportOptions(layout, _pairs(map_, "--map"), json.loads(values) if values else {},
                                      _pairs(set_, "--set"), encoding)  # fmt: skip
        p = m.platform()
        with m.user_unit(p) as (session, actor), file.open("rb") as fh:
            out = p.indicator_import.run(session, actor, fh, file.name, opts)
        typer.echo(
            f"imported {file.name}: {out.rows} figures, {out.created} written ({out.revised} revisions), "
            f"{out.unchanged} already recorded, {out.empty} empty cells (import {out.import_uuid})"
        )

    m.friendly(run)()


@indicators_app.command("estimate")
def indicators_estimate(
    area: str = typer.Option(..., help="Country whose documented yield is the default"),
    hectares: float = typer.Option(..., help="Hectares under opium poppy"),
    yield_kg_ha: float | None = typer.Option(None, "--yield", help="Opium yield, kg/ha"),
    ratio: float | None = typer.Option(None, help="kg of opium per kg of heroin"),
) -> None:
    """Potential opium and heroin production, each step and factor with its source."""
    from interdict.domain.estimates import HEROIN_RATIO, heroin_from_opium, potential_opium, yield_for

    m = _main()

    def run() -> None:
        opium = potential_opium(hectares, yield_for(area).set(value=yield_kg_ha))
        heroin = heroin_from_opium(opium, HEROIN_RATIO.set(value=ratio))
        for e in (opium, heroin):
            typer.echo(f"{e.what}: {e.value:,.1f} {e.unit} (range {e.low:,.1f}–{e.high:,.1f})")
        for step in heroin.steps:
            typer.echo(f"  {step}")
        for f in heroin.factors:
            typer.echo(f"  factor {f.name} = {f.value:g} {f.unit} ({f.low:g}–{f.high:g}); source: {f.source}")

    m.friendly(run)()


@signals_app.command("run")
def signals_run(
    date_from: str = typer.Option(..., "--from", help="YYYY-MM-DD"),
    date_to: str = typer.Option(..., "--to", help="YYYY-MM-DD"),
    substance: str = typer.Option("", help="Only this substance"),
    kinds: str = typer.Option("change,spike,route_shift,emerging", help="Comma-separated"),
    route_by: str = typer.Option("route", help="route (origin>destination) or port"),
    all_: bool = typer.Option(False, "--all", help="Also list 'cannot judge' findings"),
    fmt: Format = FormatOpt,
) -> None:
    """Spikes, route shifts and emerging substances, each with the figures behind it."""
    from interdict.services.signals import SignalQuery, finding_id

    m = _main()

    def run() -> None:
        q = SignalQuery(_day(date_from, "--from"), _day(date_to, "--to"), substance=substance or None,
                        kinds=tuple(k.strip() for k in kinds.split(",") if k.strip()), route_by=route_by)  # fmt: skip
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = p.signals.run(session, actor, q)
        rows = [{"id": finding_id(f), "kind": f.kind, "status": f.status, "period": f.period, "message": f.message,
                 "figures": dict(f.figures)} for f in out.findings if all_ or f.status == "signal"]  # fmt: skip
        emit(rows, ["id", "kind", "status", "period", "message"], fmt, title=out.scope)

    m.friendly(run)()


@signals_app.command("publish")
def signals_publish(
    signal: str = typer.Argument(..., help="The id `signals run` printed"),
    mechanism: str = typer.Option(..., help="A mechanism your agency belongs to"),
    date_from: str = typer.Option(..., "--from"),
    date_to: str = typer.Option(..., "--to"),
    substance: str = typer.Option(""),
) -> None:
    """Publish a signal to a mechanism's members as an intelligence report (only what every member sees)."""
    from interdict.services.signals import SignalQuery

    m = _main()

    def run() -> None:
        q = SignalQuery(_day(date_from, "--from"), _day(date_to, "--to"), substance=substance or None)
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            report = p.signals.publish(session, actor, q, signal, mechanism)
            typer.echo(f"published as intelligence report {report.uuid} to {mechanism.upper()}")

    m.friendly(run)()


@report_app.command("situation")
def report_situation(
    mechanism: str = typer.Option("", "--mechanism", help="Code of a mechanism your agency belongs to"),
    region: str = typer.Option("", "--region", help="Or a region, e.g. GOLDEN-TRIANGLE"),
    date_from: str = typer.Option(..., "--from", help="YYYY-MM-DD"),
    date_to: str = typer.Option(..., "--to", help="YYYY-MM-DD"),
    out: Path = typer.Option(..., "--out", help="FILE.pdf or FILE.html"),
    lang: str = typer.Option("en", "--lang", help="en, zh or ru"),
) -> None:
    """The regional situation report over what your agency may see, as PDF or HTML."""
    from interdict.services.situation_report import ReportQuery
    from interdict.web.situation_report import document_html, document_pdf

    m = _main()

    def run() -> None:
        kind = out.suffix.lower()
        if kind not in (".pdf", ".html", ".htm"):
            raise ValueError(f"--out must end in .pdf or .html (got {out.name!r})")
        if lang not in ("en", "zh", "ru"):
            raise ValueError(f"--lang must be en, zh or ru (got {lang!r})")
        q = ReportQuery(_day(date_from, "--from"), _day(date_to, "--to"), mechanism or None, region or None)
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            report = p.situation.build(session, actor, q)
        data = document_pdf(report, lang) if kind == ".pdf" else document_html(report, lang).encode()
        out.write_bytes(data)
        typer.echo(f"wrote {out} ({len(data):,} bytes): {report.title}, {q.date_from} to {q.date_to}, "
                   f"as {report.agency} may see it")  # fmt: skip

    m.friendly(run)()
