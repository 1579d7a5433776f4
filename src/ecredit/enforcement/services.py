"""Every change to leads and cases: one keyword-only function per step, ``actor=`` first, one
transaction, the audit entry and the case timeline written inside it, any credit event recorded
through ``credit.services.record_event``. A refusal raises ``DomainError`` and changes nothing.

Issuing numbered documents lives in ``issuing.py``, what follows them (acknowledgement, compliance,
non-compliance, a site closed) in ``notices.py``; both build on the helpers here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.roles import Action, actions_for
from ecredit.accounts.services import roles_of
from ecredit.audit import services as audit
from ecredit.credit import services as credit
from ecredit.enforcement import documents, numbering, transitions
from ecredit.enforcement.models import (
    Case,
    CaseEvent,
    CaseParty,
    Document,
    DocumentKind,
    EvidenceLink,
    Extension,
    InvestigationRecord,
    Lead,
    LeadSource,
    LeadStatus,
    Notice,
    RecordKind,
)
from ecredit.enforcement.transitions import State
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.model import Enforcement, Pack
from ecredit.policy.packs import active_pack
from ecredit.registry.models import Entity

MIN_REASON = 4
MAX_UPLOAD = 50 * 1024 * 1024


IMPLEMENTS = {
    "15": "市场监督管理部门及其他部门的线索、立案、调查与处理，按部门办案",
    "16.2": "调查询问：询问笔录，记录被询问人、时间、地点与内容",
    "16.3": "检查涉嫌违法经营的计算机、网络软硬件设备：检查笔录须写明检查的设备与资料",
    "16.4": "案件记录所依据的法律、法规、规章（法律依据），处罚决定书载明处罚依据",
    "17": "拒绝、阻挠、干涉调查取证的，凭证据认定并记录一票否决事件",
    "18": "案件只对办案部门可见；商业秘密单独登记，公示时隐去",
    "19": "笔录记录当事人的陈述与确认；不如实说明的，凭证据认定并记录信用事件",
}


def _require(actor: Actor, action: Action) -> None:
    if not actor.can(action):
        raise DomainError(ErrorCode.FORBIDDEN)


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, message, {field: message})


def _tidy(raw: str) -> str:
    return " ".join((raw or "").replace("\u3000", " ").split())


def _reason(raw: str, what: str = "理由") -> str:
    reason = _tidy(raw)
    if len(reason) < MIN_REASON:
        raise _invalid("reason", f"请写明{what}（至少 {MIN_REASON} 个字）。")
    return reason


def rules(pack: Pack | None = None) -> Enforcement:
    pack = pack or active_pack()
    if pack.enforcement is None:
        raise DomainError(ErrorCode.CONFLICT, f"政策包“{pack.title}”没有执法办案（enforcement）章节，无法办案。")
    return pack.enforcement


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def _timeline(case: Case, actor: Actor, kind: str, summary: str, day: dt.date | None = None) -> None:
    """One line of the case's timeline, dated ``day`` when the step is recorded for an earlier day."""
    now = timezone.now()
    at = now
    if day is not None and day < timezone.localdate():
        at = timezone.make_aware(dt.datetime.combine(day, timezone.localtime(now).time()))
    CaseEvent.objects.create(case=case, at=at, kind=kind, summary=summary, actor_label=actor.label[:200])


# --- who may see what (Art. 18) ------------------------------------------------------------------


def in_department(actor: Actor, case: Case) -> bool:
    """Art. 18: a case's details are for its own department's officers only."""
    return actor.via == "system" or (actor.can(Action.CASE_VIEW) and actor.organisation_id == case.department_id)


def access_case_for(actor: Actor, pk: int) -> Case:
    """The case, if ``actor`` works in its department; missing and forbidden look alike."""
    case = Case.objects.filter(pk=pk).select_related("department").first()
    if case is None or not in_department(actor, case):
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该案件。")
    return case


