"""``ecredit monitoring scan|import``: scan a text with every pack list; import a platform batch."""

from __future__ import annotations

import hashlib
import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecredit.accounts.actors import cli_actor
from ecredit.errors import DomainError
from ecredit.monitoring import intake, scan, services
from ecredit.monitoring.models import Batch, BatchStatus
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
        batch = sub.add_parser("import", help="导入一个数据批次 / import a batch (CSV, JSONL or XLSX)")
        batch.add_argument("kind", choices=list(intake.COLUMNS), metavar="KIND", help="、".join(intake.COLUMNS))
        batch.add_argument("file", metavar="FILE", type=Path)
        batch.add_argument(
            "--batch-id", default="", help="批次编号，默认为文件的 SHA-256 / default: the file's SHA-256"
        )
        batch.add_argument("--json", action="store_true", help="输出 JSON / print the batch as JSON")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb == "scan":
            self._scan(options["text"], options["category"], as_json=options["json"])
        elif verb == "import":
            self._import(options["kind"], options["file"], options["batch_id"], as_json=options["json"])
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

    def _import(self, kind: str, path: Path, batch_id: str, *, as_json: bool) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}。", returncode=2)
        if not batch_id:
            digest = hashlib.sha256()
            with path.open("rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
            batch_id = digest.hexdigest()

        def progress(batch: Batch) -> None:
            if sys.stderr.isatty():
                sys.stderr.write(f"\r{batch.get_status_display()} {batch.rows_done:,} 行")

        actor = cli_actor(f"ecredit monitoring import {kind} {path.name}")
        try:
            batch = services.submit_batch(actor=actor, kind=kind, batch_id=batch_id, path=path, progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        if as_json:
            self.stdout.write(json.dumps(batch_summary(batch), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"批次 {batch.batch_id}：{batch.get_status_display()}，{batch.rows_total} 行，发现问题 {batch.findings_count} 条。"
            )
            for problem in batch.problems:
                where = f"第 {problem['line']} 行" if problem["line"] else "文件"
                field = f"“{problem['field']}”" if problem["field"] else ""
                self.stdout.write(f"  {where}{field}：{problem['reason']}")
            if batch.problem_count > len(batch.problems):
                self.stdout.write(f"  ……另有 {batch.problem_count - len(batch.problems)} 处错误未列出。")
        if batch.status == BatchStatus.REJECTED:
            raise CommandError("批次有错误，未导入任何数据。", returncode=2)


def batch_summary(batch: Batch) -> dict[str, object]:
    return {
        "batch_id": batch.batch_id,
        "kind": batch.kind,
        "status": batch.status,
        "rows": batch.rows_total,
        "findings": batch.findings_count,
        "problem_count": batch.problem_count,
        "problems": batch.problems,
    }
