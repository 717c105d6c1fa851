"""Control status by jurisdiction, imports of national lists, and the scheduling-gap report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from interdict.schemas.common import Strict


class ControlStatusCreate(Strict):
    """A control status, or a decontrol (``decontrolled``), of a substance or of a whole analogue group."""

    substance: str = Field(
        "",
        max_length=200,
        description="Catalogue code, CAS number or any name in any script",
        examples=["ketamine"],
    )
    group: str = Field(
        "", max_length=64, description="Analogue group for a class-wide control, instead of a substance",
        examples=["fentanyl_analogue"],
    )  # fmt: skip
    jurisdiction: str = Field(max_length=8, description="ISO 3166-1 alpha-2 country, or EU", examples=["TH"])
    schedule: str = Field(
        "", max_length=200, description="As the jurisdiction names it", examples=["Category 1"]
    )
    decontrolled: bool = Field(
        False, description="True: control of the substance (or group) ends on in_force"
    )
    in_force: date
    until: date | None = None
    legal_reference: str = Field("", max_length=2000)
    source: str = Field("", max_length=2000)


class ControlStatusPublic(BaseModel):
    uuid: str
    substance: str
    substance_name: str
    group: str
    group_label: str
    jurisdiction: str
    schedule: str
    decontrolled: bool
    in_force: date | None
    until: date | None
    legal_reference: str
    source: str
    recorded_by: str
    recorded_agency: str
    recorded_at: datetime | None
    import_uuid: str | None


class RecordResult(BaseModel):
    outcome: Literal["added", "unchanged"]
    status: ControlStatusPublic
    superseded: str | None = Field(None, description="uuid of the earlier status this one closed")


class AnswerPublic(BaseModel):
    controlled: bool
    schedule: str
    since: date | None
    basis: Literal["listing", "class", "convention"] | None
    decontrolled_since: date | None
    via: str = Field("", description="The regional body (EU) whose status a member country takes")


class JurisdictionStatus(BaseModel):
    jurisdiction: str
    name: str
    kind: str
    on: AnswerPublic
    history: list[ControlStatusPublic]


class SubstanceStatusOut(BaseModel):
    substance: str
    name: str
    category: str
    group: str
    group_label: str
    day: date
    jurisdictions: list[JurisdictionStatus]


class JurisdictionPublic(BaseModel):
    code: str
    kind: str
    name: str
    members: list[str]
    statuses: int


class ImportResult(BaseModel):
    import_uuid: str | None = Field(None, description="None when the file changed nothing")
    rows: int
    added: int
    unchanged: int
    superseded: int


class GapCell(BaseModel):
    jurisdiction: str
    controlled: bool
    schedule: str
    since: date | None
    basis: Literal["listing", "class", "convention"] | None
    via: str = ""


class EvidenceByCountry(BaseModel):
    country: str
    seizures: int
    seizure_kg: float
    incidents: int
    incident_kg: float


class GapRowPublic(BaseModel):
    substance: str
    name: str
    category: str
    group: str
    controlled_in: list[str]
    not_controlled_in: list[str]
    cells: list[GapCell]
    seizures: int
    seizure_kg: float
    incidents: int
    incident_kg: float
    evidence: list[EvidenceByCountry]


class GroupCellPublic(BaseModel):
    jurisdiction: str
    class_wide: bool
    since: date | None
    schedule: str
    listed: int
    total: int


class GroupRowPublic(BaseModel):
    group: str
    label: str
    members: int
    cells: list[GroupCellPublic]


class GapReport(BaseModel):
    mechanism: str
    mechanism_name: str
    on: date
    period_from: date
    period_to: date
    category: str | None
    reference: str = Field(description="The jurisdiction shown for reference only (UN)")
    jurisdictions: list[str] = Field(description="The countries of the mechanism's current member agencies")
    rows: list[GapRowPublic]
    groups: list[GroupRowPublic]
