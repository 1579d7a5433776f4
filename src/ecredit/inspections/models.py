"""Sampling inspections: plans, draws, targets, samples, test reports, re-tests, rectification,
case proposals and publication.

Persistence only; every change goes through ``inspections.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecredit.accounts.models import Organisation
from ecredit.registry.models import Entity, Storefront


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已批准")
    DRAWN = "drawn", _("已抽取")
    IN_PROGRESS = "in_progress", _("实施中")
    CLOSED = "closed", _("已结束")


class PlanLevel(models.IntegerChoices):
    """The issuing level: an entity sampled by a higher level in the same period is not sampled again."""

    COUNTY = 1, _("县级")
    CITY = 2, _("地市级")
    PROVINCE = 3, _("省级")
    NATION = 4, _("国家级")


class Inspector(models.Model):
    """执法检查人员 in the pool a plan draws from (双随机's second random)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="inspector"
    )
    name = models.CharField(_("姓名"), max_length=60)
    code = models.CharField(_("执法证号"), max_length=30, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="inspectors")
    township = models.CharField(_("所在乡镇（街道）"), max_length=60, blank=True)
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class InspectorRelation(models.Model):
    """A declared relation between an inspector and an entity (回避): never drawn together."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="relations")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("关系说明"), max_length=200)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [models.UniqueConstraint(fields=["inspector", "entity"], name="inspector_relation_unique")]

    def __str__(self) -> str:
        return f"{self.inspector} ↔ {self.entity}"


class SamplingPlan(models.Model):
    """抽查计划."""

    name = models.CharField(_("计划名称"), max_length=200)
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sampling_plans")
    level = models.IntegerField(_("计划层级"), choices=PlanLevel.choices, default=PlanLevel.COUNTY)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    cites = models.JSONField(_("法律依据"), default=list)  # ["5", "16.1", "产品质量法 第十五条"]
    # [{"category": "儿童服装", "standard": "GB/T 31701-2015", "clause": "4.1"}]
    standards = models.JSONField(_("产品类别与检验标准"), default=list)
    scope_roles = models.JSONField(_("范围：经营角色"), default=list)
    scope_townships = models.JSONField(_("范围：乡镇（街道）"), default=list)
    scope_platforms = models.ManyToManyField(Entity, blank=True, related_name="+", verbose_name=_("范围：平台"))
    scope_industries = models.JSONField(_("范围：经营类别"), default=list)
    labs = models.ManyToManyField(Organisation, blank=True, related_name="lab_plans", verbose_name=_("检验机构"))
    pool = models.ManyToManyField(Inspector, blank=True, related_name="plans", verbose_name=_("执法人员库"))
    same_township_barred = models.BooleanField(_("回避同乡镇（街道）"), default=False)
    severe = models.BooleanField(_("不合格属情节严重（移送司法）"), default=False)
    sampling_deadline = models.DateField(_("抽样完成期限"), null=True, blank=True)
    report_deadline = models.DateField(_("检验报告期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.CharField(max_length=200, blank=True)
    approved_by = models.CharField(_("批准人"), max_length=200, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        ordering = ["-period_start", "-pk"]

    def __str__(self) -> str:
        return self.name


class FixedInclusion(models.Model):
    """定向抽查: an entity put in a plan outside the random part (a lead, a complaint)."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="fixed_inclusions")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("理由（线索、投诉）"), max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "entity"], name="fixed_inclusion_unique")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.entity}"


