"""Every table, imported in one place for Alembic and the tests."""

from interdict.store.alerts import CrosscheckAlert
from interdict.store.audit import AuditCheckpoint, AuditHead, AuditRow
from interdict.store.base import Base
from interdict.store.cases import Case, CaseEntry, CaseLink, CaseParticipant
from interdict.store.diversion import AnnualRequirement, DiversionRuleSetting
from interdict.store.entities import CrosscheckNotification, Entity, EntityKey
from interdict.store.identity import ApiToken, LoginThrottle, Session, User
from interdict.store.indicators import IndicatorValue
from interdict.store.pen import PenEvent, PrecursorAuthority, PreExportNotification
from interdict.store.precursor_incidents import PrecursorIncident, PrecursorIncidentItem
from interdict.store.records import (
    Attachment,
    Audience,
    IntelReport,
    OnwardRequest,
    RecordShare,
    SharedColumns,
)
from interdict.store.rfi import InformationRequest, RfiAttachment, RfiMessage
from interdict.store.scheduling import ControlStatus, ControlStatusImport
from interdict.store.seizures import (
    Operation,
    OperationParticipant,
    OperationResult,
    Seizure,
    SeizureImport,
    SeizureItem,
)
from interdict.store.structure import Agency, Agreement, Mechanism, MechanismMember, StructureGeneration
from interdict.store.watchlists import WatchList, WatchListAlert, WatchListEntry, WatchListKey

__all__ = [
    "Agency",
    "Agreement",
    "AnnualRequirement",
    "ApiToken",
    "Attachment",
    "Audience",
    "AuditCheckpoint",
    "AuditHead",
    "AuditRow",
    "Base",
    "Case",
    "CaseEntry",
    "CaseLink",
    "CaseParticipant",
    "ControlStatus",
    "ControlStatusImport",
    "CrosscheckAlert",
    "CrosscheckNotification",
    "DiversionRuleSetting",
    "Entity",
    "EntityKey",
    "IndicatorValue",
    "InformationRequest",
    "IntelReport",
    "LoginThrottle",
    "Mechanism",
    "MechanismMember",
    "OnwardRequest",
    "Operation",
    "OperationParticipant",
    "OperationResult",
    "PenEvent",
    "PreExportNotification",
    "PrecursorAuthority",
    "PrecursorIncident",
    "PrecursorIncidentItem",
    "RecordShare",
    "RfiAttachment",
    "RfiMessage",
    "Seizure",
    "SeizureImport",
    "SeizureItem",
    "Session",
    "SharedColumns",
    "StructureGeneration",
    "User",
    "WatchList",
    "WatchListAlert",
    "WatchListEntry",
    "WatchListKey",
]
