from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from interdict.schemas.common import SharingIn, SharingOut, Strict


class IncidentChemicalIn(Strict):
    substance: str = Field(
        max_length=200, description="A precursor chemical: catalogue code or any name", examples=["APAAN"]
    )
    quantity: float | None = Field(None, description="As reported", examples=[250])
    unit: str = Field("kg", max_length=30, description="g, kg, t, l, ml ...", examples=["kg"])


class IncidentEquipmentIn(Strict):
    equipment: str = Field(
        max_length=200,
        description="tableting_machine, encapsulating_machine, reactor, hydrogenator, "
        "distillation_apparatus, pill_press_die, other_equipment",
        examples=["tableting_machine"],
    )
    count: float | None = Field(None, description="Number of units", examples=[2])
    unit: str = Field("units", max_length=30)


class PrecursorIncidentCreate(SharingIn):
    kind: str = Field(
        max_length=40,
        description="stopped_shipment, suspicious_order, precursor_seizure, equipment_seizure, theft, diversion",
        examples=["precursor_seizure"],
    )
    occurred_on: date | None = None
    country: str = Field(max_length=60, description="ISO 3166-1 code or English name", examples=["LA"])
    summary: str = Field(max_length=300, examples=["APAAN declared as fertiliser stopped at the border"])
    place: str = Field("", max_length=200)
    narrative: str = Field("", max_length=20_000)
    methods: list[str] = Field(default_factory=list, max_length=20, examples=[["false_declaration"]])
    origin_country: str = Field("", max_length=60)
    destination_country: str = Field("", max_length=60)
    transit_countries: list[str] = Field(default_factory=list, max_length=20)
    chemicals: list[IncidentChemicalIn] = Field(default_factory=list, max_length=60)
    equipment: list[IncidentEquipmentIn] = Field(default_factory=list, max_length=60)
    reference: str = Field("", max_length=100, description="Your agency's own reference (unique per agency)")
    notification: str = Field(
        "", max_length=40, description="A pre-export notification your agency may see: uuid or reference"
    )


class IncidentLinePublic(BaseModel):
    line: int
    item_kind: str
    substance: str
    substance_name: str
    equipment: str
    equipment_label: str
    reported_name: str
    quantity: float
    unit: str
    mass_kg: float | None
    count: float | None
    count_unit: str


class PrecursorIncidentPublic(BaseModel):
    uuid: str
    reference: str
    kind: str
    kind_label: str
    occurred_on: date
    country: str
    place: str
    summary: str
    narrative: str
    methods: list[str]
    origin_country: str
    destination_country: str
    transit_countries: list[str]
    lines: list[IncidentLinePublic]
    total_mass_kg: float
    equipment_units: float
    notification: str | None = Field(description="The linked notification's reference, where you may see it")
    notification_uuid: str | None
    seizure_uuid: str | None = Field(
        description="The seizure record of the chemicals seized, where you may see it"
    )
    sharing: SharingOut
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int


class IncidentStatsRow(BaseModel):
    key: str
    label: str
    incidents: int
    mass_kg: float
    equipment_units: float


class IncidentStatsOut(BaseModel):
    by: str
    date_from: date | None
    date_to: date | None
    rows: list[IncidentStatsRow]
    total_incidents: int
    total_mass_kg: float
    total_equipment_units: float
    scope: str = Field(description="Which incidents were counted: those your agency may see")
