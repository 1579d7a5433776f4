"""The registry: entities, their filings (versioned), websites, storefronts, permits and badges.

Persistence only: every change goes through ``registry.services``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ecredit.accounts.models import Organisation
from ecredit.crypto import EncryptedTextField, lookup_digest


class EntityKind(models.TextChoices):
    NATURAL_PERSON = "natural_person", _("自然人")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
    LEGAL_PERSON = "legal_person", _("法人")
    OTHER_ORG = "other_org", _("其他经济组织")


class EntityRole(models.TextChoices):
    SELLER = "seller", _("网络商品经营者")
    PLATFORM = "platform", _("网络商品交易平台服务经营者")
    INFRASTRUCTURE = "infrastructure", _("网络商品交易基础服务经营者")


class Entity(models.Model):
    """电子商务经营主体 (Art. 2)."""

    name = models.CharField(_("名称"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)  # codes.normalise_name
    kind = models.CharField(_("主体类型"), max_length=24, choices=EntityKind.choices)
    is_seller = models.BooleanField(_("网络商品经营者"), default=False)
    is_platform = models.BooleanField(_("平台服务经营者"), default=False)
    is_infrastructure = models.BooleanField(_("基础服务经营者"), default=False)
    # Organisations: 统一社会信用代码 (GB 32100-2015).
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True)
    uscc_override_reason = models.TextField(_("校验位例外理由"), blank=True)
    uscc_override_by = models.CharField(max_length=200, blank=True)
    division_code = models.CharField(_("登记管理机关行政区划码"), max_length=6, blank=True)
    in_jurisdiction = models.BooleanField(_("在本辖区登记"), default=True)
    # Natural persons (Art. 9): 居民身份证号码, encrypted at rest, found by keyed digest.
    resident_id = EncryptedTextField(_("居民身份证号码"), blank=True)
    resident_id_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    resident_id_masked = models.CharField(max_length=18, blank=True, editable=False)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    sells_permit_goods = models.BooleanField(_("经营范围涉及前置许可"), default=False)  # Art. 9 (1)
    trades_in_enterprise_name = models.BooleanField(_("以企业或个体工商户名义经营"), default=False)  # Art. 9 (2)
    industry = models.CharField(_("行业"), max_length=60, blank=True)
    township = models.CharField(_("乡镇（街道）"), max_length=60, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="entities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("经营主体")
        verbose_name_plural = _("经营主体")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """The public identifier: the 统一社会信用代码, or the masked ID of a natural person."""
        return self.uscc or self.resident_id_masked

    @property
    def roles(self) -> list[str]:
        flags = [
            (EntityRole.SELLER, self.is_seller),
            (EntityRole.PLATFORM, self.is_platform),
            (EntityRole.INFRASTRUCTURE, self.is_infrastructure),
        ]
        return [str(role) for role, held in flags if held]

    DIGEST_FIELDS = ("resident_id_digest",)

    def refresh_digests(self) -> None:
        """Recompute the keyed lookup digest (after a key rotation)."""
        self.resident_id_digest = lookup_digest("resident_id", self.resident_id) if self.resident_id else None

    @property
    def must_register(self) -> bool:
        """Art. 9: a natural person must register when a prior permit is needed or when trading in a firm's name."""
        return self.kind == EntityKind.NATURAL_PERSON and (self.sells_permit_goods or self.trades_in_enterprise_name)


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")
    AMENDED = "amended", _("变更中")
    SUSPENDED = "suspended", _("已暂停")
    REVOKED = "revoked", _("已撤销")
    DEREGISTERED = "deregistered", _("已注销")


