"""Objections (异议), repair requests (信用修复) and warnings (预警): the procedures around the ledger.

An operator objects to one of its entities' events, or, once the pack's minimum period for that
indicator has passed, applies for repair with proof of rectification. A credit officer decides within
the pack's deadline, counted in working days on China's official calendar (``credit.calendar``); a
day past the holiday library's coverage is refused with a clear message, never guessed. An upheld
objection withdraws the event, a granted repair stops it counting from a day: both through
``credit.services`` (the ledger only gains a status entry), then the entity is evaluated again for
today and the operator is told in the app and by e-mail. A grade falling into a warning grade, or
dropping by the pack's number of grades, raises a warning for the entity and for officers.

Every write is one transaction with its audit entries; mail leaves only after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from ecredit.accounts.actors import SYSTEM, Actor
from ecredit.accounts.models import User
from ecredit.accounts.roles import Action, Role
from ecredit.audit import services as audit
from ecredit.credit import engine, ledger, services
from ecredit.credit.calendar import CalendarNotCovered, add_working_days
from ecredit.credit.models import (
    Attachment,
    CreditEvent,
    CreditNotice,
    Evaluation,
    Objection,
    ProcedureState,
    RepairRequest,
    Warning,
)
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.model import Pack, Period
from ecredit.policy.packs import PackError, UnknownPack, active_pack, load_pack
from ecredit.registry import services as registry
from ecredit.registry.models import Entity

MAX_TEXT = 5000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Extension → (content type, the bytes such a file starts with): what a scan or a photo of a
# rectification report is; nothing a browser would run.
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def _require(actor: Actor, action: Action) -> None:
    if not actor.can(action):
        raise DomainError(ErrorCode.FORBIDDEN)


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, message, {field: message})


def _text(field: str, raw: str, what: str) -> str:
    text = raw.strip()
    if len(_tidy(text)) < services.MIN_REASON_LENGTH:
        raise _invalid(field, f"请写明{what}（至少 {services.MIN_REASON_LENGTH} 个字）。")
    if len(text) > MAX_TEXT:
        raise _invalid(field, f"{what}不能超过 {MAX_TEXT} 个字。")
    return text


def _tidy(raw: str) -> str:
    return " ".join(raw.replace("\u3000", " ").split())


def _own_event(actor: Actor, event: CreditEvent) -> None:
    """Only the entity's own operator objects or applies; anyone else is refused (and sees "not found")."""
    _require(actor, Action.CREDIT_OBJECT)
    if not registry.owns(actor, event.entity):
        raise DomainError(ErrorCode.FORBIDDEN)


def _state_of(event: CreditEvent) -> tuple[dt.date | None, dt.date | None]:
    entries = list(event.statuses.order_by("created_at", "pk").values_list("status", "effective_on"))
    return ledger.fold_statuses(entries)


# --- the pack's numbers ---------------------------------------------------------------------------


def procedure_pack(day: dt.date) -> Pack:
    """The pack governing ``day``; past every pack's period without an extension, this installation's
    pack (an operator's right to object does not wait for an administrator's extension)."""
    try:
        return services.coverage(day).pack
    except DomainError:
        return active_pack()


def _pack_named(pack_id: str) -> Pack:
    try:
        return load_pack(pack_id)
    except (UnknownPack, PackError):
        return active_pack()


def decision_deadline(filed_on: dt.date, period: Period) -> dt.date:
    """The last day for the decision: ``period`` after ``filed_on`` (the filing day not counted)."""
    if period.unit != "working_days":
        return filed_on + dt.timedelta(days=period.applied)
    try:
        return add_working_days(filed_on, period.applied)
    except CalendarNotCovered as exc:
        raise _invalid("deadline", str(exc)) from None


def earliest_repair(pack: Pack, event: CreditEvent) -> dt.date | None:
    """The first day a repair may be applied for, or None when the indicator allows no repair."""
    rule = pack.indicators.get(event.indicator)
    if rule is None or rule.repair_months is None:
        return None
    return engine.add_months(event.occurred_on, rule.repair_months)


def is_overdue(procedure: Objection | RepairRequest, today: dt.date | None = None) -> bool:
    return procedure.state == ProcedureState.PENDING and procedure.deadline < (today or timezone.localdate())


# --- attachments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    name: str
    content_type: str
    data: bytes


