from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ecredit.registry"
    verbose_name = _("经营主体登记")
