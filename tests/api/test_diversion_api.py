"""Diversion rules, annual legitimate requirements and re-evaluation over HTTP, on SQLite and PostgreSQL:
shapes, problems naming the rule and parameter, who may write, and "not found" for a notification the caller
may not see."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import World
from tests.services.test_diversion import Pens

API = "/api/v1/precursors"


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return dict(answer.json())


def test_rules_over_http(client: TestClient, world: World) -> None:
    pens = Pens(world)
    analyst, supervisor = pens.analyst["TH"], pens.supervisor["TH"]
    rules = client.get(f"{API}/rules", headers=analyst.headers)
    assert rules.status_code == 200, rules.text
    by_code = {r["code"]: r for r in rules.json()}
    assert len(by_code) == 7 and all(r["enabled"] and not r["customised"] for r in by_code.values())
    assert "no flag" in by_code["excess_quantity"]["description"]
    assert by_code["excess_quantity"]["params"][0]["value"] == 10.0

    _problem(client.put(f"{API}/rules/split_order", json={"enabled": False}, headers=analyst.headers), 403)
    bad = _problem(client.put(f"{API}/rules/split_order", json={"params": {"window_days": 999}},
                              headers=supervisor.headers), 422)
    assert "split_order" in bad["detail"] and "999" in bad["detail"] and "from 1 to 365" in bad["detail"]
    assert {e["field"] for e in bad["errors"]} == {"params.window_days"}
    _problem(client.put(f"{API}/rules/nope", json={}, headers=supervisor.headers), 422)
    _problem(client.put(f"{API}/rules/split_order", json={"enabled": False, "owner": "x"},
                        headers=supervisor.headers), 422)

    done = client.put(f"{API}/rules/country_of_concern", json={"params": {"countries": ["mm", "LA"]}},
                      headers=supervisor.headers)
    assert done.status_code == 200, done.text
    assert done.json()["params"][0]["value"] == ["LA", "MM"] and done.json()["customised"]
    assert done.json()["updated_by"] == supervisor.username
    theirs = {r["code"]: r for r in client.get(f"{API}/rules", headers=pens.analyst["IN"].headers).json()}
    assert theirs["country_of_concern"]["params"][0]["value"] == []
    _problem(client.get(f"{API}/rules"), 401)


def test_requirements_over_http(client: TestClient, world: World) -> None:
    pens = Pens(world)
    body = {"country": "TH", "substance": "ephedrine", "year": 2026, "quantity": 250, "unit": "kg",
            "source": "illustrative"}
    _problem(client.put(f"{API}/requirements", json=body, headers=pens.analyst["IN"].headers), 403)
    made = client.put(f"{API}/requirements", json=body, headers=pens.analyst["TH"].headers)
    assert made.status_code == 200, made.text
    assert made.json()["quantity_kg"] == 250 and made.json()["substance_name"] == "ephedrine"
    bad = _problem(client.put(f"{API}/requirements", json={**body, "substance": "heroin", "unit": "tablets"},
                              headers=pens.analyst["TH"].headers), 422)
    assert "heroin" in bad["detail"]
    listed = client.get(f"{API}/requirements", params={"country": "TH", "year": 2026},
                        headers=pens.analyst["LA"].headers)
    assert listed.status_code == 200, listed.text
    assert [(r["country"], r["substance"], r["quantity_kg"]) for r in listed.json()["items"]] == [
        ("TH", "ephedrine", 250)]
    assert client.get(f"{API}/requirements", params={"year": 2025},
                      headers=pens.analyst["LA"].headers).json()["items"] == []
    _problem(client.get(f"{API}/requirements", params={"substance": "heroin"}, headers=pens.analyst["LA"].headers),
             422)


def test_reevaluation_over_http(client: TestClient, world: World) -> None:
    pens = Pens(world)
    n = pens.pen(flags=True, route=[{"country": "SG", "place": "Jurong", "free_trade_zone": True}])
    answer = client.post(f"{API}/notifications/{n.reference}/flags", headers=pens.analyst["TH"].headers)
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert out["reference"] == n.reference
    assert {f["agency"] for f in out["flags"]} == {pens.codes["TH"]}
    assert "free_trade_zone" in {f["rule"] for f in out["flags"]}
    hidden = _problem(client.post(f"{API}/notifications/{n.reference}/flags", headers=pens.analyst["LA"].headers), 404)
    missing = _problem(client.post(f"{API}/notifications/PEN-NONE/flags", headers=pens.analyst["LA"].headers), 404)
    assert hidden["title"] == missing["title"]
    assert hidden["detail"].replace(n.reference, "X") == missing["detail"].replace("PEN-NONE", "X")
