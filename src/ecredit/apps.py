from django.contrib.admin.apps import AdminConfig


class EcreditAdminConfig(AdminConfig):
    default_site = "ecredit.admin_site.EcreditAdminSite"
