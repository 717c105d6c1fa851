"""Requests for information between agencies: what a client sends (``Strict``: unknown fields are refused)
and what it gets back. ``services/rfi.py`` holds the rules; these are only shapes and bounds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from interdict.schemas.common import Strict

SubjectKind = Literal["hit", "record", "question"]
Priority = Literal["routine", "urgent"]
State = Literal["sent", "acknowledged", "answered", "declined", "withdrawn"]
MessageKind = Literal["message", "answer", "decline", "withdraw"]
Action = Literal["acknowledge", "message", "answer", "decline", "withdraw"]


class RfiCreate(Strict):
    recipient: str = Field(min_length=1, max_length=32, description="The code of the agency asked.")
    subject_kind: SubjectKind = Field(
        "question",
        description="hit: a blind cross-check hit at the recipient; record: a record you can see; "
        "question: a free question.",
    )
    subject_ref: str | None = Field(
        None,
        max_length=200,
        description="record: its uuid; hit: your note of the hit (the agency named and what you asked); "
        "question: none.",
    )
    title: str = Field(min_length=1, max_length=300)
    body: str = Field("", max_length=20_000, description="The question, in Markdown.")
    priority: Priority = "routine"
    due_on: date | None = Field(None, description="Requested by this date (default: 15 days from today).")


class RfiMessageIn(Strict):
    body: str = Field(min_length=1, max_length=20_000)


class RfiAnswerIn(Strict):
    body: str = Field(min_length=1, max_length=20_000)
    records: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        default_factory=list,
        max_length=50,
        description="Uuids of your agency's own records (intelligence reports, seizures, entities) to "
        "attach. A record shared with named agencies gets the requester added; a record shared with "
        "your agency only is refused until you widen its distribution.",
    )


class RfiDeclineIn(Strict):
    reason: str = Field(min_length=1, max_length=4_000)


class RfiWithdrawIn(Strict):
    reason: str = Field("", max_length=4_000)


class RfiAttachmentOut(BaseModel):
    record_uuid: str
    record_kind: str


class RfiMessageOut(BaseModel):
    uuid: str
    kind: MessageKind
    author_agency: str
    author: str
    body: str
    created_at: datetime
    attachments: list[RfiAttachmentOut]


class RfiSummary(BaseModel):
    reference: str
    uuid: str
    requester_agency: str
    requested_by: str
    recipient_agency: str
    subject_kind: SubjectKind
    subject_ref: str | None
    title: str
    priority: Priority
    due_on: date
    state: State
    overdue: bool = Field(description="Still open (sent or acknowledged) after its due date.")
    created_at: datetime
    updated_at: datetime
    version: int


class RfiOut(RfiSummary):
    body: str
    acknowledged_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    messages: list[RfiMessageOut]
    actions: list[Action] = Field(description="What you may do with this request in its present state.")
