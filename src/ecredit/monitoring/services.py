"""Every change the monitoring app makes: batches, findings, complaints, incidents.

``submit_batch`` reads the file twice, streaming: first every row is checked (nothing is written but the
batch's own progress), and with one bad row nothing is applied and every bad row is reported; then a
clean file is applied in one transaction, with its audit entry. Findings wait for an officer: nothing
moves a grade until ``confirm_finding`` records the credit event (and queues the listing's capture).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import User
from ecredit.accounts.roles import Action
from ecredit.accounts.services import actor_for_user
from ecredit.audit import services as audit
from ecredit.credit import services as credit
from ecredit.credit.calendar import CalendarNotCovered, add_working_days
from ecredit.crypto import lookup_digest
from ecredit.enforcement import services as enforcement
from ecredit.enforcement.models import LeadSource
from ecredit.errors import DomainError, ErrorCode
from ecredit.evidence import services as evidence
from ecredit.evidence.models import Evidence
from ecredit.monitoring import intake, returns, scan
from ecredit.monitoring.models import (
    Batch,
    BatchStatus,
    Complaint,
    ComplaintOutcome,
    ComplaintSource,
    ComplaintStatus,
    Finding,
    FindingKind,
    FindingStatus,
    Incident,
    IncidentStatus,
    Listing,
    MatchStatus,
    RetentionDeclaration,
    ReturnRequest,
    SellerReport,
)
from ecredit.policy.model import Pack
from ecredit.policy.packs import active_pack
from ecredit.registry.models import Entity

CHUNK = 2000
LOOKUP = 400  # values per IN (...): under SQLite's oldest limit of 999 parameters
PROBLEMS_KEPT = 10_000  # bad rows listed in full; beyond that only counted
PROGRESS_EVERY = 5000
MIN_REASON = 4

Progress = Callable[[Batch], None]


def _require(actor: Actor, action: Action) -> None:
    if not actor.can(action):
        raise DomainError(ErrorCode.FORBIDDEN, "您无权进行此操作。")


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, message, {field: message})


def _submitter_key(actor: Actor) -> str:
    return f"org:{actor.organisation_id}" if actor.organisation_id else "cli"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


# --- batches -----------------------------------------------------------------------------------------


def _register_batch(*, actor: Actor, kind: str, batch_id: str, path: Path, filename: str) -> tuple[Batch, bool]:
    """The batch to check and apply (new, or a rejected one sent again), or the one already applied under
    the same id (``False``: nothing to do)."""
    _require(actor, Action.MONITORING_SUBMIT)
    batch_id = batch_id.strip()
    if kind not in intake.COLUMNS:
        raise _invalid("kind", f"数据类型应为：{'、'.join(intake.COLUMNS)}。")
    if not batch_id or len(batch_id) > 100:
        raise _invalid("batch_id", "请填写批次编号（不超过 100 个字符）。")
    try:
        file_format = intake.format_of(filename or path.name)
    except intake.IntakeFileError as exc:
        raise _invalid("file", str(exc)) from None
    key = _submitter_key(actor)
    existing = Batch.objects.filter(submitter_key=key, batch_id=batch_id).first()
    if existing is not None and existing.status != BatchStatus.REJECTED:
        return existing, False  # already applied (or being applied): the same id changes nothing
    if existing is not None and existing.kind != kind:
        raise _invalid("batch_id", f"批次 {batch_id} 已用于“{existing.get_kind_display()}”，请换一个批次编号。")
    with transaction.atomic():
        batch = existing or Batch(submitter_id=actor.organisation_id, submitter_key=key, batch_id=batch_id)
        batch.kind, batch.file_format, batch.filename = kind, file_format, (filename or path.name)[:255]
        batch.sha256, batch.status, batch.submitted_by = _sha256(path), BatchStatus.VALIDATING, actor.label[:200]
        batch.rows_total = batch.rows_done = batch.problem_count = batch.findings_count = 0
        batch.problems, batch.finished_at = [], None
        batch.save()
        audit.record(actor=actor, action="monitoring.batch.submit", target=batch,
                     changes={"kind": [None, kind], "file": [None, batch.filename], "sha256": [None, batch.sha256]})  # fmt: skip
    return batch, True


def _process(actor: Actor, batch: Batch, path: Path, pack: Pack, progress: Progress | None) -> Batch:
    if _validate(batch, path, pack, progress):
        _apply(actor, batch, path, pack, progress)
    return batch


def submit_batch(
    *,
    actor: Actor,
    kind: str,
    batch_id: str,
    path: Path,
    filename: str = "",
    progress: Progress | None = None,
    pack: Pack | None = None,
) -> Batch:
    """Check and apply one file. The same ``batch_id`` from the same submitter, once applied, is
    returned as it is and changes nothing; a batch that was rejected may be sent again, corrected."""
    batch, fresh = _register_batch(actor=actor, kind=kind, batch_id=batch_id, path=path, filename=filename)
    if not fresh:
        return batch
    return _process(actor, batch, path, pack or active_pack(), progress)


def _queued_path(batch: Batch) -> Path:
    return (
        Path(settings.MEDIA_ROOT) / "monitoring" / "queued" / f"batch-{batch.pk}{Path(batch.filename).suffix.lower()}"
    )


def queue_batch(*, actor: Actor, kind: str, batch_id: str, path: Path, filename: str = "") -> Batch:
    """Register a (large) file as a batch and leave checking and applying it to the task worker
    (``ecredit db_worker``): the batch page shows its progress meanwhile. Same rules as ``submit_batch``."""
    from ecredit.monitoring.tasks import process_batch_task

    if actor.user_id is None:
        raise DomainError(ErrorCode.FORBIDDEN, "排队处理的批次须由登录用户提交。")
    batch, fresh = _register_batch(actor=actor, kind=kind, batch_id=batch_id, path=path, filename=filename)
    if not fresh:
        return batch
    kept = _queued_path(batch)
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, kept)
    user_id = actor.user_id
    transaction.on_commit(lambda: process_batch_task.enqueue(batch.pk, user_id))
    return batch


def process_queued_batch(*, batch_id: int, user_id: int) -> None:
    """The task's work: check and apply a queued batch as the person who uploaded it, then drop the copy."""
    batch = Batch.objects.get(pk=batch_id)
    kept = _queued_path(batch)
    try:
        if batch.status == BatchStatus.VALIDATING:
            actor = actor_for_user(User.objects.get(pk=user_id))
            _process(actor, batch, kept, active_pack(), None)
    finally:
        kept.unlink(missing_ok=True)


