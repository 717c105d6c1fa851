"""``POST /api/v1/crosscheck`` and ``GET /api/v1/crosscheck/notifications``: every role, relation and
distribution.

One owner agency holds sixteen entities for the same person (张伟, born 1979-03-05), one for each
distribution x personal data x hit notification. Agencies in every relation to the owner (a fellow
mechanism member, a named agency, a personal-data partner, an outsider, the owner itself) ask with every
role. Each answer must hold exactly the entities the sharing rule (``domain.sharing.can_see``, written
apart from the SQL filter) lets that agency see, and a blind hit naming the owner exactly when some
entity it may not see allows hit notification; the answer's text must hold no reference of an entity it
may not see. The owner's inbox then names who asked; nobody else's inbox shows anything of it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient

from interdict.domain.roles import Role
from interdict.domain.sharing import Agreement, Distribution, Membership, SharingFacts, World, can_see
from interdict.services.entities import EntityDraft
from interdict.services.sharing import DistributionRequest
from tests.factories import Person
from tests.factories import World as Factory

API = "/api/v1"
OWNER, MEMBER, NAMED, PARTNER, OUTSIDER = "CC-OWN", "CC-MEM", "CC-NAMED", "CC-PD", "CC-OUT"
QUERY = {"names": ["张伟"], "birth_date": "1979-03-05", "limit": 200}


@dataclass(frozen=True)
class Stored:
    ref: str
    facts: SharingFacts
    hit_notification: bool


@pytest.fixture
def scene(world: Factory) -> tuple[list[Stored], World, dict[str, list[Person]]]:
    for code in (OWNER, MEMBER, NAMED, PARTNER, OUTSIDER):
        world.agency(code, country="CN" if code == OWNER else "TH")
    world.mechanism("CC-MEK", [OWNER, MEMBER, PARTNER])
    world.agreement(agencies=[OWNER, PARTNER], personal_data=True)
    rules = World(
        memberships=tuple(Membership(a, "CC-MEK", date(2020, 1, 1)) for a in (OWNER, MEMBER, PARTNER)),
        agreements=(Agreement(True, date(2020, 1, 1), agencies=frozenset({OWNER, PARTNER})),),
        agencies=frozenset({OWNER, MEMBER, NAMED, PARTNER, OUTSIDER}),
    )
    people = {code: [world.user(code, role.value) for role in Role] for code in (OWNER, MEMBER, NAMED, PARTNER,
                                                                                  OUTSIDER)}
    author = people[OWNER][1]  # an analyst
    stored: list[Stored] = []
    requests = {
        Distribution.AGENCY: DistributionRequest("agency"),
        Distribution.AGENCIES: DistributionRequest("agencies", agencies=[NAMED]),
        Distribution.MECHANISMS: DistributionRequest("mechanisms", mechanisms=["CC-MEK"]),
        Distribution.ALL: DistributionRequest("all"),
    }
    with world.p.db.unit() as s:
        actor = world.actor(author)
        for n, (dist, personal, notify) in enumerate(itertools.product(Distribution, (False, True), (True, False))):
            entity = world.p.entities.create(s, actor, EntityDraft(
                schema="Person",
                properties={"name": ["Zhang Wei"], "birthDate": ["1979-03-05"], "nationality": ["cn"],
                            "phone": [f"+86 138 0013 80{n:02d}"]},
                distribution=requests[dist],
                contains_personal_data=personal,
                hit_notification=notify,
            ))
            req = requests[dist]
            stored.append(Stored(entity.uuid, SharingFacts(OWNER, dist, frozenset(req.agencies),
                                                           frozenset(req.mechanisms), personal), notify))
    return stored, rules, people


def test_every_role_and_relation_gets_exactly_the_visible_and_a_blind_hit_only_where_allowed(
    client: TestClient, scene: tuple[list[Stored], World, dict[str, list[Person]]]
) -> None:
    stored, rules, people = scene
    today = date.today()
    problems: list[str] = []
    for code, persons in people.items():
        seen = {e.ref for e in stored if can_see(code, e.facts, rules, today)}
        blind = any(e.hit_notification and e.ref not in seen for e in stored)
        assert code != OWNER or len(seen) == len(stored)
        for person in persons:
            answer = client.post(f"{API}/crosscheck", json=QUERY, headers=person.headers)
            if answer.status_code != 200:
                problems.append(f"{code} {person.roles}: {answer.status_code} {answer.text[:200]}")
                continue
            body = answer.json()
            got = {c["ref"] for c in body["candidates"]}
            if got != seen:
                problems.append(f"{code} {person.roles}: candidates {len(got)}, want {len(seen)}")
            hits = [h["agency_code"] for h in body["blind_hits"]]
            if hits != ([OWNER] if blind else []):
                problems.append(f"{code} {person.roles}: blind hits {hits}, want {[OWNER] if blind else []}")
            hidden = [e.ref for e in stored if e.ref not in seen and e.ref in answer.text]
            if hidden:
                problems.append(f"{code} {person.roles}: answer names entities it may not see: {hidden}")
            if blind and set(body["blind_hits"][0]) != {"agency_code", "message"}:
                problems.append(f"{code}: a blind hit carries more than the agency: {body['blind_hits'][0]}")
    assert not problems, "\n".join(problems)


def test_the_owner_inbox_names_who_asked_and_no_one_else_sees_it(
    client: TestClient, scene: tuple[list[Stored], World, dict[str, list[Person]]]
) -> None:
    stored, _, people = scene
    asker = people[OUTSIDER][1]
    assert client.post(f"{API}/crosscheck", json=QUERY, headers=asker.headers).json()["blind_hits"]
    inbox = client.get(f"{API}/crosscheck/notifications", headers=people[OWNER][0].headers)
    assert inbox.status_code == 200
    notes = inbox.json()
    allowed = {e.ref for e in stored if e.hit_notification}
    assert notes and {n["entity_ref"] for n in notes} <= allowed
    assert {n["requester_agency"] for n in notes} == {OUTSIDER}
    assert {n["requested_by"] for n in notes} == {asker.username}
    for code in (MEMBER, NAMED, PARTNER, OUTSIDER):
        theirs = client.get(f"{API}/crosscheck/notifications", headers=people[code][0].headers)
        assert theirs.status_code == 200 and theirs.json() == []


def test_bad_queries_name_the_problem(
    client: TestClient, scene: tuple[list[Stored], World, dict[str, list[Person]]]
) -> None:
    _, _, people = scene
    who = people[MEMBER][0].headers
    cases = [
        ({}, "nothing to match"),
        ({"names": ["Li"], "identifiers": [{"kind": "phone", "value": "12"}], "country": "CN"}, "phone '12'"),
        ({"names": ["Li"], "nationalities": ["Atlantis"]}, "Atlantis"),
        ({"names": ["Li"], "birth_date": "soon"}, "birth date 'soon'"),
        ({"names": ["Li"], "identifiers": [{"kind": "ssn", "value": "1"}]}, "kind"),
        ({"names": ["Li"], "limit": 0}, "limit"),
        ({"names": ["Li"], "owner": OWNER}, "owner"),
    ]
    for body, needle in cases:
        answer = client.post(f"{API}/crosscheck", json=body, headers=who)
        assert answer.status_code == 422, (body, answer.text)
        assert needle in answer.text, (body, answer.text)
