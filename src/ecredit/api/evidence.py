"""电子证据 over HTTP (/api/v1/evidence/…): queue a capture, follow its status, list and read items,
verify a stored item or an exported bundle. The capture itself runs in a background task.

Thin: each operation declares its one action, finds the item, calls one service, shapes the answer.
No ``from __future__ import annotations`` here (ninja reads annotations at import time)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.api.base import Pagination, allows, check_declarations, needs
from ecredit.api.schemas import ErrorOut
from ecredit.errors import DomainError, ErrorCode
from ecredit.evidence import services
from ecredit.evidence.models import Evidence
from ecredit.registry.models import Entity

router = Router(tags=["evidence"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_BUNDLE_BYTES = 500 * 1024 * 1024


class CaptureIn(Schema):
    url: str = Field(description="要固定的网址（http 或 https）")
    entity_id: int | None = Field(None, description="当事人（经营主体编号），可不填")
    case_ref: str = Field("", description="案件编号")
    inspection_ref: str = Field("", description="抽查编号")
    note: str = Field("", description="说明")
    accept_invalid_certificates: bool = Field(False, description="HTTPS 证书无效（过期、自签名）时仍固定，记录中注明")


class StatusOut(Schema):
    id: int
    number: str
    status: str = Field(description="queued 排队中 / capturing 固定中 / ready 已固定 / failed 失败")
    error: str


class FileOut(Schema):
    name: str
    role: str
    size: int
    sha256: str
    content_type: str


class CustodyOut(Schema):
    seq: int
    action: str
    at: str
    actor: str
    organisation: str
    details: dict[str, Any]
    prev_hash: str
    entry_hash: str


class AttestationOut(Schema):
    kind: str
    authority: str
    reference: str
    statement: str
    document_name: str
    document_sha256: str | None
    recorded_by: str
    recorded_at: dt.datetime


class EvidenceOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    title: str
    source_url: str
    entity_id: int | None
    case_ref: str
    inspection_ref: str
    created_by: str
    created_at: dt.datetime
    manifest_sha256: str
    key_fingerprint: str


class EvidenceDetailOut(EvidenceOut):
    error: str
    note: str
    capture_record: dict[str, Any] | None
    metadata: dict[str, Any]
    files: list[FileOut]
    custody: list[CustodyOut]
    attestations: list[AttestationOut]


class VerifyOut(Schema):
    verified: bool
    problems: list[str]
    fingerprint: str | None = None
    evidence: str | None = None


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    return actor


def _item(request: HttpRequest, evidence_id: int) -> Evidence:
    found = services.access_evidence_for(_actor(request), evidence_id)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该电子证据。")
    return found


def _status(evidence: Evidence) -> dict[str, Any]:
    return {"id": evidence.pk, "number": evidence.number, "status": evidence.status, "error": evidence.error}


def _summary(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "number": evidence.number,
        "kind": evidence.kind,
        "status": evidence.status,
        "title": evidence.title,
        "source_url": evidence.source_url,
        "entity_id": evidence.entity_id,
        "case_ref": evidence.case_ref,
        "inspection_ref": evidence.inspection_ref,
        "created_by": evidence.created_by_label,
        "created_at": evidence.created_at,
        "manifest_sha256": evidence.manifest_sha256,
        "key_fingerprint": evidence.key_fingerprint,
    }


@router.post(
    "/captures",
    response={202: StatusOut, **ERRORS},
    auth=needs(Action.EVIDENCE_CAPTURE),
    summary="固定网页（排队）",
    description="检查网址后排入后台任务；用 GET /{id}/status 查看进度。",
)
@allows(Action.EVIDENCE_CAPTURE)
def capture(request: HttpRequest, payload: CaptureIn) -> Status[dict[str, Any]]:
    entity = None
    if payload.entity_id is not None:
        entity = Entity.objects.filter(pk=payload.entity_id).first()
        if entity is None:
            raise DomainError(ErrorCode.VALIDATION, "未找到该经营主体。", {"entity_id": "未找到该经营主体。"})
    evidence = services.request_capture(
        actor=_actor(request),
        request=services.CaptureRequest(
            url=payload.url,
            entity=entity,
            case_ref=payload.case_ref,
            inspection_ref=payload.inspection_ref,
            note=payload.note,
            accept_invalid_certificates=payload.accept_invalid_certificates,
        ),
    )
    return Status(202, _status(evidence))


@router.post(
    "/verify",
    response={200: VerifyOut, **ERRORS},
    auth=needs(Action.EVIDENCE_VIEW),
    summary="核验导出的证据包（ZIP）",
)
@allows(Action.EVIDENCE_VIEW)
def verify_bundle(request: HttpRequest, bundle: File[UploadedFile]) -> dict[str, Any]:
    if (bundle.size or 0) > MAX_BUNDLE_BYTES:
        raise DomainError(ErrorCode.VALIDATION, "证据包过大（上限 500 MB）。")
    report = services.verify_bundle_bytes(bundle.read())
    return {
        "verified": report.ok,
        "problems": report.problems,
        "fingerprint": report.fingerprint,
        "evidence": (report.manifest or {}).get("evidence"),
    }


@router.get("/", response={200: list[EvidenceOut], **ERRORS}, auth=needs(Action.EVIDENCE_VIEW), summary="电子证据列表")
@allows(Action.EVIDENCE_VIEW)
@paginate(Pagination)
def evidence_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(e) for e in services.evidence_for(_actor(request))]


@router.get(
    "/{evidence_id}/status", response={200: StatusOut, **ERRORS}, auth=needs(Action.EVIDENCE_VIEW), summary="固定状态"
)
@allows(Action.EVIDENCE_VIEW)
def status(request: HttpRequest, evidence_id: int) -> dict[str, Any]:
    return _status(_item(request, evidence_id))


@router.get(
    "/{evidence_id}",
    response={200: EvidenceDetailOut, **ERRORS},
    auth=needs(Action.EVIDENCE_VIEW),
    summary="电子证据详情（文件、保全记录、确认）",
)
@allows(Action.EVIDENCE_VIEW)
def detail(request: HttpRequest, evidence_id: int) -> dict[str, Any]:
    evidence = _item(request, evidence_id)
    capture_row = getattr(evidence, "capture", None)
    return {
        **_summary(evidence),
        "error": evidence.error,
        "note": evidence.note,
        "capture_record": capture_row.record if capture_row else None,
        "metadata": evidence.metadata,
        "files": [
            {
                "name": f.name,
                "role": f.role,
                "size": f.artefact.size,
                "sha256": f.artefact.sha256,
                "content_type": f.artefact.content_type,
            }
            for f in evidence.files.select_related("artefact")
        ],
        "custody": services.custody_lines(evidence),
        "attestations": [
            {
                "kind": a.kind,
                "authority": a.authority,
                "reference": a.reference,
                "statement": a.statement,
                "document_name": a.document_name,
                "document_sha256": a.document.sha256 if a.document else None,
                "recorded_by": a.recorded_by_label,
                "recorded_at": a.recorded_at,
            }
            for a in evidence.attestations.select_related("document")
        ],
    }


@router.get(
    "/{evidence_id}/verify",
    response={200: VerifyOut, **ERRORS},
    auth=needs(Action.EVIDENCE_VIEW),
    summary="核验已保存的证据（重新计算哈希、签名、保全链）",
)
@allows(Action.EVIDENCE_VIEW)
def verify_item(request: HttpRequest, evidence_id: int) -> dict[str, Any]:
    evidence = _item(request, evidence_id)
    problems = services.verify_stored(evidence)
    return {
        "verified": not problems,
        "problems": problems,
        "fingerprint": evidence.key_fingerprint,
        "evidence": evidence.number,
    }


check_declarations(router)
