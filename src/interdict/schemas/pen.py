"""Pre-export notifications and competent authorities: what a client sends (``Strict``: unknown fields are
refused) and what it gets back. ``services/pen.py`` holds the rules; these are only shapes and bounds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from interdict.domain.pen import DEFAULT_DEADLINE_DAYS, Answer
from interdict.schemas.common import DistributionChange, SharingOut, Strict

Box = Literal["inbox", "outbox", "transit", "all"]
Role = Literal["exporter", "importer", "transit", "shared"]
TransportMode = Literal["", "sea", "air", "road", "rail", "post", "multimodal"]


class RouteLeg(Strict):
    country: str = Field(min_length=2, max_length=60, description="ISO 3166 code or name.", examples=["SG"])
    place: str = Field("", max_length=200, description="Port, airport, border crossing or zone.")
    mode: TransportMode = ""
    free_trade_zone: bool = Field(
        False, description="Does the consignment pass through a free-trade zone here?"
    )


class PenCreate(Strict):
    importing_country: str = Field(min_length=2, max_length=60, examples=["TH"])
    exporter: str = Field(min_length=1, max_length=300, examples=["Example Fine Chemicals Co. (fictitious)"])
    exporter_address: str = Field("", max_length=2000)
    importer: str = Field(min_length=1, max_length=300)
    importer_address: str = Field("", max_length=2000)
    consignee: str = Field("", max_length=300, description="The final consignee, where not the importer.")
    consignee_address: str = Field("", max_length=2000)
    order_reference: str = Field("", max_length=100, description="The exporter's order or invoice number.")
    substance: str = Field(
        min_length=1,
        max_length=200,
        description="A precursor of the catalogue, by code or name.",
        examples=["acetic_anhydride"],
    )
    quantity: float = Field(gt=0, examples=[2000])
    unit: str = Field(min_length=1, max_length=16, examples=["kg"])
    route: list[RouteLeg] = Field(default_factory=list, max_length=20, description="Legs in order.")
    transit_countries: list[str] = Field(
        default_factory=list, max_length=20, description="Transit countries (added to those of the route)."
    )
    transport_mode: TransportMode = ""
    ship_date: date = Field(description="Planned day of shipment.")
    purpose: str = Field("", max_length=4000, description="Stated legitimate use.")
    deadline_days: int = Field(
        DEFAULT_DEADLINE_DAYS, description="Days the importing authority has to answer (1 to 90)."
    )
    contains_personal_data: bool = Field(
        False, description="True when a natural person is named (companies alone are not personal data)."
    )
    confirm_duplicate: bool = Field(
        False, description="Store it even though a live notification with the same facts exists."
    )


class AnswerIn(Strict):
    version: int = Field(description="The version you read (a newer one answers 409).")
    answer: Answer
    reason: str = Field(
        "",
        max_length=4000,
        description="Required for an objection (the reason) and a request (the question).",
    )


class InformationIn(Strict):
    version: int
    information: str = Field(min_length=1, max_length=20_000, description="The answer to the question asked.")


class ShipmentIn(Strict):
    version: int
    shipped: bool = Field(True, description="False: the shipment did not go ahead.")
    shipped_on: date | None = Field(None, description="Required when shipped.")
    note: str = Field("", max_length=4000)


class ArrivalIn(Strict):
    version: int
    arrived_on: date
    note: str = Field("", max_length=4000)


class WithdrawalIn(Strict):
    version: int
    reason: str = Field("", max_length=4000)


class PenSharingIn(DistributionChange):
    version: int = Field(description="The version you read (a newer one answers 409).")


class DesignationIn(Strict):
    agency: str = Field(min_length=1, max_length=32, description="Code of an agency of that country.")


class AuthorityOut(BaseModel):
    country: str
    country_name: str
    agency: str
    agency_name: str
    designated_at: datetime
    designated_by: str


class TransitAuthority(BaseModel):
    country: str
    agency: str | None = Field(description="None where the country has no designated authority.")


class Flag(BaseModel):
    rule: str
    reason: str
    details: dict[str, Any] = Field(default_factory=dict)


class PenSummary(BaseModel):
    uuid: str
    reference: str
    state: str
    role: Role
    exporting_country: str
    exporting_authority: str
    importing_country: str
    importing_authority: str
    exporter: str
    importer: str
    substance: str
    substance_name: str
    quantity: float
    unit: str
    mass_kg: float | None
    ship_date: date
    notified_at: datetime
    answer_due: date
    overdue: bool
    days_left: int | None = Field(
        description="Days until the answer is due (negative: overdue); while awaiting."
    )
    answer: str | None
    answer_late: bool
    last_reminder_at: datetime | None
    flag_count: int = Field(description="Diversion flags raised for your authority.")
    version: int


class PenOut(PenSummary):
    exporter_address: str
    importer_address: str
    consignee: str
    consignee_address: str
    order_reference: str
    reported_name: str
    count: float | None
    count_unit: str
    route: list[dict[str, Any]]
    transit_countries: list[str]
    transit_authorities: list[TransitAuthority]
    transport_mode: str
    purpose: str
    deadline_days: int
    answer_reason: str
    answered_at: datetime | None
    answered_by: str | None
    shipped: bool | None
    shipped_on: date | None
    arrived_on: date | None
    shipped_without_answer: bool
    duplicate_of: str | None
    flags: list[Flag]
    warnings: list[str]
    actions: list[str] = Field(description="What you may do now.")
    sharing: SharingOut
    contains_personal_data: bool
    created_at: datetime
    updated_at: datetime


class PenEventOut(BaseModel):
    at: datetime
    agency: str
    user: str | None
    event: str
    detail: dict[str, Any]
    late: bool


class RemindOut(BaseModel):
    reminded: list[str] = Field(description="References of the notifications reminded.")
