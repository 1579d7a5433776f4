from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class ImmutableError(Exception):
    """Audit entries are written once and never changed or removed."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableError("审计日志不可修改")

    def delete(self) -> NoReturn:
        raise ImmutableError("审计日志不可删除")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("审计日志不可修改")


class AuditEntry(models.Model):
    """One state change. Ids and labels are copied, not linked, so nothing elsewhere can alter it."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor_label = models.CharField("操作者", max_length=200)
    actor_user_id = models.BigIntegerField("操作者用户 ID", null=True, db_index=True)
    organisation_id = models.BigIntegerField("机构 ID", null=True)
    organisation_name = models.CharField("机构", max_length=200, blank=True)
    via = models.CharField("渠道", max_length=16)
    action = models.CharField("操作", max_length=80, db_index=True)
    target_type = models.CharField("对象类型", max_length=80, blank=True, db_index=True)
    target_id = models.CharField("对象 ID", max_length=64, blank=True, db_index=True)
    target_repr = models.CharField("对象", max_length=300, blank=True)
    changes = models.JSONField("变更", default=dict)
    request_id = models.CharField("请求 ID", max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    content_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志条目"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("审计日志不可删除")


class AuditHead(models.Model):
    """The single row holding the chain's tip; locking it serialises appends."""

    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
