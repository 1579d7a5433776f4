"""The back-office admin: read-only tables, open to roles the table grants ``admin.site``.

Changes go through services (pages, API, CLI) so that each is validated and audited; the admin
therefore offers no add, change or delete.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from ecredit.accounts.access import request_actor
from ecredit.accounts.roles import Action


class EcreditAdminSite(admin.AdminSite):
    site_header = "网销商品质量安全信用评价系统 · 后台"
    site_title = "ecredit 后台"
    index_title = "数据表（只读）"

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """One login page for everything (so throttling and messages are the same)."""
        return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("accounts:login"))

    def has_permission(self, request: HttpRequest) -> bool:
        actor = request_actor(request)
        return actor is not None and request.user.is_active and actor.can(Action.ADMIN_SITE)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return admin.site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin.site.has_permission(request)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}
