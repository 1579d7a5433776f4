"""Every change to electronic evidence: capture, upload, custody, attestation, export.

Each write is one transaction with its audit entry and its custody entry. The capture itself runs
in a background task (or the CLI), never in a web request: :func:`request_capture` only queues it.
"""

from __future__ import annotations

import io
import json
import mimetypes
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit.services import record
from ecredit.errors import DomainError, ErrorCode
from ecredit.evidence import capture, eml, keys, manifest, storage
from ecredit.evidence.models import (
    Artefact,
    Attestation,
    AttestationKind,
    Capture,
    CustodyAction,
    CustodyEntry,
    Evidence,
    EvidenceFile,
    EvidenceKind,
    EvidenceStatus,
    FileRole,
)
from ecredit.registry.models import Entity

# What this module implements of the regulation, read by `ecredit policy coverage` (docs/adding-a-rule.md).
IMPLEMENTS = {
    "16.2": "电子数据的采集与固定：网页固定（截图、PDF、DOM、WARC/WACZ）、上传电子邮件、EDI 与数据库导出，签名并哈希",
    "20": "以有形载体固定与显示：网页截图与 PDF 打印件、电子数据提取笔录（证书 PDF），视频与存储设备影像可作辅助",
    "21": "真实性确认：当事人确认、公证、公安网监或通信管理部门鉴定、平台证明，各附文书并哈希；保全链与离线核验",
}

BEIJING = ZoneInfo("Asia/Shanghai")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
RECORD_JSON = "record.json"
MANIFEST_JSON = "manifest.json"
MANIFEST_SIG = "manifest.sig"

CAPTURE_FILES = (
    (capture.WACZ, FileRole.WACZ, "application/wacz"),
    (capture.SCREENSHOT, FileRole.SCREENSHOT, "image/png"),
    (capture.PAGE_PDF, FileRole.PDF, "application/pdf"),
    (capture.DOM_HTML, FileRole.DOM, "text/html; charset=utf-8"),
)


def ecredit_version() -> str:
    try:
        return version("ecredit")
    except PackageNotFoundError:
        return "0.1.0"


def allow_private() -> bool:
    return bool(getattr(settings, "EVIDENCE_CAPTURE_ALLOW_PRIVATE", False)) or capture.allow_private_from_env()


def capture_limits() -> capture.Limits:
    return getattr(settings, "EVIDENCE_CAPTURE_LIMITS", None) or capture.Limits()


def _require(actor: Actor, action: Action) -> None:
    if not actor.can(action):
        raise DomainError(ErrorCode.FORBIDDEN)


# --- storage and custody ---------------------------------------------------------------------


def store_artefact(data: bytes, content_type: str) -> Artefact:
    """The artefact holding ``data``: stored now, or the one already stored (same SHA-256)."""
    digest = storage.write_once(data)
    artefact, _created = Artefact.objects.get_or_create(
        sha256=digest, defaults={"size": len(data), "content_type": content_type[:120], "stored_at": timezone.now()}
    )
    return artefact


def _add_file(evidence: Evidence, name: str, data: bytes, role: str, content_type: str) -> EvidenceFile:
    return EvidenceFile.objects.create(
        evidence=evidence, artefact=store_artefact(data, content_type), name=name, role=role
    )


def _custody(evidence: Evidence, action: str, actor: Actor, details: dict[str, Any] | None = None) -> CustodyEntry:
    """Append one link to the item's chain. The caller holds the item's row lock."""
    last = CustodyEntry.objects.filter(evidence=evidence).order_by("-seq").first()
    entry = CustodyEntry(
        evidence=evidence,
        seq=(last.seq + 1) if last else 1,
        action=action,
        at=timezone.now().replace(microsecond=0),
        actor_label=actor.label[:200],
        organisation_name=actor.organisation_name[:200],
        details=details or {},
        prev_hash=last.entry_hash if last else manifest.GENESIS,
    )
    entry.entry_hash = manifest.custody_hash(entry.prev_hash, custody_content(entry))
    entry.save(force_insert=True)
    return entry


