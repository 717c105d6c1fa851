"""Who is acting, from where, and when: passed into every use case (no clocks inside services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from interdict.domain.roles import Permission, Role, allowed


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str | None
    agency_id: int | None
    agency_code: str | None
    roles: frozenset[Role]
    now: datetime
    request_id: str | None = None
    source_ip: str | None = None
    node: str = "local"
    via: str = "api"

    @property
    def today(self) -> date:
        return self.now.date()

    def can(self, permission: Permission) -> bool:
        return allowed(self.roles, permission)


def system_actor(now: datetime, node: str = "local", via: str = "cli") -> Actor:
    """The operator at the server's console (CLI): no agency, acts on structure only."""
    return Actor(
        user_id=None,
        username="system",
        agency_id=None,
        agency_code=None,
        roles=frozenset({Role.PLATFORM_ADMIN}),
        now=now,
        node=node,
        via=via,
    )
