"""Intelligence-report pages: list, read, write with preview, edit, sharing panel, attachments and
onward-sharing requests, through signed-in browsers (cookie sessions, CSRF tokens scraped from pages)."""

from __future__ import annotations

import re
import uuid
from datetime import date

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interdict.services.sharing import audience
from interdict.store.records import Attachment, IntelReport, OnwardRequest
from tests.conftest import Clock
from tests.factories import Person, World

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REPORT_URL = re.compile(r"^/intel/([0-9a-f-]{36})$")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# -- helpers ---------------------------------------------------------------------------------------------
def token(browser: TestClient, path: str) -> str:
    page = browser.get(path)
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def browser_for(client: TestClient, person: Person) -> TestClient:
    """A browser with its own cookie jar, signed in through the /login form."""
    browser = TestClient(client.app)
    answer = browser.post(
        "/login",
        data={
            "csrf_token": token(browser, "/login"),
            "username": person.username,
            "password": person.password,
            "next": "/intel",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/intel", answer.text
    return browser


def submit(
    browser: TestClient, path: str, data: dict[str, object], page: str, **kw: object
) -> httpx.Response:
    form = {"csrf_token": token(browser, page), **data}
    return browser.post(path, data=form, follow_redirects=False, **kw)  # type: ignore[arg-type]


def count(world: World, model: type = IntelReport) -> int:
    with world.p.db.unit() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def three(world: World) -> tuple[str, str, str]:
    th, la, us = world.agency("TH-W"), world.agency("LA-W", country="LA"), world.agency("US-W", country="US")
    world.mechanism("MEKW", [th, la])
    return th, la, us


REPORT = {
    "title": "Tablets moved via Bokeo",
    "body": "Seen **twice** at the pier.\n\n<script>alert(1)</script>",
    "category": "trafficking_route",
    "source_reliability": "B",
    "info_accuracy": "2",
    "tags": "river, pier",
    "countries": "la, TH",
    "substances": "methamphetamine",
    "distribution": "mechanisms",
    "mechanisms": ["MEKW"],
    "handling_conditions": ["not_for_evidence"],
    "handling_notes": "Contact TH-W before any action.",
    "hit_notification": "1",
    "action": "save",
}


def create_through_form(browser: TestClient, **changes: object) -> str:
    answer = submit(browser, "/intel/new", {**REPORT, **changes}, "/intel/new")
    assert answer.status_code == 303, answer.text
    found = REPORT_URL.match(answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


# -- the service function --------------------------------------------------------------------------------
def test_audience_asks_the_one_rule_for_every_agency(world: World, clock: Clock) -> None:
    th, la, us = three(world)
    author = world.user(th)
    shared = world.report(author, distribution="mechanisms", mechanisms=["MEKW"])
    personal = world.report(author, distribution="all", contains_personal_data=True)
    named = world.report(author, distribution="agencies", agencies=[us])
    today = clock().date()
    with world.p.db.unit() as s:
        assert [a.code for a in audience(s, IntelReport, shared.uuid, today)] == [la, th]
        assert [a.code for a in audience(s, IntelReport, personal.uuid, today)] == [th]
        assert [a.code for a in audience(s, IntelReport, named.uuid, today)] == [th, us]
        assert audience(s, IntelReport, str(uuid.uuid4()), today) == []
    world.agreement(agencies=[th, us])
    world.leave("MEKW", la, date(2026, 5, 1))
    with world.p.db.unit() as s:
        assert [a.code for a in audience(s, IntelReport, personal.uuid, today)] == [th, us]
        assert [a.code for a in audience(s, IntelReport, shared.uuid, today)] == [th]
        # the day counts: before LA-W left it was still in the audience
        assert [a.code for a in audience(s, IntelReport, shared.uuid, date(2026, 4, 30))] == [la, th]


# -- write, list, read -----------------------------------------------------------------------------------
def test_report_written_through_the_form_reaches_the_mechanism_and_nobody_else(
    client: TestClient, world: World
) -> None:
    th, la, us = three(world)
    owner = browser_for(client, world.user(th))
    form = owner.get("/intel/new")
    assert form.status_code == 200
    assert 'value="MEKW"' in form.text and 'hx-post="/intel/preview"' in form.text
    ref = create_through_form(owner)
    shown = owner.get(f"/intel/{ref}")
    assert shown.status_code == 200
    assert "Report created." in shown.text
    assert "<strong>twice</strong>" in shown.text and "<script>alert(1)" not in shown.text
    assert "Contact TH-W before any action." in shown.text
    assert "Who can see it now" in shown.text
    assert f"<code>{la}</code>" in shown.text and f"<code>{us}</code> Agency" not in shown.text

    member = browser_for(client, world.user(la))
    listed = member.get("/intel")
    assert listed.status_code == 200 and f'href="/intel/{ref}"' in listed.text
    read = member.get(f"/intel/{ref}")
    assert read.status_code == 200 and "Tablets moved via Bokeo" in read.text
    assert "Who can see it now" not in read.text  # the audience is for the owner's eyes
    assert "Ask the owner to share it further" in read.text
    filtered = member.get(
        "/intel",
        params={
            "category": "trafficking_route",
            "country": "la",
            "tag": "pier",
            "owner": th,
            "distribution": "mechanisms",
            "q": "bokeo",
        },
    )
    assert f'href="/intel/{ref}"' in filtered.text
    assert f'href="/intel/{ref}"' not in member.get("/intel", params={"category": "syndicate"}).text

    outsider = browser_for(client, world.user(us))
    assert f'href="/intel/{ref}"' not in outsider.get("/intel").text
    hidden = outsider.get(f"/intel/{ref}")
    made_up = str(uuid.uuid4())
    missing = outsider.get(f"/intel/{made_up}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(ref, "X") == missing.text.replace(made_up, "X")
    assert "Tablets" not in hidden.text
    for child in ("edit", "attachments/" + made_up):
        assert outsider.get(f"/intel/{ref}/{child}").status_code == 404


def test_list_pages_through_the_results_and_keeps_the_filters(client: TestClient, world: World) -> None:
    th, la, _ = three(world)
    author = world.user(th)
    for n in range(3):
        world.report(author, title=f"Shared {n}", distribution="all", tags=["tide"])
    world.report(author, title="Untagged", distribution="all")
    reader = browser_for(client, world.user(la, "reader"))
    first = reader.get("/intel", params={"tag": "tide", "limit": "2"})
    assert first.status_code == 200 and "Untagged" not in first.text
    assert first.text.count('<th scope="row"><a href="/intel/') == 2
    assert 'href="/intel?tag=tide&amp;limit=2&amp;offset=2" rel="next"' in first.text
    assert 'rel="prev"' not in first.text
    second = reader.get("/intel", params={"tag": "tide", "limit": "2", "offset": "2"})
    assert second.text.count('<th scope="row"><a href="/intel/') == 1
    assert 'href="/intel?tag=tide&amp;limit=2" rel="prev"' in second.text and 'rel="next"' not in second.text
    bad = reader.get("/intel", params={"country": "Thailand"})
    assert bad.status_code == 422 and 'id="f-country-error"' in bad.text


def test_preview_renders_and_saves_nothing(client: TestClient, world: World) -> None:
    th, _, _ = three(world)
    owner = browser_for(client, world.user(th))
    answer = submit(owner, "/intel/new", {**REPORT, "action": "preview"}, "/intel/new")
    assert answer.status_code == 200
    assert "<strong>twice</strong>" in answer.text
    assert 'value="Tablets moved via Bokeo"' in answer.text  # the form keeps what was typed
    fragment = submit(
        owner,
        "/intel/preview",
        {"body": "# Heading\n\n<img src=x onerror=alert(1)>"},
        "/intel/new",
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "<h1>Heading</h1>" in fragment.text and "<html" not in fragment.text
    assert "<img" not in fragment.text
    forged = owner.post("/intel/preview", data={"csrf_token": "forged", "body": "x"})
    assert forged.status_code == 403
    assert count(world) == 0


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client: TestClient, world: World) -> None:
    th, _, _ = three(world)
    owner = browser_for(client, world.user(th))
    answer = submit(owner, "/intel/new", {**REPORT, "countries": "ZZ, TH"}, "/intel/new")
    assert answer.status_code == 422
    assert 'value="Tablets moved via Bokeo"' in answer.text and 'value="ZZ, TH"' in answer.text
    assert 'aria-invalid="true" aria-describedby="countries-error' in answer.text
    assert 'value="MEKW" selected' in answer.text
    # a service-level error (a mechanism the agency does not belong to) is shown the same way
    unknown = submit(owner, "/intel/new", {**REPORT, "mechanisms": ["NOPE"]}, "/intel/new")
    assert unknown.status_code == 422 and 'id="mechanisms-error"' in unknown.text
    assert "not a member" in unknown.text
    assert count(world) == 0


def test_forged_csrf_is_refused_and_saves_nothing(client: TestClient, world: World) -> None:
    th, _, _ = three(world)
    owner = browser_for(client, world.user(th))
    forged = owner.post("/intel/new", data={**REPORT, "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    other = TestClient(client.app)  # a token from another (signed-out) browser is not this session's
    stolen = token(other, "/login")
    assert owner.post("/intel/new", data={**REPORT, "csrf_token": stolen}).status_code == 403
    assert count(world) == 0


def test_reader_cannot_write(client: TestClient, world: World) -> None:
    th, _, _ = three(world)
    reader = browser_for(client, world.user(th, "reader"))
    assert reader.get("/intel/new").status_code == 403
    assert 'href="/intel/new"' not in reader.get("/intel").text


# -- sharing panel ---------------------------------------------------------------------------------------
def test_owner_changes_the_distribution(client: TestClient, world: World) -> None:
    th, la, us = three(world)
    owner = browser_for(client, world.user(th))
    ref = create_through_form(owner)
    member = browser_for(client, world.user(la))
    outsider = browser_for(client, world.user(us))
    body = {"distribution": "agencies", "agencies": [us], "handling_conditions": [], "reason": "US-W leads"}
    assert submit(member, f"/intel/{ref}/distribution", body, f"/intel/{ref}").status_code == 403
    bad = submit(owner, f"/intel/{ref}/distribution", {**body, "agencies": []}, f"/intel/{ref}")
    assert bad.status_code == 422 and 'id="dist-agencies-error"' in bad.text
    changed = submit(owner, f"/intel/{ref}/distribution", body, f"/intel/{ref}")
    assert changed.status_code == 303 and changed.headers["location"] == f"/intel/{ref}"
    page = owner.get(f"/intel/{ref}")
    assert "Distribution changed." in page.text and f"<code>{us}</code> Agency" in page.text
    assert outsider.get(f"/intel/{ref}").status_code == 200
    assert member.get(f"/intel/{ref}").status_code == 404


def test_recipient_asks_and_the_owner_approves_from_the_onward_page(client: TestClient, world: World) -> None:
    th, la, us = three(world)
    owner = browser_for(client, world.user(th, "supervisor"))
    ref = create_through_form(owner, distribution="agencies", agencies=[la], mechanisms=[])
    member = browser_for(client, world.user(la))
    outsider = browser_for(client, world.user(us))
    empty = submit(member, f"/intel/{ref}/onward", {"reason": "why not"}, f"/intel/{ref}")
    assert empty.status_code == 422 and count(world, OnwardRequest) == 0
    asked = submit(
        member,
        f"/intel/{ref}/onward",
        {"add_agencies": [us], "reason": "US-W holds the accounts"},
        f"/intel/{ref}",
    )
    assert asked.status_code == 303
    assert "Request sent to the owner agency." in member.get(asked.headers["location"]).text
    mine = member.get("/onward")
    assert "US-W holds the accounts" in mine.text and "/decision" not in mine.text
    assert "US-W holds the accounts" not in outsider.get("/onward").text

    inbox = owner.get("/onward?status=pending")
    assert inbox.status_code == 200 and "Tablets moved via Bokeo" in inbox.text
    with world.p.db.unit() as s:
        req = s.scalars(select(OnwardRequest.uuid)).one()
    assert f'action="/onward/{req}/decision"' in inbox.text
    assert submit(member, f"/onward/{req}/decision", {"decision": "approve"}, "/onward").status_code == 403
    approved = submit(owner, f"/onward/{req}/decision", {"decision": "approve", "note": "agreed"}, "/onward")
    assert approved.status_code == 303 and approved.headers["location"] == "/onward"
    after = owner.get("/onward")
    assert "Request approved" in after.text and f'action="/onward/{req}/decision"' not in after.text
    assert outsider.get(f"/intel/{ref}").status_code == 200
    again = submit(owner, f"/onward/{req}/decision", {"decision": "decline"}, "/onward")
    assert again.status_code == 409


def test_approval_that_cannot_just_add_the_targets_asks_for_a_distribution(
    client: TestClient, world: World
) -> None:
    th, la, us = three(world)
    author = world.user(th)
    report = world.report(author, distribution="mechanisms", mechanisms=["MEKW"])
    member = browser_for(client, world.user(la))
    page = f"/intel/{report.uuid}"
    asked = submit(member, f"{page}/onward", {"add_agencies": [us], "reason": "port in US-W"}, page)
    assert asked.status_code == 303
    with world.p.db.unit() as s:
        req = s.scalars(select(OnwardRequest.uuid)).one()
    owner = browser_for(client, author)  # the report's author decides without a deciding role
    plain = submit(owner, f"/onward/{req}/decision", {"decision": "approve"}, "/onward")
    assert plain.status_code == 422 and "give the new distribution explicitly" in plain.text
    assert "<details open>" in plain.text
    explicit = submit(
        owner, f"/onward/{req}/decision", {"decision": "approve", "distribution": "all"}, "/onward"
    )
    assert explicit.status_code == 303
    assert browser_for(client, world.user(us)).get(page).status_code == 200


def test_edit_with_a_stale_version_says_so(client: TestClient, world: World) -> None:
    th, _, _ = three(world)
    owner = browser_for(client, world.user(th))
    ref = create_through_form(owner)
    form = owner.get(f"/intel/{ref}/edit")
    assert form.status_code == 200 and 'name="version" value="1"' in form.text
    fields = {k: REPORT[k] for k in ("category", "source_reliability", "info_accuracy", "tags", "substances")}
    saved = submit(
        owner,
        f"/intel/{ref}/edit",
        {**fields, "version": "1", "title": "Renamed", "body": "New", "countries": "TH", "action": "save"},
        f"/intel/{ref}/edit",
    )
    assert saved.status_code == 303
    assert "Report updated." in owner.get(f"/intel/{ref}").text
    stale = submit(
        owner,
        f"/intel/{ref}/edit",
        {**fields, "version": "1", "title": "Mine", "body": "Mine too", "countries": "TH", "action": "save"},
        f"/intel/{ref}/edit",
    )
    assert stale.status_code == 409
    assert "Someone else changed this report" in stale.text
    assert 'value="Mine"' in stale.text and 'name="version" value="2"' in stale.text
    with world.p.db.unit() as s:
        assert s.scalars(select(IntelReport.title)).one() == "Renamed"


# -- attachments -----------------------------------------------------------------------------------------
def test_attachments_upload_download_and_svg_refused(client: TestClient, world: World) -> None:
    th, la, us = three(world)
    owner = browser_for(client, world.user(th))
    ref = create_through_form(owner)
    page = f"/intel/{ref}"
    added = submit(
        owner, f"{page}/attachments", {}, page, files={"file": ("pier photo.png", PNG, "image/png")}
    )
    assert added.status_code == 303, added.text
    shown = owner.get(page)
    assert "Attachment added." in shown.text
    with world.p.db.unit() as s:
        att = s.scalars(select(Attachment.uuid)).one()
    assert f'href="{page}/attachments/{att}"' in shown.text

    member = browser_for(client, world.user(la))
    got = member.get(f"{page}/attachments/{att}")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert 'enctype="multipart/form-data"' not in member.get(page).text  # only the owner uploads
    denied = submit(member, f"{page}/attachments", {}, page, files={"file": ("x.png", PNG, "image/png")})
    assert denied.status_code == 403
    outsider = browser_for(client, world.user(us))
    assert outsider.get(f"{page}/attachments/{att}").status_code == 404

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = submit(owner, f"{page}/attachments", {}, page, files={"file": ("map.png", svg, "image/png")})
    assert refused.status_code == 422 and 'id="file-error"' in refused.text
    no_file = submit(owner, f"{page}/attachments", {}, page)
    assert no_file.status_code == 422
    forged = owner.post(
        f"{page}/attachments", data={"csrf_token": "forged"}, files={"file": ("y.png", PNG, "image/png")}
    )
    assert forged.status_code == 403
    assert count(world, Attachment) == 1
