"""Seizure pages: the list and its filters, one seizure and its sharing panel, the report form, the bulk
import, statistics (charts, map, table, exports) and joint operations, through signed-in browsers (cookie
sessions, CSRF tokens scraped from the pages), against the same services as the API."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interdict.schemas.seizures import OperationCreate, SeizureCreate
from interdict.store.seizures import Seizure
from tests.factories import Person, World
from tests.web.test_intel_pages import browser_for, submit

SEIZURE_URL = re.compile(r"^/seizures/([0-9a-f-]{36})$")
ROW = re.compile(r'<tr class="stats-row">(.*?)</tr>', re.S)
KEY = re.compile(r'data-key="([^"]*)"')
VALUE = re.compile(r'data-value="([^"]*)"')


# -- helpers ---------------------------------------------------------------------------------------------
def three(world: World) -> tuple[str, str, str]:
    th, la, us = world.agency("TH-S"), world.agency("LA-S", country="LA"), world.agency("US-S", country="US")
    world.mechanism("MEKS", [th, la])
    return th, la, us


def seizure(world: World, person: Person, **fields: Any) -> str:
    """A seizure reported through the service (10 kg of methamphetamine in Thailand unless told)."""
    data = SeizureCreate.model_validate(
        {
            "seized_on": "2026-03-01",
            "country": "TH",
            "items": [{"substance": "methamphetamine", "quantity": 10, "unit": "kg"}],
            **fields,
        }
    )
    actor = world.actor(person)
    with world.p.db.unit() as s:
        return world.p.seizures.create(s, actor, data).uuid


def operation(world: World, lead: Person, code: str, participants: list[str]) -> str:
    data = OperationCreate(
        code=code,
        name="Safe Mekong",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        participants=participants,
        target_substances=["methamphetamine"],
    )
    actor = world.actor(lead)
    with world.p.db.unit() as s:
        return world.p.operations.create(s, actor, data).code


def count(world: World) -> int:
    with world.p.db.unit() as s:
        return int(s.scalar(select(func.count()).select_from(Seizure)) or 0)


def table_rows(page: str) -> list[tuple[list[str], list[float | None]]]:
    """The statistics table: each row's key values and its seizures, kg and change (None when blank)."""
    return [
        (KEY.findall(row), [float(v) if v else None for v in VALUE.findall(row)]) for row in ROW.findall(page)
    ]


