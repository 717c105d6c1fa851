"""The scheduling pages: a substance's status in every jurisdiction with its history, the import form
(offered only to those who may record statuses; a bad file named row by row), the gap matrix as an
accessible table with its CSV download, a non-member answered as for a missing page, and the pages in
Chinese."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from interdict.schemas.scheduling import ControlStatusCreate
from interdict.schemas.seizures import SeizureCreate
from tests.conftest import Clock
from tests.factories import World
from tests.web.test_admin_pages import csrf, signed_in

DATA = Path(__file__).parent.parent / "data"


def test_status_page_and_import(client: TestClient, world: World, clock: Clock) -> None:
    th = world.agency("PS-TH", country="TH")
    writer, reader = world.user(th, "analyst"), world.user(th, "reader")
    browser = signed_in(client, world, clock, writer)
    empty = browser.get("/scheduling")
    assert empty.status_code == 200 and 'action="/scheduling/imports"' in empty.text
    assert 'href="/scheduling" aria-current="page"' in empty.text
    assert (
        'action="/scheduling/imports"' not in signed_in(client, world, clock, reader).get("/scheduling").text
    )

    upload = b"substance,jurisdiction,schedule,in_force,legal_reference,source\nketamine,TH,Category 2,2010-01-01,Act,Gazette\n"
    token = csrf(browser, "/scheduling")
    done = browser.post(
        "/scheduling/imports", data={"csrf_token": token}, files={"file": ("th.csv", upload, "text/csv")}
    )
    assert done.status_code == 200 and "1 rows: 1 added, 0 unchanged, 0 earlier statuses closed." in done.text
    refused = browser.post(
        "/scheduling/imports",
        data={"csrf_token": token},
        files={"file": ("fr.csv", (DATA / "scheduling_fr.csv").read_bytes(), "text/csv")},
    )
    assert refused.status_code == 422 and "Nothing was imported" in refused.text
    assert "row 7, column in_force" in refused.text

    shown = browser.get("/scheduling", params={"substance": "氯胺酮", "on": "2020-01-01"})
    assert shown.status_code == 200
    assert '<th scope="row">TH <span class="muted">Thailand</span></th>' in shown.text
    assert "Category 2" in shown.text and "since 2010-01-01" in shown.text and "History in TH" in shown.text
    bad = browser.get("/scheduling", params={"substance": "no such thing"})
    assert bad.status_code == 422 and "unknown substance" in bad.text and 'aria-invalid="true"' in bad.text
    zh = browser.get("/scheduling", params={"substance": "ketamine"}, headers={"Accept-Language": "zh"})
    assert zh.status_code == 200 and "管制状态" in zh.text


def test_gap_matrix_page(client: TestClient, world: World, clock: Clock) -> None:
    th, la, fr = (
        world.agency("PG-TH", country="TH"),
        world.agency("PG-LA", country="LA"),
        world.agency("PG-FR", country="FR"),
    )
    world.mechanism("PG-MEK", [th, la])
    tha, laa, outsider = world.user(th, "analyst"), world.user(la, "analyst"), world.user(fr, "analyst")
    th_actor, la_actor = world.actor(tha), world.actor(laa)
    with world.p.db.unit() as s:
        world.p.scheduling.record(
            s,
            th_actor,
            ControlStatusCreate(
                substance="ketamine",
                jurisdiction="TH",
                schedule="Category 2",
                in_force="2010-01-01",
                source="Gazette",
            ),
        )
        world.p.seizures.create(
            s,
            la_actor,
            SeizureCreate.model_validate(
                {
                    "seized_on": "2026-04-01",
                    "country": "LA",
                    "distribution": "all",
                    "items": [{"substance": "ketamine", "quantity": 5, "unit": "kg"}],
                }
            ),
        )
    browser = signed_in(client, world, clock, tha)
    picker = browser.get("/scheduling/gaps")
    assert picker.status_code == 200 and '<option value="PG-MEK"' in picker.text
    page = browser.get("/scheduling/gaps", params={"mechanism": "PG-MEK"})
    assert page.status_code == 200
    text = page.text
    assert '<th scope="col">LA</th>' in text and '<th scope="col">TH</th>' in text
    assert '<th scope="row"><a href="/scheduling?substance=ketamine">ketamine</a></th>' in text
    assert "Category 2</strong>" not in text and "since 2010-01-01" in text
    assert "LA: 1 seizures, 0 incidents" in text
    assert 'href="/scheduling/gaps.csv?mechanism=PG-MEK' in text and "Analogue groups" in text
    csv = browser.get("/scheduling/gaps.csv", params={"mechanism": "PG-MEK"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "ketamine,ketamine" in csv.text
    stranger = signed_in(client, world, clock, outsider)
    assert stranger.get("/scheduling/gaps", params={"mechanism": "PG-MEK"}).status_code == 404
    assert stranger.get("/scheduling/gaps", params={"mechanism": "NOPE"}).status_code == 404
    assert '<option value="PG-MEK"' not in stranger.get("/scheduling/gaps").text
    zh = browser.get("/scheduling/gaps", params={"mechanism": "PG-MEK"}, headers={"Accept-Language": "zh"})
    assert zh.status_code == 200 and "管制缺口" in zh.text
    un = browser.get("/scheduling", params={"substance": "acetic anhydride"}, headers={"Accept-Language": "zh"})
    assert un.status_code == 200 and "1988年公约表I" in un.text and "Convention 1988" not in un.text
    assert "Convention 1988, Table I" in browser.get("/scheduling", params={"substance": "acetic anhydride"}).text


def test_every_international_status_reads_in_the_pages_language() -> None:
    """The pages translate the international status piece by piece from the words un_schedule_label writes;
    every control code of the catalogue must give one of those forms."""
    from interdict.domain.scheduling import un_schedule_label
    from interdict.domain.substances import catalogue

    forms = ("Single Convention 1961, Schedule ", "Single Convention 1961, article ", "Convention 1971, Schedule ",
             "Convention 1988, Table ")
    codes = {code for s in catalogue() for code in s.control}
    assert codes and all(un_schedule_label(code).startswith(forms) for code in codes)
