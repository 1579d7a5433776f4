"""An objection upheld and a repair granted change the grade as the pack says, through the pages."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from ecredit.accounts.models import Organisation, User
from ecredit.demo.data import ACCOUNTS
from tests.credit.procedures import two_failures
from tests.e2e.pages import log_in


def password(username: str) -> str:
    return next(a.password for a in ACCOUNTS if a.username == username)


def sign_in_as(page: Page, context: BrowserContext, username: str) -> None:
    context.clear_cookies()
    log_in(page, username, password(username))
    expect(page).to_have_url(re.compile(r"/accounts/dashboard/$"))


def test_it_upholds_an_objection_and_grants_a_repair_through_the_pages(
    page: Page, context: BrowserContext, page_errors: list[str]
) -> None:
    seller = User.objects.get(username="seller")
    case = two_failures(User.objects.get(username="credit"), User.objects.get(username="admin"), seller.organisation)
    assert case.evaluation.grade == "D"  # 80 - 15 - 15
    archive = f"/credit/entities/{case.entity_id}/"

    # The operator objects to the recent failed sample.
    sign_in_as(page, context, "seller")
    page.goto("/credit/mine/")
    page.locator(f'tr[data-event="{case.recent.pk}"]').get_by_role("link", name="提出异议").click()
    page.get_by_role("textbox", name="异议理由").fill("复检报告显示该批次样品合格，抽检结论有误")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".messages")).to_contain_text("已提出异议")
    expect(page.get_by_test_id("objection")).to_contain_text("待决定")

    # The officer upholds it: the event is withdrawn and the grade rises to C (80 - 15 = 65).
    sign_in_as(page, context, "credit")
    page.goto("/credit/procedures/objections/")
    page.locator("table.procedures tbody tr").first.get_by_role("link").first.click()
    page.get_by_label("异议成立（撤销该事件）").check()
    page.get_by_role("textbox", name="决定理由").fill("复检合格，异议成立")
    page.get_by_role("button", name="提交决定").click()
    expect(page).to_have_url(re.compile(re.escape(archive)))
    expect(page.get_by_test_id("grade")).to_have_text("C")
    expect(page.locator(f"#event-{case.recent.pk}")).to_have_attribute("data-status", "withdrawn")

    # The operator applies for repair of the old one (past the pack's six months).
    sign_in_as(page, context, "seller")
    page.goto("/credit/mine/")
    page.locator(f'tr[data-event="{case.old.pk}"]').get_by_role("link", name="申请信用修复").click()
    page.get_by_role("textbox", name="整改情况").fill("已下架问题批次，更换供应商，复检合格")
    page.get_by_role("button", name="提交修复申请").click()
    expect(page.get_by_test_id("repair")).to_contain_text("待决定")

    # The officer grants it: the event stops counting today and the grade is B again (80).
    sign_in_as(page, context, "credit")
    page.goto("/credit/procedures/repairs/")
    page.locator("table.procedures tbody tr").first.get_by_role("link").first.click()
    page.get_by_label("准予修复").check()
    page.get_by_role("textbox", name="决定理由").fill("整改到位，准予修复")
    page.get_by_role("button", name="提交决定").click()
    expect(page.get_by_test_id("grade")).to_have_text("B")
    expect(page.locator(f"#event-{case.old.pk}")).to_have_attribute("data-status", "repaired")  # still shown

    # The operator sees the outcome and its warning.
    sign_in_as(page, context, "seller")
    page.goto("/credit/procedures/mine/")
    expect(page.locator(".notices")).to_contain_text("准予修复")
    expect(page.get_by_test_id("warning").first).to_contain_text("D")
    assert page_errors == []
    assert isinstance(seller.organisation, Organisation)
