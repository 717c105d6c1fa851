"""The demo world: a deterministic generator over the reference structure.

Same seed, same world (agencies' users, reports and their distributions); passwords are random
every time, printed once and never stored in clear. Logging in as users of two agencies shows two
different worlds, because the reports are spread over every distribution level.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import timedelta

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interdict.domain.intel import IntelCategory
from interdict.domain.roles import Role
from interdict.schemas.intel import IntelReportCreate
from interdict.schemas.users import UserCreate
from interdict.services.auth import actor_for
from interdict.services.context import Actor
from interdict.services.platform import Platform
from interdict.services.reference import load_reference, reference_data
from interdict.store.identity import User
from interdict.store.records import IntelReport
from interdict.store.structure import Agency, Mechanism

DEMO_MECHANISMS = ("MEKONG-MOU", "CN-US-CWG", "SCO", "ASOD-CN")
ROLES_PER_AGENCY = (Role.ANALYST, Role.SUPERVISOR, Role.AGENCY_ADMIN)
FULL_ROSTER = (
    Role.READER,
    Role.ANALYST,
    Role.INVESTIGATOR,
    Role.LIAISON_OFFICER,
    Role.SUPERVISOR,
    Role.AGENCY_ADMIN,
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    agency: str
    roles: tuple[str, ...]
    totp_secret: str | None


TOPICS = [
    (
        IntelCategory.TRAFFICKING_ROUTE,
        "Methamphetamine tablets moved by river boat across the {a}–{b} border",
        ["methamphetamine"],
        ["yaba", "river"],
    ),
    (
        IntelCategory.TRAFFICKING_ROUTE,
        "Crystal methamphetamine concealed in tea packaging bound for {b}",
        ["methamphetamine"],
        ["tea-packaging", "ice"],
    ),
    (
        IntelCategory.MODUS_OPERANDI,
        "Heroin hidden in refrigerated fruit containers transiting {a}",
        ["heroin"],
        ["container", "reefer"],
    ),
    (
        IntelCategory.SYNDICATE,
        "Syndicate recruiting drivers in {a} for runs towards {b}",
        ["methamphetamine", "ketamine"],
        ["recruitment", "drivers"],
    ),
    (
        IntelCategory.PRECURSOR_DIVERSION,
        "Diverted pre-precursor shipments declared as industrial solvent in {a}",
        ["1-phenyl-2-propanone", "sodium cyanide"],
        ["pre-precursor"],
    ),
    (
        IntelCategory.EMERGING_THREAT,
        "Nitazene-laced tablets sold as oxycodone reported in {a}",
        ["protonitazene"],
        ["nitazene", "counterfeit"],
    ),
    (
        IntelCategory.ONLINE_SALE,
        "Social-media sellers offering ketamine with courier delivery to {b}",
        ["ketamine"],
        ["online", "courier"],
    ),
    (
        IntelCategory.MODUS_OPERANDI,
        "Cash couriers moving proceeds from {b} back to {a} by bus",
        [],
        ["money", "cash-courier"],
    ),
]


def demo_agencies(session: Session) -> list[Agency]:
    """Every current member of the demo mechanisms, in a stable order."""
    codes: set[str] = set()
    for mech in session.scalars(select(Mechanism).where(Mechanism.code.in_(DEMO_MECHANISMS))):
        codes.update(m.agency.code for m in mech.members if m.left is None)
    return list(session.scalars(select(Agency).where(Agency.code.in_(codes)).order_by(Agency.code)))


def load_demo(
    platform: Platform,
    session: Session,
    console: Actor,
    seed: int = 1,
    reports: int = 400,
    seizures: int = 3000,
) -> list[DemoLogin]:
    rng = random.Random(seed)
    load_reference(platform, session, console, reference_data())
    agencies = demo_agencies(session)
    logins: list[DemoLogin] = []
    authors: dict[str, Actor] = {}
    for i, agency in enumerate(agencies):
        roles = FULL_ROSTER if i < 4 else ROLES_PER_AGENCY
        for role in roles:
            login = _user(platform, session, console, agency, role)
            if login:
                logins.append(login)
        analyst = session.scalars(select(User).where(User.username == _username(agency, Role.ANALYST))).one()
        authors[agency.code] = actor_for(console, analyst)
    secretariat = next((a for a in agencies if a.code == "INT-UNODC"), agencies[0])
    login = _user(platform, session, console, secretariat, Role.PLATFORM_ADMIN)
    if login:
        logins.append(login)
    if session.scalar(select(func.count(IntelReport.id))) == 0:
        _reports(platform, session, rng, authors, agencies, reports)
    if seizures:
        from interdict.services.demo_seizures import load_demo_seizures

        load_demo_seizures(platform, session, authors, agencies, seed, seizures)
        from interdict.services.demo_situation import load_demo_situation

        load_demo_situation(platform, session, authors, seed)
    from interdict.services.demo_cases import load_demo_cases

    load_demo_cases(platform, session, authors)
    admin_user = session.scalars(
        select(User).where(User.username == _username(secretariat, Role.PLATFORM_ADMIN))
    ).one()
    _load_precursors(platform, session, authors, actor_for(console, admin_user))
    return logins


def _load_precursors(platform: Platform, session: Session, authors: dict[str, Actor], admin: Actor) -> None:
    """Control statuses with their gaps, annual requirements and a list of countries of concern, competent
    authorities with notifications in every state (flagged ones among them), and precursor incidents."""
    from interdict.services.demo_diversion import load_demo_diversion
    from interdict.services.demo_pen import load_demo_pen
    from interdict.services.demo_precursor_incidents import load_demo_precursor_incidents
    from interdict.services.demo_scheduling import load_demo_scheduling

    load_demo_scheduling(platform, session, admin)
    load_demo_diversion(platform, session, authors)  # before the notifications, which it flags
    load_demo_pen(platform, session, authors, admin)
    load_demo_precursor_incidents(platform, session, authors)


def _username(agency: Agency, role: Role) -> str:
    return f"{agency.code.lower()}.{role.value.replace('_', '-')}"


def _user(
    platform: Platform, session: Session, console: Actor, agency: Agency, role: Role
) -> DemoLogin | None:
    name = _username(agency, role)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        return None
    user, password = platform.users.create(
        session,
        console,
        UserCreate(
            username=name,
            display_name=f"{agency.code} {role.label}",
            agency=agency.code,
            roles=[role],
            language="zh" if agency.country == "CN" else "en",
        ),
    )
    assert password is not None
    secret = None
    if role in (Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN):
        secret = pyotp.random_base32()
        user.totp_secret, user.totp_enabled = secret, True
    return DemoLogin(name, password, agency.code, (role.value,), secret)


def _reports(
    platform: Platform,
    session: Session,
    rng: random.Random,
    authors: dict[str, Actor],
    agencies: list[Agency],
    count: int,
) -> None:
    codes = [a.code for a in agencies]
    countries = {a.code: a.country for a in agencies}
    mechanisms_of = _mechanisms_of(session, agencies)
    for n in range(count):
        owner = codes[n % len(codes)]
        actor = authors[owner]
        category, title, substances, tags = TOPICS[rng.randrange(len(TOPICS))]
        other = rng.choice([c for c in codes if c != owner])
        a, b = countries[owner] or "TH", countries[other] or "LA"
        dist = ("agency", "agencies", "mechanisms", "all")[n % 4]
        if dist == "mechanisms" and not mechanisms_of[owner]:
            dist = "all"
        body = (
            f"Reporting agency **{owner}** assesses that activity continued during the period.\n\n"
            f"- Countries concerned: {a}, {b}\n- Indicators: {', '.join(tags)}\n"
        )
        when = replace(actor, now=actor.now - timedelta(days=rng.randrange(0, 720), minutes=n))
        platform.intel.create(
            session,
            when,
            IntelReportCreate.model_validate(
                {
                    "title": title.format(a=a, b=b),
                    "body": body,
                    "category": category,
                    "source_reliability": rng.choice("ABCX"),
                    "info_accuracy": rng.randint(1, 4),
                    "tags": tags,
                    "countries": sorted({a, b}),
                    "substances": substances,
                    "distribution": dist,
                    "agencies": [other] if dist == "agencies" else [],
                    "mechanisms": [rng.choice(mechanisms_of[owner])] if dist == "mechanisms" else [],
                    "handling_conditions": ["no_onward_sharing"] if n % 7 == 0 else [],
                    "contains_personal_data": n % 5 == 0,
                }
            ),
        )


def _mechanisms_of(session: Session, agencies: list[Agency]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {a.code: [] for a in agencies}
    for mech in session.scalars(select(Mechanism).order_by(Mechanism.code)):
        for m in mech.members:
            if m.left is None and m.agency.code in out:
                out[m.agency.code].append(mech.code)
    return out
