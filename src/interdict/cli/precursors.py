"""`interdict precursors notify|inbox|show|answer|provide-info|shipment|arrival|withdraw|remind|authorities|
designate`: pre-export notifications, as the user of INTERDICT_TOKEN (``remind`` and ``designate`` at the
server's console). Other modules add the ``incidents``, ``rules`` and ``requirements`` groups.

Each command is a thin call to ``services/pen.py`` in one unit of work, checked exactly as the API checks
it (the same "not found" for notifications the agency may not see, the same refusals by state and side);
the platform's errors become one line and exit code 1. ``--version`` is the version read; when left out,
the notification's current version is used.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from interdict.cli.output import Format, day_option, emit

precursors_app = typer.Typer(
    help="Precursor control: pre-export notifications, diversion indicators, precursor incidents.",
    no_args_is_help=True,
)

FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
VersionOpt = typer.Option(None, "--version", help="The version you read (default: the current one).")
COLUMNS = [
    "reference",
    "state",
    "role",
    "exporting_authority",
    "importing_authority",
    "importer",
    "substance",
    "quantity",
    "unit",
    "ship_date",
    "answer_due",
    "overdue",
    "answer",
    "answer_late",
    "flag_count",
]
DETAIL = [
    "uuid",
    "reference",
    "state",
    "role",
    "exporting_authority",
    "importing_authority",
    "exporter",
    "importer",
    "consignee",
    "order_reference",
    "substance_name",
    "quantity",
    "unit",
    "mass_kg",
    "transit_countries",
    "transport_mode",
    "ship_date",
    "purpose",
    "notified_at",
    "answer_due",
    "overdue",
    "days_left",
    "answer",
    "answer_reason",
    "answer_late",
    "shipped",
    "shipped_on",
    "arrived_on",
    "shipped_without_answer",
    "duplicate_of",
    "version",
    "actions",
]


def _main() -> Any:
    from interdict.cli import main

    return main


def _text(value: str) -> str:
    """'-' reads standard input."""
    return sys.stdin.read() if value == "-" else value


def _show(out: Any, fmt: Format, events: list[Any] | None = None) -> None:
    d = out.model_dump(mode="json")
    if fmt is not Format.TABLE:
        emit([d], list(d.keys()), fmt)
        return
    for key in DETAIL:
        value = d[key]
        text = ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else value
        typer.echo(f"{key:>22}: {text}")
    for leg in d["route"]:
        ftz = " (free-trade zone)" if leg.get("free_trade_zone") else ""
        typer.echo(f"{'route':>22}: {leg['country']} {leg.get('place', '')} {leg.get('mode', '')}{ftz}")
    for warning in d["warnings"]:
        typer.echo(f"{'note':>22}: {warning}")
    for flag in d["flags"]:
        typer.echo(f"{'flag':>22}: {flag['rule']}: {flag['reason']}")
    for e in events or []:
        late = " (late)" if e.late else ""
        typer.echo(f"-- {e.at:%Y-%m-%d %H:%M} {e.event}{late} by {e.agency} {e.user or ''}: {e.detail}")


def _act(fmt: Format, ref: str, version: int | None, call: Callable[[Any, Any, Any, int], Any]) -> None:
    """Run one action as the token's user (``version``: as given, or the current one), then show it."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            current = version if version is not None else p.pen.get(session, actor, ref).version
            n = call(p.pen, session, actor, current)
            out = p.pen.public(session, actor, n)
        _show(out, fmt)

    m.friendly(run)()


def _route(text: str) -> dict[str, Any]:
    """``COUNTRY[:PLACE[:MODE[:ftz]]]``, e.g. ``SG:Jurong:sea:ftz``."""
    parts = text.split(":")
    return {
        "country": parts[0],
        "place": parts[1] if len(parts) > 1 else "",
        "mode": parts[2] if len(parts) > 2 else "",
        "free_trade_zone": len(parts) > 3 and parts[3].strip().lower() in {"ftz", "yes", "true", "1"},
    }