def _checked_files(uploads: Sequence[UploadedFile]) -> list[_File]:
    """Read and check every upload before anything is written: count, size, type (by content too)."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise _invalid("attachments", f"附件最多 {MAX_ATTACHMENTS} 个，您上传了 {len(uploads)} 个。")
    files = []
    accepted = "、".join(sorted({ext.lstrip(".").upper() for ext in ATTACHMENT_TYPES}))
    for upload in uploads:
        name = PurePath(upload.name or "附件").name[:200]
        size = upload.size or 0
        if size > MAX_ATTACHMENT_BYTES:
            limit = MAX_ATTACHMENT_BYTES // 1024 // 1024
            raise _invalid("attachments", f"附件“{name}”过大（{size / 1024 / 1024:.1f} MB），每个不能超过 {limit} MB。")
        known = ATTACHMENT_TYPES.get(PurePath(name).suffix.lower())
        if known is None:
            raise _invalid("attachments", f"附件“{name}”的类型不受支持，只接受 {accepted} 文件。")
        data = upload.read(MAX_ATTACHMENT_BYTES + 1)
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise _invalid("attachments", f"附件“{name}”过大，每个不能超过 {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB。")
        content_type, magic = known
        if not data.startswith(magic):
            raise _invalid("attachments", f"附件“{name}”的内容与扩展名不符，请上传真实的 {accepted} 文件。")
        files.append(_File(name, content_type, data))
    return files


def _store(files: list[_File], *, objection: Objection | None = None, repair: RepairRequest | None = None) -> None:
    now = timezone.now()
    for f in files:
        attachment = Attachment(
            objection=objection,
            repair=repair,
            name=f.name,
            size=len(f.data),
            content_type=f.content_type,
            sha256=hashlib.sha256(f.data).hexdigest(),
            uploaded_at=now,
        )
        # A random stored name: the operator's file name never reaches the file system.
        suffix = PurePath(f.name).suffix.lower()
        attachment.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(f.data), save=False)
        attachment.save(force_insert=True)


# --- notices and mail -----------------------------------------------------------------------------


def _operator_emails(entity: Entity) -> list[str]:
    if entity.organisation_id is None:
        return []
    users = User.objects.filter(organisation_id=entity.organisation_id, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _officer_emails() -> list[str]:
    users = User.objects.filter(role_grants__role=Role.CREDIT_OFFICER, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    """One message per audience after commit; a mail failure is logged and never undoes the decision."""
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients), robust=True)


def _notify_operator(entity: Entity, subject: str, body: str) -> CreditNotice:
    notice = CreditNotice(entity=entity, subject=subject[:200], body=body, created_at=timezone.now())
    notice.save(force_insert=True)
    _mail_on_commit(subject, body, _operator_emails(entity))
    return notice


def _reevaluate(actor: Actor, entity: Entity) -> tuple[Evaluation | None, str]:
    """Evaluate the entity for today after a decision. When today cannot be evaluated (no pack covers
    it and no extension), the decision stands and the reason is returned for the officer to see."""
    try:
        return services.evaluate_entity(actor, entity, timezone.localdate()), ""
    except DomainError as exc:
        return None, exc.message


@dataclass(frozen=True)
class Decided:
    """A decision and what followed: the new evaluation (None when not re-evaluated) and why not."""

    procedure: Objection | RepairRequest
    evaluation: Evaluation | None
    not_evaluated: str = ""


# --- objections -----------------------------------------------------------------------------------


def file_objection(
    actor: Actor, event: CreditEvent, *, reasons: str, attachments: Sequence[UploadedFile] = ()
) -> Objection:
    """An operator objects to one of its own entities' events. One pending objection per event."""
    _own_event(actor, event)
    reasons = _text("reasons", reasons, "异议理由")
    files = _checked_files(attachments)
    today = timezone.localdate()
    pack = procedure_pack(today)
    deadline = decision_deadline(today, pack.procedure.objection_decision)
    with transaction.atomic():
        withdrawn_on, _repaired = _state_of(event)
        if withdrawn_on is not None:
            raise DomainError(ErrorCode.CONFLICT, f"该信用事件已自 {withdrawn_on} 起撤销，无需再提出异议。")
        if Objection.objects.filter(event=event, state=ProcedureState.PENDING).exists():
            raise DomainError(ErrorCode.CONFLICT, "该信用事件已有一项异议正在处理，请等待决定。")
        objection = Objection(
            event=event,
            reasons=reasons,
            filed_on=today,
            filed_at=timezone.now(),
            filed_by=actor.label[:200],
            filed_by_user_id=actor.user_id,
            pack_id=pack.id,
            deadline=deadline,
        )
        objection.save(force_insert=True)
        _store(files, objection=objection)
        audit.record(
            actor=actor,
            action="credit.objection.file",
            target=objection,
            changes={
                "event_id": [None, event.pk],
                "reasons": [None, reasons],
                "attachments": [None, [f.name for f in files]],
                "deadline": [None, deadline.isoformat()],
            },
        )
        entity = event.entity
        body = (
            f"{entity.name} 对信用事件 #{event.pk}（{event.indicator}，{event.occurred_on}）提出异议，"
            f"请于 {deadline} 前作出决定。\n\n异议理由：{reasons}"
        )
        _mail_on_commit(f"新的信用异议：{entity.name}", body, _officer_emails())
    return objection


