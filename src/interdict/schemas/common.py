from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interdict.domain.sharing import Distribution

T = TypeVar("T")


class Strict(BaseModel):
    """Input models refuse unknown fields: a client cannot slip in owner_agency or created_by (A5)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """NUL is never meaningful text, and PostgreSQL cannot store it (SQLite would): refuse it on both."""
        if _has_nul(value):
            raise ValueError("must not contain NUL (\\x00) characters")
        return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


class SharingIn(Strict):
    distribution: Distribution = Field(
        Distribution.AGENCY, description="agency | agencies | mechanisms | all", examples=["mechanisms"]
    )
    agencies: list[str] = Field(
        default_factory=list, max_length=500, description="Agency codes, with `agencies`."
    )
    mechanisms: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Mechanism codes, with `mechanisms`.",
        examples=[["SCO"]],
    )
    handling_conditions: list[str] = Field(
        default_factory=list, max_length=10, description="no_onward_sharing, not_for_evidence"
    )
    handling_notes: str = Field("", max_length=2000, description="Free-text handling conditions.")
    contains_personal_data: bool = False
    hit_notification: bool = Field(
        True, description="May a cross-check hit reveal this record exists to those who cannot see it?"
    )


class SharingOut(BaseModel):
    owner_agency: str
    distribution: Distribution
    agencies: list[str]
    mechanisms: list[str]
    handling_conditions: list[str]
    handling_notes: str
    contains_personal_data: bool
    hit_notification: bool


class DistributionChange(Strict):
    distribution: Distribution
    agencies: list[str] = Field(default_factory=list, max_length=500)
    mechanisms: list[str] = Field(default_factory=list, max_length=100)
    handling_conditions: list[str] | None = Field(None, max_length=10, description="Unchanged when omitted.")
    reason: str = Field("", max_length=2000)


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    has_more: bool
    total: int | None = Field(None, description="Only when `with_total=true` was asked for.")


class Stamp(BaseModel):
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int


def comma_list(text: str) -> list[str]:
    """``"A, B,,C"`` -> ``["A", "B", "C"]``: the codes a form field or a CLI option lists."""
    return [part.strip() for part in text.split(",") if part.strip()]
