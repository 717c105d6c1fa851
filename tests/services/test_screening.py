"""Screening a file against a published watch list (``crosscheck link --against-list``).

Runs on an excerpt of the OFAC SDN snapshot of 2024-05-03 kept in tests/data (eight entries, the
published ``sdn.csv`` layout, a US Government work); the full files are tested in
tests/domain/test_watchlists.py where they are available.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interdict.cli.main import app
from interdict.services.linkage import LinkageError, link_files, read_list_file, watch_list_subjects

EXCERPT = Path(__file__).resolve().parents[1] / "data" / "ofac_sdn_excerpt.csv"
QUERIES = """id,name,birth_date,phone,passport,id_number
q1,Gilberto Rodriguez Orejuela,1939-01-31,,,
q2,The Chess Player,1939,,,
q3,,,,T321642,
q4,Wang Hongfei,1991-12-02,+86 159 2727 0571,,
q5,王洪飞,1991,,,
q6,Maria Lopez,1990-01-01,,,
q7,,,,,6095803
"""


def screen(tmp_path: Path, *options: str) -> list[dict[str, str]]:
    left = tmp_path / "queries.csv"
    left.write_text(QUERIES, encoding="utf-8")
    out = tmp_path / "hits.csv"
    result = CliRunner().invoke(
        app, ["crosscheck", "link", str(left), "--against-list", str(EXCERPT), "--out", str(out), *options]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_known_names_aliases_and_documents_hit_and_say_which_list_programme_and_entry(tmp_path: Path) -> None:
    hits = {(h["left_id"], h["right_id"]): h for h in screen(tmp_path)}
    assert set(hits) == {
        ("q1", "ofac-sdn:4107"),  # name without the second given name, birth date
        ("q2", "ofac-sdn:4107"),  # an alias with the birth year
        ("q3", "ofac-sdn:4107"),  # a passport number alone
        ("q4", "ofac-sdn:41297"),  # name in the other order, phone in international format
        ("q5", "ofac-sdn:41297"),  # the name in Chinese characters
        ("q7", "ofac-sdn:4108"),  # a cedula number alone
    }
    first = hits[("q1", "ofac-sdn:4107")]["explanation"]
    assert first.startswith("OFAC Specially Designated Nationals and Blocked Persons List (SDN) entry 4107 (SDNT): ")
    assert "birth date equal" in first
    assert "name identical (alias)" in hits[("q2", "ofac-sdn:4107")]["explanation"]
    assert "passport identical" in hits[("q3", "ofac-sdn:4107")]["explanation"]
    assert "phone identical" in hits[("q4", "ofac-sdn:41297")]["explanation"]
    assert "after transliteration" in hits[("q5", "ofac-sdn:41297")]["explanation"]
    assert "ILLICIT-DRUGS-EO14059" in hits[("q4", "ofac-sdn:41297")]["explanation"]


def test_programme_filter(tmp_path: Path) -> None:
    hits = screen(tmp_path, "--programs", "ILLICIT-DRUGS-EO14059")
    assert {h["right_id"] for h in hits} == {"ofac-sdn:41297"}


def test_list_entries_become_subjects_with_aliases_dates_and_identifiers() -> None:
    listed = read_list_file(EXCERPT)
    subjects, labels = watch_list_subjects(listed)
    by_ref = {s.ref: s for s in subjects}
    gilberto = by_ref["ofac-sdn:4107"]
    assert len(gilberto.names) >= 3  # the name and both aliases
    assert gilberto.births == ((1939, 1, 31),)
    assert {"T321642", "6067015"} <= gilberto.identifiers["passport"]
    assert by_ref["ofac-sdn:41297"].identifiers["phone"] >= {"+8615927270571"}
    assert by_ref["ofac-sdn:4243"].schema == "LegalEntity"  # a vessel compares by name and IMO only
    assert labels["ofac-sdn:6531"].endswith("entry 6531 (SDNT)")


def test_right_file_and_list_are_exclusive(tmp_path: Path) -> None:
    left = tmp_path / "q.csv"
    left.write_text(QUERIES, encoding="utf-8")
    with pytest.raises(LinkageError, match="either a RIGHT file or --against-list"):
        link_files(left, left, tmp_path / "o.csv", against_list=EXCERPT)
    with pytest.raises(LinkageError, match="either a RIGHT file or --against-list"):
        link_files(left, None, tmp_path / "o.csv")


def test_a_file_that_is_no_list_is_named(tmp_path: Path) -> None:
    junk = tmp_path / "list.csv"
    junk.write_bytes(b"\x00\x01\x02 not a list")
    with pytest.raises(LinkageError, match=r"list\.csv"):
        read_list_file(junk)
