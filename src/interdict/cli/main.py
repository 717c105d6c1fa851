"""`interdict <group> <verb>`: each command is a thin call to a service.

Bad input exits 1 with one line naming the problem, never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interdict.cli.output import Format, emit
from interdict.domain.errors import InterdictError
from interdict.services.context import Actor, system_actor
from interdict.services.platform import Platform
from interdict.settings import Settings

app = typer.Typer(
    help="Interdict: cooperation platform for drug-law-enforcement agencies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
reference_app = typer.Typer(help="Reference cooperation structure.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo world.", no_args_is_help=True)
users_app = typer.Typer(help="Users (console operator).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log.", no_args_is_help=True)
agencies_app = typer.Typer(help="Agencies.", no_args_is_help=True)
mechanisms_app = typer.Typer(help="Cooperation mechanisms.", no_args_is_help=True)
intel_app = typer.Typer(
    help="Intelligence reports (acts as the user of INTERDICT_TOKEN).", no_args_is_help=True
)
for sub, name in (
    (db_app, "db"),
    (reference_app, "reference"),
    (demo_app, "demo"),
    (users_app, "users"),
    (tokens_app, "tokens"),
    (audit_app, "audit"),
    (agencies_app, "agencies"),
    (mechanisms_app, "mechanisms"),
    (intel_app, "intel"),
):
    app.add_typer(sub, name=name)


def _add_record_commands() -> None:
    from interdict.cli.cases import cases_app
    from interdict.cli.crosscheck import crosscheck_app
    from interdict.cli.entities import entities_app  # also adds `query` to the crosscheck group
    from interdict.cli.network import network_app
    from interdict.cli.precursor_incidents import precursors_app  # adds `incidents` to the precursors group
    from interdict.cli.precursor_rules import precursors_app as _rules  # adds `rules` and `requirements`
    from interdict.cli.rfi import rfi_app
    from interdict.cli.scheduling import scheduling_app
    from interdict.cli.seizures import operations_app, seizures_app, stats_app, substances_app
    from interdict.cli.situation import indicators_app, report_app, signals_app
    from interdict.cli.watchlists import watchlists_app

    assert _rules is precursors_app
    for sub, name in (
        (crosscheck_app, "crosscheck"),
        (seizures_app, "seizures"),
        (stats_app, "stats"),
        (operations_app, "operations"),
        (substances_app, "substances"),
        (entities_app, "entities"),
        (rfi_app, "rfi"),
        (indicators_app, "indicators"),
        (signals_app, "signals"),
        (report_app, "report"),
        (cases_app, "cases"),
        (watchlists_app, "watchlists"),
        (network_app, "network"),
        (precursors_app, "precursors"),
        (scheduling_app, "scheduling"),
    ):
        app.add_typer(sub, name=name)


_add_record_commands()

F = TypeVar("F", bound=Callable[..., Any])
FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def friendly(fn: F) -> F:
    """Turn the platform's errors into one line and exit code 1."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InterdictError as exc:
            fields = "; ".join(f"{k}: {v}" for k, v in exc.errors.items() if k not in exc.detail)
            fail(exc.detail + (f" ({fields})" if fields else ""))
        except ValidationError as exc:
            fail("; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()))
        except (FileNotFoundError, PermissionError, ValueError) as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


def platform() -> Platform:
    try:
        return Platform(Settings())
    except ValidationError as exc:
        fail("configuration: " + "; ".join(str(e["msg"]) for e in exc.errors()))
        raise


def now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def console_unit(p: Platform) -> Iterator[tuple[Session, Actor]]:
    with p.db.unit() as session:
        yield session, system_actor(now(), p.settings.node_name)


@contextmanager
def user_unit(p: Platform) -> Iterator[tuple[Session, Actor]]:
    """A unit of work as the user behind INTERDICT_TOKEN, checked exactly as the API checks it."""
    token = os.environ.get("INTERDICT_TOKEN", "")
    if not token:
        fail("set INTERDICT_TOKEN to an API token (create one with `interdict users create ... --token`)")
    from interdict.services.auth import actor_for

    with p.db.unit() as session:
        user, _ = p.auth.resolve(session, token, now())
        base = system_actor(now(), p.settings.node_name)
        yield session, actor_for(base, user)


# -- serve and schema ----------------------------------------------------------------------------------
@app.command()
@friendly
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="Load the demo world first if the database is empty."),
) -> None:
    """Upgrade the database, then serve the API (and web pages) on HOST:PORT."""
    import uvicorn

    from interdict.api.app import create_app

    p = platform()
    p.upgrade()
    if demo:
        _demo_if_empty(p)
    typer.echo(
        f"Interdict is serving on http://{host}:{port}/  (API: http://{host}:{port}/api/v1/openapi.json)"
    )
    from interdict.domain.names import warm_up

    warm_up()
    uvicorn.run(create_app(platform=p), host=host, port=port, log_level="info", server_header=False)


