from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from interdict.domain.intel import IntelCategory, SourceReliability
from interdict.schemas.common import SharingIn, SharingOut, Strict


def _country_codes(values: list[str]) -> list[str]:
    import pycountry

    out = []
    for value in values:
        code = value.strip().upper()
        if pycountry.countries.get(alpha_2=code) is None:
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        out.append(code)
    return list(dict.fromkeys(out))


class IntelReportCreate(SharingIn):
    title: str = Field(
        min_length=1, max_length=300, examples=["Methamphetamine tablets moved via Bokeo province"]
    )
    body: str = Field("", max_length=100_000, description="Markdown.")
    category: IntelCategory = IntelCategory.OTHER
    source_reliability: SourceReliability = SourceReliability.X
    info_accuracy: int = Field(4, ge=1, le=4)
    tags: list[str] = Field(default_factory=list, max_length=50)
    countries: list[str] = Field(default_factory=list, max_length=50, examples=[["LA", "TH"]])
    substances: list[str] = Field(default_factory=list, max_length=50, examples=[["methamphetamine"]])

    @field_validator("countries")
    @classmethod
    def _countries(cls, v: list[str]) -> list[str]:
        return _country_codes(v)

    @field_validator("tags", "substances")
    @classmethod
    def _short_items(cls, v: list[str]) -> list[str]:
        for item in v:
            if not item.strip() or len(item) > 100:
                raise ValueError(f"each item must be 1 to 100 characters (got {item[:20]!r})")
        return [i.strip() for i in v]


class IntelReportUpdate(Strict):
    """Content fields only; sharing changes through the distribution endpoint."""

    version: int = Field(ge=1, description="The version you edited; a newer stored version answers 409.")
    title: str | None = Field(None, min_length=1, max_length=300)
    body: str | None = Field(None, max_length=100_000)
    category: IntelCategory | None = None
    source_reliability: SourceReliability | None = None
    info_accuracy: int | None = Field(None, ge=1, le=4)
    tags: list[str] | None = Field(None, max_length=50)
    countries: list[str] | None = Field(None, max_length=50)
    substances: list[str] | None = Field(None, max_length=50)

    @field_validator("countries")
    @classmethod
    def _c(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _country_codes(v)


class AttachmentPublic(BaseModel):
    uuid: str
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class IntelReportPublic(BaseModel):
    uuid: str
    title: str
    body: str
    body_html: str
    category: IntelCategory
    source_reliability: SourceReliability
    info_accuracy: int
    grading: str = Field(description="Source reliability and information accuracy, e.g. B2.")
    tags: list[str]
    countries: list[str]
    substances: list[str]
    sharing: SharingOut
    attachments: list[AttachmentPublic]
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int


class OnwardRequestCreate(Strict):
    add_agencies: list[str] = Field(default_factory=list, max_length=100)
    add_mechanisms: list[str] = Field(default_factory=list, max_length=20)
    reason: str = Field(min_length=1, max_length=2000)


class OnwardDecision(Strict):
    approve: bool
    note: str = Field("", max_length=2000)
    distribution: str | None = Field(
        None, description="Explicit new distribution; by default the requested targets are added."
    )
    agencies: list[str] | None = None
    mechanisms: list[str] | None = None


class OnwardRequestPublic(BaseModel):
    uuid: str
    record_uuid: str
    owner_agency: str
    requester_agency: str
    requested_by: str
    add_agencies: list[str]
    add_mechanisms: list[str]
    reason: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    created_at: datetime