@precursors_app.command("notify")
def notify(
    importing_country: str = typer.Option(..., help="ISO code or name of the importing country."),
    exporter: str = typer.Option(...),
    importer: str = typer.Option(...),
    substance: str = typer.Option(..., help="A precursor of the catalogue, by code or name."),
    quantity: float = typer.Option(...),
    unit: str = typer.Option(..., help="kg, g, t, l, ml..."),
    ship_date: str = typer.Option(..., help="Planned day of shipment (YYYY-MM-DD)."),
    exporter_address: str = typer.Option(""),
    importer_address: str = typer.Option(""),
    consignee: str = typer.Option("", help="The final consignee, where not the importer."),
    consignee_address: str = typer.Option(""),
    order_reference: str = typer.Option("", help="The exporter's order or invoice number."),
    route: list[str] = typer.Option(
        [], "--route", help="A leg COUNTRY[:PLACE[:MODE[:ftz]]]; repeat, in order."
    ),
    transit: list[str] = typer.Option([], "--transit", help="A transit country; repeat."),
    transport_mode: str = typer.Option("", help="sea, air, road, rail, post or multimodal."),
    purpose: str = typer.Option("", help="Stated legitimate use; '-' reads standard input."),
    deadline_days: int = typer.Option(15, help="Days the importing authority has to answer (1 to 90)."),
    personal_data: bool = typer.Option(False, "--personal-data", help="A natural person is named."),
    confirm_duplicate: bool = typer.Option(False, "--confirm-duplicate", help="Notify again a repeated one."),
    fmt: Format = FormatOpt,
) -> None:
    """Notify an export to the importing country's competent authority."""
    from interdict.schemas.pen import PenCreate

    m = _main()

    def run() -> None:
        data = PenCreate.model_validate(
            {
                "importing_country": importing_country,
                "exporter": exporter,
                "importer": importer,
                "substance": substance,
                "quantity": quantity,
                "unit": unit,
                "ship_date": ship_date,
                "exporter_address": exporter_address,
                "importer_address": importer_address,
                "consignee": consignee,
                "consignee_address": consignee_address,
                "order_reference": order_reference,
                "route": [_route(r) for r in route],
                "transit_countries": transit,
                "transport_mode": transport_mode,
                "purpose": _text(purpose),
                "deadline_days": deadline_days,
                "contains_personal_data": personal_data,
                "confirm_duplicate": confirm_duplicate,
            }
        )
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = p.pen.public(session, actor, p.pen.create(session, actor, data))
        _show(out, fmt)

    m.friendly(run)()


@precursors_app.command("inbox")
def inbox(
    box: str = typer.Option("inbox", help="inbox, outbox, transit or all."),
    state: str = typer.Option("", help="Only this state (e.g. awaiting_answer)."),
    overdue: bool = typer.Option(False, "--overdue", help="Only those awaiting an answer past the due day."),
    limit: int = typer.Option(50, min=1, max=200),
    fmt: Format = FormatOpt,
) -> None:
    """Notifications addressed to your authority (overdue first), or another box."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            rows, _ = p.pen.list_for(session, actor, box, state or None, True if overdue else None, limit, 0)
            out = [s.model_dump(mode="json") for s in p.pen.summaries(session, actor, rows)]
        emit(out, COLUMNS, fmt, title=f"Pre-export notifications: {box}")

    m.friendly(run)()


@precursors_app.command("show")
def show(ref: str, fmt: Format = FormatOpt) -> None:
    """One notification (uuid or PEN reference) with its log."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            n, rows = p.pen.events(session, actor, ref)
            out, events = p.pen.public(session, actor, n), p.pen.event_views(session, rows)
        _show(out, fmt, events)

    m.friendly(run)()


@precursors_app.command("answer")
def answer(
    ref: str,
    answer: str = typer.Option(..., "--answer", help="no_objection, objection or information_requested."),
    reason: str = typer.Option("", help="The reason of an objection, or the question asked."),
    version: int | None = VersionOpt,
    fmt: Format = FormatOpt,
) -> None:
    """Answer a notification addressed to your authority (late answers are recorded as late)."""
    from interdict.schemas.pen import AnswerIn

    def call(svc: Any, s: Any, a: Any, v: int) -> Any:
        return svc.answer(
            s, a, ref, AnswerIn.model_validate({"version": v, "answer": answer, "reason": reason})
        )

    _act(fmt, ref, version, call)


