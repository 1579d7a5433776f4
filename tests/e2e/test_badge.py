"""The licence badge's round trip in a real browser: an operator files, an officer approves, a
shopper verifies the badge, the officer revokes the filing, and the shopper's page says so."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer
from stdnum.cn import uscc

from ecredit.demo.data import ACCOUNTS
from tests.e2e.pages import log_in

PASSWORDS = {account.username: account.password for account in ACCOUNTS}
BASE = "91350583MA8RT2026"
CODE = BASE + uscc.calc_check_digit(BASE)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="退出登录").click()


def test_it_takes_a_badge_from_approval_to_revocation(
    page: Page, page_errors: list[str], browser: Browser, live_server: LiveServer, context: BrowserContext
) -> None:
    log_in(page, "seller", PASSWORDS["seller"])
    page.get_by_role("link", name="我的备案").first.click()
    page.get_by_role("link", name="登记经营主体").click()
    page.get_by_label("名称").fill("南安市霞美镇浏览器测试鞋业有限公司")
    page.get_by_label("主体类型").select_option("legal_person")
    page.get_by_label("统一社会信用代码").fill(CODE)
    page.get_by_role("button", name="登记").click()

    # The filing form: Art. 8 items, with one website.
    expect(page.get_by_role("heading", name="备案登记")).to_be_visible()
    page.get_by_label("联系电话").fill("0595-86381234")
    page.get_by_label("网站名称").fill("浏览器测试鞋业商城")
    page.get_by_label("网站域名").fill("xiamei-shoes-e2e.cn")
    page.get_by_label("ICP备案号").fill("闽ICP备 2026000001号-1")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("备案信息已保存")).to_be_visible()
    page.get_by_label("本单位承诺以上备案信息真实").check()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交审核")).to_be_visible()
    log_out(page)

    log_in(page, "credit", PASSWORDS["credit"])
    page.get_by_role("link", name="备案审核").first.click()
    page.get_by_role("row").filter(has_text="浏览器测试鞋业").get_by_role("link").click()
    page.get_by_label("审核结果").select_option("approve")
    page.get_by_role("button", name="提交审核结果").click()
    expect(page.get_by_text("电子链接标识已生效")).to_be_visible()
    page.get_by_role("link", name="南安市霞美镇浏览器测试鞋业有限公司").click()
    badge_path = page.get_by_test_id("badge-link").get_attribute("href")
    assert badge_path and badge_path.startswith("/verify/")

    shopper = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    shopper.goto(badge_path)
    expect(shopper.get_by_test_id("badge-state")).to_have_attribute("data-state", "valid")
    expect(shopper.get_by_text(CODE)).to_be_visible()
    badge_image = shopper.request.get(live_server.url + badge_path + "badge.svg")
    assert "有效" in badge_image.text()

    page.get_by_label("操作").select_option("revoke")
    page.get_by_label("理由").fill("经核查备案信息不实")
    page.get_by_role("button", name="执行").click()
    expect(page.get_by_text("已撤销").first).to_be_visible()

    shopper.reload()
    expect(shopper.get_by_test_id("badge-state")).to_have_attribute("data-state", "revoked")
    assert "已撤销" in shopper.request.get(live_server.url + badge_path + "badge.svg").text()

    shopper.goto(badge_path[:-3] + "xx/")
    expect(shopper.get_by_role("heading", name="这不是有效的 ecredit 电子链接标识")).to_be_visible()
    shopper.context.close()
    assert page_errors == []
