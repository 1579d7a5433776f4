"""Persistence only; every change goes through services.py.

Issued documents are append-only: a ``Document`` row and its PDF are never changed or deleted; a
correction is a new document that names the one it corrects. What happens to a document afterwards
(the addressee's acknowledgement and compliance report, a closure carried out, a penalty published)
lives in ``Notice`` and ``Publication``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from ecredit.accounts.models import Organisation, User
from ecredit.audit.models import ImmutableError
from ecredit.enforcement.transitions import State
from ecredit.registry.models import Entity


class WrittenOnceQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableError("已签发的文书和案件记录不可修改")

    def delete(self) -> NoReturn:
        raise ImmutableError("已签发的文书和案件记录不可删除")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("已签发的文书和案件记录不可修改")


class WrittenOnce(models.Model):
    """Inserted once; never updated or deleted (a correction is a new row)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("已签发的文书和案件记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("已签发的文书和案件记录不可删除")


class LeadSource(models.TextChoices):
    COMPLAINT = "complaint", _("投诉举报")
    INSPECTION = "inspection", _("抽查不合格")
    REPEAT_FAILURE = "repeat_failure", _("屡查屡不合格移交建议")
    MONITORING = "monitoring", _("网络监测发现")
    REFERRAL = "referral", _("其他部门移送")
    OWN_FINDING = "own_finding", _("执法人员自行发现")


class LeadStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    PROPOSED = "proposed", _("已提请立案")
    REFERRED = "referred", _("已移送其他部门")
    CLOSED = "closed", _("已不予立案")


class Lead(models.Model):
    """线索: something that may become a case, kept by the department that received it."""

    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    source_kind = models.CharField(_("来源"), max_length=20, choices=LeadSource.choices)
    source_ref = models.CharField(_("来源编号"), max_length=100, blank=True)
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("涉及主体")
    )
    summary = models.TextField(_("线索内容"))
    status = models.CharField(_("状态"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.OPEN)
    outcome_reason = models.TextField(_("处理理由"), blank=True)
    referred_to = models.CharField(_("移送部门"), max_length=200, blank=True)
    received_on = models.DateField(_("收到日期"))
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("线索")
        verbose_name_plural = _("线索")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"线索 #{self.pk} {self.summary[:30]}"


class Counter(models.Model):
    """The last number given out per department, kind and year. Locked while a number is taken, so a
    number is never given twice, and kept after use, so a number is never reused."""

    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "kind", "year"], name="one_counter_per_series")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class Office(models.Model):
    """How a department abbreviates itself in document numbers (南市监 in 南市监处罚〔2024〕12号)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    abbreviation = models.CharField(_("文号简称"), max_length=10)

    class Meta:
        verbose_name = _("文号简称")
        verbose_name_plural = _("文号简称")

    def __str__(self) -> str:
        return self.abbreviation


class CaseState(models.TextChoices):
    """The labels of ``transitions.State`` for screens (same values)."""

    LEAD = State.LEAD.value, _("待立案")
    FILED = State.FILED.value, _("已立案")
    INVESTIGATING = State.INVESTIGATING.value, _("调查中")
    PENDING_DECISION = State.PENDING_DECISION.value, _("待决定")
    DECIDED = State.DECIDED.value, _("已决定")
    EXECUTING = State.EXECUTING.value, _("执行中")
    CLOSED = State.CLOSED.value, _("已结案")
    WITHDRAWN = State.WITHDRAWN.value, _("已撤销")


class Case(models.Model):
    """案件: handled by one department; its details are seen only there (Art. 18)."""

    number = models.CharField(_("案件编号"), max_length=40, blank=True, db_index=True)
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("办案部门"))
    lead = models.OneToOneField(Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="case")
    title = models.CharField(_("案由"), max_length=200)
    state = models.CharField(_("状态"), max_length=20, choices=CaseState.choices, default=State.LEAD)
    conduct = models.JSONField(_("违法行为（第十四条）"), default=list)  # ["14.9", …]
    other_duties = models.JSONField(_("违反的其他义务条款"), default=list)  # ["10.2", "12.2", …]
    legal_basis = models.TextField(_("法律依据"), blank=True)
    commercial_secrets = models.TextField(_("商业秘密（不予公开）"), blank=True)  # Art. 18
    officers = models.ManyToManyField(User, related_name="+", verbose_name=_("承办人员"))
    proposed_on = models.DateField(_("提请立案日期"))
    filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    deadline = models.DateField(_("决定期限"), null=True, blank=True)
    decision_summary = models.TextField(_("处理决定"), blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    end_reason = models.TextField(_("结案或撤销理由"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-proposed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number or _('待立案')} {self.title}"


class CaseParty(models.Model):
    """当事人, and the platform or infrastructure provider serving it in this case (Art. 22, 23)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+", verbose_name=_("当事人"))
    provider = models.ForeignKey(
        Entity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("平台或基础服务经营者"),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "entity"], name="party_once_per_case")]

    def __str__(self) -> str:
        return str(self.entity)


