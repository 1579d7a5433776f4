"""``ecredit retention report|purge``: what becomes eligible for deletion and when; the audited purge."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ecredit.accounts.actors import cli_actor
from ecredit.errors import DomainError
from ecredit.monitoring import retention
from ecredit.policy.packs import active_pack


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ArgumentTypeError(f"日期应写作 YYYY-MM-DD / a date is written YYYY-MM-DD: {raw!r}") from None


class Command(BaseCommand):
    help = "记录保存 / retention: report (what may be deleted, when; short declarations), purge (audited)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        report = sub.add_parser("report", help="保存期限报告 / what becomes eligible for deletion and when")
        purge = sub.add_parser("purge", help="清除超过保存期限的个人信息（审计）/ purge personal data past its minimum")
        purge.add_argument("--yes", action="store_true", help="确实清除；不加则只列出数量 / really purge")
        for verb in (report, purge):
            verb.add_argument("--as-of", type=_day, default=None, help="日期，默认今天 / default today")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        day: dt.date = options.get("as_of") or timezone.localdate()
        pack = active_pack()
        if verb == "report":
            self.stdout.write(f"保存期限报告（{day}，政策包 {pack.id}）")
            for rule in pack.retention:
                unit = "年" if rule.period.unit == "years" else "日"
                self.stdout.write(
                    f"  {rule.what}：至少 {rule.period.applied} {unit}［{'；'.join(rule.period.all_cites)}］"
                )
            for item in retention.holdings(pack, day):
                when = item.next_eligible.isoformat() if item.next_eligible else "—"
                self.stdout.write(
                    f"{item.what}：共 {item.total} 条，现可清除 {item.eligible} 条"
                    f"（其中 {item.held_by_case} 条因案件未结保留），下一批可清除日期 {when}"
                )
            short = list(retention.short_declarations())
            self.stdout.write(f"保存期限声明不足的平台：{len(short)} 项")
            for declaration in short:
                batch = declaration.batch
                who = batch.submitter.name if batch.submitter else batch.submitted_by
                self.stdout.write(
                    f"  {who}：{declaration.what} 声明 {declaration.declared_days} 日，应至少 {declaration.required_days} 日"
                )
            return
        try:
            counts = retention.purge(
                actor=cli_actor("ecredit retention purge"), pack=pack, day=day, dry_run=not options["yes"]
            )
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        verb_text = "已清除" if options["yes"] else "将清除（加 --yes 执行）"
        self.stdout.write(
            f"{verb_text}：备案身份证号码 {counts['registry']} 条，平台报送经营者身份证号码 {counts['sellers']} 条，投诉人信息 {counts['complaints']} 条；"
            f"因案件未结跳过 {counts['skipped_open_case']} 条。"
        )