def between(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found, pattern
    return found.group(1)


def listed(page: str) -> set[str]:
    return set(re.findall(r'<a href="/seizures/([0-9a-f-]{36})"', page))


FORM: dict[str, object] = {
    "seized_on": "2026-04-02",
    "country": "Thailand",
    "place": "Mae Sai",
    "location_type": "inland",
    "origin_country": "MM",
    "transit_countries": "LA",
    "destination_country": "TH",
    "transport_mode": "road",
    "suspects_arrested": "2",
    "reference": "TH-2026-001",
    "items[0].substance": "yaba",
    "items[0].quantity": "20000",
    "items[0].unit": "tablets",
    "items[1].substance": "冰毒",
    "items[1].quantity": "1.5",
    "items[1].unit": "kg",
    "assets[0].kind": "cash",
    "assets[0].value": "50000",
    "assets[0].currency": "THB",
    "distribution": "mechanisms",
    "mechanisms": ["MEKS"],
    "hit_notification": "1",
    "action": "save",
}


def create_through_form(browser: TestClient, **changes: object) -> str:
    answer = submit(browser, "/seizures/new", {**FORM, **changes}, "/seizures/new")
    assert answer.status_code == 303, answer.text
    found = SEIZURE_URL.match(answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


# -- list and read ---------------------------------------------------------------------------------------
def test_list_shows_own_and_shared_seizures_but_not_another_agencys_own(
    client: TestClient, world: World
) -> None:
    th, la, us = three(world)
    thai, lao = world.user(th), world.user(la)
    own = seizure(world, thai, place="Chiang Saen")
    shared = seizure(world, thai, distribution="all", country="LA", seized_on="2026-02-01")
    lao_own = seizure(world, lao, country="LA")
    lao_shared = seizure(world, lao, distribution="mechanisms", mechanisms=["MEKS"])

    page = browser_for(client, thai).get("/seizures")
    assert page.status_code == 200
    assert listed(page.text) == {own, shared, lao_shared}
    assert "Chiang Saen" in page.text and "Owner agency only" in page.text
    assert listed(browser_for(client, world.user(us)).get("/seizures").text) == {shared}
    assert listed(browser_for(client, lao).get("/seizures").text) == {shared, lao_own, lao_shared}

    reader = browser_for(client, world.user(th, "reader"))
    assert listed(reader.get("/seizures", params={"substance": "冰毒", "country": "la"}).text) == {shared}
    assert listed(reader.get("/seizures", params={"date_from": "2026-02-15"}).text) == {own, lao_shared}
    assert listed(reader.get("/seizures", params={"substance": "cocaine"}).text) == set()
    assert 'href="/seizures/new"' not in reader.get("/seizures").text
    bad = reader.get("/seizures", params={"country": "Thailand", "date_to": "soon"})
    assert bad.status_code == 422
    assert 'id="f-country-error"' in bad.text and 'id="f-date_to-error"' in bad.text
    unknown = reader.get("/seizures", params={"substance": "no such drug"})
    assert unknown.status_code == 422 and 'id="f-substance-error"' in unknown.text


def test_list_pages_through_the_results(client: TestClient, world: World) -> None:
    th, _, _ = three(world)
    thai = world.user(th)
    for day in ("2026-01-05", "2026-01-06", "2026-01-07"):
        seizure(world, thai, seized_on=day)
    browser = browser_for(client, thai)
    first = browser.get("/seizures", params={"country": "TH", "limit": "2"})
    assert len(listed(first.text)) == 2
    assert 'href="/seizures?country=TH&amp;limit=2&amp;offset=2" rel="next"' in first.text
    second = browser.get("/seizures", params={"country": "TH", "limit": "2", "offset": "2"})
    assert len(listed(second.text)) == 1 and 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_detail_shows_everything_and_an_invisible_seizure_is_missing(
    client: TestClient, world: World
) -> None:
    th, la, us = three(world)
    owner = browser_for(client, world.user(th))
    ref = create_through_form(owner)
    shown = owner.get(f"/seizures/{ref}")
    assert shown.status_code == 200
    assert "Seizure recorded." in shown.text
    text = html.unescape(shown.text)
    assert "TH-2026-001" in text and "Mae Sai" in text
    assert "<code>MM</code> → <code>LA</code> → <code>TH</code>" in text
    assert "reported as “yaba”" in text and "reported as “冰毒”" in text
    assert "20,000" in text and "tablets or pills" in text  # as reported
    assert "1.5 kg" in text  # normalised: 1.5 kg of methamphetamine is 1.5 kg
    assert "50,000 THB" in text and "Cash" in text
    assert "Who can see it now" in text and f"<code>{la}</code>" in text

    member = browser_for(client, world.user(la))
    read = member.get(f"/seizures/{ref}")
    assert read.status_code == 200 and "Who can see it now" not in read.text
    outsider = browser_for(client, world.user(us))
    hidden = outsider.get(f"/seizures/{ref}")
    made_up = str(uuid.uuid4())
    missing = outsider.get(f"/seizures/{made_up}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(ref, "X") == missing.text.replace(made_up, "X")
    assert "Mae Sai" not in hidden.text

    body: dict[str, object] = {"distribution": "agencies", "agencies": [us], "reason": "US-S leads the case"}
    assert submit(member, f"/seizures/{ref}/distribution", body, f"/seizures/{ref}").status_code == 403
    bad = submit(owner, f"/seizures/{ref}/distribution", {**body, "agencies": []}, f"/seizures/{ref}")
    assert bad.status_code == 422 and 'id="dist-agencies-error"' in bad.text
    changed = submit(owner, f"/seizures/{ref}/distribution", body, f"/seizures/{ref}")
    assert changed.status_code == 303
    assert outsider.get(f"/seizures/{ref}").status_code == 200
    assert member.get(f"/seizures/{ref}").status_code == 404


# -- create ----------------------------------------------------------------------------------------------
def test_form_errors_are_shown_next_to_their_fields_and_nothing_is_saved(
    client: TestClient, world: World
) -> None:
    th, _, _ = three(world)
    owner = browser_for(client, world.user(th))
    form = owner.get("/seizures/new")
    assert form.status_code == 200 and 'name="items[2].substance"' in form.text
    # a lone line: the rules name the field without an index; the page puts it on the line it came from
    lone = {k: v for k, v in FORM.items() if not k.startswith("items")}
    plants = submit(
        owner,
        "/seizures/new",
        {
            **lone,
            "items[1].substance": "methamphetamine",
            "items[1].quantity": "30",
            "items[1].unit": "plants",
        },
        "/seizures/new",
    )
    assert plants.status_code == 422
    assert (
        'id="items-1-unit" name="items[1].unit" aria-invalid="true" aria-describedby="items-1-unit-error"'
        in (plants.text)
    )
    assert 'id="items-1-unit-error"' in plants.text and "plants" in plants.text
    assert 'value="Mae Sai"' in plants.text and 'value="30"' in plants.text  # what was typed is kept
    several = submit(
        owner, "/seizures/new", {**FORM, "items[1].unit": "plants", "country": "Atlantis"}, "/seizures/new"
    )
    assert several.status_code == 422
    assert 'id="items-1-unit-error"' in several.text and 'id="country-error"' in several.text
    assert 'id="items-0-unit-error"' not in several.text
    typed = submit(
        owner, "/seizures/new", {**FORM, "items[0].quantity": "lots", "seized_on": ""}, "/seizures/new"
    )
    assert typed.status_code == 422
    assert 'id="items-0-quantity-error"' in typed.text and 'id="seized_on-error"' in typed.text
    assert count(world) == 0
    more = submit(owner, "/seizures/new", {**FORM, "lines": "3", "action": "add_line"}, "/seizures/new")
    assert more.status_code == 200 and 'name="items[3].substance"' in more.text and count(world) == 0
    assert browser_for(client, world.user(th, "reader")).get("/seizures/new").status_code == 403


def test_a_reference_is_used_once(client: TestClient, world: World) -> None:
    th, _, _ = three(world)
    owner = browser_for(client, world.user(th))
    create_through_form(owner)
    again = submit(owner, "/seizures/new", FORM, "/seizures/new")
    assert again.status_code == 422 and 'id="reference-error"' in again.text
    assert count(world) == 1


# -- import ----------------------------------------------------------------------------------------------
IMPORT_CSV = (
    "reference,seized_on,country,substance,quantity,unit\n"
    "IMP-1,2026-01-10,TH,methamphetamine,5,kg\n"
    "IMP-2,2026-01-11,TH,methamphetamine,3,plants\n"
    "IMP-3,2026-01-12,LA,heroin,2,kg\n"
)


def upload(browser: TestClient, mode: str, data: str = IMPORT_CSV) -> Any:
    return submit(
        browser,
        "/seizures/imports",
        {"layout": "interdict", "mode": mode, "encoding": "utf-8", "distribution": "agency"},
        "/seizures/import",
        files={"file": ("seizures.csv", data.encode(), "text/csv")},
    )


def test_import_all_or_nothing_then_the_valid_rows(client: TestClient, world: World) -> None:
    th, _, _ = three(world)
    owner = browser_for(client, world.user(th))
    form = owner.get("/seizures/import")
    assert form.status_code == 200 and 'action="/seizures/imports"' in form.text
    refused = upload(owner, "all")
    assert refused.status_code == 422
    assert "Nothing was loaded" in refused.text
    problems = re.findall(r'<tr><td class="num">(\d+)</td><td><code>(\w+)</code></td><td>', refused.text)
    assert problems == [("3", "unit")]  # row 3 of the file (the header is row 1), column unit
    assert count(world) == 0

    loaded = upload(owner, "valid")
    assert loaded.status_code == 200
    assert "The file was imported." in loaded.text and count(world) == 2
    assert 'action="/seizures/import/refused.csv"' in loaded.text
    refused_csv = html.unescape(between(loaded.text, r'name="refused_csv"[^>]*>(.*?)</textarea>'))
    assert "IMP-2" in refused_csv and "IMP-1" not in refused_csv
    got = submit(owner, "/seizures/import/refused.csv", {"refused_csv": refused_csv}, "/seizures/import")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.text == refused_csv

    again = upload(owner, "valid")  # the same file again: nothing new
    assert count(world) == 2 and re.search(
        r"Rows unchanged \(imported before\)</th><td class=\"num\">2<", again.text
    )
    empty = submit(owner, "/seizures/imports", {"layout": "interdict", "mode": "all"}, "/seizures/import")
    assert empty.status_code == 422 and 'id="file-error"' in empty.text


def test_templates_download(client: TestClient, world: World) -> None:
    th, _, _ = three(world)
    browser = browser_for(client, world.user(th, "reader"))
    as_csv = browser.get("/seizures/template.csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["content-disposition"].startswith("attachment")
    assert as_csv.text.startswith("reference,seized_on,country,")
    as_xlsx = browser.get("/seizures/template.xlsx")
    assert as_xlsx.status_code == 200 and as_xlsx.content[:2] == b"PK"
    assert as_xlsx.headers["content-disposition"].startswith("attachment")
    signed_out = TestClient(client.app).get("/seizures/template.csv", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")


# -- statistics ------------------------------------------------------------------------------------------
def test_stats_page_draws_charts_and_its_table_equals_the_api(client: TestClient, world: World) -> None:
    th, la, us = three(world)
    thai, lao, american = world.user(th), world.user(la), world.user(us)
    seizure(world, thai, seized_on="2025-05-01", latitude=20.27, longitude=100.08)
    seizure(world, thai, seized_on="2026-05-01", port="Laem Chabang", location_type="seaport")
    seizure(
        world,
        lao,
        country="LA",
        distribution="all",
        items=[{"substance": "heroin", "quantity": 2, "unit": "kg"}],
    )
    seizure(
        world, lao, country="LA", items=[{"substance": "heroin", "quantity": 500, "unit": "kg"}]
    )  # not shared
    seizure(world, american, country="US", distribution="all", seized_on="2025-02-01")
    browser = browser_for(client, thai)
    query = {"by": "country,year"}
    page = browser.get("/stats", params=query)
    assert page.status_code == 200
    assert page.text.count("<svg") == 3  # bars, time series (year chosen), map
    api = client.get("/api/v1/stats/seizures", params=query, headers=thai.headers).json()
    rows = table_rows(page.text)
    assert rows == [
        ([r["key"]["country"], r["key"]["year"]], [r["seizures"], r["mass_kg"], r["change_mass_pct"]])
        for r in api["rows"]
    ]
    assert ["LA", "2026"] in [k for k, _ in rows] and api["total_mass_kg"] == 32.0  # 10 + 10 + 2 + 10

    exported = browser.get("/stats/export.csv", params=query)
    assert exported.status_code == 200 and exported.headers["content-disposition"].startswith("attachment")
    from_api = client.get("/api/v1/stats/seizures/export", params=query, headers=thai.headers)
    assert exported.text == from_api.text
    assert next(csv.reader(io.StringIO(exported.text)))[:3] == ["country", "year", "seizures"]
    assert browser.get("/stats/export.xlsx", params=query).content[:2] == b"PK"

    by_substance = browser.get("/stats", params={"by": ["substance", ""], "substance": "冰毒"})
    assert by_substance.status_code == 200 and by_substance.text.count("<svg") == 2  # no time key: no series
    assert "methamphetamine" in by_substance.text and "heroin" not in by_substance.text
    bad = browser.get("/stats", params={"by": ["year", "month"]})
    assert bad.status_code == 422 and 'id="by-1-error"' in bad.text and "<svg" not in bad.text


# -- joint operations ------------------------------------------------------------------------------------
def test_operation_results_are_consolidated_and_reported_through_the_form(
    client: TestClient, world: World
) -> None:
    th, la, us = three(world)
    thai, lao = world.user(th), world.user(la)
    code = operation(world, thai, "SAFE-MEKONG-26", [la])
    seizure(world, thai, operation=code, distribution="mechanisms", mechanisms=["MEKS"], suspects_arrested=3)
    lead = browser_for(client, thai)
    listing = lead.get("/operations")
    assert listing.status_code == 200 and f'href="/operations/{code}"' in listing.text

    partner = browser_for(client, lao)
    page = partner.get(f"/operations/{code}")
    assert page.status_code == 200
    participants = between(page.text, r'<table id="participants">(.*?)</table>')
    assert f"<code>{th}</code>" in participants and f"<code>{la}</code>" in participants
    bad = submit(
        partner,
        f"/operations/{code}/results",
        {
            "lines[0].cases": "4",
            "lines[2].substance": "methamphetamine",
            "lines[2].quantity": "5",
            "lines[2].unit": "plants",
        },
        f"/operations/{code}",
    )
    assert (
        bad.status_code == 422
        and 'id="lines-2-unit-error"' in bad.text
        and 'value="plants" selected' in bad.text
    )
    good = submit(
        partner,
        f"/operations/{code}/results",
        {
            "lines[0].cases": "4",
            "lines[0].suspects_arrested": "6",
            "lines[1].substance": "yaba",
            "lines[1].quantity": "12",
            "lines[1].unit": "kg",
        },
        f"/operations/{code}",
    )
    assert good.status_code == 303
    after = lead.get(f"/operations/{code}")
    consolidated = client.get(f"/api/v1/operations/{code}/results", headers=thai.headers).json()
    shares = {p["agency"]: p for p in consolidated["participants"]}
    assert (
        shares[la]["mass_kg"] == 12.0 and shares[th]["mass_kg"] == 10.0 and consolidated["total_cases"] == 5
    )
    assert "Reported aggregate" in after.text and "Tagged seizures" in after.text and "54.5 %" in after.text
    exported = lead.get(f"/operations/{code}/results.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {(r["row"], r["agency"], r["mass_kg"]) for r in rows if r["row"] == "participant"} == {
        ("participant", la, "12.0"),
        ("participant", th, "10.0"),
    }
    outsider = browser_for(client, world.user(us))
    assert outsider.get(f"/operations/{code}").status_code == 404
    assert outsider.get(f"/operations/{code}/results.csv").status_code == 404
    assert code not in outsider.get("/operations").text
