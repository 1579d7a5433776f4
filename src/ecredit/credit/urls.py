from django.urls import path

from ecredit.credit import views

app_name = "credit"

urlpatterns = [
    path("", views.index, name="index"),
    path("evaluate/", views.evaluate_all, name="evaluate_all"),
    path("entities/<int:pk>/", views.entity, name="entity"),
    path("entities/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("entities/<int:pk>/events/", views.record, name="record"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.mine_entity, name="mine_entity"),
]
