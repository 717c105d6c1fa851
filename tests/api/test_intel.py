"""Intelligence reports: sharing, onward-sharing requests, attachments, exports and access logs."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient

from tests.conftest import Clock
from tests.factories import World

API = "/api/v1/intel-reports"


def setup_three(world: World) -> tuple:
    th, la, us = world.agency("TH-A"), world.agency("LA-A", country="LA"), world.agency("US-A", country="US")
    world.mechanism("MEK", [th, la])
    return th, la, us


def test_onward_sharing_request_approved_by_owner(client: TestClient, world: World) -> None:
    th, la, us = setup_three(world)
    owner, member, outsider = world.user(th, "supervisor"), world.user(la), world.user(us)
    author = world.user(th)
    report = world.report(author, distribution="agencies", agencies=[la])
    assert client.get(f"{API}/{report.uuid}", headers=outsider.headers).status_code == 404
    asked = client.post(f"{API}/{report.uuid}/onward-requests", headers=member.headers,
                        json={"add_agencies": [us], "reason": "US-A holds the consignee's accounts"})
    assert asked.status_code == 201, asked.text
    req = asked.json()
    assert req["status"] == "pending" and req["owner_agency"] == th
    # the outsider knows nothing of it; the owner sees it in its inbox
    assert client.get(f"/api/v1/onward-requests/{req['uuid']}", headers=outsider.headers).status_code == 404
    inbox = client.get("/api/v1/onward-requests?status=pending", headers=owner.headers).json()["items"]
    assert [r["uuid"] for r in inbox] == [req["uuid"]]
    # the requester cannot decide its own request
    assert client.post(f"/api/v1/onward-requests/{req['uuid']}/decision", headers=member.headers,
                       json={"approve": True}).status_code == 403
    decided = client.post(f"/api/v1/onward-requests/{req['uuid']}/decision", headers=owner.headers,
                          json={"approve": True, "note": "agreed"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    seen = client.get(f"{API}/{report.uuid}", headers=outsider.headers)
    assert seen.status_code == 200
    assert seen.json()["sharing"]["agencies"] == [us]  # recipients see only themselves in the list
    assert client.post(f"/api/v1/onward-requests/{req['uuid']}/decision", headers=owner.headers,
                       json={"approve": False}).status_code == 409
    actions = [e["action"] for e in client.get("/api/v1/audit?limit=200", headers=owner.headers).json()["items"]]
    assert {"onward.request", "onward.approve", "record.distribution"} <= set(actions)


def test_onward_request_declined_changes_nothing(client: TestClient, world: World) -> None:
    th, la, us = setup_three(world)
    owner, member, outsider = world.user(th, "liaison_officer"), world.user(la), world.user(us)
    report = world.report(owner, distribution="mechanisms", mechanisms=["MEK"])
    req = client.post(f"{API}/{report.uuid}/onward-requests", headers=member.headers,
                      json={"add_agencies": [us], "reason": "please"}).json()
    declined = client.post(f"/api/v1/onward-requests/{req['uuid']}/decision", headers=owner.headers,
                           json={"approve": False, "note": "source protection"})
    assert declined.json()["status"] == "declined"
    assert client.get(f"{API}/{report.uuid}", headers=outsider.headers).status_code == 404


def test_only_owner_changes_distribution_and_it_is_audited(client: TestClient, world: World) -> None:
    th, la, us = setup_three(world)
    owner, member, outsider = world.user(th), world.user(la), world.user(us)
    report = world.report(owner, distribution="mechanisms", mechanisms=["MEK"])
    body = {"distribution": "all", "reason": "declassified"}
    assert client.put(f"{API}/{report.uuid}/distribution", headers=member.headers, json=body).status_code == 403
    assert client.put(f"{API}/{report.uuid}/distribution", headers=outsider.headers, json=body).status_code == 404
    changed = client.put(f"{API}/{report.uuid}/distribution", headers=owner.headers, json=body)
    assert changed.status_code == 200 and changed.json()["sharing"]["distribution"] == "all"
    assert client.get(f"{API}/{report.uuid}", headers=outsider.headers).status_code == 200
    supervisor = world.user(th, "supervisor")
    rows = client.get("/api/v1/audit?action=record.distribution", headers=supervisor.headers).json()["items"]
    assert rows and '"before"' in rows[0]["detail"] and rows[0]["object_uuid"] == report.uuid


def test_leaving_a_mechanism_hides_its_records_from_the_next_request(client: TestClient, world: World, clock: Clock) -> None:
    th, la, _ = setup_three(world)
    owner, member = world.user(th), world.user(la)
    report = world.report(owner, distribution="mechanisms", mechanisms=["MEK"])
    assert client.get(f"{API}/{report.uuid}", headers=member.headers).status_code == 200
    world.leave("MEK", la, clock().date())
    assert client.get(f"{API}/{report.uuid}", headers=member.headers).status_code == 404
    assert client.get(API, headers=member.headers).json()["items"] == []


def test_personal_data_needs_an_agreement(client: TestClient, world: World) -> None:
    th, la, us = setup_three(world)
    owner, member, other = world.user(th), world.user(la), world.user(us)
    report = world.report(owner, distribution="all", contains_personal_data=True)
    assert client.get(f"{API}/{report.uuid}", headers=member.headers).status_code == 404
    world.agreement(mechanism="MEK", personal_data=True)
    assert client.get(f"{API}/{report.uuid}", headers=member.headers).status_code == 200
    assert client.get(f"{API}/{report.uuid}", headers=other.headers).status_code == 404
    world.agreement(agencies=[th, us], personal_data=True, valid_from=date(2020, 1, 1))
    assert client.get(f"{API}/{report.uuid}", headers=other.headers).status_code == 200


def test_attachments_are_checked_hashed_and_follow_the_parent(client: TestClient, world: World) -> None:
    th, la, us = setup_three(world)
    owner, member, outsider = world.user(th), world.user(la), world.user(us)
    shared = world.report(owner, distribution="mechanisms", mechanisms=["MEK"])
    private = world.report(owner)
    pdf = b"%PDF-1.4\n% test document\n"
    up = client.post(f"{API}/{shared.uuid}/attachments", headers=owner.headers,
                     files={"file": ("../../etc/route map.pdf", pdf, "application/pdf")})
    assert up.status_code == 201, up.text
    att = up.json()
    assert att["filename"] == "route map.pdf" and att["content_type"] == "application/pdf" and len(att["sha256"]) == 64
    got = client.get(f"{API}/{shared.uuid}/attachments/{att['uuid']}", headers=member.headers)
    assert got.status_code == 200 and got.content == pdf and got.headers["content-disposition"].startswith("attachment")
    assert client.get(f"{API}/{shared.uuid}/attachments/{att['uuid']}", headers=outsider.headers).status_code == 404
    assert client.get(f"{API}/{private.uuid}/attachments/{att['uuid']}", headers=owner.headers).status_code == 404
    svg = client.post(f"{API}/{shared.uuid}/attachments", headers=owner.headers,
                      files={"file": ("x.svg", b"<svg onload=alert(1)></svg>", "image/svg+xml")})
    assert svg.status_code == 422
    assert client.post(f"{API}/{shared.uuid}/attachments", headers=member.headers,
                       files={"file": ("a.pdf", pdf, "application/pdf")}).status_code == 403


def test_export_escapes_formulas_and_withholds_no_onward_sharing(client: TestClient, world: World) -> None:
    th, la, _ = setup_three(world)
    owner, member = world.user(th), world.user(la)
    world.report(owner, title="=HYPERLINK(\"http://x\")", distribution="mechanisms", mechanisms=["MEK"])
    world.report(owner, title="restricted", distribution="mechanisms", mechanisms=["MEK"],
                 handling_conditions=["no_onward_sharing"])
    out = client.get(f"{API}/export?format=csv", headers=member.headers)
    assert out.status_code == 200
    assert out.headers["x-interdict-exported"] == "1" and out.headers["x-interdict-withheld"] == "1"
    rows = list(csv.DictReader(io.StringIO(out.text)))
    assert [r["title"] for r in rows] == ["'=HYPERLINK(\"http://x\")"]
    mine = client.get(f"{API}/export?format=jsonl", headers=owner.headers)
    assert mine.headers["x-interdict-exported"] == "2"


def test_owner_sees_which_agencies_read_its_report(client: TestClient, world: World) -> None:
    th, la, _ = setup_three(world)
    owner, member = world.user(th), world.user(la)
    report = world.report(owner, distribution="mechanisms", mechanisms=["MEK"])
    client.get(f"{API}/{report.uuid}", headers=member.headers)
    client.get(API, headers=member.headers)
    log = client.get(f"{API}/{report.uuid}/access-log", headers=owner.headers).json()["items"]
    assert {(e["agency"], e["via"]) for e in log} == {(la, "get"), (la, "list")}
    assert client.get(f"{API}/{report.uuid}/access-log", headers=member.headers).status_code == 403


def test_audit_search_redacts_records_no_longer_visible(client: TestClient, world: World, clock: Clock) -> None:
    th, la, _ = setup_three(world)
    owner, member, la_supervisor = world.user(th), world.user(la), world.user(la, "supervisor")
    report = world.report(owner, distribution="mechanisms", mechanisms=["MEK"])
    client.get(f"{API}/{report.uuid}", headers=member.headers)
    before = client.get("/api/v1/audit?action=record.read", headers=la_supervisor.headers).json()["items"]
    assert [e["object_uuid"] for e in before] == [report.uuid]
    world.leave("MEK", la, clock().date())
    after = client.get("/api/v1/audit?action=record.read", headers=la_supervisor.headers).json()["items"]
    assert [e["object_uuid"] for e in after] == [None] and after[0]["redacted"] is True
    assert client.get("/api/v1/audit", headers=member.headers).status_code == 403


def test_update_with_version_and_markdown_is_rendered_safely(client: TestClient, world: World) -> None:
    th, _, _ = setup_three(world)
    owner = world.user(th)
    report = world.report(owner)
    r = client.patch(f"{API}/{report.uuid}", headers=owner.headers,
                     json={"version": 1, "body": "[x](javascript:alert(1)) <img src=x onerror=alert(1)> *ok*"})
    assert r.status_code == 200, r.text
    html = r.json()["body_html"]
    assert 'href="javascript' not in html and "<img" not in html and "<em>ok</em>" in html
    assert client.patch(f"{API}/{report.uuid}", headers=owner.headers, json={"version": 1, "title": "x"}).status_code == 409


def test_attachment_names_in_any_script_survive_the_download(client: TestClient, world: World) -> None:
    th, _, _ = setup_three(world)
    owner = world.user(th)
    report = world.report(owner)
    up = client.post(f"{API}/{report.uuid}/attachments", headers=owner.headers,
                     files={"file": ("路线图 маршрут.pdf", b"%PDF-1.4\n", "application/pdf")})
    assert up.status_code == 201, up.text
    got = client.get(f"{API}/{report.uuid}/attachments/{up.json()['uuid']}", headers=owner.headers)
    assert got.status_code == 200
    assert "filename*=UTF-8''%E8%B7%AF%E7%BA%BF%E5%9B%BE" in got.headers["content-disposition"]
