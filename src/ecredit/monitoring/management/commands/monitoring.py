"""``ecredit monitoring scan|import``: scan a text with every pack list; import a platform batch."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecredit.monitoring import scan
from ecredit.policy.packs import active_pack


class Command(BaseCommand):
    help = "网络监测 / monitoring: scan (one text against every term list of the pack), import KIND FILE (a batch)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        text = sub.add_parser("scan", help="用政策包的全部词表扫描一段文字 / scan one text with every list")
        text.add_argument("--text", required=True, help="要扫描的文字 / the text")
        text.add_argument("--category", default="", help="退货品类代码（可选）/ return category, optional")
        text.add_argument("--json", action="store_true", help="输出 JSON 列表 / print a JSON list of findings")
        self.add_import_arguments(sub)

    def add_import_arguments(self, sub: Any) -> None:
        """Declared by the intake slice."""

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb == "scan":
            self._scan(options["text"], options["category"], as_json=options["json"])
        else:  # pragma: no cover - argparse refuses other verbs
            raise CommandError(f"未知的子命令 {verb}")

    def _scan(self, text: str, category: str, *, as_json: bool) -> None:
        pack = active_pack()
        if category and (pack.returns is None or pack.returns.category(category) is None):
            raise CommandError(f"没有退货品类“{category}”（见 ecredit returns categories）。", returncode=2)
        findings = scan.scan_text(pack, text, category=category)
        if as_json:
            self.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
            return
        if not findings:
            self.stdout.write("未发现问题。")
        for f in findings:
            start, end = f.span or (0, 0)
            self.stdout.write(
                f"{f.list_label}（{f.list}）：“{f.term}” 位于 {start}–{end}：…{f.context}…［{'；'.join(f.cites)}］"
            )
