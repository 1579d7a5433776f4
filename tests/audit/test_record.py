"""Appending to the chain through services, reading it back, and refusing every edit."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.roles import OrgKind
from ecredit.audit import services as audit
from ecredit.audit.models import AuditEntry, ImmutableError
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def run_verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_it_records_who_did_what_to_which_object_with_before_and_after(cast: Cast) -> None:
    entry = AuditEntry.objects.get(action="accounts.user.create", target_id=str(cast.seller_a.pk))
    assert entry.actor_label == "系统"
    assert entry.target_type == "accounts.user"
    assert entry.changes["username"] == [None, "seller_a"]
    assert entry.changes["roles"] == [None, ["operator_user"]]
    assert len(entry.entry_hash) == 64 and entry.prev_hash != entry.entry_hash


def test_it_rolls_back_the_entry_with_the_change() -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        accounts.create_organisation(actor=SYSTEM, name="临时机构", kind=OrgKind.DEPARTMENT)
        raise RuntimeError("the caller fails after the change")
    assert AuditEntry.objects.count() == before
    assert run_verify()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_record_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside transaction"):
        audit.record(actor=SYSTEM, action="test.outside")
    assert not AuditEntry.objects.filter(action="test.outside").exists()


def test_it_reports_an_intact_chain(cast: Cast) -> None:
    code, out, _err = run_verify()
    count = AuditEntry.objects.count()
    assert code == 0 and out.strip() == f"audit chain OK: {count} entries" and count >= 13


def test_it_names_the_first_tampered_entry(cast: Cast) -> None:
    victim = AuditEntry.objects.order_by("seq")[4]
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:  # what someone with database access could do
        cursor.execute(f"UPDATE {table} SET actor_label = %s WHERE seq = %s", ["someone else", victim.seq])  # noqa: S608
    code, _out, err = run_verify()
    assert code == 1
    assert f"#{victim.seq}" in err and "内容哈希不符" in err


def test_it_finds_a_deleted_last_entry(cast: Cast) -> None:
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = %s", [last.seq])  # noqa: S608
    code, _out, err = run_verify()
    assert code == 1 and "末尾条目被删除" in err


def test_it_refuses_edits_and_deletes_through_the_orm(cast: Cast) -> None:
    entry = AuditEntry.objects.order_by("seq").first()
    assert entry is not None
    entry.actor_label = "changed"
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    with pytest.raises(ImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="changed")
    with pytest.raises(ImmutableError):
        AuditEntry.objects.all().delete()
    assert run_verify()[0] == 0


def test_it_offers_no_way_to_edit_entries_in_the_admin_or_the_api(cast: Cast) -> None:
    entry = AuditEntry.objects.order_by("seq").first()
    assert entry is not None
    admin = cast.client_for(cast.admin)
    base = f"/admin/audit/auditentry/{entry.pk}"
    assert admin.get(f"{base}/change/").status_code == 200  # may look
    assert admin.post(f"{base}/change/", {"actor_label": "x"}).status_code == 403
    assert admin.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert admin.post("/admin/audit/auditentry/add/", {}).status_code == 403
    assert admin.post(
        "/admin/audit/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk]}
    ).status_code in (200, 302)
    auditor = cast.client_for(cast.auditor)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(auditor, method)("/api/v1/audit/entries")
        assert response.status_code == 405
    assert AuditEntry.objects.get(pk=entry.pk).actor_label == entry.actor_label
    assert run_verify()[0] == 0
