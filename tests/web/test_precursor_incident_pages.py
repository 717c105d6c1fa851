"""Precursor-incident pages: the list with filters and the statistics table, the report form (lines typed
as 'substance; quantity; unit'), one incident with its linked seizure and sharing panel, and the owner's
distribution change, through signed-in browsers, against the same service as the API."""

from __future__ import annotations

import html
import re
import uuid

from fastapi.testclient import TestClient

from interdict.store.precursor_incidents import PrecursorIncident
from interdict.store.seizures import Seizure
from tests.factories import World
from tests.web.test_intel_pages import browser_for, count, submit

BASE = "/precursors/incidents"
INCIDENT_URL = re.compile(r"^/precursors/incidents/([0-9a-f-]{36})$")
FORM = {
    "kind": "precursor_seizure",
    "occurred_on": "2026-03-02",
    "country": "LA",
    "place": "Fictional river port",
    "summary": "APAAN declared as fertiliser",
    "narrative": "Sacks labelled as fertiliser.",
    "methods": ["false_declaration", "front_company"],
    "chemicals": "APAAN; 250; kg\nacetic anhydride; 100; l\n",
    "equipment": "tableting_machine; 2",
    "origin_country": "CN",
    "transit_countries": "MM",
    "distribution": "agencies",
}


def test_report_read_list_and_share_an_incident(client: TestClient, world: World) -> None:
    la, th, us = world.agency("LA-PI"), world.agency("TH-PI"), world.agency("US-PI", country="US")
    owner, partner = browser_for(client, world.user(la)), browser_for(client, world.user(th))
    outsider = browser_for(client, world.user(us))

    form = owner.get(f"{BASE}/new")
    assert form.status_code == 200
    for label in (
        "Kind of incident",
        "Methods used",
        "Chemicals",
        "Equipment",
        "Distribution: who may see it",
    ):
        assert label in html.unescape(form.text)

    bad = submit(
        owner,
        f"{BASE}/new",
        {**FORM, "agencies": [th], "chemicals": "APAAN; 250; kg\nheroin; 1; kg"},
        f"{BASE}/new",
    )
    assert bad.status_code == 422
    text = html.unescape(bad.text)
    assert "chemicals line 2: 'heroin' is not a precursor chemical" in text and "Nothing was saved" in text
    assert "heroin; 1; kg" in text  # what was typed stays
    typo = submit(
        owner, f"{BASE}/new", {**FORM, "agencies": [th], "equipment": "reactor; two"}, f"{BASE}/new"
    )
    assert typo.status_code == 422 and "equipment line 1: count 'two' is not a number" in html.unescape(
        typo.text
    )
    assert count(world, PrecursorIncident) == 0 and count(world, Seizure) == 0

    made = submit(owner, f"{BASE}/new", {**FORM, "agencies": [th]}, f"{BASE}/new")
    assert made.status_code == 303, made.text
    found = INCIDENT_URL.match(made.headers["location"])
    assert found
    ref = found.group(1)

    page = owner.get(f"{BASE}/{ref}")
    text = html.unescape(page.text)
    assert page.status_code == 200 and "Precursor incident recorded." in text
    assert "Seizure of precursor chemicals" in text and "Front or shell company" in text
    assert "alpha-phenylacetoacetonitrile" in text and "Tableting machine (pill press)" in text
    assert "358" in text  # 250 kg + 100 l of acetic anhydride at 1.08 kg/l
    seizure = re.search(r'href="/seizures/([0-9a-f-]{36})"', page.text)
    assert seizure and owner.get(f"/seizures/{seizure.group(1)}").status_code == 200
    assert "Who can see it now" in text and "Change the distribution" in text

    theirs = partner.get(f"{BASE}/{ref}")
    assert theirs.status_code == 200 and "Change the distribution" not in theirs.text
    assert partner.get(f"/seizures/{seizure.group(1)}").status_code == 200
    hidden, ghost = outsider.get(f"{BASE}/{ref}"), outsider.get(f"{BASE}/{uuid.uuid4()}")
    assert hidden.status_code == ghost.status_code == 404

    listed = html.unescape(partner.get(f"{BASE}?kind=precursor_seizure&by=substance").text)
    assert "APAAN declared as fertiliser" in listed and "alpha-phenylacetoacetonitrile" in listed
    assert "APAAN declared as fertiliser" not in outsider.get(BASE).text
    assert "APAAN declared as fertiliser" not in partner.get(f"{BASE}?kind=theft").text
    assert partner.get(f"{BASE}?date_from=yesterday").status_code == 422

    body = {"distribution": "all", "reason": "regional alert"}
    assert submit(partner, f"{BASE}/{ref}/distribution", body, f"{BASE}/{ref}").status_code == 403
    refused = submit(owner, f"{BASE}/{ref}/distribution", {"distribution": "agencies"}, f"{BASE}/{ref}")
    assert refused.status_code == 422
    changed = submit(owner, f"{BASE}/{ref}/distribution", body, f"{BASE}/{ref}")
    assert changed.status_code == 303
    assert outsider.get(f"{BASE}/{ref}").status_code == 200
    assert outsider.get(f"/seizures/{seizure.group(1)}").status_code == 200


def test_a_reader_cannot_report(client: TestClient, world: World) -> None:
    la = world.agency("LA-PR")
    reader = browser_for(client, world.user(la, "reader"))
    assert reader.get(f"{BASE}/new").status_code == 403
    assert "Report a precursor incident" not in reader.get(BASE).text
