"""The demo world's situation figures: sourced indicator series, and planted signals that the rules find."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from interdict.services.demo import load_demo
from interdict.services.indicators import IndicatorFilters
from interdict.services.platform import Platform
from interdict.services.signals import SignalQuery
from interdict.services.situation_report import ReportQuery
from interdict.store.identity import User
from tests.factories import World


def test_demo_indicators_and_planted_signals(sqlite_url: str, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    platform = Platform(make_settings(sqlite_url, tmp_path))
    world = World(platform, clock)
    with platform.db.unit() as s:
        load_demo(platform, s, world.console(), seed=1, reports=10, seizures=300)
    with platform.db.unit() as s:
        user = s.scalars(select(User).where(User.username.like("th-oncb.analyst%"))).first()
        assert user is not None
        uid = user.id
    from interdict.services.auth import actor_for

    with platform.db.unit() as s:
        actor = actor_for(world.console(), s.get(User, uid))  # type: ignore[arg-type]
        heroin = platform.indicators.latest(s, actor, IndicatorFilters("seizures_heroin", "AF"))
        assert {r.period: r.value for r in heroin}["2013"] == 7157
        assert all(r.source.startswith("UNODC, World Drug Report") for r in heroin)
        mm = platform.indicators.latest(s, actor, IndicatorFilters("opium_potential_production", "MM"))
        assert {r.period: r.value for r in mm} == {"2020": 405, "2023": 1080}
        today = actor.today
        q = SignalQuery(today - timedelta(days=180), today)
        found = [f for f in platform.signals.run(s, actor, q).findings if f.status == "signal"]
        shift = [f for f in found if f.kind == "route_shift" and f.subject["substance"] == "methamphetamine"]
        assert shift and "LA>TH" in shift[0].figures["gained"]
        assert any(f.kind == "first_sighting" and f.subject == {"substance": "protonitazene", "country": "TH"}
                   for f in found)  # fmt: skip
        report = platform.situation.build(s, actor, ReportQuery(q.date_from, q.date_to, mechanism="MEKONG-MOU"))
        assert any(i.indicator == "opium_poppy_cultivation" and i.area == "MM" for i in report.indicators)
        assert any(f.kind == "route_shift" and f.status == "signal" for f in report.findings)
