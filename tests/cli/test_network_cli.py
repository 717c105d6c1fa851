"""`interdict network analyze|path|ego|disrupt|money|export` on files: output, exports, bad input
(exit 1, one line naming the problem)."""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interdict.cli.main import app

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


@pytest.fixture
def cliques(tmp_path: Path) -> Path:
    rows = ["caller,callee,calls,when"]
    for group in ("a", "b"):
        rows += [f"{group}{x},{group}{y},1,2024-01-0{x + 1}" for x, y in itertools.combinations(range(4), 2)]
    rows += ["bridge,a0,2,2024-02-01", "bridge,b0,2,2024-02-02"]
    path = tmp_path / "calls.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


COLS = ("--source", "caller", "--target", "callee", "--weight", "calls", "--time", "when")


def test_analyze_json_has_players_reasons_communities_and_summary(cliques: Path) -> None:
    r = run("network", "analyze", str(cliques), *COLS, "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["summary"]["nodes"] == 9 and data["summary"]["communities"] == 2
    top_bt = max(data["players"], key=lambda p: p["betweenness"])
    assert top_bt["id"] == "bridge"
    assert any("bridges communities 1 and 2" in reason for reason in top_bt["reasons"])
    assert sorted(c["size"] for c in data["communities"]) == [4, 5]


def test_analyze_table_and_periods(cliques: Path) -> None:
    r = run("network", "analyze", str(cliques), *COLS, "--periods", "month")
    assert r.exit_code == 0, r.output
    assert "Key players" in r.stdout and "bridge" in r.stdout and "2024-02" in r.stdout


def test_analyze_writes_exports(cliques: Path, tmp_path: Path) -> None:
    gexf, graphml, i2, ftm = (tmp_path / f"out.{x}" for x in ("gexf", "graphml", "csv", "jsonl"))
    r = run(
        "network",
        "analyze",
        str(cliques),
        *COLS,
        "--gexf",
        str(gexf),
        "--graphml",
        str(graphml),
        "--i2",
        str(i2),
        "--ftm",
        str(ftm),
    )
    assert r.exit_code == 0, r.output
    assert ET.fromstring(gexf.read_bytes()).tag.endswith("gexf")
    assert ET.fromstring(graphml.read_bytes()).tag.endswith("graphml")
    assert i2.read_text().startswith("Entity1_Id,")
    assert len(ftm.read_text().splitlines()) == 9 + 14
    r = run("network", "export", str(cliques), *COLS[:4], "--to", "gephi", "-o", str(tmp_path / "x"))
    assert r.exit_code == 1 and "--to is graphml, gexf, i2 or ftm, not 'gephi'" in r.output


def test_path_and_ego(cliques: Path) -> None:
    r = run("network", "path", str(cliques), *COLS[:4], "--from", "a1", "--to", "b1", "--format", "json")
    assert r.exit_code == 0, r.output
    path = json.loads(r.stdout)["paths"][0]
    assert [n["id"] for n in path["nodes"]] == ["a1", "a0", "bridge", "b0", "b1"]
    assert path["hops"][1]["records"][0]["id"] == "row 14"
    r = run("network", "ego", str(cliques), *COLS[:4], "--node", "bridge", "--depth", "1", "--format", "json")
    assert {n["id"]: n["distance"] for n in json.loads(r.stdout)["nodes"]} == {"bridge": 0, "a0": 1, "b0": 1}


def test_disrupt(cliques: Path) -> None:
    r = run(
        "network",
        "disrupt",
        str(cliques),
        *COLS[:4],
        "--remove",
        "bridge",
        "--suggest",
        "1",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["removal"]["after"]["components"] == 2
    assert data["suggestion"]["by_betweenness"]["removed"] == ["bridge"]
    r = run("network", "disrupt", str(cliques), *COLS[:4])
    assert r.exit_code == 1 and "--remove NODE" in r.output


def test_money_trace_with_rates_flows_and_flags(tmp_path: Path) -> None:
    pays = tmp_path / "pay.csv"
    pays.write_text(
        "from,to,amount,currency,date\nA,B,100,USD,2024-01-01\nB,C,50,EUR,2024-01-02\nB,D,40,USD,2023-12-30\n"
    )
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,rate\n2024-01-01,EUR,1.10\n")
    common = (
        "--source",
        "from",
        "--target",
        "to",
        "--amount",
        "amount",
        "--currency",
        "currency",
        "--time",
        "date",
    )
    r = run(
        "network",
        "money",
        str(pays),
        *common,
        "--origin",
        "A",
        "--rates",
        str(rates),
        "--flags",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [(s["from"], s["to"], s["base_amount"]) for s in data["trace"]["steps"]] == [
        ("A", "B", "100"),
        ("B", "C", "55.00"),
    ]
    assert data["flags"] == []  # B sent on 55 of 100 within 48 hours: under the 80 % of a pass-through
    r = run("network", "money", str(pays), *common, "--origin", "A")
    assert r.exit_code == 1 and "no EUR to USD rate on or before 2024-01-02" in r.output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("a,b\n", ("--source", "x", "--target", "b"), "column 'x' (--source) is not in the header"),
        (
            "source,target,weight\na,b,heavy\n",
            ("--weight", "weight"),
            "row 2, weight: 'heavy' is not a number",
        ),
        ("source,target\n", (), "holds no edges"),
    ],
    ids=["missing-column", "bad-weight", "empty"],
)
def test_bad_input_exits_1_with_one_line(
    tmp_path: Path, content: str, args: tuple[str, ...], message: str
) -> None:
    f = tmp_path / "edges.csv"
    f.write_text(content)
    r = run("network", "analyze", str(f), *args)
    assert r.exit_code == 1
    assert message in r.output and "Traceback" not in r.output


def test_warnings_go_to_stderr(tmp_path: Path) -> None:
    f = tmp_path / "edges.csv"
    f.write_text("source,target\na,b\na,a\na,b\n")
    r = run("network", "analyze", str(f), "--format", "json")
    assert r.exit_code == 0
    assert "warning: row 4 repeats row 2; counted once" in r.stderr
    assert "warning: row 3: self-loop on 'a' dropped" in r.stderr
    assert json.loads(r.stdout)["summary"]["edges"] == 1
