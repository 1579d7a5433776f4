"""What follows an issued document: the addressee acknowledges a suspension notice and reports
compliance (its portal user or API client), an officer finds it ignored (Art. 22), or records that the
telecom operator closed the site a closure proposal named (Art. 23)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.audit import services as audit
from ecredit.enforcement.models import DocumentKind, Notice
from ecredit.enforcement.services import _credit, _invalid, _locked_case, _reason, _require, _timeline, _today, rules
from ecredit.errors import DomainError, ErrorCode

IMPLEMENTS = {
    "22": "受送达的平台或基础服务经营者签收通知书、报告执行情况；逾期未执行的认定并记录信用事件",
    "23": "登记电信运营商关闭网站，记录一票否决事件",
}


def acknowledge_notice(*, actor: Actor, notice: Notice) -> Notice:
    """The addressee (its portal user or API client) acknowledges a suspension notice. Idempotent."""
    _require(actor, Action.NOTICE_RECEIVE)
    with transaction.atomic():
        locked = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("document", "document__case")
            .get(pk=notice.pk)
        )
        if locked.acknowledged_at is not None:
            return locked
        locked.acknowledged_at, locked.acknowledged_by = timezone.now(), actor.label[:200]
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _timeline(locked.document.case, actor, "notice.ack", f"{actor.organisation_name} 签收 {locked.document.number}")
        audit.record(actor=actor, action="enforcement.notice.acknowledge", target=locked.document)
    return locked


def report_compliance(*, actor: Actor, notice: Notice, report: str) -> Notice:
    """The addressee reports how it suspended the service."""
    _require(actor, Action.NOTICE_RECEIVE)
    report = _reason(report, "执行情况")
    with transaction.atomic():
        locked = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("document", "document__case")
            .get(pk=notice.pk)
        )
        if locked.complied_at is not None:
            raise DomainError(ErrorCode.CONFLICT, "已报告过执行情况。")
        if locked.acknowledged_at is None:
            locked.acknowledged_at, locked.acknowledged_by = timezone.now(), actor.label[:200]
        locked.complied_at, locked.compliance_report = timezone.now(), report
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "complied_at", "compliance_report"])
        late = locked.comply_by is not None and timezone.localdate() > locked.comply_by
        _timeline(
            locked.document.case,
            actor,
            "notice.comply",
            f"{actor.organisation_name} 报告 {locked.document.number} 执行情况{'（逾期）' if late else ''}：{report}",
        )
        audit.record(
            actor=actor, action="enforcement.notice.comply", target=locked.document, changes={"report": [None, report]}
        )
    return locked


def notice_overdue(notice: Notice, today: dt.date | None = None) -> bool:
    """A suspension notice whose deadline passed with no compliance reported."""
    today = today or timezone.localdate()
    return (
        notice.document.kind == DocumentKind.SUSPENSION
        and notice.complied_at is None
        and notice.comply_by is not None
        and notice.comply_by < today
    )


def flag_ignored(*, actor: Actor, notice: Notice, reason: str, on: dt.date | None = None) -> Notice:
    """An officer finds a suspension notice not carried out: flagged, and the addressee gets the
    ``suspension_ignored`` event (Art. 22)."""
    _require(actor, Action.CASE_MANAGE)
    reason = _reason(reason)
    day = _today(on)
    with transaction.atomic():
        locked = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("document", "document__case", "document__addressee")
            .get(pk=notice.pk)
        )
        case = _locked_case(actor, locked.document.case)
        if locked.document.kind != DocumentKind.SUSPENSION:
            raise DomainError(ErrorCode.CONFLICT, "只有暂停提供服务通知书才能认定未执行。")
        if locked.ignored_at is not None:
            raise DomainError(ErrorCode.CONFLICT, "该通知书已认定为未执行。")
        if locked.complied_at is not None:
            raise DomainError(ErrorCode.CONFLICT, "受送达人已报告执行情况，如有异议请补充调查。")
        if locked.comply_by is not None and day <= locked.comply_by:
            raise DomainError(ErrorCode.CONFLICT, f"执行期限（{locked.comply_by}）尚未届满，不能认定未执行。")
        locked.ignored_at = timezone.now()
        locked.save(update_fields=["ignored_at"])
        _timeline(case, actor, "notice.ignored", f"认定 {locked.document.number} 未执行：{reason}", day)
        addressee = locked.document.addressee
        if addressee is None:  # a suspension notice always has its provider as addressee
            raise DomainError(ErrorCode.CONFLICT, "该通知书没有受送达人。")
        _credit(actor, addressee, rules().suspension_ignored_indicator, day, locked.document.number, case)
        audit.record(
            actor=actor, action="enforcement.notice.ignored", target=locked.document, changes={"reason": [None, reason]}
        )
    return locked


def record_closure_executed(*, actor: Actor, notice: Notice, executed_on: dt.date | None = None) -> Notice:
    """The telecom operator closed the site the closure proposal named (Art. 23): the veto event."""
    _require(actor, Action.CASE_MANAGE)
    day = _today(executed_on)
    if day > timezone.localdate():
        raise _invalid("executed_on", "实施日期不能晚于今天。")
    with transaction.atomic():
        locked = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("document", "document__case")
            .get(pk=notice.pk)
        )
        case = _locked_case(actor, locked.document.case)
        if locked.document.kind != DocumentKind.CLOSURE_PROPOSAL:
            raise DomainError(ErrorCode.CONFLICT, "只有行政建议书（关闭网站）才能登记实施。")
        if locked.executed_on is not None:
            raise DomainError(ErrorCode.CONFLICT, f"已于 {locked.executed_on} 登记实施。")
        if day < locked.document.issued_on:
            raise _invalid("executed_on", "实施日期不能早于建议书签发日期。")
        locked.executed_on = day
        locked.save(update_fields=["executed_on"])
        _timeline(
            case,
            actor,
            "closure.executed",
            f"电信运营商已关闭网站 {locked.document.content.get('website', '')}（{locked.document.number}）",
            day,
        )
        party = case.parties.select_related("entity").filter(entity__name=locked.document.content.get("party")).first()
        entities = [party.entity] if party else [p.entity for p in case.parties.select_related("entity")]
        for entity in entities:
            _credit(actor, entity, rules().website_closed_indicator, day, locked.document.number, case)
        audit.record(
            actor=actor,
            action="enforcement.closure.executed",
            target=locked.document,
            changes={"executed_on": [None, day.isoformat()]},
        )
    return locked
