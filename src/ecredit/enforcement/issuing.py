"""Issuing numbered documents: suspension notices (Art. 22), penalty decisions (Art. 24) with their
credit event and publication, closure proposals (Art. 23) and judicial transfers (Art. 16 (1), 24).

Each issue is one transaction: the case is locked, its state checked against ``ISSUE_STATES``, a
number taken from the locked counter (``numbering``), the PDF rendered and written once
(``documents``), the document, its timeline line, audit entry and any credit event recorded.
A document is never changed; a correction is a new document naming the one it corrects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit import services as audit
from ecredit.credit.calendar import CalendarNotCovered, add_working_days
from ecredit.enforcement import documents, numbering
from ecredit.enforcement.models import Case, CaseParty, CaseState, Document, DocumentKind, Notice, Publication
from ecredit.enforcement.services import (
    _credit,
    _invalid,
    _locked_case,
    _reason,
    _require,
    _tidy,
    _timeline,
    _today,
    rules,
)
from ecredit.enforcement.transitions import State
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.model import Enforcement
from ecredit.policy.packs import active_pack
from ecredit.registry.models import Entity

PENALTY_TYPES = {
    "warning": "警告",
    "fine": "罚款",
    "confiscation": "没收违法所得、没收非法财物",
    "suspension": "责令停产停业",
    "revocation": "吊销许可证件、营业执照",
}
SEVERITIES = {"light": "较轻", "general": "一般", "severe": "严重"}
REDACTED = "［商业秘密，不予公开］"


IMPLEMENTS = {
    "16.1": "对情节严重的案件签发案件移送书，附案卷材料清单，记录移送司法事件",
    "22": "立案后向当事人的平台或基础服务经营者签发暂停提供服务通知书",
    "23": "作出行政处罚后签发行政建议书，随处罚决定书送交电信运营商关闭网站",
    "24": "签发行政处罚决定书（事实、证据、依据、处罚、救济期限），按情节记录信用事件并依法公示",
}


ISSUE_STATES: dict[str, frozenset[State]] = {
    DocumentKind.SUSPENSION: frozenset(
        {State.FILED, State.INVESTIGATING, State.PENDING_DECISION, State.DECIDED, State.EXECUTING}
    ),
    DocumentKind.PENALTY: frozenset({State.DECIDED, State.EXECUTING}),
    DocumentKind.CLOSURE_PROPOSAL: frozenset({State.DECIDED, State.EXECUTING}),
    DocumentKind.JUDICIAL_TRANSFER: frozenset(
        {State.INVESTIGATING, State.PENDING_DECISION, State.DECIDED, State.EXECUTING}
    ),
}


def _issue(
    actor: Actor,
    locked: Case,
    kind: str,
    *,
    addressee: Entity | None,
    addressee_name: str,
    content: dict[str, Any],
    day: dt.date,
    corrects: Document | None,
) -> Document:
    """Number, render, store and record one document. Runs inside the caller's transaction."""
    if locked.state not in ISSUE_STATES[kind]:
        states = "、".join(str(label) for value, label in CaseState.choices if value in ISSUE_STATES[kind])
        raise DomainError(
            ErrorCode.CONFLICT,
            f"案件当前状态为“{locked.get_state_display()}”，不能签发{DocumentKind(kind).label}（仅限：{states}）。",
        )
    if day > timezone.localdate():
        raise _invalid("on", "签发日期不能晚于今天。")
    if locked.filed_on and day < locked.filed_on:
        raise _invalid("on", f"签发日期不能早于立案日期 {locked.filed_on}。")
    if corrects is not None and (corrects.case_id != locked.pk or corrects.kind != kind):
        raise _invalid("corrects", "更正文书须与被更正文书属于同一案件、同一种类。")
    number, sequence = numbering.take_document(locked.department, kind, day.year)
    document = Document(
        case=locked,
        kind=kind,
        number=number,
        year=day.year,
        sequence=sequence,
        department=locked.department,
        issued_on=day,
        addressee=addressee,
        addressee_name=addressee_name,
        content=content,
        corrects=corrects,
        token=documents.new_token(),
        issued_by=actor.label[:200],
        issued_by_user_id=actor.user_id,
    )
    pdf = documents.render(document)
    document.pdf_path = documents.store(document, pdf)
    document.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    document.save(force_insert=True)
    corrected = f"（更正 {corrects.number}）" if corrects else ""
    _timeline(
        locked,
        actor,
        f"document.{kind}",
        f"签发{document.get_kind_display()} {number}{corrected}，送达 {addressee_name}",
        day,
    )
    audit.record(
        actor=actor,
        action=f"enforcement.document.{kind}",
        target=document,
        changes={
            "number": [None, number],
            "pdf_sha256": [None, document.pdf_sha256],
            "corrects": [None, corrects.number if corrects else None],
        },
    )
    return document