def _report(batch: Batch, progress: Progress | None) -> None:
    Batch.objects.filter(pk=batch.pk).update(
        rows_done=batch.rows_done, rows_total=batch.rows_total, status=batch.status
    )
    if progress is not None:
        progress(batch)


def _validate(batch: Batch, path: Path, pack: Pack, progress: Progress | None) -> bool:
    """Check every row; on any problem, mark the batch rejected with the problems and return False."""
    problems: list[dict[str, object]] = []
    count = 0
    keys: set[str] = set()
    key_column = intake.KEYS[batch.kind]
    key_header = next(c.header for c in intake.COLUMNS[batch.kind] if c.key == key_column)

    def note(problem: intake.Problem) -> None:
        nonlocal count
        count += 1
        if len(problems) < PROBLEMS_KEPT:
            problems.append(problem.as_dict())

    rows = 0
    try:
        for line, raw in intake.read_rows(path, batch.file_format, batch.kind):
            rows += 1
            if isinstance(raw, str):
                note(intake.Problem(line, "", raw))
                continue
            values, found = intake.check_row(batch.kind, line, raw, pack)
            for problem in found:
                note(problem)
            key = str(values.get(key_column) or "")
            if key and key in keys:
                note(intake.Problem(line, key_header, f"“{key}”在本文件中重复"))
            keys.add(key)
            if rows % PROGRESS_EVERY == 0:
                batch.rows_done = rows
                _report(batch, progress)
    except intake.IntakeFileError as exc:
        note(intake.Problem(0, "", str(exc)))
    if rows == 0 and count == 0:
        note(intake.Problem(0, "", "文件中没有数据行。"))
    batch.rows_total = batch.rows_done = rows
    if count:
        batch.status, batch.problem_count, batch.problems = BatchStatus.REJECTED, count, problems
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "problem_count", "problems", "rows_total", "rows_done", "finished_at"])
        if progress is not None:
            progress(batch)
        return False
    batch.status, batch.rows_done = BatchStatus.APPLYING, 0
    _report(batch, progress)
    return True


