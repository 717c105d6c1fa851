"""FollowTheMoney entities over the API (``/api/v1/entities``): create, read, change, share, import, export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from interdict.schemas.common import SharingIn, SharingOut, Strict


class EntityCreate(SharingIn):
    """An FtM entity: ``schema`` one of the supported schemata, ``properties`` FtM property names to lists
    of values (a single string is taken as a one-value list). Identifiers are normalised on write; a
    value that fails its check is refused, naming the property and the value."""

    schema_: str = Field(alias="schema", min_length=1, max_length=40, examples=["Person"])
    id: str | None = Field(None, max_length=200, description="Your FtM id; default: the record's uuid")
    properties: dict[str, Any] = Field(
        default_factory=dict, examples=[{"name": ["张伟"], "birthDate": ["1979-03-05"], "phone": ["138 0013 8000"]}]
    )
    contains_personal_data: bool | None = Field(  # type: ignore[assignment]
        None, description="Default: true for persons, their documents and personal links"
    )


class EntityUpdate(Strict):
    """The entity's whole property map, replacing the stored one; ``version`` is the one you edited."""

    properties: dict[str, Any]
    version: int = Field(ge=1)


class EntityPublic(BaseModel):
    uuid: str
    id: str = Field(description="The FtM id in the owner's files")
    schema_: str = Field(alias="schema", serialization_alias="schema")
    caption: str
    properties: dict[str, list[str]]
    source: str
    sharing: SharingOut
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int

    model_config = {"populate_by_name": True}


class EntityImportReport(BaseModel):
    sha256: str
    entities: int
    created: int
    updated: int
    unchanged: int
    sharing_kept: int = Field(description="Existing entities whose requested sharing differed: theirs was kept")
    alerts: int = Field(description="Automatic cross-matching alerts raised by the import")
