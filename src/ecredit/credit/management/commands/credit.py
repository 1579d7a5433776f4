from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ecredit.accounts.actors import cli_actor
from ecredit.credit import batch, queries, services
from ecredit.credit.models import Evaluation
from ecredit.errors import DomainError
from ecredit.policy.model import Pack
from ecredit.policy.packs import PackError, UnknownPack, load_pack, load_pack_file
from ecredit.registry.models import Entity


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ArgumentTypeError(f"日期应写作 YYYY-MM-DD / a date is written YYYY-MM-DD: {raw!r}") from None


class Command(BaseCommand):
    help = (
        "信用档案 / the credit archive: evaluate (one entity or all), show an entity's evaluation, "
        "history of its grades, whatif (the same ledger under another pack)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        evaluate = sub.add_parser("evaluate", help="评价并存档 / evaluate and store")
        which = evaluate.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="全部主体（批量）/ every entity, set-based")
        which.add_argument("--entity", metavar="CODE", help="统一社会信用代码 / the entity's USCC")
        show = sub.add_parser("show", help="显示一个主体的信用评价及原因 / an entity's evaluation and reasons")
        show.add_argument("code", metavar="CODE")
        show.add_argument("--json", action="store_true", help="输出一个 JSON 对象 / print one JSON object")
        history = sub.add_parser("history", help="一个主体的等级历史 / an entity's stored grades")
        history.add_argument("code", metavar="CODE")
        whatif = sub.add_parser("whatif", help="同一台账在另一政策包下的等级变化 / compare two packs")
        for verb in (evaluate, show, whatif):
            verb.add_argument("--as-of", type=_day, default=None, help="评价日期，默认今天 / default today")
        for verb in (evaluate, show):
            verb.add_argument("--pack", metavar="ID", default=None, help="政策包，默认该日适用的 / default: in force")
        whatif.add_argument("--pack", metavar="B", required=True, help="对比的政策包（编号或 YAML 文件）")
        whatif.add_argument("--limit", type=int, default=None, help="最多列出多少个等级变化的主体")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        as_of: dt.date = options.get("as_of") or timezone.localdate()
        try:
            if verb == "evaluate":
                self._evaluate(as_of, options["entity"], options["pack"])
            elif verb == "show":
                self._show(options["code"], as_of, options["pack"], as_json=options["json"])
            elif verb == "history":
                self._history(options["code"])
            elif verb == "whatif":
                self._whatif(as_of, options["pack"], options["limit"])
            else:  # pragma: no cover - argparse refuses other verbs
                raise CommandError(f"未知的子命令 {verb}")
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None

    def _entity(self, code: str) -> Entity:
        entity = queries.entity_by_code(code)
        if entity is None:
            raise CommandError(f"没有统一社会信用代码（或居民身份证号码）为 {code} 的主体。", returncode=2)
        return entity

    def _evaluate(self, as_of: dt.date, code: str | None, pack_id: str | None) -> None:
        if code is None:
            report = batch.evaluate_all(cli_actor("ecredit credit evaluate --all"), as_of, pack_id)
            self.stdout.write(report.summary())
            if report.extension_note:
                self.stdout.write(report.extension_note)
            return
        entity = self._entity(code)
        evaluation = services.evaluate_entity(cli_actor("ecredit credit evaluate"), entity, as_of, pack_id)
        veto = f"\t{evaluation.veto_code}" if evaluation.veto_code else ""
        self.stdout.write(f"{entity.code}\t{evaluation.as_of}\t{evaluation.score}\t{evaluation.grade}{veto}")
        if evaluation.extension_note:
            self.stdout.write(evaluation.extension_note)

    def _show(self, code: str, as_of: dt.date, pack_id: str | None, *, as_json: bool) -> None:
        entity = self._entity(code)
        covered = services.coverage(as_of, pack_id)
        evaluation = services.evaluate_entity(
            cli_actor("ecredit credit show"), entity, as_of, covered.pack, store=False
        )
        data = _shown(entity, evaluation, covered.pack)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{entity.name}（{data['code']}）  评价日期 {data['as_of']}  角色 {data['role']}")
        self.stdout.write(f"得分 {data['score']}（基础分 {data['base']}）  等级 {data['grade']} {data['grade_label']}")
        if data["veto"]:
            veto = data["veto"]
            self.stdout.write(f"一票否决：{veto['label']}（第 {'、'.join(veto['cites'])} 条），至 {veto['until']}")
        for reason in data["reasons"]:
            cap = "（已封顶）" if reason["cap_applied"] else ""
            cites = "、".join(reason["cites"])
            self.stdout.write(f"  {reason['points']:+g}  {reason['label']} × {reason['count']}{cap}  依据 {cites}")
        if not data["reasons"]:
            self.stdout.write("  无加减分事项。")
        self.stdout.write(f"政策包 {data['pack']}（SHA-256 {data['pack_sha256'][:12]}…）。{data['notice']}")
        if data["extension_note"]:
            self.stdout.write(data["extension_note"])

    def _history(self, code: str) -> None:
        entity = self._entity(code)
        rows = list(queries.grade_history(entity))
        if not rows:
            self.stdout.write(f"{entity.name} 尚无存档的信用评价。")
        for row in rows:
            when = timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M")
            how = "批量" if row.batch else "单独"
            self.stdout.write(f"{row.as_of}\t{row.score}\t{row.grade}\t{row.pack_id}\t{how}\t{when}")

    def _whatif(self, as_of: dt.date, pack_b: str, limit: int | None) -> None:
        report = batch.whatif(cli_actor("ecredit credit whatif"), as_of, _pack(pack_b))
        codes = report.grades
        self.stdout.write(
            f"评价日期 {as_of}：政策包 {report.pack_a.id}（A）→ {report.pack_b.id}（B），"
            f"共 {sum(report.matrix.values())} 个主体，等级变化 {len(report.changes)} 个。"
        )
        self.stdout.write("A \\ B\t" + "\t".join(codes))
        for grade_a in codes:
            self.stdout.write(grade_a + "\t" + "\t".join(str(report.matrix[grade_a, grade_b]) for grade_b in codes))
        shown = report.changes if limit is None else report.changes[:limit]
        names = _names([change[0] for change in shown])
        for entity_id, role, score_a, grade_a, score_b, grade_b in shown:
            code, name = names[entity_id]
            self.stdout.write(f"{code}\t{name}\t{role}\t{grade_a} {score_a} → {grade_b} {score_b}")
        if len(shown) < len(report.changes):
            self.stdout.write(f"……另有 {len(report.changes) - len(shown)} 个主体等级变化（--limit）。")
        if report.extension_note:
            self.stdout.write(report.extension_note)


