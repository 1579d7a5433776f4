"""Signing in and out in a real browser: each demo account reaches its own dashboard and menu."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from ecredit.accounts.roles import Role
from ecredit.demo.data import ACCOUNTS, DemoAccount
from tests.e2e.pages import log_in

# The heading of each role's panel (templates/accounts/dashboards/<role>.html).
PANEL_HEADINGS: dict[Role, str] = {
    Role.CREDIT_OFFICER: "信用管理工作台",
    Role.INSPECTOR: "执法检查工作台",
    Role.DEPARTMENT_OFFICER: "部门协同工作台",
    Role.LAB_ANALYST: "检验工作台",
    Role.ASSOCIATION_OFFICER: "行业协会工作台",
    Role.OPERATOR_USER: "经营者工作台",
    Role.DEPARTMENT_HEAD: "部门负责人工作台",
    Role.PLATFORM_SYSTEM: "平台数据对接",
    Role.AUDITOR: "审计工作台",
    Role.ADMIN: "系统管理工作台",
}

# The main menu each demo account should see, in order: only what its roles may use.
MENUS: dict[str, list[str]] = {
    "credit": [
        "工作台",
        "经营主体",
        "备案审核",
        "批量导入",
        "信用档案",
        "异议与修复",
        "监测发现",
        "数据批次",
        "上传数据",
        "投诉与事故",
    ],
    "inspector": ["工作台", "经营主体", "信用档案", "监测发现", "数据批次", "上传数据", "投诉与事故"],
    "chief": ["工作台", "经营主体", "信用档案", "监测发现", "数据批次", "投诉与事故"],
    "dept": ["工作台", "经营主体", "信用档案", "监测发现", "数据批次", "投诉与事故"],
    "lab": ["工作台"],
    "assoc": ["工作台"],
    "seller": ["工作台", "我的备案", "我的信用", "投诉与事故报告", "API 令牌"],
    "platform": ["工作台", "我的备案", "我的信用", "上传数据", "投诉与事故报告", "API 令牌"],
    "auditor": ["工作台", "经营主体", "信用档案", "监测发现", "数据批次", "投诉与事故", "审计日志"],
    "admin": ["工作台", "经营主体", "批量导入", "信用档案", "审计日志", "API 令牌", "后台管理"],
}

HOME_HEADING = "网销商品质量安全信用评价系统"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def account(username: str) -> DemoAccount:
    return next(a for a in ACCOUNTS if a.username == username)


def main_menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="主导航")


@pytest.mark.parametrize("demo_account", ACCOUNTS, ids=lambda a: a.username)
def test_it_takes_each_demo_account_to_its_own_dashboard_and_menu(page: Page, demo_account: DemoAccount) -> None:
    log_in(page, demo_account.username, demo_account.password)

    expect(page).to_have_url(re.compile(r"/accounts/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.get_by_role("banner")).to_contain_text(demo_account.display_name)
    for role in demo_account.roles:
        panel = page.locator(f'section[data-role="{role.value}"]')
        expect(panel).to_be_visible()
        expect(panel.get_by_role("heading", level=2)).to_have_text(PANEL_HEADINGS[role])
    expect(page.locator("section[data-role]")).to_have_count(len(demo_account.roles))
    expect(main_menu(page).get_by_role("link")).to_have_text(MENUS[demo_account.username])


def test_it_styles_the_dashboard_with_the_site_stylesheet(page: Page) -> None:
    admin = account("admin")
    with page.expect_response(re.compile(r"/static/ecredit/site\.css$")) as stylesheet:
        log_in(page, admin.username, admin.password)
    assert stylesheet.value.status == 200
    expect(page).to_have_url(re.compile(r"/accounts/dashboard/$"))
    expect(page.get_by_role("banner")).to_have_css("background-color", "rgb(11, 79, 138)")


def test_it_shows_the_dashboard_without_errors_in_the_browser(page: Page, page_errors: list[str]) -> None:
    admin = account("admin")
    log_in(page, admin.username, admin.password)
    expect(page).to_have_url(re.compile(r"/accounts/dashboard/$"))
    page.wait_for_load_state("load")
    assert page_errors == []


def test_it_shows_the_auditor_the_audit_log_and_the_seller_not(page: Page) -> None:
    auditor, seller = account("auditor"), account("seller")
    log_in(page, auditor.username, auditor.password)
    main_menu(page).get_by_role("link", name="审计日志").click()
    expect(page).to_have_url(re.compile(r"/audit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADING)

    log_in(page, seller.username, seller.password)
    expect(page).to_have_url(re.compile(r"/accounts/dashboard/$"))
    expect(main_menu(page).get_by_role("link", name="审计日志")).to_have_count(0)
    response = page.goto("/audit/")  # typing the address does not get round the menu
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("无权访问")


def test_it_keeps_a_wrong_password_on_the_login_page_with_a_chinese_error(page: Page) -> None:
    credit = account("credit")
    log_in(page, credit.username, credit.password + "-wrong")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_have_text("请输入一个正确的用户名和密码。注意，两者都区分大小写。")
    expect(page.get_by_label("用户名", exact=True)).to_have_value(credit.username)
    page.goto("/accounts/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/dashboard/$"))


def test_it_logs_out_to_the_home_page_and_locks_the_dashboard_again(page: Page) -> None:
    credit = account("credit")
    log_in(page, credit.username, credit.password)
    expect(page).to_have_url(re.compile(r"/accounts/dashboard/$"))

    page.get_by_role("button", name="退出登录").click()

    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADING)
    expect(page.get_by_role("banner").get_by_role("link", name="登录", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)
    page.goto("/accounts/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")


def english(chinese: str) -> str:
    """The English the site shows for a Chinese source string (from the compiled catalogue)."""
    with translation.override("en"):
        text = translation.gettext(chinese)
    assert not CJK.search(text), f"{chinese!r} 没有英文译文：请运行 `make messages` / no English: run `make messages`"
    return text


def test_it_switches_the_site_to_english_and_back_from_the_header(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADING)

    page.get_by_role("banner").get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(english(HOME_HEADING))
    expect(page.get_by_role("banner").get_by_role("link", name=english("登录"), exact=True)).to_be_visible()
    for region in (page.get_by_role("main"), page.get_by_role("contentinfo")):
        text = region.inner_text()
        assert not CJK.search(text), f"untranslated Chinese on the English home page: {text!r}"

    page.get_by_role("banner").get_by_role("button", name="中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADING)
