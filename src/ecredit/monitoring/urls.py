from django.urls import URLPattern, path

from ecredit.monitoring import complaint_views, views

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
    path("complain/", complaint_views.complain, name="complain"),
    path("complaints/", complaint_views.complaints, name="complaints"),
    path("complaints/new/", complaint_views.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", complaint_views.complaint, name="complaint"),
    path("complaints/<int:pk>/accept/", complaint_views.complaint_accept, name="complaint_accept"),
    path("complaints/<int:pk>/close/", complaint_views.complaint_close, name="complaint_close"),
    path("incidents/", complaint_views.incidents, name="incidents"),
    path("incidents/found/", complaint_views.incident_found, name="incident_found"),
    path("incidents/<int:pk>/late/", complaint_views.incident_late, name="incident_late"),
    path("mine/", complaint_views.mine, name="mine"),
    path("mine/complaints/<int:pk>/answer/", complaint_views.mine_answer, name="mine_answer"),
]
