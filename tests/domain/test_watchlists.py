"""Published watch lists (``interdict.io.watchlists``) read from the OFAC SDN snapshot in shared/data.

The counts the reader produces are checked against the files themselves, computed here with plain
``csv`` and regular expressions rather than with the reader's own code, so that an item the reader
skips shows up as a difference. The snapshot is not copied into the package: the tests read it from
``shared/data/ofac_sdn`` beside the repository (or INTERDICT_SHARED_DATA) and skip when it is absent;
``tests/domain/test_screening.py`` covers known entries from a small excerpt kept in ``tests/data``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from interdict.domain.errors import BadInputError
from interdict.io.watchlists import (
    ListedIdentifier,
    WatchList,
    WatchListError,
    detect_format,
    parse_list_date,
    read_ftm_list,
    read_ofac_sdn,
    read_watch_list,
    resolve_country,
)


def _data_folder() -> Path:
    """The snapshot's folder: INTERDICT_SHARED_DATA, else shared/data beside or inside the repository."""
    repo = Path(__file__).resolve().parents[2]
    candidates = [Path(os.environ["INTERDICT_SHARED_DATA"])] if os.environ.get("INTERDICT_SHARED_DATA") else []
    candidates += [repo.parent / "shared" / "data", repo / "shared" / "data"]
    for folder in candidates:
        if (folder / "ofac_sdn").is_dir():
            return folder / "ofac_sdn"
    return candidates[0] / "ofac_sdn"


DATA = _data_folder()
FULL = DATA / "sdn_2024-05-03.csv"
SUBSET = DATA / "sdn_narcotics_subset_2024-05-03.csv"
NARCOTICS = {"SDNTK", "SDNT", "ILLICIT-DRUGS-EO14059"}

ROW = '{n},"{name}",{kind},"SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{remarks}"\r\n'


def _data(path: Path) -> bytes:
    # The snapshots are reference data beside the repository, not part of it; a clone without them
    # skips these tests, and tests/domain/test_screening.py still runs on the excerpt in tests/data.
    if not path.is_file():
        pytest.skip(f"OFAC SDN snapshot not found at {path} (set INTERDICT_SHARED_DATA to shared/data)")
    return path.read_bytes()


def _rows(data: bytes, *, header: bool) -> list[list[str]]:
    """The file's rows by the csv module alone (no header, no \\x1a line)."""
    text = data.decode("utf-8") if header else data.decode("cp1252")
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if len(r) == 12]
    return rows[1:] if header else rows


@pytest.fixture(scope="module")
def full_bytes() -> bytes:
    return _data(FULL)


@pytest.fixture(scope="module")
def subset_bytes() -> bytes:
    return _data(SUBSET)


@pytest.fixture(scope="module")
def full(full_bytes: bytes) -> WatchList:
    return read_ofac_sdn(full_bytes, source=str(FULL), published=date(2024, 5, 3))


@pytest.fixture(scope="module")
def subset(subset_bytes: bytes) -> WatchList:
    return read_ofac_sdn(subset_bytes, source=str(SUBSET), published=date(2024, 5, 3))


@pytest.fixture(scope="module")
def full_rows(full_bytes: bytes) -> list[list[str]]:
    return _rows(full_bytes, header=False)


@pytest.fixture(scope="module")
def subset_rows(subset_bytes: bytes) -> list[list[str]]:
    return _rows(subset_bytes, header=True)


def _lists(request: pytest.FixtureRequest, which: str) -> tuple[WatchList, list[list[str]]]:
    return request.getfixturevalue(which), request.getfixturevalue(f"{which}_rows")


# --------------------------------------------------------------------------------------------------
# the files as a whole


def test_entry_counts_match_source_md(full: WatchList, subset: WatchList) -> None:
    assert len(full.entries) == 14_965
    assert len(subset.entries) == 1_930
    assert full.code == subset.code == "ofac-sdn"
    assert full.published == date(2024, 5, 3)


def test_schema_split(full: WatchList, subset: WatchList) -> None:
    assert Counter(e.schema for e in subset.entries) == {"Person": 1038, "Organization": 891, "Airplane": 1}
    assert Counter(e.schema for e in full.entries) == {
        "Organization": 6884, "Person": 6854, "Vessel": 851, "Airplane": 376,
    }  # fmt: skip


