"""Back-office table of pack extensions: read-only (extensions are recorded through the service)."""

from django.contrib import admin

from ecredit.admin_site import ReadOnlyAdmin
from ecredit.policy.models import PackExtension


@admin.register(PackExtension)
class PackExtensionAdmin(ReadOnlyAdmin):
    list_display = ["pack_id", "until", "recorded_by", "created_at", "reason"]
    list_filter = ["pack_id"]
