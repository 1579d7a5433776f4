from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecredit.accounts.actors import cli_actor
from ecredit.accounts.roles import ROLE_LABELS
from ecredit.demo.data import ACCOUNTS
from ecredit.demo.services import credit_summary, database_is_empty, load_demo, registry_summary
from ecredit.errors import DomainError


class Command(BaseCommand):
    help = "加载演示数据到空数据库 / load the demo data into an empty database"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库非空时跳过而不报错 / skip quietly on a non-empty database"
        )

    def handle(self, *args: Any, if_empty: bool, **options: Any) -> None:
        if if_empty and not database_is_empty():
            self.stdout.write("数据库已有数据，未加载演示数据。 / The database has data; demo data not loaded.")
        else:
            try:
                secrets = load_demo(actor=cli_actor("ecredit demo"))
            except DomainError as exc:
                raise CommandError(exc.message, returncode=2) from None
            self.stdout.write(self.style.SUCCESS("演示数据已加载。 / Demo data loaded."))
            self.stdout.write(
                f"平台 API 令牌（仅显示一次）/ platform API token (shown once): {secrets['platform_token']}"
            )
        self.stdout.write("\n演示账户 / demo accounts:")
        for account in ACCOUNTS:
            roles = "、".join(str(ROLE_LABELS[role]) for role in account.roles)
            self.stdout.write(f"  {account.username:<10} {account.password:<20} {roles}")
        summary = registry_summary()
        self.stdout.write(
            f"\n备案登记 / registry: {summary.entities} 个主体 entities，{summary.approved} 件备案已通过 approved filings，"
            f"{summary.waiting} 件待审核 waiting for review"
        )
        if summary.seller_badge_path:
            self.stdout.write(f"示例网店的亮照核验页 / the demo seller's badge check: {summary.seller_badge_path}")
        self.stdout.write(credit_summary().line())
