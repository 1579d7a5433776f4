from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ecredit.accounts.actors import cli_actor
from ecredit.audit import services as audit
from ecredit.crypto import encrypted_fields
from ecredit.errors import DomainError
from ecredit.registry import importer, services


class Command(BaseCommand):
    help = "经营主体登记 / the registry: check codes, import lists, rotate encryption keys, permit expiry"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        check = sub.add_parser("check", help="校验统一社会信用代码或居民身份证号码 / check USCC or resident ID numbers")
        check.add_argument("codes", nargs="+", metavar="CODE")
        imp = sub.add_parser("import", help="批量导入主体与备案（CSV 或 XLSX）/ import entities with filings")
        imp.add_argument("file", metavar="FILE")
        imp.add_argument("--dry-run", action="store_true", help="只校验，不导入 / validate only")
        sub.add_parser("template", help="打印导入文件表头和一行示例 / print the import header and an example row")
        sub.add_parser("rotate-keys", help="用最新密钥重新加密个人信息 / re-encrypt personal data under the newest key")
        permits = sub.add_parser("permits", help="列出已过期或即将到期的前置许可 / permits expired or expiring")
        permits.add_argument("--within-days", type=int, default=services.PERMIT_WARNING_DAYS)
        permits.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb == "check":
            self._check(options["codes"])
        elif verb == "import":
            self._import(Path(options["file"]), dry_run=options["dry_run"])
        elif verb == "template":
            self.stdout.write(importer.template(), ending="")
        elif verb == "rotate-keys":
            self._rotate_keys()
        elif verb == "permits":
            for warning in services.permit_warnings(today=options["today"], within_days=options["within_days"]):
                self.stdout.write(warning.message)
        else:  # pragma: no cover - argparse refuses other verbs
            raise CommandError(f"未知的子命令 {verb}")

    def _check(self, raw_codes: list[str]) -> None:
        all_valid = True
        for raw in raw_codes:
            check = services.check_code(raw)
            shown = check.code or raw
            if not check.valid:
                all_valid = False
                self.stdout.write(f"{shown}\tinvalid\t{check.reason}")
            elif check.kind == "uscc":
                place = "in-jurisdiction" if check.in_jurisdiction else "outside-jurisdiction"
                self.stdout.write(f"{shown}\tvalid\t{place}")
            else:
                self.stdout.write(f"{shown}\tvalid")
        if not all_valid:
            raise SystemExit(1)

    def _import(self, path: Path, *, dry_run: bool) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件 / no such file: {path}", returncode=2)
        actor = cli_actor("ecredit registry import")
        try:
            report = importer.import_file(actor, path.name, path.read_bytes(), dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        for problem in report.problems:
            self.stdout.write(problem.line())
        self.stdout.write(report.summary())
        if report.problems:
            raise SystemExit(1)

    def _rotate_keys(self) -> None:
        """Read every encrypted value (any configured key decrypts it) and write it back (the newest
        key encrypts it); keyed lookup digests are recomputed with it."""
        actor = cli_actor("ecredit registry rotate-keys")
        total = 0
        with transaction.atomic():
            for model, names in encrypted_fields():
                for obj in model._default_manager.all().iterator():
                    digest_fields: tuple[str, ...] = getattr(obj, "DIGEST_FIELDS", ())
                    refresh = getattr(obj, "refresh_digests", None)
                    if refresh is not None:
                        refresh()
                    obj.save(update_fields=[*names, *digest_fields])
                    total += 1
            audit.record(
                actor=actor,
                action="crypto.rotate_keys",
                target_type="crypto",
                target_id="fields",
                target_repr="FIELD_ENCRYPTION_KEYS",
                changes={"rows": [None, total]},
            )
        self.stdout.write(f"已用最新密钥重新加密 {total} 行 / re-encrypted {total} rows under the newest key")
