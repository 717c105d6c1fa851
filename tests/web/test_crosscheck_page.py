"""The cross-check page: a query in the browser, candidates with what matched, blind hits that name only
the agency, faults named by field, and the owner's inbox."""

from __future__ import annotations

from fastapi.testclient import TestClient

from interdict.services.entities import EntityDraft
from interdict.services.sharing import DistributionRequest
from tests.conftest import Clock
from tests.factories import World
from tests.web.test_admin_pages import post, signed_in


def test_query_candidates_blind_hits_faults_and_inbox(client: TestClient, world: World, clock: Clock) -> None:
    ours, theirs = world.agency("PG-OURS", country="TH"), world.agency("PG-THEIRS", country="CN")
    me, owner = world.user(ours, "analyst"), world.user(theirs, "analyst")
    with world.p.db.unit() as s:
        actor = world.actor(owner)
        shared = world.p.entities.create(s, actor, EntityDraft(
            "Person", {"name": ["Zhang Wei"], "birthDate": ["1979-03-05"], "phone": ["+86 138 0013 8000"]},
            distribution=DistributionRequest("all"), contains_personal_data=False))
        hidden = world.p.entities.create(s, actor, EntityDraft(
            "Person", {"name": ["Zhang Wei"], "birthDate": ["1979-03-05"], "passportNumber": ["E12345678"]},
            distribution=DistributionRequest("agency")))
        hidden_uuid = hidden.uuid
        assert shared.uuid != hidden_uuid
    browser = signed_in(client, world, clock, me)
    page = browser.get("/crosscheck")
    assert page.status_code == 200 and 'href="/crosscheck"' in page.text

    answer = post(browser, "/crosscheck", {"names": "张伟", "birth_date": "1979-03-05", "phone": "13800138000",
                                           "country": "CN"}, page="/crosscheck")
    assert answer.status_code == 200, answer.text
    assert "Zhang Wei" in answer.text and "phone identical" in answer.text
    assert "A record at agency PG-THEIRS matches: request it from that agency." in answer.text
    assert hidden_uuid not in answer.text and "E12345678" not in answer.text

    bad = post(browser, "/crosscheck", {"names": "Li", "phone": "12", "country": "CN"}, page="/crosscheck")
    assert bad.status_code == 422 and "phone &#39;12&#39;" in bad.text and 'aria-invalid="true"' in bad.text

    inbox = signed_in(client, world, clock, owner).get("/crosscheck")
    assert inbox.status_code == 200 and "PG-OURS" in inbox.text and me.username in inbox.text

    zh = browser.get("/crosscheck", headers={"accept-language": "zh"})
    assert "交叉核查" in zh.text


def test_alerts_section_shows_matches_made_on_write(client: TestClient, world: World, clock: Clock) -> None:
    ours, theirs = world.agency("PA-OURS", country="TH"), world.agency("PA-THEIRS", country="CN")
    me, owner = world.user(ours, "analyst"), world.user(theirs, "analyst")
    owner_actor, my_actor = world.actor(owner), world.actor(me)
    with world.p.db.unit() as s:
        world.p.entities.create(s, owner_actor, EntityDraft(
            "Person", {"name": ["Zhang Wei"], "birthDate": ["1979-03-05"]},
            distribution=DistributionRequest("agency")))
        world.p.entities.create(s, my_actor, EntityDraft(
            "Person", {"name": ["张伟"], "birthDate": ["1979-03-05"]}, distribution=DistributionRequest("agency")))
    page = signed_in(client, world, clock, me).get("/crosscheck")
    assert page.status_code == 200
    assert "A record at agency PA-THEIRS matches: request it from that agency." in page.text
    assert "张伟" in page.text  # her own entity, named in her alert
