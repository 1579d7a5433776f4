from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from ecredit.accounts.roles import ORG_KIND_LABELS, ROLE_LABELS


class Organisation(models.Model):
    KIND_CHOICES = [(kind.value, label) for kind, label in ORG_KIND_LABELS.items()]

    name = models.CharField("名称", max_length=200, unique=True)
    kind = models.CharField("类别", max_length=32, choices=KIND_CHOICES)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属机构", on_delete=models.PROTECT, related_name="users", null=True
    )
    display_name = models.CharField("姓名", max_length=100, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(models.Model):
    ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=32, choices=ROLE_CHOICES)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "角色授予"
        verbose_name_plural = "角色授予"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"


class ApiToken(models.Model):
    """A credential an organisation's systems use against the API. Only its SHA-256 is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField("权限范围", default=list)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
