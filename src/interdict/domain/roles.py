"""Roles and what each may do. One place for value, label and the permissions it carries."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    READER = "reader"
    ANALYST = "analyst"
    INVESTIGATOR = "investigator"
    LIAISON_OFFICER = "liaison_officer"
    SUPERVISOR = "supervisor"
    AGENCY_ADMIN = "agency_admin"
    PLATFORM_ADMIN = "platform_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.READER: "Reader",
    Role.ANALYST: "Analyst",
    Role.INVESTIGATOR: "Investigator",
    Role.LIAISON_OFFICER: "Liaison officer",
    Role.SUPERVISOR: "Supervisor",
    Role.AGENCY_ADMIN: "Agency administrator",
    Role.PLATFORM_ADMIN: "Platform administrator (mechanism secretariat)",
}


class Permission(enum.StrEnum):
    READ_RECORDS = "read_records"
    WRITE_RECORDS = "write_records"
    DECIDE_ONWARD_SHARING = "decide_onward_sharing"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_STRUCTURE = "manage_structure"


_WRITERS = {Role.ANALYST, Role.INVESTIGATOR, Role.LIAISON_OFFICER, Role.SUPERVISOR}

GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.READ_RECORDS: frozenset(Role),
    Permission.WRITE_RECORDS: frozenset(_WRITERS),
    Permission.DECIDE_ONWARD_SHARING: frozenset({Role.SUPERVISOR, Role.LIAISON_OFFICER}),
    Permission.READ_AUDIT: frozenset({Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN}),
    Permission.MANAGE_USERS: frozenset({Role.AGENCY_ADMIN}),
    Permission.MANAGE_STRUCTURE: frozenset({Role.PLATFORM_ADMIN}),
}

ADMIN_ROLES = frozenset({Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN})


def allowed(roles: frozenset[Role], permission: Permission) -> bool:
    return not roles.isdisjoint(GRANTS[permission])


def parse_roles(values: list[str]) -> frozenset[Role]:
    """Roles from their codes; raises ``ValueError`` naming the first unknown code."""
    out = set()
    for value in values:
        try:
            out.add(Role(value))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ValueError(f"unknown role {value!r}; expected one of {known}") from None
    return frozenset(out)
