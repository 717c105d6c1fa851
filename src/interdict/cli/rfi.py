"""`interdict rfi send|list|show|acknowledge|message|answer|decline|withdraw|overdue`: requests for
information between agencies, as the user of INTERDICT_TOKEN.

Each command is a thin call to ``services/rfi.py`` in one unit of work, checked exactly as the API
checks it (the same "not found" for another agencies' requests, the same state-machine refusals); the
platform's errors become one line and exit code 1 (``interdict.cli.main.friendly``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from interdict.cli.output import Format, emit

rfi_app = typer.Typer(
    help="Requests for information between agencies (acts as the user of INTERDICT_TOKEN).",
    no_args_is_help=True,
)

FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
COLUMNS = ["reference", "title", "requester_agency", "recipient_agency", "priority", "due_on", "state", "overdue"]


def _main() -> Any:
    from interdict.cli import main

    return main


def _text(value: str) -> str:
    """'-' reads standard input."""
    return sys.stdin.read() if value == "-" else value


def _act(ref: str, fmt: Format, call: Callable[[Any, Any, Any], Any]) -> None:
    """Run one action on a request as the token's user, then show the request as it is now."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = p.rfi.public(session, actor, call(p.rfi, session, actor))
        _show(out, fmt)

    m.friendly(run)()


def _show(out: Any, fmt: Format) -> None:
    if fmt is not Format.TABLE:
        emit([out.model_dump(mode="json")], list(out.model_dump().keys()), fmt)
        return
    d = out.model_dump(mode="json")
    for key in [*COLUMNS, "subject_kind", "subject_ref", "requested_by", "created_at"]:
        typer.echo(f"{key:>16}: {'' if d[key] is None else d[key]}")
    typer.echo(f"{'you may':>16}: {', '.join(d['actions']) or '-'}")
    if d["body"]:
        typer.echo("")
        typer.echo(d["body"])
    for msg in d["messages"]:
        typer.echo("")
        typer.echo(f"-- {msg['kind']} from {msg['author']} ({msg['author_agency']}), {msg['created_at']}")
        typer.echo(msg["body"])
        for a in msg["attachments"]:
            typer.echo(f"   attached {a['record_kind']} {a['record_uuid']}")


@rfi_app.command("send")
def rfi_send(
    recipient: str = typer.Option(..., "--to", help="Code of the agency asked."),
    title: str = typer.Option(..., help="Title."),
    body: str = typer.Option("", help="The question (Markdown); '-' reads standard input."),
    about: str = typer.Option("question", help="question, hit or record."),
    subject: str = typer.Option("", help="record: its uuid; hit: your note of the hit (agency, query)."),
    priority: str = typer.Option("routine", help="routine or urgent."),
    due: str = typer.Option("", help="Answer requested by (YYYY-MM-DD); default 15 days from today."),
    fmt: Format = FormatOpt,
) -> None:
    """Send a request for information to another agency."""
    from interdict.schemas.rfi import RfiCreate

    m = _main()

    def run() -> None:
        data = RfiCreate.model_validate({
            "recipient": recipient,
            "title": title,
            "body": _text(body),
            "subject_kind": about,
            "subject_ref": subject or None,
            "priority": priority,
            "due_on": due or None,
        })
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = p.rfi.public(session, actor, p.rfi.create(session, actor, data))
        _show(out, fmt)

    m.friendly(run)()


@rfi_app.command("list")
def rfi_list(
    box: str = typer.Option("", help="incoming or outgoing (default: both)."),
    state: str = typer.Option("", help="sent, acknowledged, answered, declined, withdrawn or overdue."),
    limit: int = typer.Option(50, min=1, max=200),
    offset: int = typer.Option(0, min=0),
    fmt: Format = FormatOpt,
) -> None:
    """Your agency's requests for information, newest first."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            rows, _ = p.rfi.list_for(session, actor, box or None, state or None, limit, offset)
            out = [s.model_dump(mode="json") for s in p.rfi.summaries(session, actor, rows)]
        emit(out, COLUMNS, fmt, "Requests for information")

    m.friendly(run)()


@rfi_app.command("overdue")
def rfi_overdue(fmt: Format = FormatOpt) -> None:
    """Supervisors: your agency's open requests past their due date, longest overdue first."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            rows, _ = p.rfi.overdue_for(session, actor)
            out = [s.model_dump(mode="json") for s in p.rfi.summaries(session, actor, rows)]
        emit(out, COLUMNS, fmt, "Overdue requests for information")

    m.friendly(run)()


@rfi_app.command("show")
def rfi_show(ref: str = typer.Argument(..., help="RFI-2026-000123 or the uuid."), fmt: Format = FormatOpt) -> None:
    """One request and its thread ('not found' for requests of other agencies)."""
    _act(ref, fmt, lambda svc, s, a: svc.get(s, a, ref))


@rfi_app.command("acknowledge")
def rfi_acknowledge(ref: str, fmt: Format = FormatOpt) -> None:
    """The recipient confirms it has the request."""
    _act(ref, fmt, lambda svc, s, a: svc.acknowledge(s, a, ref))


@rfi_app.command("message")
def rfi_message(
    ref: str, body: str = typer.Option(..., help="The message; '-' reads standard input."), fmt: Format = FormatOpt
) -> None:
    """Add a message to the thread (either agency)."""
    from interdict.schemas.rfi import RfiMessageIn

    _act(ref, fmt, lambda svc, s, a: svc.message(s, a, ref, RfiMessageIn(body=_text(body))))


@rfi_app.command("answer")
def rfi_answer(
    ref: str,
    body: str = typer.Option(..., help="The answer; '-' reads standard input."),
    record: list[str] = typer.Option([], "--record", help="Uuid of your agency's record to attach; repeat."),
    fmt: Format = FormatOpt,
) -> None:
    """Answer a request, attaching records of your agency if you choose: a record shared with named
    agencies gets the requester added; one shared with your agency only is refused until you widen it."""
    from interdict.schemas.rfi import RfiAnswerIn

    _act(ref, fmt, lambda svc, s, a: svc.answer(s, a, ref, RfiAnswerIn(body=_text(body), records=record)))


@rfi_app.command("decline")
def rfi_decline(
    ref: str, reason: str = typer.Option(..., help="Why; the requester sees it."), fmt: Format = FormatOpt
) -> None:
    """Decline a request, saying why."""
    from interdict.schemas.rfi import RfiDeclineIn

    _act(ref, fmt, lambda svc, s, a: svc.decline(s, a, ref, RfiDeclineIn(reason=reason)))


@rfi_app.command("withdraw")
def rfi_withdraw(ref: str, reason: str = typer.Option("", help="Why (optional)."), fmt: Format = FormatOpt) -> None:
    """Withdraw a request your agency sent."""
    from interdict.schemas.rfi import RfiWithdrawIn

    _act(ref, fmt, lambda svc, s, a: svc.withdraw(s, a, ref, RfiWithdrawIn(reason=reason)))