def _party_org_ids(document: Document) -> set[int]:
    ids = {p.entity.organisation_id for p in document.case.parties.select_related("entity")}
    return {i for i in ids if i}


def may_see_document(actor: Actor, document: Document) -> bool:
    """The department's officers; the parties (CASE_OWN) for the case's documents; the addressee
    (NOTICE_RECEIVE) for the documents addressed to it."""
    if in_department(actor, document.case):
        return True
    org = actor.organisation_id
    if org is None:
        return False
    if (
        actor.can(Action.NOTICE_RECEIVE)
        and document.addressee is not None
        and document.addressee.organisation_id == org
    ):
        return True
    return actor.can(Action.CASE_OWN) and org in _party_org_ids(document)


def access_document_for(actor: Actor, pk: int) -> Document:
    document = Document.objects.filter(pk=pk).select_related("case", "addressee", "department").first()
    if document is None or not may_see_document(actor, document):
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该文书。")
    return document


def access_notice_for(actor: Actor, pk: int) -> Notice:
    """A suspension notice addressed to an entity of the actor's organisation."""
    notice = (
        Notice.objects.filter(pk=pk, document__kind=DocumentKind.SUSPENSION)
        .select_related("document", "document__addressee", "document__case")
        .first()
    )
    addressee = notice.document.addressee if notice else None
    if (
        notice is None
        or addressee is None
        or actor.organisation_id is None
        or addressee.organisation_id != actor.organisation_id
        or not actor.can(Action.NOTICE_RECEIVE)
    ):
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该通知书。")
    return notice


# --- leads ----------------------------------------------------------------------------------------


def _department(actor: Actor, department: Organisation | None) -> Organisation:
    if department is not None:
        return department
    org = Organisation.objects.filter(pk=actor.organisation_id or 0).first()
    if org is None:
        raise _invalid("department", "请指定办案部门。")
    return org


def record_lead(
    *,
    actor: Actor,
    source_kind: str,
    source_ref: str = "",
    entity: Entity | None = None,
    summary: str,
    received_on: dt.date | None = None,
    department: Organisation | None = None,
) -> Lead:
    """Record a lead (线索). Other apps (inspections' case proposals, monitoring's findings) call this;
    ``department`` defaults to the actor's organisation."""
    if not (actor.can(Action.CASE_MANAGE) or actor.can(Action.CASE_APPROVE)):
        raise DomainError(ErrorCode.FORBIDDEN)
    if source_kind not in LeadSource.values:
        accepted = "、".join(f"{value}（{label}）" for value, label in LeadSource.choices)
        raise _invalid("source_kind", f"线索来源应为：{accepted}。")
    summary = summary.strip()
    if len(summary) < MIN_REASON:
        raise _invalid("summary", f"请写明线索内容（至少 {MIN_REASON} 个字）。")
    source_ref = source_ref.strip()
    if len(source_ref) > 100:
        raise _invalid("source_ref", "来源编号不能超过 100 个字符。")
    day = _today(received_on)
    if day > timezone.localdate():
        raise _invalid("received_on", "收到日期不能晚于今天。")
    dept = _department(actor, department)
    with transaction.atomic():
        lead = Lead.objects.create(
            department=dept,
            source_kind=source_kind,
            source_ref=source_ref,
            entity=entity,
            summary=summary,
            received_on=day,
            created_by=actor.label[:200],
        )
        audit.record(
            actor=actor,
            action="enforcement.lead.record",
            target=lead,
            changes={
                "source": [None, f"{source_kind}:{source_ref}"],
                "entity_id": [None, entity.pk if entity else None],
            },
        )
    return lead


def _open_lead(actor: Actor, lead: Lead) -> Lead:
    _require(actor, Action.CASE_MANAGE)
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.department_id != actor.organisation_id and actor.via != "system":
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该线索。")
    if locked.status != LeadStatus.OPEN:
        raise DomainError(ErrorCode.CONFLICT, f"该线索已处理（{locked.get_status_display()}），不能再次处理。")
    return locked


