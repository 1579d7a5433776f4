"""Demo cases, through the same services an officer uses: leads, cases in every state, documents of
each kind (the demo platform acknowledges its suspension notice), an overdue and a near-due case.

The demo credit archive is balanced to show a spread of grades; so that the cases do not upset it,
the penalties and vetoes fall on an entity the credit demo already makes D by its score (a food
business with failed samples and a penalty), and the demo seller's own case (which it sees in its portal) has a suspension notice only."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import User
from ecredit.enforcement import issuing, notices, services
from ecredit.enforcement.models import Case
from ecredit.enforcement.services import PartyIn
from ecredit.registry.models import Entity

SECOND_INSPECTOR = "inspector2"
BASIS = "《中华人民共和国产品质量法》第五十四条"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _case(
    officer: Actor,
    officers: list[User],
    entity: Entity,
    provider: Entity | None,
    title: str,
    conduct: str,
    day: dt.date,
    summary: str,
) -> Case:
    lead = services.record_lead(
        actor=officer,
        source_kind="complaint",
        source_ref=f"TS-{day:%Y%m%d}",
        entity=entity,
        summary=summary,
        received_on=day,
    )
    return services.propose_case(
        actor=officer,
        lead=lead,
        title=title,
        parties=[PartyIn(entity, provider)],
        conduct=[conduct],
        legal_basis=BASIS,
        officers=officers,
        on=day,
    )


def _walk(officer: Actor, chief: Actor, case: Case, to: str, day: dt.date, decision: str = "") -> Case:
    steps = ["file", "investigate", "submit", "decide"]
    who = {"file": chief, "decide": chief}
    for name in steps[: steps.index(to) + 1]:
        case = services.fire(actor=who.get(name, officer), case=case, transition=name, decision=decision, on=day)
    return case


def _vetoed_key(today: dt.date) -> str:
    """The food business the credit demo makes D by its score (failed samples and a food penalty)."""
    from ecredit.demo import credit_data, registry_data

    events = credit_data.build(registry_data.build(today), today)
    return next(e.entity for e in events if e.indicator == "enforcement.penalty_food_drug")


def load(*, users: dict[str, Actor], entities: dict[str, Entity], today: dt.date) -> int:
    """Cases for the demo department (SAMR): returns how many documents were issued."""
    officer, chief, platform = users["inspector"], users["chief"], users["platform"]
    # A case needs two officers: the demo's second inspector (demo.data.ACCOUNTS) works beside the first.
    colleague = User.objects.get(username=SECOND_INSPECTOR)
    first = User.objects.get(pk=officer.user_id or 0)
    officers = [first, colleague]
    shop = entities["platform-mnyp"]
    vetoed = entities[_vetoed_key(today)]
    firms = [
        entities[key]
        for key in sorted((k for k in entities if k.startswith("firm-")), key=lambda k: int(k.split("-")[1]))
        if entities[key].is_seller and entities[key] != vetoed
    ][:5]

    # C: closed after a penalty, the site's closure and a judicial transfer.
    c = _case(
        officer,
        officers,
        vetoed,
        shop,
        "销售伪劣保温杯并拒绝整改",
        "14.9",
        today - dt.timedelta(days=150),
        "抽查不合格后仍继续销售",
    )
    c = _walk(
        officer, chief, c, "decide", today - dt.timedelta(days=110), "罚款并建议关闭网站，涉嫌犯罪部分移送公安机关"
    )
    issuing.issue_penalty(
        actor=officer,
        case=c,
        facts="当事人销售经抽查不合格的保温杯 500 只，货值 2.5 万元，整改期满后仍继续销售。",
        legal_basis=BASIS,
        penalties=["fine", "confiscation"],
        fine_amount="30000",
        severity="severe",
        on=today - dt.timedelta(days=100),
    )
    closure = issuing.issue_closure_proposal(
        actor=officer,
        case=c,
        operator_name="中国电信股份有限公司泉州分公司",
        website="cup-demo.example.cn",
        on=today - dt.timedelta(days=100),
    )
    issuing.issue_judicial_transfer(
        actor=officer,
        case=c,
        receiver="南安市公安局",
        grounds="另查明当事人仓库存放伪劣保温杯，货值超过五万元，涉嫌销售伪劣产品罪。",
        file_list=["立案审批表", "检查笔录 1 份", "抽样检验报告 1 份", "电子证据光盘 1 张"],
        on=today - dt.timedelta(days=99),
    )
    c = services.fire(actor=officer, case=c, transition="execute", on=today - dt.timedelta(days=99))
    notices.record_closure_executed(actor=officer, notice=closure.notice, executed_on=today - dt.timedelta(days=95))
    services.fire(
        actor=officer,
        case=c,
        transition="close",
        reason="罚款已缴纳，网站已关闭，案件已移送",
        on=today - dt.timedelta(days=60),
    )

    # D: overdue (filed 100 days ago, still under investigation); E: near its deadline.
    d = _case(
        officer,
        officers,
        firms[0],
        None,
        "虚假宣传保健功效",
        "14.5",
        today - dt.timedelta(days=100),
        "举报称商品页面宣称治疗功效",
    )
    _walk(officer, chief, d, "investigate", today - dt.timedelta(days=100))
    e = _case(
        officer, officers, firms[1], None, "冒用他人注册商标", "14.2", today - dt.timedelta(days=80), "商标权利人投诉"
    )
    _walk(officer, chief, e, "submit", today - dt.timedelta(days=80))

    # A: a closed case with a light penalty.
    a = _case(
        officer,
        officers,
        vetoed,
        shop,
        "商品页面未标明鞋类执行标准",
        "14.9",
        today - dt.timedelta(days=75),
        "网络监测发现商品页面未标明执行标准",
    )
    a = _walk(officer, chief, a, "decide", today - dt.timedelta(days=75), "给予警告并处罚款八百元")
    services.add_evidence(
        actor=officer, case=a, title="商品页面截图（演示）", data=b"demo screenshot A", filename="a.png"
    )
    issuing.issue_penalty(
        actor=officer,
        case=a,
        facts="当事人在平台店铺销售的运动鞋商品页面未标明执行标准，涉及商品 3 款。",
        legal_basis=BASIS,
        penalties=["warning", "fine"],
        fine_amount="800",
        severity="light",
        on=today - dt.timedelta(days=60),
    )
    a = services.fire(actor=officer, case=a, transition="execute", on=today - dt.timedelta(days=60))
    services.fire(
        actor=officer, case=a, transition="close", reason="罚款已缴纳，商品页面已整改", on=today - dt.timedelta(days=40)
    )

    # B: the demo seller's case under investigation; the demo platform acknowledged the suspension
    # notice and reported compliance; the seller sees the notice in its portal.
    b = _case(
        officer,
        officers,
        entities["seller-demo"],
        shop,
        "销售无中文标签的儿童运动鞋",
        "14.9",
        today - dt.timedelta(days=30),
        "消费者投诉童鞋无中文标签",
    )
    b = _walk(officer, chief, b, "investigate", today - dt.timedelta(days=30))
    services.add_record(
        actor=officer,
        case=b,
        kind="inspection",
        started_at=_at(today - dt.timedelta(days=25), 9),
        ended_at=_at(today - dt.timedelta(days=25), 11),
        place="南安市溪美街道当事人仓库",
        officers="陈执法、黄执法",
        subject="当事人负责人 洪某",
        examined="网店后台所在电脑 1 台、路由器 1 台",
        content="现场查见无中文标签的儿童运动鞋 80 双。",
        party_statement="情况属实。",
        party_confirmed=True,
    )
    services.add_evidence(actor=officer, case=b, title="现场照片（演示）", data=b"demo photo B", filename="b.jpg")
    notice = issuing.issue_suspension(
        actor=officer,
        case=b,
        comply_by=today - dt.timedelta(days=20),
        measures="暂停该店铺全部商品的展示与交易",
        on=today - dt.timedelta(days=24),
    )
    ack = notices.acknowledge_notice(actor=platform, notice=notice.notice)
    notices.report_compliance(actor=platform, notice=ack, report="已于收到通知当日暂停该店铺全部商品的展示与交易")

    # F: awaiting the head's approval to file; G: withdrawn; and leads in each outcome.
    _case(
        officer,
        officers,
        firms[2],
        None,
        "单方面规定不退货",
        "14.6",
        today - dt.timedelta(days=2),
        "消费者投诉拒绝七日无理由退货",
    )
    g = _case(
        officer,
        officers,
        firms[3],
        None,
        "销售标签不合规的茶叶",
        "14.9",
        today - dt.timedelta(days=20),
        "网络监测发现标签问题",
    )
    services.fire(
        actor=chief,
        case=g,
        transition="withdraw",
        reason="经核实当事人非本辖区经营者，已移交属地部门",
        on=today - dt.timedelta(days=15),
    )
    services.record_lead(
        actor=officer,
        source_kind="inspection",
        source_ref="CJ-2026-031",
        entity=firms[4],
        summary="抽查不合格：儿童运动鞋耐磨性能",
        received_on=today,
    )
    referred = services.record_lead(
        actor=officer,
        source_kind="referral",
        summary="公安机关移送：某网店涉嫌销售假冒白酒",
        received_on=today - dt.timedelta(days=5),
    )
    services.refer_lead(actor=officer, lead=referred, to="南安市烟草专卖局", reason="涉及专卖品，属烟草专卖部门管辖")
    closed = services.record_lead(
        actor=officer,
        source_kind="own_finding",
        summary="巡查发现某店铺页面疑似虚假宣传",
        received_on=today - dt.timedelta(days=7),
    )
    services.close_lead(actor=officer, lead=closed, reason="经核查宣传内容有检测报告支持，不构成违法")
    return 6
