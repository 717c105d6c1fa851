"""The diversion pages: an agency's rules (read by all its users, changed by a supervisor, faults named by
rule and parameter) and the annual legitimate requirements (read by all, stated by the country's competent
authority)."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from markupsafe import Markup

from interdict.domain.diversion import RULES
from interdict.web.i18n import DEFAULT, translations
from interdict.web.render import environment
from tests.conftest import Clock
from tests.factories import World
from tests.services.test_diversion import Pens
from tests.web.test_admin_pages import post, signed_in


def test_rules_page(client: TestClient, world: World, clock: Clock) -> None:
    pens = Pens(world)
    analyst = signed_in(client, world, clock, pens.analyst["TH"])
    page = analyst.get("/precursors/rules")
    assert page.status_code == 200
    assert "excess_quantity" in page.text and "no flag" in page.text and "Save this rule" not in page.text
    assert post(analyst, "/precursors/rules/split_order", {"param_window_days": "7", "param_threshold_kg": "100"},
                page="/precursors/rules").status_code == 403

    boss = signed_in(client, world, clock, pens.supervisor["TH"])
    assert "Save this rule" in boss.get("/precursors/rules").text
    bad = post(boss, "/precursors/rules/split_order", {"enabled": "on", "param_window_days": "0",
                                                       "param_threshold_kg": "100"}, page="/precursors/rules")
    assert bad.status_code == 422
    assert 'id="split_order-window_days-error"' in bad.text and "from 1 to 365" in bad.text
    done = post(boss, "/precursors/rules/country_of_concern", {"enabled": "on", "param_countries": "MM, LA"},
                page="/precursors/rules")
    assert done.status_code == 303, done.text
    shown = boss.get(done.headers["location"])
    assert "Rule country_of_concern saved." in shown.text and "LA, MM" in shown.text
    off = post(boss, "/precursors/rules/free_trade_zone", {}, page="/precursors/rules")
    assert off.status_code == 303
    with world.p.db.unit() as s:
        settings = world.p.diversion.effective(s, pens.ids["TH"])
    assert not settings["free_trade_zone"].enabled
    assert settings["country_of_concern"].params["countries"] == ["LA", "MM"]


def test_rules_page_in_chinese(client: TestClient, world: World, clock: Clock) -> None:
    """Rule labels, descriptions and parameters are shown in the page's language, not in the English the
    rules are declared with."""
    pens = Pens(world)
    boss = signed_in(client, world, clock, pens.supervisor["TH"])
    text = html.unescape(boss.get("/precursors/rules", headers={"accept-language": "zh"}).text)
    assert "数量超过年度合法需求" in text and "超出该国申报的该物质年度合法需求" in text
    assert "评分阈值" in text and "时间窗口（天）" in text
    for rule in RULES.values():
        assert rule.label not in text and rule.description not in text
        for p in rule.params:
            assert f">{p.label}<" not in text and p.description not in text
    ru = html.unescape(boss.get("/precursors/rules", headers={"accept-language": "ru"}).text)
    assert "Количество выше годовой законной потребности" in ru and RULES["split_order"].description not in ru


def _english(macro: str, *args: str) -> str:
    """What a macro of the rule templates shows in English for ``args``, with a fallback that shows when the
    macro does not know them."""
    module = {
        "rule": "precursors/_labels.html",
        "description": "precursor_rules/_labels.html",
        "param_label": "precursor_rules/_labels.html",
        "param_description": "precursor_rules/_labels.html",
    }[macro]
    labels = environment().get_template(module).make_module({"_": translations(DEFAULT).gettext})
    out = getattr(labels, macro)(*args, "NOT KNOWN")
    assert isinstance(out, Markup)
    return html.unescape(str(out))


def test_rule_texts_in_the_templates_are_the_domain_texts() -> None:
    """The templates translate the English of domain/diversion.py: every rule and parameter is there, with
    the same words, so a change of the domain text shows up here before it shows untranslated."""
    for code, rule in RULES.items():
        assert _english("rule", code) == rule.label, code
        assert _english("description", code) == rule.description, code
        for p in rule.params:
            assert _english("param_label", code, p.name) == p.label, (code, p.name)
            assert _english("param_description", code, p.name) == p.description, (code, p.name)
    assert _english("description", "no_such_rule") == "NOT KNOWN"
    assert _english("param_label", "split_order", "no_such_param") == "NOT KNOWN"


def test_requirements_page(client: TestClient, world: World, clock: Clock) -> None:
    pens = Pens(world)
    outsider = signed_in(client, world, clock, pens.analyst["LA"])
    page = outsider.get("/precursors/requirements")
    assert page.status_code == 200 and "No requirements stated." in page.text and "State a requirement" not in page.text

    authority = signed_in(client, world, clock, pens.analyst["TH"])
    form = authority.get("/precursors/requirements")
    assert "State a requirement" in form.text and "competent authority for: TH" in form.text
    bad = post(authority, "/precursors/requirements", {"country": "TH", "substance": "ephedrine", "year": "2026",
                                                       "quantity": "5", "unit": "tablets"},
               page="/precursors/requirements")
    assert bad.status_code == 422 and 'id="r-unit-error"' in bad.text
    refused = post(authority, "/precursors/requirements", {"country": "LA", "substance": "ephedrine", "year": "2026",
                                                           "quantity": "5", "unit": "kg"},
                   page="/precursors/requirements")
    assert refused.status_code == 403
    made = post(authority, "/precursors/requirements", {"country": "TH", "substance": "ephedrine", "year": "2026",
                                                        "quantity": "1.5", "unit": "t", "source": "illustrative"},
                page="/precursors/requirements")
    assert made.status_code == 303, made.text
    listed = outsider.get("/precursors/requirements?country=TH&year=2026")
    assert "ephedrine" in listed.text and "1,500" in listed.text and "illustrative" in listed.text
    assert "No requirements stated." in outsider.get("/precursors/requirements?year=2025").text
    assert outsider.get("/precursors/requirements?country=ZZ").status_code == 200
