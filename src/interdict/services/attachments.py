"""Attachments of shared records: stored outside any web root, per owner agency, by content hash;
type checked by content (not by the name or the client's claim); never served inline."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, NotFoundError, PayloadTooLargeError
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.records import agency_code, audit_reads, get_visible, is_uuid, require_owner
from interdict.store.records import Attachment, IntelReport

# (content type, test on the first bytes). Script-capable types (HTML, SVG, XML) are refused.
_SIGNATURES: list[tuple[str, bytes]] = [
    ("application/pdf", b"%PDF-"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/gif", b"GIF8"),
    ("application/zip", b"PK\x03\x04"),
]
_OFFICE = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def sniff(data: bytes, filename: str) -> str:
    for content_type, magic in _SIGNATURES:
        if data.startswith(magic):
            if content_type == "application/zip":
                return _OFFICE.get(Path(filename).suffix.lower(), content_type)
            return content_type
    head = data[:4096]
    if b"\x00" not in head:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        if text and not re.search(r"<\s*(html|svg|script|\?xml|!doctype)", text, re.I):
            return "text/csv" if filename.lower().endswith(".csv") else "text/plain"
    raise BadInputError(
        f"file {filename!r} is not an accepted type (PDF, PNG, JPEG, GIF, plain text, CSV, DOCX, XLSX, ZIP)",
        {"file": "unsupported type"},
    )


def safe_filename(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip(" .") or "attachment"
    return cleaned[:200]


class AttachmentService:
    def __init__(self, audit: AuditLog, root: Path, max_bytes: int) -> None:
        self.audit = audit
        self.root = root
        self.max_bytes = max_bytes

    def add(self, session: Session, actor: Actor, ref: str, filename: str, data: bytes) -> Attachment:
        report = get_visible(session, actor, IntelReport, ref, "intelligence report")
        require_owner(actor, report, "attach files to")
        if len(data) > self.max_bytes:
            raise PayloadTooLargeError(f"file {filename!r} is over the limit of {self.max_bytes} bytes")
        if not data:
            raise BadInputError("file is empty", {"file": "empty"})
        name = safe_filename(filename)
        content_type = sniff(data, name)
        digest = hashlib.sha256(data).hexdigest()
        code = agency_code(session, report.owner_agency_id)
        key = f"{code}/{digest}"
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)
        assert actor.user_id is not None
        att = Attachment(
            uuid=str(uuid.uuid4()),
            record_uuid=report.uuid,
            filename=name,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            storage_key=key,
            created_by_id=actor.user_id,
            created_at=actor.now,
        )
        session.add(att)
        session.flush()
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "attachment.add",
                "ok",
                "attachment",
                att.uuid,
                code,
                report.distribution,
                {"record": report.uuid, "sha256": digest},
            ),
        )
        return att

    def get(self, session: Session, actor: Actor, ref: str, att_ref: str) -> tuple[Attachment, bytes]:
        """The parent's visibility decides; a child id under another parent is simply not found."""
        report = get_visible(session, actor, IntelReport, ref, "intelligence report")
        att = None
        if is_uuid(att_ref):
            att = session.scalars(
                select(Attachment).where(
                    Attachment.uuid == att_ref.lower(), Attachment.record_uuid == report.uuid
                )
            ).one_or_none()
        if att is None:
            raise NotFoundError(f"no attachment {att_ref!r}")
        code = agency_code(session, report.owner_agency_id)
        audit_reads(
            session,
            self.audit,
            actor,
            [report],
            "intel_report",
            f"attachment:{att.uuid}",
            {report.owner_agency_id: code},
        )
        return att, (self.root / att.storage_key).read_bytes()
