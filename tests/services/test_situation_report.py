"""The regional situation report: built from what the agency may see, rendered as HTML and PDF."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from interdict.domain.errors import BadInputError
from interdict.schemas.indicators import IndicatorValueCreate
from interdict.services.demo_situation import _row, planted_rows
from interdict.services.platform import Platform
from interdict.services.situation_report import ReportQuery
from interdict.web.situation_report import document_html, document_pdf
from tests.conftest import Clock
from tests.factories import Person, World
from tests.services.test_signals_service import _load

TODAY = date(2026, 11, 1)
Q = ReportQuery(date(2026, 6, 1), date(2026, 10, 31), mechanism="MEK")


@pytest.fixture
def people(platform: Platform, world: World, clock: Clock) -> dict[str, Person]:
    clock.now = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for code, country in (("TH-A", "TH"), ("CN-B", "CN"), ("VN-C", "VN")):
        world.agency(code, country=country)
    world.mechanism("MEK", ["TH-A", "CN-B"])
    people = {c: world.user(c, "analyst") for c in ("TH-A", "CN-B", "VN-C")}
    _load(platform, world, people["TH-A"], planted_rows("TH-A", "TH", TODAY, random.Random(5)), "all")
    secret = [_row(f"B-SECRET-{i}", TODAY - timedelta(days=30 + i), "CN", "etonitazene", 777.77, "kg", "MM", "CN")
              for i in range(3)]  # fmt: skip
    _load(platform, world, people["CN-B"], secret, "agency")
    actor = world.actor(people["TH-A"])
    with platform.db.unit() as s:
        for year, ha in ((2022, 40_100), (2023, 47_100)):
            platform.indicators.add(s, actor, IndicatorValueCreate(
                indicator="opium_poppy_cultivation", area="MM", period=str(year), value=ha,
                source=f"UNODC, Myanmar Opium Survey {year}", source_page="5"))  # fmt: skip
    return people


def _build(platform: Platform, world: World, who: Person, q: ReportQuery = Q):  # type: ignore[no-untyped-def]
    actor = world.actor(who)
    with platform.db.unit() as s:
        return platform.situation.build(s, actor, q)


def test_report_figures_sources_and_scope(platform: Platform, world: World, people: dict[str, Person]) -> None:
    report = _build(platform, world, people["TH-A"])
    assert report.countries == ["CN", "TH"]
    assert report.key_figures[0].label == "seizures" and report.key_figures[0].value > 0
    assert any(f.kind == "route_shift" and f.status == "signal" for f in report.findings)
    assert any(i.indicator == "opium_poppy_cultivation" and i.value == 47_100 and i.change_pct == 17.5
               for i in report.indicators)  # fmt: skip
    assert any("Myanmar Opium Survey 2023" in s for s in report.sources)
    assert "only what TH-A may see" in report.scope
    html = document_html(report, "en")
    assert "This report contains only what TH-A may see" in html and "<svg" in html
    assert "Myanmar Opium Survey 2023, p. 5" in html


def test_report_for_a_never_holds_a_seizure_only_b_may_see(
    platform: Platform, world: World, people: dict[str, Person]
) -> None:
    report_a = _build(platform, world, people["TH-A"])
    html_a = document_html(report_a, "en")
    assert "etonitazene" not in html_a, html_a[html_a.find("etonitazene") - 300 : html_a.find("etonitazene") + 100]
    assert "777.77" not in html_a and "777,77" not in html_a
    assert "2,333.31" not in html_a and "2333.31" not in html_a
    report_b = _build(platform, world, people["CN-B"])
    assert any(k.label == "etonitazene" for k in report_b.key_figures)


def test_only_members_get_a_mechanism_report(platform: Platform, world: World, people: dict[str, Person]) -> None:
    with pytest.raises(BadInputError, match="not a member"):
        _build(platform, world, people["VN-C"])
    region = _build(platform, world, people["VN-C"], ReportQuery(Q.date_from, Q.date_to, region="GOLDEN-TRIANGLE"))
    assert region.countries == ["MM", "LA", "TH"] and region.key_figures[0].value > 0


@pytest.mark.parametrize("lang", ["zh", "ru"])
def test_pdf_embeds_a_cjk_font_and_holds_the_key_figures(
    platform: Platform, world: World, people: dict[str, Person], lang: str
) -> None:
    report = _build(platform, world, people["TH-A"])
    pdf = document_pdf(report, lang)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert {"zh": "区域形势报告", "ru": "Региональный обзор"}[lang] in text
    assert "TH-A" in text and "Myanmar Opium Survey 2023" in text
    fonts: set[str] = set()
    for page in reader.pages:
        for f in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert any("CJK" in f for f in fonts), fonts