class Extension(models.Model):
    """An approved extension of the decision deadline, with its reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveIntegerField(_("延长天数"))
    reason = models.TextField(_("理由"))
    previous_deadline = models.DateField()
    new_deadline = models.DateField()
    approved_by = models.CharField(max_length=200)
    approved_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"+{self.days} → {self.new_deadline}"


class CaseEvent(WrittenOnce):
    """One line of the case's timeline. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    summary = models.TextField()
    actor_label = models.CharField(max_length=200)

    objects = WrittenOnceQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.summary[:60]


class RecordKind(models.TextChoices):
    INQUIRY = "inquiry", _("询问笔录")
    INSPECTION = "inspection", _("检查笔录")


class InvestigationRecord(models.Model):
    """询问笔录 / 检查笔录 (Art. 16 (2)(3)), with the party's statement and confirmation (Art. 19)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("笔录类型"), max_length=12, choices=RecordKind.choices)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    officers = models.CharField(_("执法人员"), max_length=200)
    subject = models.CharField(_("被询问人或现场负责人"), max_length=200)
    examined = models.TextField(_("检查的计算机、网络设备及资料"), blank=True)
    content = models.TextField(_("笔录内容"))
    party_statement = models.TextField(_("当事人陈述"), blank=True)
    party_confirmed = models.BooleanField(_("当事人已核对确认"), default=False)
    refusal_note = models.CharField(_("拒绝签字说明"), max_length=200, blank=True)
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"


class EvidenceLink(models.Model):
    """Evidence attached to a case: an uploaded file with its SHA-256 for now, or (after the evidence
    store is merged) the id of an item there, ``evidence_ref``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("证据名称"), max_length=200)
    file = models.FileField(upload_to="enforcement/evidence/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    evidence_ref = models.CharField(_("证据库编号"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    added_by = models.CharField(max_length=200)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.title


class DocumentKind(models.TextChoices):
    SUSPENSION = "suspension", _("暂停提供服务通知书")
    PENALTY = "penalty", _("行政处罚决定书")
    CLOSURE_PROPOSAL = "closure_proposal", _("行政建议书（关闭网站）")
    JUDICIAL_TRANSFER = "judicial_transfer", _("案件移送书")


class Document(WrittenOnce):
    """A numbered document, issued once: never edited, never deleted."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("文书种类"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("文号"), max_length=60, unique=True)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField(_("签发日期"))
    addressee = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("受送达人")
    )
    addressee_name = models.CharField(_("受送达人名称"), max_length=200)
    content = models.JSONField(default=dict)  # what the template printed (facts, penalties, lists …)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("更正")
    )
    token = models.CharField(max_length=40, unique=True)  # the public check page's address
    pdf_path = models.CharField(max_length=300)  # relative to MEDIA_ROOT
    pdf_sha256 = models.CharField(max_length=64)
    issued_by = models.CharField(max_length=200)
    issued_by_user_id = models.IntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WrittenOnceQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法文书")
        verbose_name_plural = _("执法文书")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["department", "kind", "year", "sequence"], name="one_document_per_number")
        ]

    def __str__(self) -> str:
        return self.number


class Notice(models.Model):
    """What became of a document sent to someone who must act on it: a suspension notice to the
    platform or provider (acknowledged, compliance reported by a deadline, or flagged as ignored), a
    closure proposal to the telecom operator (carried out)."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="notice")
    comply_by = models.DateField(_("执行期限"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)
    complied_at = models.DateTimeField(_("报告执行时间"), null=True, blank=True)
    compliance_report = models.TextField(_("执行情况"), blank=True)
    ignored_at = models.DateTimeField(_("认定未执行时间"), null=True, blank=True)
    executed_on = models.DateField(_("实施日期"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.document}"


class Publication(models.Model):
    """A penalty decision published on the public portal (commercial secrets left out)."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="publication")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    publish_by = models.DateField(_("公示期限"), null=True, blank=True)
    published_on = models.DateField(_("公示日期"))
    visible_until = models.DateField(_("公示截止"))
    summary = models.JSONField(default=dict)  # 文号, party, conduct, penalty, organ, date (redacted)

    class Meta:
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.document}"
