from __future__ import annotations

import json
import re
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecredit.accounts.actors import cli_actor
from ecredit.errors import DomainError
from ecredit.evidence import services
from ecredit.evidence.models import Evidence, EvidenceStatus

NUMBER = re.compile(r"^(?:ZJ\d{4}-)?0*(\d+)$", re.IGNORECASE)


class Command(BaseCommand):
    help = (
        "电子证据 / electronic evidence: capture a web page, export an item as a ZIP bundle, "
        "verify a bundle (offline) or a stored item"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        capture = sub.add_parser("capture", help="用浏览器固定网页 / capture a web page in a real browser")
        capture.add_argument("url", metavar="URL")
        capture.add_argument("--case", metavar="ID", default="", help="案件编号 / the case it belongs to")
        capture.add_argument("--inspection", metavar="ID", default="", help="抽查编号 / the inspection")
        capture.add_argument("--note", metavar="TEXT", default="", help="说明 / a note")
        capture.add_argument(
            "--accept-invalid-certificates",
            action="store_true",
            help="HTTPS 证书无效（过期、自签名）时仍固定，并在记录中注明 / capture despite a refused certificate",
        )
        capture.add_argument("--json", action="store_true", help='固定后输出 {"id": …} / print {"id": …}')
        export = sub.add_parser("export", help="导出证据包 / export one item as a ZIP bundle")
        export.add_argument("id", metavar="ID")
        export.add_argument("--output", metavar="FILE.zip", required=True)
        verify = sub.add_parser("verify", help="核验证据包或已保存的证据 / verify a bundle or a stored item")
        verify.add_argument("target", metavar="FILE.zip|ID")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        try:
            if verb == "capture":
                self._capture(options)
            elif verb == "export":
                self._export(options["id"], Path(options["output"]))
            elif verb == "verify":
                self._verify(options["target"])
            else:  # pragma: no cover - argparse refuses other verbs
                raise CommandError(f"未知的子命令 {verb}")
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None

    def _item(self, raw: str) -> Evidence:
        match = NUMBER.match(raw.strip())
        found = Evidence.objects.filter(pk=int(match.group(1))).first() if match else None
        if found is None:
            raise CommandError(f"没有编号为 {raw} 的电子证据。", returncode=2)
        return found

    def _capture(self, options: dict[str, Any]) -> None:
        evidence = services.capture_now(
            actor=cli_actor("ecredit evidence capture"),
            request=services.CaptureRequest(
                url=options["url"],
                case_ref=options["case"],
                inspection_ref=options["inspection"],
                note=options["note"],
                accept_invalid_certificates=options["accept_invalid_certificates"],
            ),
        )
        if evidence.status != EvidenceStatus.READY:
            raise CommandError(f"固定失败：{evidence.error}（{evidence.number}）", returncode=1)
        if options["json"]:
            self.stdout.write(json.dumps({"id": evidence.pk}))
        else:
            self.stdout.write(f"已固定 {evidence.number}：{evidence.title}（清单 SHA-256 {evidence.manifest_sha256}）")

    def _export(self, raw: str, output: Path) -> None:
        data = services.export_bundle(actor=cli_actor("ecredit evidence export"), evidence=self._item(raw))
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入 {output}：{exc.strerror}", returncode=2) from None
        self.stdout.write(f"已导出 {output}（{len(data)} 字节）")

    def _verify(self, target: str) -> None:
        path = Path(target)
        if path.is_file():
            report = services.verify_bundle_bytes(path.read_bytes())
            problems = report.problems
        else:
            problems = services.verify_stored(self._item(target))
        if problems:
            for problem in problems:
                self.stdout.write(problem)
            self.stdout.flush()
            sys.exit(1)
        self.stdout.write("evidence verified")