def _pack(raw: str) -> Pack:
    """An installed pack by id, or a pack file (a draft, a modified copy)."""
    try:
        if raw.endswith((".yaml", ".yml")) or "/" in raw:
            path = Path(raw)
            if not path.is_file():
                raise CommandError(f"找不到政策包文件 {raw}", returncode=2)
            return load_pack_file(path)
        return load_pack(raw)
    except (UnknownPack, PackError) as exc:
        raise CommandError(str(exc), returncode=2) from None


def _names(ids: list[int]) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):
        rows = Entity.objects.filter(pk__in=ids[start : start + 500]).values_list(
            "pk", "uscc", "resident_id_masked", "name"
        )
        found.update({pk: (uscc or masked, name) for pk, uscc, masked, name in rows})
    return found


def _shown(entity: Entity, evaluation: Evaluation, pack: Pack) -> dict[str, Any]:
    """One entity's evaluation as ``show --json`` prints it, with the events behind each reason."""
    result = services.explain(evaluation, pack)
    events = {reason.indicator: list(reason.event_ids) for reason in result.reasons}
    veto = dict(evaluation.veto) if evaluation.veto else None
    if veto is not None and result.veto is not None:
        veto["event_ids"] = list(result.veto.event_ids)
    return {
        "code": entity.code,
        "name": entity.name,
        "role": evaluation.role,
        "as_of": evaluation.as_of.isoformat(),
        "pack": evaluation.pack_id,
        "pack_sha256": evaluation.pack_sha256,
        "base": evaluation.base,
        "score": float(evaluation.score),
        "grade": evaluation.grade,
        "grade_label": next((g.label for g in pack.scale.grades if g.code == evaluation.grade), ""),
        "veto": veto,
        "bonus_capped": evaluation.bonus_capped,
        "reasons": [{**reason, "event_ids": events.get(reason["indicator"], [])} for reason in evaluation.reasons],
        "unknown_indicators": evaluation.unknown_indicators,
        "extension_note": evaluation.extension_note,
        "notice": pack.scale.notice,
        "evaluation_id": evaluation.pk,
    }
