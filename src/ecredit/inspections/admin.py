"""Back-office tables of sampling inspections: read-only, like every table of the admin."""

from django.contrib import admin

from ecredit.admin_site import ReadOnlyAdmin
from ecredit.inspections.models import CaseProposal, Draw, Inspector, Publication, Sample, SamplingPlan


@admin.register(SamplingPlan)
class SamplingPlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "department", "level", "period_start", "period_end", "status", "approved_by"]
    list_filter = ["status", "level"]
    search_fields = ["name"]


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ["plan", "commitment", "eligible_sha256", "committed_at", "revealed_at"]
    exclude = ["sealed_seed"]  # the seed stays secret until the reveal, even in the back office


@admin.register(Inspector)
class InspectorAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "organisation", "township", "active"]
    search_fields = ["name", "code"]


@admin.register(Sample)
class SampleAdmin(ReadOnlyAdmin):
    list_display = ["code", "product", "status", "conclusion", "final_on", "lab"]
    list_filter = ["status", "conclusion"]
    search_fields = ["code", "product", "order_no"]


@admin.register(CaseProposal)
class CaseProposalAdmin(ReadOnlyAdmin):
    list_display = ["entity", "kind", "status", "created_at"]
    list_filter = ["kind", "status"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["sample", "due_on", "published_on"]
