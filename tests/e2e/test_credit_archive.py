"""The credit archive in a real browser: an officer opens an entity's archive (grade, reasons with the
article on hover, history chart, events), records an event and re-evaluates on a day that rests on an
extension of the pack; a shopper then finds the entity's public credit page, which says so."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from ecredit.accounts.models import User
from ecredit.credit.models import CreditEvent
from ecredit.demo.data import ACCOUNTS
from ecredit.policy.packs import active_pack
from tests.credit.archive import BEYOND, event, extend, history, shop
from tests.e2e.pages import log_in

PASSWORDS = {account.username: account.password for account in ACCOUNTS}
NAME = "南安市诗山镇浏览器信用测试茶叶有限公司"


def test_it_takes_an_officer_through_the_archive_and_a_shopper_to_the_public_page(
    page: Page, page_errors: list[str], browser: Browser, live_server: LiveServer
) -> None:
    officer = User.objects.get(username="credit")
    entity = shop(officer, None, NAME)
    history(officer, entity)  # 85 (B) on 2024-04-30, 67 (C) on 2025-03-30
    extend(User.objects.get(username="admin"))

    log_in(page, "credit", PASSWORDS["credit"])
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="信用档案").click()
    expect(page.get_by_test_id("grade-distribution").locator('tr[data-grade="C"] td').first).to_have_text("1")
    page.get_by_role("textbox", name="搜索").fill("浏览器信用测试")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name=NAME).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_test_id("grade")).to_have_text("C")
    expect(page.get_by_test_id("scheme-notice")).to_have_text(active_pack().scale.notice)
    cite = page.locator('tr[data-indicator="quality.sample_failed"] abbr[data-ref="10.2"]')
    expect(cite).to_have_text("第十条第（二）项")
    expect(cite).to_have_attribute("title", active_pack().articles["10.2"].text)
    chart = page.locator("svg#grade-history")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(2)

    # Record a training (a positive indicator) through the form.
    page.get_by_label("指标").select_option("quality.training")
    page.get_by_label("发生日期").fill("2026-10-15")
    page.get_by_label(re.compile(r"^来源\W?$")).select_option("association")
    page.get_by_label("来源编号").fill("PX-2026-015")
    page.get_by_role("button", name="记录事件").click()
    expect(page.get_by_text("已记录信用事件")).to_be_visible()
    recorded = CreditEvent.objects.get(entity=entity, indicator="quality.training")
    expect(page.locator(f"#event-{recorded.pk}")).to_contain_text("参加质量安全培训")

    # Evaluate on a day past the pack's period: it rests on the recorded extension, and says so.
    page.get_by_label("评价日期").fill(BEYOND.isoformat())
    page.get_by_role("button", name="评价该主体").click()
    expect(page.get_by_test_id("extension-note")).to_contain_text("延期")
    expect(page.get_by_test_id("grade")).to_have_text("A")
    expect(chart.locator("circle")).to_have_count(3)
    expect(chart.locator(f'circle[data-day="{BEYOND.isoformat()}"]')).to_have_attribute("fill", "#ffffff")

    shopper = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    shopper.on("pageerror", lambda exc: page_errors.append(f"shopper pageerror: {exc}"))
    shopper.on("console", lambda msg: msg.type == "error" and page_errors.append(f"shopper console: {msg.text}"))
    shopper.goto("/")
    shopper.get_by_label("经营者名称或统一社会信用代码").fill("诗山镇浏览器")
    shopper.get_by_role("button", name="查询").click()
    shopper.get_by_role("link", name=NAME).click()
    expect(shopper.get_by_test_id("public-grade")).to_contain_text("A")
    expect(shopper.get_by_test_id("public-grade")).to_contain_text(f"评价日期 {BEYOND.isoformat()}")
    expect(shopper.get_by_test_id("extension-note")).to_contain_text("有效期为 2023-03-31 至 2025-03-30")
    expect(shopper.get_by_test_id("scheme-notice")).to_have_text(active_pack().scale.notice)
    expect(shopper.get_by_text("CJ-2024-031")).to_have_count(0)
    shopper.context.close()

    # A later failed sample shows on the archive once recorded (no evaluation yet: the grade stays).
    event(officer, entity, "quality.sample_failed", dt.date(2026, 11, 1), "CJ-2026-200")
    page.reload()
    expect(page.get_by_text("CJ-2026-200")).to_be_visible()
    assert page_errors == []
