"""What the policy app stores: only the extensions of a pack beyond its period in force (Art. 25).

The packs themselves are files (``policy/packs/*.yaml``), versioned with the code."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PackExtension(models.Model):
    """An administrator's explicit decision to keep evaluating with a pack after its period in force
    ended (第二十五条: 有效期至 2025-03-30). Written once through ``policy.services.record_extension``
    and audited; every result that rests on it says so (``Coverage.note``)."""

    pack_id = models.CharField("政策包", max_length=100, db_index=True)
    until = models.DateField("延期至")
    reason = models.TextField("理由")
    recorded_by = models.CharField("记录人", max_length=200)
    user_id = models.BigIntegerField("记录人用户 ID", null=True, blank=True)
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "政策包延期"
        verbose_name_plural = "政策包延期"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.pack_id} 延期至 {self.until}"