def test_programme_counts_match_source_md(subset: WatchList) -> None:
    counts = Counter(p for e in subset.entries for p in e.programs)
    assert (counts["SDNTK"], counts["SDNT"], counts["ILLICIT-DRUGS-EO14059"]) == (1439, 216, 293)


def test_programme_filter_gives_exactly_the_subset(full_bytes: bytes, subset: WatchList) -> None:
    filtered = read_ofac_sdn(full_bytes, source=str(FULL), programs=NARCOTICS)
    assert [e.entry_id for e in filtered.entries] == [e.entry_id for e in subset.entries]
    lower = read_ofac_sdn(full_bytes, source=str(FULL), programs={"sdntk", "sdnt", "illicit-drugs-eo14059"})
    assert len(lower.entries) == 1930
    assert read_ofac_sdn(full_bytes, source=str(FULL), programs=set()).entries == ()


def test_multi_programme_entries_are_split(full: WatchList) -> None:
    pkk = full.entry("4702")
    assert pkk.programs == ("SDNTK", "FTO", "SDGT")
    assert pkk.entity.get("program") == ["SDNTK", "FTO", "SDGT"]
    assert any(e.programs == ("CAATSA - RUSSIA",) for e in full.entries)


def test_subset_reads_the_same_as_the_full_file(full: WatchList, subset: WatchList) -> None:
    """The subset has a header row and is UTF-8; the full file is neither: same values either way."""
    for s in subset.entries:
        f = full.entry(s.entry_id)
        assert (s.name, s.aliases, s.identifiers, s.birth_dates, s.nationalities, s.linked_to, s.unparsed) == (
            f.name, f.aliases, f.identifiers, f.birth_dates, f.nationalities, f.linked_to, f.unparsed,
        ), s.entry_id  # fmt: skip
        assert s.entity.to_dict() == f.entity.to_dict()


def test_metadata_and_hash(full: WatchList, full_bytes: bytes) -> None:
    assert full.sha256 == hashlib.sha256(full_bytes).hexdigest()
    assert full.source == str(FULL)
    assert "OFAC" in full.title and "Foreign Assets Control" in full.publisher


def test_entity_ids_are_stable_and_unique(full: WatchList) -> None:
    ids = [e.entity.id for e in full.entries]
    assert len(set(ids)) == len(ids)
    assert all(e.entity.id == f"ofac-sdn-{e.entry_id}" for e in full.entries)
    assert all("sanction" in e.entity.get("topics") for e in full.entries)


def test_detect_format_on_the_files(full_bytes: bytes, subset_bytes: bytes, subset: WatchList) -> None:
    assert detect_format(full_bytes) == "ofac-sdn"
    assert detect_format(subset_bytes) == "ofac-sdn"
    assert detect_format(subset.to_ftm_lines()) == "ftm"
    assert len(read_watch_list(subset_bytes, source="x").entries) == 1930


# --------------------------------------------------------------------------------------------------
# nothing dropped: counts computed from the file independently

ALIAS_RE = re.compile(r"\b[afn]\.k\.a\. '|\bd\.b\.a\. '")
CUT_ALIAS_RE = re.compile(r"\b[afnd]\.[kb]\.a\. '[^']*$")


@pytest.mark.parametrize("which", ["subset", "full"])
def test_alias_count_matches_the_remarks(request: pytest.FixtureRequest, which: str) -> None:
    wl, rows = _lists(request, which)
    remarks = [r[11] for r in rows]
    published = sum(len(ALIAS_RE.findall(r)) for r in remarks)
    cut = sum(1 for r in remarks if not r.endswith(".") and r.strip() != "-0-" and CUT_ALIAS_RE.search(r))
    assert sum(len(e.aliases) for e in wl.entries) == published - cut
    assert cut == (3 if which == "full" else 0)
    assert sum(1 for e in wl.entries for u in e.unparsed if CUT_ALIAS_RE.search(u)) == cut


