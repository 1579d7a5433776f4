from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from ecredit.admin_site import ReadOnlyAdmin
from ecredit.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_label", "action", "target_repr"]
    list_filter = ["action", "via"]
    search_fields = ["actor_label", "target_repr", "target_id", "request_id"]


# The task queue's results (django-tasks-db) shown like every other table: read-only, to ``admin.site``.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(ReadOnlyAdmin, DBTaskResultAdmin):  # type: ignore[misc]
    pass