def _chunks(rows: Iterable[tuple[int, Any]], size: int) -> Iterable[list[tuple[int, dict[str, Any]]]]:
    chunk: list[tuple[int, dict[str, Any]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _entities_by_code(codes: Iterable[str]) -> dict[str, Entity]:
    """Registered entities by 统一社会信用代码, or by a natural person's full ID number (via its digest)."""
    wanted = sorted({c for c in codes if c})
    found: dict[str, Entity] = {}
    for start in range(0, len(wanted), LOOKUP):
        part = wanted[start : start + LOOKUP]
        digests = {lookup_digest("resident_id", code): code for code in part}
        for entity in Entity.objects.filter(Q(uscc__in=part) | Q(resident_id_digest__in=list(digests))):
            if entity.uscc in part:
                found[entity.uscc] = entity
            if entity.resident_id_digest in digests:
                found[digests[entity.resident_id_digest]] = entity
    return found


def _known_fingerprints(prints: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(prints), LOOKUP):
        part = list(prints[start : start + LOOKUP])
        known.update(Finding.objects.filter(fingerprint__in=part).values_list("fingerprint", flat=True))
    return known


def _apply(actor: Actor, batch: Batch, path: Path, pack: Pack, progress: Progress | None) -> None:
    today = timezone.localdate()
    applier = _APPLIERS[batch.kind]
    findings = 0
    with transaction.atomic():
        seen: set[str] = set()
        for chunk in _chunks(intake.read_rows(path, batch.file_format, batch.kind), CHUNK):
            typed = [(line, intake.check_row(batch.kind, line, raw, pack)[0]) for line, raw in chunk]
            new = applier(batch, typed, pack, today)
            prints = [f.fingerprint for f in new]
            known = _known_fingerprints(prints)
            fresh = []
            for finding in new:
                if finding.fingerprint in known or finding.fingerprint in seen:
                    continue
                seen.add(finding.fingerprint)
                fresh.append(finding)
            Finding.objects.bulk_create(fresh, batch_size=CHUNK)
            findings += len(fresh)
            batch.rows_done += len(chunk)
            if progress is not None:
                progress(batch)
        batch.status, batch.findings_count, batch.finished_at = BatchStatus.APPLIED, findings, timezone.now()
        batch.save(update_fields=["status", "findings_count", "finished_at", "rows_done"])
        audit.record(actor=actor, action="monitoring.batch.apply", target=batch,
                     changes={"rows": [None, batch.rows_total], "findings": [None, findings]})  # fmt: skip


Rows = list[tuple[int, dict[str, Any]]]


def _subject(name: str, code: str) -> str:
    return f"{name}（{code}）" if name else code


def _apply_sellers(batch: Batch, rows: Rows, pack: Pack, today: dt.date) -> list[Finding]:
    entities = _entities_by_code([v["uscc"] or v["resident_id"] for _l, v in rows])
    reports, findings = [], []
    for line, v in rows:
        code = v["uscc"] or v["resident_id"]
        entity = entities.get(code)
        if entity is not None and v["kind"] == "natural_person" and entity.name != v["name"]:
            entity = None  # a natural person matches by name and ID number together
        must_register = v["kind"] == "natural_person" and (v["sells_permit_goods"] or v["trades_in_enterprise_name"])
        match = (
            MatchStatus.SHOULD_REGISTER if must_register else (MatchStatus.MATCHED if entity else MatchStatus.UNMATCHED)
        )
        masked = f"{code[:6]}********{code[-4:]}" if v["resident_id"] else ""
        reports.append(SellerReport(
            batch=batch, line=line, seller_ref=v["seller_ref"], name=v["name"], kind=v["kind"], uscc=v["uscc"],
            resident_id=v["resident_id"], resident_id_masked=masked, shop_name=v["shop_name"], shop_url=v["shop_url"],
            sells_permit_goods=v["sells_permit_goods"], trades_in_enterprise_name=v["trades_in_enterprise_name"],
            entity=entity, match=match,
        ))  # fmt: skip
    SellerReport.objects.bulk_create(reports, batch_size=CHUNK)
    for report in reports:
        subject = _subject(report.name, report.uscc or report.resident_id_masked)
        if report.match == MatchStatus.SHOULD_REGISTER:
            detail = "自然人网上经营范围涉及前置许可，或以企业、个体工商户名义经营，依法应当办理登记注册。"
            findings.append(Finding(
                kind=FindingKind.SHOULD_REGISTER, batch=batch, seller=report, entity=report.entity, subject=subject,
                term="should_register", detail=detail, cites=["9", "9.1", "9.2"],
                indicator="registration.natural_person_unregistered" if report.entity else "",
                fingerprint=fingerprint("should_register", report.uscc or report.resident_id), found_on=today,
            ))  # fmt: skip
        elif report.match == MatchStatus.UNMATCHED:
            detail = "平台报送的经营者在登记系统中没有对应的经营主体，请核实身份或督促其备案。"
            findings.append(Finding(
                kind=FindingKind.SELLER_UNMATCHED, batch=batch, seller=report, subject=subject, term="unmatched",
                detail=detail, cites=["8", "12.1"],
                fingerprint=fingerprint("unmatched", batch.submitter_key, report.uscc or report.resident_id),
                found_on=today,
            ))  # fmt: skip
    return findings


def finding_from_scan(batch: Batch | None, listing: Listing, found: scan.Finding, today: dt.date) -> Finding:
    text = listing.fields.get(found.field, "") if found.field else ""
    kind = FindingKind.DISCLOSURE if found.list == "disclosure" else FindingKind.TERM
    return Finding(
        kind=kind, batch=batch, listing=listing, entity=listing.entity,
        subject=_subject(listing.seller_name, listing.seller_code), list_code=found.list,
        list_label=found.list_label, term=found.term, field=found.field,
        span_start=found.span[0] if found.span else None, span_end=found.span[1] if found.span else None,
        matched=found.matched[:200], context=found.context, detail=found.reason, cites=list(found.cites),
        indicator=found.indicator, found_on=today,
        fingerprint=fingerprint(listing.seller_code, found.field, text, found.list, found.term),
    )  # fmt: skip


def _apply_listings(batch: Batch, rows: Rows, pack: Pack, today: dt.date) -> list[Finding]:
    entities = _entities_by_code(v["seller_code"] for _l, v in rows)
    text_keys = [
        c.key
        for c in intake.COLUMNS["listings"]
        if c.key not in ("listing_ref", "seller_code", "seller_name", "url", "return_category")
    ]
    listings = [
        Listing(
            batch=batch, line=line, listing_ref=v["listing_ref"], seller_code=v["seller_code"],
            seller_name=v["seller_name"], entity=entities.get(v["seller_code"]),
            fields={key: v[key] for key in text_keys if v[key]}, return_category=v["return_category"], url=v["url"],
        )
        for line, v in rows
    ]  # fmt: skip
    Listing.objects.bulk_create(listings, batch_size=CHUNK)
    findings = []
    for listing in listings:
        for found in scan.scan_listing(pack, listing.fields, category=listing.return_category):
            findings.append(finding_from_scan(batch, listing, found, today))
    return findings


def _apply_complaints(batch: Batch, rows: Rows, pack: Pack, today: dt.date) -> list[Finding]:
    entities = _entities_by_code(v["seller_code"] for _l, v in rows)
    complaints = []
    for _line, v in rows:
        complaint = _new_complaint(
            pack, source=ComplaintSource.PLATFORM, reference=v["reference"], entity=entities.get(v["seller_code"]),
            seller_name=v["seller_name"], seller_code=v["seller_code"], received_on=v["received_on"],
            subject=v["subject"], description=v["description"],
        )  # fmt: skip
        complaint.batch = batch
        if v["outcome"]:
            complaint.status, complaint.outcome = ComplaintStatus.CLOSED, v["outcome"]
        complaints.append(complaint)
    Complaint.objects.bulk_create(complaints, batch_size=CHUNK)
    return []


def _apply_returns(batch: Batch, rows: Rows, pack: Pack, today: dt.date) -> list[Finding]:
    entities = _entities_by_code(v["seller_code"] for _l, v in rows)
    requests, findings = [], []
    for line, v in rows:
        goods = intake.goods_of(v)
        decision = returns.check(pack, goods)
        request = ReturnRequest(
            batch=batch, line=line, order_ref=v["order_ref"], seller_code=v["seller_code"],
            entity=entities.get(v["seller_code"]), category=goods.category, received=goods.received,
            requested=goods.requested, facts={flag: v[flag] for flag in (*returns.FLAGS, "not_intact")},
            refused=v["refused"], returnable=decision.returnable,
        )  # fmt: skip
        requests.append(request)
        if request.refused and decision.returnable:
            detail = f"订单 {request.order_ref}：{decision.category_label}依法可以无理由退货（期限至 {decision.deadline}），经营者拒绝。"
            cites = sorted({c for r in decision.reasons for c in r.cites}, key=lambda c: (not c[0].isdigit(), c))
            findings.append(Finding(
                kind=FindingKind.RETURN_REFUSED, batch=batch, entity=request.entity,
                subject=request.seller_code, term=request.order_ref, detail=detail, cites=cites,
                indicator="returns.refused", found_on=today,
                fingerprint=fingerprint("return_refused", batch.submitter_key, request.seller_code, request.order_ref),
            ))  # fmt: skip
    ReturnRequest.objects.bulk_create(requests, batch_size=CHUNK)
    return findings


def _days(value: int, unit: str) -> int:
    return value * 365 if unit == "years" else value


def _apply_retention(batch: Batch, rows: Rows, pack: Pack, today: dt.date) -> list[Finding]:
    platform = (
        Entity.objects.filter(organisation_id=batch.submitter_id, is_platform=True).first()
        if batch.submitter_id
        else None
    )
    declarations, findings = [], []
    for line, v in rows:
        rule = pack.retention_for(v["what"])
        required = _days(rule.years, "years") + rule.days
        declared = _days(v["value"], v["unit"])
        declarations.append(RetentionDeclaration(
            batch=batch, line=line, what=v["what"], value=v["value"], unit=v["unit"],
            required_days=required, declared_days=declared,
        ))  # fmt: skip
        if declared < required:
            detail = f"{v['what']} 声明保存 {declared} 日，少于应保存的 {required} 日。"
            findings.append(Finding(
                kind=FindingKind.RETENTION_SHORT, batch=batch, entity=platform,
                subject=platform.name if platform else batch.submitted_by, term=v["what"], detail=detail,
                cites=[*rule.period.cites, *rule.period.national_cites], indicator="records.not_retained",
                found_on=today, fingerprint=fingerprint("retention", batch.submitter_key, v["what"], declared),
            ))  # fmt: skip
    RetentionDeclaration.objects.bulk_create(declarations)
    return findings


_APPLIERS: dict[str, Callable[[Batch, Rows, Pack, dt.date], list[Finding]]] = {
    "sellers": _apply_sellers,
    "listings": _apply_listings,
    "complaints": _apply_complaints,
    "returns": _apply_returns,
    "retention": _apply_retention,
}


# --- findings ----------------------------------------------------------------------------------------


def _pending(finding: Finding) -> Finding:
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if locked.status != FindingStatus.PENDING:
        raise DomainError(ErrorCode.CONFLICT, f"该发现的状态为“{locked.get_status_display()}”，不能重复处理。")
    return locked


@dataclass(frozen=True)
class Confirmation:
    """What ``confirm_finding`` did: the confirmed finding and, when its capture was asked for, either the
    queued evidence item or the evidence store's reason for refusing it (the confirmation stands)."""

    finding: Finding
    evidence: Evidence | None = None
    capture_refused: str = ""


def confirm_finding(
    *,
    actor: Actor,
    finding: Finding,
    occurred_on: dt.date | None = None,
    note: str = "",
    refer_to_enforcement: bool = False,
    capture_requested: bool = False,
) -> Confirmation:
    """An officer confirms a finding: its credit event is recorded (when it names an indicator and an
    entity). ``refer_to_enforcement`` also records an enforcement lead in the officer's department
    (which needs the right to handle cases); ``capture_requested`` is kept on the finding and, in the
    same transaction, the capture of the listing is queued (``request_listing_capture``; the task starts
    on commit). A refused capture is rolled back alone and its reason returned; the confirmation stands."""
    _require(actor, Action.FINDINGS_REVIEW)
    if finding.indicator and finding.entity_id is None:
        raise _invalid("entity", "该发现的经营者尚未匹配到登记主体，不能记录信用事件；请先核实身份或排除。")
    if refer_to_enforcement and not actor.can(Action.CASE_MANAGE):
        raise DomainError(ErrorCode.FORBIDDEN, "只有执法部门的办案人员可以将发现移交为执法线索；请联系市场监管部门。")
    with transaction.atomic():
        locked = _pending(finding)
        if locked.indicator and locked.entity is not None:
            event = credit.record_event(
                actor, locked.entity, locked.indicator, occurred_on or locked.found_on,
                source_kind="platform", source_ref=f"monitoring-finding:{locked.pk}",
                evidence=(locked.context or locked.detail)[:500], reason=note or locked.detail or locked.list_label,
            )  # fmt: skip
            locked.credit_event_id = event.pk
        locked.status, locked.decided_by, locked.decided_at = FindingStatus.CONFIRMED, actor.label[:200], timezone.now()
        locked.decision_reason = note.strip()
        locked.refer_to_enforcement, locked.capture_requested = refer_to_enforcement, capture_requested
        if refer_to_enforcement:
            where = locked.listing.url if locked.listing is not None and locked.listing.url else ""
            locked.lead = enforcement.record_lead(
                actor=actor,
                source_kind=LeadSource.MONITORING,
                source_ref=f"monitoring-finding:{locked.pk}",
                entity=locked.entity,
                summary=f"网络监测发现：{locked.list_label or locked.indicator}“{locked.term}”"
                f"{'（' + where + '）' if where else ''}：{(locked.context or locked.detail)[:300]}",
            )
        locked.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "decision_reason",
                "credit_event_id",
                "refer_to_enforcement",
                "capture_requested",
                "lead",
            ]
        )
        audit.record(actor=actor, action="monitoring.finding.confirm", target=locked,
                     changes={"status": ["pending", "confirmed"], "credit_event": [None, locked.credit_event_id]})  # fmt: skip
        if not capture_requested:
            return Confirmation(finding=locked)
        try:  # its own savepoint: a refusal undoes only the capture
            item = request_listing_capture(actor=actor, finding=locked)
        except DomainError as exc:
            return Confirmation(finding=locked, capture_refused=exc.message)
    return Confirmation(finding=locked, evidence=item)


