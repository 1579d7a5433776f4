from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class PolicyConfig(AppConfig):
    name = "ecredit.policy"
    label = "policy"
    verbose_name = "政策包"

    def ready(self) -> None:
        checks.register(check_active_pack)


def check_active_pack(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The installation's pack must load: a broken pack stops ``runserver``, ``migrate`` and
    ``check --deploy`` with the file, key path and line of every problem."""
    from ecredit.policy.packs import PackError, UnknownPack, active_pack

    try:
        active_pack()
    except PackError as exc:
        return [checks.Error(f"政策包无法加载 / the policy pack does not load:\n{exc}", id="policy.E001")]
    except UnknownPack as exc:
        return [checks.Error(str(exc), id="policy.E002")]
    return []
