from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "ecredit.credit"
    verbose_name = _("信用档案")
