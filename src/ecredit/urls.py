from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from ecredit.accounts.access import public
from ecredit.api.api import api

urlpatterns = [
    path("", include("ecredit.portal.urls")),
    path("accounts/", include("ecredit.accounts.urls")),
    path("audit/", include("ecredit.audit.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/setlang/", public(set_language), name="set_language"),
]

handler403 = "ecredit.views.permission_denied"
handler404 = "ecredit.views.page_not_found"