def refer_lead(*, actor: Actor, lead: Lead, to: str, reason: str) -> Lead:
    """Refer a lead to the department it belongs to."""
    to = _tidy(to)
    if not to:
        raise _invalid("to", "请写明移送的部门。")
    reason = _reason(reason, "移送理由")
    with transaction.atomic():
        locked = _open_lead(actor, lead)
        locked.status, locked.referred_to, locked.outcome_reason = LeadStatus.REFERRED, to, reason
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "referred_to", "outcome_reason", "decided_at"])
        audit.record(actor=actor, action="enforcement.lead.refer", target=locked, changes={"referred_to": [None, to]})
    return locked


def close_lead(*, actor: Actor, lead: Lead, reason: str) -> Lead:
    """Decide not to open a case on a lead, with the reasons."""
    reason = _reason(reason, "不予立案的理由")
    with transaction.atomic():
        locked = _open_lead(actor, lead)
        locked.status, locked.outcome_reason, locked.decided_at = LeadStatus.CLOSED, reason, timezone.now()
        locked.save(update_fields=["status", "outcome_reason", "decided_at"])
        audit.record(actor=actor, action="enforcement.lead.close", target=locked, changes={"reason": [None, reason]})
    return locked


# --- cases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyIn:
    entity: Entity
    provider: Entity | None = None


def _check_case_facts(
    pack: Pack, conduct: Sequence[str], other_duties: Sequence[str], parties: Sequence[PartyIn]
) -> tuple[list[str], list[str]]:
    conduct = list(dict.fromkeys(c.strip() for c in conduct if c.strip()))
    other = list(dict.fromkeys(c.strip() for c in other_duties if c.strip()))
    unknown = [c for c in conduct if c not in pack.conduct]
    if unknown:
        raise _invalid("conduct", f"第十四条中没有这些项：{'、'.join(unknown)}（应写作 14.1 至 14.12）。")
    unknown = [c for c in other if c not in pack.articles]
    if unknown:
        raise _invalid("other_duties", f"本制度中没有这些条款：{'、'.join(unknown)}（应写作 10.2、12.2 等）。")
    if not conduct and not other:
        raise _invalid("conduct", "请至少选择一项违法行为（第十四条）或违反的其他义务条款。")
    if not parties:
        raise _invalid("parties", "请至少列明一名当事人。")
    for party in parties:
        provider = party.provider
        if provider is not None and not (provider.is_platform or provider.is_infrastructure):
            raise _invalid("parties", f"{provider.name} 未登记为平台或基础服务经营者，不能作为当事人的服务提供者。")
        if provider is not None and provider.pk == party.entity.pk:
            raise _invalid("parties", "当事人的服务提供者不能是其本身。")
    return conduct, other


def _check_officers(officers: Sequence[User], department: Organisation) -> list[User]:
    unique = list({u.pk: u for u in officers}.values())
    if len(unique) < 2:
        raise _invalid("officers", "案件须由至少两名执法人员承办。")
    for user in unique:
        if user.organisation_id != department.pk or Action.CASE_MANAGE not in actions_for(roles_of(user)):
            raise _invalid("officers", f"{user} 不是本部门的办案人员，不能承办本案。")
    return unique


