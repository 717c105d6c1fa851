"""The precursor-control journeys of the issue, in English and in Chinese, through the real pages in headless
Chromium: a pre-export notification from the exporting authority's form to the importing authority's
objection (the transit authority sees it, an outsider finds no trace of it), and a precursor incident
that becomes the evidence of a scheduling gap in a mechanism's matrix (a non-member gets the 404 page).

Each journey builds its own agencies, users and mechanisms (unique codes). Competent authorities are one
per country, so each run designates its own agencies for the countries it uses; control statuses are per
country too, and both runs record the same ones (the second run's are "unchanged"). Every page visited is
checked by ``Pages.check`` (axe-core, language, console) and screenshotted.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from typing import Any

import pytest

from interdict.api.context import utcnow
from interdict.schemas.scheduling import ControlStatusCreate
from tests.browser.conftest import CJK, Pages
from tests.browser.test_journeys import LANGS, PagesFactory, flash, heading, nav, signed_in, uniq
from tests.factories import World

OBJECTIONS = {
    "en": "The importer holds no licence for acetic anhydride.",
    "zh": "进口商未持有醋酸酐的许可证。",
}
SUMMARIES = {
    "en": "Drums of BMK glycidate and a pill press found in a warehouse",
    "zh": "在仓库中查获BMK缩水甘油酸酯桶和一台压片机",
}
GAP_SUBSTANCE = "bmk_glycidate"
GAP_NAME = "P-2-P methyl glycidate"
_n = itertools.count(1)


def designate(world: World, authorities: dict[str, str]) -> None:
    """Make each agency the competent authority of its country (``{country: agency_code}``)."""
    with world.p.db.unit() as s:
        for country, code in authorities.items():
            world.p.pen.designate(s, world.console(), country, code)


def part(p: Pages, page: Any) -> str:
    """The viewer's part in the notification, as its page states it."""
    said = str(page.get_by_text(p.t("Your agency's part:")).inner_text()).strip()
    return said.removeprefix(p.t("Your agency's part:")).strip()