def _demo_if_empty(p: Platform) -> None:
    from interdict.store.identity import User

    with p.db.unit() as session:
        has_users = (session.scalar(select(func.count(User.id))) or 0) > 0
    if has_users:
        typer.echo(
            "The database already holds users; their logins were printed when they were created.\n"
            "New password for one: `interdict users reset-password USERNAME`."
        )
        return
    _load_demo(p, seed=1)


@db_app.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Apply every migration (SQLite or PostgreSQL, from INTERDICT_DATABASE_URL)."""
    p = platform()
    p.upgrade()
    typer.echo("database is at the latest schema")


@reference_app.command("load")
@friendly
def reference_load(
    file: str = typer.Option("", help="A reference JSON file; default: the one shipped."),
) -> None:
    """Load agencies, mechanisms (with members) and sharing agreements. Loading twice changes nothing."""
    from pathlib import Path

    from interdict.services.reference import load_reference, reference_data

    p = platform()
    p.upgrade()
    with console_unit(p) as (session, actor):
        counts = load_reference(p, session, actor, reference_data(Path(file) if file else None))
    typer.echo(
        f"loaded {counts.agencies} agencies, {counts.mechanisms} mechanisms, "
        f"{counts.memberships} memberships, {counts.agreements} agreements"
    )


@demo_app.command("load")
@friendly
def demo_load(
    seed: int = typer.Option(1, help="Same seed, same world."),
    reports: int = typer.Option(400, help="Intelligence reports to generate."),
    seizures: int = typer.Option(3000, help="Seizure reports to generate."),
) -> None:
    """Load the reference structure and the demo world; print the generated logins once."""
    p = platform()
    p.upgrade()
    _load_demo(p, seed, reports, seizures)


def _load_demo(p: Platform, seed: int, reports: int = 400, seizures: int = 3000) -> None:
    from interdict.services.demo import load_demo

    with console_unit(p) as (session, actor):
        logins = load_demo(p, session, actor, seed, reports, seizures)
    if not logins:
        typer.echo("demo world already loaded; nothing new")
        return
    typer.echo(
        "Demo logins, shown once. Admins also need a TOTP code: add the secret to an authenticator app."
    )
    width = max(len(x.username) for x in logins)
    for x in logins:
        totp = f"  totp-secret {x.totp_secret}" if x.totp_secret else ""
        typer.echo(f"  {x.username:<{width}}  {x.password}  {x.agency:<12} {','.join(x.roles)}{totp}")


# -- users and tokens ----------------------------------------------------------------------------------
@users_app.command("create")
@friendly
def users_create(
    username: str,
    agency: str = typer.Option(..., help="Agency code."),
    role: list[str] = typer.Option(..., "--role", help="Role; repeat for several."),
    display_name: str = typer.Option("", help="Full name."),
    password_stdin: bool = typer.Option(
        False, help="Read the password from standard input instead of generating one."
    ),
    token: bool = typer.Option(False, "--token", help="Also issue an API token and print it once."),
    token_days: int = typer.Option(0, help="Token lifetime in days (default from settings)."),
) -> None:
    """Create a user (the console operator may create any role, platform_admin included)."""
    from interdict.schemas.users import UserCreate

    p = platform()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with console_unit(p) as (session, actor):
        user, generated = p.users.create(
            session,
            actor,
            UserCreate.model_validate(
                {
                    "username": username,
                    "agency": agency,
                    "roles": role,
                    "display_name": display_name,
                    "password": password,
                }
            ),
        )
        issued = p.auth.issue_token(session, actor, user, "cli", token_days or None)[0] if token else None
    typer.echo(f"created {user.username} ({agency}, {', '.join(user.roles)})")
    if generated:
        typer.echo(f"password: {generated}")
    if issued:
        typer.echo(f"token: {issued}")


@users_app.command("reset-password")
@friendly
def users_reset_password(username: str) -> None:
    """Give a user a new generated password (printed once) and end their sessions."""
    p = platform()
    with console_unit(p) as (session, actor):
        _, password = p.users.reset_password(session, actor, username)
    typer.echo(f"password: {password}")


@users_app.command("list")
@friendly
def users_list(agency: str = typer.Option("", help="Only this agency."), fmt: Format = FormatOpt) -> None:
    """List users."""
    from interdict.services.users import public

    p = platform()
    with console_unit(p) as (session, actor):
        rows = [public(u).model_dump(mode="json") for u in p.users.list_users(session, actor, agency or None)]
    emit(rows, ["username", "agency", "roles", "disabled", "mfa_enrolled"], fmt, "Users")


@tokens_app.command("revoke")
@friendly
def tokens_revoke(token_uuid: str) -> None:
    """Revoke an API token by its id; it is refused from the next request on."""
    p = platform()
    with console_unit(p) as (session, actor):
        tok = p.users.revoke_token(session, actor, token_uuid)
    typer.echo(f"revoked token {tok.uuid} of {tok.user.username}")


# -- audit ---------------------------------------------------------------------------------------------
@audit_app.command("verify")
@friendly
def audit_verify() -> None:
    """Check the hash chain, the head and every signed checkpoint; name the first broken row."""
    from interdict.services.audit import verify_database

    p = platform()
    report = verify_database(p.db, p.audit.public_key)
    if report.ok:
        typer.echo(
            f"audit chain OK: {report.rows} rows, {report.checkpoints} signed checkpoints, head at row {report.head_seq}"
        )
        return
    assert report.problem is not None
    typer.echo(f"audit chain BROKEN at row {report.problem.seq}: {report.problem.reason}", err=True)
    raise typer.Exit(2)


@audit_app.command("checkpoint")
@friendly
def audit_checkpoint() -> None:
    """Sign a checkpoint of the current head now (also done every N rows automatically)."""
    p = platform()
    with console_unit(p) as (session, actor):
        cp = p.audit.checkpoint(session, actor)
    typer.echo(
        "nothing to sign: the log is empty" if cp is None else f"signed checkpoint at row {cp.seq}: {cp.hash}"
    )


# -- structure -----------------------------------------------------------------------------------------
@agencies_app.command("list")
@friendly
def agencies_list(country: str = typer.Option("", help="ISO country code."), fmt: Format = FormatOpt) -> None:
    """List agencies."""
    from interdict.api.routes.structure import agency_public

    p = platform()
    with console_unit(p) as (session, _):
        rows = [agency_public(a).model_dump() for a in p.structure.list_agencies(session, country or None)]
    emit(rows, ["code", "name_en", "name_local", "country", "organisation", "kind"], fmt, "Agencies")


@mechanisms_app.command("list")
@friendly
def mechanisms_list(fmt: Format = FormatOpt) -> None:
    """List mechanisms with their current members."""
    from interdict.api.routes.structure import mechanism_public

    p = platform()
    with console_unit(p) as (session, actor):
        rows = []
        for m in p.structure.visible_mechanisms(session, actor):
            pub = mechanism_public(m, actor)
            current = [x.agency for x in pub.members if x.left is None or x.left > actor.today]
            rows.append({**pub.model_dump(mode="json"), "members": current, "member_count": len(current)})
    emit(rows, ["code", "name_en", "kind", "established", "member_count", "members"], fmt, "Mechanisms")


# -- intelligence reports ------------------------------------------------------------------------------
INTEL_COLUMNS = ["uuid", "title", "category", "grading", "owner_agency", "distribution", "created_at"]


def _intel_row(pub: Any) -> dict[str, Any]:
    d = pub.model_dump(mode="json")
    return {**d, "owner_agency": d["sharing"]["owner_agency"], "distribution": d["sharing"]["distribution"]}


@intel_app.command("create")
@friendly
def intel_create(
    title: str = typer.Option(..., help="Title."),
    body: str = typer.Option("", help="Markdown body; '-' reads standard input."),
    category: str = typer.Option("other"),
    grading: str = typer.Option("X4", help="Source reliability A/B/C/X and accuracy 1-4, e.g. B2."),
    distribution: str = typer.Option("agency", help="agency, agencies, mechanisms or all."),
    agency: list[str] = typer.Option([], "--agency", help="With --distribution agencies; repeat."),
    mechanism: list[str] = typer.Option([], "--mechanism", help="With --distribution mechanisms; repeat."),
    condition: list[str] = typer.Option([], "--condition", help="no_onward_sharing, not_for_evidence"),
    tag: list[str] = typer.Option([], "--tag"),
    country: list[str] = typer.Option([], "--country"),
    substance: list[str] = typer.Option([], "--substance"),
    personal_data: bool = typer.Option(False, "--personal-data"),
    fmt: Format = FormatOpt,
) -> None:
    """Create an intelligence report owned by your agency."""
    from interdict.schemas.intel import IntelReportCreate

    if len(grading) != 2:
        fail(f"--grading {grading!r}: expected a letter A/B/C/X and a digit 1-4, e.g. B2")
    text = sys.stdin.read() if body == "-" else body
    data = IntelReportCreate.model_validate(
        {
            "title": title,
            "body": text,
            "category": category,
            "source_reliability": grading[0].upper(),
            "info_accuracy": grading[1],
            "distribution": distribution,
            "agencies": agency,
            "mechanisms": mechanism,
            "handling_conditions": condition,
            "tags": tag,
            "countries": country,
            "substances": substance,
            "contains_personal_data": personal_data,
        }
    )
    p = platform()
    with user_unit(p) as (session, actor):
        pub = p.intel.public(session, actor, p.intel.create(session, actor, data))
    emit([_intel_row(pub)], INTEL_COLUMNS, fmt)


@intel_app.command("list")
@friendly
def intel_list(
    category: str = typer.Option("", help="Only this category."),
    owner: str = typer.Option("", help="Only this owner agency code."),
    q: str = typer.Option("", help="Words in title or body."),
    limit: int = typer.Option(50, min=1, max=200),
    offset: int = typer.Option(0, min=0),
    fmt: Format = FormatOpt,
) -> None:
    """List the reports your agency may see, newest first."""
    from interdict.services.intel import IntelFilters

    p = platform()
    with user_unit(p) as (session, actor):
        rows, _, _ = p.intel.list(
            session,
            actor,
            IntelFilters(category=category or None, owner=owner or None, q=q or None),
            limit,
            offset,
        )
        out = [_intel_row(x) for x in p.intel.public_page(session, actor, rows)]
    emit(out, INTEL_COLUMNS, fmt, "Intelligence reports")


@intel_app.command("show")
@friendly
def intel_show(ref: str, fmt: Format = FormatOpt) -> None:
    """Show one report (answers 'not found' for reports your agency may not see)."""
    p = platform()
    with user_unit(p) as (session, actor):
        pub = p.intel.public(session, actor, p.intel.get(session, actor, ref))
    if fmt is Format.TABLE:
        row = _intel_row(pub)
        for key in [*INTEL_COLUMNS, "tags", "countries", "substances"]:
            typer.echo(f"{key:>14}: {row[key] if not isinstance(row[key], list) else ', '.join(row[key])}")
        sharing = pub.sharing
        typer.echo(f"{'shared with':>14}: {', '.join(sharing.agencies + sharing.mechanisms) or '-'}")
        typer.echo(f"{'conditions':>14}: {', '.join(sharing.handling_conditions) or '-'}")
        typer.echo("")
        typer.echo(pub.body)
        return
    emit([pub.model_dump(mode="json")], list(pub.model_dump().keys()), fmt)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
