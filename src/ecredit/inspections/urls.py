from django.urls import path

from ecredit.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/fixed/", views.fixed_add, name="fixed_add"),
    path("plans/<int:pk>/steps/<slug:step>/", views.plan_step, name="plan_step"),
    path("targets/<int:pk>/sample/", views.sample_new, name="sample_new"),
    path("samples/<int:pk>/", views.sample, name="sample"),
    path("samples/<int:pk>/do/<slug:op>/", views.sample_action, name="sample_action"),
    path("samples/<int:pk>/files/<slug:which>/", views.sample_file, name="sample_file"),
    path("samples/<int:pk>/reports/<int:report>/", views.report_file, name="report_file"),
    path("samples/<int:pk>/notices/<slug:kind>.pdf", views.sample_notice_pdf, name="sample_notice_pdf"),
    path("notices/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/decision/", views.proposal_decide, name="proposal_decide"),
    path("stats/", views.stats, name="stats"),
    path("lab/", views.lab, name="lab"),
    path("lab/<int:pk>/", views.lab_sample, name="lab_sample"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.mine_sample, name="mine_sample"),
    path("public/", views.public_index, name="public_index"),
    path("public/<int:pk>/", views.public_plan, name="public_plan"),
    path("public/<int:pk>/draw.json", views.public_draw, name="public_draw"),
]
