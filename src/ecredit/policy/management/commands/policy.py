"""``ecredit policy list | show ID | validate [FILE…] | diff A B | coverage | extend ID``."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ecredit.accounts.actors import cli_actor
from ecredit.errors import DomainError
from ecredit.policy import coverage, diff, services
from ecredit.policy.loader import problems_in
from ecredit.policy.model import Pack, Period
from ecredit.policy.packs import PACK_DIR, PackError, UnknownPack, all_packs, load_pack, load_pack_file, pack_ids

NATURE_LABELS = {
    "duty": "义务",
    "prohibition": "禁止",
    "power": "职权",
    "purpose": "目的",
    "definition": "定义",
    "organisation": "组织",
    "scope": "范围",
    "interpretation": "解释与施行",
}


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"日期“{raw}”无效，应写作 YYYY-MM-DD", returncode=2) from None


def _num(value: float | int | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else str(value)


def _cites(cites: tuple[str, ...]) -> str:
    return "、".join(cites)


UNITS = {"days": "日", "working_days": "个工作日", "months": "个月", "years": "年"}


def _period(period: Period) -> str:
    unit = UNITS[period.unit]
    if period.regulation_silent:
        return f"本制度未规定；国家规定 {period.applied}{unit}（{_cites(period.national_cites)}）"
    text = f"{period.value}{unit}（{_cites(period.cites)}）"
    if period.national_value is not None:
        text += f"；国家规定 {period.national_value}{unit}（{_cites(period.national_cites)}）"
        text += f" → 适用 {period.applied}{unit}（{_cites(period.applied_cites)}）"
    return text


class Command(BaseCommand):
    help = "政策包（本制度的数据化）：list、show、validate、diff、coverage、extend / policy packs"
    # ``validate`` must run (and say what is wrong) even when the installed pack does not load.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list", help="列出已安装的政策包 / list installed packs")
        show = sub.add_parser("show", help="显示一个政策包的内容摘要 / summarise a pack")
        show.add_argument("pack", metavar="ID")
        validate = sub.add_parser("validate", help="校验政策包文件（默认全部）/ validate pack files")
        validate.add_argument("files", nargs="*", metavar="FILE")
        compare = sub.add_parser("diff", help="比较两个政策包（编号或文件）/ compare two packs")
        compare.add_argument("a", metavar="A")
        compare.add_argument("b", metavar="B")
        cover = sub.add_parser("coverage", help="每条每项由什么实施 / what implements each article")
        cover.add_argument("--pack", metavar="ID", default=None)
        extend = sub.add_parser("extend", help="记录政策包有效期的延期 / record an extension")
        extend.add_argument("pack", metavar="ID")
        extend.add_argument("--until", required=True, metavar="YYYY-MM-DD")
        extend.add_argument("--reason", required=True, metavar="TEXT")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb == "list":
            self._list()
        elif verb == "show":
            self._show(self._pack(options["pack"]))
        elif verb == "validate":
            self._validate(options["files"])
        elif verb == "diff":
            self._diff(self._pack(options["a"]), self._pack(options["b"]))
        elif verb == "coverage":
            self._coverage(self._pack(options["pack"] or settings.POLICY_PACK))
        elif verb == "extend":
            self._extend(options["pack"], _date(options["until"]), options["reason"])
        else:  # pragma: no cover - argparse refuses other verbs
            raise CommandError(f"未知的子命令 {verb}")

    def _pack(self, ref: str) -> Pack:
        """A pack by id, or any pack file by path."""
        try:
            if ref.endswith(".yaml") or "/" in ref:
                if not Path(ref).is_file():
                    raise CommandError(f"找不到文件 / no such file: {ref}", returncode=2)
                return load_pack_file(ref)
            return load_pack(ref)
        except PackError as exc:
            raise CommandError(f"政策包无法加载：\n{exc}", returncode=1) from None
        except UnknownPack as exc:
            raise CommandError(str(exc), returncode=2) from None

    def _list(self) -> None:
        try:
            recorded = services.extensions()
        except DatabaseError:
            recorded = None
        for pack in all_packs():
            active = "*" if pack.id == settings.POLICY_PACK else " "
            if recorded is None:
                extended = "延期：（数据库不可用）"
            else:
                mine = [e for e in recorded if e.pack_id == pack.id]
                extended = "延期：" + ("、".join(f"至 {e.until}（{e.recorded_by}）" for e in mine) if mine else "无")
            self.stdout.write(
                f"{active} {pack.id}\t{pack.title}\t有效期 {pack.in_force_from} 至 {pack.in_force_until}"
                f"\tsha256 {pack.sha256[:12]}\t{extended}"
            )

    def _show(self, pack: Pack) -> None:
        write = self.stdout.write
        articles = [ref for ref in pack.articles if "." not in ref and ref != "0"]
        items = [ref for ref in pack.articles if "." in ref]
        write(f"{pack.title}（{pack.id}）")
        write(f"发布：{pack.issuer}　辖区：{pack.jurisdiction_name}（{pack.division_code}）")
        write(f"有效期：{pack.in_force_from} 至 {pack.in_force_until}（{_cites(pack.in_force_cites) or '—'}）")
        write(f"文件：{pack.path}")
        write(f"SHA-256：{pack.sha256}")
        preamble = "，另有序言" if "0" in pack.articles else ""
        write(f"条文：{len(articles)} 条、{len(items)} 项{preamble}")
        scale = pack.scale
        write(
            f"评分：基准 {scale.base}，下限 {scale.floor}，上限 {scale.ceiling}，加分合计不超过 {scale.bonus_cap}。{scale.notice}"
        )
        write("等级：" + "；".join(f"{g.code} {g.label} ≥{g.min}" for g in scale.grades))
        write(f"指标（{len(pack.indicators)}）：")
        write("  代码\t分值\t上限\t窗口（月）\t全权重（月）\t角色\t引用")
        for ind in pack.indicators.values():
            roles = ",".join(sorted(ind.roles))
            write(
                f"  {ind.code}\t{_num(ind.points)}\t{_num(ind.cap)}\t{_num(ind.window_months)}"
                f"\t{_num(ind.full_weight_months)}\t{roles}\t{_cites(ind.cites)}"
            )
        write(f"否决项（{len(pack.vetoes)}）：")
        for veto in pack.vetoes:
            write(
                f"  {veto.code}\t{veto.label}\t触发 {','.join(veto.triggers)}\t→ {veto.grade}\t{veto.window_months} 个月\t{_cites(veto.cites)}"
            )
        write("保存期限：")
        for rule in pack.retention:
            write(f"  {rule.what}（自 {rule.start} 起）：{_period(rule.period)}")
        proc = pack.procedure
        write(f"程序：异议决定 {_period(proc.objection_decision)}；修复决定 {_period(proc.repair_decision)}")
        if pack.sampling is not None:
            ratios = "、".join(f"{k} {v:.0%}" for k, v in pack.sampling.annual_ratio.items())
            write(f"抽查（{_cites(pack.sampling.cites)}）：每年抽查比例 {ratios}")
            write(f"  复检申请：{_period(pack.sampling.retest)}")
            write(f"  结果公示：{_period(pack.sampling.publish)}")
            if pack.sampling.draw_weight is not None:
                weight = pack.sampling.draw_weight
                write(
                    f"  抽取权重：1 + 近 {weight.lookback_months} 个月失信事件数，最高 {weight.max}（{_cites(weight.cites)}）"
                )
        if pack.returns is not None:
            ret = pack.returns
            write(f"七日无理由退货（{_cites(ret.cites)}）：{_period(ret.window)}，自 {ret.start} 起算")
            if ret.refund is not None:
                write(f"  退款：{_period(ret.refund)}")
            write("  例外：" + "；".join(f"{e.code} {e.label}" for e in ret.exceptions))
        if pack.listing_disclosure is not None:
            fields = "、".join(pack.listing_disclosure.required.values())
            write(f"商品信息须说明（{_cites(pack.listing_disclosure.cites)}）：{fields}")
        if pack.conduct:
            write(f"禁止行为分类：{len(pack.conduct)} 项（{'、'.join(pack.conduct)}）")

    def _validate(self, files: list[str]) -> None:
        paths = [Path(f) for f in files] or [PACK_DIR / f"{pack_id}.yaml" for pack_id in pack_ids()]
        failed = False
        for path in paths:
            problems = problems_in(path)
            if problems:
                failed = True
                for problem in problems:
                    self.stdout.write(problem.line_text())
            else:
                self.stdout.write(f"OK {path.name}")
        if failed:
            raise SystemExit(1)

    def _diff(self, a: Pack, b: Pack) -> None:
        changes = diff.diff(a, b)
        self.stdout.write(f"比较 {a.id}（{a.sha256[:12]}）与 {b.id}（{b.sha256[:12]}）")
        for change in changes:
            self.stdout.write(change.line())
        self.stdout.write(f"共 {len(changes)} 处不同" if changes else "没有不同")

    def _coverage(self, pack: Pack) -> None:
        report = coverage.coverage(pack)
        for item in report.items:
            article = item.article
            nature = NATURE_LABELS.get(article.nature, article.nature)
            if item.covered:
                parts = [*item.by_pack, *(f"代码 {c.module}：{c.what}" for c in item.by_code)]
                status = "已实施：" + ("；".join(parts) if parts else "各项均已实施")
            elif item.required:
                status = "未实施"
            else:
                status = f"无须实施：{article.note}"
            self.stdout.write(f"{article.ref}\t{article.title}\t{nature}\t{status}")
        for problem in report.problems:
            self.stdout.write(f"声明有误：{problem}")
        uncovered = report.uncovered
        if uncovered:
            self.stdout.write(f"未实施的义务、禁止或职权条款（{len(uncovered)}）：{'、'.join(uncovered)}")
        else:
            self.stdout.write("每一项义务、禁止和职权条款都已有实施。")
        if uncovered or report.problems:
            raise SystemExit(1)

    def _extend(self, pack_id: str, until: dt.date, reason: str) -> None:
        try:
            extension = services.record_extension(
                cli_actor("ecredit policy extend"), pack_id, until=until, reason=reason
            )
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(f"已记录：政策包 {extension.pack_id} 延期至 {extension.until}（理由：{extension.reason}）")
