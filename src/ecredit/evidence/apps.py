from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "ecredit.evidence"
    verbose_name = _("电子证据")
