"""`ecredit accounts`: what an administrator with shell access uses to set up a deployment."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from ecredit.accounts.models import Organisation, User
from ecredit.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("accounts", *args, stdout=out)
    return out.getvalue()


def test_it_sets_up_an_organisation_and_a_user_and_audits_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEW_PASSWORD", "Long-enough-2026")
    assert "已创建机构" in run("create-org", "南安市商务局", "commerce_bureau")
    assert "已创建用户" in run(
        "create-user", "lin", "--org", "南安市商务局", "--role", "credit_officer", "--password-env", "NEW_PASSWORD"
    )
    user = User.objects.get(username="lin")
    assert user.check_password("Long-enough-2026") and user.organisation == Organisation.objects.get()
    assert run("set-roles", "lin", "--role", "credit_officer", "--role", "auditor").startswith("已更新角色")
    assert "lin" in run("list")
    labels = set(AuditEntry.objects.values_list("actor_label", flat=True))
    assert labels == {
        "命令行：ecredit accounts create-org",
        "命令行：ecredit accounts create-user",
        "命令行：ecredit accounts set-roles",
    }


def test_it_refuses_bad_input_with_a_message_and_exit_code_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEW_PASSWORD", "short")
    run("create-org", "卖家甲", "operator")
    with pytest.raises(CommandError, match="未找到机构") as missing:
        run("create-user", "x", "--org", "没有这个机构", "--role", "operator_user", "--password-env", "NEW_PASSWORD")
    assert missing.value.returncode == 2
    with pytest.raises(CommandError, match="密码太短"):
        run("create-user", "x", "--org", "卖家甲", "--role", "operator_user", "--password-env", "NEW_PASSWORD")
    with pytest.raises(CommandError, match="不能授予"):
        run("create-user", "y", "--org", "卖家甲", "--role", "admin", "--password-env", "NEW_PASSWORD")
    assert not User.objects.exists()