@pytest.mark.parametrize("which", ["subset", "full"])
@pytest.mark.parametrize(
    ("label", "pattern"),
    [
        ("Cedula No.", r"Cedula No\. "),
        ("NIT #", r"NIT # "),
        ("R.F.C.", r"R\.F\.C\. "),
        ("C.U.R.P.", r"C\.U\.R\.P\. "),
        ("Tax ID No.", r"Tax ID No\. "),
        ("National ID No.", r"National ID No\. "),
        ("D.N.I.", r"D\.N\.I\. "),
        ("RUC #", r"RUC # "),
    ],
)
def test_identifier_counts_match_the_remarks(
    request: pytest.FixtureRequest, which: str, label: str, pattern: str
) -> None:
    wl, rows = _lists(request, which)
    item = re.compile(r"(?:^|; )(?:alt\. )?" + pattern)
    published = sum(len(item.findall(r[11])) for r in rows)
    parsed = sum(1 for e in wl.entries for i in e.identifiers if i.label in (label, f"{label} #"))
    assert parsed == published


@pytest.mark.parametrize("which", ["subset", "full"])
def test_passport_count_matches_the_remarks(request: pytest.FixtureRequest, which: str) -> None:
    """Every item starting "Passport" is a passport identifier, or kept unparsed with its text."""
    wl, rows = _lists(request, which)
    item = re.compile(r"(?:^|; )(?:alt\. )?Passport ")
    published = sum(len(item.findall(re.sub(r"\([^()]*\)", "", r[11]))) for r in rows)
    parsed = sum(
        1 for e in wl.entries for i in e.identifiers if i.label.startswith("Passport")
    )  # "... Booklet"
    kept = sum(1 for e in wl.entries for u in e.unparsed if re.match(r"(?:alt\. )?Passport ", u))
    assert parsed + kept == published
    assert kept == (2 if which == "full" else 0)  # "Passport issued in Sarajevo, ...", ... : no number


@pytest.mark.parametrize("which", ["subset", "full"])
def test_every_dob_linked_to_and_nationality_item_is_read(request: pytest.FixtureRequest, which: str) -> None:
    wl, rows = _lists(request, which)
    remarks = [r[11] for r in rows]
    dob = sum(len(re.findall(r"(?:^|; )(?:alt\. )?DOB ", r)) for r in remarks)
    assert not [u for e in wl.entries for u in e.unparsed if re.match(r"(?:alt\. )?DOB ", u)]
    assert sum(len(e.birth_dates) for e in wl.entries) >= dob  # ranges give two years
    linked = sum(len(re.findall(r"(?:^|; )Linked To: ", r)) for r in remarks)
    assert sum(len(e.linked_to) for e in wl.entries) == linked
    nat = re.compile(r"(?:^|; )(?:alt\. )?(?:nationality|citizen) ")
    published = sum(len(nat.findall(r)) for r in remarks)
    unresolved = [u for e in wl.entries for u in e.unparsed if nat.match("; " + u)]
    resolved = sum(
        1 for r in rows for it in r[11].rstrip(".").split("; ")
        if nat.match("; " + it) and resolve_country(re.sub(r"^(?:alt\. )?\w+ ", "", it))
    )  # fmt: skip
    assert resolved + len(unresolved) == published
    if which == "subset":
        assert unresolved == []


def test_unparsed_items_are_verbatim_and_in_remarks(full: WatchList) -> None:
    for e in full.entries:
        assert e.remarks == "; ".join(e.unparsed)
        for item in e.unparsed:
            assert item in e.raw_remarks
        if e.unparsed:
            assert "; ".join(e.unparsed) in e.entity.get("notes")


def test_unknown_items_are_few_and_counted(full: WatchList, subset: WatchList) -> None:
    # The subset: four job titles written into Remarks, and two wallet addresses cut at 1,000 characters.
    assert [u for e in subset.entries for u in e.unparsed if not u.startswith("alt. Digital Currency")] == [
        "Member of Parliament for Kilome (Kenya)",
        "Islamic Revolutionary Guard Corps - Qods Force General",
        "Executive Vice President",
        "Former Governor of Aragua State",
    ]
    assert subset.unparsed_count == 6
    assert full.unparsed_count < 700  # job titles, family ties, "ICTY indictee", ...: free text
    assert f"{subset.unparsed_count} remark items" in subset.warnings[-1]
    assert f"{full.unparsed_count} remark items" in full.warnings[-1]


def test_cut_remarks_are_warned_about(full: WatchList, subset: WatchList, full_rows: list[list[str]]) -> None:
    cut_rows = [r[0] for r in full_rows if r[11].strip() != "-0-" and not r[11].endswith(".")]
    assert len(cut_rows) == 18
    cut_warnings = [w for w in full.warnings if "end without a full stop" in w]
    assert len(cut_warnings) == 18
    assert all(any(f"entry {n}:" in w for w in cut_warnings) for n in cut_rows)
    assert [w.split(":")[0] for w in subset.warnings if "full stop" in w] == ["line 1732", "line 1739"]
    lazarus = full.entry("27307")
    assert lazarus.aliases[-1] == "THE NEW ROMANTIC CYBER ARMY TEAM"
    assert lazarus.unparsed[-1] == "a.k.a. 'WHOIS HACKIN"


