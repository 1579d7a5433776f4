"""The ``ecredit`` command: Django's management commands plus ecredit's own."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecredit.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 -- load settings now, so a bad variable stops here
        execute_from_command_line(["ecredit", *(sys.argv[1:] if argv is None else argv)])
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"配置错误 / configuration error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
