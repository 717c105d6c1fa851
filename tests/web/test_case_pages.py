"""The case pages: open a joint case in the browser, invite an agency, link records, write notes and
messages, see each linked record only where its own sharing allows, the syndicate page with its members,
the owner's status moves, faults named by field, outsiders answered as for a missing page, and the pages
in Chinese and Russian."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from interdict.schemas.seizures import SeizureCreate
from interdict.services.entities import EntityDraft
from interdict.services.sharing import DistributionRequest
from tests.conftest import Clock
from tests.factories import Person, World
from tests.web.test_admin_pages import post, signed_in


def _seizure(world: World, who: Person, distribution: str, agencies: list[str] | None = None) -> str:
    data = SeizureCreate.model_validate({
        "seized_on": "2026-05-01", "country": "LA", "distribution": distribution, "agencies": agencies or [],
        "items": [{"substance": "methamphetamine", "quantity": 120, "unit": "kg"}], "place": "Ton Pheung"})
    with world.p.db.unit() as s:
        return world.p.seizures.create(s, world.actor(who), data).uuid


def _entity(world: World, who: Person, schema: str, props: dict[str, list[str]], ftm_id: str) -> str:
    with world.p.db.unit() as s:
        return world.p.entities.create(s, world.actor(who), EntityDraft(
            schema, props, ftm_id, DistributionRequest("all"))).uuid


def test_open_a_joint_case_link_records_and_discuss(client: TestClient, world: World, clock: Clock) -> None:
    own, part, third, other = (world.agency(c) for c in ("PG-OWN", "PG-PART", "PG-THIRD", "PG-OTHER"))
    lead, partner = world.user(own, "investigator"), world.user(part, "analyst")
    reader, stranger, third_user = world.user(part, "reader"), world.user(other, "supervisor"), world.user(third)
    org = _entity(world, lead, "Organization", {"name": ["Kings Romans network"]}, "krn")
    _entity(world, lead, "Company", {"name": ["Golden Triangle Logistics"]}, "gtl")
    _entity(world, lead, "Directorship", {"director": ["gtl"], "organization": ["krn"], "role": ["front company"]},
            "d1")
    theirs_only = _seizure(world, partner, "agency")  # PG-PART's alone
    for_all = _seizure(world, partner, "all")

    mine = signed_in(client, world, clock, lead)
    listing = mine.get("/cases")
    assert listing.status_code == 200 and 'href="/cases/new"' in listing.text and 'href="/cases"' in listing.text
    bad = post(mine, "/cases/new", {"title": "Kings Romans", "offences": ["arson"], "summary": ""}, page="/cases/new")
    assert bad.status_code == 422 and "unknown offence(s) &#39;arson&#39;" in bad.text
    assert 'id="offences-error"' in bad.text
    made = post(mine, "/cases/new", {"title": "Kings Romans network", "summary": "Methamphetamine via Bokeo.",
                                     "offences": ["drug_trafficking", "money_laundering"], "syndicate": org,
                                     "participants": [part]}, page="/cases/new")
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    ref = url.rsplit("/", 1)[1]
    page = mine.get(url)
    assert page.status_code == 200 and "Case opened." in page.text and "Kings Romans network" in page.text
    assert "Money laundering" in page.text and "PG-PART" in page.text and f'href="/syndicates/{org}"' in page.text
    assert post(mine, f"/cases/{ref}/invite", {"agency": third}, page=url).status_code == 303
    assert post(mine, f"/cases/{ref}/notes", {"body": "Surveillance at Ton Pheung pier."}, page=url).status_code == 303

    theirs = signed_in(client, world, clock, partner)
    assert f'href="/cases/{ref}"' in theirs.get("/cases?box=joined").text
    assert f'href="/cases/{ref}"' not in theirs.get("/cases?box=owned").text
    linked = post(theirs, f"/cases/{ref}/link", {"record": f"{theirs_only}\n{for_all}", "note": "Our seizures"},
                  page=url)
    assert linked.status_code == 303, linked.text
    bad_link = post(theirs, f"/cases/{ref}/link", {"record": "nonsense", "note": ""}, page=url)
    assert bad_link.status_code == 422 and 'id="link-record-error"' in bad_link.text
    assert post(theirs, f"/cases/{ref}/messages", {"body": "Can you share the AIS track?", "reply_to": ""},
                page=url).status_code == 303
    both = theirs.get(url).text
    assert theirs_only in both and for_all in both and "Surveillance at Ton Pheung pier." in both
    assert f'action="/cases/{ref}/status"' not in both  # the owner's alone

    # The owner sees only the seizure shared with it; the linked record it may not see is simply absent.
    owner_view = mine.get(url).text
    assert for_all in owner_view and theirs_only not in owner_view
    assert "Can you share the AIS track?" in owner_view
    # A reader of the participant reads, with no forms.
    read_only = signed_in(client, world, clock, reader).get(url).text
    assert "Can you share the AIS track?" in read_only and f'action="/cases/{ref}/notes"' not in read_only
    # Outsiders: as if there were no such case.
    assert signed_in(client, world, clock, stranger).get(url).status_code == 404

    # The syndicate: its case and its members.
    synd = mine.get(f"/syndicates/{org}")
    assert synd.status_code == 200 and "Golden Triangle Logistics" in synd.text and "front company" in synd.text
    assert f'href="/cases/{ref}"' in synd.text
    assert f'href="/syndicates/{org}"' in mine.get("/syndicates").text

    # The owner closes the case: read-only for everyone; the partner cannot reopen it.
    assert post(mine, f"/cases/{ref}/status", {"status": "closed", "reason": "Charged."}, page=url).status_code == 303
    closed = theirs.get(url).text
    assert "Closed" in closed and f'action="/cases/{ref}/notes"' not in closed
    assert post(theirs, f"/cases/{ref}/status", {"status": "open"}, page=url).status_code == 403
    assert post(mine, f"/cases/{ref}/status", {"status": "open", "reason": "New lead."}, page=url).status_code == 303

    # The third agency leaves: the case is gone for it at once.
    thirds = signed_in(client, world, clock, third_user)
    left = post(thirds, f"/cases/{ref}/remove", {"agency": third}, page=url)
    assert left.status_code == 303 and left.headers["location"] == "/cases"
    assert thirds.get(url).status_code == 404

    zh = theirs.get(url, headers={"accept-language": "zh"})
    assert zh.status_code == 200 and "关联记录" in html.unescape(zh.text) and "洗钱" in html.unescape(zh.text)
    ru = theirs.get("/cases", headers={"accept-language": "ru"})
    assert ru.status_code == 200 and "Дела" in html.unescape(ru.text)
    assert re.search(r'<a href="/cases"\s+aria-current="page"', theirs.get("/cases").text)
