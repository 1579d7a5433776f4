from django.urls import path

from ecredit.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.entities, name="entities"),
    path("entities/new/", views.entity_new, name="entity_new"),
    path("entities/<int:pk>/", views.entity, name="entity"),
    path("entities/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("review/", views.queue, name="queue"),
    path("filings/<int:pk>/", views.filing, name="filing"),
    path("filings/<int:pk>/review/", views.filing_review, name="filing_review"),
    path("filings/<int:pk>/status/", views.filing_status, name="filing_status"),
    path("import/", views.import_view, name="import"),
    path("mine/", views.mine, name="mine"),
    path("mine/new/", views.mine_new, name="mine_new"),
    path("mine/<int:pk>/", views.mine_entity, name="mine_entity"),
    path("mine/<int:pk>/filing/", views.mine_filing, name="mine_filing"),
    path("mine/<int:pk>/submit/", views.mine_submit, name="mine_submit"),
    path("mine/<int:pk>/storefronts/", views.mine_storefront, name="mine_storefront"),
    path("mine/<int:pk>/permits/", views.mine_permit, name="mine_permit"),
]