def decide_objection(actor: Actor, objection: Objection, *, upheld: bool, reasons: str) -> Decided:
    """An officer decides. Upheld, the event is withdrawn from the day it occurred (it should never
    have counted) and the entity evaluated again for today; either way the operator is told."""
    _require(actor, Action.CREDIT_CORRECT)
    reasons = _text("reasons", reasons, "决定理由")
    evaluation: Evaluation | None = None
    not_evaluated = ""
    with transaction.atomic():
        locked = Objection.objects.select_for_update().select_related("event__entity").get(pk=objection.pk)
        if locked.state != ProcedureState.PENDING:
            raise DomainError(ErrorCode.CONFLICT, f"该异议已于 {locked.decided_at:%Y-%m-%d} 作出决定。")
        event = locked.event
        if upheld:
            services.withdraw_event(
                actor,
                event,
                reason=f"异议成立：{reasons}",
                effective_on=event.occurred_on,
                source_ref=f"objection:{locked.pk}",
            )
        locked.state = ProcedureState.UPHELD if upheld else ProcedureState.DISMISSED
        locked.decision_reasons = reasons
        locked.decided_by = actor.label[:200]
        locked.decided_by_user_id = actor.user_id
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decision_reasons", "decided_by", "decided_by_user_id", "decided_at"])
        audit.record(
            actor=actor,
            action="credit.objection.decide",
            target=locked,
            changes={"state": [ProcedureState.PENDING.value, locked.state], "reasons": [None, reasons]},
        )
        if upheld:
            evaluation, not_evaluated = _reevaluate(actor, event.entity)
        verdict = "异议成立，该事件已撤销，不再计入信用评价" if upheld else "异议不成立，该事件继续有效"
        body = f"您对信用事件 #{event.pk}（{event.occurred_on}）提出的异议 #{locked.pk}：{verdict}。\n\n理由：{reasons}"
        if evaluation is not None:
            body += f"\n\n重新评价（{evaluation.as_of}）：{evaluation.score} 分，等级 {evaluation.grade}。"
        _notify_operator(event.entity, f"异议决定：{locked.get_state_display()}", body)
    objection.refresh_from_db()
    return Decided(objection, evaluation, not_evaluated)


# --- repair ---------------------------------------------------------------------------------------


