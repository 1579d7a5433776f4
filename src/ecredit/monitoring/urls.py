from django.urls import URLPattern, path

from ecredit.monitoring import views

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    path("returns/", views.returns_check, name="returns_check"),
]
