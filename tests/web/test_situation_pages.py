"""The situation pages: indicators with history and estimates, signals with publishing, the report page
and its PDF and HTML downloads; faults named by field; nav links; only what the agency may see."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from pypdf import PdfReader

from interdict.schemas.indicators import IndicatorValueCreate
from interdict.services.demo_situation import _row, planted_rows
from tests.conftest import Clock
from tests.factories import World
from tests.services.test_signals_service import _load
from tests.web.test_admin_pages import post, signed_in

TODAY = date(2026, 11, 1)


def test_indicator_pages_history_and_estimate(client: TestClient, world: World, clock: Clock) -> None:
    world.agency("TH-A")
    analyst, reader = world.user("TH-A", "analyst"), world.user("TH-A", "reader")
    platform = client.app.state.platform  # type: ignore[attr-defined]
    actor = world.actor(analyst)
    with platform.db.unit() as s:
        for value in (47_100, 47_000):
            platform.indicators.add(s, actor, IndicatorValueCreate(
                indicator="opium_poppy_cultivation", area="MM", period="2023", value=value,
                source="UNODC, Myanmar Opium Survey 2023"))  # fmt: skip
    mine = signed_in(client, world, clock, reader)
    page = mine.get("/indicators?area=Myanmar")
    assert page.status_code == 200 and 'href="/indicators"' in page.text and "47,000" in page.text
    assert "Import a table" not in page.text  # readers do not write
    hist = mine.get("/indicators/history?indicator=opium_poppy_cultivation&area=MM&period=2023")
    assert hist.status_code == 200 and "47,100" in hist.text and "47,000" in hist.text and analyst.username in hist.text
    bad = mine.get("/indicators?area=Atlantis")
    assert bad.status_code == 422 and "unknown area" in bad.text
    est = mine.get("/indicators/estimate?area=MM&hectares=47100&ratio=10")
    assert est.status_code == 200 and "1,078.6" in est.text and "107.9" in est.text
    assert mine.get("/indicators/estimate?area=MM&hectares=abc").status_code == 422
    writer = signed_in(client, world, clock, analyst)
    csv = b"indicator,area,period,value,source\ndrug_cases,TH,2024,1200,ONCB annual report 2024\n"
    token = writer.get("/indicators").text.split('name="csrf_token" value="')[1].split('"')[0]
    done = writer.post("/indicators/import", data={"csrf_token": token, "layout": "long"},
                       files={"file": ("t.csv", csv, "text/csv")}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    assert "ONCB annual report 2024" in writer.get("/indicators?indicator=drug_cases").text
    zh = mine.get("/indicators", headers={"Accept-Language": "zh-CN"})
    assert "已公布的毒品形势数字" in zh.text


def test_signals_and_report_pages_show_only_what_the_agency_sees(client: TestClient, world: World, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for code, country in (("TH-A", "TH"), ("CN-B", "CN")):
        world.agency(code, country=country)
    world.mechanism("MEK", ["TH-A", "CN-B"])
    a, b = world.user("TH-A", "analyst"), world.user("CN-B", "analyst")
    platform = client.app.state.platform  # type: ignore[attr-defined]
    _load(platform, world, a, planted_rows("TH-A", "TH", TODAY, random.Random(5)), "all")
    secret = [_row(f"S-{i}", TODAY - timedelta(days=20 + i), "CN", "etonitazene", 55.55, "kg", "MM", "CN")
              for i in range(3)]  # fmt: skip
    _load(platform, world, b, secret, "agency")
    mine = signed_in(client, world, clock, a)
    sig = mine.get("/signals?date_from=2026-06-01&date_to=2026-10-31")
    assert sig.status_code == 200 and "Route shift" in sig.text and "protonitazene" in sig.text
    assert "etonitazene" not in sig.text.replace("protonitazene", "")
    assert 'action="/signals/publish"' in sig.text
    assert mine.get("/signals?date_from=2026-13-01&date_to=2026-10-31").status_code == 422
    q = "mechanism=MEK&date_from=2026-06-01&date_to=2026-10-31"
    rep = mine.get(f"/situation/report?{q}")
    assert rep.status_code == 200 and "This report contains only what TH-A may see" in rep.text
    assert "<svg" in rep.text and 'href="/situation/report.pdf?' in rep.text
    assert "etonitazene" not in rep.text and "55.55" not in rep.text
    pdf = mine.get(f"/situation/report.pdf?{q}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "TH-A" in text and "etonitazene" not in text
    html = mine.get(f"/situation/report.html?{q}")
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    nope = mine.get("/situation/report?mechanism=NOPE&date_from=2026-06-01&date_to=2026-10-31")
    assert nope.status_code == 422 and "not a member" in nope.text
    theirs = signed_in(client, world, clock, b)
    assert "etonitazene" in theirs.get(f"/situation/report?{q}").text
    # Publishing from the page: a signal over seizures both members see becomes a report for MEK.
    row = sig.text.split("Route shift", 1)[1]
    signal_id = row.split('name="signal" value="')[1].split('"')[0]
    done = post(mine, "/signals/publish", {"signal": signal_id, "date_from": "2026-06-01", "date_to": "2026-10-31",
                                          "substance": "", "mechanism": "MEK"}, page="/signals")  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].startswith("/intel/")
    assert "Early warning: route shift" in theirs.get(done.headers["location"]).text
