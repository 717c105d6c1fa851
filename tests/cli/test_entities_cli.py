"""`interdict entities import|export` and `interdict crosscheck query`, end to end on SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import token_for

PERSON = {"id": "p1", "schema": "Person",
          "properties": {"name": ["Zhang Wei"], "phone": ["+8613800138000"], "nationality": ["cn"]}}
COMPANY = {"id": "c1", "schema": "Company", "properties": {"name": ["Mekong Trading Co"], "country": ["th"]}}


def test_import_export_and_crosscheck_with_a_blind_hit(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    th = token_for(run, "cli.th", "TH-ONCB")
    us = token_for(run, "cli.us", "US-DEA")
    file = tmp_path / "entities.ftm.json"
    file.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in (PERSON, COMPANY)) + "\n", encoding="utf-8")

    first = run("entities", "import", str(file), "--format", "json", token=th)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)[0] | {"sha256": ""} == {
        "file": "entities.ftm.json", "entities": 2, "created": 2, "updated": 0, "unchanged": 0,
        "sharing_kept": 0, "sha256": ""}
    again = run("entities", "import", str(file), "--format", "json", token=th)
    assert json.loads(again.output)[0]["unchanged"] == 2

    out = tmp_path / "export.ftm.json"
    exported = run("entities", "export", "--out", str(out), token=th)
    assert exported.exit_code == 0, exported.output
    lines = sorted((json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()),
                   key=lambda e: e["id"])
    assert lines == [COMPANY, PERSON]

    mine = run("crosscheck", "query", "--name", "张伟", "--phone", "+86 138 0013 8000", "--format", "json",
               token=th)
    assert mine.exit_code == 0, mine.output
    result = json.loads(mine.output)
    assert [c["caption"] for c in result["candidates"]] == ["Zhang Wei"]
    assert "phone identical" in result["candidates"][0]["explanation"] and result["blind_hits"] == []

    # US-DEA may not see TH-ONCB's person (distribution: agency): a blind hit, nothing else.
    blind = run("crosscheck", "query", "--name", "Zhang Wei", "--phone", "138 0013 8000", "--nationality", "CN",
                token=us)
    assert blind.exit_code == 0, blind.output
    assert "no candidate your agency may see" in blind.output
    assert "a record at agency TH-ONCB matches — request it" in blind.output
    assert "p1" not in blind.output and "Zhang Wei" not in blind.output
    assert [line["id"] for line in map(json.loads, filter(None, run("entities", "export", token=us)
                                                           .stdout.splitlines()))] == []
    assert run("audit", "verify").exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (("crosscheck", "query", "--name", "X", "--phone", "+86 123"), "phone '+86 123'"),
    (("crosscheck", "query"), "nothing to match on"),
    (("entities", "import", "BAD"), "line 2"),
], ids=["bad-phone", "empty-query", "bad-line"])
def test_bad_input_is_one_line_and_exit_1(run, tmp_path: Path, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    run("reference", "load")
    token = token_for(run, "cli.bad", "TH-ONCB")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(PERSON) + '\n{"id": "x", "schema": "Person", "properties": {"hat": ["red"]}}\n',
                   encoding="utf-8")
    result = run(*[str(bad) if a == "BAD" else a for a in args], token=token)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_link_a_file_against_the_store(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    th = token_for(run, "cli.th2", "TH-ONCB")
    us = token_for(run, "cli.us2", "US-DEA")
    file = tmp_path / "entities.ftm.json"
    file.write_text(json.dumps(PERSON, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run("entities", "import", str(file), token=th).exit_code == 0
    partner = tmp_path / "partner.csv"
    partner.write_text("id,name,phone,nationality\nr1,张伟,138 0013 8000,CN\nr2,Maria Lopez,,CO\n", encoding="utf-8")

    out = tmp_path / "links.csv"
    mine = run("crosscheck", "link", str(partner), "--against-store", "--out", str(out), token=th)
    assert mine.exit_code == 0, mine.output
    assert "1 candidates and 0 blind hits for 2 rows" in mine.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "left_id,right_id,score,explanation" and rows[1].startswith("r1,") and "phone identical" in rows[1]

    theirs = run("crosscheck", "link", str(partner), "--against-store", "--out", str(out), token=us)
    assert theirs.exit_code == 0, theirs.output
    assert out.read_text(encoding="utf-8").splitlines()[1:] == ["r1,,0.0000,a record at agency TH-ONCB matches — request it"]

    both = run("crosscheck", "link", str(partner), str(partner), "--against-store", "--out", str(out), token=th)
    assert both.exit_code == 1 and "--against-store links LEFT alone" in both.output


def test_alerts_after_an_import(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    th = token_for(run, "cli.th3", "TH-ONCB")
    us = token_for(run, "cli.us3", "US-DEA")
    file = tmp_path / "one.ftm.json"
    file.write_text(json.dumps(PERSON, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run("entities", "import", str(file), token=th).exit_code == 0
    assert "no alert for your agency" in run("crosscheck", "alerts", token=us).output
    twin = {**PERSON, "id": "x9", "properties": {"name": ["张伟"], "phone": ["+86 138 0013 8000"]}}
    file.write_text(json.dumps(twin, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run("entities", "import", str(file), token=us).exit_code == 0
    mine = run("crosscheck", "alerts", "--format", "json", token=us)
    assert mine.exit_code == 0, mine.output
    (alert,) = json.loads(mine.output)
    assert alert["agency"] == "TH-ONCB" and alert["other_ref"] == "" and "request it" in alert["explanation"]
    theirs = json.loads(run("crosscheck", "alerts", "--format", "json", token=th).output)
    assert [a["agency"] for a in theirs] == ["US-DEA"] and theirs[0]["other_ref"] == ""
    assert run("crosscheck", "alerts", "--format", "xml", token=th).exit_code == 1


def test_watch_list_import_list_and_alerts(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    made = run("users", "create", "cli.admin", "--agency", "TH-ONCB", "--role", "platform_admin", "--token")
    assert made.exit_code == 0, made.output
    admin = next(line.split(": ", 1)[1] for line in made.output.splitlines() if line.startswith("token: "))
    th = token_for(run, "cli.wl", "TH-ONCB")
    excerpt = Path(__file__).parents[1] / "data" / "ofac_sdn_excerpt.csv"

    refused = run("watchlists", "import", str(excerpt), token=th)
    assert refused.exit_code == 1 and "platform administrators" in refused.output
    bad_date = run("watchlists", "import", str(excerpt), "--published", "yesterday", token=admin)
    assert bad_date.exit_code == 1 and "'yesterday' is not a date" in bad_date.output
    done = run("watchlists", "import", str(excerpt), "--published", "2026-11-01", "--programs", "SDNTK,SDNT",
               "--format", "json", token=admin)
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)[0]["entries"] == 5  # of the excerpt's 8: 3 SDNT, 2 SDNTK
    listed = run("watchlists", "list", "--format", "json", token=th)
    assert [(w["code"], w["entries"], w["programs"]) for w in json.loads(listed.output)] == [
        ("ofac-sdn", 5, "SDNT,SDNTK")]

    file = tmp_path / "people.ftm.json"
    file.write_text(json.dumps({"id": "p9", "schema": "Person", "properties": {
        "name": ["Gilberto Rodriguez Orejuela"], "birthDate": ["1939-01-31"]}}) + "\n", encoding="utf-8")
    assert run("entities", "import", str(file), token=th).exit_code == 0
    alerts = run("watchlists", "alerts", "--format", "json", token=th)
    assert [(a["entry_id"], a["list_code"]) for a in json.loads(alerts.output)] == [("4107", "ofac-sdn")]
