"""The diversion pages: an agency's rules (read by all its users, changed by a supervisor, faults named by
rule and parameter) and the annual legitimate requirements (read by all, stated by the country's competent
authority)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from markupsafe import Markup

from interdict.domain import diversion as d
from interdict.domain.diversion import RULES
from interdict.web.i18n import DEFAULT, fmt_number, substance_name, translations
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


T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _notice(ref: str = "PEN-1", days: int = 0, **fields: Any) -> d.Notice:
    base: dict[str, Any] = {
        "reference": ref, "exporting_country": "IN", "importing_country": "TH", "exporter": "Mumbai Chem Ltd",
        "importer": "Siam Pharma Co., Ltd.", "consignee": "", "substance": "pseudoephedrine", "mass_kg": 50.0,
        "ship_date": date(2026, 6, 1), "notified_at": T0 - timedelta(days=days),
    }
    return d.Notice(**{**base, **fields})


def _hit(i: int) -> d.Hit:
    return d.Hit("importer", "Siam Pharma", "entity", f"e-{i}", f"Siam Pharma (case note {i}, TH-PC)", 0.9 - i / 100)


def _raised() -> list[tuple[d.Notice, d.Flag]]:
    """One flag of every rule (two of some), raised by the domain's rules on notices built to trip them."""
    def run(code: str, n: d.Notice, ev: d.Evidence, **params: Any) -> tuple[d.Notice, d.Flag]:
        flag = d.CHECKS[code](n, ev, {**RULES[code].defaults, **params})
        assert flag is not None, code
        return n, flag

    other = _notice("PEN-0", days=5, mass_kg=1234.5678, importer="Other Importer")
    need = d.Requirement("TH", "pseudoephedrine", 2026, 1000.0)
    consigned = _notice(consignee="Bangkok Trading")
    return [
        run("excess_quantity", _notice(), d.Evidence(others=(other,), requirement=need)),
        run("excess_quantity", _notice(), d.Evidence(requirement=d.Requirement("TH", "pseudoephedrine", 2026, 0.0))),
        run("new_consignee", consigned, d.Evidence(others=(other,))),
        run("new_consignee", _notice(), d.Evidence()),
        run("crosscheck_hit", _notice(), d.Evidence(hits=tuple(_hit(i) for i in range(7)))),
        run("crosscheck_hit", _notice(), d.Evidence(hits=(_hit(0),))),
        run("country_of_concern", _notice(route=(d.Leg("MM"),), transit_countries=("LA",)), d.Evidence(),
            countries=["LA", "MM"]),
        run("split_order", _notice(mass_kg=60.0), d.Evidence(others=(_notice("PEN-0", days=3, mass_kg=45.5),))),
        run("free_trade_zone", _notice(route=(d.Leg("SG", "Jurong Island", "sea", True), d.Leg("AE", "", "", True))),
            d.Evidence()),
        run("prior_objection", _notice(), d.Evidence(others=(_notice("PEN-0", days=9, state="objected"),))),
    ]


def _reason(lang: str, flag: Any, n: Any) -> str:
    """The explanation ``flag_reason`` shows for ``flag`` of notification ``n`` on a page in ``lang``."""
    labels = environment().get_template("precursors/_labels.html").make_module({
        "_": translations(lang).gettext, "fn": lambda v: fmt_number(v, lang),
        "sname": lambda code: substance_name(code, lang),
    })
    return " ".join(html.unescape(str(labels.flag_reason(flag, n))).split())


def test_flag_explanations_in_english_say_what_the_reasons_say() -> None:
    """Rebuilt from the details, the English explanation is the stored reason word for word, names quoted
    with typographic quotes instead of the reason's Python quotes."""
    for n, flag in _raised():
        assert _reason(DEFAULT, flag, n) == re.sub(r"'([^']*)'", r"“\1”", flag.reason), flag.rule


def test_flag_explanations_in_chinese_and_russian() -> None:
    for n, flag in _raised():
        for lang in ("zh", "ru"):
            shown = _reason(lang, flag, n)
            assert shown != flag.reason and re.search(r"[\u3400-\u9fff]" if lang == "zh" else "[а-я]", shown)
    excess, zero, consignee, _importer, hits, *_ = [flag for _n, flag in _raised()]
    zh = _reason("zh", excess, _notice())
    assert all(figure in zh for figure in ("1,284.568", "1,234.568", "50", "1,000", "28", "10", "2026", "TH"))
    ru = _reason("ru", excess, _notice())
    assert "1 284,568 кг" in ru  # grouped and with the decimal comma of Russian (spaces normalised)
    assert "“Bangkok Trading”" in _reason("zh", consignee, _notice(consignee="Bangkok Trading"))
    assert "以及另外 2 项" in _reason("zh", hits, _notice()) and "需求为零" in _reason("zh", zero, _notice())


def test_flag_explanations_fall_back_to_the_stored_reason() -> None:
    """A rule the templates do not know, or details without a figure the sentence needs, show the English
    reason as it was stored."""
    n = _notice()
    for rule, details in (
        ("no_such_rule", {"total_kg": 5}),
        ("excess_quantity", {"total_kg": 90.0, "this_kg": 50.0}),
        ("excess_quantity", {}),
        ("new_consignee", {"party": "Someone else", "earlier_checked": 2}),
        ("crosscheck_hit", {"hits": [{"party": "broker", "name": "X", "label": "Y", "score": 0.9}]}),
        ("crosscheck_hit", {"hits": []}),
        ("country_of_concern", {"countries": "MM"}),
        ("split_order", {"parts": 2, "window_days": 30}),
        ("free_trade_zone", {"legs": [{"place": "Jurong"}]}),
        ("prior_objection", {"importer": "Siam Pharma Co., Ltd."}),
    ):
        flag = {"rule": rule, "agency": "TH-PC", "reason": f"Stored reason of {rule}.", "details": details}
        assert _reason("zh", flag, n) == f"Stored reason of {rule}.", (rule, details)


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
