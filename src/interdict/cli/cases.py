"""`interdict cases create|list|show|update|status|invite|remove|link|unlink|note|message|syndicates|
syndicate`: case files and joint investigations, as the user of INTERDICT_TOKEN.

Each command is a thin call to ``services/cases.py`` in one unit of work, checked exactly as the API
checks it (the same "not found" for cases of other agencies, the same refusals for a closed case; linked
records shown only where their own sharing allows); the platform's errors become one line and exit code 1
(``interdict.cli.main.friendly``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from interdict.cli.output import Format, emit

cases_app = typer.Typer(
    help="Case files and joint investigations (acts as the user of INTERDICT_TOKEN).", no_args_is_help=True
)

FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
COLUMNS = ["uuid", "title", "owner_agency", "status", "is_joint", "offences", "syndicate", "updated_at"]


def _main() -> Any:
    from interdict.cli import main

    return main


def _text(value: str) -> str:
    """'-' reads standard input."""
    return sys.stdin.read() if value == "-" else value


def _act(fmt: Format, call: Callable[[Any, Any, Any], Any]) -> None:
    """Run one action as the token's user, then show the case as it is now (nothing when the agency left)."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            case = call(p.cases, session, actor)
            out = p.cases.public(session, actor, case) if case is not None else None
        if out is None:
            typer.echo("done: your agency no longer takes part in the case")
            return
        _show(out, fmt)

    m.friendly(run)()


def _flat(summary: dict[str, Any]) -> dict[str, Any]:
    syndicate = summary.get("syndicate")
    return {**summary, "syndicate": syndicate["caption"] if syndicate else ""}


def _show(out: Any, fmt: Format) -> None:
    if fmt is not Format.TABLE:
        d = out.model_dump(mode="json")
        emit([d], list(d.keys()), fmt)
        return
    d = _flat(out.model_dump(mode="json"))
    for key in [*COLUMNS, "created_by"]:
        value = d[key]
        typer.echo(
            f"{key:>13}: {', '.join(value) if isinstance(value, list) else '' if value is None else value}"
        )
    typer.echo(f"{'participants':>13}: {', '.join(p['agency'] for p in d['participants'])}")
    typer.echo(f"{'you may':>13}: {', '.join(d['actions']) or '-'}")
    if d["summary"]:
        typer.echo("")
        typer.echo(d["summary"])
    if d["links"]:
        typer.echo("")
        typer.echo("linked records (those you may see):")
        for lk in d["links"]:
            typer.echo(f"  {lk['record_kind']} {lk['record_uuid']} ({lk['owner_agency']}): {lk['caption']}")
    for e in d["entries"]:
        typer.echo("")
        reply = f", in reply to {e['reply_to']}" if e["reply_to"] else ""
        typer.echo(
            f"-- {e['kind']} {e['uuid']} from {e['author']} ({e['author_agency']}), {e['created_at']}{reply}"
        )
        typer.echo(e["body"])


@cases_app.command("create")
def cases_create(
    title: str = typer.Option(..., help="Title."),
    summary: str = typer.Option("", help="What the case is about (Markdown); '-' reads standard input."),
    offence: list[str] = typer.Option(
        [], "--offence", help="A suspected offence (e.g. drug_trafficking); repeat."
    ),
    syndicate: str = typer.Option("", help="Uuid of an Organization entity your agency can see."),
    participant: list[str] = typer.Option([], "--participant", help="Code of an agency to invite; repeat."),
    fmt: Format = FormatOpt,
) -> None:
    """Open a case owned by your agency (a joint investigation when agencies are invited)."""
    from interdict.schemas.cases import CaseCreate

    def call(svc: Any, s: Any, a: Any) -> Any:
        data = CaseCreate.model_validate(
            {
                "title": title,
                "summary": _text(summary),
                "offences": offence,
                "syndicate": syndicate or None,
                "participants": participant,
            }
        )
        return svc.create(s, a, data)

    _act(fmt, call)


