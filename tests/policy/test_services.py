"""``policy/services.py``: a day past the pack's period (Art. 25) is refused unless a system
administrator records an extension; a result resting on one says so."""

from __future__ import annotations

import datetime as dt

import pytest

from ecredit.accounts.services import actor_for_user
from ecredit.audit.models import AuditEntry
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy import services
from ecredit.policy.models import PackExtension
from ecredit.policy.packs import load_pack
from tests.cast import Cast
from tests.policy.helpers import PACK_ID

REASON = "南安市商务局通知：试行期延长至新制度出台（南商务〔2025〕12号）"


def test_it_covers_a_day_in_force_without_an_extension(db: None) -> None:
    coverage = services.coverage_for(load_pack(PACK_ID), dt.date(2025, 3, 30))
    assert coverage.extension is None and coverage.note == "" and not coverage.extended
    assert services.pick_pack(dt.date(2023, 3, 31)).pack.id == PACK_ID


def test_it_refuses_a_day_after_the_period_without_an_extension(db: None) -> None:
    with pytest.raises(DomainError) as caught:
        services.coverage_for(load_pack(PACK_ID), dt.date(2025, 3, 31))
    assert caught.value.code is ErrorCode.CONFLICT
    assert "2025-03-31 超出政策包有效期（2023-03-31 至 2025-03-30）" in caught.value.message
    with pytest.raises(DomainError):
        services.pick_pack(dt.date(2025, 3, 31))


def test_it_refuses_a_non_admin_and_writes_nothing(cast: Cast) -> None:
    for user in (cast.credit_officer, cast.inspector, cast.auditor, cast.seller_a):
        with pytest.raises(DomainError) as caught:
            services.record_extension(actor_for_user(user), PACK_ID, until=dt.date(2026, 12, 31), reason=REASON)
        assert caught.value.code is ErrorCode.FORBIDDEN
    assert not PackExtension.objects.exists()
    assert not AuditEntry.objects.filter(action="policy.extension.record").exists()


def test_it_refuses_a_short_reason_or_an_end_inside_the_period(cast: Cast) -> None:
    admin = actor_for_user(cast.admin)
    with pytest.raises(DomainError) as caught:
        services.record_extension(admin, PACK_ID, until=dt.date(2026, 12, 31), reason="  延期一年  ")
    assert caught.value.code is ErrorCode.VALIDATION and "reason" in caught.value.details
    with pytest.raises(DomainError) as caught:
        services.record_extension(admin, PACK_ID, until=dt.date(2025, 3, 30), reason=REASON)
    assert caught.value.details == {"until": "延期截止日须晚于政策包有效期截止日 2025-03-30（第二十五条）。"}
    with pytest.raises(DomainError) as caught:
        services.record_extension(admin, "no-such-pack", until=dt.date(2026, 12, 31), reason=REASON)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert not PackExtension.objects.exists()


def test_it_records_an_audited_extension_that_results_must_mention(cast: Cast) -> None:
    extension = services.record_extension(
        actor_for_user(cast.admin), PACK_ID, until=dt.date(2026, 12, 31), reason=REASON
    )
    assert (extension.pack_id, extension.until, extension.user_id) == (PACK_ID, dt.date(2026, 12, 31), cast.admin.pk)
    assert extension.recorded_by == "admin（admin）"
    entry = AuditEntry.objects.get(action="policy.extension.record")
    assert entry.actor_user_id == cast.admin.pk and entry.target_id == str(extension.pk)
    assert entry.changes["until"] == [None, "2026-12-31"] and entry.changes["reason"] == [None, REASON]
    assert entry.changes["pack_sha256"][1] == load_pack(PACK_ID).sha256

    coverage = services.coverage_for(load_pack(PACK_ID), dt.date(2026, 12, 31))
    assert coverage.extension == extension
    assert "本结果依据系统管理员 admin（admin）于" in coverage.note
    assert f"记录的延期（至 2026-12-31，理由：{REASON}）" in coverage.note
    assert "有效期为 2023-03-31 至 2025-03-30" in coverage.note
    assert services.pick_pack(dt.date(2025, 6, 1)).extension == extension
    assert services.pick_pack(dt.date(2024, 6, 1)).extension is None  # in force: rests on nothing


def test_it_extends_only_forward_and_only_until_the_recorded_day(cast: Cast) -> None:
    services.record_extension(actor_for_user(cast.admin), PACK_ID, until=dt.date(2025, 12, 31), reason=REASON)
    pack = load_pack(PACK_ID)
    for day in (dt.date(2026, 1, 1), dt.date(2023, 3, 30)):
        with pytest.raises(DomainError) as caught:
            services.coverage_for(pack, day)
        assert caught.value.code is ErrorCode.CONFLICT


def test_it_rests_on_the_latest_extension_covering_the_day(cast: Cast) -> None:
    admin = actor_for_user(cast.admin)
    services.record_extension(admin, PACK_ID, until=dt.date(2025, 12, 31), reason=REASON)
    later = services.record_extension(admin, PACK_ID, until=dt.date(2026, 6, 30), reason=REASON + "（再次延长）")
    assert services.coverage_for(load_pack(PACK_ID), dt.date(2025, 7, 1)).extension == later
    assert [e.pk for e in services.extensions(PACK_ID)] == [later.pk, later.pk - 1]
