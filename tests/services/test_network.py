"""The platform's network (``services/network.py``) on SQLite and PostgreSQL: a hidden entity never
appears, not as a node, not as an anonymous hop on a path, not in any count or export; filters."""

from __future__ import annotations

import json
from datetime import date

import pytest

from interdict.domain.errors import BadInputError, NotFoundError
from interdict.domain.network_paths import ego_network, shortest_path
from interdict.io.network_exports import to_ftm_lines, to_gexf, to_graphml, to_i2_csv
from interdict.services.entities import EntityDraft
from interdict.services.network import NetworkFilters, for_export, graph_view
from interdict.services.platform import Platform
from interdict.services.sharing import DistributionRequest
from tests.factories import Person, World


def entity(w: World, who: Person, ftm_id: str, schema: str, dist: str = "all", **props: list[str]) -> str:
    with w.p.db.unit() as s:
        e = w.p.entities.create(
            s,
            w.actor(who),
            EntityDraft(schema, props, ftm_id, DistributionRequest(dist), contains_personal_data=False),
        )
        return e.uuid


@pytest.fixture
def scene(world: World) -> dict[str, object]:
    own, view = world.agency("OWN-N"), world.agency("VIEW-N")
    owner, viewer = world.user(own, "analyst"), world.user(view, "analyst")
    ids = {
        "x": entity(world, owner, "x", "Person", name=["Visible Xu"], nationality=["th"]),
        "h": entity(world, owner, "h", "Person", "agency", name=["Hidden Huang"], nationality=["la"]),
        "y": entity(world, owner, "y", "Person", name=["Visible Yang"], nationality=["mm"]),
        "z": entity(world, owner, "z", "Company", name=["Zed Trading"], jurisdiction=["mm"]),
    }
    entity(world, owner, "xh", "Associate", person=["x"], associate=["h"], date=["2024-01-05"])
    entity(world, owner, "hy", "Associate", person=["h"], associate=["y"], date=["2024-01-06"])
    ids["yz"] = entity(world, owner, "yz", "Ownership", owner=["y"], asset=["z"], startDate=["2023-03-01"])
    entity(
        world,
        owner,
        "pay",
        "Payment",
        payer=["x"],
        beneficiary=["h"],
        amount=["73519"],
        currency=["USD"],
        date=["2024-02-01"],
    )
    return {"w": world, "owner": owner, "viewer": viewer, "ids": ids}


def build(p: Platform, w: World, who: Person, f: NetworkFilters = NetworkFilters(), directed: bool = False):  # type: ignore[no-untyped-def]
    with p.db.unit() as s:
        return p.network.build(s, w.actor(who), f, directed=directed)


def test_a_hidden_entity_is_no_node_no_hop_and_no_count(platform: Platform, scene: dict) -> None:  # type: ignore[type-arg]
    w, viewer, owner, ids = scene["w"], scene["viewer"], scene["owner"], scene["ids"]
    net = build(platform, w, viewer)
    assert {n.id for n in net.nodes} == {ids["x"], ids["y"], ids["z"]}
    assert [(e.kind, e.source, e.target) for e in net.edges] == [("Ownership", ids["y"], ids["z"])]
    assert shortest_path(net, ids["x"], ids["y"]) is None  # the only route runs through the hidden node
    assert set(ego_network(net, ids["x"], 3).distances) == {ids["x"]}
    view = graph_view(net)
    assert view["summary"]["nodes"] == 3 and view["summary"]["edges"] == 1
    text = json.dumps(view) + to_gexf(net).decode() + to_graphml(net).decode() + to_i2_csv(net)
    text += "\n".join(to_ftm_lines(net))
    assert ids["h"] not in text and "hidden huang" not in text.lower()
    assert "73519" not in text  # the payment to the hidden account is not there either
    # Its owner sees it, and the path through it.
    mine = build(platform, w, owner)
    assert ids["h"] in {n.id for n in mine.nodes}
    path = shortest_path(mine, ids["x"], ids["y"])
    assert path is not None and [n.id for n in path.nodes] == [ids["x"], ids["h"], ids["y"]]


