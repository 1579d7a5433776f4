from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecredit.audit.services import verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 重新计算哈希链并检查其完整性 / audit log: verify recomputes the hash chain"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("verify", help="重新计算哈希链 / recompute the hash chain")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb == "verify":
            count, broken = verify_chain()
            if broken is not None:
                self.stderr.write(f"audit chain BROKEN at entry #{broken.seq}: {broken.reason}")
                raise SystemExit(1)
            self.stdout.write(f"audit chain OK: {count} entries")
            return
        raise CommandError(f"未知的子命令 {verb}")
