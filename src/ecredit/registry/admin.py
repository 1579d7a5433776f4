"""Back-office tables of the registry: read-only; personal data stays masked here too."""

from django.contrib import admin

from ecredit.admin_site import ReadOnlyAdmin
from ecredit.registry.models import Badge, Entity, Filing, FilingVersion, Permit, Storefront, Website


@admin.register(Entity)
class EntityAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "uscc", "resident_id_masked", "in_jurisdiction", "township", "industry"]
    list_filter = ["kind", "in_jurisdiction", "is_seller", "is_platform", "is_infrastructure"]
    search_fields = ["name", "uscc"]
    exclude = ["resident_id", "resident_id_digest", "name_key"]


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = ["number", "entity", "status", "first_approved_on", "deregistered_on", "retain_until"]
    list_filter = ["status"]
    search_fields = ["number", "entity__name"]


@admin.register(FilingVersion)
class FilingVersionAdmin(ReadOnlyAdmin):
    list_display = ["filing", "number", "subject_name", "declared_at", "review_decision", "reviewed_at"]
    exclude = ["contact_phone"]


@admin.register(Website)
class WebsiteAdmin(ReadOnlyAdmin):
    list_display = ["domain", "name", "entity", "icp_filing", "icp_licence", "ip"]
    search_fields = ["domain", "icp_filing", "icp_licence"]


@admin.register(Storefront)
class StorefrontAdmin(ReadOnlyAdmin):
    list_display = ["shop_name", "entity", "platform", "shop_id", "shop_url"]
    search_fields = ["shop_name", "shop_id", "shop_url"]


@admin.register(Permit)
class PermitAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "entity", "issuer", "valid_from", "valid_until"]
    list_filter = ["kind"]


@admin.register(Badge)
class BadgeAdmin(ReadOnlyAdmin):
    list_display = ["entity", "issued_at", "revoked_at", "revoked_reason"]
    exclude = ["public_id"]  # with the server's key it would let anyone mint the badge's address