def test_filters_and_groups(platform: Platform, scene: dict) -> None:  # type: ignore[type-arg]
    w, owner, ids = scene["w"], scene["owner"], scene["ids"]
    only_mm = build(platform, w, owner, NetworkFilters(countries=("MM",)))
    assert {n.id for n in only_mm.nodes} == {ids["y"], ids["z"]}
    associates = build(platform, w, owner, NetworkFilters(relations=("Associate",)))
    assert {e.kind for e in associates.edges} == {"Associate"}
    early = build(platform, w, owner, NetworkFilters(until=date(2023, 12, 31)))
    assert {e.kind for e in early.edges} == {"Ownership"}
    with pytest.raises(BadInputError, match="ends before it starts"):
        build(platform, w, owner, NetworkFilters(since=date(2024, 2, 1), until=date(2024, 1, 1)))


def test_export_withholds_other_agencies_no_onward_records(platform: Platform, world: World) -> None:
    own, view = world.agency("OWN-E"), world.agency("VIEW-E")
    owner, viewer = world.user(own, "analyst"), world.user(view, "analyst")
    with platform.db.unit() as s:
        platform.entities.create(
            s,
            world.actor(owner),
            EntityDraft(
                "Person",
                {"name": ["Kept Private"]},
                "k",
                DistributionRequest("all", handling_conditions=["no_onward_sharing"]),
                contains_personal_data=False,
            ),
        )
    entity(world, owner, "o", "Person", name=["Open Person"])
    net = build(platform, world, viewer)
    kept, withheld = for_export(net, world.agency_id(view))
    assert withheld == 1 and [n.caption for n in kept.nodes] == ["Open Person"]
    assert for_export(build(platform, world, owner), world.agency_id(own))[1] == 0


def test_case_and_syndicate_filters_show_only_visible_links(platform: Platform, scene: dict) -> None:  # type: ignore[type-arg]
    from interdict.schemas.cases import CaseCreate, LinkIn, ParticipantIn

    w, viewer, owner, ids = scene["w"], scene["viewer"], scene["owner"], scene["ids"]
    org = entity(w, viewer, "org", "Organization", name=["Golden Lotus"])
    entity(w, viewer, "mine", "Person", name=["Viewer Own"])
    entity(w, viewer, "m1", "Membership", member=["mine"], organization=["org"])
    as_viewer, as_owner = w.actor(viewer), w.actor(owner)
    with platform.db.unit() as s:
        case = platform.cases.create(s, as_viewer, CaseCreate(title="Lotus", syndicate=org))
        platform.cases.invite(s, as_viewer, case.uuid, ParticipantIn(agency=owner.agency))
        platform.cases.link(s, as_owner, case.uuid, LinkIn(record=ids["h"]))  # hidden from the viewer
        platform.cases.link(s, as_owner, case.uuid, LinkIn(record=ids["x"]))
        platform.cases.link(s, as_owner, case.uuid, LinkIn(record=ids["yz"]))  # a relation: no node to link
        case_uuid = case.uuid
    net = build(platform, w, viewer, NetworkFilters(case=case_uuid))
    kinds = {n.id: n.kind for n in net.nodes}
    assert kinds[case_uuid] == "Case" and ids["x"] in kinds and ids["h"] not in kinds
    assert {n.group for n in net.nodes if n.id == ids["x"]} == {"Golden Lotus"}
    synd = build(platform, w, viewer, NetworkFilters(syndicate=org, depth=1))
    assert {n.caption for n in synd.nodes} >= {"Golden Lotus", "Viewer Own", "Lotus"}
    assert ids["h"] not in {n.id for n in synd.nodes}
    mine = build(platform, w, owner, NetworkFilters(case=case_uuid))
    assert ids["h"] in {n.id for n in mine.nodes}  # the owner's agency takes part and sees its own record
    outsider = w.user(w.agency("OUT-N"), "analyst")
    with pytest.raises(NotFoundError):
        build(platform, w, outsider, NetworkFilters(case=case_uuid))
