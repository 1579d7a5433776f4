"""What a person does on the site, step by step (shared by the end-to-end tests)."""

from __future__ import annotations

from playwright.sync_api import Page


def log_in(page: Page, username: str, password: str) -> None:
    """Open the login page, fill the two labelled fields, press 登录."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