@precursors_app.command("provide-info")
def provide_info(
    ref: str,
    information: str = typer.Option(..., help="The answer to the question; '-' reads standard input."),
    version: int | None = VersionOpt,
    fmt: Format = FormatOpt,
) -> None:
    """Give the information the importing authority asked for (its deadline starts again)."""
    from interdict.schemas.pen import InformationIn

    def call(svc: Any, s: Any, a: Any, v: int) -> Any:
        return svc.provide_information(s, a, ref, InformationIn(version=v, information=_text(information)))

    _act(fmt, ref, version, call)


@precursors_app.command("shipment")
def shipment(
    ref: str,
    shipped_on: str = typer.Option("", help="The day it left (YYYY-MM-DD)."),
    not_shipped: bool = typer.Option(False, "--not-shipped", help="The shipment did not go ahead."),
    note: str = typer.Option(""),
    version: int | None = VersionOpt,
    fmt: Format = FormatOpt,
) -> None:
    """Record whether the shipment went ahead."""
    from interdict.schemas.pen import ShipmentIn

    if bool(shipped_on) == not_shipped:
        _main().fail("give either --shipped-on DATE or --not-shipped")

    def call(svc: Any, s: Any, a: Any, v: int) -> Any:
        data = ShipmentIn.model_validate(
            {"version": v, "shipped": not not_shipped, "shipped_on": shipped_on or None, "note": note}
        )
        return svc.record_shipment(s, a, ref, data)

    _act(fmt, ref, version, call)


@precursors_app.command("arrival")
def arrival(
    ref: str,
    on: str = typer.Option(..., "--on", help="The day it arrived (YYYY-MM-DD)."),
    note: str = typer.Option(""),
    version: int | None = VersionOpt,
    fmt: Format = FormatOpt,
) -> None:
    """Record the arrival of a shipped consignment."""
    from interdict.schemas.pen import ArrivalIn

    def call(svc: Any, s: Any, a: Any, v: int) -> Any:
        return svc.record_arrival(
            s, a, ref, ArrivalIn.model_validate({"version": v, "arrived_on": on, "note": note})
        )

    _act(fmt, ref, version, call)


@precursors_app.command("withdraw")
def withdraw(
    ref: str,
    reason: str = typer.Option(""),
    version: int | None = VersionOpt,
    fmt: Format = FormatOpt,
) -> None:
    """Withdraw a notification of your authority."""
    from interdict.schemas.pen import WithdrawalIn

    def call(svc: Any, s: Any, a: Any, v: int) -> Any:
        return svc.withdraw(s, a, ref, WithdrawalIn(version=v, reason=reason))

    _act(fmt, ref, version, call)


@precursors_app.command("remind")
def remind(on: str = typer.Option("", "--on", help="The day (default: today, UTC).")) -> None:
    """Remind importing authorities of answers due within three days or overdue, once a day (run it daily
    from a timer; a second run the same day sends nothing)."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.console_unit(p) as (session, console):
            day = day_option(on, "--on") or console.today
            sent = p.pen.remind(session, console, day)
            refs = [n.reference for n in sent]
        typer.echo(f"reminded {len(refs)} notification(s)" + (": " + ", ".join(refs) if refs else ""))

    m.friendly(run)()


@precursors_app.command("authorities")
def authorities(fmt: Format = FormatOpt) -> None:
    """The competent authority of each country for precursor control."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.console_unit(p) as (session, console):
            rows = [a.model_dump(mode="json") for a in p.pen.authorities(session, console)]
        emit(
            rows, ["country", "country_name", "agency", "agency_name", "designated_at", "designated_by"], fmt
        )

    m.friendly(run)()


@precursors_app.command("designate")
def designate(country: str, agency: str) -> None:
    """Designate AGENCY as the competent authority of COUNTRY (at the server's console)."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.console_unit(p) as (session, console):
            out = p.pen.designate(session, console, country, agency)
        typer.echo(f"{out.country} ({out.country_name}): {out.agency}")

    m.friendly(run)()
