"""The demo credit archive: three and a half years of history for about 60 of the demo's entities.

Pure data, like ``demo.registry_data``: :func:`build` turns the demo registry, today's date and a seed
into plain dataclasses; ``demo.services`` records them through ``credit.services`` as the officers
would. The filings' own events (``filing.current`` on approval) are not here: the registry records
those itself when the demo approves the filings.

Most entities keep a clean record (grade B: 80 points, +5 for a filing in force); a few earn A through
passed inspections, training and the association's pledge; about a dozen fall to C after a failed
sample or a penalty; three are D (one by the pyramid-selling veto). One failed sample is withdrawn
after an upheld objection and one complaint is repaired, so both corrections appear in the archive.
Everything is invented; numbers of documents carry （演示）.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ecredit.demo.registry_data import APPROVED_FATES, DemoEntity

SEED = 2027
HISTORY_START = dt.date(2023, 4, 1)  # the trial began on 2023-03-31 (Art. 25)
EXTENSION_UNTIL = dt.date(2027, 3, 31)
EXTENSION_REASON = (
    "《南安市网销商品质量安全信用评价制度（试行）》第二十五条规定的试行期已于2025年3月30日届满；"
    "南安市商务局决定在新的管理办法出台前继续试行本制度，信用评价照常进行（演示）。"
)

# Who records what (demo usernames): inspections and cases by the market supervision inspector,
# complaints, the association's records and corrections by the Commerce Bureau's credit officer
# (the association's own staff hold no right to write the ledger).
INSPECTOR, OFFICER = "inspector", "credit"

#: Days before today: within the last year (full weight), one to two years ago (half weight for the
#: 24-month indicators), and older than every 24-month window (history only).
RECENT, MID = (20, 320), (400, 690)

#: What a failed sample of each trade typically shows.
DEFECTS = {
    "卫浴水暖": "金属污染物（铅）析出量超标",
    "石材": "放射性核素限量超标",
    "茶叶": "农药残留（吡虫啉）超标",
    "食品": "菌落总数超标",
    "服装鞋帽": "纤维含量与标识不符",
    "光电信息": "谐波电流超出限值",
    "建材家居": "甲醛释放量超标",
    "五金机械": "接地电阻不合格",
}


@dataclass(frozen=True)
class Correction:
    """A status change after the event: ``withdrawn`` (objection upheld) or ``repaired``."""

    kind: str
    on: dt.date
    reason: str
    source_ref: str


@dataclass(frozen=True)
class DemoEvent:
    entity: str  # DemoEntity.key
    indicator: str
    occurred_on: dt.date
    source_kind: str
    source_ref: str
    recorder: str  # the demo username that records it
    evidence: str = ""
    reason: str = ""
    correction: Correction | None = None


def build(entities: Sequence[DemoEntity], today: dt.date, *, seed: int = SEED) -> list[DemoEvent]:
    """Every history event, oldest first (the order they are recorded in). Same registry, day and
    seed, same list."""
    return _Maker(random.Random(seed), today).build(entities)  # noqa: S311 — demo data, not secrets


def mid_year(today: dt.date) -> dt.date:
    """The last 30 June before ``today``: the earlier point of the demo's grade history."""
    june = dt.date(today.year, 6, 30)
    return june if june < today else dt.date(today.year - 1, 6, 30)


