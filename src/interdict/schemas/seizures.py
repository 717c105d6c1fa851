from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from interdict.schemas.common import SharingIn, SharingOut, Strict


class SeizureItemIn(Strict):
    substance: str = Field(
        min_length=1,
        max_length=200,
        description="Catalogue code or any name in any script",
        examples=["冰毒"],
    )
    quantity: float = Field(description="As reported", examples=[12.5])
    unit: str = Field(max_length=30, description="g, kg, t, tablets, l, ml, plants, ha ...", examples=["kg"])
    purity_pct: float | None = Field(None, description="0 < purity <= 100")
    form: str = Field("", max_length=40, examples=["crystal"])


class AssetIn(Strict):
    kind: str = Field(description="cash, vehicle, vessel, property, firearm, other")
    description: str = Field("", max_length=300)
    count: int = 1
    value: float | None = None
    currency: str = Field("", max_length=3, description="ISO 4217, with a value")


class SeizureCreate(SharingIn):
    seized_on: date
    country: str = Field(max_length=60, description="ISO 3166-1 code or English name", examples=["TH"])
    items: list[SeizureItemIn] = Field(min_length=1, max_length=50)
    reference: str = Field("", max_length=100, description="The agency's own case or seizure reference")
    subdivision: str = Field("", max_length=10, description="ISO 3166-2, e.g. TH-57")
    place: str = Field("", max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    location_type: str = Field(
        "inland", description="inland, border_crossing, airport, seaport, river_port, postal_hub"
    )
    port: str = Field("", max_length=100, description="Port, airport or crossing: code or name")
    concealment: str = Field("", max_length=200)
    transport_mode: str = Field("", max_length=16)
    origin_country: str = Field("", max_length=60)
    transit_countries: list[str] = Field(default_factory=list, max_length=20)
    destination_country: str = Field("", max_length=60)
    suspects_arrested: int = Field(0, ge=0, le=100_000)
    suspect_nationalities: list[str] = Field(default_factory=list, max_length=50)
    assets: list[AssetIn] = Field(default_factory=list, max_length=50)
    operation: str | None = Field(
        None, max_length=40, description="Code of a joint operation your agency takes part in"
    )
    narrative: str = Field("", max_length=20_000)


class OperationTag(Strict):
    operation: str | None = Field(description="Operation code; null removes the tag")
    version: int = Field(ge=1)


class SeizureItemPublic(BaseModel):
    line: int
    substance: str
    substance_name: str
    category: str
    reported_name: str
    quantity: float
    unit: str
    mass_kg: float | None
    count: float | None
    count_unit: str
    factor: str
    purity_pct: float | None
    form: str


class SeizurePublic(BaseModel):
    uuid: str
    reference: str
    seized_on: date
    country: str
    subdivision: str
    place: str
    latitude: float | None
    longitude: float | None
    location_type: str
    port: str
    concealment: str
    transport_mode: str
    origin_country: str
    transit_countries: list[str]
    destination_country: str
    suspects_arrested: int
    suspect_nationalities: list[str]
    assets: list[dict[str, Any]]
    operation: str | None
    narrative: str
    items: list[SeizureItemPublic]
    total_mass_kg: float
    sharing: SharingOut
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int


class ImportRefusal(BaseModel):
    row: int
    column: str
    message: str


class ImportReport(BaseModel):
    import_uuid: str | None = Field(description="Absent when nothing was loaded")
    filename: str
    sha256: str
    layout: str
    mode: str
    rows: int
    seizures_created: int
    rows_loaded: int
    rows_unchanged: int = Field(description="Rows already imported with the same values (re-import)")
    rows_refused: int
    loaded: bool
    errors: list[ImportRefusal] = Field(description="The first problems, row and column named")
    errors_truncated: bool


class StatsRow(BaseModel):
    key: dict[str, str]
    seizures: int
    mass_kg: float
    counts: dict[str, float]
    previous_seizures: int | None
    previous_mass_kg: float | None
    change_mass_pct: float | None


class StatsOut(BaseModel):
    by: list[str]
    date_from: date | None
    date_to: date | None
    previous_from: date | None
    previous_to: date | None
    rows: list[StatsRow]
    total_seizures: int
    total_mass_kg: float
    scope: str


class OperationCreate(Strict):
    code: str = Field(
        min_length=2, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9-]*$", examples=["SAFE-MEKONG-2026"]
    )
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    starts_on: date
    ends_on: date
    participants: list[str] = Field(
        default_factory=list, max_length=100, description="Agency codes besides the lead"
    )
    target_substances: list[str] = Field(default_factory=list, max_length=50)
    target_routes: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Routes as ORIGIN>DESTINATION country codes",
        examples=[["MM>TH"]],
    )


class OperationPublic(BaseModel):
    uuid: str
    code: str
    name: str
    description: str
    starts_on: date
    ends_on: date
    lead_agency: str
    participants: list[str]
    target_substances: list[str]
    target_routes: list[str]
    created_at: datetime
    version: int


class ResultLineIn(Strict):
    substance: str = Field("", max_length=200, description="Empty for the line of cases and arrests only")
    cases: int = Field(0, ge=0, le=10_000_000)
    suspects_arrested: int = Field(0, ge=0, le=10_000_000)
    quantity: float | None = None
    unit: str = Field("", max_length=30)
    note: str = Field("", max_length=2000)


class ResultsIn(Strict):
    lines: list[ResultLineIn] = Field(min_length=1, max_length=200)


class ConsolidatedLine(BaseModel):
    agency: str
    substance: str
    tagged_seizures: int
    tagged_mass_kg: float
    tagged_count: float
    reported_cases: int | None
    reported_mass_kg: float | None
    reported_count: float | None
    count_unit: str
    mass_kg: float
    count: float
    basis: str
    note: str


class ParticipantTotal(BaseModel):
    agency: str
    cases: int
    suspects_arrested: int
    mass_kg: float
    share_mass_pct: float | None
    basis: str


class ConsolidatedOut(BaseModel):
    operation: OperationPublic
    lines: list[ConsolidatedLine]
    participants: list[ParticipantTotal]
    by_substance: dict[str, float]
    total_cases: int
    total_suspects: int
    total_mass_kg: float
    scope: str
