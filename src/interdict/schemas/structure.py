from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import pycountry
from pydantic import BaseModel, Field, field_validator, model_validator

from interdict.schemas.common import Strict

AgencyKind = Literal[
    "police", "customs", "drug_control_commission", "precursor_authority", "secretariat", "ministry"
]
CODE_PATTERN = r"^[A-Z0-9][A-Z0-9\-]{1,31}$"


class AgencyCreate(Strict):
    code: str = Field(pattern=CODE_PATTERN, examples=["TH-ONCB"])
    name_en: str = Field(min_length=1, max_length=300, examples=["Office of the Narcotics Control Board"])
    name_local: str = Field("", max_length=300, examples=["สำนักงานคณะกรรมการป้องกันและปราบปรามยาเสพติด"])
    local_language: str = Field("", max_length=8, examples=["th"])
    country: str | None = Field(None, examples=["TH"], description="ISO 3166-1 alpha-2; or set organisation.")
    organisation: str | None = Field(None, max_length=32, examples=[None])
    kind: AgencyKind
    mfa_required: bool = False

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if pycountry.countries.get(alpha_2=v.upper()) is None:
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code")
        return v.upper()

    @model_validator(mode="after")
    def _one_home(self) -> AgencyCreate:
        if (self.country is None) == (self.organisation is None):
            raise ValueError("give exactly one of country (ISO code) or organisation")
        return self


class AgencyUpdate(Strict):
    name_en: str | None = Field(None, min_length=1, max_length=300)
    name_local: str | None = Field(None, max_length=300)
    local_language: str | None = Field(None, max_length=8)
    kind: AgencyKind | None = None
    mfa_required: bool | None = None
    active: bool | None = None


class AgencyPublic(BaseModel):
    code: str
    name_en: str
    name_local: str
    local_language: str
    country: str | None
    country_name: str | None
    organisation: str | None
    kind: str
    mfa_required: bool
    active: bool


class MembershipChange(Strict):
    agency: str = Field(examples=["LA-LCDC"])
    date: date
    role: Literal["member", "observer", "secretariat"] = "member"


class MechanismCreate(Strict):
    code: str = Field(pattern=CODE_PATTERN, examples=["SAFE-MEKONG"])
    name_en: str = Field(min_length=1, max_length=300)
    name_local: str = Field("", max_length=300)
    kind: Literal["multilateral", "bilateral"]
    description: str = Field("", max_length=5000)
    established: date | None = None
    members: list[MembershipChange] = Field(default_factory=list, max_length=300)


class MemberPublic(BaseModel):
    agency: str
    agency_name: str
    role: str
    joined: date
    left: date | None


class MechanismPublic(BaseModel):
    code: str
    name_en: str
    name_local: str
    kind: str
    description: str
    established: date | None
    members: list[MemberPublic]


class AgreementCreate(Strict):
    title: str = Field(min_length=1, max_length=300)
    kind: Literal["bilateral", "mechanism"]
    agencies: list[str] = Field(
        default_factory=list, max_length=2, description="Two agency codes for bilateral."
    )
    mechanism: str | None = None
    categories: list[
        Literal["intelligence", "seizures", "personal_data", "financial", "precursors", "statistics"]
    ] = Field(default_factory=list)
    allows_personal_data: bool = False
    valid_from: date
    valid_to: date | None = None
    reference: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _shape(self) -> AgreementCreate:
        if self.kind == "bilateral" and (
            len(self.agencies) != 2 or self.agencies[0] == self.agencies[1] or self.mechanism
        ):
            raise ValueError("a bilateral agreement names exactly two different agencies and no mechanism")
        if self.kind == "mechanism" and (not self.mechanism or self.agencies):
            raise ValueError("a mechanism agreement names a mechanism and no agencies")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class AgreementPublic(BaseModel):
    uuid: str
    title: str
    kind: str
    agencies: list[str]
    mechanism: str | None
    categories: list[str]
    allows_personal_data: bool
    valid_from: date
    valid_to: date | None
    reference: str
    created_at: datetime
