"""The pre-export notification pages: notify an export in the browser, find it in the importing
authority's inbox (overdue highlighted), answer it, record shipment and arrival, share it further, the
viewer's own flags only, outsiders answered as for a missing page, and the pages in Chinese and Russian."""

from __future__ import annotations

import html
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Clock
from tests.factories import World
from tests.web.test_admin_pages import post, signed_in

FORM: dict[str, Any] = {
    "importing_country": "TH",
    "exporter": "Example Fine Chemicals Co. (fictitious)",
    "importer": "Sample Import Trading Ltd (fictitious)",
    "substance": "acetic_anhydride",
    "quantity": "1500",
    "unit": "kg",
    "ship_date": "2026-06-20",
    "deadline_days": "10",
    "leg-0-country": "SG",
    "leg-0-place": "Jurong Island",
    "leg-0-mode": "sea",
    "leg-0-ftz": "1",
}


def test_notify_answer_ship_in_the_browser(
    client: TestClient, world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for code, country in (("CN-WEB", "CN"), ("TH-WEB", "TH"), ("SG-WEB", "SG"), ("US-WEB", "US")):
        world.agency(code, country=country)
    with world.p.db.unit() as s:
        for country, code in (("CN", "CN-WEB"), ("TH", "TH-WEB"), ("SG", "SG-WEB")):
            world.p.pen.designate(s, world.console(), country, code)
    monkeypatch.setattr(
        world.p.diversion,
        "flags_for",
        lambda session, n: [
            {
                "rule": "free_trade_zone",
                "agency": "TH-WEB",
                "reason": "Transits the Jurong free-trade zone",
                "details": {},
            },
            {
                "rule": "new_consignee",
                "agency": "CN-WEB",
                "reason": "Importer never seen before",
                "details": {},
            },
        ],
    )
    cn_user, th_user, us_user = world.user("CN-WEB"), world.user("TH-WEB"), world.user("US-WEB")
    cn, us = signed_in(client, world, clock, cn_user), signed_in(client, world, clock, us_user)

    inbox = cn.get("/precursors")
    assert inbox.status_code == 200 and 'href="/precursors/notifications/new"' in inbox.text
    assert 'href="/precursors/notifications/new"' not in us.get("/precursors").text
    form = cn.get("/precursors/notifications/new")
    assert form.status_code == 200 and "acetic anhydride" in form.text and 'value="TH"' in form.text
    new = "/precursors/notifications/new"
    bad = post(cn, new, {**FORM, "substance": "heroin"}, page=new)
    assert bad.status_code == 422 and "expected a precursor chemical" in html.unescape(bad.text)
    assert 'id="substance-error"' in bad.text
    made = post(cn, new, FORM, page=new)
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    assert url == "/precursors/notifications/PEN-CN-2026-000001"
    dup = post(cn, new, FORM, page=new)
    assert (
        dup.status_code == 409 and "PEN-CN-2026-000001" in dup.text and 'name="confirm_duplicate"' in dup.text
    )

    page = cn.get(url)
    assert page.status_code == 200 and "Importer never seen before" in page.text
    assert "Transits the Jurong free-trade zone" not in page.text
    assert us.get(url).status_code == 404

    clock.advance(days=11)  # past the deadline; sessions have ended, so everyone signs in again
    cn, th, us = (signed_in(client, world, clock, p) for p in (cn_user, th_user, us_user))
    theirs = th.get("/precursors")
    assert 'class="overdue"' in theirs.text and "PEN-CN-2026-000001" in theirs.text
    seen = th.get(url)
    assert (
        "Transits the Jurong free-trade zone" in seen.text and "Importer never seen before" not in seen.text
    )
    assert "will be recorded as late" in seen.text
    missing_reason = post(
        th, f"{url}/answer", {"answer": "objection", "reason": "", "version": "1"}, page=url
    )
    assert missing_reason.status_code == 422 and "needs the reason" in missing_reason.text
    answered = post(th, f"{url}/answer", {"answer": "no_objection", "reason": "", "version": "1"}, page=url)
    assert answered.status_code == 303
    shared = post(
        th,
        f"{url}/distribution",
        {
            "distribution": "agencies",
            "agencies": ["TH-WEB", "SG-WEB", "US-WEB"],
            "reason": "Joint follow-up",
            "version": "2",
        },
        page=url,
    )
    assert shared.status_code == 303, shared.text
    assert us.get(url).status_code == 200
    shipped = post(
        cn, f"{url}/shipment", {"shipped": "yes", "shipped_on": "2026-06-12", "version": "3"}, page=url
    )
    assert shipped.status_code == 303, shipped.text
    arrived = post(cn, f"{url}/arrival", {"arrived_on": "2026-06-12", "version": "4"}, page=url)
    assert arrived.status_code == 303, arrived.text
    final = cn.get(url)
    assert "Arrived" in final.text and "after the deadline" in final.text

    zh = th.get(url, headers={"accept-language": "zh"})
    assert zh.status_code == 200 and "进口" in html.unescape(zh.text)
    log = html.unescape(zh.text).split('id="log-heading"')[1].split("</table>")[0]
    assert "进口国主管机关: TH-WEB" in log and "答复截止日: 2026-" in log and "到达日期: 2026-06-12" in log
    assert "答复: 无异议" in log and "逾期天数: 1" in log and "机构: SG-WEB, TH-WEB, US-WEB" in log
    for key in ("importing_authority", "answer_due", "arrived_on", "shipped_on", "days_late", "agencies"):
        assert f"{key}:" not in log
    ru = th.get("/precursors", headers={"accept-language": "ru"})
    assert ru.status_code == 200 and "уведомлен" in html.unescape(ru.text).lower()


def test_flag_explanations_in_the_page_language(
    client: TestClient, world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a Chinese page a flag's explanation is rebuilt from its details in Chinese, with its figures; a flag
    of a rule the page does not know, or whose details lack a figure, shows the stored English reason."""
    for code, country in (("CN-WEB", "CN"), ("TH-WEB", "TH")):
        world.agency(code, country=country)
    with world.p.db.unit() as s:
        for country, code in (("CN", "CN-WEB"), ("TH", "TH-WEB")):
            world.p.pen.designate(s, world.console(), country, code)
    excess = (
        "2,750.5 kg of acetic anhydride notified for TH in 2026 (1,500 kg in this notification, 1,250.5 kg in 2 "
        "other live notification(s)) against a stated annual legitimate requirement of 2,000 kg: 38% above it, "
        "beyond the 10% margin."
    )
    flags = [
        {"rule": "free_trade_zone", "agency": "CN-WEB", "reason": "The route passes through a free-trade zone: "
         "Jurong Island (SG).", "details": {"legs": [{"country": "SG", "place": "Jurong Island", "mode": "sea"}]}},
        {"rule": "excess_quantity", "agency": "CN-WEB", "reason": excess, "details": {
            "year": 2026, "requirement_kg": 2000.0, "requirement_source": "", "this_kg": 1500.0,
            "others_kg": 1250.5, "total_kg": 2750.5, "limit_kg": 2200.0, "margin_pct": 10.0,
            "others": ["PEN-CN-2026-000008", "PEN-CN-2026-000009"]}},
        {"rule": "new_consignee", "agency": "CN-WEB", "reason": "The importer (no consignee named) 'Sample Import "
         "Trading Ltd (fictitious)' appears in none of the 3 earlier notification(s) to TH on record.",
         "details": {"party": "Sample Import Trading Ltd (fictitious)", "key": "x", "earlier_checked": 3}},
        {"rule": "late_payment", "agency": "CN-WEB", "reason": "A rule of a later version, in English.",
         "details": {"days": 4}},
        {"rule": "split_order", "agency": "CN-WEB", "reason": "Three parts of one order, in English.",
         "details": {"parts": 3}},
    ]
    monkeypatch.setattr(world.p.diversion, "flags_for", lambda session, n: flags)
    cn = signed_in(client, world, clock, world.user("CN-WEB"))
    made = post(cn, "/precursors/notifications/new", FORM, page="/precursors/notifications/new")
    assert made.status_code == 303, made.text
    url = made.headers["location"]

    def indicators(lang: str) -> str:
        page = cn.get(url, headers={"accept-language": lang})
        assert page.status_code == 200
        return html.unescape(page.text).split('id="flags-heading"')[1].split("</section>")[0]

    zh = indicators("zh")
    assert "路线经过自由贸易区：Jurong Island (SG)。" in zh
    assert "2026 年向 TH 通知的醋酸酐共计 2,750.5 千克（本通知 1,500 千克，其他 2 份有效通知 1,250.5 千克）" in zh
    assert "年度合法需求为 2,000 千克：超出 38%，超过 10% 的余量。" in zh
    assert "进口商“Sample Import Trading Ltd (fictitious)”（未指明收货人）未出现在此前向 TH 发出的 3 份在案通知中。" in zh
    assert excess not in zh and "free-trade zone" not in zh and "appears in none" not in zh
    assert "A rule of a later version, in English." in zh and "Three parts of one order, in English." in zh
    ru = indicators("ru")
    assert "2\xa0750,5 кг" in ru and "свободную экономическую зону: Jurong Island (SG)" in ru and excess not in ru
    en = " ".join(indicators("en").split())
    assert excess in en and "The route passes through a free-trade zone: Jurong Island (SG)." in en
