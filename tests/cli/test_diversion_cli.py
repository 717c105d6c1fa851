"""`interdict precursors rules ...` and `interdict precursors requirements ...`, end to end on SQLite:
listing, changing a rule as a supervisor, refusals as one line with exit code 1, and requirements stated
and listed."""

from __future__ import annotations

import json

from tests.cli.conftest import token_for


def _token(run, username: str, agency: str, role: str) -> str:  # type: ignore[no-untyped-def]
    made = run("users", "create", username, "--agency", agency, "--role", role, "--token")
    assert made.exit_code == 0, made.output
    return str(next(line.split(": ", 1)[1] for line in made.output.splitlines() if line.startswith("token: ")))


def test_rules_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    analyst = token_for(run, "div.analyst", "TH-ONCB")
    supervisor = _token(run, "div.supervisor", "TH-ONCB", "supervisor")
    listed = run("precursors", "rules", "list", "--format", "json", token=analyst)
    assert listed.exit_code == 0, listed.output
    rules = {r["code"]: r for r in json.loads(listed.output)}
    assert len(rules) == 7 and rules["split_order"]["enabled"]

    refused = run("precursors", "rules", "set", "split_order", "--disabled", token=analyst)
    assert refused.exit_code == 1 and "supervisor" in refused.output
    bad = run("precursors", "rules", "set", "split_order", "--param", "window_days=0", token=supervisor)
    assert bad.exit_code == 1 and "window_days = '0'" in bad.output and "from 1 to 365" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    malformed = run("precursors", "rules", "set", "split_order", "--param", "window_days", token=supervisor)
    assert malformed.exit_code == 1 and "NAME=VALUE" in malformed.output

    done = run("precursors", "rules", "set", "country_of_concern", "--param", "countries=MM,LA", "--format", "csv",
               token=supervisor)
    assert done.exit_code == 0, done.output
    assert "countries=LA,MM" in done.output
    off = run("precursors", "rules", "set", "split_order", "--disabled", "--param", "threshold_kg=50",
              "--format", "json", token=supervisor)
    out = json.loads(off.output)[0]
    assert not out["enabled"] and {p["name"]: p["value"] for p in out["params"]}["threshold_kg"] == 50


def test_requirements_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    analyst = token_for(run, "req.analyst", "TH-ONCB")
    admin = _token(run, "req.admin", "TH-ONCB", "platform_admin")
    refused = run("precursors", "requirements", "set", "TH", "ephedrine", "2026", "250", "kg", token=analyst)
    assert refused.exit_code == 1 and "competent authority" in refused.output
    bad = run("precursors", "requirements", "set", "TH", "heroin", "2026", "250", "kg", token=admin)
    assert bad.exit_code == 1 and "not a precursor" in bad.output
    made = run("precursors", "requirements", "set", "TH", "acetic anhydride", "2026", "2", "t", "--source",
               "illustrative", token=admin)
    assert made.exit_code == 0, made.output
    listed = run("precursors", "requirements", "list", "--country", "TH", "--format", "json", token=analyst)
    rows = json.loads(listed.output)
    assert [(r["substance"], r["quantity_kg"], r["unit"]) for r in rows] == [("acetic_anhydride", 2000.0, "t")]
