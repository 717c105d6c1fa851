"""`interdict cases ...`, end to end on SQLite: open a joint case, invite, link, note, message, status;
another agency's linked record the owner may not see stays out of its view; refusals are one line and
exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import token_for


def _seizure(run, tmp_path: Path, token: str, distribution: str) -> str:  # type: ignore[no-untyped-def]
    file = tmp_path / f"seizure-{distribution}.csv"
    file.write_text(
        f"seized_on,country,substance,quantity,unit,reference\n2026-05-01,TH,heroin,3,kg,CLI-{distribution}\n",
        encoding="utf-8",
    )
    loaded = run(
        "seizures", "import", str(file), "--distribution", distribution, "--no-progress", token=token
    )
    assert loaded.exit_code == 0, loaded.output
    listed = json.loads(run("seizures", "list", "--format", "json", token=token).output)
    return str(next(s["uuid"] for s in listed if s["distribution"] == distribution))


def test_a_joint_case_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    th, us = token_for(run, "case.th", "TH-ONCB"), token_for(run, "case.us", "US-DEA")
    cn = token_for(run, "case.cn", "CN-NNCC")
    made = run(
        "cases",
        "create",
        "--title",
        "Mekong Star heroin run",
        "--offence",
        "drug_trafficking",
        "--offence",
        "Money laundering",
        "--participant",
        "US-DEA",
        "--format",
        "json",
        token=th,
    )
    assert made.exit_code == 0, made.output
    case = json.loads(made.output)[0]
    ref = case["uuid"]
    assert case["offences"] == ["drug_trafficking", "money_laundering"] and case["is_joint"] is True
    assert [p["agency"] for p in case["participants"]] == ["TH-ONCB", "US-DEA"]

    mine, theirs = _seizure(run, tmp_path, th, "all"), _seizure(run, tmp_path, us, "agency")
    assert run("cases", "link", ref, mine, "--note", "Chiang Saen pier", token=th).exit_code == 0
    assert run("cases", "link", ref, theirs, token=us).exit_code == 0
    assert run("cases", "note", ref, "--body", "Boat seen at 02:00.", token=us).exit_code == 0
    said = run("cases", "message", ref, "--body", "Who owns the boat?", "--format", "json", token=th)
    asked = json.loads(said.output)[0]["entries"][-1]["uuid"]
    assert (
        run("cases", "message", ref, "--body", "Golden Lotus Ltd.", "--reply-to", asked, token=us).exit_code
        == 0
    )

    own_view = json.loads(run("cases", "show", ref, "--format", "json", token=th).output)[0]
    assert [lk["record_uuid"] for lk in own_view["links"]] == [mine]  # US-DEA's own seizure is not shown
    their_view = json.loads(run("cases", "show", ref, "--format", "json", token=us).output)[0]
    assert sorted(lk["record_uuid"] for lk in their_view["links"]) == sorted([mine, theirs])
    assert [e["body"] for e in their_view["entries"]] == [
        "Boat seen at 02:00.",
        "Who owns the boat?",
        "Golden Lotus Ltd.",
    ]
    table = run("cases", "show", ref, token=us)
    assert table.exit_code == 0 and "Golden Lotus Ltd." in table.output and "in reply to" in table.output
    listed = json.loads(run("cases", "list", "--box", "joined", "--format", "json", token=us).output)
    assert [c["uuid"] for c in listed] == [ref]

    hidden = run("cases", "show", ref, token=cn)
    assert hidden.exit_code == 1 and hidden.output.startswith(f"error: no case {ref!r}")
    bad = run("cases", "create", "--title", "x", "--offence", "arson", token=th)
    assert bad.exit_code == 1 and "unknown offence(s) 'arson'" in bad.output
    refused = run("cases", "status", ref, "closed", token=us)
    assert refused.exit_code == 1 and "only the owner agency" in refused.output
    closed = run("cases", "status", ref, "closed", "--reason", "Charged.", "--format", "json", token=th)
    assert json.loads(closed.output)[0]["status"] == "closed"
    late = run("cases", "note", ref, "--body", "late", token=us)
    assert late.exit_code == 1 and "is closed" in late.output
    assert run("cases", "status", ref, "open", token=th).exit_code == 0
    left = run("cases", "remove", ref, "US-DEA", token=us)
    assert left.exit_code == 0 and "no longer takes part" in left.output
    assert run("cases", "show", ref, token=us).exit_code == 1


def test_the_demo_world_has_a_joint_investigation(run) -> None:  # type: ignore[no-untyped-def]
    assert run("demo", "load", "--seed", "2", "--reports", "10", "--seizures", "300").exit_code == 0
    views = {}
    for agency in ("TH-ONCB", "LA-LCDC", "MM-CCDAC", "US-DEA"):
        token = token_for(run, f"demo.{agency.lower()}", agency)
        listed = json.loads(run("cases", "list", "--format", "json", token=token).output)
        views[agency] = listed
        if listed:
            shown = json.loads(run("cases", "show", listed[0]["uuid"], "--format", "json", token=token).output)[0]
            assert [p["agency"] for p in shown["participants"]] == ["TH-ONCB", "LA-LCDC", "MM-CCDAC"]
            assert shown["links"] and shown["entries"] and shown["syndicate"]["caption"] == "Golden Lotus network"
            members = json.loads(run("cases", "syndicate", shown["syndicate"]["uuid"], "--format", "json",
                                     token=token).output)[0]["members"]
            assert {m["caption"] for m in members} >= {"Sai Kham Noi", "Mekong Star River Transport Co."}
            assert ("Zhang Wei" in {m["caption"] for m in members}) == (agency == "TH-ONCB")  # TH's alone
    assert [c["title"] for c in views["TH-ONCB"]] == ["Golden Lotus network: methamphetamine across the Mekong"]
    assert views["LA-LCDC"] == views["MM-CCDAC"] != []
    assert views["US-DEA"] == []
