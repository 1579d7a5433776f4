from django.urls import path

from ecredit.credit import procedure_views as views

app_name = "credit_procedures"

urlpatterns = [
    path("events/<int:pk>/objection/", views.object_to, name="object"),
    path("events/<int:pk>/repair/", views.apply_repair, name="apply_repair"),
    path("mine/", views.mine, name="mine"),
    path("objections/", views.objection_queue, name="objections"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("objections/<int:pk>/decision/", views.decide_objection, name="decide_objection"),
    path("repairs/", views.repair_queue, name="repairs"),
    path("repairs/<int:pk>/", views.repair, name="repair"),
    path("repairs/<int:pk>/decision/", views.decide_repair, name="decide_repair"),
    path("warnings/", views.warnings, name="warnings"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