def _party(locked: Case, entity: Entity | None) -> CaseParty:
    parties = list(locked.parties.select_related("entity", "provider"))
    if entity is None and len(parties) == 1:
        return parties[0]
    for party in parties:
        if entity is not None and party.entity_id == entity.pk:
            return party
    raise _invalid("party", "请选择本案的一名当事人。")


def issue_suspension(
    *,
    actor: Actor,
    case: Case,
    party: Entity | None = None,
    comply_by: dt.date,
    measures: str,
    on: dt.date | None = None,
    corrects: Document | None = None,
) -> Document:
    """暂停提供服务通知书 (Art. 22): to the platform or infrastructure provider serving the party,
    after filing; the addressee acknowledges it and reports compliance by ``comply_by``."""
    _require(actor, Action.CASE_MANAGE)
    day = _today(on)
    measures = _reason(measures, "需暂停的服务内容")
    if comply_by < day:
        raise _invalid("comply_by", "执行期限不能早于签发日期。")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        target = _party(locked, party)
        provider = target.provider
        if provider is None:
            raise _invalid(
                "party", f"本案未登记{target.entity.name}的平台或基础服务经营者，无法下达暂停提供服务通知书。"
            )
        content = {
            "party": target.entity.name,
            "party_code": target.entity.code,
            "measures": measures,
            "comply_by": comply_by.isoformat(),
            "cites": ["22"],
        }
        document = _issue(
            actor,
            locked,
            DocumentKind.SUSPENSION,
            addressee=provider,
            addressee_name=provider.name,
            content=content,
            day=day,
            corrects=corrects,
        )
        Notice.objects.create(document=document, comply_by=comply_by)
    return document


def _money(raw: str | Decimal | None) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise _invalid("fine_amount", "罚款金额应为数字（元）。") from None
    if value <= 0:
        raise _invalid("fine_amount", "罚款金额应大于零。")
    return value


