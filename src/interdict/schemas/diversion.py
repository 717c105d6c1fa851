"""Diversion rules, annual legitimate requirements and flags: what a client sends and gets back.
``services/diversion.py`` holds the rules; these are only shapes and bounds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from interdict.schemas.common import Strict


class ParamOut(BaseModel):
    name: str
    label: str
    kind: str = Field(description="number, integer or countries (a list of ISO 3166-1 alpha-2 codes)")
    value: Any
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    description: str


class RuleOut(BaseModel):
    code: str = Field(examples=["excess_quantity"])
    label: str
    description: str = Field(description="What the rule flags and when it cannot judge.")
    enabled: bool
    params: list[ParamOut]
    customised: bool = Field(description="False while the agency runs the rule as it comes (on, defaults).")
    updated_by: str | None = None
    updated_at: datetime | None = None


class RuleSettingIn(Strict):
    enabled: bool | None = Field(None, description="Switch the rule on or off; unchanged when omitted.")
    params: dict[str, Any] = Field(
        default_factory=dict,
        max_length=20,
        description="Parameters to change (others keep their value).",
        examples=[{"margin_pct": 25}],
    )


class RequirementIn(Strict):
    country: str = Field(min_length=2, max_length=2, examples=["TH"])
    substance: str = Field(min_length=1, max_length=200, description="A precursor of the catalogue (code or name).",
                           examples=["pseudoephedrine"])
    year: int = Field(ge=1950, le=2200, examples=[2026])
    quantity: float = Field(description="The stated requirement, in ``unit``.", examples=[1200])
    unit: str = Field(min_length=1, max_length=32, description="A mass unit, or l/ml for a liquid of known density.",
                      examples=["kg"])
    source: str = Field("", max_length=300, examples=["INCB Form D estimates, 2026"])
    note: str = Field("", max_length=4_000)


class RequirementOut(BaseModel):
    country: str
    substance: str
    substance_name: str
    year: int
    quantity: float
    unit: str
    quantity_kg: float
    source: str
    note: str
    updated_by: str | None
    updated_at: datetime


class FlagOut(BaseModel):
    rule: str
    agency: str
    reason: str
    details: dict[str, Any]


class FlagsOut(BaseModel):
    reference: str
    flags: list[FlagOut] = Field(description="The flags of your agency's rules, as evaluated now.")