@cases_app.command("list")
def cases_list(
    box: str = typer.Option("", help="owned or joined (default: both)."),
    status: str = typer.Option("", help="open, suspended or closed."),
    limit: int = typer.Option(50, min=1, max=200),
    offset: int = typer.Option(0, min=0),
    fmt: Format = FormatOpt,
) -> None:
    """The cases your agency owns or takes part in, last changed first."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            rows, _ = p.cases.list_for(session, actor, status or None, box or None, limit, offset)
            out = [_flat(c.model_dump(mode="json")) for c in p.cases.summaries(session, actor, rows)]
        emit(out, COLUMNS, fmt, "Cases")

    m.friendly(run)()


@cases_app.command("show")
def cases_show(ref: str = typer.Argument(..., help="The case's uuid."), fmt: Format = FormatOpt) -> None:
    """One case: participants, the linked records you may see, its log ('not found' for others' cases)."""
    _act(fmt, lambda svc, s, a: svc.get(s, a, ref))


@cases_app.command("update")
def cases_update(
    ref: str,
    version: int = typer.Option(..., help="The version you read (a newer one is refused)."),
    title: str | None = typer.Option(None),
    summary: str | None = typer.Option(None, help="'-' reads standard input."),
    offence: list[str] = typer.Option([], "--offence", help="Replaces the offences; repeat."),
    syndicate: str | None = typer.Option(None, help="An Organization entity's uuid; '' clears it."),
    fmt: Format = FormatOpt,
) -> None:
    """Change the title, summary, offences or syndicate (the owner's writers)."""
    from interdict.schemas.cases import CaseUpdate

    def call(svc: Any, s: Any, a: Any) -> Any:
        data = CaseUpdate.model_validate(
            {
                "version": version,
                "title": title,
                "summary": _text(summary) if summary is not None else None,
                "offences": offence or None,
                "syndicate": syndicate,
            }
        )
        return svc.update(s, a, ref, data)

    _act(fmt, call)


@cases_app.command("status")
def cases_status(
    ref: str,
    to: str = typer.Argument(..., help="open, suspended or closed."),
    reason: str = typer.Option("", help="Why; written to the case's log."),
    fmt: Format = FormatOpt,
) -> None:
    """Suspend, close or reopen a case (the owner's writers)."""
    from interdict.schemas.cases import CaseStatusIn

    _act(
        fmt,
        lambda svc, s, a: svc.set_status(
            s, a, ref, CaseStatusIn.model_validate({"status": to, "reason": reason})
        ),
    )


@cases_app.command("invite")
def cases_invite(
    ref: str, agency: str = typer.Argument(..., help="Agency code."), fmt: Format = FormatOpt
) -> None:
    """Invite another agency to the case (the owner's writers)."""
    from interdict.schemas.cases import ParticipantIn

    _act(fmt, lambda svc, s, a: svc.invite(s, a, ref, ParticipantIn(agency=agency)))


@cases_app.command("remove")
def cases_remove(
    ref: str, agency: str = typer.Argument(..., help="Agency code."), fmt: Format = FormatOpt
) -> None:
    """Remove a participating agency (the owner), or take your own agency out of the case."""

    def call(svc: Any, s: Any, a: Any) -> Any:
        case = svc.remove(s, a, ref, agency)
        return case if case.owner_agency_id == a.agency_id else None

    _act(fmt, call)


@cases_app.command("link")
def cases_link(
    ref: str,
    record: list[str] = typer.Argument(..., help="Uuids of seizures, entities or intelligence reports."),
    note: str = typer.Option("", help="Why they belong to the case."),
    fmt: Format = FormatOpt,
) -> None:
    """Link records your agency can see (linking shares nothing: others see them only if they already may)."""
    from interdict.schemas.cases import LinkIn

    def call(svc: Any, s: Any, a: Any) -> Any:
        case = None
        for r in record:
            case = svc.link(s, a, ref, LinkIn(record=r, note=note))
        return case

    _act(fmt, call)


@cases_app.command("unlink")
def cases_unlink(
    ref: str, record: str = typer.Argument(..., help="The record's uuid."), fmt: Format = FormatOpt
) -> None:
    """Remove a link (the agency that made it, or the case's owner)."""
    _act(fmt, lambda svc, s, a: svc.unlink(s, a, ref, record))


@cases_app.command("note")
def cases_note(
    ref: str,
    body: str = typer.Option(..., help="The entry; '-' reads standard input."),
    fmt: Format = FormatOpt,
) -> None:
    """Add an entry to the investigation log."""
    from interdict.schemas.cases import NoteIn

    _act(fmt, lambda svc, s, a: svc.note(s, a, ref, NoteIn(body=_text(body))))


@cases_app.command("message")
def cases_message(
    ref: str,
    body: str = typer.Option(..., help="The message; '-' reads standard input."),
    reply_to: str = typer.Option("", "--reply-to", help="Uuid of the entry this answers."),
    fmt: Format = FormatOpt,
) -> None:
    """Write to the case's discussion, seen by every participating agency."""
    from interdict.schemas.cases import MessageIn

    _act(
        fmt, lambda svc, s, a: svc.message(s, a, ref, MessageIn(body=_text(body), reply_to=reply_to or None))
    )


@cases_app.command("syndicates")
def cases_syndicates(fmt: Format = FormatOpt) -> None:
    """The syndicates (Organization entities you may see) of the cases your agency sees."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = [s.model_dump(mode="json") for s in p.cases.syndicates(session, actor)]
        emit(out, ["uuid", "caption", "ftm_schema", "owner_agency"], fmt, "Syndicates")

    m.friendly(run)()


@cases_app.command("syndicate")
def cases_syndicate(
    ref: str = typer.Argument(..., help="The Organization entity's uuid."), fmt: Format = FormatOpt
) -> None:
    """A syndicate: its members and roles, and its cases, each only where you may see it."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = p.cases.syndicate(session, actor, ref).model_dump(mode="json")
        if fmt is not Format.TABLE:
            emit([out], list(out.keys()), fmt)
            return
        typer.echo(f"{out['caption']} ({out['ftm_schema']}, {out['owner_agency']}) {out['uuid']}")
        emit(
            [{**mm, "roles": mm["roles"]} for mm in out["members"]],
            ["caption", "ftm_schema", "owner_agency", "relation", "roles", "start_date", "end_date"],
            fmt,
            "Members",
        )
        emit([_flat(c) for c in out["cases"]], COLUMNS, fmt, "Cases")

    m.friendly(run)()
