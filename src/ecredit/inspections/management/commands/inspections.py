"""``ecredit inspections draws | export-draw | verify-draw | sweep``."""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ecredit.accounts.actors import cli_actor
from ecredit.errors import DomainError
from ecredit.inspections import draw, queries, services
from ecredit.inspections.models import Draw


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ArgumentTypeError(f"日期应写作 YYYY-MM-DD / a date is written YYYY-MM-DD: {raw!r}") from None


class Command(BaseCommand):
    help = (
        "抽查检验 / sampling inspections: draws (list the draws made), export-draw ID (the public draw "
        "record), verify-draw FILE (re-run a draw from its record alone), sweep (final conclusions and "
        "overdue rectifications)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        draws = sub.add_parser("draws", help="已进行的随机抽取 / the draws made")
        draws.add_argument("--json", action="store_true", help="输出 JSON 列表 / print a JSON list")
        export = sub.add_parser("export-draw", help="输出抽取记录 JSON / print the draw record")
        export.add_argument("id", type=int, metavar="ID")
        verify = sub.add_parser("verify-draw", help="仅凭抽取记录文件重新计算并核对 / verify a draw record")
        verify.add_argument("file", metavar="FILE")
        sweep = sub.add_parser("sweep", help="确认复检期满的结论，记录逾期未整改 / daily housekeeping")
        sweep.add_argument("--today", type=_day, default=None)

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        try:
            if verb == "draws":
                self._draws(as_json=options["json"])
            elif verb == "export-draw":
                self._export(options["id"])
            elif verb == "verify-draw":
                self._verify(options["file"])
            elif verb == "sweep":
                self._sweep(options["today"] or timezone.localdate())
            else:  # pragma: no cover - argparse refuses other verbs
                raise CommandError(f"未知的子命令 {verb}")
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None

    def _draws(self, *, as_json: bool) -> None:
        rows = [
            {
                "id": record.pk,
                "plan": record.plan.name,
                "plan_id": record.plan_id,
                "date": timezone.localtime(record.revealed_at or record.committed_at).date().isoformat(),
                "revealed": record.revealed_at is not None,
            }
            for record in queries.draws()
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("尚无随机抽取。")
        for row in rows:
            state = "已揭示" if row["revealed"] else "已承诺，未揭示"
            self.stdout.write(f"{row['id']}\t{row['date']}\t{row['plan']}\t{state}")

    def _export(self, draw_id: int) -> None:
        record = Draw.objects.select_related("plan__department").filter(pk=draw_id).first()
        if record is None:
            raise CommandError(f"没有编号为 {draw_id} 的随机抽取。", returncode=2)
        self.stdout.write(json.dumps(services.published_record(record), ensure_ascii=False, indent=1))

    def _verify(self, file: str) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}", returncode=2)
        try:
            record = draw.record_from_json(path.read_text(encoding="utf-8"))
        except (draw.RecordError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc), returncode=1) from None
        difference = draw.verify(record)
        if difference is not None:
            raise CommandError(difference, returncode=1)
        self.stdout.write("draw verified")

    def _sweep(self, today: dt.date) -> None:
        actor = cli_actor("ecredit inspections sweep")
        final = services.finalise_expired(actor=actor, today=today)
        overdue = services.record_overdue_rectifications(actor=actor, today=today)
        self.stdout.write(f"复检期满确认不合格 {len(final)} 个；逾期未整改 {len(overdue)} 个。")
