from django.contrib import admin

from ecredit.admin_site import ReadOnlyAdmin
from ecredit.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_label", "action", "target_repr"]
    list_filter = ["action", "via"]
    search_fields = ["actor_label", "target_repr", "target_id", "request_id"]
