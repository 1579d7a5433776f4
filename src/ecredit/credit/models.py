"""The credit archive: the append-only event ledger, its status history, and stored evaluations.

Persistence only: every row is written by ``credit.services`` (single entities) or ``credit.batch``
(every entity at once), and no row is ever changed or removed — a correction is a new row.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from ecredit.audit.models import ImmutableError
from ecredit.credit.fields import StoredJSONField
from ecredit.registry.models import Entity

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """Rows are inserted, never updated or deleted (not even in bulk)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableError("信用档案只能追加，不可修改")

    def delete(self) -> NoReturn:
        raise ImmutableError("信用档案只能追加，不可删除")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("信用档案只能追加，不可修改")


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("信用档案只能追加，不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("信用档案只能追加，不可删除")


class SourceKind(models.TextChoices):
    INSPECTION = "inspection", _("抽查检验")
    CASE = "case", _("执法案件")
    COMPLAINT = "complaint", _("投诉")
    FILING = "filing", _("备案登记")
    MANUAL = "manual", _("人工录入")
    PLATFORM = "platform", _("平台报送")
    ASSOCIATION = "association", _("电子商务协会")


class CreditEvent(AppendOnly):
    """信用事件: what happened to an entity, on which day, and where the ledger learned it.

    Points are not stored: the pack in force scores the event when an evaluation runs, so a new pack
    can re-score history and a what-if can compare two packs on the same ledger."""

    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="credit_events",
        verbose_name=_("经营主体"),
        db_index=False,  # the ledger index below starts with the entity
    )
    indicator = models.CharField(_("指标"), max_length=80)
    occurred_on = models.DateField(_("发生日期"))
    recorded_at = models.DateTimeField(_("记录时间"))
    source_kind = models.CharField(_("来源"), max_length=16, choices=SourceKind.choices)
    source_ref = models.CharField(_("来源编号"), max_length=100, blank=True)
    evidence = models.TextField(_("证据"), blank=True)
    reason = models.TextField(_("理由"), blank=True)
    cites = models.JSONField(_("依据条款"), default=list)
    recorded_by = models.CharField(_("记录人"), max_length=200)
    recorded_by_user_id = models.BigIntegerField(_("记录人用户 ID"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用事件")
        verbose_name_plural = _("信用事件")
        ordering = ["entity_id", "occurred_on", "id"]
        indexes = [
            # The batch reads the whole ledger through this index alone, never the table.
            models.Index(fields=["entity", "indicator", "occurred_on", "id"], name="credit_event_ledger"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.occurred_on:%Y-%m-%d}"


class EventStatusKind(models.TextChoices):
    ACTIVE = "active", _("有效")  # a reinstatement: an earlier withdrawal or repair is void
    WITHDRAWN = "withdrawn", _("已撤销（异议成立）")
    REPAIRED = "repaired", _("已修复")


class EventStatus(AppendOnly):
    """One entry of an event's status history. An event is active from the day it is recorded;
    its latest entry says what it is now, and from which day."""

    event = models.ForeignKey(
        CreditEvent, on_delete=models.PROTECT, related_name="statuses", verbose_name=_("信用事件")
    )
    status = models.CharField(_("状态"), max_length=16, choices=EventStatusKind.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.TextField(_("理由"))
    source_ref = models.CharField(_("依据"), max_length=100, blank=True)  # the objection or repair request
    decided_by = models.CharField(_("决定人"), max_length=200)
    decided_by_user_id = models.BigIntegerField(_("决定人用户 ID"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用事件状态")
        verbose_name_plural = _("信用事件状态")
        ordering = ["event_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.effective_on:%Y-%m-%d}"


class Evaluation(AppendOnly):
    """信用评价: the engine's answer for one entity on one day under one pack, as it was given.

    Re-evaluating the same day with the same pack (same SHA-256) over the ledger as it was known at
    ``created_at`` gives exactly this row again (``services.reproduce``)."""

    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("经营主体"), db_index=False
    )
    role = models.CharField(_("评价角色"), max_length=16)
    as_of = models.DateField(_("评价日期"))
    pack_id = models.CharField(_("政策包"), max_length=80)
    pack_sha256 = models.CharField(_("政策包 SHA-256"), max_length=64)
    base = models.IntegerField(_("基础分"))
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("等级"), max_length=4)
    veto_code = models.CharField(_("一票否决"), max_length=80, blank=True)
    veto = StoredJSONField(_("一票否决详情"), null=True, blank=True)
    bonus_capped = models.BooleanField(_("加分已封顶"), default=False)
    reasons = StoredJSONField(_("原因"), default=list)
    unknown_indicators = StoredJSONField(_("政策包未定义的指标"), default=list)
    extension_note = models.TextField(_("延期说明"), blank=True)  # "" unless the date rested on an extension
    batch = models.BooleanField(_("批量评价"), default=False)
    created_at = models.DateTimeField(_("评价时间"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用评价")
        verbose_name_plural = _("信用评价")
        ordering = ["entity_id", "-as_of", "-created_at", "-id"]
        indexes = [models.Index(fields=["entity", "as_of", "created_at"], name="credit_evaluation_history")]

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d} {self.grade} {self.score}"


# --- objections, repair requests, warnings (the procedures around the ledger) ---------------------


class ProcedureState(models.TextChoices):
    PENDING = "pending", _("待决定")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")
    GRANTED = "granted", _("准予修复")
    REFUSED = "refused", _("不予修复")


class CreditProcedure(models.Model):
    """What an objection and a repair request share: who asked, when it is due, and the decision.
    Written only by ``credit.procedures``; the decision fields are filled once."""

    event = models.ForeignKey(CreditEvent, on_delete=models.PROTECT, verbose_name=_("信用事件"))
    filed_on = models.DateField(_("提出日期"))
    filed_at = models.DateTimeField(_("提出时间"))
    filed_by = models.CharField(_("提出人"), max_length=200)
    filed_by_user_id = models.BigIntegerField(_("提出人用户 ID"), null=True, blank=True)
    pack_id = models.CharField(_("政策包"), max_length=80)
    deadline = models.DateField(_("决定期限"))
    state = models.CharField(_("状态"), max_length=16, choices=ProcedureState.choices, default=ProcedureState.PENDING)
    decision_reasons = models.TextField(_("决定理由"), blank=True)
    decided_by = models.CharField(_("决定人"), max_length=200, blank=True)
    decided_by_user_id = models.BigIntegerField(_("决定人用户 ID"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        abstract = True


class Objection(CreditProcedure):
    """异议: an operator says an event is wrong; upheld, the event is withdrawn."""

    reasons = models.TextField(_("异议理由"))

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["deadline", "pk"]
        default_related_name = "objections"

    def __str__(self) -> str:
        return f"异议 #{self.pk}（事件 #{self.event_id}）"


class RepairRequest(CreditProcedure):
    """信用修复申请: after the pack's minimum period and proof of rectification; granted, the event
    stops counting from ``from_date``."""

    proof = models.TextField(_("整改情况说明"))
    from_date = models.DateField(_("修复生效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["deadline", "pk"]
        default_related_name = "repair_requests"

    def __str__(self) -> str:
        return f"信用修复申请 #{self.pk}（事件 #{self.event_id}）"


class Attachment(models.Model):
    """A file behind an objection or a repair request, stored under a random name. Served only through
    a view that checks who asks, never from a public media URL."""

    objection = models.ForeignKey(
        Objection, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    repair = models.ForeignKey(
        RepairRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="credit/procedures/%Y/%m/", max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(objection__isnull=False, repair__isnull=True)
                | models.Q(objection__isnull=True, repair__isnull=False),
                name="credit_attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Warning(AppendOnly):  # the design's name for 预警 (shadows the builtin only in this module)
    """预警: the entity's grade fell into a warning grade, or dropped by the pack's number of grades."""

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="warnings", verbose_name=_("经营主体"))
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.PROTECT, related_name="warnings", verbose_name=_("信用评价")
    )
    as_of = models.DateField(_("评价日期"))
    grade_before = models.CharField(_("原等级"), max_length=4, blank=True)
    grade_after = models.CharField(_("现等级"), max_length=4)
    message = models.TextField(_("预警内容"))
    created_at = models.DateTimeField(_("预警时间"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.message[:100]


class CreditNotice(AppendOnly):
    """An in-app notice to an entity's operator: the decision on its objection or repair request."""

    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="credit_notices", verbose_name=_("经营主体")
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("通知时间"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用通知")
        verbose_name_plural = _("信用通知")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject
