"""Automatic cross-matching: entities written one by one or imported are matched against the store,
and both agencies are alerted, each within what it may see (services/entity_alerts.py)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from interdict.services.entities import EntityDraft
from interdict.services.sharing import DistributionRequest
from tests.factories import Person, World

API = "/api/v1"
ZHANG = {"name": ["Zhang Wei"], "birthDate": ["1979-03-05"], "nationality": ["cn"]}


def make(world: World, who: Person, props: dict[str, Any], dist: str = "agency", notify: bool = True) -> str:
    with world.p.db.unit() as s:
        entity = world.p.entities.create(s, world.actor(who), EntityDraft(
            "Person", props, distribution=DistributionRequest(dist), contains_personal_data=False,
            hit_notification=notify))
        return entity.uuid


def alerts(client: TestClient, who: Person) -> list[dict[str, Any]]:
    answer = client.get(f"{API}/crosscheck/alerts", headers=who.headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def test_both_sides_are_alerted_each_within_what_it_may_see(client: TestClient, world: World) -> None:
    a, b, c = world.agency("AL-A"), world.agency("AL-B", country="CN"), world.agency("AL-C")
    alice, bob, carol = world.user(a, "analyst"), world.user(b, "analyst"), world.user(c, "analyst")
    shared = make(world, bob, ZHANG, "all")
    hidden = make(world, bob, {**ZHANG, "phone": ["+86 138 0013 8000"]}, "agency")
    silent = make(world, bob, {**ZHANG, "passportNumber": ["E12345678"]}, "agency", notify=False)
    assert alerts(client, alice) == []
    own = alerts(client, bob)  # bob's agency now holds the person three times: it is told so
    assert len(own) == 3 and {x["other_agency"] for x in own} == {"AL-B"} and all(x["other_ref"] for x in own)

    mine = make(world, alice, {"name": ["张伟"], "birthDate": ["1979-03-05"]}, "agency")
    got = alerts(client, alice)
    named = [x for x in got if x["other_ref"]]
    assert [x["other_ref"] for x in named] == [shared]
    assert named[0]["own_ref"] == mine and named[0]["score"] >= 0.5 and "birth date equal" in named[0]["explanation"]
    blind = [x for x in got if not x["other_ref"]]
    assert len(blind) == 1 and blind[0]["other_agency"] == "AL-B" and blind[0]["score"] is None
    assert blind[0]["message"] == "a record at agency AL-B matches — request it"
    text = json.dumps(got)
    assert hidden not in text and silent not in text

    # alice's entity is hers alone: bob learns only that AL-A holds a match
    theirs = [x for x in alerts(client, bob) if x["other_agency"] == "AL-A"]
    assert sorted(x["own_ref"] for x in theirs) == sorted([shared, hidden, silent])
    assert all(x["other_ref"] is None and x["other_agency"] == "AL-A" and x["explanation"] is None for x in theirs)
    assert mine not in json.dumps(theirs)
    assert alerts(client, carol) == []

    wide = make(world, alice, {"name": ["Wei Zhang"], "birthDate": ["1979-03-05"]}, "all")
    named_for_bob = [x for x in alerts(client, bob) if x["other_ref"] == wide]
    assert sorted(x["own_ref"] for x in named_for_bob) == sorted([shared, hidden, silent])
    own_twice = [x for x in alerts(client, alice) if x["own_ref"] == wide and x["other_ref"] == mine]
    assert own_twice and own_twice[0]["other_agency"] == "AL-A"  # her agency holds the person twice


def test_an_import_is_matched_against_the_store_but_not_against_itself(client: TestClient, world: World) -> None:
    a, b = world.agency("IM-A"), world.agency("IM-B", country="CN")
    alice, bob = world.user(a, "analyst"), world.user(b, "analyst")
    stored = make(world, bob, ZHANG, "all")
    lines = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Чжан Вэй"], "birthDate": ["1979-03-05"]}},
        {"id": "p2", "schema": "Person", "properties": {"name": ["ZHANG WEI"], "birthDate": ["1979-03-05"]}},
    ]
    data = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()
    with world.p.db.unit() as s:
        result = world.p.entities.import_ftm(s, world.actor(alice), data, DistributionRequest("all"))
    # Each line alerts alice; bob may not see them (persons, personal data, no agreement), so he is told
    # once that IM-A holds a match for his record, not once per line.
    assert result.created == 2 and result.alerts == 3
    got = alerts(client, alice)
    assert {x["other_ref"] for x in got} == {stored}  # never p1 against p2
    told = [x for x in alerts(client, bob) if x["other_agency"] == "IM-A"]
    assert len(told) == 1 and told[0]["own_ref"] == stored and told[0]["other_ref"] is None


def test_writing_an_entity_again_does_not_repeat_its_alerts(client: TestClient, world: World) -> None:
    a, b = world.agency("RE-A"), world.agency("RE-B", country="CN")
    alice, bob = world.user(a, "analyst"), world.user(b, "analyst")
    make(world, bob, ZHANG, "all")
    mine = make(world, alice, {"name": ["张伟"], "birthDate": ["1979-03-05"]}, "all")
    before = (len(alerts(client, alice)), len(alerts(client, bob)))
    assert before == (1, 1)
    with world.p.db.unit() as s:
        world.p.entities.update(s, world.actor(alice), mine, {"name": ["张伟", "Zhang Wei"],
                                                              "birthDate": ["1979-03-05"]}, 1)
    assert (len(alerts(client, alice)), len(alerts(client, bob))) == before
