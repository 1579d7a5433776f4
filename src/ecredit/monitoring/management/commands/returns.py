"""``ecredit returns check|categories``: the 7-day return rules (Art. 10 (4)) from the command line."""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecredit.monitoring import returns
from ecredit.policy.packs import active_pack


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ArgumentTypeError(f"日期应写作 YYYY-MM-DD / a date is written YYYY-MM-DD: {raw!r}") from None


class Command(BaseCommand):
    help = "七日无理由退货 / 7-day returns: check (may these goods be returned?), categories (the pack's categories)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        check = sub.add_parser("check", help="判断能否无理由退货 / may these goods be returned without reason")
        check.add_argument("--category", required=True, help="商品品类代码（见 ecredit returns categories）")
        check.add_argument("--received", type=_day, required=True, help="签收日期 / signed for on (YYYY-MM-DD)")
        check.add_argument("--requested", type=_day, required=True, help="申请退货日期 / asked to return on")
        check.add_argument("--not-intact", action="store_true", help="商品不完好 / the goods are not intact")
        check.add_argument("--custom-made", action="store_true", help="消费者定作 / made to order")
        check.add_argument("--perishable", action="store_true", help="鲜活易腐 / fresh or perishable")
        check.add_argument("--digital-opened", action="store_true", help="数字化商品已下载或拆封 / digital, opened")
        check.add_argument("--periodical", action="store_true", help="已交付的报纸、期刊 / newspaper or periodical")
        check.add_argument(
            "--confirmed-non-returnable",
            action="store_true",
            help="购买时经消费者确认不宜退货 / confirmed as not returnable at purchase",
        )
        check.add_argument("--json", action="store_true", help="输出一个 JSON 对象 / print one JSON object")
        categories = sub.add_parser("categories", help="政策包中的商品品类 / the pack's categories")
        categories.add_argument("--json", action="store_true", help="输出 JSON / print JSON")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        pack = active_pack()
        try:
            if verb == "categories":
                self._categories(pack, as_json=options["json"])
            else:
                goods = returns.Goods(
                    category=options["category"],
                    received=options["received"],
                    requested=options["requested"],
                    intact=not options["not_intact"],
                    **{flag: options[flag] for flag in returns.FLAGS},
                )
                self._check(returns.check(pack, goods), as_json=options["json"])
        except returns.ReturnsInputError as exc:
            raise CommandError(exc.message, returncode=2) from None

    def _categories(self, pack: Any, *, as_json: bool) -> None:
        rules = returns.rules_of(pack)
        rows = [
            {
                "code": c.code,
                "label": c.label,
                "exceptions": list(c.exceptions),
                "inherent": list(c.inherent),
                "intact": c.intact,
                "cites": list(c.intact_cites),
            }
            for c in rules.categories
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['code']}\t{row['label']}\t可适用例外：{'、'.join(row['exceptions']) or '无'}")

    def _check(self, decision: returns.Decision, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(decision.as_dict(), ensure_ascii=False, indent=2))
            return
        verdict = "可以无理由退货" if decision.returnable else "不能无理由退货"
        self.stdout.write(f"{decision.category_label}：{verdict}（期限至 {decision.deadline}）")
        for reason in decision.reasons:
            mark = "✗" if reason.blocks else "·"
            self.stdout.write(f"  {mark} {reason.text}［{'；'.join(reason.cites)}］")