@pytest.mark.parametrize("lang", LANGS)
def test_notification_answered_with_an_objection(pages: PagesFactory, world: World, lang: str) -> None:
    """India's authority notifies an export of acetic anhydride to Myanmar through Singapore's free-trade
    zone; Myanmar's authority finds it awaiting its answer, sees the indicators raised for it, and objects
    with a reason; Singapore's authority sees it without an answer form; Lao PDR's agency (no party to it)
    gets the 404 page for its address and finds no trace of it in its inbox."""
    p = pages("pen", lang)
    exp, imp = world.agency(uniq("IN-X"), country="IN"), world.agency(uniq("MM-I"), country="MM")
    tra, out = world.agency(uniq("SG-T"), country="SG"), world.agency(uniq("LA-O"), country="LA")
    designate(world, {"IN": exp, "MM": imp, "SG": tra})
    exporter, importer = world.user(exp, "analyst"), world.user(imp, "analyst")
    transit, outsider = world.user(tra, "analyst"), world.user(out, "analyst")
    order = uniq("PO-")
    ship_date = (utcnow().date() + timedelta(days=40)).isoformat()

    # The exporting authority notifies.
    page = signed_in(p, "exporter", exporter)
    nav(p, page, "Precursors")
    assert heading(page) == p.t("Pre-export notifications")
    p.check(page, "inbox-exporter")
    page.get_by_role("link", name=p.t("Notify an export")).click()
    page.wait_for_url("**/precursors/notifications/new")
    assert heading(page) == p.t("Notify an export")
    page.get_by_label(p.t("Importing country")).select_option("MM")
    page.get_by_label(p.t("Exporter"), exact=True).fill("Example Fine Chemicals Pvt Ltd (fictitious)")
    page.get_by_label(p.t("Importer"), exact=True).fill("Sample Trading Co. Ltd (fictitious)")
    page.get_by_label(p.t("Order or invoice number")).fill(order)
    page.get_by_label(p.t("Substance"), exact=True).select_option("acetic_anhydride")
    page.get_by_label(p.t("Quantity"), exact=True).fill("2400")
    page.get_by_label(p.t("Unit"), exact=True).select_option("l")
    page.get_by_label(p.t("Planned ship date")).fill(ship_date)
    page.get_by_label(p.t("Transport"), exact=True).select_option("sea")
    page.get_by_label(p.t("Country of leg %(n)s") % {"n": 1}).fill("SG")
    page.get_by_label(p.t("Place of leg %(n)s") % {"n": 1}).fill("Jurong Island")
    page.get_by_label(p.t("Transport of leg %(n)s") % {"n": 1}).select_option("sea")
    page.get_by_label(p.t("Leg %(n)s passes through a free-trade zone") % {"n": 1}).check()
    p.check(page, "new-filled")
    page.get_by_role("button", name=p.t("Send the notification")).click()
    page.wait_for_url(re.compile(r".*/precursors/notifications/PEN-IN-\d{4}-\d{6}$"))
    url = page.url
    ref = url.rsplit("/", 1)[1]
    assert page.locator("h1 code").inner_text() == ref
    assert page.locator("h1 .badge").first.inner_text() == p.t("Awaiting answer")
    assert part(p, page) == p.t("Exporting authority")
    p.check(page, "read-exporter")

    # The importing authority finds it awaiting its answer and objects.
    page = signed_in(p, "importer", importer)
    nav(p, page, "Precursors")
    awaiting = page.get_by_role("region", name=p.t("Awaiting your answer"))
    row = awaiting.get_by_role("row").filter(has=page.get_by_role("link", name=ref))
    assert row.count() == 1
    assert row.locator(".badge").first.inner_text() == p.t("Awaiting answer")
    p.check(page, "inbox-importer")
    awaiting.get_by_role("link", name=ref).click()
    page.wait_for_url(url)
    assert part(p, page) == p.t("Importing authority")
    indicators = page.get_by_role("region", name=p.t("Diversion indicators for your authority"))
    ftz = indicators.get_by_role("listitem").filter(has=page.locator("code", has_text="free_trade_zone"))
    assert ftz.locator("strong").inner_text() == p.t("Transit through a free-trade zone")
    answer = page.get_by_role("region", name=p.t("Answer"), exact=True)
    p.check(page, "read-importer")
    answer.get_by_role("radio", name=p.t("Objection"), exact=True).check()
    answer.get_by_label(p.t("Reason of an objection, or the question asked")).fill(OBJECTIONS[lang])
    answer.get_by_role("button", name=p.t("Send the answer")).click()
    page.wait_for_url(url)
    assert page.locator("h1 .badge").first.inner_text() == p.t("Objected")
    facts = page.get_by_role("region", name=p.t("The notification"))
    assert facts.get_by_text(OBJECTIONS[lang]).count() == 1
    # The answer may still change while nothing has shipped, to anything but the objection given.
    answer = page.get_by_role("region", name=p.t("Answer"), exact=True)
    assert answer.get_by_role("radio", name=p.t("Objection"), exact=True).count() == 0
    assert answer.get_by_role("radio", name=p.t("No objection"), exact=True).count() == 1
    p.check(page, "objected-importer")

    # The transit authority sees it, with no answer form.
    page = signed_in(p, "transit", transit)
    nav(p, page, "Precursors")
    through = page.get_by_role("region", name=p.t("In transit through your country"))
    through.get_by_role("link", name=ref).click()
    page.wait_for_url(url)
    assert page.locator("h1 .badge").first.inner_text() == p.t("Objected")
    assert part(p, page) == p.t("Transit authority")
    assert page.get_by_role("region", name=p.t("Answer"), exact=True).count() == 0
    assert page.get_by_role("button", name=p.t("Send the answer")).count() == 0
    p.check(page, "read-transit")

    # An agency that is no party to it finds no trace of it.
    page = signed_in(p, "outsider", outsider)
    nav(p, page, "Precursors")
    assert heading(page) == p.t("Pre-export notifications")
    assert page.get_by_text(ref).count() == 0
    p.check(page, "inbox-outsider")
    response = page.goto(url)
    assert response is not None and response.status == 404
    assert heading(page) == p.t("Not found")
    assert page.get_by_text(ref).count() == 0
    p.check(page, "typed-url-outsider")