# --------------------------------------------------------------------------------------------------
# known entries


def test_gilberto_rodriguez_orejuela(subset: WatchList) -> None:
    e = subset.entry("4107")
    assert e.schema == "Person"
    assert e.listed_name == "RODRIGUEZ OREJUELA, Gilberto Jose"
    assert e.name == "Gilberto Jose RODRIGUEZ OREJUELA"
    assert e.other_names == ("RODRIGUEZ OREJUELA, Gilberto Jose",)
    assert e.birth_dates == ("1939-01-31",)
    assert {"THE CHESS PLAYER", "LUCAS"} <= set(e.aliases)
    assert e.programs == ("SDNT",)
    assert ListedIdentifier("passport", "T321642", "co", "Passport") in e.identifiers
    assert ListedIdentifier("national_id", "6068015", "co", "Cedula No.") in e.identifiers
    assert [i.country for i in e.identifiers if i.kind == "passport"] == ["co", "km", "ar", "ve"]
    assert e.remarks == "" and e.unparsed == ()
    props = e.entity.to_dict()["properties"]
    assert props["name"] == ["Gilberto Jose RODRIGUEZ OREJUELA", "RODRIGUEZ OREJUELA, Gilberto Jose"]
    assert props["firstName"] == ["Gilberto Jose"] and props["lastName"] == ["RODRIGUEZ OREJUELA"]
    assert props["birthDate"] == ["1939-01-31"]
    assert "T321642" in props["passportNumber"] and "6068015" in props["idNumber"]
    assert props["alias"] == ["THE CHESS PLAYER", "LUCAS"]
    assert props["topics"] == ["sanction"] and props["program"] == ["SDNT"]


def test_mexican_individual_with_rfc_and_curp(subset: WatchList) -> None:
    e = subset.entry("9338")
    assert e.name == "Miguel Angel ARRIOLA MARQUEZ"
    assert e.nationalities == ("mx",)
    assert e.birth_places == ("Chihuahua, Mexico",)
    assert e.identifiers == (
        ListedIdentifier("tax_id", "AIMM-671215-387", "mx", "R.F.C."),
        ListedIdentifier("national_id", "AIMM67125HCHRRG06", "mx", "C.U.R.P.", "issued 1968"),
    )
    assert e.entity.get("nationality") == ["mx"] and e.entity.get("citizenship") == ["mx"]
    assert e.entity.get("taxNumber") == ["AIMM-671215-387"]


def test_colombian_company_with_nit(subset: WatchList) -> None:
    e = subset.entry("6531")
    assert (e.schema, e.name) == ("Organization", "COLOMBIANA DE CERDOS LTDA.")
    assert e.identifiers == (ListedIdentifier("tax_id", "800018928-0", "co", "NIT #"),)
    assert e.entity.get("taxNumber") == ["800018928-0"]


def test_chinese_supplier_with_phones_email_wallet_and_links(subset: WatchList) -> None:
    e = subset.entry("41297")
    kinds = Counter(i.kind for i in e.identifiers)
    assert kinds == {"phone": 3, "email": 1, "crypto": 1, "national_id": 1}
    assert e.gender == "male" and e.entity.get("gender") == ["male"]
    assert e.linked_to == ("WUHAN SHUOKANG BIOLOGICAL TECHNOLOGY CO., LTD", "YAO, Huatao")
    assert e.entity.get("phone") == ["+8615927270571", "+8613313017588", "+8615030111720"]
    assert "Linked To: YAO, Huatao" in e.entity.get("notes")
    wallet = next(i for i in e.identifiers if i.kind == "crypto")
    assert (wallet.label, wallet.value) == (
        "Digital Currency Address - XBT",
        "3PKiHs4GY4rFg8dpppNVPXGPqMX6K2cBML",
    )


