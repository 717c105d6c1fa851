"""Indicator values in and out (API, CLI, pages)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from interdict.schemas.common import Strict


class IndicatorValueCreate(Strict):
    indicator: str = Field(min_length=1, max_length=100, examples=["opium_poppy_cultivation"])
    area: str = Field(min_length=1, max_length=100, examples=["MM"])
    period: str = Field(min_length=1, max_length=16, examples=["2023"])
    value: float = Field(examples=[47100])
    unit: str = Field("", max_length=32, description="As reported; empty means the indicator's unit.")
    low: float | None = Field(None, description="Lower bound of the published range, in the same unit.")
    high: float | None = Field(None, description="Upper bound of the published range, in the same unit.")
    source: str = Field(min_length=1, max_length=300, examples=["UNODC, Myanmar Opium Survey 2023"])
    source_table: str = Field("", max_length=200)
    source_page: str = Field("", max_length=40)
    source_url: str = Field("", max_length=500)
    note: str = Field("", max_length=5000)


class IndicatorValuePublic(BaseModel):
    uuid: str
    indicator: str
    indicator_name: str
    area: str
    area_name: str
    period: str
    period_start: date
    period_end: date
    revision: int
    value: float
    unit: str
    low: float | None
    high: float | None
    reported_value: float
    reported_unit: str
    source: str
    source_table: str
    source_page: str
    source_url: str
    note: str
    import_uuid: str | None
    import_row: int | None
    entered_by: str
    agency: str
    entered_at: datetime


class IndicatorImportResult(BaseModel):
    import_uuid: str
    rows: int
    created: int = Field(description="Values written (each a new revision where the figure existed).")
    revised: int = Field(description="Of those, values that revised an existing figure.")
    unchanged: int = Field(description="Statements already recorded (same figure, range and source).")
    empty: int = Field(description="Empty cells of a wide table (no figure for that period).")


class IndicatorCatalogueEntry(BaseModel):
    code: str
    name: str
    unit: str
    kind: str
    description: str
    substance: str


class FactorOut(BaseModel):
    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str


class EstimateOut(BaseModel):
    what: str
    value: float
    low: float
    high: float
    unit: str
    steps: list[str]
    factors: list[FactorOut]
