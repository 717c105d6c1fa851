"""The demo world's joint investigation: a Mekong syndicate case of Thailand's ONCB with the Lao and
Myanmar drug-control agencies taking part, grouped under the syndicate's Organization entity, with its
members and their roles, each participant's own seizures linked under its own sharing, and the first
entries of the investigation log and the discussion. Fictitious names; skipped when cases exist or the
agencies are not in the demo."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interdict.schemas.cases import CaseCreate, LinkIn, MessageIn, NoteIn
from interdict.services.context import Actor
from interdict.services.entities import EntityDraft
from interdict.services.platform import Platform
from interdict.services.sharing import DistributionRequest, visible_select
from interdict.store.cases import Case
from interdict.store.seizures import Seizure

OWNER, PARTNERS = "TH-ONCB", ("LA-LCDC", "MM-CCDAC")
MEKONG = "MEKONG-MOU"
SEIZURES_EACH = 3

# (FtM id, schema, properties, distribution): the syndicate, its members, and how they belong to it.
ENTITIES: tuple[tuple[str, str, dict[str, list[str]], str], ...] = (
    (
        "demo-syn-golden-lotus",
        "Organization",
        {"name": ["Golden Lotus network"], "alias": ["Jin Lian"], "country": ["mm", "la", "th"]},
        "mechanisms",
    ),
    (
        "demo-syn-p1",
        "Person",
        {"name": ["Sai Kham Noi"], "nationality": ["mm"], "birthDate": ["1979"]},
        "mechanisms",
    ),
    ("demo-syn-p2", "Person", {"name": ["Zhang Wei"], "nationality": ["cn"]}, "agency"),
    (
        "demo-syn-c1",
        "Company",
        {"name": ["Mekong Star River Transport Co."], "jurisdiction": ["la"]},
        "mechanisms",
    ),
    (
        "demo-syn-m1",
        "Membership",
        {"member": ["demo-syn-p1"], "organization": ["demo-syn-golden-lotus"], "role": ["leader"]},
        "mechanisms",
    ),
    (
        "demo-syn-m2",
        "Membership",
        {"member": ["demo-syn-p2"], "organization": ["demo-syn-golden-lotus"], "role": ["financier"]},
        "agency",
    ),
    (
        "demo-syn-d1",
        "Directorship",
        {"director": ["demo-syn-c1"], "organization": ["demo-syn-golden-lotus"], "role": ["front company"]},
        "mechanisms",
    ),
)


def load_demo_cases(platform: Platform, session: Session, authors: dict[str, Actor]) -> None:
    if session.scalar(select(func.count(Case.id))) or not all(a in authors for a in (OWNER, *PARTNERS)):
        return
    owner = authors[OWNER]
    ids = {}
    for ftm_id, schema, props, level in ENTITIES:
        dist = DistributionRequest(level, mechanisms=[MEKONG] if level == "mechanisms" else [])
        ids[ftm_id] = platform.entities.create(session, owner, EntityDraft(schema, props, ftm_id, dist)).uuid
    cases = platform.cases
    case = cases.create(
        session,
        owner,
        CaseCreate(
            title="Golden Lotus network: methamphetamine across the Mekong",
            summary=(
                "Long-term joint investigation of the Golden Lotus network, suspected of moving methamphetamine "
                "tablets and crystal from Shan State through Bokeo and Chiang Saen by river boat, and of "
                "laundering the proceeds through river transport companies."
            ),
            offences=["drug_trafficking", "money_laundering", "organised_crime"],
            syndicate=ids["demo-syn-golden-lotus"],
            participants=list(PARTNERS),
        ),
    )
    for code in (OWNER, *PARTNERS):
        for uuid in _own_seizures(session, authors[code]):
            cases.link(
                session, authors[code], case.uuid, LinkIn(record=uuid, note="Seized on the river route.")
            )
    cases.link(session, owner, case.uuid, LinkIn(record=ids["demo-syn-c1"], note="Boats registered to it."))
    cases.note(
        session,
        owner,
        case.uuid,
        NoteIn(
            body="Surveillance of the Chiang Saen pier: two boats unloading "
            "at night, registered to Mekong Star River Transport Co."
        ),
    )
    asked = cases.message(
        session,
        owner,
        case.uuid,
        MessageIn(body="Can LCDC confirm who holds the Mekong Star licences in Bokeo?"),
    )
    first = cases.public(session, owner, asked).entries[-1].uuid
    cases.message(
        session,
        authors["LA-LCDC"],
        case.uuid,
        MessageIn(body="Checking with the provincial transport office; answer by Friday.", reply_to=first),
    )


def _own_seizures(session: Session, actor: Actor) -> list[str]:
    stmt = (
        visible_select(session, actor, Seizure)
        .where(Seizure.owner_agency_id == actor.agency_id, Seizure.distribution != "agency")
        .order_by(Seizure.seized_on.desc(), Seizure.id)
        .limit(SEIZURES_EACH)
    )
    return [s.uuid for s in session.scalars(stmt)]