class Draw(models.Model):
    """随机抽取: committed (eligible snapshot, its hash, the seed's commitment) before it is revealed."""

    plan = models.OneToOneField(SamplingPlan, on_delete=models.PROTECT, related_name="draw")
    commitment = models.CharField(_("种子承诺值（SHA-256）"), max_length=64)
    seed = models.CharField(_("随机种子"), max_length=64, blank=True)  # "" until revealed; then public
    sealed_seed = models.CharField(max_length=64, editable=False)  # kept from the public until reveal
    eligible_sha256 = models.CharField(_("名单快照哈希"), max_length=64)
    record = models.JSONField(_("抽取记录"), default=dict)  # before reveal: the committed part
    committed_at = models.DateTimeField(_("承诺时间"))
    revealed_at = models.DateTimeField(_("揭示时间"), null=True, blank=True)
    committed_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("随机抽取")
        verbose_name_plural = _("随机抽取")
        ordering = ["-committed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.committed_at:%Y-%m-%d}"


class TargetKind(models.TextChoices):
    RANDOM = "random", _("随机抽取")
    FIXED = "fixed", _("定向抽查")


class Target(models.Model):
    """An entity a plan samples, with the inspectors drawn for it."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="targets")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="sampling_targets")
    kind = models.CharField(_("类型"), max_length=8, choices=TargetKind.choices)
    stratum = models.CharField(_("信用等级"), max_length=16, blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    inspectors = models.ManyToManyField(Inspector, blank=True, related_name="targets")
    understaffed = models.BooleanField(_("执法人员不足"), default=False)

    class Meta:
        verbose_name = _("抽查对象")
        verbose_name_plural = _("抽查对象")
        ordering = ["plan", "kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "entity"], name="target_unique")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.entity}"


class SampleStatus(models.TextChoices):
    PURCHASED = "purchased", _("已购样")
    AT_LAB = "at_lab", _("检验中")
    REPORTED = "reported", _("已出报告")
    DELIVERED = "delivered", _("结果已送达")
    RETEST = "retest", _("复检中")
    FINAL = "final", _("结论确定")


class Conclusion(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class Sample(models.Model):
    """网购抽样: bought as a consumer, sealed, handed to a laboratory."""

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="samples")
    code = models.CharField(_("样品编号"), max_length=40, unique=True)
    backup_code = models.CharField(_("备用样品编号"), max_length=40)
    product = models.CharField(_("商品名称"), max_length=200)
    category = models.CharField(_("产品类别"), max_length=100)
    standard = models.CharField(_("检验标准"), max_length=100)
    storefront = models.ForeignKey(Storefront, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    listing_url = models.URLField(_("商品链接"), max_length=500)
    order_no = models.CharField(_("订单号"), max_length=60)
    price = models.DecimalField(_("实付金额（元）"), max_digits=10, decimal_places=2)
    purchased_on = models.DateField(_("购买日期"))
    received_on = models.DateField(_("收货日期"))
    listing_evidence = models.FileField(_("商品页面证据"), upload_to="inspections/evidence/%Y/%m/", max_length=200)
    evidence_ref = models.CharField(_("电子证据编号"), max_length=60, blank=True)  # the evidence app, once merged
    seals = models.CharField(_("封条编号"), max_length=100)
    lab = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="lab_samples")
    status = models.CharField(_("状态"), max_length=16, choices=SampleStatus.choices, default=SampleStatus.PURCHASED)
    result_delivered_on = models.DateField(_("结果送达日期"), null=True, blank=True)
    conclusion = models.CharField(_("最终结论"), max_length=8, choices=Conclusion.choices, blank=True)
    final_on = models.DateField(_("结论确定日期"), null=True, blank=True)
    recorded_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("样品")
        verbose_name_plural = _("样品")
        ordering = ["-purchased_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.product}"


class CustodyEntry(models.Model):
    """保全链: one hand-over of the physical sample or its backup."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="custody")
    item = models.CharField(_("样品"), max_length=8, choices=[("sample", _("检验样品")), ("backup", _("备用样品"))])
    handed_on = models.DateField(_("交接日期"))
    from_party = models.CharField(_("移交方"), max_length=100)
    to_party = models.CharField(_("接收方"), max_length=100)
    seal_intact = models.BooleanField(_("封条完好"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("样品交接")
        verbose_name_plural = _("样品交接")
        ordering = ["sample", "handed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.handed_on} {self.from_party} → {self.to_party}"


class SampleNotice(models.Model):
    """抽样通知: the sampled operator and its platform are told (in-app, and a notice document)."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="notices")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16)  # sampled | result
    issued_on = models.DateField(_("发出日期"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.sample} → {self.entity}"


class ReportKind(models.TextChoices):
    FIRST = "first", _("初检")
    RETEST = "retest", _("复检")


class TestReport(models.Model):
    """检验报告: the conclusion is computed from the items, never typed."""

    __test__ = False  # not a pytest class

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("类型"), max_length=8, choices=ReportKind.choices)
    lab = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("报告编号"), max_length=60)
    tested_on = models.DateField(_("检验日期"))
    conclusion = models.CharField(_("检验结论"), max_length=8, choices=Conclusion.choices)
    signed_file = models.FileField(_("签章报告"), upload_to="inspections/reports/%Y/%m/", max_length=200)
    entered_by = models.CharField(max_length=200, blank=True)
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检验报告")
        verbose_name_plural = _("检验报告")
        ordering = ["sample", "entered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["sample", "kind"], name="report_kind_unique")]

    def __str__(self) -> str:
        return self.number


class TestItem(models.Model):
    __test__ = False

    report = models.ForeignKey(TestReport, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("检验项目"), max_length=100)
    clause = models.CharField(_("标准条款"), max_length=60)
    measured = models.CharField(_("实测值"), max_length=60)
    limit = models.CharField(_("标准要求"), max_length=60)
    passed = models.BooleanField(_("单项合格"))

    class Meta:
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.measured}"


class RetestStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    ASSIGNED = "assigned", _("已指定复检机构")
    DONE = "done", _("已复检")


class Retest(models.Model):
    """复检: asked by the operator within the pack's window; another lab tests the backup sample."""

    sample = models.OneToOneField(Sample, on_delete=models.PROTECT, related_name="retest")
    requested_on = models.DateField(_("申请日期"))
    reason = models.TextField(_("复检理由"))
    requested_by = models.CharField(max_length=200, blank=True)
    lab = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=RetestStatus.choices, default=RetestStatus.REQUESTED)

    class Meta:
        verbose_name = _("复检")
        verbose_name_plural = _("复检")

    def __str__(self) -> str:
        return f"{self.sample} 复检"


class RectificationStatus(models.TextChoices):
    ORDERED = "ordered", _("待整改")
    SUBMITTED = "submitted", _("已提交整改")
    ACCEPTED = "accepted", _("整改通过")
    REJECTED = "rejected", _("整改未通过")


class Rectification(models.Model):
    """整改: ordered on a final fail, with a deadline; the operator uploads, an officer decides."""

    sample = models.OneToOneField(Sample, on_delete=models.PROTECT, related_name="rectification")
    ordered_on = models.DateField(_("下达日期"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.ORDERED
    )
    report = models.TextField(_("整改情况"), blank=True)
    file = models.FileField(_("整改材料"), upload_to="inspections/rectification/%Y/%m/", max_length=200, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.CharField(max_length=200, blank=True)
    decided_on = models.DateField(_("审核日期"), null=True, blank=True)
    overdue_recorded_on = models.DateField(_("逾期记录日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return f"{self.sample} 整改"


class ProposalKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("屡教不改，建议立案查处")
    JUDICIAL = "judicial", _("情节严重，建议移送司法")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    DISMISSED = "dismissed", _("不予采纳")


class CaseProposal(models.Model):
    """A proposal to enforcement (a lead with the inspection records), visible until acted on."""

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="case_proposals")
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="proposals")
    kind = models.CharField(_("类型"), max_length=12, choices=ProposalKind.choices)
    grounds = models.TextField(_("依据"))
    related_samples = models.JSONField(_("相关样品"), default=list)  # sample codes behind a repeat failure
    status = models.CharField(_("状态"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    decided_by = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # An accepted proposal becomes an enforcement lead (线索) with the inspection records behind it.
    lead = models.OneToOneField(
        "enforcement.Lead", on_delete=models.PROTECT, null=True, blank=True, related_name="inspection_proposal"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("移送建议")
        verbose_name_plural = _("移送建议")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["sample", "kind"], name="proposal_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.entity}"


class Publication(models.Model):
    """一公开: a sample's final result on the public portal, due within the pack's working days."""

    sample = models.OneToOneField(Sample, on_delete=models.PROTECT, related_name="publication")
    # None when the holiday calendar does not cover the deadline yet (credit.calendar refuses to guess).
    due_on = models.DateField(_("公示期限"), null=True, blank=True)
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    published_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("结果公示")
        verbose_name_plural = _("结果公示")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.sample} 公示"
