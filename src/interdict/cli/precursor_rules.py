"""`interdict precursors rules list|set` and `interdict precursors requirements list|set`: the diversion
rules of the agency of INTERDICT_TOKEN's user, and the annual legitimate requirements countries state.

Each command is a thin call to ``services/diversion.py`` in one unit of work, checked exactly as the API
checks it; the platform's errors become one line and exit code 1 (``interdict.cli.main.friendly``).
"""

from __future__ import annotations

from typing import Any

import typer

from interdict.cli.output import Format, emit
from interdict.cli.precursors import precursors_app

__all__ = ["precursors_app"]

rules_app = typer.Typer(help="Your agency's diversion rules: on or off, and their parameters.", no_args_is_help=True)
requirements_app = typer.Typer(
    help="Annual legitimate requirements of precursors, by country and year.", no_args_is_help=True
)
precursors_app.add_typer(rules_app, name="rules")
precursors_app.add_typer(requirements_app, name="requirements")

FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
RULE_COLUMNS = ["code", "enabled", "params", "label"]
REQUIREMENT_COLUMNS = ["country", "substance", "year", "quantity", "unit", "quantity_kg", "source", "updated_by"]


def _main() -> Any:
    from interdict.cli import main

    return main


def _rule_row(rule: Any, fmt: Format) -> dict[str, Any]:
    d: dict[str, Any] = rule.model_dump(mode="json")
    if fmt is Format.JSON:
        return d
    values = []
    for p in d["params"]:
        value = ",".join(p["value"]) if isinstance(p["value"], list) else p["value"]
        values.append(f"{p['name']}={value}")
    return {**d, "params": " ".join(values)}


def _show_rules(rules: list[Any], fmt: Format) -> None:
    rows = [_rule_row(r, fmt) for r in rules]
    emit(rows, list(rows[0]) if fmt is Format.JSON and rows else RULE_COLUMNS, fmt)


@rules_app.command("list")
def rules_list(fmt: Format = FormatOpt) -> None:
    """Every diversion rule as your agency runs it."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            rules = p.diversion.settings(session, actor)
        _show_rules(rules, fmt)

    m.friendly(run)()


def _params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            _main().fail(f"--param {pair!r} is not NAME=VALUE (e.g. margin_pct=25, countries=MM,LA)")
        out[name.strip()] = value
    return out


@rules_app.command("set")
def rules_set(
    rule: str = typer.Argument(..., help="The rule's code, e.g. excess_quantity."),
    enabled: bool | None = typer.Option(None, "--enabled/--disabled", help="Switch the rule on or off."),
    param: list[str] = typer.Option([], "--param", help="NAME=VALUE, e.g. margin_pct=25; repeat."),
    fmt: Format = FormatOpt,
) -> None:
    """Change one of your agency's rules (supervisors and agency administrators)."""
    from interdict.schemas.diversion import RuleSettingIn

    m = _main()
    params = _params(param)

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            out = p.diversion.set_rule(session, actor, rule, RuleSettingIn(enabled=enabled, params=params))
        _show_rules([out], fmt)

    m.friendly(run)()


@requirements_app.command("list")
def requirements_list(
    country: str = typer.Option("", help="ISO 3166-1 alpha-2 code."),
    substance: str = typer.Option("", help="A precursor's code or name."),
    year: int | None = typer.Option(None, help="Year."),
    limit: int = typer.Option(500, min=1, max=5000),
    fmt: Format = FormatOpt,
) -> None:
    """The stated annual legitimate requirements."""
    m = _main()

    def run() -> None:
        p = m.platform()
        with m.user_unit(p) as (session, actor):
            rows, _ = p.diversion.requirements(session, actor, country or None, substance or None, year, limit)
        emit([r.model_dump(mode="json") for r in rows], REQUIREMENT_COLUMNS, fmt)

    m.friendly(run)()


@requirements_app.command("set")
def requirements_set(
    country: str = typer.Argument(..., help="ISO 3166-1 alpha-2 code of the importing country."),
    substance: str = typer.Argument(..., help="A precursor's code or name."),
    year: int = typer.Argument(..., help="The year the requirement covers."),
    quantity: float = typer.Argument(..., help="The requirement, in UNIT."),
    unit: str = typer.Argument(..., help="kg, t, g, ... or l/ml for a liquid of known density."),
    source: str = typer.Option("", help="Where the figure comes from."),
    note: str = typer.Option("", help="A note."),
    fmt: Format = FormatOpt,
) -> None:
    """State a country's requirement for a precursor and a year (its competent authority or a platform admin)."""
    from interdict.schemas.diversion import RequirementIn

    m = _main()

    def run() -> None:
        p = m.platform()
        body = RequirementIn(country=country, substance=substance, year=year, quantity=quantity, unit=unit,
                             source=source, note=note)
        with m.user_unit(p) as (session, actor):
            out = p.diversion.set_requirement(session, actor, body)
        emit([out.model_dump(mode="json")], REQUIREMENT_COLUMNS, fmt)

    m.friendly(run)()