def test_the_aircraft(subset: WatchList) -> None:
    (plane,) = [e for e in subset.entries if e.schema == "Airplane"]
    assert (plane.entry_id, plane.name) == ("20861", "N200VR")
    assert plane.entity.get("model") == ["Gulfstream 200"]
    assert plane.entity.get("serialNumber") == ["133"]
    assert plane.linked_to == ("200G PSA HOLDINGS LLC",)


def test_vessel_with_imo_and_former_names(full: WatchList) -> None:
    e = full.entry("4243")
    assert (e.schema, e.name) == ("Vessel", "EBANO")
    assert e.identifiers == (
        ListedIdentifier("imo", "7406784", None, "Vessel Registration Identification IMO"),
    )
    assert e.aliases == ("ANA I", "SAND SWAN")
    props = e.entity.to_dict()["properties"]
    assert props["imoNumber"] == ["IMO7406784"]
    assert props["previousName"] == ["ANA I", "SAND SWAN"]
    assert (props["type"], props["tonnage"], props["grossRegisteredTonnage"], props["flag"]) == (
        ["General Cargo"], ["2595"], ["1865"], ["pa"],
    )  # fmt: skip


def test_vessel_columns_call_sign_and_owner(full: WatchList) -> None:
    e = full.entry("4238")
    props = e.entity.to_dict()["properties"]
    assert props["callSign"] == ["CL2192"] and props["flag"] == ["cu"]
    assert "Owner: Samir de Navegacion S.A." in props["notes"]
    assert ("Owner", "Samir de Navegacion S.A.") in e.facts
    imo = sum(len(re.findall(r"Vessel Registration Identification IMO", e.raw_remarks)) for e in full.entries)
    assert sum(1 for e in full.entries for i in e.identifiers if i.kind == "imo") == imo


def test_semicolons_inside_parentheses_do_not_split(full: WatchList) -> None:
    e = full.entry("11313")
    (aside,) = [u for u in e.unparsed if u.startswith("(Following data")]
    assert "Passport No.: 0310857" in aside and aside.endswith(")")
    assert e.aliases == ("ABU MANSUR", "ABU MANSOUR")


def test_linked_to_keeps_a_full_stop_that_belongs_to_the_name(subset: WatchList, full: WatchList) -> None:
    assert subset.entry("12991").linked_to[-1] == "KPD S.A."
    assert subset.entry("20861").linked_to[-1] == "200G PSA HOLDINGS LLC"
    names = {" ".join(e.listed_name.split()) for e in full.entries}
    unknown = {n for e in full.entries for n in e.linked_to} - names
    # OFAC links a few Russian companies listed elsewhere (SSI), not on the SDN list itself.
    assert unknown == {
        "OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY", "PUBLIC JOINT STOCK COMPANY GAZPROM",
        "GAZPROMBANK JOINT STOCK COMPANY", "PRESIDENCY OF DEFENSE INDUSTRIES",
    }  # fmt: skip


def test_name_suffix(full: WatchList) -> None:
    e = next(e for e in full.entries if e.listed_name == "DELOS REYES, Feliciano Semborio, Jr.")
    assert e.name == "Feliciano Semborio DELOS REYES Jr."
    assert e.entity.get("nameSuffix") == ["Jr."]


def test_birth_date_forms(full: WatchList) -> None:
    dates = [d for e in full.entries for d in e.birth_dates]
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d) for d in dates)
    assert all(set(e.birth_dates) <= set(e.entity.get("birthDate", quiet=True)) for e in full.entries
               if e.schema == "Person")  # fmt: skip


# --------------------------------------------------------------------------------------------------
# FollowTheMoney round trip


def test_ftm_round_trip(subset: WatchList) -> None:
    back = read_ftm_list(subset.to_ftm_lines(), code="narcotics", title="OFAC narcotics", source="memory")
    assert back.warnings == ()
    assert [e.entry_id for e in back.entries] == [e.entity.id for e in subset.entries]
    for a, b in zip(subset.entries, back.entries, strict=True):
        assert (b.name, b.other_names) == (a.name, a.other_names)
        assert sorted(b.aliases) == sorted(dict.fromkeys(a.aliases))
        assert b.programs == a.programs
        assert b.birth_dates == tuple(dict.fromkeys(a.birth_dates))
        assert set(b.nationalities) == set(a.nationalities)
        assert b.schema == a.schema
        assert {i.value for i in b.identifiers if i.kind == "passport"} == {
            i.value for i in a.identifiers if i.kind == "passport"
        }
        assert b.entity.to_dict() == a.entity.to_dict()


