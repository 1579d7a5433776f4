from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from ecredit.accounts.access import public
from ecredit.api.api import api
from ecredit.registry import views as registry_views

urlpatterns = [
    path("", include("ecredit.portal.urls")),
    path("accounts/", include("ecredit.accounts.urls")),
    path("audit/", include("ecredit.audit.urls")),
    path("registry/", include("ecredit.registry.urls")),
    path("credit/procedures/", include("ecredit.credit.procedure_urls")),
    path("credit/", include("ecredit.credit.urls")),
    path("inspections/", include("ecredit.inspections.urls")),
    path("evidence/", include("ecredit.evidence.urls")),
    path("enforcement/", include("ecredit.enforcement.urls")),
    path("monitoring/", include("ecredit.monitoring.urls")),
    path("verify/<str:token>/", registry_views.verify, name="verify"),
    path("verify/<str:token>/badge.svg", registry_views.verify_svg, name="verify_svg"),
    path("verify/<str:token>/qr.svg", registry_views.verify_qr, name="verify_qr"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/setlang/", public(set_language), name="set_language"),
]

handler403 = "ecredit.views.permission_denied"
handler404 = "ecredit.views.page_not_found"