def apply_repair(
    actor: Actor, event: CreditEvent, *, proof: str, attachments: Sequence[UploadedFile] = ()
) -> RepairRequest:
    """An operator applies for repair of an own event once the pack's minimum period has passed."""
    _own_event(actor, event)
    today = timezone.localdate()
    pack = procedure_pack(today)
    rule = pack.indicators.get(event.indicator)
    earliest = earliest_repair(pack, event)
    if rule is None or earliest is None:
        label = rule.label if rule else event.indicator
        raise _invalid("event", f"指标“{label}”不适用信用修复。")
    if today < earliest:
        raise _invalid(
            "event",
            f"该事件发生于 {event.occurred_on}，“{rule.label}”须满 {rule.repair_months} 个月方可申请信用修复，"
            f"最早可于 {earliest} 申请。",
        )
    proof = _text("proof", proof, "整改情况")
    files = _checked_files(attachments)
    deadline = decision_deadline(today, pack.procedure.repair_decision)
    with transaction.atomic():
        withdrawn_on, repaired_from = _state_of(event)
        if withdrawn_on is not None:
            raise DomainError(ErrorCode.CONFLICT, f"该信用事件已自 {withdrawn_on} 起撤销，无需修复。")
        if repaired_from is not None:
            raise DomainError(ErrorCode.CONFLICT, f"该信用事件已自 {repaired_from} 起修复。")
        if RepairRequest.objects.filter(event=event, state=ProcedureState.PENDING).exists():
            raise DomainError(ErrorCode.CONFLICT, "该信用事件已有一项修复申请正在处理，请等待决定。")
        request = RepairRequest(
            event=event,
            proof=proof,
            filed_on=today,
            filed_at=timezone.now(),
            filed_by=actor.label[:200],
            filed_by_user_id=actor.user_id,
            pack_id=pack.id,
            deadline=deadline,
        )
        request.save(force_insert=True)
        _store(files, repair=request)
        audit.record(
            actor=actor,
            action="credit.repair.apply",
            target=request,
            changes={
                "event_id": [None, event.pk],
                "proof": [None, proof],
                "attachments": [None, [f.name for f in files]],
                "deadline": [None, deadline.isoformat()],
            },
        )
        entity = event.entity
        body = (
            f"{entity.name} 申请修复信用事件 #{event.pk}（{event.indicator}，{event.occurred_on}），"
            f"请于 {deadline} 前作出决定。\n\n整改情况：{proof}"
        )
        _mail_on_commit(f"新的信用修复申请：{entity.name}", body, _officer_emails())
    return request


def decide_repair(
    actor: Actor, request: RepairRequest, *, granted: bool, reasons: str, from_date: dt.date | None = None
) -> Decided:
    """An officer grants (the event stops counting from ``from_date``, today by default; the archive
    still shows it to officers) or refuses, with reasons; the operator is told either way."""
    _require(actor, Action.CREDIT_CORRECT)
    reasons = _text("reasons", reasons, "决定理由")
    from_date = from_date or timezone.localdate()
    evaluation: Evaluation | None = None
    not_evaluated = ""
    with transaction.atomic():
        locked = RepairRequest.objects.select_for_update().select_related("event__entity").get(pk=request.pk)
        if locked.state != ProcedureState.PENDING:
            raise DomainError(ErrorCode.CONFLICT, f"该修复申请已于 {locked.decided_at:%Y-%m-%d} 作出决定。")
        event = locked.event
        if granted:
            services.repair_event(
                actor, event, from_date=from_date, reason=f"准予信用修复：{reasons}", source_ref=f"repair:{locked.pk}"
            )
            locked.from_date = from_date
        locked.state = ProcedureState.GRANTED if granted else ProcedureState.REFUSED
        locked.decision_reasons = reasons
        locked.decided_by = actor.label[:200]
        locked.decided_by_user_id = actor.user_id
        locked.decided_at = timezone.now()
        locked.save(
            update_fields=["state", "from_date", "decision_reasons", "decided_by", "decided_by_user_id", "decided_at"]
        )
        audit.record(
            actor=actor,
            action="credit.repair.decide",
            target=locked,
            changes={
                "state": [ProcedureState.PENDING.value, locked.state],
                "from_date": [None, from_date.isoformat() if granted else None],
                "reasons": [None, reasons],
            },
        )
        if granted:
            evaluation, not_evaluated = _reevaluate(actor, event.entity)
        verdict = f"准予修复，该事件自 {from_date} 起不再计入信用评价" if granted else "不予修复"
        body = f"您就信用事件 #{event.pk}（{event.occurred_on}）提出的修复申请 #{locked.pk}：{verdict}。\n\n理由：{reasons}"
        if evaluation is not None:
            body += f"\n\n重新评价（{evaluation.as_of}）：{evaluation.score} 分，等级 {evaluation.grade}。"
        _notify_operator(event.entity, f"信用修复决定：{locked.get_state_display()}", body)
    request.refresh_from_db()
    return Decided(request, evaluation, not_evaluated)


# --- warnings -------------------------------------------------------------------------------------


def previous_evaluation(evaluation: Evaluation) -> Evaluation | None:
    """The entity's latest stored evaluation before ``evaluation`` was stored (what it showed until then)."""
    rows = Evaluation.objects.filter(entity_id=evaluation.entity_id, created_at__lte=evaluation.created_at)
    return rows.exclude(pk=evaluation.pk).order_by("-as_of", "-created_at", "-pk").first()


