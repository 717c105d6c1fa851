"""The network page: key players and figures of the network the user's agency may see, the graph's JSON for
the page script (the same network, and nothing hidden), the ego expansion, the vendored library, Chinese."""

from __future__ import annotations

from fastapi.testclient import TestClient

from interdict.services.entities import EntityDraft
from interdict.services.sharing import DistributionRequest
from tests.conftest import Clock
from tests.factories import Person, World
from tests.web.test_admin_pages import signed_in


def entity(w: World, who: Person, ftm_id: str, schema: str, dist: str = "all", **props: list[str]) -> str:
    with w.p.db.unit() as s:
        return w.p.entities.create(
            s,
            w.actor(who),
            EntityDraft(schema, props, ftm_id, DistributionRequest(dist), contains_personal_data=False),
        ).uuid


def test_network_page_graph_and_ego(client: TestClient, world: World, clock: Clock) -> None:
    own, view = world.agency("NP-OWN"), world.agency("NP-VIEW")
    owner, viewer = world.user(own, "analyst"), world.user(view, "analyst")
    a = entity(world, owner, "a", "Person", name=["Anan Boonmee"])
    b = entity(world, owner, "b", "Person", name=["Bao Nguyen"])
    hidden = entity(world, owner, "h", "Person", "agency", name=["Secret Somchai"])
    entity(world, owner, "ab", "Associate", person=["a"], associate=["b"])
    entity(world, owner, "ah", "Associate", person=["a"], associate=["h"])
    mine = signed_in(client, world, clock, viewer)

    page = mine.get("/network")
    assert page.status_code == 200 and 'href="/network" aria-current="page"' in page.text
    assert "Anan Boonmee" in page.text and "Key players" in page.text
    assert 'src="/static/cytoscape.min.js"' in page.text and "Secret Somchai" not in page.text
    graph = mine.get("/network/graph.json").json()
    assert {n["id"] for n in graph["nodes"]} == {a, b} and graph["summary"]["edges"] == 1
    ego = mine.get(f"/network/ego.json?node={a}").json()
    assert {n["id"] for n in ego["nodes"]} == {a, b}
    assert mine.get(f"/network/ego.json?node={hidden}").status_code == 422
    assert hidden not in mine.get("/network/graph.json").text
    assert mine.get("/static/cytoscape.min.js").status_code == 200
    bad = mine.get("/network?since=yesterday")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text


def test_network_page_in_chinese(client: TestClient, world: World, clock: Clock) -> None:
    ag = world.agency("NP-ZH")
    user = world.user(ag, "analyst")
    entity(world, user, "a", "Person", name=["Li Wei"])
    mine = signed_in(client, world, clock, user)
    mine.cookies.set("interdict_lang", "zh")
    page = mine.get("/network")
    assert page.status_code == 200 and "<h1>网络分析</h1>" in page.text and "关键人物" in page.text
