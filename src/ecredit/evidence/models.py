"""Persistence only; every change goes through services.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecredit.accounts.models import Organisation
from ecredit.registry.models import Entity


class EvidenceKind(models.TextChoices):
    CAPTURE = "capture", _("网页固定")
    EMAIL = "email", _("电子邮件")
    EDI = "edi", _("电子数据交换")
    DATABASE = "database", _("数据库导出")
    VIDEO = "video", _("视频")
    IMAGE = "image", _("存储介质照片")
    OTHER = "other", _("其他电子数据")


class EvidenceStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    CAPTURING = "capturing", _("固定中")
    READY = "ready", _("已固定")
    FAILED = "failed", _("失败")


class Evidence(models.Model):
    """电子证据: one item (a page capture or an upload), its files, custody log and attestations."""

    kind = models.CharField(_("类型"), max_length=16, choices=EvidenceKind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=EvidenceStatus.choices, default=EvidenceStatus.READY)
    title = models.CharField(_("名称"), max_length=300)
    source_url = models.URLField(_("网址"), max_length=2000, blank=True)
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("当事人")
    )
    case_ref = models.CharField(_("案件编号"), max_length=100, blank=True)
    inspection_ref = models.CharField(_("抽查编号"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    error = models.TextField(_("错误"), blank=True)
    metadata = models.JSONField(_("元数据"), default=dict, blank=True)  # e.g. an e-mail's headers
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    created_at = models.DateTimeField(_("创建时间"))
    # The signed manifest of the files, fixed once when the item is complete.
    manifest_sha256 = models.CharField(_("清单 SHA-256"), max_length=64, blank=True, db_index=True)
    key_fingerprint = models.CharField(_("公钥指纹"), max_length=80, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("电子证据")
        verbose_name_plural = _("电子证据")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"ZJ{self.created_at:%Y}-{self.pk:06d}"


class Artefact(models.Model):
    """A stored file, named by its SHA-256 and written once; shared by every item that holds it."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=120)
    stored_at = models.DateTimeField(_("存储时间"))

    class Meta:
        verbose_name = _("文件")
        verbose_name_plural = _("文件")

    def __str__(self) -> str:
        return self.sha256


class FileRole(models.TextChoices):
    SCREENSHOT = "screenshot", _("整页截图")
    PDF = "pdf", _("页面打印 PDF")
    DOM = "dom", _("页面 HTML")
    WACZ = "wacz", _("网页存档 WACZ")
    RECORD = "record", _("提取记录")
    UPLOAD = "upload", _("上传文件")
    MANIFEST = "manifest", _("文件清单")
    SIGNATURE = "signature", _("清单签名")


class EvidenceFile(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="files")
    artefact = models.ForeignKey(Artefact, on_delete=models.PROTECT, related_name="uses")
    name = models.CharField(_("文件名"), max_length=200)
    role = models.CharField(_("用途"), max_length=12, choices=FileRole.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["evidence", "name"], name="evidence_file_unique_name")]

    def __str__(self) -> str:
        return self.name


class Capture(models.Model):
    """The capture record of a web page (one per capture item)."""

    evidence = models.OneToOneField(Evidence, on_delete=models.PROTECT, related_name="capture")
    requested_url = models.URLField(max_length=2000)
    final_url = models.URLField(max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    server_ip = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    record = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.requested_url


class CustodyAction(models.TextChoices):
    CAPTURED = "captured", _("固定")
    UPLOADED = "uploaded", _("上传")
    VIEWED = "viewed", _("查看")
    DOWNLOADED = "downloaded", _("下载")
    EXPORTED = "exported", _("导出")
    ATTACHED = "attached", _("关联案件")
    ATTESTED = "attested", _("确认")


class CustodyEntry(models.Model):
    """One link of an item's custody chain; ``entry_hash`` covers ``prev_hash`` and the content."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="custody")
    seq = models.PositiveIntegerField()
    action = models.CharField(_("动作"), max_length=12, choices=CustodyAction.choices)
    at = models.DateTimeField(_("时间"))
    actor_label = models.CharField(_("操作人"), max_length=200)
    organisation_name = models.CharField(_("单位"), max_length=200, blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["evidence", "seq"]
        constraints = [models.UniqueConstraint(fields=["evidence", "seq"], name="custody_entry_unique_seq")]

    def __str__(self) -> str:
        return f"{self.evidence_id}#{self.seq} {self.action}"


class AttestationKind(models.TextChoices):
    PARTY = "party", _("当事人确认")
    NOTARY = "notary", _("公证")
    APPRAISAL = "appraisal", _("鉴定")
    PLATFORM = "platform", _("平台证明")


class Attestation(models.Model):
    """Art. 21: who confirmed the item's authenticity, how, with which document."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="attestations")
    kind = models.CharField(_("确认方式"), max_length=12, choices=AttestationKind.choices)
    authority = models.CharField(_("确认机构或人员"), max_length=200)
    reference = models.CharField(_("文书编号"), max_length=200, blank=True)
    statement = models.TextField(_("确认内容"), blank=True)
    document = models.ForeignKey(Artefact, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document_name = models.CharField(_("文书文件名"), max_length=200, blank=True)
    recorded_by_label = models.CharField(_("记录人"), max_length=200)
    organisation_name = models.CharField(_("单位"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.authority}"
