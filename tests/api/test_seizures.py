"""Seizure reports: creation, the sharing rule, bulk import (every fault named, nothing half-loaded,
idempotent re-import), statistics against totals computed here, and joint-operation consolidation."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interdict.services.seizure_import import FIELDS, ImportOptions
from interdict.services.seizure_stats import StatsQuery
from interdict.services.sharing import DistributionRequest
from interdict.store.seizures import Seizure, SeizureItem
from tests.factories import Person, World

API = "/api/v1"


def csv_bytes(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    cols = header or list(FIELDS)
    w.writerow(cols)
    for r in rows:
        w.writerow([r.get(c, "") for c in cols])
    return buf.getvalue().encode()


def row(**over: Any) -> dict[str, Any]:
    base = {"seized_on": "2026-03-02", "country": "TH", "substance": "methamphetamine", "quantity": "12.5", "unit": "kg"}
    return {**base, **over}


def do_import(world: World, person: Person, data: bytes, name: str = "f.csv", **opts: Any):  # type: ignore[no-untyped-def]
    with world.p.db.unit() as s:
        return world.p.seizure_import.run(s, world.actor(person), io.BytesIO(data), ImportOptions(filename=name, **opts))


def errs(problem: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["message"] for e in problem["errors"]}


def count_seizures(world: World) -> int:
    with world.p.db.unit() as s:
        return int(s.scalar(select(func.count(Seizure.id))) or 0)


@pytest.fixture
def two(world: World) -> tuple[str, str, Person, Person]:
    th, la = world.agency("TH-S"), world.agency("LA-S", country="LA")
    world.mechanism("MEK-S", [th, la])
    return th, la, world.user(th), world.user(la)


# -- create and read ----------------------------------------------------------------------------------


def test_create_normalises_any_name_and_follows_the_sharing_rule(
    client: TestClient, world: World, two: tuple[str, str, Person, Person]
) -> None:
    _, _, a, b = two
    body = {
        "seized_on": "2026-05-01",
        "country": "Thailand",
        "location_type": "border_crossing",
        "port": "XING:TH-MM-MAESAI",
        "items": [
            {"substance": "冰毒", "quantity": 2.5, "unit": "公斤"},
            {"substance": "yaba", "quantity": 200000, "unit": "tablets"},
        ],
        "origin_country": "MMR",
        "transit_countries": ["LA"],
        "destination_country": "MY",
        "suspects_arrested": 2,
        "assets": [{"kind": "cash", "value": 150000, "currency": "THB"}],
        "distribution": "agency",
    }
    r = client.post(f"{API}/seizures", json=body, headers=a.headers)
    assert r.status_code == 201, r.text
    got = r.json()
    assert [i["substance"] for i in got["items"]] == ["methamphetamine", "methamphetamine"]
    assert got["items"][0]["mass_kg"] == pytest.approx(2.5)
    assert got["items"][1]["factor"]  # the factor used is stated
    assert got["origin_country"] == "MM" and got["country"] == "TH"
    assert got["latitude"] is not None  # from the crossing
    assert client.get(f"{API}/seizures/{got['uuid']}", headers=b.headers).status_code == 404
    assert client.get(f"{API}/stats/seizures?by=country", headers=b.headers).json()["total_seizures"] == 0
    r = client.put(f"{API}/seizures/{got['uuid']}/distribution", headers=a.headers,
                   json={"distribution": "mechanisms", "mechanisms": ["MEK-S"], "reason": "share"})
    assert r.status_code == 200, r.text
    assert client.get(f"{API}/seizures/{got['uuid']}", headers=b.headers).status_code == 200
    # the statistics follow the new distribution (the seizure's lines carry its audience)
    stats = client.get(f"{API}/stats/seizures?by=substance", headers=b.headers).json()
    assert stats["total_seizures"] == 1 and stats["rows"][0]["seizures"] == 1
    assert stats["total_mass_kg"] == pytest.approx(got["total_mass_kg"])
    # the other agency cannot change it
    r = client.put(f"{API}/seizures/{got['uuid']}/distribution", headers=b.headers,
                   json={"distribution": "all", "reason": "x"})
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("item", "field", "words"),
    [
        ({"substance": "metamphetamine"}, "substance", "did you mean"),
        ({"quantity": -1}, "quantity", "above zero"),
        ({"quantity": 0}, "quantity", "above zero"),
        ({"purity_pct": 120}, "purity_pct", "at most 100"),
        ({"unit": "plants"}, "unit", "plants"),
        ({"unit": "bushels"}, "unit", "bushels"),
    ],
)
def test_bad_items_are_named(client: TestClient, world: World, two: Any, item: dict[str, Any], field: str, words: str) -> None:
    a = two[2]
    line = {"substance": "methamphetamine", "quantity": 1, "unit": "kg", **item}
    r = client.post(f"{API}/seizures", json={"seized_on": "2026-05-01", "country": "TH", "items": [line]}, headers=a.headers)
    assert r.status_code == 422, r.text
    problem = errs(r.json())
    assert field in problem, problem
    assert words in problem[field], problem
    assert count_seizures(world) == 0


def test_future_date_unknown_country_and_port_are_refused(client: TestClient, two: Any) -> None:
    a = two[2]
    line = [{"substance": "heroin", "quantity": 1, "unit": "kg"}]
    r = client.post(f"{API}/seizures", json={"seized_on": "2026-06-05", "country": "Atlantis", "port": "Laem Chabng",
                                             "items": line}, headers=a.headers)
    assert r.status_code == 422
    errors = errs(r.json())
    assert "future" in errors["seized_on"] and "Atlantis" in errors["country"]


def test_port_in_another_country_is_refused(client: TestClient, two: Any) -> None:
    a = two[2]
    r = client.post(f"{API}/seizures", json={"seized_on": "2026-05-01", "country": "TH", "port": "PKKHI",
                                             "items": [{"substance": "heroin", "quantity": 1, "unit": "kg"}]},
                    headers=a.headers)
    assert r.status_code == 422 and "port" in errs(r.json())


# -- import ---------------------------------------------------------------------------------------------


def test_import_all_or_nothing_names_row_and_column(world: World, two: Any) -> None:
    a = two[2]
    data = csv_bytes([row(reference="A1"), row(reference="A2", quantity="-3"), row(reference="A3", country="Narnia")])
    out = do_import(world, a, data)
    assert not out.loaded and out.rows == 3 and out.rows_refused == 2
    assert {(e.row, e.column) for e in out.errors} == {(3, "quantity"), (4, "country")}
    assert count_seizures(world) == 0


def test_import_valid_rows_and_refused_file(world: World, two: Any) -> None:
    a = two[2]
    data = csv_bytes([row(reference="B1"), row(reference="B2", unit="plants"), row(reference="B3", substance="heroin")])
    out = do_import(world, a, data, mode="valid")
    assert out.loaded and out.seizures_created == 2 and out.rows_refused == 1
    refused = list(csv.DictReader(io.StringIO(out.refused_csv)))
    assert len(refused) == 1 and refused[0]["reference"] == "B2" and "plants" in refused[0]["error"]
    assert refused[0]["source_row"] == "3"
    assert count_seizures(world) == 2


def test_reimport_creates_no_duplicates_and_refuses_changed_rows(world: World, two: Any) -> None:
    a = two[2]
    rows = [row(reference=f"R{i}", quantity=str(i + 1)) for i in range(20)] + [row(substance="ketamine")]
    first = do_import(world, a, csv_bytes(rows))
    assert first.loaded and first.seizures_created == 21
    again = do_import(world, a, csv_bytes(rows))
    assert again.loaded and again.seizures_created == 0 and again.rows_unchanged == 21
    assert count_seizures(world) == 21
    changed = [row(reference="R0", quantity="999")]
    out = do_import(world, a, csv_bytes(changed))
    assert not out.loaded and "imported before" in out.errors[0].message
    assert count_seizures(world) == 21


def test_consecutive_rows_of_one_reference_are_one_seizure(world: World, two: Any) -> None:
    a = two[2]
    data = csv_bytes([row(reference="M1"), row(reference="M1", substance="heroin", quantity="2"),
                      row(reference="M2"), row(reference="M1", substance="opium")])
    out = do_import(world, a, data)
    assert not out.loaded and out.errors[0].row == 5 and "consecutive" in out.errors[0].message
    out = do_import(world, a, data[: data.rindex(b"M1")].rsplit(b"\n", 1)[0] + b"\n")
    assert out.loaded and out.seizures_created == 2
    with world.p.db.unit() as s:
        assert s.scalar(select(func.count(SeizureItem.id))) == 3


def test_file_faults_are_named_and_nothing_loads(world: World, two: Any) -> None:
    a = two[2]
    cp1252 = csv_bytes([row(reference="E1", place="Cà Mau")]).decode().encode("cp1252")
    out = do_import(world, a, cp1252)
    assert not out.loaded and "not valid utf-8" in out.errors[0].message.lower()
    out = do_import(world, a, cp1252, encoding="cp1252")
    assert out.loaded and out.seizures_created == 1
    out = do_import(world, a, b"when,what\n2026-01-01,heroin\n")
    assert not out.loaded and "lacks required column" in out.errors[0].message
    out = do_import(world, a, b"")
    assert not out.loaded and "empty" in out.errors[0].message
    assert count_seizures(world) == 1


def test_xlsx_import_merged_cells_and_formulas(world: World, two: Any) -> None:
    import openpyxl

    a = two[2]

    def book(mutate: Any = None) -> bytes:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(list(FIELDS))
        ws.append([row(reference="X1").get(f, "") for f in FIELDS])
        ws.append([row(reference="X2", quantity=3).get(f, "") for f in FIELDS])
        if mutate:
            mutate(ws)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    out = do_import(world, a, book(), name="s.xlsx")
    assert out.loaded and out.seizures_created == 2, out.errors
    out = do_import(world, a, book(lambda ws: ws.merge_cells("A2:A3")), name="m.xlsx")
    assert not out.loaded and "merged" in out.errors[0].message
    qty = FIELDS.index("quantity") + 1
    out = do_import(world, a, book(lambda ws: ws.cell(3, qty, "=2*3")), name="f.xlsx")
    assert not out.loaded and "formula" in out.errors[0].message and out.errors[0].row == 3
    assert count_seizures(world) == 2


def test_unodc_layout_and_mapping(world: World, two: Any) -> None:
    a = two[2]
    header = ["Reporting Country", "Seizure Date", "Drug Name", "Amount", "Unit",
              "Country obtained / Departure Country", "Destination Country", "Mode of Transport"]
    body = "\n".join([",".join(header), "Thailand,02/03/2026,Heroin,1.5,kg,Myanmar,Malaysia,Land"]) + "\n"
    out = do_import(world, a, body.encode(), layout="unodc-ids")
    assert out.loaded and out.seizures_created == 1, out.errors
    with world.p.db.unit() as s:
        sz = s.scalars(select(Seizure)).one()
        assert (sz.seized_on, sz.origin_country, sz.transport_mode) == (date(2026, 3, 2), "MM", "road")
    mapped = b"Datum,Land,Stoff,Menge,Einheit\n2026-01-05,TH,cocaine,2,kg\n"
    out = do_import(world, a, mapped, mapping={"seized_on": "Datum", "country": "Land", "substance": "Stoff",
                                               "quantity": "Menge", "unit": "Einheit"})
    assert out.loaded and out.seizures_created == 1, out.errors


def test_import_api_and_template(client: TestClient, two: Any) -> None:
    a = two[2]
    t = client.get(f"{API}/seizures/template", headers=a.headers)
    assert t.status_code == 200 and t.text.strip().split(",") == list(FIELDS)
    data = csv_bytes([row(reference="P1"), row(reference="P2", seized_on="2031-01-01")])
    r = client.post(f"{API}/seizures/imports", headers=a.headers, files={"file": ("s.csv", data, "text/csv")},
                    data={"mode": "all"})
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["loaded"] is False
    assert (rep["errors"][0]["row"], rep["errors"][0]["column"]) == (3, "seized_on")
    r = client.post(f"{API}/seizures/imports", headers=a.headers, files={"file": ("s.csv", data, "text/csv")},
                    data={"mode": "valid", "distribution": "mechanisms", "mechanisms": "MEK-S"})
    assert r.json()["seizures_created"] == 1
    assert client.get(f"{API}/seizures", headers=two[3].headers).json()["items"][0]["reference"] == "P1"


# -- statistics -------------------------------------------------------------------------------------------


def test_statistics_equal_totals_computed_independently(world: World, two: Any) -> None:
    th, la, a, b = two
    us = world.agency("US-S", country="US")
    c = world.user(us)
    rng = random.Random(4)
    subs = [("methamphetamine", "kg"), ("heroin", "kg"), ("opium", "g"), ("cannabis_plant", "plants")]
    truth: list[tuple[str, str, str, str, float, str]] = []  # owner, dist, substance, country, year, kg
    for person, owner in ((a, th), (b, la), (c, us)):
        for dist in ("agency", "agencies", "mechanisms", "all"):
            if dist == "mechanisms" and owner == us:
                continue
            rows = []
            for i in range(15):
                sub, unit = rng.choice(subs)
                q = round(rng.uniform(0.1, 50), 3)
                day = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 800))
                country = rng.choice(["TH", "LA", "MM"])
                rows.append(row(reference=f"{owner}-{dist}-{i}", substance=sub, unit=unit, quantity=str(q),
                                seized_on=day.isoformat(), country=country))
                kg = q if unit == "kg" else (q / 1000 if unit == "g" else 0.0)
                truth.append((owner, dist, sub, country, str(day.year), kg))
            req = DistributionRequest(dist, [th] if dist == "agencies" else [],
                                      ["MEK-S"] if dist == "mechanisms" else [])
            out = do_import(world, person, csv_bytes(rows), distribution=req)
            assert out.loaded, out.errors

    def sees(viewer: str, owner: str, dist: str) -> bool:
        if viewer == owner or dist == "all":
            return True
        if dist == "agencies":
            return viewer == th
        if dist == "mechanisms":
            return viewer in (th, la)
        return False

    for person, viewer in ((a, th), (b, la), (c, us)):
        expected: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0, 0.0])
        for owner, dist, sub, country, year, kg in truth:
            if sees(viewer, owner, dist):
                e = expected[(sub, country, year)]
                e[0] += 1
                e[1] += kg
        with world.p.db.unit() as s:
            got = world.p.stats.run(s, world.actor(person), StatsQuery(("substance", "country", "year")))
        table = {tuple(r.key[k] for k in ("substance", "country", "year")): (r.seizures, r.mass_kg) for r in got.rows}
        assert set(table) == set(expected)
        for key, (n, kg) in expected.items():
            assert table[key][0] == n and table[key][1] == pytest.approx(kg, abs=1e-3), key
        assert got.total_seizures == sum(int(v[0]) for v in expected.values())


def test_statistics_change_against_previous_period(world: World, two: Any, client: TestClient) -> None:
    a = two[2]
    rows = [row(reference="Y1", seized_on="2024-05-01", quantity="10"),
            row(reference="Y2", seized_on="2025-05-01", quantity="15")]
    assert do_import(world, a, csv_bytes(rows)).loaded
    r = client.get(f"{API}/stats/seizures?by=substance,year", headers=a.headers)
    assert r.status_code == 200, r.text
    rows_out = {x["key"]["year"]: x for x in r.json()["rows"]}
    assert rows_out["2025"]["previous_mass_kg"] == 10 and rows_out["2025"]["change_mass_pct"] == 50.0
    r = client.get(f"{API}/stats/seizures?by=substance&date_from=2025-01-01&date_to=2025-12-31", headers=a.headers)
    only = r.json()["rows"][0]
    assert only["mass_kg"] == 15 and only["previous_mass_kg"] == 10
    assert client.get(f"{API}/stats/seizures?by=colour", headers=a.headers).status_code == 422
    exported = client.get(f"{API}/stats/seizures/export?by=substance,year&format=csv", headers=a.headers)
    assert exported.status_code == 200 and exported.text.startswith("substance,year,seizures,mass_kg")
    xlsx = client.get(f"{API}/stats/seizures/export?by=year&format=xlsx", headers=a.headers)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


# -- joint operations -------------------------------------------------------------------------------------


def test_operation_consolidation_never_double_counts(client: TestClient, world: World, two: Any) -> None:
    th, la, a, b = two
    outsider = world.user(world.agency("US-O", country="US"))
    r = client.post(f"{API}/operations", headers=a.headers, json={
        "code": "SAFE-MEKONG-T", "name": "Safe Mekong", "starts_on": "2026-01-01", "ends_on": "2026-03-31",
        "participants": [la], "target_substances": ["yaba"], "target_routes": ["MM>TH"]})
    assert r.status_code == 201, r.text
    assert client.get(f"{API}/operations/SAFE-MEKONG-T", headers=outsider.headers).status_code == 404
    # TH tags two seizures (30 kg) and later reports an aggregate of 100 kg that includes them
    rows = [row(reference="O1", seized_on="2026-02-01", quantity="10", operation="SAFE-MEKONG-T",
                suspects_arrested="2"),
            row(reference="O2", seized_on="2026-02-02", quantity="20", operation="safe-mekong-t")]
    assert do_import(world, a, csv_bytes(rows), distribution=DistributionRequest("all")).loaded
    # a date outside the operation is refused
    late = do_import(world, a, csv_bytes([row(reference="O3", seized_on="2026-05-01", operation="SAFE-MEKONG-T")]))
    assert not late.loaded and late.errors[0].column == "operation"
    res = client.get(f"{API}/operations/SAFE-MEKONG-T/results", headers=b.headers).json()
    assert res["total_mass_kg"] == 30 and res["total_cases"] == 2
    r = client.put(f"{API}/operations/SAFE-MEKONG-T/results", headers=a.headers, json={"lines": [
        {"substance": "", "cases": 7, "suspects_arrested": 9},
        {"substance": "methamphetamine", "quantity": 100, "unit": "kg"}]})
    assert r.status_code == 200, r.text
    # LA reports an aggregate only (tablets: a mass through the documented factor, or a count)
    r = client.put(f"{API}/operations/SAFE-MEKONG-T/results", headers=b.headers, json={"lines": [
        {"substance": "heroin", "quantity": 50, "unit": "kg", "cases": 3}]})
    res = r.json()
    by = {p["agency"]: p for p in res["participants"]}
    assert by[th]["mass_kg"] == 100 and by[th]["cases"] == 7 and by[th]["suspects_arrested"] == 9
    assert by[la]["mass_kg"] == 50 and by[la]["cases"] == 3
    assert res["total_mass_kg"] == 150
    assert by[th]["share_mass_pct"] == pytest.approx(66.7)
    # an aggregate below the tagged seizures is flagged and the tagged figure counts
    client.put(f"{API}/operations/SAFE-MEKONG-T/results", headers=a.headers, json={"lines": [
        {"substance": "methamphetamine", "quantity": 5, "unit": "kg"}]})
    res = client.get(f"{API}/operations/SAFE-MEKONG-T/results", headers=a.headers).json()
    line = next(x for x in res["lines"] if x["agency"] == th)
    assert line["mass_kg"] == 30 and line["note"]
    # outsiders cannot report or read
    assert client.put(f"{API}/operations/SAFE-MEKONG-T/results", headers=outsider.headers,
                      json={"lines": [{"cases": 1}]}).status_code == 404


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"substance": "metamphetamine"}, "substance", "did you mean"),
        ({"substance": "china white"}, "substance", "more than one substance"),
        ({"quantity": "-2"}, "quantity", "above zero"),
        ({"quantity": "0"}, "quantity", "above zero"),
        ({"quantity": "lots"}, "quantity", "not a number"),
        ({"purity_pct": "101"}, "purity_pct", "at most 100"),
        ({"unit": "plants"}, "unit", "plants"),
        ({"unit": "ha", "substance": "heroin"}, "unit", "ha"),
        ({"seized_on": "2026-07-01"}, "seized_on", "future"),
        ({"seized_on": "31/31/2025"}, "seized_on", "not a date"),
        ({"country": "Atlantis"}, "country", "unknown country"),
        ({"port": "Laem Chabng"}, "port", "did you mean"),
        ({"location_type": "bridge"}, "location_type", "unknown location type"),
        ({"transport_mode": "camel"}, "transport_mode", "unknown transport mode"),
        ({"latitude": "95", "longitude": "100"}, "latitude", "between -90 and 90"),
        ({"cash_currency": "THB"}, "cash_currency", "without cash_amount"),
        ({"operation": "NO-SUCH-OP"}, "operation", "unknown operation"),
    ],
)
def test_every_row_fault_is_named_and_nothing_loads(
    world: World, two: Any, cells: dict[str, str], column: str, words: str
) -> None:
    a = two[2]
    data = csv_bytes([row(reference="G1"), row(reference="G2", **cells), row(reference="G3")])
    out = do_import(world, a, data)
    assert not out.loaded and out.rows_refused == 1, out.errors
    assert [(e.row, e.column) for e in out.errors] == [(3, column)], out.errors
    assert words in out.errors[0].message, out.errors[0].message
    assert count_seizures(world) == 0


def test_statistics_count_each_seizure_once(world: World, two: Any) -> None:
    """A seizure of three lines (two of one substance) is one seizure in every total."""
    a = two[2]
    rows = [row(reference="C1"), row(reference="C1", substance="heroin", quantity="2"),
            row(reference="C1", quantity="1", unit="tablets", form="tablets"), row(reference="C2", substance="heroin")]
    assert do_import(world, a, csv_bytes(rows)).loaded
    with world.p.db.unit() as s:
        actor = world.actor(a)
        by_sub = world.p.stats.run(s, actor, StatsQuery(("substance",)))
        heroin = world.p.stats.run(s, actor, StatsQuery(("substance", "country"), substance="heroin"))
        by_country = world.p.stats.run(s, actor, StatsQuery(("country",), substance="heroin"))
    assert {r.key["substance"]: r.seizures for r in by_sub.rows} == {"methamphetamine": 1, "heroin": 2}
    assert by_sub.total_seizures == 2
    assert heroin.total_seizures == 2 and heroin.rows[0].seizures == 2
    assert by_country.total_seizures == 2 and by_country.rows[0].mass_kg == pytest.approx(14.5)
