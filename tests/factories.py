"""Small factories: each takes only the fields a test cares about and fills the rest.

    w = World(platform, clock)
    th = w.agency("TH-X")
    w.mechanism("MEK", [th, la])
    alice = w.user(th, "analyst")          # -> Person with .token for the API, .actor for services
    r = w.report(alice, distribution="mechanisms", mechanisms=["MEK"])
    client.get(f"/api/v1/intel-reports/{r.uuid}", headers=alice.headers)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from interdict.domain.roles import Role
from interdict.schemas.intel import IntelReportCreate
from interdict.schemas.structure import AgencyCreate, AgreementCreate, MechanismCreate, MembershipChange
from interdict.schemas.users import UserCreate
from interdict.services.auth import actor_for
from interdict.services.context import Actor, system_actor
from interdict.services.platform import Platform
from interdict.store.identity import User
from interdict.store.records import IntelReport
from interdict.store.structure import Agency

_counter = itertools.count(1)


@dataclass
class Person:
    username: str
    agency: str
    roles: tuple[str, ...]
    token: str
    user_id: int
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class World:
    def __init__(self, platform: Platform, clock: Callable[[], datetime]) -> None:
        self.p = platform
        self.clock = clock

    def console(self) -> Actor:
        return system_actor(self.clock(), self.p.settings.node_name)

    def actor(self, person: Person) -> Actor:
        with self.p.db.unit() as s:
            user = s.get(User, person.user_id)
            assert user is not None
            return actor_for(self.console(), user)

    def agency(self, code: str | None = None, country: str = "TH", **fields: Any) -> str:
        code = code or f"AG-{next(_counter)}"
        with self.p.db.unit() as s:
            self.p.structure.create_agency(s, self.console(), AgencyCreate.model_validate(
                {"code": code, "name_en": f"Agency {code}", "country": country, "kind": "police", **fields}))
        return code

    def mechanism(self, code: str, members: Iterable[str], joined: date = date(2020, 1, 1)) -> str:
        with self.p.db.unit() as s:
            self.p.structure.create_mechanism(s, self.console(), MechanismCreate(
                code=code, name_en=f"Mechanism {code}", kind="multilateral",
                members=[MembershipChange(agency=a, date=joined) for a in members]))
        return code

    def leave(self, mechanism: str, agency: str, day: date) -> None:
        with self.p.db.unit() as s:
            self.p.structure.leave(s, self.console(), mechanism, MembershipChange(agency=agency, date=day))

    def agreement(self, *, agencies: list[str] | None = None, mechanism: str | None = None,
                  personal_data: bool = True, valid_from: date = date(2020, 1, 1)) -> None:
        with self.p.db.unit() as s:
            self.p.structure.create_agreement(s, self.console(), AgreementCreate(
                title=f"Agreement {next(_counter)}", kind="mechanism" if mechanism else "bilateral",
                agencies=agencies or [], mechanism=mechanism, allows_personal_data=personal_data,
                categories=["intelligence", "personal_data"] if personal_data else ["intelligence"],
                valid_from=valid_from))

    def user(self, agency: str, *roles: str, mfa: bool = False) -> Person:
        roles = roles or ("analyst",)
        name = f"u{next(_counter)}.{roles[0].replace('_', '-')}"
        password = f"correct horse battery staple {next(_counter)}"
        with self.p.db.unit() as s:
            console = self.console()
            user, _ = self.p.users.create(s, console, UserCreate(
                username=name, agency=agency, roles=[Role(r) for r in roles], password=password))
            if mfa:
                import pyotp

                user.totp_secret, user.totp_enabled = pyotp.random_base32(), True
            token, _ = self.p.auth.issue_token(s, console, user, "test", None)
            return Person(name, agency, tuple(roles), token, user.id, password)

    def report(self, author: Person, **fields: Any) -> IntelReport:
        data = IntelReportCreate.model_validate({"title": f"Report {next(_counter)}", "body": "Body text.", **fields})
        with self.p.db.unit() as s:
            return self.p.intel.create(s, self.actor(author), data)

    def agency_id(self, code: str) -> int:
        from sqlalchemy import select

        with self.p.db.unit() as s:
            return int(s.scalars(select(Agency.id).where(Agency.code == code)).one())
