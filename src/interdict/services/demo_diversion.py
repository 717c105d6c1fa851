"""Demo data for the diversion indicators: annual legitimate requirements of a few precursors for TH, MM,
LA, VN, KH and IN for this year and last, and a list of countries of concern for one authority.

The figures are ILLUSTRATIVE DEMO DATA, not the estimates any government stated: they are deliberately
small, so that the demo world's notifications exceed some of them. Idempotent: a requirement or a setting
already present is left as it is.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.schemas.diversion import RequirementIn, RuleSettingIn
from interdict.services.auth import actor_for
from interdict.services.context import Actor, system_actor
from interdict.services.platform import Platform
from interdict.store.diversion import AnnualRequirement, DiversionRuleSetting
from interdict.store.identity import User

SOURCE = "Illustrative demo figure (not an official estimate)"
# country -> substance -> kilograms for the current year; last year's figure is 90% of it.
REQUIREMENTS: dict[str, dict[str, float]] = {
    "TH": {"pseudoephedrine": 400, "ephedrine": 150, "acetic_anhydride": 2_000, "potassium_permanganate": 500},
    "MM": {"pseudoephedrine": 50, "ephedrine": 20, "acetic_anhydride": 200, "p2p": 1},
    "LA": {"pseudoephedrine": 30, "ephedrine": 10, "acetic_anhydride": 100},
    "VN": {"pseudoephedrine": 300, "ephedrine": 100, "acetic_anhydride": 1_500, "potassium_permanganate": 400},
    "KH": {"pseudoephedrine": 40, "ephedrine": 15, "acetic_anhydride": 150},
    "IN": {"pseudoephedrine": 5_000, "ephedrine": 2_000, "acetic_anhydride": 50_000, "p2p": 10},
}
# The authority that keeps a list of countries of concern in the demo, and the list.
CONCERN_COUNTRY = "TH"
CONCERN_LIST = "MM,LA"


def load_demo_diversion(platform: Platform, session: Session, authors: dict[str, Actor]) -> None:
    """Requirements (as a platform admin: the console) and one authority's countries of concern (as that
    agency's demo supervisor, where it has one)."""
    if not authors:
        return
    now = next(iter(authors.values())).now
    console = system_actor(now)
    for year, factor in ((now.year, 1.0), (now.year - 1, 0.9)):
        for country, figures in REQUIREMENTS.items():
            for substance, kg in figures.items():
                if session.scalar(select(AnnualRequirement.id).filter_by(country=country, substance=substance,
                                                                         year=year)) is not None:
                    continue
                platform.diversion.set_requirement(session, console, RequirementIn(
                    country=country, substance=substance, year=year, quantity=round(kg * factor, 3), unit="kg",
                    source=SOURCE, note="Demo data."))
    _concern(platform, session, authors)


def _concern(platform: Platform, session: Session, authors: dict[str, Actor]) -> None:
    code = next((c for c in sorted(authors) if c.startswith(f"{CONCERN_COUNTRY}-")), None)
    if code is None:
        return
    supervisor = session.scalars(select(User).where(User.username == f"{code.lower()}.supervisor")).first()
    if supervisor is None:
        return
    actor = actor_for(authors[code], supervisor)
    assert actor.agency_id is not None
    if session.get(DiversionRuleSetting, (actor.agency_id, "country_of_concern")) is None:
        platform.diversion.set_rule(session, actor, "country_of_concern",
                                    RuleSettingIn(enabled=True, params={"countries": CONCERN_LIST}))
