"""A sampling plan from draft to publication, through the pages, in a real browser: the inspector
drafts it, the department head approves it, the inspector commits and reveals the draw, buys a sample
online and hands it to the laboratory, the laboratory enters its report, the inspector serves the
result and publishes it, and a visitor reads it with the draw record on the public page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from stdnum.cn import uscc

from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import Organisation
from ecredit.demo.data import ACCOUNTS
from ecredit.inspections import draw, services
from ecredit.inspections.models import Sample, SamplingPlan
from ecredit.registry import services as registry
from ecredit.registry.services import EntityData
from tests.e2e.pages import log_in

PASSWORDS = {account.username: account.password for account in ACCOUNTS}
BASE = "91350583MA8PN2026"
CODE = BASE + uscc.calc_check_digit(BASE)
PLAN = "2026年第二季度网销童鞋质量抽查"


def sign_in_as(page: Page, context: BrowserContext, username: str) -> None:
    context.clear_cookies()
    log_in(page, username, PASSWORDS[username])
    expect(page).to_have_url(re.compile(r"/accounts/dashboard/$"))


def _setting() -> None:
    """What exists before the plan: the operator's entity and two inspectors in the pool."""
    samr = Organisation.objects.get(name="南安市市场监督管理局")
    registry.register_entity(
        SYSTEM,
        EntityData(name="南安市示例鞋业有限公司", kind="legal_person", roles=["seller"], uscc=CODE, industry="鞋类"),
        organisation=Organisation.objects.get(name="南安市示例鞋业有限公司（演示）"),
    )
    for number, name in ((1, "陈执法"), (2, "苏执法")):
        services.register_inspector(
            actor=SYSTEM, name=name, code=f"3505830100{number}", organisation=samr, township="溪美街道"
        )


def test_it_takes_a_plan_from_draft_to_publication_through_the_pages(
    page: Page, context: BrowserContext, page_errors: list[str], tmp_path: Path
) -> None:
    _setting()
    today = timezone.localdate().isoformat()

    # The inspector drafts the plan and names a complaint lead as a fixed inclusion.
    sign_in_as(page, context, "inspector")
    page.get_by_role("link", name="抽查检验").first.click()
    page.get_by_role("link", name="起草抽查计划").click()
    page.get_by_label("计划名称").fill(PLAN)
    page.get_by_label("起始日期").fill(today)
    page.get_by_label("截止日期").fill(f"{timezone.localdate().year}-12-31")
    page.get_by_label("产品类别与检验标准").fill("童鞋 | GB 30585-2014 | 5.1")
    page.get_by_label("范围：经营类别").fill("鞋类")
    page.get_by_label("南安市产品质量检验中心（演示）").check()
    page.get_by_label("陈执法（35058301001）").check()
    page.get_by_label("苏执法（35058301002）").check()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("草稿")
    page.get_by_label("统一社会信用代码").fill(CODE)
    page.get_by_label("定向抽查理由").fill("消费者投诉 TS-2026-0412")
    page.get_by_role("button", name="加入定向抽查").click()
    expect(page.locator(".messages")).to_contain_text("已加入定向抽查名单")
    plan_url = page.url

    # The department head approves it.
    sign_in_as(page, context, "chief")
    page.goto(plan_url)
    page.get_by_role("button", name="批准计划").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("已批准")

    # The inspector commits (the commitment is shown before any seed), reveals and starts.
    sign_in_as(page, context, "inspector")
    page.goto(plan_url)
    page.get_by_role("button", name="固定名单并公布种子承诺值").click()
    expect(page.get_by_test_id("draw")).to_contain_text("种子承诺值")
    expect(page.get_by_test_id("draw")).not_to_contain_text("随机种子")
    page.get_by_role("button", name="揭示种子并抽取").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("已抽取")
    expect(page.locator("table.targets")).to_contain_text("陈执法")
    page.get_by_role("button", name="开始实施").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("实施中")

    # An online purchase sample, then the hand-over to the laboratory.
    page.get_by_role("link", name="登记网购样品").click()
    page.locator("#id_code").fill("CJ2026-0412")
    page.get_by_label("备用样品编号").fill("CJ2026-0412-B")
    page.get_by_label("商品名称").fill("儿童运动鞋 30码")
    page.get_by_label("商品链接").fill("https://shop.example.com/item/889900")
    page.get_by_label("订单号").fill("TB2026041200017")
    page.get_by_label("实付金额（元）").fill("89.00")
    page.get_by_label("购买日期").fill(today)
    page.get_by_label("收货日期").fill(today)
    page.get_by_label("封条编号").fill("FT-2026-0412")
    evidence = tmp_path / "listing.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n listing page")
    page.get_by_label("商品页面证据（截图或网页存档）").set_input_files(str(evidence))
    page.get_by_role("button", name="登记样品").click()
    expect(page.get_by_test_id("sample-status")).to_have_text("已购样")
    page.get_by_label("移交方").fill("陈执法")
    page.get_by_role("button", name="记录交接").click()
    expect(page.get_by_test_id("sample-status")).to_have_text("检验中")
    sample_url = page.url

    # The laboratory enters its report; the conclusion is computed from the items.
    sign_in_as(page, context, "lab")
    page.get_by_role("link", name="待检样品").first.click()
    page.get_by_role("link", name="CJ2026-0412").click()
    page.get_by_label("报告编号").fill("NAJY-2026-0412")
    page.get_by_label("检验日期").fill(today)
    page.get_by_label("项目 1", exact=True).fill("耐折性能")
    page.get_by_label("条款 1", exact=True).fill("5.1")
    page.get_by_label("实测值 1", exact=True).fill("无裂纹")
    page.get_by_label("标准要求 1", exact=True).fill("4万次无裂纹")
    page.get_by_label("判定 1", exact=True).select_option("pass")
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 signed report")
    page.get_by_label("签章报告（PDF）").set_input_files(str(report))
    page.get_by_role("button", name="提交检验报告").click()
    expect(page.locator(".messages")).to_contain_text("结论：合格")

    # The inspector serves the result (a pass is final) and publishes it.
    sign_in_as(page, context, "inspector")
    page.goto(sample_url)
    page.get_by_role("button", name="送达检验结果").click()
    expect(page.get_by_test_id("conclusion")).to_contain_text("合格")
    page.get_by_role("button", name="公示结果").click()
    expect(page.get_by_test_id("published")).to_be_visible()

    # A visitor reads the result and downloads the draw record, which verifies.
    context.clear_cookies()
    page.goto("/inspections/public/")
    page.get_by_role("link", name=PLAN).click()
    expect(page.locator("table.results")).to_contain_text("儿童运动鞋 30码")
    expect(page.locator("table.results")).to_contain_text("合格")
    expect(page.locator("body")).not_to_contain_text("TB2026041200017")
    with page.expect_download() as download:
        page.get_by_test_id("draw-download").click()
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert draw.verify(draw.record_from_dict(record)) is None
    assert SamplingPlan.objects.get().status == "in_progress"
    assert Sample.objects.get().publication.published_on is not None
    assert page_errors == []