class Filing(models.Model):
    """备案登记 (Art. 8): one per entity; its content lives in numbered, immutable versions."""

    entity = models.OneToOneField(Entity, on_delete=models.PROTECT, related_name="filing")
    number = models.CharField(_("备案编号"), max_length=20, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    current_version = models.ForeignKey(
        "FilingVersion", null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("最新版本")
    )
    approved_version = models.ForeignKey(
        "FilingVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("生效版本")
    )
    first_approved_on = models.DateField(_("备案日期"), null=True, blank=True)
    status_reason = models.TextField(_("状态说明"), blank=True)
    deregistered_on = models.DateField(_("注销日期"), null=True, blank=True)
    retain_until = models.DateField(_("身份信息保存至"), null=True, blank=True)  # Art. 12 (2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("备案登记")
        verbose_name_plural = _("备案登记")
        ordering = ["-updated_at", "pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def in_force(self) -> bool:
        """An approved version exists and the filing is neither suspended, revoked nor deregistered."""
        return self.approved_version_id is not None and self.status in (
            FilingStatus.APPROVED,
            FilingStatus.AMENDED,
            FilingStatus.SUBMITTED,
        )


class FilingVersion(models.Model):
    """One version of a filing's content. Frozen once submitted; amendments add a version."""

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    # Art. 8 items.
    subject_name = models.CharField(_("主体名称"), max_length=200)
    subject_kind = models.CharField(_("主体类型"), max_length=24, choices=EntityKind.choices)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True)
    contact_phone_masked = models.CharField(max_length=20, blank=True, editable=False)
    contact_email = models.CharField(_("电子邮箱"), max_length=254, blank=True)
    address = models.CharField(_("住所（经营场所）"), max_length=300, blank=True)
    websites = models.JSONField(
        _("网站"), default=list, blank=True
    )  # [{name, domain, ip, kind, icp_filing, icp_licence, isp, server_room}]
    other_items = models.JSONField(_("其它登记事项"), default=dict, blank=True)
    # The operator's declaration that it is true (Art. 8, last sentence).
    declared_by = models.CharField(_("声明人"), max_length=200, blank=True)
    declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)
    review_decision = models.CharField(_("审核结果"), max_length=16, blank=True)  # approved | returned
    review_reasons = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.CharField(_("审核人"), max_length=200, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("备案版本")
        verbose_name_plural = _("备案版本")
        ordering = ["filing", "number"]
        constraints = [models.UniqueConstraint(fields=["filing", "number"], name="filing_version_unique")]

    def __str__(self) -> str:
        return f"{self.filing.number} v{self.number}"

    @property
    def frozen(self) -> bool:
        return self.declared_at is not None


class WebsiteKind(models.TextChoices):
    OWN_SHOP = "own_shop", _("自建网店")
    PLATFORM = "platform", _("交易平台")
    INFORMATION = "information", _("信息发布")
    CORPORATE = "corporate", _("企业官网")
    OTHER = "other", _("其他")


class Website(models.Model):
    """A website of an entity, as its approved filing declares it (Art. 8)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="websites")
    name = models.CharField(_("网站名称"), max_length=200)
    domain = models.CharField(_("网站域名"), max_length=253, db_index=True)
    ip = models.CharField(_("IP地址"), max_length=45, blank=True)
    kind = models.CharField(_("网站类型"), max_length=16, choices=WebsiteKind.choices, default=WebsiteKind.OWN_SHOP)
    icp_filing = models.CharField(_("ICP备案号"), max_length=40, blank=True, db_index=True)
    icp_licence = models.CharField(_("ICP许可证号"), max_length=40, blank=True, db_index=True)
    isp = models.CharField(_("ISP提供商"), max_length=200, blank=True)
    server_room = models.CharField(_("服务器机房地址"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("网站")
        verbose_name_plural = _("网站")
        ordering = ["entity", "domain"]

    def __str__(self) -> str:
        return self.domain


class Storefront(models.Model):
    """平台店铺: a shop of an entity on a platform entity's marketplace."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="storefronts")
    platform = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="hosted_storefronts", verbose_name=_("平台")
    )
    shop_name = models.CharField(_("店铺名称"), max_length=200)
    shop_url = models.URLField(_("店铺网址"), max_length=500)
    shop_url_key = models.CharField(max_length=500, db_index=True, editable=False)
    shop_id = models.CharField(_("店铺编号"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("平台店铺")
        verbose_name_plural = _("平台店铺")
        ordering = ["platform", "shop_name"]
        constraints = [models.UniqueConstraint(fields=["platform", "shop_id"], name="storefront_shop_unique")]

    def __str__(self) -> str:
        return self.shop_name


class PermitKind(models.TextChoices):
    FOOD_BUSINESS = "food_business", _("食品经营许可证")
    FOOD_PRODUCTION = "food_production", _("食品生产许可证")
    INDUSTRIAL_PRODUCT = "industrial_product", _("工业产品生产许可证")
    DRUG_BUSINESS = "drug_business", _("药品经营许可证")
    MEDICAL_DEVICE = "medical_device", _("医疗器械经营许可证")
    PUBLICATION = "publication", _("出版物经营许可证")
    OTHER = "other", _("其他前置许可")


class Permit(models.Model):
    """前置许可: a licence the entity's goods need before they may be traded (Art. 9 (1), 10.1)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="permits")
    kind = models.CharField(_("许可类型"), max_length=24, choices=PermitKind.choices)
    number = models.CharField(_("许可证编号"), max_length=60)
    issuer = models.CharField(_("发证机关"), max_length=200)
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("前置许可")
        verbose_name_plural = _("前置许可")
        ordering = ["valid_until", "pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="permit_number_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Badge(models.Model):
    """营业执照电子链接标识 (Art. 8): a signed, revocable token pointing to a public verification page."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="badges")
    public_id = models.CharField(max_length=32, unique=True, editable=False)  # random; the token signs it
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("电子链接标识")
        verbose_name_plural = _("电子链接标识")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.public_id


class FilingCounter(models.Model):
    """The last filing number used in a year (``NA-2026-000123``); rows are locked while numbering."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
