from django.urls import path

from ecredit.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("public/credit/", views.credit_search, name="credit_search"),
    path("public/credit/<str:code>/", views.credit_entity, name="credit_entity"),
]
