from django.urls import path

from ecredit.enforcement import views

app_name = "enforcement"

urlpatterns = [
    path("documents/<str:token>/", views.check, name="check"),
]