def _line(eid: str, schema: str, **props: list[str]) -> str:
    return json.dumps({"id": eid, "schema": schema, "properties": props})


def test_ftm_sanctions_identifications_and_other_schemata() -> None:
    lines = [
        _line("p1", "Person", name=["Ana GOMEZ"], alias=["LA JEFA"], weakAlias=["ANITA"],
              birthDate=["1970-02-03"], nationality=["co"], passportNumber=["AB123"]),
        _line("s1", "Sanction", entity=["p1"], program=["SDNTK"]),
        _line("c1", "Company", name=["ACME SAS"], registrationNumber=["900123"]),
        _line("i1", "Passport", holder=["p1"], number=["ZX999"], country=["ve"]),
        _line("a1", "Address", full=["Calle 1, Cali"]),
        _line("v1", "Vessel", name=["MAR"], imoNumber=["IMO9256860"]),
        _line("p1", "Person", name=["Ana GOMEZ"], email=["ana@example.com"]),
        "",
    ]  # fmt: skip
    wl = read_ftm_list("\n".join(lines).encode(), code="test", title="Test", source="memory")
    assert [e.entry_id for e in wl.entries] == ["p1", "c1", "v1"]
    ana = wl.entries[0]
    assert ana.programs == ("SDNTK",)
    assert ana.aliases == ("LA JEFA", "ANITA")
    assert ana.nationalities == ("co",)
    assert {(i.kind, i.value) for i in ana.identifiers} == {
        ("passport", "AB123"), ("passport", "ZX999"), ("email", "ana@example.com"),
    }  # fmt: skip
    assert wl.entries[1].schema == "Company"
    assert wl.entries[2].identifiers == (ListedIdentifier("imo", "IMO9256860", None, "imoNumber"),)
    assert wl.warnings == ("1 entities of other schemata are not list entries: Address 1",)


# --------------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", b"\x1a"])
def test_empty_input(data: bytes) -> None:
    with pytest.raises(WatchListError, match="empty"):
        read_ofac_sdn(data, source="x")
    with pytest.raises(WatchListError, match="empty"):
        detect_format(data)


def test_row_with_too_few_columns_names_the_line() -> None:
    good = ROW.format(n=1, name="A, B", kind="individual", remarks="DOB 1970.")
    data = (good + good.replace("1,", "2,", 1) + '3,"SHORT",-0- \r\n').encode()
    with pytest.raises(WatchListError, match=r"line 3: expected 12 columns.*found 3") as info:
        read_ofac_sdn(data, source="x")
    assert info.value.errors == {"line 3": info.value.detail.removeprefix("line 3: ")}
    assert isinstance(info.value, BadInputError) and isinstance(info.value, ValueError)


def test_unknown_sdn_type_is_a_warning_naming_the_line() -> None:
    data = (
        ROW.format(n=10, name="ALPHA", kind="-0- ", remarks="a.k.a. 'A'.")
        + ROW.format(n=11, name="SPACESHIP X", kind="spacecraft", remarks="Linked To: ALPHA.")
        + "\x1a"
    ).encode()
    wl = read_ofac_sdn(data, source="x")
    assert [e.schema for e in wl.entries] == ["Organization", "LegalEntity"]
    assert wl.warnings == ("line 2: entry 11 has unknown SDN_Type 'spacecraft'; read as LegalEntity",)
    assert wl.entries[1].linked_to == ("ALPHA",)


def test_binary_junk() -> None:
    junk = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    for reader in (detect_format, lambda d: read_ofac_sdn(d, source="x")):
        with pytest.raises(WatchListError, match="line 3: NUL byte: this is binary data"):
            reader(junk)
    with pytest.raises(WatchListError, match="control character"):
        read_ofac_sdn(b"36,\x02\x03\x04 junk", source="x")


def test_text_that_is_no_list() -> None:
    with pytest.raises(WatchListError, match=r"unrecognised list format: line 1 starts 'name,dob'"):
        detect_format(b"name,dob\nAna,1970\n")
    with pytest.raises(WatchListError, match="line 1: ent_num must be a number"):
        read_ofac_sdn(b"name,a,b,c,d,e,f,g,h,i,j,k\n", source="x")


