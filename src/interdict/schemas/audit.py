from __future__ import annotations

from pydantic import BaseModel


class AuditEntry(BaseModel):
    seq: int
    ts: str
    actor_user: str | None
    actor_agency: str | None
    node: str
    action: str
    object_type: str | None
    object_uuid: str | None
    object_owner: str | None
    handling: str | None
    outcome: str
    request_id: str | None
    source_ip: str | None
    detail: str
    redacted: bool


class AccessEntry(BaseModel):
    ts: str
    agency: str | None
    action: str
    via: str | None
    outcome: str


class VerifyResult(BaseModel):
    ok: bool
    rows: int
    checkpoints: int
    head_seq: int
    first_broken_row: int | None
    problem: str | None