@pytest.mark.parametrize("lang", LANGS)
def test_incident_is_evidence_of_a_scheduling_gap(pages: PagesFactory, world: World, lang: str) -> None:
    """BMK glycidate is controlled in Cambodia and not in the Philippines. A Philippine analyst records a
    seizure of it (and of a tableting machine), shared with the mechanism; a Cambodian member opens the
    mechanism's gap matrix and sees the substance's row with the Philippine seizure and incident as its
    evidence; Viet Nam's agency, no member, gets the 404 page for the same matrix."""
    p = pages("gaps", lang)
    kh, ph = world.agency(uniq("KH-G"), country="KH"), world.agency(uniq("PH-G"), country="PH")
    vn = world.agency(uniq("VN-G"), country="VN")
    mech = world.mechanism(uniq("GAP"), [kh, ph])
    world.mechanism(uniq("OTG"), [vn, kh])
    reporter, member, outsider = (
        world.user(ph, "analyst"),
        world.user(kh, "analyst"),
        world.user(vn, "analyst"),
    )
    with world.p.db.unit() as s:
        world.p.scheduling.record(
            s,
            world.console(),
            ControlStatusCreate(
                substance=GAP_SUBSTANCE,
                jurisdiction="KH",
                schedule="Table I",
                in_force=date(2021, 3, 1),
                legal_reference="Prakas on precursor chemicals (fictitious)",
                source="National gazette (fictitious)",
            ),
        )
    occurred = (utcnow().date() - timedelta(days=20)).isoformat()
    summary = f"{SUMMARIES[lang]} {next(_n)}"

    # A Philippine analyst records the seizure.
    page = signed_in(p, "reporter", reporter)
    nav(p, page, "Precursors")
    page.get_by_role("navigation", name=p.t("Precursor control")).get_by_role(
        "link", name=p.t("Precursor incidents")
    ).click()
    page.wait_for_url("**/precursors/incidents")
    assert heading(page) == p.t("Precursor incidents")
    p.check(page, "list-reporter")
    page.get_by_role("link", name=p.t("Report a precursor incident")).click()
    page.wait_for_url("**/precursors/incidents/new")
    assert heading(page) == p.t("Report a precursor incident")
    page.get_by_label(p.t("Kind of incident")).select_option("precursor_seizure")
    page.get_by_label(p.t("Date"), exact=True).fill(occurred)
    page.get_by_label(p.t("Country"), exact=True).fill("PH")
    page.get_by_label(p.t("Place"), exact=True).fill("Valenzuela, Metro Manila")
    page.get_by_label(p.t("Summary"), exact=True).fill(summary)
    page.get_by_role("checkbox", name=p.t("Repackaging")).check()
    page.get_by_label(p.t("Chemicals"), exact=True).fill(f"{GAP_NAME}; 850; kg")
    page.get_by_label(p.t("Equipment"), exact=True).fill("tableting_machine; 1")
    page.get_by_role("radio", name=p.t("Members of named mechanisms")).check()
    page.get_by_label(p.t("Mechanisms (with “Members of named mechanisms”)")).select_option(mech)
    p.check(page, "new-filled")
    page.get_by_role("button", name=p.t("Save the incident")).click()
    page.wait_for_url(re.compile(r".*/precursors/incidents/[0-9a-f-]{36}$"))
    assert flash(page) == p.t("Precursor incident recorded.")
    assert p.t("Seizure of precursor chemicals") in heading(page)
    assert page.get_by_text(summary).count() == 1
    lines = page.get_by_role("region", name=p.t("Chemicals and equipment"))
    assert lines.get_by_role("rowheader", name=GAP_NAME).count() == 1
    assert lines.get_by_role("rowheader", name=p.t("Tableting machine (pill press)")).count() == 1
    p.check(page, "read-reporter")

    # A member of the mechanism finds the gap, with the seizure and the incident as evidence.
    page = signed_in(p, "member", member)
    nav(p, page, "Precursors")
    page.get_by_role("navigation", name=p.t("Precursor control")).get_by_role(
        "link", name=p.t("Scheduling gaps")
    ).click()
    page.wait_for_url("**/scheduling/gaps")
    assert heading(page) == p.t("Scheduling gaps")
    p.check(page, "gaps-empty")
    page.get_by_label(p.t("Mechanism"), exact=True).select_option(mech)
    page.get_by_role("button", name=p.t("Show gaps")).click()
    page.wait_for_url(re.compile(rf".*/scheduling/gaps\?mechanism={mech}\b.*"))
    url = f"/scheduling/gaps?mechanism={mech}"
    matrix = page.get_by_role(
        "table", name=p.t("Substances controlled in some of these countries and not in others")
    )
    columns = [c.strip() for c in matrix.locator("thead th").all_inner_texts()]
    assert columns[2:4] == ["KH", "PH"], columns
    row = matrix.get_by_role("row").filter(has=page.get_by_role("rowheader", name=GAP_NAME))
    assert row.count() == 1
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    controlled = cells[1]
    assert controlled.startswith(p.t("Controlled")) and "Table I" in controlled and "2021-03-01" in controlled
    assert cells[2] == p.t("Not controlled"), cells
    assert cells[3:6] == ["1", "850.0", "1"], cells
    by_country = p.t("%(country)s: %(seizures)s seizures, %(incidents)s incidents")
    assert cells[6] == by_country % {"country": "PH", "seizures": 1, "incidents": 1}, cells
    groups = page.get_by_role(
        "table",
        name=p.t("Class-wide control, or how many of the group's catalogue substances are listed one by one"),
    )
    names = groups.get_by_role("rowheader").all_inner_texts()
    assert names
    if lang == "zh":  # every analogue group is named in Chinese
        assert all(CJK.search(n) for n in names), names
    p.check(page, "gaps-member")

    # An agency outside the mechanism is not offered it, and gets the 404 page for its matrix.
    page = signed_in(p, "outsider", outsider)
    p.go(page, "/scheduling/gaps")
    assert page.get_by_label(p.t("Mechanism"), exact=True).locator(f'option[value="{mech}"]').count() == 0
    response = p.go(page, url)
    assert response is not None and response.status == 404
    assert heading(page) == p.t("Not found")
    assert page.get_by_text(GAP_NAME).count() == 0
    p.check(page, "gaps-outsider")
