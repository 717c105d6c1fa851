"""`interdict scheduling ...`, end to end on SQLite: record statuses, import a national list twice, read a
substance's history, and the gap report of a mechanism in table, JSON and CSV; bad input is one line and
exit code 1."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from interdict.cli.scheduling import gap_table
from interdict.schemas.scheduling import GapReport
from tests.cli.conftest import token_for

DATA = Path(__file__).parent.parent / "data"


def test_scheduling_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    th, cn = token_for(run, "sched.th", "TH-ONCB"), token_for(run, "sched.cn", "CN-NNCC")
    made = run("scheduling", "set", "--substance", "ketamine", "--jurisdiction", "TH", "--schedule", "Category 2",
               "--in-force", "2010-01-01", "--source", "Royal Gazette", "--format", "json", token=th)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)[0]["outcome"] == "added"
    refused = run("scheduling", "set", "--substance", "ketamine", "--jurisdiction", "LA", "--schedule", "I",
                  "--in-force", "2010-01-01", "--source", "x", token=th)  # fmt: skip
    assert refused.exit_code == 1 and "not LA" in refused.output and "Traceback" not in refused.output
    bad_day = run("scheduling", "set", "--substance", "ketamine", "--jurisdiction", "TH", "--schedule", "I",
                  "--in-force", "1/1/2010", "--source", "x", token=th)  # fmt: skip
    assert bad_day.exit_code == 1 and "'1/1/2010' is not a date" in bad_day.output

    first = run("scheduling", "import", str(DATA / "scheduling_cn.csv"), "--format", "json", token=cn)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)[0]["added"] == 5
    again = json.loads(
        run("scheduling", "import", str(DATA / "scheduling_cn.csv"), "--format", "json", token=cn).output
    )
    assert (again[0]["added"], again[0]["unchanged"]) == (0, 5)
    wrong = run("scheduling", "import", str(DATA / "scheduling_fr.csv"), token=cn)
    assert (
        wrong.exit_code == 1
        and "nothing was imported" in wrong.output
        and "row 7, column in_force" in wrong.output
    )

    shown = run("scheduling", "status", "ketamine", token=th)
    assert shown.exit_code == 0, shown.output
    assert "TH: controlled: Category 2 since 2010-01-01" in shown.output
    assert "CN: controlled: 精神药品第一类 since 2004-07-01" in shown.output
    history = list(csv.DictReader(io.StringIO(run("scheduling", "status", "曲马多", "-j", "CN", "--format", "csv",
                                                  token=th).output)))  # fmt: skip
    assert [(h["schedule"], h["until"]) for h in history] == [
        ("精神药品第二类", "2019-09-01"),
        ("精神药品第一类", ""),
    ]

    table = run("scheduling", "gaps", "--mechanism", "MEKONG-MOU", "--on", "2026-01-01", token=th)
    assert table.exit_code == 0, table.output
    assert "no: no control status in force is recorded" in table.output
    report = json.loads(
        run("scheduling", "gaps", "--mechanism", "MEKONG-MOU", "--format", "json", token=th).output
    )
    ket = next(r for r in report["rows"] if r["substance"] == "ketamine")
    assert ket["controlled_in"] == ["CN", "TH"] and "LA" in ket["not_controlled_in"]
    columns, rows = gap_table(GapReport.model_validate(report))  # the table's short cells
    assert columns[:2] == ["substance", "UN"] and columns[-3:] == ["seizures", "kg", "incidents"]
    short = next(r for r in rows if r["substance"] == "ketamine")
    assert (short["TH"], short["CN"], short["LA"]) == ("yes 2010", "yes 2004", "no")
    lines = run(
        "scheduling", "gaps", "-m", "MEKONG-MOU", "--category", "precursor", "--format", "csv", token=th
    ).output
    assert lines.splitlines()[0].startswith("substance,name,category,group,UN,CN,KH,LA,MM,TH,VN,seizures")
    missing = run("scheduling", "gaps", "--mechanism", "CN-US-CWG", token=th)
    assert missing.exit_code == 1 and "no mechanism 'CN-US-CWG'" in missing.output