def propose_case(
    *,
    actor: Actor,
    title: str,
    parties: Sequence[PartyIn],
    conduct: Sequence[str] = (),
    other_duties: Sequence[str] = (),
    legal_basis: str = "",
    officers: Sequence[User],
    lead: Lead | None = None,
    commercial_secrets: str = "",
    on: dt.date | None = None,
) -> Case:
    """Accept a lead (or the officer's own finding) as a case awaiting the head's approval to file (立案)."""
    _require(actor, Action.CASE_MANAGE)
    pack = active_pack()
    rules(pack)
    title = _tidy(title)
    if len(title) < MIN_REASON:
        raise _invalid("title", f"请写明案由（至少 {MIN_REASON} 个字）。")
    conduct_list, other = _check_case_facts(pack, conduct, other_duties, parties)
    department = _department(actor, lead.department if lead else None)
    officer_list = _check_officers(officers, department)
    with transaction.atomic():
        if lead is not None:
            locked = _open_lead(actor, lead)
            locked.status, locked.decided_at = LeadStatus.PROPOSED, timezone.now()
            locked.save(update_fields=["status", "decided_at"])
        case = Case.objects.create(
            department=department,
            lead=lead,
            title=title,
            conduct=conduct_list,
            other_duties=other,
            legal_basis=legal_basis.strip(),
            commercial_secrets=commercial_secrets.strip(),
            proposed_on=_today(on),
        )
        case.officers.set(officer_list)
        for party in parties:
            CaseParty.objects.create(case=case, entity=party.entity, provider=party.provider)
        _timeline(case, actor, "propose", f"提请立案：{title}", case.proposed_on)
        audit.record(
            actor=actor,
            action="enforcement.case.propose",
            target=case,
            changes={
                "lead_id": [None, lead.pk if lead else None],
                "parties": [None, [p.entity.pk for p in parties]],
                "conduct": [None, conduct_list + other],
                "officers": [None, [u.pk for u in officer_list]],
            },
        )
    return case


def _locked_case(actor: Actor, case: Case) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not in_department(actor, locked) and actor.via != "system":
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该案件。")
    return locked


def _granted(actor: Actor) -> frozenset[Action]:
    if actor.via == "system":
        return frozenset(Action)
    return frozenset(a for a in Action if actor.can(a))


def fire(
    *, actor: Actor, case: Case, transition: str, reason: str = "", decision: str = "", on: dt.date | None = None
) -> Case:
    """Move the case along one transition of ``transitions.TABLE``. Filing gives the case its number
    and its decision deadline from the pack; deciding records the decision; closing and withdrawing
    need a reason."""
    day = _today(on)
    with transaction.atomic():
        locked = _locked_case(actor, case)
        try:
            step = transitions.check(locked.state, transition, _granted(actor))
        except transitions.Refused as refused:
            code = ErrorCode.FORBIDDEN if refused.forbidden else ErrorCode.CONFLICT
            raise DomainError(code, refused.message, {"state": locked.state, "transition": transition}) from None
        before = locked.state
        fields = ["state"]
        summary = step.label
        if step.needs_reason:
            locked.end_reason = _reason(reason)
            fields.append("end_reason")
            summary += f"：{locked.end_reason}"
        if step.name == "file":
            if day < locked.proposed_on:
                raise _invalid("on", f"立案日期不能早于提请日期 {locked.proposed_on}。")
            locked.filed_on = day
            locked.deadline = day + dt.timedelta(days=rules().decision.applied)
            locked.number = numbering.take(locked.department, "case", day.year)
            fields += ["filed_on", "deadline", "number"]
            summary += f"，案件编号 {locked.number}，应于 {locked.deadline} 前作出决定"
        if step.name == "decide":
            decision = _tidy(decision)
            if len(decision) < MIN_REASON:
                raise _invalid("decision", f"请写明处理决定（至少 {MIN_REASON} 个字）。")
            locked.decision_summary = decision
            fields.append("decision_summary")
            summary += f"：{decision}"
        if step.target in transitions.FINAL:
            locked.closed_on = day
            fields.append("closed_on")
        locked.state = step.target
        locked.save(update_fields=fields)
        _timeline(locked, actor, step.name, summary, day)
        audit.record(
            actor=actor,
            action=f"enforcement.case.{step.name}",
            target=locked,
            changes={
                "state": [before, locked.state],
                **({"number": [None, locked.number]} if step.name == "file" else {}),
            },
        )
    return locked