def redact(text: str, secrets: str) -> str:
    """Replace every marked commercial secret (one per line) in ``text``."""
    for secret in sorted({s.strip() for s in secrets.splitlines() if s.strip()}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _period_end(start: dt.date, period: Any) -> dt.date:
    if period.unit == "years":
        return add_months(start, 12 * period.applied)
    if period.unit == "months":
        return add_months(start, period.applied)
    if period.unit == "working_days":
        return add_working_days(start, period.applied)
    return start + dt.timedelta(days=period.applied)


def penalty_indicator(enforcement: Enforcement, severity: str, food_drug: bool) -> str:
    return enforcement.food_drug_indicator if food_drug else enforcement.penalty_indicators[severity]


def issue_penalty(
    *,
    actor: Actor,
    case: Case,
    party: Entity | None = None,
    facts: str,
    legal_basis: str,
    penalties: Sequence[str],
    severity: str,
    fine_amount: str | Decimal | None = None,
    other_penalty: str = "",
    food_drug: bool = False,
    on: dt.date | None = None,
    corrects: Document | None = None,
) -> Document:
    """行政处罚决定书 (Art. 24): records the penalty credit event the pack assigns to the severity and
    publishes the decision per the pack (warnings alone are not published)."""
    _require(actor, Action.CASE_MANAGE)
    pack = active_pack()
    enforcement = rules(pack)
    day = _today(on)
    facts = _reason(facts, "违法事实")
    legal_basis = _reason(legal_basis, "法律依据")
    chosen = list(dict.fromkeys(penalties))
    if not chosen:
        raise _invalid("penalties", "请至少选择一种处罚。")
    unknown = [p for p in chosen if p not in PENALTY_TYPES]
    if unknown:
        raise _invalid("penalties", f"未知的处罚种类：{'、'.join(unknown)}。")
    if severity not in SEVERITIES:
        raise _invalid("severity", "情节应为较轻（light）、一般（general）或严重（severe）。")
    amount = _money(fine_amount)
    if ("fine" in chosen) != (amount is not None):
        raise _invalid("fine_amount", "选择罚款时须填写罚款金额；未选择罚款时不填金额。")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        target = _party(locked, party).entity
        review_until = _period_end(day, enforcement.review)
        litigation_until = _period_end(day, enforcement.litigation)
        evidence = [
            f"{e.title}" + (f"（SHA-256 {e.sha256}）" if e.sha256 else f"（证据库 {e.evidence_ref}）")
            for e in locked.evidence.all()
        ]
        published = not set(chosen) <= set(enforcement.not_published)
        content = {
            "party": target.name,
            "party_code": target.code,
            "party_address": target.address,
            "facts": facts,
            "evidence": evidence,
            "legal_basis": legal_basis,
            "conduct": [f"{pack.articles[c].title} {pack.conduct[c]}" for c in locked.conduct if c in pack.conduct],
            "penalties": [PENALTY_TYPES[p] for p in chosen],
            "penalty_codes": chosen,
            "fine_amount": str(amount) if amount is not None else "",
            "other_penalty": other_penalty.strip(),
            "severity": severity,
            "severity_label": SEVERITIES[severity],
            "food_drug": food_drug,
            "review_days": enforcement.review.applied,
            "review_until": review_until.isoformat(),
            "review_cites": list(enforcement.review.applied_cites),
            "litigation_months": enforcement.litigation.applied,
            "litigation_until": litigation_until.isoformat(),
            "litigation_cites": list(enforcement.litigation.applied_cites),
            "published": published,
        }
        document = _issue(
            actor,
            locked,
            DocumentKind.PENALTY,
            addressee=target,
            addressee_name=target.name,
            content=content,
            day=day,
            corrects=corrects,
        )
        if corrects is None:
            _credit(actor, target, penalty_indicator(enforcement, severity, food_drug), day, document.number, locked)
        if published:
            _publish(locked, document, target, content, enforcement, severity, day)
            if corrects is not None:
                Publication.objects.filter(document=corrects).update(visible_until=day)
    return document


def _publish(
    case: Case,
    document: Document,
    entity: Entity,
    content: dict[str, Any],
    enforcement: Enforcement,
    severity: str,
    day: dt.date,
) -> Publication:
    try:
        publish_by: dt.date | None = _period_end(day, enforcement.publish)
    except CalendarNotCovered:
        publish_by = None  # the holiday calendar does not know next year yet; published today anyway
    period = enforcement.published_light if severity == "light" else enforcement.published_other
    penalty = "、".join(content["penalties"])
    if content["fine_amount"]:
        penalty += f"（罚款 {content['fine_amount']} 元）"
    summary = {
        "number": document.number,
        "party": entity.name if entity.kind != "natural_person" else entity.name[:1] + "某",
        "code": entity.uscc or "",
        "conduct": content["conduct"],
        "facts": redact(content["facts"], case.commercial_secrets),
        "penalty": penalty,
        "legal_basis": redact(content["legal_basis"], case.commercial_secrets),
        "organ": document.department.name,
        "decided_on": day.isoformat(),
    }
    return Publication.objects.create(
        document=document,
        entity=entity,
        publish_by=publish_by,
        published_on=day,
        visible_until=_period_end(day, period),
        summary=summary,
    )


def issue_closure_proposal(
    *,
    actor: Actor,
    case: Case,
    operator_name: str,
    website: str,
    party: Entity | None = None,
    on: dt.date | None = None,
    corrects: Document | None = None,
) -> Document:
    """行政建议书 (Art. 23): sent with the penalty decision to the telecom operator to close the party's site."""
    _require(actor, Action.CASE_MANAGE)
    day = _today(on)
    operator_name, website = _tidy(operator_name), _tidy(website)
    if not operator_name:
        raise _invalid("operator_name", "请填写电信运营商名称。")
    if not website:
        raise _invalid("website", "请填写需关闭的网站（域名或网址）。")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        target = _party(locked, party).entity
        decision = locked.documents.filter(kind=DocumentKind.PENALTY).order_by("-issued_on", "-pk").first()
        if decision is None:
            raise DomainError(
                ErrorCode.CONFLICT, "须先签发行政处罚决定书，行政建议书随决定书一并送交电信运营商（第二十三条）。"
            )
        content = {
            "party": target.name,
            "party_code": target.code,
            "website": website,
            "decision": decision.number,
            "decision_date": decision.issued_on.isoformat(),
            "cites": ["23"],
        }
        document = _issue(
            actor,
            locked,
            DocumentKind.CLOSURE_PROPOSAL,
            addressee=None,
            addressee_name=operator_name,
            content=content,
            day=day,
            corrects=corrects,
        )
        Notice.objects.create(document=document)
    return document


def issue_judicial_transfer(
    *,
    actor: Actor,
    case: Case,
    receiver: str,
    grounds: str,
    file_list: Sequence[str],
    on: dt.date | None = None,
    corrects: Document | None = None,
) -> Document:
    """案件移送书 (Art. 16 (1), 24): the case goes to the judicial organ with its file list; every party
    gets the transfer (veto) event."""
    _require(actor, Action.CASE_MANAGE)
    enforcement = rules()
    day = _today(on)
    receiver = _tidy(receiver)
    if not receiver:
        raise _invalid("receiver", "请填写接收移送的司法机关。")
    grounds = _reason(grounds, "移送理由")
    files = [_tidy(f) for f in file_list if _tidy(f)]
    if not files:
        raise _invalid("file_list", "请列出随案移送的案卷材料清单。")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        parties = list(locked.parties.select_related("entity"))
        content = {
            "parties": [p.entity.name for p in parties],
            "grounds": grounds,
            "file_list": files,
            "cites": ["16.1", "24"],
        }
        document = _issue(
            actor,
            locked,
            DocumentKind.JUDICIAL_TRANSFER,
            addressee=None,
            addressee_name=receiver,
            content=content,
            day=day,
            corrects=corrects,
        )
        if corrects is None:
            for party in parties:
                _credit(actor, party.entity, enforcement.transfer_indicator, day, document.number, locked)
    return document