def _warning_message(pack: Pack, entity_name: str, before: str | None, after: str, as_of: dt.date) -> str | None:
    """The warning's sentence, or None when the change raises none under ``pack``."""
    codes = [grade.code for grade in pack.scale.grades]  # best first
    labels = {grade.code: grade.label for grade in pack.scale.grades}
    rank_after = codes.index(after) if after in codes else None
    rank_before = codes.index(before) if before in codes else None
    worse = before is None or (rank_after is not None and rank_before is not None and rank_after > rank_before)
    drop = rank_after - rank_before if rank_after is not None and rank_before is not None else 0
    if not ((after in pack.procedure.warning_grades and worse) or drop >= pack.procedure.warning_drop):
        return None
    now = f"{after}（{labels.get(after, '')}）"
    if before is None:
        return f"{entity_name} 于 {as_of} 的信用评价为 {now}，进入预警等级。"
    return f"{entity_name} 的信用等级由 {before}（{labels.get(before, '')}）降为 {now}（{as_of}）。"


def _mail_warning(entity: Entity, message: str) -> None:
    subject = f"信用预警：{entity.name}"
    _mail_on_commit(subject, message, _operator_emails(entity))
    _mail_on_commit(subject, message, _officer_emails())


def check_warning(entity: Entity, before: Evaluation | None, after: Evaluation) -> Warning | None:
    """Raise a warning when ``after`` puts the entity into one of the pack's warning grades (from a
    better grade, or as its first grade), or drops it by the pack's number of grades. ``before`` is
    what the entity showed until then; an evaluation of an earlier day than that changes nothing shown."""
    if before is not None and after.as_of < before.as_of:
        return None
    message = _warning_message(
        _pack_named(after.pack_id), entity.name, before.grade if before else None, after.grade, after.as_of
    )
    if message is None:
        return None
    with transaction.atomic():
        warning = Warning(
            entity=entity,
            evaluation=after,
            as_of=after.as_of,
            grade_before=before.grade if before else "",
            grade_after=after.grade,
            message=message,
            created_at=timezone.now(),
        )
        warning.save(force_insert=True)
        audit.record(
            actor=SYSTEM,
            action="credit.warning.create",
            target=warning,
            changes={"entity_id": [None, entity.pk], "grade": [before.grade if before else None, after.grade]},
        )
        _mail_warning(entity, message)
    return warning


WARNING_CHUNK = 2000  # warnings per executemany
OFFICER_MAIL_LINES = 500  # the officers' summary of a batch run lists this many warnings