def extend_deadline(*, actor: Actor, case: Case, reason: str, days: int | None = None) -> Extension:
    """Extend the decision deadline with a superior's approval and a recorded reason."""
    _require(actor, Action.CASE_APPROVE)
    reason = _reason(reason, "延期理由")
    allowed = rules().extension.applied
    days = allowed if days is None else days
    if not 1 <= days <= allowed:
        raise _invalid("days", f"每次延长 1 至 {allowed} 天。")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        if not transitions.deadline_runs(locked.state) or locked.deadline is None:
            raise DomainError(ErrorCode.CONFLICT, "只有已立案、尚未作出决定的案件才能延长办案期限。")
        previous = locked.deadline
        locked.deadline = previous + dt.timedelta(days=days)
        locked.save(update_fields=["deadline"])
        extension = Extension.objects.create(
            case=locked,
            days=days,
            reason=reason,
            previous_deadline=previous,
            new_deadline=locked.deadline,
            approved_by=actor.label[:200],
        )
        _timeline(locked, actor, "extend", f"批准延长办案期限 {days} 天至 {locked.deadline}：{reason}")
        audit.record(
            actor=actor,
            action="enforcement.case.extend",
            target=locked,
            changes={"deadline": [previous.isoformat(), locked.deadline.isoformat()], "reason": [None, reason]},
        )
    return extension


def _working(locked: Case) -> None:
    if locked.state in (State.LEAD, *transitions.FINAL):
        raise DomainError(ErrorCode.CONFLICT, f"案件当前状态为“{locked.get_state_display()}”，不能再补充调查材料。")


def add_record(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    place: str,
    officers: str,
    subject: str,
    content: str,
    examined: str = "",
    party_statement: str = "",
    party_confirmed: bool = False,
    refusal_note: str = "",
) -> InvestigationRecord:
    """An inquiry or on-site inspection record (Art. 16 (2)(3)), with the party's statement and
    whether the party confirmed it (Art. 19)."""
    _require(actor, Action.CASE_MANAGE)
    if kind not in RecordKind.values:
        raise _invalid("kind", "笔录类型应为询问笔录（inquiry）或检查笔录（inspection）。")
    for field, value, label in (
        ("place", place, "地点"),
        ("officers", officers, "执法人员"),
        ("subject", subject, "被询问人或现场负责人"),
        ("content", content, "笔录内容"),
    ):
        if not value.strip():
            raise _invalid(field, f"请填写{label}。")
    if ended_at < started_at:
        raise _invalid("ended_at", "结束时间不能早于开始时间。")
    if ended_at > timezone.now():
        raise _invalid("ended_at", "笔录结束时间不能晚于现在。")
    if kind == RecordKind.INSPECTION and not examined.strip():
        raise _invalid("examined", "检查笔录须写明检查的计算机、网络设备或资料（第十六条第（三）项）。")
    if not party_confirmed and not refusal_note.strip():
        raise _invalid("refusal_note", "当事人未确认的，须写明未确认（拒绝签字）的情况。")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        _working(locked)
        record = InvestigationRecord.objects.create(
            case=locked,
            kind=kind,
            started_at=started_at,
            ended_at=ended_at,
            place=place.strip(),
            officers=officers.strip(),
            subject=subject.strip(),
            examined=examined.strip(),
            content=content.strip(),
            party_statement=party_statement.strip(),
            party_confirmed=party_confirmed,
            refusal_note=refusal_note.strip(),
            created_by=actor.label[:200],
        )
        label = record.get_kind_display()
        confirmed = "当事人已确认" if party_confirmed else f"当事人未确认：{record.refusal_note}"
        _timeline(
            locked,
            actor,
            "record",
            f"制作{label}（{record.place}，{record.subject}），{confirmed}",
            timezone.localdate(ended_at),
        )
        audit.record(actor=actor, action="enforcement.record.add", target=record, changes={"kind": [None, kind]})
    return record


