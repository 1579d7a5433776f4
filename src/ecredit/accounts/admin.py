from django.contrib import admin

from ecredit.accounts.models import ApiToken, Organisation, RoleGrant, User
from ecredit.admin_site import ReadOnlyAdmin


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "uscc", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "uscc"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "display_name", "organisation", "is_active", "last_login"]
    list_filter = ["organisation__kind", "is_active"]
    search_fields = ["username", "display_name"]
    exclude = ["password"]


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "granted_at"]
    list_filter = ["role"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "organisation", "created_at", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["digest"]
