"""The services wired together for one configuration: what the API, the web pages and the CLI hold."""

from __future__ import annotations

from functools import cached_property

from interdict.services.attachments import AttachmentService
from interdict.services.audit import AuditLog
from interdict.services.auth import Authenticator
from interdict.services.cases import CaseService
from interdict.services.diversion import DiversionService
from interdict.services.entities import EntityService
from interdict.services.indicator_import import IndicatorImporter
from interdict.services.indicators import IndicatorService
from interdict.services.intel import IntelService
from interdict.services.network import NetworkService
from interdict.services.onward import OnwardService
from interdict.services.operations import OperationService
from interdict.services.pen import PenService
from interdict.services.precursor_incidents import PrecursorIncidentService
from interdict.services.rfi import RfiService
from interdict.services.scheduling import SchedulingService
from interdict.services.seizure_import import SeizureImporter
from interdict.services.seizure_stats import SeizureStats
from interdict.services.seizures import SeizureService
from interdict.services.signals import SignalService
from interdict.services.situation_report import SituationReportService
from interdict.services.structure import StructureService
from interdict.services.users import UserService
from interdict.services.watchlists import WatchListService
from interdict.settings import Settings
from interdict.store.db import Database


class Platform:
    def __init__(self, settings: Settings, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db or Database(settings.effective_database_url)
        self.audit = AuditLog(settings.effective_secret_key, settings.audit_checkpoint_every)
        self.auth = Authenticator(settings, self.audit)
        self.structure = StructureService(self.audit)
        self.users = UserService(self.audit, self.auth)
        self.intel = IntelService(self.audit)
        self.onward = OnwardService(self.audit, self.intel)
        self.seizures = SeizureService(self.audit)
        self.entities = EntityService(self.audit)
        self.seizure_import = SeizureImporter(self.audit)
        self.stats = SeizureStats()
        self.indicators = IndicatorService(self.audit)
        self.indicator_import = IndicatorImporter(self.indicators)
        self.signals = SignalService(self.stats, self.intel)
        self.operations = OperationService(self.audit)
        self.situation = SituationReportService(self.stats, self.signals, self.operations, self.indicators)
        self.rfi = RfiService(self.audit)
        self.watchlists = WatchListService(self.audit)
        self.cases = CaseService(self.audit)
        self.network = NetworkService(self.audit)
        self.diversion = DiversionService(self.audit)
        self.scheduling = SchedulingService(self.audit)
        self.pen = PenService(self.audit, self.diversion)
        self.precursor_incidents = PrecursorIncidentService(self.audit, self.seizures)

    @cached_property
    def attachments(self) -> AttachmentService:
        return AttachmentService(
            self.audit, self.settings.data_dir / "attachments", self.settings.attachment_max_bytes
        )

    def upgrade(self) -> None:
        from interdict.store.migrate import upgrade

        upgrade(self.db.url)
