"""Entity pages: create from "property: value" lines (identifiers normalised, faults named), the list and
one entity with its sharing panel, the owner's distribution change, FtM import and export; another
agency's entity that is not shared answers like a missing one."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from interdict.services.entities import EntityDraft, EntityFilters
from interdict.services.sharing import DistributionRequest
from tests.conftest import Clock
from tests.factories import World
from tests.web.test_admin_pages import csrf, post, signed_in


def test_create_read_list_and_share_an_entity(client: TestClient, world: World, clock: Clock) -> None:
    ours, other = world.agency("PE-OURS", country="CN"), world.agency("PE-OTHER", country="TH")
    me, them = world.user(ours, "analyst"), world.user(other, "analyst")
    # A person is personal data: named agencies see it only under an agreement that allows it.
    world.agreement(agencies=["PE-OURS", "PE-OTHER"], personal_data=True)
    browser = signed_in(client, world, clock, me)
    form = browser.get("/entities/new")
    assert form.status_code == 200 and 'name="properties"' in form.text

    bad = post(browser, "/entities/new", {"schema": "Person", "properties": "name: 张伟\nphone: 12",
                                          "distribution": "agency"}, page="/entities/new")
    assert bad.status_code == 422 and "12" in bad.text and "Nothing was saved" in bad.text
    no_colon = post(browser, "/entities/new", {"schema": "Person", "properties": "just a name",
                                               "distribution": "agency"}, page="/entities/new")
    assert no_colon.status_code == 422 and "property: value" in no_colon.text

    made = post(browser, "/entities/new", {"schema": "Person", "distribution": "agency", "hit_notification": "1",
                                           "properties": "name: 张伟\nbirthDate: 1979-03-05\nphone: +86 138 0013 8000"},
                page="/entities/new")
    assert made.status_code == 303, made.text
    ref = made.headers["location"].rsplit("/", 1)[1]
    page = browser.get(f"/entities/{ref}")
    assert page.status_code == 200 and "+8613800138000" in page.text and "张伟" in page.text
    assert "Who can see it now" in page.text and "PE-OURS" in page.text

    listed = browser.get("/entities?schema=Person&q=张")
    assert ref in listed.text
    assert browser.get("/entities?schema=Nonsense").status_code == 422

    # Not shared yet: the other agency gets the page a missing entity gets.
    outsider = signed_in(client, world, clock, them)
    assert outsider.get(f"/entities/{ref}").status_code == 404
    assert ref not in outsider.get("/entities").text

    shared = post(browser, f"/entities/{ref}/distribution", {"distribution": "agencies", "agencies": "PE-OTHER",
                                                            "reason": "joint case"}, page=f"/entities/{ref}")
    assert shared.status_code == 303, shared.text
    seen = outsider.get(f"/entities/{ref}")
    assert seen.status_code == 200 and "Who can see it now" not in seen.text
    # Only the owner changes the distribution.
    refused = post(outsider, f"/entities/{ref}/distribution", {"distribution": "all", "reason": "x"},
                   page=f"/entities/{ref}")
    assert refused.status_code == 403

    zh = browser.get("/entities", headers={"accept-language": "zh"})
    assert "实体" in zh.text


def test_import_and_export_ftm_lines(client: TestClient, world: World, clock: Clock) -> None:
    ours = world.agency("PI-OURS", country="TH")
    me = world.user(ours, "analyst")
    reader = world.user(ours, "reader")
    browser = signed_in(client, world, clock, me)
    lines = "\n".join(json.dumps(e) for e in (
        {"id": "p1", "schema": "Person", "properties": {"name": ["Somchai Jaidee"], "phone": ["081 234 5678"],
                                                        "nationality": ["th"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Mekong Trading"]}},
        {"id": "m1", "schema": "Directorship", "properties": {"director": ["p1"], "organization": ["c1"]}},
    )).encode()
    token = csrf(browser, "/entities/import")
    answer = browser.post("/entities/imports", data={"csrf_token": token, "distribution": "agency"},
                          files={"file": ("people.jsonl", lines, "application/x-ndjson")})
    assert answer.status_code == 200, answer.text
    assert "Imported 3 entities: 3 new" in answer.text
    again = browser.post("/entities/imports", data={"csrf_token": token, "distribution": "agency"},
                         files={"file": ("people.jsonl", lines, "application/x-ndjson")})
    assert "3 unchanged" in again.text

    broken = browser.post("/entities/imports", data={"csrf_token": token, "distribution": "agency"},
                          files={"file": ("bad.jsonl", b'{"id": "x", "schema": "Nonsense"}\n', "text/plain")})
    assert broken.status_code == 422 and "Nonsense" in broken.text

    exported = browser.get("/entities/export.jsonl")
    assert exported.status_code == 200
    ids = {json.loads(line)["id"] for line in exported.text.splitlines()}
    assert ids == {"p1", "c1", "m1"}
    with world.p.db.unit() as s:
        phones = {e.ftm_id: e.properties.get("phone") for e in
                  world.p.entities.list(s, world.actor(me), EntityFilters(), 50, 0)[0]}
    assert phones["p1"] == ["+66812345678"]

    # A reader may look but not write.
    read_only = signed_in(client, world, clock, reader)
    assert read_only.get("/entities").status_code == 200
    assert read_only.get("/entities/new").status_code == 403


def test_an_unshared_entity_of_another_agency_answers_like_a_missing_one(
    client: TestClient, world: World, clock: Clock
) -> None:
    ours, theirs = world.agency("PM-OURS"), world.agency("PM-THEIRS")
    me, owner = world.user(ours, "analyst"), world.user(theirs, "analyst")
    with world.p.db.unit() as s:
        hidden = world.p.entities.create(s, world.actor(owner), EntityDraft(
            "Person", {"name": ["Hidden Person"]}, distribution=DistributionRequest("agency"))).uuid
    browser = signed_in(client, world, clock, me)
    missing = browser.get("/entities/00000000-0000-4000-8000-000000000000")
    answer = browser.get(f"/entities/{hidden}")
    assert answer.status_code == missing.status_code == 404
    assert "Hidden Person" not in answer.text
    assert "Hidden Person" not in browser.get("/entities").text
    assert "Hidden Person" not in browser.get("/entities/export.jsonl").text