def request_listing_capture(*, actor: Actor, finding: Finding) -> Evidence:
    """Queue the capture of a confirmed finding's listing page in the evidence store (screenshot, PDF,
    WACZ, signed), linked from the finding. Refused, with the evidence store's reason, when the listing
    has no address or the address may not be captured."""
    url = finding.listing.url if finding.listing is not None else ""
    if not url:
        raise _invalid("url", "该发现没有商品网址，无法固定页面。")
    with transaction.atomic():
        item = evidence.request_capture(
            actor=actor,
            request=evidence.CaptureRequest(
                url=url, entity=finding.entity, note=f"网络监测发现 #{finding.pk}：{finding.list_label} {finding.term}"
            ),
        )
        Finding.objects.filter(pk=finding.pk).update(evidence=item)
        finding.evidence = item
    return item


def dismiss_finding(*, actor: Actor, finding: Finding, reason: str) -> Finding:
    """An officer dismisses a finding with a reason; the same text and term is not raised again."""
    _require(actor, Action.FINDINGS_REVIEW)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise _invalid("reason", f"请写明排除的理由（至少 {MIN_REASON} 个字）。")
    with transaction.atomic():
        locked = _pending(finding)
        locked.status, locked.decided_by, locked.decided_at = FindingStatus.DISMISSED, actor.label[:200], timezone.now()
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit.record(actor=actor, action="monitoring.finding.dismiss", target=locked,
                     changes={"status": ["pending", "dismissed"], "reason": [None, reason]})  # fmt: skip
    return locked


