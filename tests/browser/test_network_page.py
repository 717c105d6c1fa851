"""The network page in headless Chromium: the graph is drawn by the vendored Cytoscape.js under the
page's CSP (no console error, so no refused script or style), and the page passes axe, in English and
Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from interdict.services.entities import EntityDraft
from interdict.services.sharing import DistributionRequest
from tests.browser.test_journeys import LANGS, PagesFactory, nav, signed_in, uniq
from tests.factories import Person, World


def entity(w: World, who: Person, ftm_id: str, schema: str, **props: list[str]) -> None:
    actor = w.actor(who)
    with w.p.db.unit() as s:
        w.p.entities.create(
            s,
            actor,
            EntityDraft(schema, props, ftm_id, DistributionRequest("agency"), contains_personal_data=False),
        )


@pytest.mark.parametrize("lang", LANGS)
def test_network_graph_is_drawn(pages: PagesFactory, world: World, lang: str) -> None:
    analyst = world.user(world.agency(uniq("NET")), "analyst")
    for k in ("a", "b", "c"):
        entity(world, analyst, k, "Person", name=[f"Person {k.upper()}"])
    entity(world, analyst, "ab", "Associate", person=["a"], associate=["b"])
    entity(world, analyst, "bc", "Associate", person=["b"], associate=["c"])
    p = pages("network", lang)
    page: Any = signed_in(p, "analyst", analyst)
    nav(p, page, "Network")
    page.wait_for_selector("#network-graph[data-drawn='3']", timeout=15_000)
    assert page.locator("#network-graph canvas").count() >= 1
    p.check(page, "network")
