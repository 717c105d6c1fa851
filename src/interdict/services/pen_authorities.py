"""Competent authorities for precursor control: which agency sends and answers a country's pre-export
notifications.

A platform admin designates one agency per country (an active agency of that country) and may designate
another later; each designation is audited (``pen.authority.designate``, with the agency before and
after). Everyone signed in may read the list: it is the address book of the notification system.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry
from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ForbiddenError
from interdict.domain.roles import Permission
from interdict.schemas.pen import AuthorityOut
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.records import usernames
from interdict.store.pen import PrecursorAuthority
from interdict.store.structure import Agency


def country_code(text: str, field: str) -> str:
    """The ISO 3166 alpha-2 code of ``text`` (a code or a name pycountry knows), or BadInputError naming it."""
    key = text.strip()
    found = pycountry.countries.get(alpha_2=key.upper()) if len(key) == 2 else None
    if found is None and len(key) > 2:
        try:
            found = pycountry.countries.lookup(key)
        except LookupError:
            found = None
    if found is None:
        message = (
            f"{field} {text!r} is not a country known to ISO 3166; expected a code such as 'TH' or a name"
        )
        raise BadInputError(message, {field: message})
    return str(found.alpha_2)


def country_name(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return str(found.name) if found else code


@dataclass(frozen=True)
class Authority:
    country: str
    agency_id: int
    agency_code: str


def authorities_of(session: Session, countries: list[str]) -> dict[str, Authority]:
    """The designated authorities of ``countries`` (those that have one, active), by country."""
    if not countries:
        return {}
    rows = session.execute(
        select(PrecursorAuthority.country, Agency.id, Agency.code)
        .join(Agency, Agency.id == PrecursorAuthority.agency_id)
        .where(PrecursorAuthority.country.in_(sorted(set(countries))), Agency.active.is_(True))
    ).all()
    return {c: Authority(c, i, code) for c, i, code in rows}


def authority_row(session: Session, country: str, lock: bool = False) -> PrecursorAuthority | None:
    stmt = select(PrecursorAuthority).where(PrecursorAuthority.country == country)
    if lock:  # PostgreSQL: one reference sequence per exporting country at a time
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def list_authorities(session: Session) -> list[AuthorityOut]:
    rows = session.execute(
        select(PrecursorAuthority, Agency)
        .join(Agency, Agency.id == PrecursorAuthority.agency_id)
        .order_by(PrecursorAuthority.country)
    ).all()
    names = usernames(session, (r.designated_by_id for r, _ in rows))
    return [
        AuthorityOut(
            country=r.country,
            country_name=country_name(r.country),
            agency=a.code,
            agency_name=a.name_en,
            designated_at=r.designated_at,
            designated_by=names.get(r.designated_by_id, "system") if r.designated_by_id else "system",
        )
        for r, a in rows
    ]


def designate(
    session: Session, audit: AuditLog, actor: Actor, country: str, agency_code: str
) -> AuthorityOut:
    """Make ``agency_code`` the competent authority of ``country`` (platform admins only)."""
    if not actor.can(Permission.MANAGE_STRUCTURE):
        raise ForbiddenError("only a platform admin may designate competent authorities")
    code = country_code(country, "country")
    key = agency_code.strip().upper()
    agency = session.scalars(select(Agency).where(Agency.code == key)).one_or_none()
    if agency is None or not agency.active:
        message = f"agency {agency_code!r} is not the code of an active agency"
        raise BadInputError(message, {"agency": message})
    if agency.country != code:
        message = (
            f"agency {key} belongs to country {agency.country or 'none'!r}, not {code!r}; "
            f"expected an agency of {country_name(code)}"
        )
        raise BadInputError(message, {"agency": message})
    row = authority_row(session, code, lock=True)
    before = None
    if row is None:
        row = PrecursorAuthority(
            country=code, agency_id=agency.id, designated_by_id=actor.user_id, designated_at=actor.now
        )
        session.add(row)
    else:
        before = session.get(Agency, row.agency_id)
        row.agency_id, row.designated_by_id, row.designated_at = agency.id, actor.user_id, actor.now
    session.flush()
    audit.record(
        session,
        actor,
        AuditEvent(
            "pen.authority.designate",
            "ok",
            "precursor_authority",
            None,
            key,
            None,
            {"country": code, "before": before.code if before else None, "after": key},
        ),
    )
    return next(a for a in list_authorities(session) if a.country == code)


__all__ = [
    "Authority",
    "authorities_of",
    "authority_row",
    "country_code",
    "country_name",
    "designate",
    "list_authorities",
]
