"""Back-office tables of the credit archive: read-only, like every table of the admin."""

from django.contrib import admin

from ecredit.admin_site import ReadOnlyAdmin
from ecredit.credit.models import CreditEvent, Evaluation, EventStatus


@admin.register(CreditEvent)
class CreditEventAdmin(ReadOnlyAdmin):
    list_display = ["entity", "indicator", "occurred_on", "source_kind", "source_ref", "recorded_by", "recorded_at"]
    list_filter = ["source_kind"]
    search_fields = ["indicator", "source_ref", "entity__name", "entity__uscc"]
    list_select_related = ["entity"]


@admin.register(EventStatus)
class EventStatusAdmin(ReadOnlyAdmin):
    list_display = ["event", "status", "effective_on", "decided_by", "created_at"]
    list_filter = ["status"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["entity", "as_of", "role", "score", "grade", "veto_code", "pack_id", "batch", "created_at"]
    list_filter = ["grade", "role", "batch", "pack_id"]
    search_fields = ["entity__name", "entity__uscc"]
    list_select_related = ["entity"]
