"""Intelligence reports: the first shared record type, and the pattern later ones follow."""

from __future__ import annotations

import builtins
import csv
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.intel import IntelCategory, SourceReliability
from interdict.domain.sharing import Distribution, HandlingCondition
from interdict.io.csvsafe import cell
from interdict.io.markdown import render
from interdict.schemas.common import DistributionChange, SharingOut
from interdict.schemas.intel import AttachmentPublic, IntelReportCreate, IntelReportPublic, IntelReportUpdate
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.records import (
    apply_distribution,
    audit_reads,
    change_distribution,
    contains_pattern,
    get_visible,
    owner_codes,
    read_one,
    require_owner,
    require_version,
    require_writer,
    sharing_of,
    sharing_page,
    usernames,
)
from interdict.services.sharing import (
    DistributionRequest,
    resolve_distribution,
    store_targets,
    visible_select,
)
from interdict.store.records import Attachment, IntelReport
from interdict.store.structure import Agency

KIND = "intel_report"


@dataclass(frozen=True)
class IntelFilters:
    category: str | None = None
    tag: str | None = None
    country: str | None = None
    owner: str | None = None
    distribution: str | None = None
    q: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


class IntelService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    # -- write ---------------------------------------------------------------------------------------
    def create(self, session: Session, actor: Actor, data: IntelReportCreate) -> IntelReport:
        require_writer(actor)
        assert actor.agency_id is not None and actor.user_id is not None
        resolved = resolve_distribution(
            session,
            actor,
            DistributionRequest(
                data.distribution.value, data.agencies, data.mechanisms, data.handling_conditions
            ),
        )
        report = IntelReport(
            uuid=str(uuid.uuid4()),
            owner_agency_id=actor.agency_id,
            distribution=resolved.distribution.value,
            handling_conditions=list(resolved.handling_conditions),
            handling_notes=data.handling_notes,
            contains_personal_data=data.contains_personal_data,
            hit_notification=data.hit_notification,
            title=data.title,
            body=data.body,
            category=data.category.value,
            source_reliability=data.source_reliability.value,
            info_accuracy=data.info_accuracy,
            tags=data.tags,
            countries=data.countries,
            substances=data.substances,
            created_at=actor.now,
            updated_at=actor.now,
            created_by_id=actor.user_id,
            updated_by_id=actor.user_id,
            version=1,
        )
        session.add(report)
        store_targets(session, report.uuid, resolved)
        session.flush()
        self.audit.record(
            session,
            actor,
            AuditEvent("record.create", "ok", KIND, report.uuid, actor.agency_code, report.distribution),
        )
        return report

    def update(self, session: Session, actor: Actor, ref: str, data: IntelReportUpdate) -> IntelReport:
        report = get_visible(session, actor, IntelReport, ref, "intelligence report")
        require_owner(actor, report, "change")
        require_version(report, data.version, "report")
        changed = data.model_dump(exclude_unset=True, exclude={"version"}, mode="json")
        for name, value in changed.items():
            if value is None:
                raise BadInputError(f"{name} may not be null", {name: "may not be null"})
            setattr(report, name, value)
        assert actor.user_id is not None
        report.version += 1
        report.updated_at, report.updated_by_id = actor.now, actor.user_id
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "record.update",
                "ok",
                KIND,
                report.uuid,
                actor.agency_code,
                report.distribution,
                {"fields": sorted(changed)},
            ),
        )
        return report

    def change_distribution(
        self, session: Session, actor: Actor, ref: str, data: DistributionChange
    ) -> IntelReport:
        return change_distribution(
            session, self.audit, actor, IntelReport, ref, "intelligence report", KIND, data
        )

    def apply_distribution(
        self, session: Session, actor: Actor, report: IntelReport, req: DistributionRequest, reason: str
    ) -> None:
        apply_distribution(session, self.audit, actor, report, KIND, req, reason)

    # -- read ----------------------------------------------------------------------------------------
    def get(self, session: Session, actor: Actor, ref: str) -> IntelReport:
        return read_one(session, self.audit, actor, IntelReport, ref, "intelligence report", KIND)

    def query(self, session: Session, actor: Actor, f: IntelFilters) -> Select[Any]:
        dist = Distribution(f.distribution) if f.distribution else None
        stmt = visible_select(session, actor, IntelReport, dist)
        if f.category:
            stmt = stmt.where(IntelReport.category == f.category)
        if f.owner:
            owner_id = session.scalar(select(Agency.id).where(Agency.code == f.owner))
            stmt = stmt.where(IntelReport.owner_agency_id == (owner_id or -1))
        if f.tag:
            stmt = stmt.where(
                type_coerce(IntelReport.tags, Text).contains(json.dumps(f.tag, ensure_ascii=False))
            )
        if f.country:
            stmt = stmt.where(
                type_coerce(IntelReport.countries, Text).contains(json.dumps(f.country.upper()))
            )
        if f.q:
            pattern = contains_pattern(f.q)
            stmt = stmt.where(
                or_(
                    IntelReport.title.ilike(pattern, escape="\\"),
                    IntelReport.body.ilike(pattern, escape="\\"),
                )
            )
        if f.created_from:
            stmt = stmt.where(IntelReport.created_at >= f.created_from)
        if f.created_to:
            stmt = stmt.where(IntelReport.created_at < f.created_to)
        return stmt

    def list(
        self,
        session: Session,
        actor: Actor,
        f: IntelFilters,
        limit: int,
        offset: int,
        with_total: bool = False,
    ) -> tuple[list[IntelReport], bool, int | None]:
        stmt = self.query(session, actor, f)
        rows = list(
            session.scalars(
                stmt.order_by(IntelReport.created_at.desc(), IntelReport.id.desc())
                .limit(limit + 1)
                .offset(offset)
            )
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        total = self.count(session, actor, f, audit=False) if with_total else None
        audit_reads(session, self.audit, actor, rows, KIND, "list", owner_codes(session, rows))
        return rows, has_more, total

    def count(self, session: Session, actor: Actor, f: IntelFilters, audit: bool = True) -> int:
        stmt = self.query(session, actor, f)
        return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)

    def export(self, session: Session, actor: Actor, f: IntelFilters, fmt: str) -> tuple[str, int, int]:
        """All visible reports matching ``f`` as CSV or JSON lines. Reports of other agencies that carry
        ``no_onward_sharing`` are left out (they may not leave the platform without the owner's
        permission) and counted. Returns (text, exported, withheld)."""
        rows = list(
            session.scalars(self.query(session, actor, f).order_by(IntelReport.created_at, IntelReport.id))
        )
        kept = [
            r
            for r in rows
            if r.owner_agency_id == actor.agency_id
            or HandlingCondition.NO_ONWARD_SHARING.value not in r.handling_conditions
        ]
        codes = owner_codes(session, kept)
        audit_reads(session, self.audit, actor, kept, KIND, "export", codes)
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "record.export",
                "ok",
                KIND,
                detail={"format": fmt, "exported": len(kept), "withheld": len(rows) - len(kept)},
            ),
        )
        records = [_export_row(r, codes) for r in kept]
        if fmt == "jsonl":
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        else:
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(EXPORT_COLUMNS)
            for r in records:
                writer.writerow(
                    [cell(r[c] if not isinstance(r[c], list) else ";".join(r[c])) for c in EXPORT_COLUMNS]
                )
            text = buf.getvalue()
        return text, len(kept), len(rows) - len(kept)

    # -- presentation ---------------------------------------------------------------------------------
    def sharing_of(self, session: Session, report: Any) -> SharingOut:
        return sharing_of(session, report)

    def public(self, session: Session, actor: Actor, report: IntelReport) -> IntelReportPublic:
        return self.public_page(session, actor, [report])[0]

    def public_page(
        self, session: Session, actor: Actor, reports: Sequence[IntelReport]
    ) -> builtins.list[IntelReportPublic]:
        """What a caller is shown of each report, with every lookup done once for the whole page."""
        if not reports:
            return []
        sharing = sharing_page(session, actor, reports)
        names = usernames(session, (r.created_by_id for r in reports))
        attachments: dict[str, list[AttachmentPublic]] = {r.uuid: [] for r in reports}
        for a in session.scalars(
            select(Attachment).where(Attachment.record_uuid.in_(list(attachments))).order_by(Attachment.id)
        ):
            attachments[a.record_uuid].append(
                AttachmentPublic(
                    uuid=a.uuid,
                    filename=a.filename,
                    content_type=a.content_type,
                    size=a.size,
                    sha256=a.sha256,
                    created_at=a.created_at,
                )
            )
        return [
            IntelReportPublic(
                uuid=r.uuid,
                title=r.title,
                body=r.body,
                body_html=render(r.body),
                category=IntelCategory(r.category),
                source_reliability=SourceReliability(r.source_reliability),
                info_accuracy=r.info_accuracy,
                grading=f"{r.source_reliability}{r.info_accuracy}",
                tags=r.tags,
                countries=r.countries,
                substances=r.substances,
                sharing=sharing[r.uuid],
                attachments=attachments[r.uuid],
                created_at=r.created_at,
                created_by=names.get(r.created_by_id, "?"),
                updated_at=r.updated_at,
                version=r.version,
            )
            for r in reports
        ]


EXPORT_COLUMNS = (
    "uuid",
    "owner_agency",
    "distribution",
    "handling_conditions",
    "title",
    "category",
    "grading",
    "tags",
    "countries",
    "substances",
    "created_at",
    "body",
)


def _export_row(r: IntelReport, codes: dict[int, str]) -> dict[str, Any]:
    return {
        "uuid": r.uuid,
        "owner_agency": codes.get(r.owner_agency_id),
        "distribution": r.distribution,
        "handling_conditions": r.handling_conditions,
        "title": r.title,
        "category": r.category,
        "grading": f"{r.source_reliability}{r.info_accuracy}",
        "tags": r.tags,
        "countries": r.countries,
        "substances": r.substances,
        "created_at": r.created_at.isoformat(),
        "body": r.body,
    }
