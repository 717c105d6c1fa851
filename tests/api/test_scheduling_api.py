"""Control statuses, imports and the gap report over HTTP (``/api/v1/scheduling/...``), on SQLite and
PostgreSQL: shapes, problems naming the row or field, who may write which jurisdiction, and the gap report
as JSON and CSV with a non-member answered "not found"."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from interdict.schemas.seizures import SeizureCreate
from tests.factories import World

API = "/api/v1/scheduling"
DATA = Path(__file__).parent.parent / "data"


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return dict(answer.json())


def test_record_read_and_permissions(client: TestClient, world: World) -> None:
    th, la = world.agency("API-TH", country="TH"), world.agency("API-LA", country="LA")
    writer, reader, other = world.user(th, "analyst"), world.user(th, "reader"), world.user(la, "analyst")
    body = {"substance": "ketamine", "jurisdiction": "TH", "schedule": "Category 2", "in_force": "2010-01-01",
            "legal_reference": "Notification", "source": "Royal Gazette"}  # fmt: skip
    made = client.post(f"{API}/statuses", json=body, headers=writer.headers)
    assert made.status_code == 201, made.text
    assert (made.json()["outcome"], made.json()["status"]["substance_name"]) == ("added", "ketamine")
    assert client.post(f"{API}/statuses", json=body, headers=writer.headers).json()["outcome"] == "unchanged"
    assert (
        "roles" in _problem(client.post(f"{API}/statuses", json=body, headers=reader.headers), 403)["detail"]
    )
    assert (
        "not TH" in _problem(client.post(f"{API}/statuses", json=body, headers=other.headers), 403)["detail"]
    )
    bad = _problem(
        client.post(f"{API}/statuses", json={**body, "jurisdiction": "ZZ"}, headers=writer.headers), 422
    )
    assert "'ZZ'" in bad["detail"] and {e["field"] for e in bad["errors"]} == {"jurisdiction"}
    extra = client.post(f"{API}/statuses", json={**body, "recorded_by": "x"}, headers=writer.headers)
    assert extra.status_code == 422
    # every signed-in user reads
    got = client.get(
        f"{API}/statuses", params={"substance": "ketamine", "on": "2020-01-01"}, headers=other.headers
    )
    assert got.status_code == 200, got.text
    places = {j["jurisdiction"]: j for j in got.json()["jurisdictions"]}
    assert list(places) == ["UN", "TH"] and not places["UN"]["on"]["controlled"]
    assert places["TH"]["on"] == {"controlled": True, "schedule": "Category 2", "since": "2010-01-01",
                                  "basis": "listing", "decontrolled_since": None, "via": ""}  # fmt: skip
    unknown = _problem(
        client.get(f"{API}/statuses", params={"substance": "zzzz"}, headers=reader.headers), 422
    )
    assert "unknown substance 'zzzz'" in unknown["detail"]
    codes = [j["code"] for j in client.get(f"{API}/jurisdictions", headers=reader.headers).json()]
    assert codes == ["UN", "EU", "TH"]
    assert client.get(f"{API}/jurisdictions").status_code == 401


def test_import_over_http(client: TestClient, world: World) -> None:
    sec = world.agency("API-SEC", country=None, organisation="UNODC", kind="secretariat")  # type: ignore[arg-type]
    admin = world.user(sec, "platform_admin")
    raw = (DATA / "scheduling_uk_precursors.csv").read_bytes()
    files = {"file": ("uk.csv", raw, "text/csv")}
    first = client.post(f"{API}/imports", files=files, headers=admin.headers)
    assert first.status_code == 200, first.text
    assert {k: first.json()[k] for k in ("rows", "added", "unchanged", "superseded")} == {
        "rows": 6, "added": 6, "unchanged": 0, "superseded": 0,
    }  # fmt: skip
    again = client.post(f"{API}/imports", files=files, headers=admin.headers).json()
    assert (again["added"], again["unchanged"]) == (0, 6)
    fr = (DATA / "scheduling_fr.csv").read_bytes()
    problem = _problem(
        client.post(f"{API}/imports", files={"file": ("fr.csv", fr, "text/csv")}, headers=admin.headers), 422
    )
    fields = {e["field"] for e in problem["errors"]}
    assert "row 2, column substance" in fields and "row 7, column in_force" in fields


def test_gaps_json_and_csv(client: TestClient, world: World) -> None:
    th, la, out = (world.agency("G-TH", country="TH"), world.agency("G-LA", country="LA"),
                   world.agency("G-OUT", country="FR"))  # fmt: skip
    world.mechanism("G-MEK", [th, la])
    tha, laa, outsider = world.user(th, "analyst"), world.user(la, "analyst"), world.user(out, "analyst")
    client.post(f"{API}/statuses", headers=tha.headers, json={
        "substance": "ketamine", "jurisdiction": "TH", "schedule": "Category 2", "in_force": "2010-01-01",
        "source": "Royal Gazette"})  # fmt: skip
    data = SeizureCreate.model_validate(
        {
            "seized_on": "2026-04-01",
            "country": "LA",
            "distribution": "all",
            "items": [{"substance": "ketamine", "quantity": 5, "unit": "kg"}],
        }
    )
    with world.p.db.unit() as s:
        world.p.seizures.create(s, world.actor(laa), data)
    got = client.get(f"{API}/gaps", params={"mechanism": "G-MEK"}, headers=laa.headers)
    assert got.status_code == 200, got.text
    report = got.json()
    assert report["jurisdictions"] == ["LA", "TH"] and report["reference"] == "UN"
    [row] = [r for r in report["rows"] if r["substance"] == "ketamine"]
    assert (row["controlled_in"], row["not_controlled_in"], row["seizures"], row["seizure_kg"]) == (
        ["TH"], ["LA"], 1, 5.0,
    )  # fmt: skip
    for url, params in (
        (f"{API}/gaps", {"mechanism": "G-MEK", "format": "csv"}),
        (f"{API}/gaps.csv", {"mechanism": "G-MEK"}),
    ):
        answer = client.get(url, params=params, headers=laa.headers)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        ket = next(r for r in rows if r["substance"] == "ketamine")
        assert (ket["TH"], ket["LA"], ket["UN"], ket["seizures"]) == (
            "Category 2 since 2010-01-01", "not controlled", "not controlled", "1",
        )  # fmt: skip
    missing = _problem(
        client.get(f"{API}/gaps", params={"mechanism": "G-MEK"}, headers=outsider.headers), 404
    )
    nothing = _problem(client.get(f"{API}/gaps", params={"mechanism": "NOPE"}, headers=outsider.headers), 404)
    assert missing["detail"].replace("G-MEK", "X") == nothing["detail"].replace("NOPE", "X")
    bad = _problem(
        client.get(f"{API}/gaps", params={"mechanism": "G-MEK", "category": "x"}, headers=laa.headers), 422
    )
    assert "category 'x'" in bad["detail"]