def custody_content(entry: CustodyEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "evidence": entry.evidence.number,
        "action": entry.action,
        "at": entry.at.astimezone(BEIJING).isoformat(),
        "actor": entry.actor_label,
        "organisation": entry.organisation_name,
        "details": json.loads(json.dumps(entry.details)),
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def _locked(evidence: Evidence) -> Evidence:
    return Evidence.objects.select_for_update().get(pk=evidence.pk)


def note_custody(*, actor: Actor, evidence: Evidence, action: str, details: dict[str, Any] | None = None) -> None:
    """Record that someone viewed or downloaded the item (the custody log's reading entries)."""
    if action not in (CustodyAction.VIEWED, CustodyAction.DOWNLOADED):
        raise ValueError(action)
    with transaction.atomic():
        _custody(_locked(evidence), action, actor, details)


def _seal(evidence: Evidence) -> None:
    """Write the item's manifest (every file, its size and SHA-256) and its signature."""
    files = [
        manifest.FileEntry(f.name, f.artefact.size, f.artefact.sha256)
        for f in evidence.files.select_related("artefact").exclude(role__in=[FileRole.MANIFEST, FileRole.SIGNATURE])
    ]
    facts = {
        "evidence": evidence.number,
        "kind": evidence.kind,
        "title": evidence.title,
        "source_url": evidence.source_url,
        "created_at": evidence.created_at.astimezone(BEIJING).isoformat(),
        "created_by": evidence.created_by_label,
        "organisation": evidence.organisation.name if evidence.organisation else "",
        "key_fingerprint": keys.fingerprint(),
    }
    body = manifest.build_manifest(files, facts=facts)
    _add_file(evidence, MANIFEST_JSON, body, FileRole.MANIFEST, "application/json")
    _add_file(evidence, MANIFEST_SIG, keys.sign(body) + b"\n", FileRole.SIGNATURE, "text/plain")
    evidence.manifest_sha256 = manifest.sha256(body)
    evidence.key_fingerprint = keys.fingerprint()


# --- capture ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureRequest:
    url: str
    entity: Entity | None = None
    case_ref: str = ""
    inspection_ref: str = ""
    note: str = ""
    accept_invalid_certificates: bool = False  # an HTTPS site whose certificate the browser refuses


def _new_capture(actor: Actor, request: CaptureRequest) -> Evidence:
    _require(actor, Action.EVIDENCE_CAPTURE)
    url = request.url.strip()
    if len(url) > 2000:
        raise DomainError(ErrorCode.VALIDATION, "网址过长（最多 2000 个字符）。", {"url": url[:100]})
    try:
        capture.check_url(url, allow_private=allow_private())
    except capture.CaptureRefused as refused:
        raise DomainError(ErrorCode.VALIDATION, refused.message, refused.details) from None
    evidence = Evidence.objects.create(
        kind=EvidenceKind.CAPTURE,
        status=EvidenceStatus.QUEUED,
        title=url[:300],
        source_url=url,
        entity=request.entity,
        case_ref=request.case_ref.strip(),
        inspection_ref=request.inspection_ref.strip(),
        note=request.note.strip(),
        metadata={"accept_invalid_certificates": True} if request.accept_invalid_certificates else {},
        created_by_id=actor.user_id,
        created_by_label=actor.label[:200],
        organisation_id=actor.organisation_id,
        created_at=timezone.now(),
    )
    record(actor=actor, action="evidence.capture_requested", target=evidence, changes={"url": [None, url]})
    return evidence


def request_capture(*, actor: Actor, request: CaptureRequest) -> Evidence:
    """Queue a capture of ``request.url``; the task runs it after the commit."""
    from ecredit.evidence.tasks import capture_task

    with transaction.atomic():
        evidence = _new_capture(actor, request)

        def enqueue() -> None:
            result = capture_task.enqueue(evidence.pk)
            Evidence.objects.filter(pk=evidence.pk, task_id="").update(task_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    return evidence


def capture_now(*, actor: Actor, request: CaptureRequest) -> Evidence:
    """Capture in this process (the CLI): create the item, then run the capture to the end."""
    with transaction.atomic():
        evidence = _new_capture(actor, request)
    perform_capture(evidence_id=evidence.pk)
    evidence.refresh_from_db()
    return evidence


def _capturing_actor(evidence: Evidence) -> Actor:
    return Actor(
        label=evidence.created_by_label or "系统",
        user_id=evidence.created_by_id,
        organisation_id=evidence.organisation_id,
        organisation_name=evidence.organisation.name if evidence.organisation else "",
        via="system",
    )


def perform_capture(*, evidence_id: int) -> None:
    """Run the browser for a queued item and store what it captured (or why it failed)."""
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence_id)
        if evidence.status != EvidenceStatus.QUEUED:
            return  # already taken by another worker, or done
        evidence.status = EvidenceStatus.CAPTURING
        evidence.save(update_fields=["status"])
    actor = _capturing_actor(evidence)
    with tempfile.TemporaryDirectory(prefix="ecredit-evidence-") as scratch:
        out = Path(scratch)
        try:
            result = capture.run_capture(
                evidence.source_url,
                out,
                allow_private=allow_private(),
                limits=capture_limits(),
                accept_invalid_certificates=bool(evidence.metadata.get("accept_invalid_certificates")),
            )
        except (capture.CaptureRefused, capture.CaptureFailed) as exc:
            details = getattr(exc, "result", None) or getattr(exc, "details", {})
            _fail(evidence, actor, exc.message, details)
            return
        _store_capture(evidence, actor, result, out)


def _fail(evidence: Evidence, actor: Actor, message: str, details: dict[str, Any]) -> None:
    with transaction.atomic():
        evidence = _locked(evidence)
        evidence.status = EvidenceStatus.FAILED
        evidence.error = message[:2000]
        evidence.metadata = {
            **evidence.metadata,
            "blocked": details.get("blocked", []),
            "errors": details.get("errors", []),
        }
        evidence.save(update_fields=["status", "error", "metadata"])
        record(actor=actor, action="evidence.capture_failed", target=evidence, changes={"error": [None, message]})


def _beijing(iso: str | None) -> str | None:
    return datetime.fromisoformat(iso).astimezone(BEIJING).isoformat() if iso else None


def capture_record(evidence: Evidence, result: dict[str, Any]) -> dict[str, Any]:
    """The capture record (电子数据提取记录) kept as ``record.json``."""
    return {
        "format": "ecredit-capture-record/1",
        "evidence": evidence.number,
        "requested_url": result.get("requested_url"),
        "final_url": result.get("final_url"),
        "title": result.get("title"),
        "redirects": result.get("redirects", []),
        "http_status": result.get("status"),
        "http_status_text": result.get("status_text"),
        "server_ip": result.get("server_ip"),
        "server_port": result.get("server_port"),
        "tls": result.get("tls", {}),
        "invalid_certificates_accepted": result.get("invalid_certificates_accepted", False),
        "started_at_utc": result.get("started_at"),
        "started_at_beijing": _beijing(result.get("started_at")),
        "ended_at_utc": result.get("ended_at"),
        "ended_at_beijing": _beijing(result.get("ended_at")),
        "browser": result.get("browser", {}),
        "ecredit_version": ecredit_version(),
        "viewport": result.get("viewport"),
        "user_agent": result.get("user_agent"),
        "officer": evidence.created_by_label,
        "organisation": evidence.organisation.name if evidence.organisation else "",
        "entity": evidence.entity.name if evidence.entity else "",
        "case_ref": evidence.case_ref,
        "inspection_ref": evidence.inspection_ref,
        "note": evidence.note,
        "page_height": result.get("page_height"),
        "screenshot_truncated": result.get("screenshot_truncated", False),
        "archive": result.get("archive", {}),
        "blocked_requests": result.get("blocked", []),
        "errors": result.get("errors", []),
    }


def _store_capture(evidence: Evidence, actor: Actor, result: dict[str, Any], out: Path) -> None:
    with transaction.atomic():
        evidence = _locked(evidence)
        facts = capture_record(evidence, result)
        for name, role, content_type in CAPTURE_FILES:
            _add_file(evidence, name, (out / name).read_bytes(), role, content_type)
        body = json.dumps(facts, ensure_ascii=False, indent=2, sort_keys=True).encode()
        _add_file(evidence, RECORD_JSON, body, FileRole.RECORD, "application/json")
        Capture.objects.create(
            evidence=evidence,
            requested_url=evidence.source_url,
            final_url=str(result.get("final_url") or "")[:2000],
            http_status=result.get("status"),
            server_ip=str(result.get("server_ip") or ""),
            started_at=datetime.fromisoformat(result["started_at"]),
            ended_at=datetime.fromisoformat(result["ended_at"]),
            record=facts,
        )
        evidence.title = (str(result.get("title") or "") or evidence.source_url)[:300]
        evidence.status = EvidenceStatus.READY
        _seal(evidence)
        evidence.save(update_fields=["title", "status", "manifest_sha256", "key_fingerprint"])
        _custody(
            evidence,
            CustodyAction.CAPTURED,
            actor,
            {"url": evidence.source_url, "manifest_sha256": evidence.manifest_sha256},
        )
        record(
            actor=actor,
            action="evidence.captured",
            target=evidence,
            changes={"manifest_sha256": [None, evidence.manifest_sha256]},
        )


# --- uploads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    content_type: str = ""


UPLOAD_EXTENSIONS: dict[str, tuple[str, ...]] = {
    EvidenceKind.EMAIL: (".eml",),
    EvidenceKind.EDI: (".edi", ".x12", ".edifact", ".txt", ".xml", ".json", ".csv"),
    EvidenceKind.DATABASE: (".csv", ".json", ".xml", ".sql", ".xlsx", ".xls", ".db", ".sqlite", ".zip", ".gz", ".dump"),
    EvidenceKind.VIDEO: (".mp4", ".mov", ".webm", ".mkv", ".avi"),
    EvidenceKind.IMAGE: (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".heic"),
    EvidenceKind.OTHER: (),
}


def _safe_name(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip() or "file"
    return "".join(c for c in base if c.isprintable() and c not in '<>:"|?*')[:180] or "file"


def upload_evidence(
    *,
    actor: Actor,
    kind: str,
    title: str,
    files: Iterable[Upload],
    entity: Entity | None = None,
    case_ref: str = "",
    inspection_ref: str = "",
    note: str = "",
) -> Evidence:
    """Store uploaded electronic data (Art. 20): hashed on arrival, stored once by content."""
    _require(actor, Action.EVIDENCE_CAPTURE)
    uploads = list(files)
    if kind not in EvidenceKind.values or kind == EvidenceKind.CAPTURE:
        raise DomainError(ErrorCode.VALIDATION, "请选择证据类型。", {"kind": kind})
    if not title.strip():
        raise DomainError(ErrorCode.VALIDATION, "请填写证据名称。", {"title": title})
    if not uploads:
        raise DomainError(ErrorCode.VALIDATION, "请选择要上传的文件。")
    names = [_safe_name(upload.name) for upload in uploads]
    if len(set(names)) != len(names):
        raise DomainError(ErrorCode.VALIDATION, "文件名重复。", {"names": names})
    allowed = UPLOAD_EXTENSIONS[kind]
    metadata: dict[str, Any] = {}
    for upload, name in zip(uploads, names, strict=True):
        if not upload.data:
            raise DomainError(ErrorCode.VALIDATION, f"文件为空：{name}", {"name": name})
        if len(upload.data) > MAX_UPLOAD_BYTES:
            raise DomainError(ErrorCode.VALIDATION, f"文件过大：{name}（上限 200 MB）", {"name": name})
        if allowed and not name.lower().endswith(allowed):
            raise DomainError(
                ErrorCode.VALIDATION,
                f"文件类型与证据类型不符：{name}（可接受 {' '.join(allowed)}）",
                {"name": name, "allowed": list(allowed)},
            )
        if kind == EvidenceKind.EMAIL:
            try:
                metadata.setdefault("emails", {})[name] = eml.parse_eml(upload.data)
            except ValueError:
                raise DomainError(ErrorCode.VALIDATION, f"无法识别的邮件文件：{name}", {"name": name}) from None
    with transaction.atomic():
        evidence = Evidence.objects.create(
            kind=kind,
            status=EvidenceStatus.READY,
            title=title.strip()[:300],
            entity=entity,
            case_ref=case_ref.strip(),
            inspection_ref=inspection_ref.strip()[:100],
            note=note.strip(),
            metadata=metadata,
            created_by_id=actor.user_id,
            created_by_label=actor.label[:200],
            organisation_id=actor.organisation_id,
            created_at=timezone.now(),
        )
        for upload, name in zip(uploads, names, strict=True):
            content_type = upload.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
            _add_file(evidence, name, upload.data, FileRole.UPLOAD, content_type)
        _seal(evidence)
        evidence.save(update_fields=["manifest_sha256", "key_fingerprint"])
        _custody(
            evidence,
            CustodyAction.UPLOADED,
            actor,
            {"files": names, "manifest_sha256": evidence.manifest_sha256},
        )
        record(actor=actor, action="evidence.uploaded", target=evidence, changes={"files": [None, names]})
    return evidence


# --- case link and attestations --------------------------------------------------------------


def attach_to_case(*, actor: Actor, evidence: Evidence, case_ref: str) -> Evidence:
    _require(actor, Action.EVIDENCE_CAPTURE)
    case_ref = case_ref.strip()
    if not case_ref or len(case_ref) > 100:
        raise DomainError(ErrorCode.VALIDATION, "请填写案件编号（最多 100 个字符）。", {"case_ref": case_ref})
    with transaction.atomic():
        evidence = _locked(evidence)
        before = evidence.case_ref
        evidence.case_ref = case_ref
        evidence.save(update_fields=["case_ref"])
        _custody(evidence, CustodyAction.ATTACHED, actor, {"case_ref": case_ref})
        record(actor=actor, action="evidence.attached", target=evidence, changes={"case_ref": [before, case_ref]})
    return evidence


def _attest(
    actor: Actor,
    evidence: Evidence,
    *,
    kind: str,
    authority: str,
    reference: str,
    statement: str,
    document: Upload | None,
) -> Attestation:
    with transaction.atomic():
        evidence = _locked(evidence)
        artefact = (
            store_artefact(document.data, document.content_type or "application/octet-stream") if document else None
        )
        attestation = Attestation.objects.create(
            evidence=evidence,
            kind=kind,
            authority=authority.strip()[:200],
            reference=reference.strip()[:200],
            statement=statement.strip(),
            document=artefact,
            document_name=_safe_name(document.name) if document else "",
            recorded_by_label=actor.label[:200],
            organisation_name=actor.organisation_name[:200],
            recorded_at=timezone.now(),
        )
        _custody(
            evidence,
            CustodyAction.ATTESTED,
            actor,
            {
                "kind": kind,
                "authority": attestation.authority,
                "reference": attestation.reference,
                "document_sha256": artefact.sha256 if artefact else None,
            },
        )
        record(
            actor=actor, action=f"evidence.attested.{kind}", target=evidence, changes={"authority": [None, authority]}
        )
    return attestation


def record_attestation(
    *,
    actor: Actor,
    evidence: Evidence,
    kind: str,
    authority: str,
    reference: str = "",
    statement: str = "",
    document: Upload | None = None,
) -> Attestation:
    """A notarisation, an appraisal (公安网监 / 通信管理) or a platform certificate, with its document."""
    _require(actor, Action.EVIDENCE_ATTEST)
    if kind not in (AttestationKind.NOTARY, AttestationKind.APPRAISAL, AttestationKind.PLATFORM):
        raise DomainError(ErrorCode.VALIDATION, "请选择确认方式（公证、鉴定或平台证明）。", {"kind": kind})
    if not authority.strip():
        raise DomainError(ErrorCode.VALIDATION, "请填写出具确认的机构。", {"authority": authority})
    if document is None or not document.data:
        raise DomainError(ErrorCode.VALIDATION, "请上传公证书、鉴定意见或平台证明文件。")
    if len(document.data) > MAX_UPLOAD_BYTES:
        raise DomainError(ErrorCode.VALIDATION, "文件过大（上限 200 MB）。")
    return _attest(
        actor, evidence, kind=kind, authority=authority, reference=reference, statement=statement, document=document
    )


def may_confirm(actor: Actor, evidence: Evidence) -> bool:
    return (
        actor.can(Action.EVIDENCE_CONFIRM_OWN)
        and evidence.entity is not None
        and actor.organisation_id is not None
        and evidence.entity.organisation_id == actor.organisation_id
    )


def confirm_as_party(*, actor: Actor, evidence: Evidence, statement: str = "") -> Attestation:
    """The party concerned confirms, in its own portal, that the evidence is authentic (Art. 21)."""
    if not may_confirm(actor, evidence):
        raise DomainError(ErrorCode.NOT_FOUND)
    if evidence.status != EvidenceStatus.READY:
        raise DomainError(ErrorCode.CONFLICT, "证据尚未固定完成，不能确认。")
    if evidence.attestations.filter(kind=AttestationKind.PARTY).exists():
        raise DomainError(ErrorCode.CONFLICT, "已经确认过这份证据。")
    return _attest(
        actor,
        evidence,
        kind=AttestationKind.PARTY,
        authority=actor.organisation_name or actor.label,
        reference="",
        statement=statement or "确认上述电子数据真实、完整。",
        document=None,
    )


# --- reads -----------------------------------------------------------------------------------


def evidence_for(actor: Actor) -> QuerySet[Evidence]:
    rows = Evidence.objects.select_related("organisation", "entity")
    if actor.can(Action.EVIDENCE_VIEW):
        return rows
    if actor.can(Action.EVIDENCE_CONFIRM_OWN) and actor.organisation_id is not None:
        return rows.filter(entity__organisation_id=actor.organisation_id, status=EvidenceStatus.READY)
    return rows.none()


def access_evidence_for(actor: Actor, pk: int) -> Evidence | None:
    return evidence_for(actor).filter(pk=pk).first()


def file_bytes(evidence_file: EvidenceFile) -> bytes:
    return storage.read(evidence_file.artefact.sha256)


# --- export and verification -----------------------------------------------------------------


def custody_lines(evidence: Evidence) -> list[dict[str, Any]]:
    return [custody_content(entry) for entry in evidence.custody.select_related("evidence").order_by("seq")]


def export_bundle(*, actor: Actor, evidence: Evidence) -> bytes:
    """The ZIP bundle: the item's files with its signed manifest, attestation documents, the
    certificate PDF, the custody log and the public key, sealed by a signed bundle manifest."""
    _require(actor, Action.EVIDENCE_CAPTURE)
    if evidence.status != EvidenceStatus.READY:
        raise DomainError(ErrorCode.CONFLICT, "证据尚未固定完成，不能导出。")
    from ecredit.evidence.certificate import certificate_pdf

    with transaction.atomic():
        evidence = _locked(evidence)
        _custody(evidence, CustodyAction.EXPORTED, actor, {})
        record(actor=actor, action="evidence.exported", target=evidence)
        contents: dict[str, bytes] = {}
        for item in evidence.files.select_related("artefact"):
            contents[manifest.BUNDLE_EVIDENCE_DIR + item.name] = storage.read(item.artefact.sha256)
        for attestation in evidence.attestations.select_related("document"):
            if attestation.document is not None:
                name = f"attestations/{attestation.pk}-{attestation.document_name or 'document'}"
                contents[name] = storage.read(attestation.document.sha256)
        lines = custody_lines(evidence)
        contents[manifest.BUNDLE_CUSTODY] = "".join(
            json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in lines
        ).encode()
        contents["certificate.pdf"] = certificate_pdf(evidence)
        facts = {
            "evidence": evidence.number,
            "evidence_manifest_sha256": evidence.manifest_sha256,
            "exported_at": timezone.now().astimezone(BEIJING).isoformat(),
            "exported_by": actor.label,
            "custody_head": manifest.custody_head(lines),
            "key_fingerprint": keys.fingerprint(),
        }
        files = [manifest.FileEntry(name, len(data), manifest.sha256(data)) for name, data in contents.items()]
        body = manifest.build_manifest(files, facts=facts, fmt=manifest.BUNDLE_FORMAT)
        contents[manifest.BUNDLE_MANIFEST] = body
        contents[manifest.BUNDLE_SIGNATURE] = keys.sign(body) + b"\n"
        contents[manifest.BUNDLE_PUBLIC_KEY] = keys.public_key_pem()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(contents):
            bundle.writestr(name, contents[name])
    return buffer.getvalue()


MAX_BUNDLE_MEMBERS = 10_000
MAX_BUNDLE_UNPACKED = 2 * 1024 * 1024 * 1024


def read_bundle(data: bytes) -> dict[str, bytes]:
    """A bundle's files by name; ``DomainError`` if it is not a ZIP file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            infos = bundle.infolist()
            if len(infos) > MAX_BUNDLE_MEMBERS:
                raise DomainError(ErrorCode.VALIDATION, "压缩包内文件过多。")
            # Sizes are checked before anything is inflated: a small ZIP may claim to unpack to terabytes.
            if sum(info.file_size for info in infos) > MAX_BUNDLE_UNPACKED:
                raise DomainError(ErrorCode.VALIDATION, "证据包解压后过大（上限 2 GB）。")
            return {info.filename: bundle.read(info) for info in infos if not info.is_dir()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise DomainError(ErrorCode.VALIDATION, "不是有效的证据包（ZIP 文件）。") from None


def verify_bundle_bytes(data: bytes) -> manifest.BundleReport:
    return manifest.verify_bundle(read_bundle(data), trusted_public_pem=keys.existing_public_key_pem())


def verify_stored(evidence: Evidence) -> list[str]:
    """Recompute every stored file's SHA-256, check the signed manifest and the custody chain."""
    problems: list[str] = []
    contents: dict[str, bytes] = {}
    for item in evidence.files.select_related("artefact"):
        try:
            data = storage.read(item.artefact.sha256)
        except OSError:
            problems.append(f"存储中缺少文件：{item.name}")
            continue
        if manifest.sha256(data) != item.artefact.sha256:
            problems.append(f"SHA-256 不符：{item.name}（存储内容已被改动）")
        contents[item.name] = data
    body = contents.get(MANIFEST_JSON)
    signature = contents.get(MANIFEST_SIG)
    public = keys.existing_public_key_pem()
    if body is None or signature is None or public is None:
        problems.append("缺少签名清单或系统公钥")
    else:
        if manifest.sha256(body) != evidence.manifest_sha256:
            problems.append("清单与登记的清单 SHA-256 不符")
        if not manifest.signature_valid(public, body, signature):
            problems.append("签名不符：manifest.sig 与 manifest.json 不匹配")
        problems += manifest.check_files(manifest.parse_manifest(body), contents)
    problems += manifest.verify_custody(custody_lines(evidence))
    return problems


def find_by_sha256(digest: str) -> list[EvidenceFile]:
    """Evidence files (or manifests) holding content with this SHA-256, for the public check."""
    digest = digest.strip().lower()
    return list(
        EvidenceFile.objects.select_related("evidence", "artefact")
        .filter(artefact__sha256=digest, evidence__status=EvidenceStatus.READY)
        .order_by("evidence__created_at", "pk")
    )
