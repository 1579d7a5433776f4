from django.urls import URLPattern, path

from ecredit.monitoring import views

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    path("returns/", views.returns_check, name="returns_check"),
    path("batches/", views.batches, name="batches"),
    path("batches/upload/", views.upload, name="upload"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path("findings/<int:pk>/confirm/", views.finding_confirm, name="finding_confirm"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding_dismiss"),
]
