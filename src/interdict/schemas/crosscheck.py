"""Cross-check requests and answers (``POST /api/v1/crosscheck``) and the owner's notification inbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from interdict.schemas.common import Strict

IdentifierKind = Literal["phone", "email", "passport", "national_id", "iban", "bank_account", "bic", "imo",
                         "container", "plate", "crypto", "tax_id"]


class IdentifierIn(Strict):
    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=200)


class CrosscheckQuery(Strict):
    """Who to look for: names in any script, a birth date (possibly partial), nationalities (codes or
    names), identifiers in any written form (normalised as on write; a local phone number takes
    ``country``, else the first nationality)."""

    names: list[str] = Field(default_factory=list, max_length=20, examples=[["张伟", "Zhang Wei"]])
    birth_date: str | None = Field(None, max_length=40, examples=["1979-03-05"])
    nationalities: list[str] = Field(default_factory=list, max_length=10, examples=[["CN"]])
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)
    country: str | None = Field(None, max_length=60, description="Country for numbers written in local format")
    schema_: Literal["Person", "Organization", "Company", "LegalEntity", "Vessel", "Vehicle", "BankAccount",
                     "CryptoWallet"] = Field("Person", alias="schema")
    limit: int = Field(10, ge=1, le=200)
    threshold: float | None = Field(
        None, ge=0.0, le=1.0, description="Lowest score returned; default: the engine's recommended threshold"
    )


class CandidateOut(BaseModel):
    ref: str
    caption: str
    schema_: str = Field(alias="schema")
    owner_agency: str
    score: float
    explanation: str


class BlindHitOut(BaseModel):
    agency_code: str
    message: str


class ListHitOut(BaseModel):
    """An entry of a published watch list that matches (lists are public: never blind)."""

    list_code: str
    list_title: str
    published_on: date | None
    entry_id: str
    caption: str
    programs: list[str]
    score: float
    explanation: str


class CrosscheckOut(BaseModel):
    candidates: list[CandidateOut]
    blind_hits: list[BlindHitOut] = Field(
        description="Agencies holding a matching record you may not see: only the agency, never the record"
    )
    notes: list[str]
    list_hits: list[ListHitOut] = Field(default_factory=list, description="Matching watch-list entries")


class NotificationOut(BaseModel):
    """One of your agency's records matched another agency's cross-check (it could not see the record)."""

    uuid: str
    requester_agency: str
    requested_by: str
    entity_ref: str
    entity_caption: str
    created_at: datetime


class AlertOut(BaseModel):
    """Automatic cross-matching: one of your agency's entities matched another (``other_*`` and the score
    only where your agency may see the other entity; otherwise only the agency that holds it)."""

    uuid: str
    created_at: datetime
    own_ref: str
    own_caption: str
    other_agency: str
    other_ref: str | None
    other_caption: str | None
    score: float | None
    explanation: str | None
    message: str


class WatchListOut(BaseModel):
    """The current version of a published list on the platform, with its provenance."""

    code: str
    title: str
    publisher: str
    published_on: date | None
    source: str
    sha256: str
    entries: int
    programs: list[str] = Field(description="The programmes imported; empty: the whole list")
    imported_at: datetime


class WatchListImportOut(BaseModel):
    code: str
    title: str
    sha256: str
    entries: int
    unchanged: bool = Field(description="The same file was already the current version: nothing changed")
    superseded: int = Field(description="Entries of the previous version, no longer screened")
    warnings: list[str]


class WatchListAlertOut(BaseModel):
    """One of your agency's entities matched a watch-list entry when it was written."""

    uuid: str
    created_at: datetime
    entity_ref: str
    entity_caption: str
    list_code: str
    list_title: str
    entry_id: str
    entry_caption: str
    programs: list[str]
    score: float
    explanation: str
