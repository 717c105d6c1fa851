"""The `interdict` command: thin calls to services, formats, one-line errors with exit code 1."""

from __future__ import annotations

import json

import pytest


def test_reference_load_is_idempotent_and_lists_structure(run) -> None:  # type: ignore[no-untyped-def]
    first = run("reference", "load")
    assert first.exit_code == 0, first.output
    assert "0 agencies" not in first.output
    again = run("reference", "load")
    assert "loaded 0 agencies, 0 mechanisms, 0 memberships, 0 agreements" in again.output
    mechs = json.loads(run("mechanisms", "list", "--format", "json").output)
    codes = {m["code"] for m in mechs}
    assert {"SCO", "ASOD-CN", "CN-US-CWG", "PARIS-PACT", "MEKONG-MOU"} <= codes
    agencies = run("agencies", "list", "--format", "csv").output.splitlines()
    assert agencies[0] == "code,name_en,name_local,country,organisation,kind" and len(agencies) > 20


def test_user_token_and_intel_round_trip(run) -> None:  # type: ignore[no-untyped-def]
    run("reference", "load")
    made = run("users", "create", "cli.analyst", "--agency", "TH-ONCB", "--role", "analyst", "--token")
    assert made.exit_code == 0, made.output
    token = next(line.split(": ", 1)[1] for line in made.output.splitlines() if line.startswith("token: "))
    created = run("intel", "create", "--title", "Boats on the Mekong", "--grading", "B2", "--distribution",
                  "mechanisms", "--mechanism", "MEKONG-MOU", "--country", "LA", "--format", "json", token=token)
    assert created.exit_code == 0, created.output
    uuid = json.loads(created.output)[0]["uuid"]
    listed = json.loads(run("intel", "list", "--format", "json", token=token).output)
    assert [r["uuid"] for r in listed] == [uuid] and listed[0]["grading"] == "B2"
    shown = run("intel", "show", uuid, token=token)
    assert "Boats on the Mekong" in shown.output and "MEKONG-MOU" in shown.output
    outsider = run("users", "create", "cli.us", "--agency", "US-DEA", "--role", "analyst", "--token")
    other = next(line.split(": ", 1)[1] for line in outsider.output.splitlines() if line.startswith("token: "))
    hidden = run("intel", "show", uuid, token=other)
    assert hidden.exit_code == 1 and hidden.output.startswith("error: no intelligence report")


@pytest.mark.parametrize(("args", "message"), [
    (("users", "create", "x.y", "--agency", "NOPE", "--role", "analyst"), "no agency 'NOPE'"),
    (("users", "create", "x.y", "--agency", "TH-ONCB", "--role", "wizard"), "roles"),
    (("intel", "create", "--title", "t", "--grading", "Z9"), "source_reliability"),
    (("intel", "create", "--title", "t", "--distribution", "agencies"), "needs at least one agency"),
    (("tokens", "revoke", "not-a-token"), "no token 'not-a-token'"),
], ids=["unknown-agency", "unknown-role", "bad-grading", "empty-agency-list", "unknown-token"])
def test_bad_input_is_one_line_and_exit_1(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    run("reference", "load")
    made = run("users", "create", "cli.a", "--agency", "TH-ONCB", "--role", "analyst", "--token")
    token = next(line.split(": ", 1)[1] for line in made.output.splitlines() if line.startswith("token: "))
    result = run(*args, token=token)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_intel_without_token_says_so(run) -> None:  # type: ignore[no-untyped-def]
    result = run("intel", "list")
    assert result.exit_code == 1 and "INTERDICT_TOKEN" in result.output


def test_demo_world_shows_two_agencies_two_worlds(run) -> None:  # type: ignore[no-untyped-def]
    out = run("demo", "load", "--seed", "3", "--reports", "80")
    assert out.exit_code == 0, out.output
    assert "th-oncb.analyst" in out.output and "platform-admin" in out.output
    tokens = {}
    for code in ("TH-ONCB", "US-DEA"):
        made = run("users", "create", f"view.{code.lower()}", "--agency", code, "--role", "reader", "--token")
        tokens[code] = next(line.split(": ", 1)[1] for line in made.output.splitlines() if line.startswith("token: "))
    seen = {code: {r["uuid"] for r in json.loads(run("intel", "list", "--limit", "200", "--format", "json", token=t).output)}
            for code, t in tokens.items()}
    assert seen["TH-ONCB"] and seen["US-DEA"] and seen["TH-ONCB"] != seen["US-DEA"]
    assert "already" in run("demo", "load", "--seed", "3").output
    assert run("audit", "verify").exit_code == 0


def test_date_options_name_the_option_and_the_value() -> None:
    from datetime import date

    from interdict.cli.output import day_option
    from interdict.domain.errors import BadInputError

    assert day_option("", "--from") is None and day_option(None, "--on") is None
    assert day_option("2026-02-28", "--to") == date(2026, 2, 28)
    with pytest.raises(BadInputError, match=r"--from '2026-13-01' is not a date; expected YYYY-MM-DD") as raised:
        day_option("2026-13-01", "--from")
    assert raised.value.errors == {"from": "--from '2026-13-01' is not a date; expected YYYY-MM-DD"}