def add_evidence(
    *,
    actor: Actor,
    case: Case,
    title: str,
    filename: str = "",
    data: bytes | None = None,
    evidence_ref: str = "",
    note: str = "",
) -> EvidenceLink:
    """Attach evidence: an uploaded file (kept with its SHA-256), or the id of an item in the evidence
    store (``evidence_ref``)."""
    _require(actor, Action.CASE_MANAGE)
    title, evidence_ref = _tidy(title), evidence_ref.strip()
    if not title:
        raise _invalid("title", "请填写证据名称。")
    if not data and not evidence_ref:
        raise _invalid("file", "请上传证据文件，或填写证据库中的证据编号。")
    if data and len(data) > MAX_UPLOAD:
        raise _invalid("file", "证据文件不能超过 50 MB。")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        _working(locked)
        link = EvidenceLink(
            case=locked, title=title, evidence_ref=evidence_ref, note=note.strip(), added_by=actor.label[:200]
        )
        if data:
            link.sha256 = hashlib.sha256(data).hexdigest()
            link.size = len(data)
            link.file.save(documents.safe_name(filename or "evidence.bin"), documents.content_file(data), save=False)
        link.save()
        _timeline(
            locked,
            actor,
            "evidence",
            f"添加证据：{title}" + (f"（SHA-256 {link.sha256[:16]}…）" if link.sha256 else ""),
        )
        audit.record(
            actor=actor,
            action="enforcement.evidence.add",
            target=link,
            changes={"sha256": [None, link.sha256], "evidence_ref": [None, evidence_ref]},
        )
    return link


def _case_ref(case: Case) -> str:
    return case.number or f"case-{case.pk}"


def _credit(actor: Actor, entity: Entity, indicator: str, day: dt.date, ref: str, case: Case) -> bool:
    """Record ``indicator`` for ``entity`` when the pack applies it to one of the entity's roles; note
    on the timeline either way."""
    rule = active_pack().indicators[indicator]
    if not rule.roles & set(entity.roles):
        _timeline(case, actor, "credit", f"{entity.name} 的经营角色不适用指标“{rule.label}”，未记录信用事件", day)
        return False
    credit.record_event(actor, entity, indicator, day, source_kind="case", source_ref=ref)
    _timeline(case, actor, "credit", f"为{entity.name}记录信用事件“{rule.label}”（{indicator}）", day)
    return True


def record_noncooperation(
    *,
    actor: Actor,
    case: Case,
    entity: Entity,
    kind: str,
    description: str,
    occurred_on: dt.date | None = None,
    evidence: EvidenceLink | None = None,
) -> Case:
    """Refusing or obstructing the investigation (Art. 17, ``kind='obstruction'``, a veto event) or a
    false statement (Art. 19, ``kind='untruthful'``), recorded with its evidence."""
    _require(actor, Action.CASE_MANAGE)
    enforcement = rules()
    indicators = {"obstruction": enforcement.obstruction_indicator, "untruthful": enforcement.untruthful_indicator}
    if kind not in indicators:
        raise _invalid("kind", "情形应为拒绝阻挠调查（obstruction）或不如实说明（untruthful）。")
    description = _reason(description, "具体情况")
    if evidence is None:
        raise _invalid("evidence", "请先添加证据（如现场记录、录像），再认定拒绝配合或不如实说明。")
    day = _today(occurred_on)
    with transaction.atomic():
        locked = _locked_case(actor, case)
        _working(locked)
        if evidence.case_id != locked.pk:
            raise _invalid("evidence", "所选证据不属于本案。")
        if not locked.parties.filter(entity=entity).exists():
            raise _invalid("entity", f"{entity.name} 不是本案当事人。")
        label = "拒绝、阻挠调查取证" if kind == "obstruction" else "不如实说明情况"
        _timeline(locked, actor, kind, f"认定{entity.name}{label}：{description}（证据：{evidence.title}）", day)
        ref = f"{_case_ref(locked)}:{kind}:{day.isoformat()}"
        _credit(actor, entity, indicators[kind], day, ref, locked)
        audit.record(
            actor=actor, action=f"enforcement.case.{kind}", target=locked, changes={"entity_id": [None, entity.pk]}
        )
    return locked
