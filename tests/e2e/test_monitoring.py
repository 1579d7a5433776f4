"""Monitoring in a real browser: an officer uploads a batch with bad rows and sees every one named and
nothing applied; a clean batch raises findings; confirming one moves the seller's grade."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import User
from ecredit.accounts.services import actor_for_user
from ecredit.credit import services as credit
from ecredit.demo.data import ACCOUNTS
from ecredit.monitoring.models import Listing
from ecredit.registry import services as registry
from ecredit.registry.services import EntityData
from tests.credit.archive import extend
from tests.e2e.pages import log_in
from tests.monitoring.helpers import listing, write_csv
from tests.registry.helpers import make_uscc

PASSWORDS = {account.username: account.password for account in ACCOUNTS}
NAME = "南安市浏览器监测测试茶业有限公司"


def upload(page: Page, kind: str, batch_id: str, path: Path) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="上传数据").click()
    page.get_by_label("数据类型").select_option(kind)
    page.get_by_label("批次编号").fill(batch_id)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并校验").click()


def test_it_takes_an_officer_from_a_bad_batch_to_a_confirmed_finding(
    page: Page, page_errors: list[str], tmp_path: Path
) -> None:
    officer = User.objects.get(username="credit")
    code = make_uscc()
    entity = registry.register_entity(SYSTEM, EntityData(name=NAME, kind="legal_person", roles=["seller"], uscc=code))
    extend(User.objects.get(username="admin"), until=dt.date(2027, 12, 31))
    today = timezone.localdate()
    before = credit.evaluate_entity(actor_for_user(officer), entity, today)
    assert before.grade == "B"

    log_in(page, "credit", PASSWORDS["credit"])
    bad = write_csv(
        tmp_path / "bad.csv",
        "listings",
        [listing(code, "SP-1"), listing(code, "SP-2", name=""), listing("12345", "SP-3"), listing(code, "SP-1")],
    )
    upload(page, "listings", "E2E-BAD", bad)
    expect(page.get_by_test_id("batch-status")).to_have_text("有错误，未导入")
    expect(page.get_by_test_id("batch-summary")).to_contain_text("共 3 处错误，未导入任何数据。")
    problems = page.get_by_test_id("batch-problems").locator("tbody tr")
    expect(problems).to_have_count(3)
    expect(problems.nth(0)).to_contain_text("3商品名称必填，不能为空")
    expect(problems.nth(1)).to_contain_text("经营者代码")
    expect(problems.nth(2)).to_contain_text("“SP-1”在本文件中重复")
    assert Listing.objects.count() == 0

    clean = write_csv(
        tmp_path / "clean.csv",
        "listings",
        [listing(code, "SP-1"), listing(code, "SP-2", description="精选高 仿名牌包装，原单品质")],
    )
    upload(page, "listings", "E2E-CLEAN", clean)
    expect(page.get_by_test_id("batch-status")).to_have_text("已导入")
    page.get_by_role("link", name="查看发现的问题").click()
    rows = page.get_by_test_id("findings").locator("tbody tr")
    expect(rows).to_have_count(2)
    rows.filter(has_text="高仿").get_by_role("link").click()
    expect(page.get_by_test_id("finding-text").locator("mark")).to_have_text("高 仿")
    page.get_by_role("button", name="确认并记录信用事件").click()
    expect(page.get_by_text("已确认，并记录信用事件")).to_be_visible()
    expect(page.get_by_test_id("finding-status")).to_have_text("已确认")

    page.get_by_role("link", name="信用档案", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    page.get_by_label("评价日期").fill(today.isoformat())
    page.get_by_role("button", name="评价该主体").click()
    expect(page.get_by_test_id("grade")).to_have_text("D")
    assert page_errors == []