def warn_after_batch(pack: Pack, *, as_of: dt.date, created_at: dt.datetime) -> int:
    """The warnings of a batch run (its rows share ``created_at``), set-based: one query reads each
    new row in a grade that can warn next to the entity's latest evaluation stored before the run
    (through the evaluations' history index), the warnings are written in chunks, and the mail goes
    out after commit: one summary to the officers, one message to each warned entity's operators."""
    codes = [grade.code for grade in pack.scale.grades]
    can_warn = [code for rank, code in enumerate(codes) if code in pack.procedure.warning_grades]
    can_warn += [code for rank, code in enumerate(codes) if rank >= pack.procedure.warning_drop]
    earlier = Evaluation.objects.filter(entity=OuterRef("entity"), created_at__lt=created_at).order_by(
        "-as_of", "-created_at", "-pk"
    )
    rows = (
        Evaluation.objects.filter(batch=True, created_at=created_at, as_of=as_of, grade__in=set(can_warn))
        .annotate(
            before_grade=Subquery(earlier.values("grade")[:1]), before_as_of=Subquery(earlier.values("as_of")[:1])
        )
        .order_by()
        .values_list(
            "pk", "entity_id", "entity__name", "entity__organisation_id", "grade", "before_grade", "before_as_of"
        )
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    day = connection.ops.adapt_datefield_value(as_of)
    table = Warning._meta.db_table
    insert = (
        f"INSERT INTO {table} (entity_id, evaluation_id, as_of, grade_before, grade_after, message, created_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    written = 0
    first: list[str] = []  # the officers' summary lists the first few
    by_organisation: dict[int, list[tuple[str, str]]] = {}  # organisation → (entity name, message)
    buffer: list[tuple[Any, ...]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for pk, entity_id, name, organisation_id, grade, before_grade, before_as_of in rows.iterator(chunk_size=2000):
            if before_as_of is not None and as_of < before_as_of:
                continue
            message = _warning_message(pack, name, before_grade, grade, as_of)
            if message is None:
                continue
            buffer.append((entity_id, pk, day, before_grade or "", grade, message, now))
            if len(first) < OFFICER_MAIL_LINES:
                first.append(message)
            if organisation_id is not None:
                by_organisation.setdefault(organisation_id, []).append((name, message))
            if len(buffer) >= WARNING_CHUNK:
                cursor.executemany(insert, buffer)
                written += len(buffer)
                buffer.clear()
        if buffer:
            cursor.executemany(insert, buffer)
            written += len(buffer)
        if not written:
            return 0
        audit.record(
            actor=SYSTEM,
            action="credit.warning.batch",
            target_type="credit.warning",
            target_id=f"batch:{as_of.isoformat()}",
            target_repr=f"批量评价预警 {as_of.isoformat()}",
            changes={"warnings": [None, written]},
        )
        officers = _officer_emails()
        if officers:
            more = f"\n……共 {written} 条。" if written > len(first) else ""
            _mail_on_commit(f"信用预警：批量评价产生 {written} 条预警", "\n".join(first) + more, officers)
        if by_organisation:
            emails: dict[int, set[str]] = {}
            organisations = list(by_organisation)
            for start in range(0, len(organisations), WARNING_CHUNK):
                users = User.objects.filter(
                    organisation_id__in=organisations[start : start + WARNING_CHUNK], is_active=True
                ).exclude(email="")
                for organisation_id, email in users.values_list("organisation_id", "email"):
                    emails.setdefault(organisation_id, set()).add(email)
            for organisation_id, warned in by_organisation.items():
                recipients = sorted(emails.get(organisation_id, ()))
                for name, message in warned:
                    _mail_on_commit(f"信用预警：{name}", message, recipients)
    return written


# --- reads ----------------------------------------------------------------------------------------


def objections() -> QuerySet[Objection]:
    return Objection.objects.select_related("event__entity").prefetch_related("attachments")


def repair_requests() -> QuerySet[RepairRequest]:
    return RepairRequest.objects.select_related("event__entity").prefetch_related("attachments")


def queue(rows: QuerySet[Any], state: str = ProcedureState.PENDING) -> QuerySet[Any]:
    """Pending ones by the nearest deadline; decided ones, the latest decision first."""
    if state == ProcedureState.PENDING:
        return rows.filter(state=state).order_by("deadline", "pk")
    rows = rows.exclude(state=ProcedureState.PENDING)
    return (rows.filter(state=state) if state else rows).order_by("-decided_at", "-pk")


def may_see(actor: Actor, entity: Entity) -> bool:
    """Officers see every procedure; an operator its own entities'."""
    return actor.can(Action.CREDIT_VIEW) or (actor.can(Action.CREDIT_OBJECT) and registry.owns(actor, entity))


def access_objection_for(actor: Actor, pk: int) -> Objection | None:
    found = objections().filter(pk=pk).first()
    return found if found is not None and may_see(actor, found.event.entity) else None


def access_repair_for(actor: Actor, pk: int) -> RepairRequest | None:
    found = repair_requests().filter(pk=pk).first()
    return found if found is not None and may_see(actor, found.event.entity) else None


def access_own_event_for(actor: Actor, pk: int) -> CreditEvent | None:
    event = CreditEvent.objects.select_related("entity").filter(pk=pk).first()
    if event is None or not actor.can(Action.CREDIT_OBJECT) or not registry.owns(actor, event.entity):
        return None
    return event


def access_attachment_for(actor: Actor, pk: int) -> Attachment | None:
    found = Attachment.objects.select_related("objection__event__entity", "repair__event__entity").filter(pk=pk).first()
    if found is None:
        return None
    owner = found.objection or found.repair
    return found if owner is not None and may_see(actor, owner.event.entity) else None


def warnings_for(actor: Actor) -> QuerySet[Warning]:
    rows = Warning.objects.select_related("entity").order_by("-created_at", "-pk")
    if actor.can(Action.CREDIT_VIEW):
        return rows
    return rows.filter(entity__organisation_id=actor.organisation_id or -1)


def notices_for(actor: Actor) -> QuerySet[CreditNotice]:
    return CreditNotice.objects.select_related("entity").filter(entity__organisation_id=actor.organisation_id or -1)