# --- complaints --------------------------------------------------------------------------------------


def working_deadline(start: dt.date, days: int) -> dt.date | None:
    """``days`` working days after ``start``; None past the holiday calendar's coverage (never a guess)."""
    try:
        return add_working_days(start, days)
    except CalendarNotCovered:
        return None


def _new_complaint(pack: Pack, **fields: Any) -> Complaint:
    rules = pack.complaints
    days = rules.accept.applied if rules else 7
    return Complaint(accept_due=working_deadline(fields["received_on"], days), **fields)


@dataclass(frozen=True)
class ComplaintData:
    seller_name: str
    subject: str
    description: str
    received_on: dt.date
    seller_code: str = ""
    complainant: str = ""
    complainant_phone: str = ""
    reference: str = ""


PUBLIC_ACTOR = Actor(label="公众（投诉表单）", via="web")
PUBLIC_COMPLAINTS_PER_HOUR = 5  # from one address: the public form's rate limit


def file_complaint(
    *, actor: Actor, data: ComplaintData, source: str, client: str = "", pack: Pack | None = None
) -> Complaint:
    """A complaint from the public form (``client``: the visitor's address, kept only as a keyed hash
    for the rate limit) or entered by an officer; the deadline to accept is counted in working days from
    its receipt (the pack's ``complaints.accept``)."""
    if source == ComplaintSource.OFFICER:
        _require(actor, Action.FINDINGS_REVIEW)
    elif source != ComplaintSource.PUBLIC:
        raise _invalid("source", "投诉来源应为 public 或 officer。")
    pack = pack or active_pack()
    digest = lookup_digest("complaint_client", client) if client else ""
    if digest:
        since = timezone.now() - dt.timedelta(hours=1)
        recent = Complaint.objects.filter(client_digest=digest, created_at__gte=since).count()
        if recent >= PUBLIC_COMPLAINTS_PER_HOUR:
            raise DomainError(ErrorCode.THROTTLED, "提交过于频繁，请一小时后再试，或拨打 12315 投诉热线。")
    if source == ComplaintSource.PUBLIC and (
        len(data.complainant.strip()) < 1 or len(data.complainant_phone.strip()) < 5
    ):
        raise _invalid("complainant_phone", "请留下姓名和联系电话，以便工作人员联系您。")
    for field, value, limit in (("seller_name", data.seller_name, 200), ("subject", data.subject, 200)):
        if not value.strip():
            raise _invalid(field, "必填，不能为空。")
        if len(value) > limit:
            raise _invalid(field, f"不能超过 {limit} 个字符。")
    if data.received_on > timezone.localdate():
        raise _invalid("received_on", "收到日期不能晚于今天。")
    code = "".join(data.seller_code.split()).upper()
    entity = _entities_by_code([code]).get(code) if code else None
    with transaction.atomic():
        complaint = _new_complaint(
            pack, source=source, reference=data.reference.strip() or "", entity=entity,
            seller_name=data.seller_name.strip(), seller_code=code, received_on=data.received_on,
            subject=data.subject.strip(), description=data.description.strip(), complainant=data.complainant.strip(),
            complainant_phone=data.complainant_phone.strip(), client_digest=digest,
        )  # fmt: skip
        complaint.save()
        if not complaint.reference:
            complaint.reference = f"TS{complaint.received_on:%Y%m%d}-{complaint.pk:05d}"
            complaint.save(update_fields=["reference"])
        audit.record(actor=actor, action="monitoring.complaint.file", target=complaint,
                     changes={"source": [None, source], "seller": [None, complaint.seller_name]})  # fmt: skip
    return complaint


