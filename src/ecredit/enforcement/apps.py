from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "ecredit.enforcement"
    verbose_name = _("执法办案")
