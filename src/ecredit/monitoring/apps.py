from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "ecredit.monitoring"
    verbose_name = _("网络监测")