def accept_complaint(*, actor: Actor, complaint: Complaint, accept: bool, on: dt.date | None = None) -> Complaint:
    _require(actor, Action.FINDINGS_REVIEW)
    pack = active_pack()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status != ComplaintStatus.RECEIVED:
            raise DomainError(ErrorCode.CONFLICT, f"该投诉的状态为“{locked.get_status_display()}”，不能再受理。")
        day = on or timezone.localdate()
        locked.status = ComplaintStatus.ACCEPTED if accept else ComplaintStatus.REJECTED
        if accept and pack.complaints is not None:
            locked.respond_due = working_deadline(day, pack.complaints.respond.applied)
        locked.save(update_fields=["status", "respond_due"])
        audit.record(actor=actor, action="monitoring.complaint.accept" if accept else "monitoring.complaint.reject",
                     target=locked, changes={"status": ["received", locked.status]})  # fmt: skip
    return locked


def close_complaint(*, actor: Actor, complaint: Complaint, outcome: str, on: dt.date | None = None) -> Complaint:
    """Record the outcome; a substantiated complaint against a registered entity records its credit event."""
    _require(actor, Action.FINDINGS_REVIEW)
    if outcome not in {o.value for o in ComplaintOutcome} - {""}:
        raise _invalid("outcome", "请选择处理结果。")
    pack = active_pack()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status == ComplaintStatus.CLOSED and locked.credit_event_id:
            raise DomainError(ErrorCode.CONFLICT, "该投诉已办结。")
        if outcome == ComplaintOutcome.SUBSTANTIATED and locked.entity is not None and pack.complaints is not None:
            event = credit.record_event(
                actor, locked.entity, pack.complaints.indicator, on or timezone.localdate(),
                source_kind="complaint", source_ref=locked.reference,
            )  # fmt: skip
            locked.credit_event_id = event.pk
        locked.status, locked.outcome = ComplaintStatus.CLOSED, outcome
        locked.save(update_fields=["status", "outcome", "credit_event_id"])
        audit.record(actor=actor, action="monitoring.complaint.close", target=locked,
                     changes={"outcome": [None, outcome], "credit_event": [None, locked.credit_event_id]})  # fmt: skip
    return locked