def test_header_duplicates_and_missing_names() -> None:
    with pytest.raises(WatchListError, match="line 1: header is"):
        read_ofac_sdn(b"ent_num,Name,Type\n1,A,B\n", source="x")
    with pytest.raises(WatchListError, match="header row but no entries"):
        read_ofac_sdn(",".join(("ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign",
                                "Vess_type", "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks")).encode(),
                      source="x")  # fmt: skip
    row = ROW.format(n=5, name="A", kind="-0- ", remarks="-0- ")
    with pytest.raises(WatchListError, match=r"line 2: ent_num 5 appears again \(first on line 1\)"):
        read_ofac_sdn((row + row).encode(), source="x")
    with pytest.raises(WatchListError, match="line 1: entry 6 has no SDN_Name"):
        read_ofac_sdn(ROW.format(n=6, name="-0- ", kind="-0- ", remarks="x.").encode(), source="x")


def test_cp1252_and_empty_cells() -> None:
    row = '7,"PE\xd1A, Jos\xe9",individual,"SDNT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a'
    (e,) = read_ofac_sdn(row.encode("cp1252"), source="x").entries
    assert e.name == "José PEÑA"
    assert e.raw_remarks == "" and e.facts == () and e.title == ""


def test_unknown_and_unresolved_items_stay_in_remarks() -> None:
    remarks = (
        "nationality Atlantis; Member of the Board; Passport issued in Sarajevo; DOB sometime; Gender Male."
    )
    (e,) = read_ofac_sdn(
        ROW.format(n=8, name="X, Y", kind="individual", remarks=remarks).encode(), source="x"
    ).entries
    assert e.unparsed == (
        "nationality Atlantis",
        "Member of the Board",
        "Passport issued in Sarajevo",
        "DOB sometime",
    )
    assert e.remarks == "; ".join(e.unparsed)
    assert e.gender == "male" and e.nationalities == () and e.identifiers == ()


def test_read_watch_list_detects_ftm() -> None:
    data = ("\ufeff" + _line("p1", "Person", name=["Ana GOMEZ"]) + "\n").encode()
    wl = read_watch_list(data, source="memory", code="mine", title="Mine")
    assert (wl.code, wl.title, [e.name for e in wl.entries]) == ("mine", "Mine", ["Ana GOMEZ"])


def test_ftm_bad_lines() -> None:
    ok = _line("p1", "Person", name=["A"])
    with pytest.raises(WatchListError, match="line 2: not a JSON object"):
        read_ftm_list(f"{ok}\n{{oops\n".encode(), code="t", title="t", source="x")
    with pytest.raises(WatchListError, match="line 1: unknown FtM schema 'Dragon'"):
        read_ftm_list(_line("d", "Dragon").encode(), code="t", title="t", source="x")
    with pytest.raises(WatchListError, match="line 1: expected an FtM entity"):
        read_ftm_list(b'["not", "an", "entity"]', code="t", title="t", source="x")
    with pytest.raises(WatchListError, match="no list entries"):
        read_ftm_list(_line("a", "Address", full=["x"]).encode(), code="t", title="t", source="x")


# --------------------------------------------------------------------------------------------------
# helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31 Jan 1939", ("1939-01-31",)),
        ("Sep 1938", ("1938-09",)),
        ("1969", ("1969",)),
        ("circa 1945", ("1945",)),
        ("circa 12 Mar 1960", ("1960",)),
        ("1960 to 1962", ("1960", "1962")),
        ("01 Jan 1960 to 31 Dec 1962", ("1960", "1962")),
        ("circa 1979-1982", ("1979", "1982")),
        ("10 October 1969", ("1969-10-10",)),
        ("31 Feb 1970", None),
        ("sometime", None),
    ],
)
def test_parse_list_date(text: str, expected: tuple[str, ...] | None) -> None:
    assert parse_list_date(text) == expected


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Colombia", "co"), ("Mexico", "mx"), ("Russia", "ru"), ("Turkey", "tr"), ("Burma", "mm"),
        ("Korea, North", "kp"), ("Democratic People's Republic of Korea", "kp"), ("Iran", "ir"),
        ("Virgin Islands, British", "vg"), ("Kosovo", "xk"), ("Venezuela", "ve"), ("Hong Kong", "hk"),
        ("Palestinian", "ps"), ("possibly Palestinian", None), ("FANB", None), ("ii", None), ("", None),
    ],
)  # fmt: skip
def test_resolve_country(name: str, code: str | None) -> None:
    assert resolve_country(name) == code
