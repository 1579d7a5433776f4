"""Electronic evidence in a real browser: an inspector fixes a page of this very site (the capture
runs in the task worker, the page shows its status), uploads an e-mail, exports a bundle, and a
member of the public verifies it on the public page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from ecredit.demo.data import ACCOUNTS
from tests.e2e.pages import log_in
from tests.evidence.helpers import make_eml

PASSWORDS = {account.username: account.password for account in ACCOUNTS}


@pytest.fixture(autouse=True)
def _media_and_switch(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("ECREDIT_CAPTURE_ALLOW_PRIVATE", "1")  # the live server listens on loopback


def test_it_captures_uploads_exports_and_verifies(
    page: Page, page_errors: list[str], browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    log_in(page, "inspector", PASSWORDS["inspector"])
    page.get_by_role("link", name="电子证据").first.click()
    page.get_by_role("link", name="固定网页").click()
    page.get_by_label("网址").fill(live_server.url + "/evidence/verify")
    page.get_by_label("案件编号").fill("南市监案〔2026〕21号")
    page.get_by_role("button", name="开始固定").click()
    expect(page.get_by_test_id("evidence-status")).to_have_attribute("data-status", "queued")

    call_command("db_worker", "--batch", "--no-startup-delay")  # the worker beside the web server
    # The page polls its status and reloads itself once the capture is stored.
    expect(page.get_by_test_id("evidence-status")).to_have_attribute("data-status", "ready", timeout=10_000)
    expect(page.get_by_role("link", name="screenshot.png")).to_be_visible()
    expect(page.get_by_role("link", name="capture.wacz")).to_be_visible()
    expect(page.get_by_test_id("custody")).to_contain_text("固定")

    # An e-mail the seller sent, uploaded as evidence.
    page.get_by_role("link", name="电子证据").first.click()
    page.get_by_role("link", name="上传电子数据").click()
    page.get_by_label("证据类型").select_option("email")
    page.get_by_label("证据名称").fill("卖家承诺邮件")
    page.get_by_label("文件").set_input_files(
        files=[{"name": "承诺.eml", "mimeType": "message/rfc822", "buffer": make_eml()}]
    )
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("shop@seller-a.example")).to_be_visible()
    expect(page.get_by_text("发票.pdf")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出证据包").click()
    bundle = tmp_path / "bundle.zip"
    download_info.value.save_as(bundle)

    public = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    public.goto("/evidence/verify")
    public.get_by_label("证据包（ZIP）").set_input_files(bundle)
    public.get_by_role("button", name="核验").click()
    expect(public.get_by_test_id("verify-result")).to_have_attribute("data-ok", "true")
    expect(public.get_by_test_id("verify-result")).to_contain_text("evidence verified")
    assert page_errors == []
