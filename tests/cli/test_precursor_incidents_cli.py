"""`interdict precursors incidents ...`, end to end on SQLite: add from options and from a JSON file,
list, show, stats; another agency sees only what was shared with it; refusals are one line and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import token_for


def test_precursor_incidents_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    la, th = token_for(run, "pi.la", "LA-LCDC"), token_for(run, "pi.th", "TH-ONCB")
    cn = token_for(run, "pi.cn", "CN-NNCC")
    made = run(
        "precursors",
        "incidents",
        "add",
        "--kind",
        "precursor_seizure",
        "--date",
        "2026-03-02",
        "--country",
        "LA",
        "--summary",
        "APAAN declared as fertiliser",
        "--place",
        "Fictional river port",
        "--method",
        "false_declaration",
        "--method",
        "Front or shell company",
        "--chemical",
        "APAAN; 250; kg",
        "--chemical",
        "acetic anhydride; 100; l",
        "--equipment",
        "tableting_machine; 2",
        "--origin",
        "CN",
        "--transit",
        "MM",
        "--reference",
        "LA-PI-0001",
        "--distribution",
        "agencies",
        "--agencies",
        "TH-ONCB",
        "--format",
        "json",
        token=la,
    )
    assert made.exit_code == 0, made.output
    incident = json.loads(made.output)[0]
    ref = incident["uuid"]
    assert incident["total_mass_kg"] == 250 + 108 and incident["equipment_units"] == 2
    assert incident["seizure_uuid"] and incident["methods"] == ["false_declaration", "front_company"]

    file = tmp_path / "theft.json"
    file.write_text(
        json.dumps(
            {
                "kind": "theft",
                "occurred_on": "2026-04-01",
                "country": "TH",
                "summary": "Ephedrine stolen from a depot",
                "chemicals": [{"substance": "ephedrine", "quantity": 12, "unit": "kg"}],
                "distribution": "all",
            }
        ),
        encoding="utf-8",
    )
    theft = run("precursors", "incidents", "add", "--file", str(file), "--format", "json", token=la)
    assert theft.exit_code == 0, theft.output
    assert json.loads(theft.output)[0]["seizure_uuid"] is None

    shown = run("precursors", "incidents", "show", ref, token=th)
    assert shown.exit_code == 0, shown.output
    assert (
        "Seizure of precursor chemicals" in shown.output and "alpha-phenylacetoacetonitrile" in shown.output
    )
    assert "CN > MM" in shown.output

    hidden = run("precursors", "incidents", "show", ref, token=cn)
    assert hidden.exit_code == 1 and hidden.output.strip() == f"error: no precursor incident {ref!r}"
    listed = json.loads(run("precursors", "incidents", "list", "--format", "json", token=cn).output)
    assert [i["kind"] for i in listed] == ["theft"]
    mine = json.loads(
        run(
            "precursors", "incidents", "list", "--kind", "precursor_seizure", "--format", "json", token=th
        ).output
    )
    assert [i["uuid"] for i in mine] == [ref]

    stats = run("precursors", "incidents", "stats", "--by", "substance", "--format", "json", token=th)
    assert stats.exit_code == 0, stats.output
    assert {r["key"]: r["mass_kg"] for r in json.loads(stats.output)} == {
        "apaan": 250,
        "acetic_anhydride": 108,
        "ephedrine": 12,
    }
    table = run("precursors", "incidents", "stats", "--by", "kind", token=cn)
    assert "total: 1 incidents, 12 kg" in table.output
    seizure_stats = run("stats", "seizures", "--by", "substance", "--format", "json", token=th)
    assert seizure_stats.exit_code == 0, seizure_stats.output
    assert "apaan" in seizure_stats.output and "ephedrine" not in seizure_stats.output


def test_bad_input_is_one_line_and_exit_1(run) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    la = token_for(run, "pi.bad", "LA-LCDC")
    base = [
        "precursors",
        "incidents",
        "add",
        "--kind",
        "precursor_seizure",
        "--date",
        "2026-03-02",
        "--country",
        "LA",
        "--summary",
        "x",
    ]
    bad_line = run(*base, "--chemical", "APAAN; 250; kg", "--chemical", "ephedrine; lots; kg", token=la)
    assert bad_line.exit_code == 1
    assert bad_line.output.strip() == (
        "error: the precursor incident is not valid: chemicals[1].quantity: chemicals line 2: quantity 'lots' is not a number"
    )
    heroin = run(*base, "--chemical", "heroin; 1; kg", token=la)
    assert heroin.exit_code == 1 and "'heroin' is not a precursor chemical" in heroin.output
    assert len(heroin.output.strip().splitlines()) == 1
    assert run("precursors", "incidents", "stats", "--by", "colour", token=la).exit_code == 1
    assert json.loads(run("precursors", "incidents", "list", "--format", "json", token=la).output) == []
