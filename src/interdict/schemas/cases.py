"""Case files, joint investigations and syndicates: what a client sends (``Strict``: unknown fields are
refused) and what it gets back. ``services/cases.py`` holds the rules; these are only shapes and bounds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from interdict.schemas.common import Strict

Status = Literal["open", "suspended", "closed"]
EntryKind = Literal["note", "message", "status"]
RecordKind = Literal["seizure", "entity", "intel_report"]
Action = Literal["update", "status", "invite", "remove", "link", "unlink", "note", "message"]
OffenceText = Annotated[str, StringConstraints(max_length=80)]

OFFENCES_HELP = (
    "Suspected offences: drug_trafficking, cultivation_manufacture, precursor_diversion, money_laundering, "
    "organised_crime, corruption, possession_for_supply."
)


class CaseCreate(Strict):
    title: str = Field(
        min_length=1, max_length=300, examples=["Golden Lotus network, Mekong river crossings"]
    )
    summary: str = Field("", max_length=20_000, description="What the case is about, in Markdown.")
    offences: list[OffenceText] = Field(
        default_factory=list, max_length=20, description=OFFENCES_HELP, examples=[["drug_trafficking"]]
    )
    syndicate: str | None = Field(
        None,
        max_length=64,
        description="The uuid of an Organization entity your agency can see: the syndicate this case is part of.",
    )
    participants: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        default_factory=list,
        max_length=50,
        description="Codes of agencies invited at once (a joint investigation).",
    )


class CaseUpdate(Strict):
    version: int = Field(description="The version you edited (a newer one answers 409).")
    title: str | None = Field(None, min_length=1, max_length=300)
    summary: str | None = Field(None, max_length=20_000)
    offences: list[OffenceText] | None = Field(None, max_length=20, description=OFFENCES_HELP)
    syndicate: str | None = Field(
        None, max_length=64, description="An Organization entity's uuid; an empty string clears it."
    )


class CaseStatusIn(Strict):
    status: Status
    reason: str = Field("", max_length=4_000, description="Why; written to the case's log.")


class ParticipantIn(Strict):
    agency: str = Field(min_length=1, max_length=32, description="The code of the agency invited.")


class LinkIn(Strict):
    record: str = Field(
        min_length=1,
        max_length=64,
        description="The uuid of a seizure, entity or intelligence report you can see.",
    )
    note: str = Field("", max_length=4_000, description="Why it belongs to the case.")


class NoteIn(Strict):
    body: str = Field(min_length=1, max_length=20_000)


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=20_000)
    reply_to: str | None = Field(None, max_length=64, description="The uuid of the entry this answers.")


class SyndicateRef(BaseModel):
    uuid: str
    caption: str
    ftm_schema: str = Field(description="The FollowTheMoney schema: Organization, Company ...")
    owner_agency: str


class ParticipantOut(BaseModel):
    agency: str
    joined_at: datetime
    owner: bool


class LinkOut(BaseModel):
    record_uuid: str
    record_kind: RecordKind
    caption: str = Field(description="The record's title, caption or reference, as its owner wrote it.")
    owner_agency: str
    linked_by_agency: str
    linked_by: str
    note: str
    linked_at: datetime


class EntryOut(BaseModel):
    uuid: str
    kind: EntryKind
    author_agency: str
    author: str
    body: str
    reply_to: str | None
    created_at: datetime


class CaseSummary(BaseModel):
    uuid: str
    title: str
    status: Status
    owner_agency: str
    offences: list[str]
    is_joint: bool = Field(description="Other agencies take part (a joint investigation).")
    syndicate: SyndicateRef | None = Field(description="Only where you may see the syndicate's entity.")
    created_at: datetime
    updated_at: datetime
    version: int


class CaseOut(CaseSummary):
    summary: str
    created_by: str
    closed_at: datetime | None
    participants: list[ParticipantOut]
    links: list[LinkOut] = Field(
        description="Only the linked records you may see under each record's own sharing rule."
    )
    entries: list[EntryOut] = Field(description="Notes, messages and status changes, oldest first.")
    actions: list[Action] = Field(description="What you may do with this case in its present status.")


class MemberOut(BaseModel):
    uuid: str
    caption: str
    ftm_schema: str
    owner_agency: str
    relation: str = Field(description="The FtM relation: Membership, Directorship, Employment or Ownership.")
    relation_uuid: str
    roles: list[str]
    start_date: list[str]
    end_date: list[str]


class SyndicateOut(SyndicateRef):
    cases: list[CaseSummary] = Field(description="The cases under it that you may see.")
    members: list[MemberOut] = Field(description="Members whose entity and relation you may both see.")
