"""The registry's services, driven as the pages, the API and the CLI drive them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from ecredit.audit.models import AuditEntry
from ecredit.errors import DomainError, ErrorCode
from ecredit.registry import services
from ecredit.registry.models import Entity, FilingStatus, FilingVersion
from ecredit.registry.services import EntityData
from tests.cast import Cast
from tests.registry.helpers import (
    actor,
    approved_filing,
    filing_data,
    make_resident_id,
    make_uscc,
    register,
)

pytestmark = pytest.mark.django_db


def wrong_check(code: str) -> str:
    """The same code with a wrong check character (what some registered codes look like)."""
    return code[:17] + next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[17])


def test_it_accepts_a_letter_first_code_with_the_right_check_character(cast: Cast) -> None:
    code = make_uscc(first="Y1")
    with pytest.raises(Exception):  # noqa: B017 -- the gap being closed: stdnum alone refuses it
        stdnum_uscc.validate(code)
    entity = register(cast.credit_officer, "南安市石井镇渔业协会", kind="other_org", code=code)
    assert entity.uscc == code and entity.in_jurisdiction


def test_it_refuses_a_bad_check_character_unless_an_officer_records_a_reason(cast: Cast) -> None:
    code = wrong_check(make_uscc())
    with pytest.raises(DomainError) as refused:
        register(cast.credit_officer, code=code)
    assert refused.value.code is ErrorCode.VALIDATION
    assert "校验位" in refused.value.details["uscc"] and "信用管理员" in refused.value.details["uscc"]
    # An operator cannot override, even with a reason.
    data = EntityData(
        name="卖家甲", kind="legal_person", roles=["seller"], uscc=code, uscc_override_reason="营业执照原件核实"
    )
    with pytest.raises(DomainError) as operator_refused:
        services.register_entity(actor(cast.seller_a), data, organisation=cast.seller_a_org)
    assert "只有信用管理员" in operator_refused.value.details["uscc"]
    assert not Entity.objects.exists()
    entity = register(cast.credit_officer, code=code, uscc_override_reason="已核对营业执照原件，代码由登记机关核发")
    assert entity.uscc == code and entity.uscc_override_by.startswith("credit")
    override = AuditEntry.objects.get(action="registry.entity.uscc_override")
    assert override.changes["reason"][1] == "已核对营业执照原件，代码由登记机关核发"


def test_it_marks_an_entity_registered_outside_the_city_without_refusing_it(cast: Cast) -> None:
    entity = register(cast.credit_officer, "泉州鲤城某贸易有限公司", code=make_uscc("350502"))
    assert entity.in_jurisdiction is False and entity.division_code == "350502"
    assert services.check_code(entity.uscc or "").in_jurisdiction is False


def test_it_encrypts_a_natural_persons_id_and_shows_it_masked(cast: Cast) -> None:
    number = make_resident_id()
    person = register(cast.credit_officer, "张小梅", kind="natural_person", code=number, address="南安市溪美街道")
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id FROM registry_entity WHERE id = %s", [person.pk])
        (stored,) = cursor.fetchone()
    assert number not in stored and number[6:14] not in stored
    assert Entity.objects.get(pk=person.pk).resident_id == number
    assert person.resident_id_masked == number[:6] + "********" + number[-4:]
    assert person.code == person.resident_id_masked
    with pytest.raises(DomainError) as duplicate:
        register(cast.credit_officer, "张小梅", kind="natural_person", code=number)
    assert "已登记" in duplicate.value.details["resident_id"]
    assert list(services.search_entities(number)) == [person]


def test_it_reveals_a_full_id_only_to_officers_who_give_a_reason_and_audits_it(cast: Cast) -> None:
    number = make_resident_id()
    person = register(cast.credit_officer, "李大山", kind="natural_person", code=number)
    with pytest.raises(DomainError) as forbidden:
        services.reveal_identity(actor(cast.seller_a), person, "想看看")
    assert forbidden.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError):
        services.reveal_identity(actor(cast.inspector), person, "")
    assert not AuditEntry.objects.filter(action="registry.identity.reveal").exists()
    assert services.reveal_identity(actor(cast.inspector), person, "案件 NA-2026-001 核查") == number
    entry = AuditEntry.objects.get(action="registry.identity.reveal")
    assert entry.changes["reason"][1] == "案件 NA-2026-001 核查" and entry.actor_user_id == cast.inspector.pk
    assert number not in str(entry.changes)


def test_it_flags_natural_persons_who_must_register(cast: Cast) -> None:
    plain = register(cast.credit_officer, "王一", kind="natural_person")
    food = register(cast.credit_officer, "王二", kind="natural_person", sells_permit_goods=True)
    firm = register(cast.credit_officer, "王三", kind="natural_person", trades_in_enterprise_name=True)
    assert (plain.must_register, food.must_register, firm.must_register) == (False, True, True)


def test_it_finds_entities_by_name_code_domain_icp_and_shop_url(cast: Cast) -> None:
    tea = register(cast.credit_officer, "南安市向阳乡茶叶专业合作社", kind="other_org", organisation=cast.seller_a_org)
    approved_filing(cast.credit_officer, cast.seller_a, tea)
    platform = register(cast.credit_officer, "闽南优品平台", roles=("platform",))
    services.add_storefront(
        actor(cast.seller_a),
        tea,
        platform=platform,
        shop_name="向阳茶叶旗舰店",
        shop_url="https://shop.minnan-youpin.example.cn/store/8812",
        shop_id="8812",
    )
    other = register(cast.credit_officer, "南安市官桥镇石材有限公司")
    for query in (
        "向阳乡茶叶",
        "南安市　向阳乡 茶叶",  # an ideographic space and a half-width one
        "ＮＡＮＡＮ-WEIYU-EXAMPLE.CN",
        "www.nanan-weiyu-example.cn",
        tea.uscc or "",
        "闽ICP备2020021857号-1",
        "闽 ICP 备 2020021857 号",
        "shop.minnan-youpin.example.cn/store/8812/",
        "http://www.shop.minnan-youpin.example.cn/store/8812?from=search",
    ):
        found = list(services.search_entities(query))
        assert tea in found and other not in found, query


def test_it_runs_a_filing_from_draft_through_return_and_amendment_to_approval(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    owner, officer = actor(cast.seller_a), actor(cast.credit_officer)
    filing = services.create_filing(owner, entity, filing_data())
    assert filing.status == FilingStatus.DRAFT and filing.number.startswith(f"NA-{timezone.localdate().year}-")
    with pytest.raises(DomainError) as undeclared:
        services.submit_filing(owner, filing, declaration=False)
    assert "真实" in undeclared.value.message
    with pytest.raises(DomainError) as early:
        services.approve_filing(officer, filing)
    assert early.value.code is ErrorCode.CONFLICT
    filing = services.submit_filing(owner, filing, declaration=True)
    version = FilingVersion.objects.get(filing=filing, number=1)
    assert version.declared_by.startswith("seller_a") and version.declared_at is not None
    with pytest.raises(DomainError):
        services.update_draft(owner, filing, filing_data(contact_name="改了"))
    with pytest.raises(DomainError):
        services.return_filing(officer, filing, reasons="")
    filing = services.return_filing(officer, filing, reasons="ICP 备案号与工信部系统不一致，请核对")
    assert filing.status == FilingStatus.RETURNED
    with pytest.raises(DomainError):  # the returned version cannot be resubmitted unchanged
        services.submit_filing(owner, filing, declaration=True)
    changed = filing_data(contact_name="李主管")
    changed.websites[0]["icp_filing"] = "闽ICP备2020021858号-1"
    filing = services.amend_filing(owner, filing, changed)
    assert filing.status == FilingStatus.AMENDED and filing.versions.count() == 2
    services.submit_filing(owner, filing, declaration=True)
    filing = services.approve_filing(officer, filing)
    assert filing.status == FilingStatus.APPROVED and filing.approved_version.number == 2
    assert entity.websites.get().icp_filing == "闽ICP备2020021858号-1"
    differences = {name for name, left, right in services.compare_versions(filing, 1, 2) if left != right}
    assert differences == {"contact_name", "websites"}
    actions = list(
        AuditEntry.objects.filter(target_type="registry.filing").order_by("seq").values_list("action", flat=True)
    )
    assert actions == [
        "registry.filing.create",
        "registry.filing.submit",
        "registry.filing.return",
        "registry.filing.amend",
        "registry.filing.version",
        "registry.filing.submit",
        "registry.filing.approve",
    ]


def test_it_keeps_the_approved_version_in_force_while_an_amendment_is_reviewed(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    filing = approved_filing(cast.credit_officer, cast.seller_a, entity)
    badge = entity.badges.get()
    filing = services.amend_filing(actor(cast.seller_a), filing, filing_data(address="南安市水头镇"))
    assert filing.in_force and services.badge_status(badge).state == "valid"
    assert filing.approved_version.number == 1 and filing.current_version.number == 2


def test_it_refuses_bad_filing_items_with_a_reason_per_field(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    bad = filing_data(contact_phone="12345", contact_email="not-an-email")
    bad.websites[0].update(domain="com.cn", ip="300.1.1.1", icp_filing="沪ICP备12号")
    with pytest.raises(DomainError) as refused:
        services.create_filing(actor(cast.seller_a), entity, bad)
    assert set(refused.value.details) >= {
        "contact_phone",
        "contact_email",
        "websites.1.domain",
        "websites.1.ip",
        "websites.1.icp_filing",
    }
    assert not entity.__class__.objects.filter(filing__isnull=False).exists()


def test_it_lets_operators_act_only_for_their_own_entities(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    with pytest.raises(DomainError) as refused:
        services.create_filing(actor(cast.seller_b), entity, filing_data())
    assert refused.value.code is ErrorCode.FORBIDDEN
    data = EntityData(name="别人的公司", kind="legal_person", roles=["seller"], uscc=make_uscc())
    with pytest.raises(DomainError):
        services.register_entity(actor(cast.seller_b), data, organisation=cast.seller_a_org)
    own = services.register_entity(actor(cast.seller_b), data, organisation=cast.seller_b_org)
    assert own.organisation == cast.seller_b_org


def test_it_follows_the_filing_status_on_the_badge(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    filing = approved_filing(cast.credit_officer, cast.seller_a, entity)
    officer = actor(cast.credit_officer)
    token = services.badge_token(entity.badges.get())
    state = lambda: services.badge_status(services.resolve_badge(token)).state  # noqa: E731
    assert state() == "valid"
    services.suspend_filing(officer, filing, reason="抽检不合格，责令整改")
    assert state() == "suspended"
    services.reinstate_filing(officer, filing, reason="整改完成")
    assert state() == "valid"
    services.revoke_filing(officer, filing, reason="提供虚假备案信息")
    assert state() == "revoked" and entity.badges.get().revoked_at is not None


def test_it_treats_altered_and_unknown_tokens_as_no_badge(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    approved_filing(cast.credit_officer, cast.seller_a, entity)
    token = services.badge_token(entity.badges.get())
    public_id, signature = token.split(":")
    assert services.resolve_badge(token) is not None
    assert services.resolve_badge(public_id + "x:" + signature) is None
    assert services.resolve_badge(public_id) is None
    assert services.resolve_badge("1") is None
    assert services.resolve_badge("") is None


def test_it_starts_the_identity_retention_clock_at_deregistration(cast: Cast) -> None:
    person = register(cast.credit_officer, "陈小二", kind="natural_person", organisation=cast.seller_a_org)
    filing = approved_filing(cast.credit_officer, cast.seller_a, person)
    filing = services.deregister_filing(actor(cast.seller_a), filing, reason="停止网上经营", on=dt.date(2026, 2, 28))
    assert filing.status == FilingStatus.DEREGISTERED
    assert filing.retain_until == dt.date(2028, 2, 28)
    entry = AuditEntry.objects.get(action="registry.filing.retention")
    assert entry.changes["cites"][1] == ["12.2"]
    assert person.badges.get().revoked_at is not None


def test_it_numbers_filings_consecutively_within_a_year(cast: Cast) -> None:
    from django.db import transaction

    with transaction.atomic():
        first = services.next_filing_numbers(2, year=2027)
        second = services.next_filing_numbers(1, year=2027)
    assert first + second == ["NA-2027-000001", "NA-2027-000002", "NA-2027-000003"]


def test_it_shows_a_platform_the_storefronts_that_claim_to_be_on_it(cast: Cast) -> None:
    platform = register(cast.credit_officer, "闽南优品平台", roles=("platform",), organisation=cast.platform_org)
    shop = register(cast.credit_officer, organisation=cast.seller_a_org)
    not_platform = register(cast.credit_officer, "普通卖家")
    with pytest.raises(DomainError) as refused:
        services.add_storefront(
            actor(cast.seller_a),
            shop,
            platform=not_platform,
            shop_name="店",
            shop_url="https://a.example.cn/1",
            shop_id="1",
        )
    assert "不是登记的平台" in refused.value.details["platform"]
    services.add_storefront(
        actor(cast.seller_a),
        shop,
        platform=platform,
        shop_name="示例卫浴旗舰店",
        shop_url="https://mall.minnan-youpin.example.cn/shop/77",
        shop_id="77",
    )
    with pytest.raises(DomainError):  # the same shop id twice on one platform
        services.add_storefront(
            actor(cast.seller_a),
            shop,
            platform=platform,
            shop_name="又一家",
            shop_url="https://mall.minnan-youpin.example.cn/shop/77",
            shop_id="77",
        )
    seen = services.storefronts_on(actor(cast.platform_user), platform)
    assert [s.shop_name for s in seen] == ["示例卫浴旗舰店"]
    with pytest.raises(DomainError):
        services.storefronts_on(actor(cast.seller_b), platform)


def test_it_warns_about_permits_expired_or_about_to_expire(cast: Cast) -> None:
    entity = register(cast.credit_officer, "南安市美林街道食品有限公司", organisation=cast.seller_a_org)
    today = dt.date(2026, 11, 28)
    for number, until in (
        ("JY13505830001", dt.date(2026, 12, 10)),
        ("JY13505830002", dt.date(2026, 11, 1)),
        ("JY13505830003", dt.date(2027, 11, 1)),
    ):
        services.add_permit(
            actor(cast.seller_a),
            entity,
            kind="food_business",
            number=number,
            issuer="南安市市场监督管理局",
            valid_from=dt.date(2021, 11, 1),
            valid_until=until,
        )
    warnings = services.permit_warnings(today=today)
    assert [(w.permit.number, w.expired, w.days_left) for w in warnings] == [
        ("JY13505830002", True, -27),
        ("JY13505830001", False, 12),
    ]
    assert "已于 2026-11-01 过期" in warnings[0].message
    with pytest.raises(DomainError) as backwards:
        services.add_permit(
            actor(cast.seller_a),
            entity,
            kind="food_business",
            number="X1",
            issuer="某局",
            valid_from=dt.date(2026, 1, 2),
            valid_until=dt.date(2026, 1, 1),
        )
    assert "valid_until" in backwards.value.details


def test_it_names_a_field_that_is_too_long_instead_of_failing_in_the_database(cast: Cast) -> None:
    with pytest.raises(DomainError) as entity_refused:
        register(cast.credit_officer, address="南安" * 151)
    assert "不能超过 300 个字符" in entity_refused.value.details["address"]
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    long_site = filing_data(contact_name="王" * 61)
    long_site.websites[0]["isp"] = "电信" * 101
    with pytest.raises(DomainError) as refused:
        services.create_filing(actor(cast.seller_a), entity, long_site)
    assert set(refused.value.details) == {"contact_name", "websites.1.isp"}
