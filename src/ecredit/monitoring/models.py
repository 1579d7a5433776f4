"""Persistence only; every change goes through services.py."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ecredit.accounts.models import Organisation
from ecredit.crypto import EncryptedTextField
from ecredit.registry.models import Entity


class BatchKind(models.TextChoices):
    SELLERS = "sellers", _("经营者身份信息")
    LISTINGS = "listings", _("商品信息")
    COMPLAINTS = "complaints", _("投诉与纠纷")
    RETURNS = "returns", _("退货申请及处理结果")
    RETENTION = "retention", _("记录保存期限声明")


class BatchStatus(models.TextChoices):
    VALIDATING = "validating", _("校验中")
    APPLYING = "applying", _("导入中")
    REJECTED = "rejected", _("有错误，未导入")
    APPLIED = "applied", _("已导入")


class Batch(models.Model):
    """One file a platform (or an officer) submitted. ``batch_id`` is the submitter's: the same id from
    the same organisation is applied at most once."""

    submitter = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="monitoring_batches"
    )
    submitter_key = models.CharField(max_length=40)  # "org:<id>", or "cli" for the command line
    batch_id = models.CharField(_("批次编号"), max_length=100)
    kind = models.CharField(_("数据类型"), max_length=16, choices=BatchKind.choices)
    file_format = models.CharField(_("文件格式"), max_length=8)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.VALIDATING)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    problem_count = models.PositiveIntegerField(_("错误数"), default=0)
    problems = models.JSONField(_("错误"), default=list, blank=True)  # [{line, field, reason}], capped
    findings_count = models.PositiveIntegerField(_("发现问题数"), default=0)
    submitted_by = models.CharField(_("提交人"), max_length=200)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据批次")
        verbose_name_plural = _("数据批次")
        constraints = [models.UniqueConstraint(fields=["submitter_key", "batch_id"], name="monitoring_batch_unique_id")]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.batch_id}（{self.get_kind_display()}）"

    @property
    def progress_percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class MatchStatus(models.TextChoices):
    MATCHED = "matched", _("已匹配登记主体")
    UNMATCHED = "unmatched", _("未匹配")
    SHOULD_REGISTER = "should_register", _("应当登记注册")


class SellerReport(models.Model):
    """A seller's identity as a platform reported it (Art. 9, 12 (1))."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="sellers")
    line = models.PositiveIntegerField()
    seller_ref = models.CharField(_("平台内经营者编号"), max_length=100)
    name = models.CharField(_("名称或姓名"), max_length=200)
    kind = models.CharField(_("主体类型"), max_length=24)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    resident_id = EncryptedTextField(_("居民身份证号码"), blank=True)
    resident_id_masked = models.CharField(max_length=18, blank=True)
    shop_name = models.CharField(_("店铺名称"), max_length=200, blank=True)
    shop_url = models.CharField(_("店铺网址"), max_length=500, blank=True)
    sells_permit_goods = models.BooleanField(default=False)
    trades_in_enterprise_name = models.BooleanField(default=False)
    entity = models.ForeignKey(Entity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    match = models.CharField(_("匹配结果"), max_length=16, choices=MatchStatus.choices)

    def __str__(self) -> str:
        return f"{self.name}（{self.seller_ref}）"


class Listing(models.Model):
    """商品信息 as a platform reported it (Art. 10 (3)); scanned when its batch is applied."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="listings")
    line = models.PositiveIntegerField()
    listing_ref = models.CharField(_("商品编号"), max_length=100)
    seller_code = models.CharField(_("经营者代码"), max_length=18)
    seller_name = models.CharField(_("经营者名称"), max_length=200, blank=True)
    entity = models.ForeignKey(Entity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    fields = models.JSONField(_("商品信息"), default=dict)  # name, description, price, … as submitted
    return_category = models.CharField(_("退货品类"), max_length=32, blank=True)
    url = models.CharField(_("商品网址"), max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.listing_ref} {self.name}"

    @property
    def name(self) -> str:
        return str(self.fields.get("name", ""))


class FindingKind(models.TextChoices):
    TERM = "term", _("违规用语")
    DISCLOSURE = "disclosure", _("信息公示不全")
    SELLER_UNMATCHED = "seller_unmatched", _("经营者未匹配登记主体")
    SHOULD_REGISTER = "should_register", _("自然人应当登记注册")
    RETURN_REFUSED = "return_refused", _("拒绝七日无理由退货")
    RETENTION_SHORT = "retention_short", _("保存期限不足")


class FindingStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("已排除")


class Finding(models.Model):
    """Something a scan or a match raised. Nothing moves a grade until an officer confirms it."""

    kind = models.CharField(_("类型"), max_length=20, choices=FindingKind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=FindingStatus.choices, default=FindingStatus.PENDING)
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="findings", null=True, blank=True)
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, null=True, blank=True, related_name="findings")
    seller = models.ForeignKey(SellerReport, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject = models.CharField(_("对象"), max_length=200)  # the seller's name and code as reported
    list_code = models.CharField(_("词表"), max_length=40, blank=True)
    list_label = models.CharField(_("词表名称"), max_length=100, blank=True)
    term = models.CharField(_("词语或项目"), max_length=100, blank=True)
    field = models.CharField(_("字段"), max_length=40, blank=True)
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    matched = models.CharField(_("原文"), max_length=200, blank=True)
    context = models.TextField(_("上下文"), blank=True)
    detail = models.TextField(_("说明"), blank=True)
    cites = models.JSONField(_("依据"), default=list)
    indicator = models.CharField(_("信用指标"), max_length=80, blank=True)
    fingerprint = models.CharField(max_length=64, db_index=True)  # same text + term → same fingerprint
    found_on = models.DateField(_("发现日期"))
    decided_by = models.CharField(_("处理人"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("处理理由"), blank=True)
    credit_event_id = models.PositiveBigIntegerField(_("信用事件"), null=True, blank=True)
    # Asked for on confirming; the enforcement (issue 7) and evidence (issue 6) apps pick them up once merged.
    refer_to_enforcement = models.BooleanField(_("移交执法线索"), default=False)
    capture_requested = models.BooleanField(_("固定商品页面证据"), default=False)
    # What the confirmation set going: an enforcement lead (线索) and the capture of the listing's page.
    lead = models.OneToOneField(
        "enforcement.Lead", on_delete=models.PROTECT, null=True, blank=True, related_name="monitoring_finding"
    )
    evidence = models.ForeignKey(
        "evidence.Evidence", on_delete=models.PROTECT, null=True, blank=True, related_name="monitoring_findings"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("监测发现")
        verbose_name_plural = _("监测发现")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "kind"], name="monitoring_finding_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.subject} {self.term}"


class ComplaintSource(models.TextChoices):
    PLATFORM = "platform", _("平台报送")
    OFFICER = "officer", _("工作人员登记")
    PUBLIC = "public", _("公众投诉")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    CLOSED = "closed", _("已办结")


class ComplaintOutcome(models.TextChoices):
    NONE = "", _("未办结")
    RESOLVED = "resolved", _("已和解")
    SUBSTANTIATED = "substantiated", _("投诉属实，未妥善处理")
    UNFOUNDED = "unfounded", _("投诉不属实")
    WITHDRAWN = "withdrawn", _("投诉人撤回")


class Complaint(models.Model):
    """投诉 and consumer disputes (Art. 10 (3))."""

    source = models.CharField(_("来源"), max_length=12, choices=ComplaintSource.choices)
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, null=True, blank=True, related_name="complaints")
    reference = models.CharField(_("投诉编号"), max_length=100)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    seller_name = models.CharField(_("被投诉经营者"), max_length=200)
    seller_code = models.CharField(_("经营者代码"), max_length=18, blank=True)
    received_on = models.DateField(_("收到日期"))
    accept_due = models.DateField(_("受理期限"), null=True, blank=True)  # None: the holiday calendar ends earlier
    respond_due = models.DateField(_("办结期限"), null=True, blank=True)
    subject = models.CharField(_("事由"), max_length=200)
    description = models.TextField(_("投诉内容"), blank=True)
    complainant = models.CharField(_("投诉人"), max_length=100, blank=True)
    complainant_phone = EncryptedTextField(_("联系电话"), blank=True)
    client_digest = models.CharField(max_length=64, blank=True, db_index=True)  # public form: keyed hash of the IP
    status = models.CharField(_("状态"), max_length=12, choices=ComplaintStatus.choices, default="received")
    outcome = models.CharField(_("结果"), max_length=16, choices=ComplaintOutcome.choices, blank=True)
    operator_answer = models.TextField(_("经营者答复"), blank=True)
    credit_event_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} {self.seller_name}"


class ReturnRequest(models.Model):
    """A return request and its outcome as a platform reported it, judged by ``returns.check``."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="return_requests")
    line = models.PositiveIntegerField()
    order_ref = models.CharField(_("订单编号"), max_length=100)
    seller_code = models.CharField(_("经营者代码"), max_length=18)
    entity = models.ForeignKey(Entity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    category = models.CharField(_("退货品类"), max_length=32)
    received = models.DateField(_("签收日期"))
    requested = models.DateField(_("申请日期"))
    facts = models.JSONField(default=dict)  # the flags of returns.Goods
    refused = models.BooleanField(_("经营者拒绝退货"))
    returnable = models.BooleanField(_("依法可以退货"))

    def __str__(self) -> str:
        return self.order_ref


class RetentionDeclaration(models.Model):
    """A platform's declaration of how long it keeps a kind of record (Art. 12 (2), 13 (2))."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="retention_declarations")
    line = models.PositiveIntegerField()
    what = models.CharField(_("记录类型"), max_length=40)
    value = models.PositiveIntegerField(_("期限"))
    unit = models.CharField(_("单位"), max_length=8)
    required_days = models.PositiveIntegerField(_("应保存天数"))
    declared_days = models.PositiveIntegerField(_("声明保存天数"))

    def __str__(self) -> str:
        return f"{self.what} {self.value} {self.unit}"


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("已报告")
    FOLLOWING = "following", _("跟进中")
    CLOSED = "closed", _("已结案")


class Incident(models.Model):
    """质量安全事故 reported by an operator (Art. 10 (2)) or found unreported by an officer."""

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    what = models.TextField(_("事故情况"))
    goods = models.CharField(_("涉及商品"), max_length=200)
    occurred_on = models.DateField(_("发生日期"))
    reported_on = models.DateField(_("报告日期"), null=True, blank=True)  # None: found unreported
    report_due = models.DateField(_("报告期限"))
    measures = models.TextField(_("已采取的补救措施"), blank=True)
    reported_by = models.CharField(_("报告人"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=IncidentStatus.choices, default="reported")
    follow_up = models.TextField(_("跟进记录"), blank=True)
    credit_event_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("质量安全事故")
        verbose_name_plural = _("质量安全事故")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.entity} {self.goods} {self.occurred_on}"

    @property
    def late(self) -> bool:
        return self.reported_on is None or self.reported_on > self.report_due
