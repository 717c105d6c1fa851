"""`interdict precursors ...` end to end on SQLite: designate authorities at the console, notify, find it
in the importer's inbox, answer, record the shipment and arrival, remind; refusals are one line and exit
code 1."""

from __future__ import annotations

import json

from tests.cli.conftest import token_for


def test_pre_export_notification_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    for country, agency in (("CN", "CN-NNCC"), ("TH", "TH-ONCB"), ("SG", "SG-CNB")):
        made = run("precursors", "designate", country, agency)
        assert made.exit_code == 0, made.output
    wrong = run("precursors", "designate", "TH", "CN-NNCC")
    assert (
        wrong.exit_code == 1 and wrong.output.count("\n") == 1 and "belongs to country 'CN'" in wrong.output
    )
    listed = json.loads(run("precursors", "authorities", "--format", "json").output)
    assert [a["agency"] for a in listed] == ["CN-NNCC", "SG-CNB", "TH-ONCB"]

    cn, th = token_for(run, "pen.cn", "CN-NNCC"), token_for(run, "pen.th", "TH-ONCB")
    us = token_for(run, "pen.us", "US-DEA")
    args = [
        "precursors",
        "notify",
        "--importing-country",
        "Thailand",
        "--exporter",
        "Example Chemicals (fictitious)",
        "--importer",
        "Sample Trading (fictitious)",
        "--substance",
        "acetic anhydride",
        "--quantity",
        "800",
        "--unit",
        "kg",
        "--ship-date",
        "2030-01-15",
        "--route",
        "SG:Jurong:sea:ftz",
        "--format",
        "json",
    ]
    bad = run(*args[:-6], "--unit", "kg", "--substance", "heroin", "--ship-date", "2030-01-15", token=cn)
    assert bad.exit_code == 1 and "expected a precursor chemical" in bad.output
    made = run(*args, token=cn)
    assert made.exit_code == 0, made.output
    pen = json.loads(made.output)[0]
    ref = pen["reference"]
    assert (pen["importing_authority"], pen["transit_countries"]) == ("TH-ONCB", ["SG"])
    assert run(*args, token=cn).exit_code == 1  # a duplicate

    inbox = json.loads(run("precursors", "inbox", "--format", "json", token=th).output)
    assert [p["reference"] for p in inbox] == [ref]
    hidden = run("precursors", "show", ref, token=us)
    assert hidden.exit_code == 1 and f"no pre-export notification {ref!r}" in hidden.output
    objection = run("precursors", "answer", ref, "--answer", "objection", token=th)
    assert objection.exit_code == 1 and "needs the reason" in objection.output
    cleared = run("precursors", "answer", ref, "--answer", "no_objection", "--format", "json", token=th)
    assert json.loads(cleared.output)[0]["state"] == "cleared"
    both = run("precursors", "shipment", ref, token=cn)
    assert both.exit_code == 1 and "--shipped-on" in both.output
    shown = run("precursors", "show", ref, token=th)
    assert shown.exit_code == 0 and "answered by TH-ONCB" in shown.output
    withdrawn = run(
        "precursors", "withdraw", ref, "--reason", "Order cancelled", "--format", "json", token=cn
    )
    assert json.loads(withdrawn.output)[0]["state"] == "withdrawn"
    assert run("precursors", "remind").output.startswith("reminded 0 notification(s)")
