from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin
from django.contrib.auth.models import Group

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


admin.site.unregister(Group)  # roles live in the role table (accounts/roles.py), not in groups


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyAdmin):
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin):
    list_display = ["username", "ip_address", "attempt_time", "locked_out"]
    search_fields = ["username", "ip_address"]
