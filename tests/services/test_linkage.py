"""Linking two files (``interdict crosscheck link``): columns, faults, thresholds, blocking reports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interdict.cli.main import app
from interdict.domain.matching import Subject
from interdict.services.linkage import LinkageError, link_files, link_subjects, read_link_file

LEFT = """id,name,birth_date,nationality,phone,passport,notes
L1,张伟,1979-03-05,CN,13800138000,E12345678,seen in Mong La
L2,Somchai Jaidee,1985-07-01,TH,,AA1234567,
L3,Wei,,,,,
L4,Maria Lopez,1990-01-01,CO,,,
"""
RIGHT = """id,given_name,family_name,birth_date,nationality,phone,passport
R1,Wei,Zhang,05.03.1979,CHN,+86 138 0013 8000,
R2,Somchai,Jaidee,1985-07-01,THA,,AA1234567
R3,Wei,Li,1990-02-02,CN,,
R4,Ivan,Petrov,1970-01-01,RU,,
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read_links(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_links_across_scripts_and_formats_with_explanations(tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    left, _, report = link_files(write(tmp_path, "l.csv", LEFT), write(tmp_path, "r.csv", RIGHT), out)
    assert left.ignored == ["notes"]
    assert any("columns not used: notes" in w for w in left.warnings)
    rows = read_links(out)
    assert list(rows[0]) == ["left_id", "right_id", "score", "explanation"]
    pairs = {(r["left_id"], r["right_id"]): r for r in rows}
    assert ("L1", "R1") in pairs
    assert "phone identical" in pairs[("L1", "R1")]["explanation"]
    assert "after transliteration" in pairs[("L1", "R1")]["explanation"]
    assert ("L2", "R2") in pairs
    assert ("L4", "R4") not in pairs
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in rows)
    assert report.model is not None and not report.model.estimated  # too few pairs to learn from


def test_threshold_zero_writes_every_scored_candidate_and_single_tokens_get_candidates(tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    _, _, report = link_files(write(tmp_path, "l.csv", LEFT), write(tmp_path, "r.csv", RIGHT), out, threshold=0)
    rows = read_links(out)
    assert len(rows) == report.compared
    assert {r["right_id"] for r in rows if r["left_id"] == "L3"} >= {"R1", "R3"}  # "Wei" alone


def test_a_file_without_name_or_identifier_columns_is_refused(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.csv", "id,colour\n1,red\n")
    with pytest.raises(LinkageError, match=r"bad.csv: no name or identifier column.*colour"):
        link_files(bad, write(tmp_path, "r.csv", RIGHT), tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_duplicate_ids_are_refused_with_the_row(tmp_path: Path) -> None:
    bad = write(tmp_path, "dup.csv", "id,name\n1,Li Na\n1,Wang Fang\n")
    with pytest.raises(LinkageError, match=r"row 3: id .1. appears twice"):
        link_files(bad, write(tmp_path, "r.csv", RIGHT), tmp_path / "out.csv")


def test_broken_encoding_is_named(tmp_path: Path) -> None:
    bad = write(tmp_path, "gbk.csv", "id,name\n1,张伟\n", encoding="gb18030")
    with pytest.raises(LinkageError, match=r"gbk\.csv"):
        link_files(bad, write(tmp_path, "r.csv", RIGHT), tmp_path / "out.csv")
    out = tmp_path / "ok.csv"
    link_files(bad, write(tmp_path, "r.csv", RIGHT), out, encoding="gb18030", threshold=0)
    assert ("1", "R1") in {(r["left_id"], r["right_id"]) for r in read_links(out)}


def test_invalid_identifiers_warn_with_the_value_and_still_compare(tmp_path: Path) -> None:
    left = write(tmp_path, "l.csv", "id,name,phone\n1,Li Na,12345\n")
    file = read_link_file(io.BytesIO(left.read_bytes()), "l.csv")
    assert any("row 2 phone" in w and "'12345'" in w for w in file.warnings)
    assert file.subjects[0].identifiers["phone"] == frozenset({"12345"})


def test_blank_rows_are_skipped_and_rows_with_nothing_to_compare_are_named(tmp_path: Path) -> None:
    left = write(tmp_path, "l.csv", "id,name,nationality\n1,Li Na,CN\n,,\n3,,CN\n")
    file = read_link_file(io.BytesIO(left.read_bytes()), "l.csv")
    assert [s.ref for s in file.subjects] == ["1"]
    assert any("row 4: nothing to compare" in w for w in file.warnings)


def test_over_large_blocks_are_reported_not_silently_scanned() -> None:
    right = [Subject.build(f"r{i}", names=["Wei"]) for i in range(30)]
    left = [Subject.build("l", names=["Wei"])]
    report = link_subjects(left, right, threshold=0.0, max_block=10, estimate=False)
    assert report.skipped_keys and report.skipped_keys[0][1] == 30
    assert report.scanned_rows == 1  # its only block was too large: compared against it, and said so
    assert report.compared == 30


def test_cli_link_writes_the_file_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    result = CliRunner().invoke(
        app,
        ["crosscheck", "link", str(write(tmp_path, "l.csv", LEFT)), str(write(tmp_path, "r.csv", RIGHT)),
         "--out", str(out), "--threshold", "0.5"],
    )
    assert result.exit_code == 0, result.output
    assert "links at score >= 0.5 written to" in result.output
    assert ("L1", "R1") in {(r["left_id"], r["right_id"]) for r in read_links(out)}


def test_cli_link_names_a_bad_file_in_one_line(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.csv", "id,colour\n1,red\n")
    result = CliRunner().invoke(
        app, ["crosscheck", "link", str(bad), str(write(tmp_path, "r.csv", RIGHT)), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "error: bad.csv: no name or identifier column" in result.output
