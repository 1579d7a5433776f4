from django.urls import path

from ecredit.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.index, name="index"),
    path("capture/", views.capture_new, name="capture"),
    path("upload/", views.upload_new, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/files/<int:file_pk>/", views.download, name="download"),
    path("<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/attest/", views.attest, name="attest"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.mine_detail, name="mine_detail"),
    path("mine/<int:pk>/files/<int:file_pk>/", views.mine_download, name="mine_download"),
    path("verify", views.verify, name="verify"),
    path("public-key.pem", views.public_key, name="public_key"),
]
