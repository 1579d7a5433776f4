from django.urls import path

from ecredit.enforcement import views

app_name = "enforcement"

urlpatterns = [
    path("", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/transition/", views.transition, name="transition"),
    path("cases/<int:pk>/extend/", views.extend, name="extend"),
    path("cases/<int:pk>/records/", views.add_record, name="add_record"),
    path("cases/<int:pk>/evidence/", views.add_evidence, name="add_evidence"),
    path("cases/<int:pk>/noncooperation/", views.noncooperation, name="noncooperation"),
    path("cases/<int:pk>/issue/<str:kind>/", views.issue, name="issue"),
    path("leads/", views.leads, name="leads"),
    path("leads/new/", views.new_lead, name="new_lead"),
    path("leads/<int:pk>/", views.lead, name="lead"),
    path("leads/<int:pk>/<str:outcome>/", views.decide_lead, name="decide_lead"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("notices/<int:pk>/comply/", views.comply, name="comply"),
    path("notices/<int:pk>/flag/", views.flag_notice, name="flag_notice"),
    path("notices/<int:pk>/executed/", views.closure_executed, name="closure_executed"),
    path("pdf/<int:pk>/", views.pdf, name="pdf"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("mine/", views.mine, name="mine"),
    path("penalties/", views.penalties, name="penalties"),
    path("documents/<str:token>/", views.check, name="check"),
]