class _Maker:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.counters: dict[str, int] = defaultdict(int)
        self.events: list[DemoEvent] = []

    # -- days and numbers

    def day(self, span: tuple[int, int]) -> dt.date:
        """A working day ``span`` days before today (a weekend moves back to Friday), not before the trial."""
        lo, hi = span
        hi = max(lo, min(hi, (self.today - HISTORY_START).days))
        day = self.today - dt.timedelta(days=self.rng.randint(lo, hi))
        return day - dt.timedelta(days=max(0, day.weekday() - 4))

    def number(self, series: str, year: int) -> int:
        self.counters[f"{series}{year}"] += 1
        return self.counters[f"{series}{year}"] * 7 + self.rng.randrange(7)  # gaps, as real registers have

    # -- one event of each kind

    def add(
        self,
        entity: DemoEntity,
        indicator: str,
        day: dt.date,
        kind: str,
        ref: str,
        recorder: str,
        *,
        evidence: str = "",
        reason: str = "",
    ) -> DemoEvent:
        event = DemoEvent(entity.key, indicator, day, kind, ref, recorder, evidence=evidence, reason=reason)
        self.events.append(event)
        return event

    def sample(self, entity: DemoEntity, passed: bool, span: tuple[int, int]) -> DemoEvent:
        day = self.day(span)
        n = self.number("CJ", day.year)
        goods = _goods(entity)
        if passed:
            reason = f"网销商品质量抽查：{goods}，检验结论合格。"
        else:
            reason = (
                f"网销商品质量抽查：{goods}，{DEFECTS.get(entity.industry, '标签标识不符合标准')}，检验结论不合格。"
            )
        indicator = "quality.sample_passed" if passed else "quality.sample_failed"
        return self.add(
            entity,
            indicator,
            day,
            "inspection",
            f"NA-CJ-{day.year}-{n:04d}",
            INSPECTOR,
            evidence=f"检验报告 NA-JY-{day.year}-{n:04d}（演示）",
            reason=reason,
        )

    def case(self, entity: DemoEntity, indicator: str, span: tuple[int, int], reason: str) -> DemoEvent:
        day = self.day(span)
        ref = f"南市监罚〔{day.year}〕{self.number('CF', day.year)}号"
        return self.add(
            entity, indicator, day, "case", ref, INSPECTOR, evidence=f"行政处罚决定书 {ref}（演示）", reason=reason
        )

    def complaint(self, entity: DemoEntity, span: tuple[int, int]) -> DemoEvent:
        day = self.day(span)
        ref = f"TS-{day.year}-{self.number('TS', day.year):06d}"
        reason = "消费者投诉商品与描述不符，经核实属实，经营者未在规定期限内协商处理。"
        return self.add(entity, "complaint.unresolved", day, "complaint", ref, OFFICER, reason=reason)

    def pledge(self, entity: DemoEntity, span: tuple[int, int]) -> DemoEvent:
        day = self.day(span)
        ref = f"NAEC-CN-{day.year}-{self.number('CN', day.year):03d}"
        reason = "向南安市电子商务协会签署《网络经营诚信自律承诺书》。"
        return self.add(entity, "association.pledge", day, "association", ref, OFFICER, reason=reason)

    def training(self, entity: DemoEntity, span: tuple[int, int]) -> DemoEvent:
        day = self.day(span)
        ref = f"NAEC-PX-{day:%Y%m}"  # one session a month: the session is the source
        reason = "参加南安市电子商务协会组织的网销商品质量安全培训并考核合格。"
        return self.add(entity, "quality.training", day, "association", ref, OFFICER, reason=reason)

    # -- who gets what

    def build(self, entities: Sequence[DemoEntity]) -> list[DemoEvent]:
        by_key = {entity.key: entity for entity in entities}
        self.fixed(by_key)
        pool = [
            entity
            for entity in entities
            if entity.fate in APPROVED_FATES
            and entity.roles == ("seller",)
            and not entity.organisation
            and entity.key.startswith(("firm-", "person-"))
        ]
        food = [entity for entity in pool if entity.industry in ("食品", "茶叶") and entity.kind == "legal_person"]
        food_d = self.rng.choice(food)
        pool.remove(food_d)
        self.rng.shuffle(pool)
        self.sample(food_d, False, RECENT)
        self.sample(food_d, False, RECENT)
        self.case(
            food_d, "enforcement.penalty_food_drug", RECENT, "生产销售不符合食品安全标准的食品，依法给予行政处罚。"
        )
        profiles: list[tuple[int, Callable[[DemoEntity], None]]] = [
            (10, self.exemplary),
            (8, self.well_tested),
            (5, self.committed),
            (8, self.complained),
            (6, self.trained),
            (5, self.recovering),
            (6, self.failed),
            (3, self.penalised),
            (2, self.misleading),
            (1, self.pyramid),
            (1, self.counterfeit),
            (1, self.objected),
        ]
        picked = iter(pool)
        for count, profile in profiles:
            for _ in range(count):
                profile(next(picked))
        return sorted(self.events, key=lambda event: (event.occurred_on, event.entity, event.indicator))

    def fixed(self, by_key: dict[str, DemoEntity]) -> None:
        """The entities a visitor is shown first: the demo seller, the platforms, the tea alliance, a host."""
        seller = by_key["seller-demo"]
        self.sample(seller, True, MID)
        self.pledge(seller, MID)
        self.training(seller, RECENT)
        complaint = self.complaint(seller, (150, 240))
        repaired_on = complaint.occurred_on + dt.timedelta(days=100)  # the pack allows repair after 3 months
        self.events[-1] = replace(
            complaint,
            correction=Correction(
                "repaired",
                repaired_on,
                "经营者已与投诉人达成和解并退款，提交整改报告，经审核同意信用修复。",
                f"XF-{repaired_on.year}-{self.number('XF', repaired_on.year):04d}",
            ),
        )
        platform = by_key["platform-mnyp"]
        self.pledge(platform, MID)
        self.training(platform, RECENT)
        self.complaint(platform, RECENT)
        self.complaint(platform, RECENT)
        self.complaint(by_key["platform-haowu"], RECENT)
        tea = by_key["association-tea"]
        self.sample(tea, True, RECENT)
        self.pledge(tea, MID)
        self.training(tea, RECENT)
        self.pledge(by_key["infra-yunfan"], MID)

    # A: 85 + 3 + 2 (+ 2) on a clean record.
    def exemplary(self, entity: DemoEntity) -> None:
        self.pledge(entity, (60, 650))
        self.training(entity, RECENT)
        if self.rng.random() < 0.5:
            self.sample(entity, True, (60, 650))

    # A: two or three passed samples and training.
    def well_tested(self, entity: DemoEntity) -> None:
        for _ in range(self.rng.choice((2, 3))):
            self.sample(entity, True, (30, 690))
        self.training(entity, RECENT)

    # A: the pledge and a passed sample, with an old failure long out of its window.
    def committed(self, entity: DemoEntity) -> None:
        self.sample(entity, False, (800, 1400))
        self.pledge(entity, RECENT)
        self.sample(entity, True, RECENT)

    # B: one or two complaints upheld this year.
    def complained(self, entity: DemoEntity) -> None:
        for _ in range(self.rng.choice((1, 2))):
            self.complaint(entity, RECENT)

    # B: training only.
    def trained(self, entity: DemoEntity) -> None:
        self.training(entity, RECENT)

    # B: a failure more than a year ago (half weight), a pass since.
    def recovering(self, entity: DemoEntity) -> None:
        self.sample(entity, False, MID)
        self.sample(entity, True, (30, 390))

    # C: a failed sample this year.
    def failed(self, entity: DemoEntity) -> None:
        self.sample(entity, False, RECENT)

    # C: an administrative penalty this year.
    def penalised(self, entity: DemoEntity) -> None:
        self.case(entity, "enforcement.penalty", RECENT, "销售不合格产品，依法责令改正并处罚款。")

    # C: false advertising and the complaints it brought.
    def misleading(self, entity: DemoEntity) -> None:
        self.case(entity, "conduct.14_5_false_advertising", RECENT, "商品详情页宣称“国家免检产品”，构成虚假宣传。")
        for _ in range(3):
            self.complaint(entity, RECENT)

    # D by the veto: pyramid selling.
    def pyramid(self, entity: DemoEntity) -> None:
        self.case(
            entity,
            "conduct.14_10_pyramid_selling",
            RECENT,
            "以网店“会员拉人头返利”模式发展下线并按层级计酬，构成变相传销，行政处罚决定已生效。",
        )

    # D: counterfeit goods and the penalty for them.
    def counterfeit(self, entity: DemoEntity) -> None:
        case = self.case(entity, "conduct.14_9_counterfeit_goods", RECENT, "利用网店销售假冒注册商标的商品。")
        self.add(
            entity,
            "enforcement.penalty",
            case.occurred_on,
            "case",
            case.source_ref,
            INSPECTOR,
            evidence=case.evidence,
            reason="销售假冒注册商标的商品，没收违法商品并处罚款。",
        )

    # B: a failed sample withdrawn after the re-test passed (objection upheld).
    def objected(self, entity: DemoEntity) -> None:
        event = self.sample(entity, False, (60, 200))
        decided = event.occurred_on + dt.timedelta(days=24)
        self.events[-1] = replace(
            event,
            correction=Correction(
                "withdrawn",
                decided,
                "经营者提出异议，复检结果合格，原检验结论不予采信，异议成立。",
                f"YY-{decided.year}-{self.number('YY', decided.year):04d}",
            ),
        )


def _goods(entity: DemoEntity) -> str:
    listed = entity.filing.other_items.get("主营商品", "") if entity.filing else ""
    return listed.split("、")[0] or entity.industry or "网销商品"