def answer_complaint(*, actor: Actor, complaint: Complaint, answer: str) -> Complaint:
    """The operator answers a complaint about one of its own entities, in its portal."""
    _require(actor, Action.INCIDENT_REPORT)
    if complaint.entity is None or complaint.entity.organisation_id != actor.organisation_id:
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该投诉。")
    if len(answer.strip()) < MIN_REASON:
        raise _invalid("answer", f"请填写答复（至少 {MIN_REASON} 个字）。")
    with transaction.atomic():
        complaint.operator_answer = answer.strip()
        complaint.save(update_fields=["operator_answer"])
        audit.record(actor=actor, action="monitoring.complaint.answer", target=complaint,
                     changes={"answer": [None, complaint.operator_answer[:200]]})  # fmt: skip
    return complaint


# --- incidents (Art. 10 (2)) -------------------------------------------------------------------------


def report_incident(
    *,
    actor: Actor,
    entity: Entity,
    what: str,
    goods: str,
    occurred_on: dt.date,
    measures: str,
    reported_on: dt.date | None = None,
    found_by_officer: bool = False,
) -> Incident:
    """An operator reports a quality-safety incident (or an officer records one found unreported).
    Reported after the pack's deadline, or found unreported, it records ``incidents.indicator``."""
    pack = active_pack()
    if found_by_officer:
        _require(actor, Action.FINDINGS_REVIEW)
    else:
        _require(actor, Action.INCIDENT_REPORT)
        if entity.organisation_id != actor.organisation_id:
            raise DomainError(ErrorCode.NOT_FOUND, "未找到该经营主体。")
    if len(what.strip()) < MIN_REASON or not goods.strip():
        raise _invalid("what", "请写明事故情况和涉及的商品。")
    today = timezone.localdate()
    if occurred_on > today:
        raise _invalid("occurred_on", "发生日期不能晚于今天。")
    days = pack.incidents.report.applied if pack.incidents else 1
    with transaction.atomic():
        incident = Incident(
            entity=entity, what=what.strip(), goods=goods.strip(), occurred_on=occurred_on,
            reported_on=None if found_by_officer else (reported_on or today),
            report_due=occurred_on + dt.timedelta(days=days), measures=measures.strip(),
            reported_by=actor.label[:200],
            status=IncidentStatus.FOLLOWING if found_by_officer else IncidentStatus.REPORTED,
        )  # fmt: skip
        incident.save()
        audit.record(actor=actor, action="monitoring.incident.report", target=incident,
                     changes={"entity": [None, entity.pk], "late": [None, incident.late]})  # fmt: skip
    return incident


def record_incident_late(*, actor: Actor, incident: Incident) -> Incident:
    """An officer records the credit event of an incident reported late or found unreported."""
    _require(actor, Action.FINDINGS_REVIEW)
    pack = active_pack()
    if not incident.late:
        raise _invalid("incident", "该事故已按期报告，不记录失信事件。")
    if incident.credit_event_id:
        raise DomainError(ErrorCode.CONFLICT, "该事故已记录信用事件。")
    indicator = pack.incidents.indicator if pack.incidents else "quality.incident_unreported"
    with transaction.atomic():
        event = credit.record_event(
            actor, incident.entity, indicator, incident.report_due, source_kind="manual",
            source_ref=f"monitoring-incident:{incident.pk}", evidence=f"质量安全事故 #{incident.pk}：{incident.goods}",
            reason="质量安全事故未按期报告" if incident.reported_on else "质量安全事故未报告",
        )  # fmt: skip
        incident.credit_event_id = event.pk
        incident.status = IncidentStatus.FOLLOWING
        incident.save(update_fields=["credit_event_id", "status"])
        audit.record(actor=actor, action="monitoring.incident.late", target=incident,
                     changes={"credit_event": [None, event.pk]})  # fmt: skip
    return incident
