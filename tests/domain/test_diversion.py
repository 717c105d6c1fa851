"""The diversion rules, without a database: for each rule, cases that should and should not flag."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdict.domain import diversion as d
from interdict.domain.errors import BadInputError

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def notice(ref: str = "PEN-1", **fields: Any) -> d.Notice:
    base: dict[str, Any] = {
        "reference": ref, "exporting_country": "IN", "importing_country": "TH", "exporter": "Mumbai Chem Ltd",
        "importer": "Siam Pharma Co., Ltd.", "consignee": "", "substance": "pseudoephedrine", "mass_kg": 50.0,
        "ship_date": date(2026, 6, 1), "notified_at": T0,
    }
    return d.Notice(**{**base, **fields})


def earlier(ref: str, days: int = 10, **fields: Any) -> d.Notice:
    return notice(ref, notified_at=T0 - timedelta(days=days), **fields)


REQ = d.Requirement("TH", "pseudoephedrine", 2026, 100.0, "illustrative")


def only(rule: str, **params: Any) -> dict[str, d.RuleSetting]:
    settings = d.effective({c: d.RuleSetting(False, {}) for c in d.RULES if c != rule})
    settings[rule] = d.RuleSetting(True, {**d.RULES[rule].defaults, **params})
    return settings


def codes(n: d.Notice, ev: d.Evidence, rule: str, **params: Any) -> list[str]:
    return [f.rule for f in d.evaluate(n, ev, only(rule, **params))]


@dataclass(frozen=True)
class Case:
    id: str
    notice: d.Notice
    evidence: d.Evidence
    flags: bool
    params: dict[str, Any] | None = None


EXCESS = [
    Case("no requirement stated", notice(mass_kg=1e6), d.Evidence(), False),
    Case("under the requirement", notice(mass_kg=90), d.Evidence(requirement=REQ), False),
    Case("exactly at requirement plus margin", notice(mass_kg=110), d.Evidence(requirement=REQ), False),
    Case("just above requirement plus margin", notice(mass_kg=110.01), d.Evidence(requirement=REQ), True),
    Case("with other live notifications", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=60),), requirement=REQ), True),
    Case("withdrawn other not counted", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=60, state="withdrawn"),), requirement=REQ), False),
    Case("objected other not counted", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=60, state="objected"),), requirement=REQ), False),
    Case("other year not counted", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=60, ship_date=date(2025, 12, 31)),), requirement=REQ), False),
    Case("other substance not counted", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=60, substance="ephedrine"),), requirement=REQ), False),
    Case("other country not counted", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=60, importing_country="LA"),), requirement=REQ), False),
    Case("no mass", notice(mass_kg=None), d.Evidence(requirement=REQ), False),
    Case("margin raised", notice(mass_kg=140), d.Evidence(requirement=REQ), False, {"margin_pct": 50}),
    Case("margin zero", notice(mass_kg=100.5), d.Evidence(requirement=REQ), True, {"margin_pct": 0}),
]

NEW_CONSIGNEE = [
    Case("nothing earlier", notice(), d.Evidence(), True),
    Case("importer seen before, legal form differs", notice(importer="SIAM PHARMA CO LTD"),
         d.Evidence(others=(earlier("A", importer="Siam Pharma Company Limited"),)), False),
    Case("consignee seen before as consignee", notice(consignee="Bangkok Labs"),
         d.Evidence(others=(earlier("A", importer="X", consignee="Bangkok Labs Ltd."),)), False),
    Case("consignee seen before as importer", notice(consignee="Bangkok Labs"),
         d.Evidence(others=(earlier("A", importer="Bangkok Labs LLC"),)), False),
    Case("consignee new though importer known", notice(consignee="Mekong Trading"),
         d.Evidence(others=(earlier("A"),)), True),
    Case("seen only in another country", notice(),
         d.Evidence(others=(earlier("A", importing_country="LA"),)), True),
    Case("seen only later", notice(), d.Evidence(others=(earlier("A", days=-3),)), True),
    Case("Chinese legal form", notice(importer="金星贸易有限公司", importing_country="CN"),
         d.Evidence(others=(earlier("A", importer="金星贸易", importing_country="CN"),)), False),
]

CROSSCHECK = [
    Case("no hits", notice(), d.Evidence(), False),
    Case("entity hit", notice(), d.Evidence(hits=(d.Hit("importer", "Siam Pharma", "entity", "u1", "entity X", 0.8),)),
         True),
    Case("hit under threshold", notice(),
         d.Evidence(hits=(d.Hit("importer", "Siam Pharma", "entity", "u1", "entity X", 0.6),)), False,
         {"threshold": 0.7}),
    Case("hit exactly at threshold", notice(),
         d.Evidence(hits=(d.Hit("importer", "Siam Pharma", "watch_list", "L:1", "list X", 0.7),)), True,
         {"threshold": 0.7}),
]

ROUTE = (d.Leg("IN", "Mumbai", "sea"), d.Leg("SG", "Jurong", "sea", True), d.Leg("TH", "Laem Chabang", "sea"))

CONCERN = [
    Case("empty list never flags", notice(route=ROUTE), d.Evidence(), False),
    Case("route leg listed", notice(route=ROUTE), d.Evidence(), True, {"countries": ["SG"]}),
    Case("transit listed", notice(transit_countries=("MM",)), d.Evidence(), True, {"countries": ["MM"]}),
    Case("not on the route", notice(route=ROUTE, transit_countries=("MY",)), d.Evidence(), False,
         {"countries": ["MM", "LA"]}),
]

SPLIT = [
    Case("alone", notice(mass_kg=60), d.Evidence(), False),
    Case("two parts reach threshold", notice(mass_kg=60), d.Evidence(others=(earlier("A", mass_kg=40),)), True),
    Case("two parts under threshold", notice(mass_kg=50), d.Evidence(others=(earlier("A", mass_kg=49.9),)), False),
    Case("a part at threshold is not a split", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=100),)), False),
    Case("outside the window", notice(mass_kg=60), d.Evidence(others=(earlier("A", days=31, mass_kg=60),)), False),
    Case("exactly at the window", notice(mass_kg=60), d.Evidence(others=(earlier("A", days=30, mass_kg=60),)), True),
    Case("other importer", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=60, importer="Other Pharma"),)), False),
    Case("other substance", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=60, substance="ephedrine"),)), False),
    Case("withdrawn part", notice(mass_kg=60),
         d.Evidence(others=(earlier("A", mass_kg=60, state="withdrawn"),)), False),
    Case("lower threshold", notice(mass_kg=6), d.Evidence(others=(earlier("A", mass_kg=5),)), True,
         {"threshold_kg": 10}),
]

FTZ = [
    Case("free-trade zone leg", notice(route=ROUTE), d.Evidence(), True),
    Case("no free-trade zone", notice(route=ROUTE[:1] + ROUTE[2:]), d.Evidence(), False),
]

OBJECTION = [
    Case("earlier objection", notice(), d.Evidence(others=(earlier("A", state="objected"),)), True),
    Case("earlier objection, other spelling and country", notice(),
         d.Evidence(others=(earlier("A", state="objected", importer="siam pharma ltd", importing_country="LA"),)),
         True),
    Case("earlier cleared", notice(), d.Evidence(others=(earlier("A", state="cleared"),)), False),
    Case("objection to another importer", notice(),
         d.Evidence(others=(earlier("A", state="objected", importer="Other Pharma"),)), False),
    Case("later objection", notice(), d.Evidence(others=(earlier("A", days=-1, state="objected"),)), False),
]

TABLE = [("excess_quantity", c) for c in EXCESS] + [("new_consignee", c) for c in NEW_CONSIGNEE] + [
    ("crosscheck_hit", c) for c in CROSSCHECK] + [("country_of_concern", c) for c in CONCERN] + [
    ("split_order", c) for c in SPLIT] + [("free_trade_zone", c) for c in FTZ] + [
    ("prior_objection", c) for c in OBJECTION]


@pytest.mark.parametrize(("rule", "case"), TABLE, ids=[f"{r}: {c.id}" for r, c in TABLE])
def test_rule(rule: str, case: Case) -> None:
    assert codes(case.notice, case.evidence, rule, **(case.params or {})) == ([rule] if case.flags else [])


def test_excess_reason_explains_with_figures() -> None:
    ev = d.Evidence(others=(earlier("PEN-A", mass_kg=60),), requirement=REQ)
    (flag,) = d.evaluate(notice(mass_kg=60), ev, only("excess_quantity"))
    assert "120 kg" in flag.reason and "100 kg" in flag.reason and "20% above" in flag.reason
    assert flag.details["others"] == ["PEN-A"]
    assert flag.details["total_kg"] == 120
    assert flag.details["limit_kg"] == pytest.approx(110)


def test_split_names_the_parts() -> None:
    (flag,) = d.evaluate(notice(mass_kg=60), d.Evidence(others=(earlier("PEN-A", mass_kg=40),)), only("split_order"))
    assert flag.details == {"window_days": 30, "threshold_kg": 100.0, "total_kg": 100.0, "parts": 2,
                            "others": ["PEN-A"]}


def test_defaults_turn_every_rule_on() -> None:
    settings = d.effective({})
    assert set(settings) == set(d.RULES) and all(s.enabled for s in settings.values())
    assert settings["split_order"].params == {"window_days": 30, "threshold_kg": 100.0}
    assert settings["country_of_concern"].params == {"countries": []}


def test_stored_settings_keep_only_known_params() -> None:
    stored = {"split_order": d.RuleSetting(False, {"window_days": 7, "gone": 1})}
    assert d.effective(stored)["split_order"] == d.RuleSetting(False, {"window_days": 7, "threshold_kg": 100.0})


@pytest.mark.parametrize(
    ("rule", "params", "field", "words"),
    [
        ("excess_quantity", {"margin_pct": -1}, "params.margin_pct", "from 0 to 1000"),
        ("excess_quantity", {"margin_pct": "lots"}, "params.margin_pct", "'lots'"),
        ("split_order", {"window_days": 2.5}, "params.window_days", "an integer from 1 to 365"),
        ("split_order", {"window_days": 0}, "params.window_days", "window_days = 0"),
        ("split_order", {"weeks": 2}, "params.weeks", "has no parameter 'weeks'"),
        ("crosscheck_hit", {"threshold": 0.05}, "params.threshold", "from 0.1 to 1"),
        ("country_of_concern", {"countries": ["XX"]}, "params.countries", "ISO 3166-1"),
        ("free_trade_zone", {"x": 1}, "params.x", "its parameters: none"),
    ],
)
def test_bad_params_name_rule_param_value_and_bounds(rule: str, params: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(BadInputError) as err:
        d.check_params(rule, params)
    assert field in err.value.errors
    assert rule in err.value.detail and words in err.value.detail


def test_params_from_text() -> None:
    assert d.check_params("split_order", {"window_days": "14", "threshold_kg": "2.5"}) == {
        "window_days": 14, "threshold_kg": 2.5}
    assert d.check_params("country_of_concern", {"countries": "mm, la,MM"}) == {"countries": ["LA", "MM"]}


def test_unknown_rule() -> None:
    with pytest.raises(BadInputError, match="unknown diversion rule 'bogus'"):
        d.check_params("bogus", {})


@pytest.mark.parametrize(
    ("a", "b"),
    [("Golden Star Trading Co., Ltd.", "GOLDEN STAR TRADING CO LTD"),
     ("Golden-Star Trading LLC", "golden star trading"),
     ("Golden Star Trading Company Limited", "Golden Star Trading"), ("金星贸易有限公司", "金星贸易"),
     ("ООО Химпром", "Химпром")],
)
def test_party_key_same(a: str, b: str) -> None:
    assert d.party_key(a) == d.party_key(b) != ""


def test_party_key_different() -> None:
    assert d.party_key("Golden Star Trading") != d.party_key("Silver Star Trading")


# --- properties ------------------------------------------------------------------------------------------

names = st.sampled_from(["Siam Pharma Co., Ltd.", "Siam Pharma", "Mekong Trading", "Bangkok Labs LLC", ""])
notices = st.builds(
    notice,
    ref=st.sampled_from(["P1", "P2", "P3", "P4"]),
    importer=names.filter(bool), consignee=names,
    mass_kg=st.one_of(st.none(), st.floats(0.001, 500)),
    substance=st.sampled_from(["pseudoephedrine", "ephedrine"]),
    state=st.sampled_from(["awaiting_answer", "objected", "withdrawn", "cleared"]),
    notified_at=st.integers(-60, 60).map(lambda n: T0 + timedelta(days=n)),
    route=st.lists(st.builds(d.Leg, st.sampled_from(["SG", "MY", "MM"]), free_trade_zone=st.booleans()),
                   max_size=3).map(tuple),
)
evidences = st.builds(
    d.Evidence, others=st.lists(notices, max_size=5).map(tuple),
    requirement=st.one_of(st.none(), st.just(REQ)),
    hits=st.lists(st.builds(d.Hit, st.just("importer"), st.just("X"), st.just("entity"), st.just("u"),
                            st.just("e"), st.floats(0, 1)), max_size=2).map(tuple),
)


@given(notices, evidences, st.sampled_from(list(d.RULES)))
def test_a_disabled_rule_never_flags(n: d.Notice, ev: d.Evidence, rule: str) -> None:
    settings = d.effective({rule: d.RuleSetting(False, {})})
    settings["country_of_concern"] = d.RuleSetting(settings["country_of_concern"].enabled, {"countries": ["SG", "MM"]})
    assert rule not in [f.rule for f in d.evaluate(n, ev, settings)]


@given(notices, evidences)
def test_flags_are_deterministic_and_ordered(n: d.Notice, ev: d.Evidence) -> None:
    settings = d.effective({"country_of_concern": d.RuleSetting(True, {"countries": ["MM"]})})
    first = d.evaluate(n, ev, settings)
    assert first == d.evaluate(n, replace(ev, others=tuple(reversed(ev.others))), settings)
    order = list(d.RULES)
    assert [order.index(f.rule) for f in first] == sorted(order.index(f.rule) for f in first)


@given(notices, evidences, st.floats(0, 1000))
def test_excess_flags_iff_total_over_limit(n: d.Notice, ev: d.Evidence, margin: float) -> None:
    flagged = bool(codes(n, ev, "excess_quantity", margin_pct=margin))
    if ev.requirement is None or n.mass_kg is None:
        assert not flagged
        return
    live = sum(o.mass_kg or 0 for o in ev.others if o.state not in d.DEAD_STATES and o.substance == n.substance
               and o.importing_country == n.importing_country and o.ship_date.year == n.ship_date.year)
    assert flagged == (n.mass_kg + live > ev.requirement.quantity_kg * (1 + margin / 100))
