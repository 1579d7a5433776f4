from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecredit.enforcement import documents
from ecredit.enforcement.models import Document, DocumentKind


class Command(BaseCommand):
    help = "执法办案 / enforcement: documents (list issued documents and the paths of their PDFs)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        listing = sub.add_parser("documents", help="已签发的执法文书 / issued documents")
        listing.add_argument("--json", action="store_true", help="输出 JSON 数组 / print one JSON array")
        listing.add_argument("--kind", choices=DocumentKind.values, help="只列该种类 / only this kind")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb != "documents":  # pragma: no cover - argparse refuses other verbs
            raise CommandError(f"未知的子命令 {verb}")
        rows = Document.objects.select_related("case").order_by("issued_on", "pk")
        if options.get("kind"):
            rows = rows.filter(kind=options["kind"])
        items = [
            {
                "number": d.number,
                "kind": d.kind,
                "case": d.case.number,
                "date": d.issued_on.isoformat(),
                "path": str(documents.absolute_path(d)),
            }
            for d in rows
        ]
        if options["json"]:
            self.stdout.write(json.dumps(items, ensure_ascii=False, indent=2))
            return
        for item in items:
            self.stdout.write(f"{item['date']}\t{item['number']}\t{item['kind']}\t{item['case']}\t{item['path']}")
        self.stdout.write(f"共 {len(items)} 份文书 / {len(items)} documents")
