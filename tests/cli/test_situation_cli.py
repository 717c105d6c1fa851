"""`interdict indicators|signals|report situation`, end to end on SQLite."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from pypdf import PdfReader

from tests.cli.conftest import token_for


def test_indicators_add_import_list_history_estimate(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    th = token_for(run, "ind.th", "TH-ONCB")
    added = run("indicators", "add", "--indicator", "opium_poppy_cultivation", "--area", "MM", "--period", "2023",
                "--value", "47100", "--source", "UNODC, Myanmar Opium Survey 2023", "--page", "5", token=th)
    assert added.exit_code == 0, added.output
    table = tmp_path / "wide.csv"
    table.write_text("Country,2022,2023\nMyanmar,40100,47000\nLaos,,\n")
    imported = run("indicators", "import", str(table), "--layout", "wide", "--map", "area=Country",
                   "--set", "indicator=opium_poppy_cultivation", "--set", "source=UNODC surveys", token=th)
    assert imported.exit_code == 0, imported.output
    assert "2 figures, 2 written (1 revisions)" in imported.output and "2 empty cells" in imported.output
    listed = json.loads(run("indicators", "list", "--area", "MM", "--format", "json", token=th).output)
    assert [(r["period"], r["value"], r["revision"]) for r in listed] == [("2022", 40100, 1), ("2023", 47000, 2)]
    hist = json.loads(run("indicators", "history", "opium_poppy_cultivation", "MM", "2023", "--format", "json",
                          token=th).output)  # fmt: skip
    assert [h["source"] for h in hist] == ["UNODC, Myanmar Opium Survey 2023", "UNODC surveys"]
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,area,period,value,source\nopium_poppy_cultivation,Atlantis,2023,1,S\n")
    refused = run("indicators", "import", str(bad), token=th)
    assert refused.exit_code == 1 and "row 2, column area" in refused.output and "nothing was imported" in refused.output
    est = run("indicators", "estimate", "--area", "MM", "--hectares", "47100", "--ratio", "10")
    assert est.exit_code == 0 and "potential opium production: 1,078.6 t" in est.output
    assert "potential heroin production: 107.9 t" in est.output and "Myanmar Opium Survey 2023" in est.output


def test_report_situation_pdf_and_html(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    th = token_for(run, "rep.th", "TH-ONCB")
    csv_file = tmp_path / "s.csv"
    day = (date.today() - timedelta(days=10)).isoformat()
    csv_file.write_text(f"seized_on,country,substance,quantity,unit,origin_country\n{day},TH,heroin,12.5,kg,MM\n")
    loaded = run("seizures", "import", str(csv_file), "--distribution", "all", token=th)
    assert loaded.exit_code == 0, loaded.output
    start, end = (date.today() - timedelta(days=60)).isoformat(), date.today().isoformat()
    pdf = tmp_path / "mekong.pdf"
    made = run("report", "situation", "--mechanism", "MEKONG-MOU", "--from", start, "--to", end, "--out", str(pdf),
               token=th)  # fmt: skip
    assert made.exit_code == 0, made.output
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "This report contains only what TH-ONCB may see" in text and "12.5" in text
    html = tmp_path / "mekong.html"
    assert run("report", "situation", "--mechanism", "MEKONG-MOU", "--from", start, "--to", end, "--out", str(html),
               "--lang", "zh", token=th).exit_code == 0  # fmt: skip
    assert "<svg" in html.read_text()
    wrong = run("report", "situation", "--mechanism", "MEKONG-MOU", "--from", start, "--to", end,
                "--out", str(tmp_path / "x.docx"), token=th)  # fmt: skip
    assert wrong.exit_code == 1 and "--out must end in .pdf or .html" in wrong.output
    other = run("report", "situation", "--mechanism", "NO-SUCH", "--from", start, "--to", end, "--out", str(pdf),
                token=th)  # fmt: skip
    assert other.exit_code == 1 and "unknown mechanism or not a member" in other.output


def test_signals_run_and_a_refused_publish(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    th = token_for(run, "sig.th", "TH-ONCB")
    csv_file = tmp_path / "s.csv"
    day = (date.today() - timedelta(days=10)).isoformat()
    csv_file.write_text(f"seized_on,country,substance,quantity,unit,origin_country\n{day},TH,heroin,12.5,kg,MM\n")
    assert run("seizures", "import", str(csv_file), "--distribution", "all", token=th).exit_code == 0
    start, end = (date.today() - timedelta(days=90)).isoformat(), date.today().isoformat()
    out = run("signals", "run", "--from", start, "--to", end, "--all", "--format", "json", token=th)
    assert out.exit_code == 0, out.output
    findings = json.loads(out.output)
    assert findings and all(f["status"] == "cannot_judge" for f in findings)  # one seizure: nothing to judge
    assert {f["kind"] for f in findings} >= {"first_sighting", "change"}
    refused = run("signals", "publish", "0" * 16, "--mechanism", "MEKONG-MOU", "--from", start, "--to", end, token=th)
    assert refused.exit_code == 1 and "no signal" in refused.output
    bad = run("signals", "run", "--from", "2026-13-01", "--to", end, token=th)
    assert bad.exit_code == 1 and "not a date" in bad.output
