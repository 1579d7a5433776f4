"""The registry pages as officers, operators and the public use them (Django's test client)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ecredit.audit.models import AuditEntry
from ecredit.credit import services as credit
from ecredit.policy import services as policy
from ecredit.policy.packs import active_pack
from ecredit.registry import services
from ecredit.registry.models import Entity, Filing, FilingStatus
from tests.cast import Cast
from tests.registry.helpers import actor, approved_filing, make_resident_id, make_uscc, register

pytestmark = pytest.mark.django_db


def filing_post(**changes: str) -> dict[str, str]:
    data = {
        "subject_name": "南安市示例鞋业有限公司",
        "subject_kind": "legal_person",
        "contact_name": "陈经理",
        "contact_phone": "13905951234",
        "contact_email": "shoes@example.cn",
        "address": "南安市霞美镇",
        "other_items": "经营范围：鞋服批发零售",
        "websites-TOTAL_FORMS": "1",
        "websites-INITIAL_FORMS": "0",
        "websites-MIN_NUM_FORMS": "0",
        "websites-MAX_NUM_FORMS": "10",
        "websites-0-name": "示例鞋业商城",
        "websites-0-domain": "https://shoes.nanan-example.cn/",
        "websites-0-ip": "120.41.8.10",
        "websites-0-kind": "own_shop",
        "websites-0-icp_filing": "闽ICP备2021012345号-2",
        "websites-0-icp_licence": "",
        "websites-0-isp": "阿里云计算有限公司",
        "websites-0-server_room": "杭州",
    }
    data.update(changes)
    return data


def test_it_takes_an_operator_from_registration_to_an_approved_filing_with_a_badge(cast: Cast) -> None:
    operator = cast.client_for(cast.seller_a)
    code = make_uscc()
    response = operator.post(
        reverse("registry:mine_new"),
        {"name": "南安市示例鞋业有限公司", "kind": "legal_person", "roles": ["seller"], "uscc": code},
    )
    entity = Entity.objects.get(uscc=code)
    assert response.status_code == 302 and entity.organisation == cast.seller_a_org
    # A bad domain is named next to its field; nothing is saved.
    response = operator.post(
        reverse("registry:mine_filing", args=[entity.pk]), filing_post(**{"websites-0-domain": "com.cn"})
    )
    assert response.status_code == 400 and not Filing.objects.exists()
    assert "com.cn" in response.content.decode() or "公共后缀" in response.content.decode()
    response = operator.post(reverse("registry:mine_filing", args=[entity.pk]), filing_post())
    assert response.status_code == 302
    filing = Filing.objects.get(entity=entity)
    assert filing.current_version.websites[0]["domain"] == "shoes.nanan-example.cn"
    assert filing.current_version.other_items == {"经营范围": "鞋服批发零售"}
    page = operator.get(reverse("registry:mine_entity", args=[entity.pk])).content.decode()
    assert "提交审核" in page and "139****1234" not in page  # the phone is not on this page at all
    operator.post(reverse("registry:mine_submit", args=[entity.pk]), {})
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.DRAFT  # no declaration, no submission
    operator.post(reverse("registry:mine_submit", args=[entity.pk]), {"declaration": "on"})
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.SUBMITTED

    officer = cast.client_for(cast.credit_officer)
    queue = officer.get(reverse("registry:queue")).content.decode()
    assert filing.number in queue
    response = officer.post(reverse("registry:filing_review", args=[filing.pk]), {"decision": "return", "reasons": ""})
    assert response.status_code == 400 and "理由" in response.content.decode()
    officer.post(reverse("registry:filing_review", args=[filing.pk]), {"decision": "approve", "reasons": ""})
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.APPROVED

    page = operator.get(reverse("registry:mine_entity", args=[entity.pk])).content.decode()
    link = re.search(r'href="(/verify/[^"]+/)" data-testid="badge-link"', page)
    assert link is not None and "&lt;img src=" in page  # the copy-paste snippet
    public = cast.client_for(cast.seller_b)
    public.logout()
    verify = public.get(link.group(1))
    body = verify.content.decode()
    assert verify.status_code == 200 and 'data-state="valid"' in body and filing.number in body and code in body
    assert "13905951234" not in body and "shoes@example.cn" not in body and "陈经理" not in body
    svg = public.get(link.group(1) + "badge.svg")
    assert svg["Content-Type"] == "image/svg+xml" and "有效" in svg.content.decode()
    qr = public.get(link.group(1) + "qr.svg")
    assert qr.status_code == 200 and qr.content.startswith(b"<svg")

    officer.post(reverse("registry:filing_status", args=[filing.pk]), {"action": "revoke", "reason": "虚假备案信息"})
    body = public.get(link.group(1)).content.decode()
    assert 'data-state="revoked"' in body
    assert "已撤销" in public.get(link.group(1) + "badge.svg").content.decode()


def test_it_answers_an_altered_badge_address_with_a_clear_404(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    approved_filing(cast.credit_officer, cast.seller_a, entity)
    token = services.badge_token(entity.badges.get())
    client = cast.client_for(cast.seller_b)
    client.logout()
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "not-a-token", token.split(":")[0]):
        response = client.get(reverse("verify", args=[bad]))
        assert response.status_code == 404
        assert "不是有效的 ecredit 电子链接标识" in response.content.decode()
        assert client.get(reverse("verify_svg", args=[bad])).status_code == 404


def test_it_shows_the_public_grade_on_the_badge_check_without_non_public_reasons(cast: Cast) -> None:
    pack = active_pack()
    today = timezone.localdate()
    if not pack.in_force(today):
        policy.record_extension(
            actor(cast.admin),
            pack.id,
            until=today + dt.timedelta(days=90),
            reason="主管部门通知：新办法出台前继续试行本制度",
        )
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    approved_filing(cast.credit_officer, cast.seller_a, entity)  # filing.current: public, +5
    officer = actor(cast.credit_officer)
    failed_on = today - dt.timedelta(days=30)
    credit.record_event(
        officer, entity, "quality.sample_failed", failed_on, source_kind="inspection", source_ref="NA-CJ-1"
    )
    credit.record_event(
        officer, entity, "association.pledge", failed_on, source_kind="association", source_ref="NAEC-CN-1"
    )  # not public
    public = cast.client_for(cast.seller_b)
    public.logout()
    path = reverse("verify", args=[services.badge_token(entity.badges.get())])
    assert "尚未评价" in public.get(path).content.decode()
    evaluation = credit.evaluate_entity(officer, entity, today)
    assert evaluation.grade == "C" and [r["indicator"] for r in evaluation.reasons] == [
        "quality.sample_failed",
        "association.pledge",
        "filing.current",
    ]
    body = public.get(path).content.decode()
    grade = re.search(r'data-testid="public-grade">(.*?)</dd>', body, re.S)
    assert grade is not None and ">C</span>" in grade.group(1) and "警示" in grade.group(1)
    assert f"评价日期 {today:%Y-%m-%d}" in grade.group(1)
    assert pack.scale.notice in body and pack.title in body
    assert pack.indicators["quality.sample_failed"].label in body and pack.indicators["filing.current"].label in body
    assert pack.indicators["association.pledge"].label not in body and "NAEC-CN-1" not in body and "NA-CJ-1" not in body
    if evaluation.extension_note:
        assert 'data-testid="extension-note"' in body
    assert "信用评价上线后在此显示" not in body


def test_it_shows_officers_masked_ids_and_reveals_one_with_a_reason(cast: Cast) -> None:
    number = make_resident_id()
    person = register(cast.credit_officer, "林阿福", kind="natural_person", code=number)
    officer = cast.client_for(cast.credit_officer)
    listing = officer.get(reverse("registry:entities"), {"q": "林阿福"}).content.decode()
    assert person.resident_id_masked in listing and number not in listing
    page = officer.get(reverse("registry:entity", args=[person.pk])).content.decode()
    assert person.resident_id_masked in page and number not in page
    refused = officer.post(reverse("registry:reveal", args=[person.pk]), {"reason": ""})
    assert refused.status_code == 400 and number not in refused.content.decode()
    shown = officer.post(reverse("registry:reveal", args=[person.pk]), {"reason": "投诉核查 TS-2026-118"})
    assert shown.status_code == 200 and number in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action="registry.identity.reveal", target_id=str(person.pk)).count() == 1
    # A department officer may read the registry but not reveal.
    assert (
        "查看完整号码"
        not in cast.client_for(cast.auditor).get(reverse("registry:entity", args=[person.pk])).content.decode()
    )


def test_it_lets_an_officer_register_with_a_recorded_override(cast: Cast) -> None:
    code = make_uscc()
    broken = code[:17] + ("0" if code[17] != "0" else "1")
    officer = cast.client_for(cast.credit_officer)
    form = {"name": "南安市英都镇某机械厂", "kind": "legal_person", "roles": ["seller"], "uscc": broken}
    response = officer.post(reverse("registry:entity_new"), form)
    assert response.status_code == 400 and "校验位" in response.content.decode()
    response = officer.post(reverse("registry:entity_new"), {**form, "uscc_override_reason": "经核对营业执照原件"})
    assert response.status_code == 302 and Entity.objects.get(uscc=broken).uscc_override_reason == "经核对营业执照原件"


def test_it_hides_other_operators_entities(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    other = cast.client_for(cast.seller_b)
    for name in ("mine_entity", "mine_filing"):
        assert other.get(reverse(f"registry:{name}", args=[entity.pk])).status_code == 404
    assert other.post(reverse("registry:mine_submit", args=[entity.pk]), {"declaration": "on"}).status_code == 404
    assert entity.name not in other.get(reverse("registry:mine")).content.decode()


def test_it_searches_and_filters_the_register(cast: Cast) -> None:
    register(cast.credit_officer, "南安市水头镇石材有限公司", industry="石材", township="水头镇")
    register(cast.credit_officer, "泉州外地贸易有限公司", code=make_uscc("350502"))
    officer = cast.client_for(cast.inspector)
    page = officer.get(reverse("registry:entities"), {"jurisdiction": "out"}).content.decode()
    assert "泉州外地贸易有限公司" in page and "水头镇石材" not in page and "辖区外登记" in page
    page = officer.get(reverse("registry:entities"), {"q": "水头镇 石材"}).content.decode()
    assert "南安市水头镇石材有限公司" in page and "泉州外地" not in page


def test_it_keeps_personal_data_masked_in_the_back_office(cast: Cast) -> None:
    number = make_resident_id()
    person = register(cast.credit_officer, "郑小龙", kind="natural_person", code=number, organisation=cast.seller_a_org)
    approved_filing(cast.credit_officer, cast.seller_a, person)
    admin = cast.client_for(cast.admin)
    for url in (
        reverse("admin:registry_entity_changelist"),
        reverse("admin:registry_entity_change", args=[person.pk]),
        reverse("admin:registry_filingversion_changelist"),
        reverse("admin:registry_filingversion_change", args=[person.filing.current_version_id]),
    ):
        body = admin.get(url).content.decode()
        assert number not in body and "86381234" not in body, url
    assert person.resident_id_masked in admin.get(reverse("admin:registry_entity_changelist")).content.decode()


def test_it_lets_an_operator_add_storefronts_and_permits_and_a_platform_see_its_shops(cast: Cast) -> None:
    import datetime as dt

    from django.utils import timezone

    platform = register(cast.credit_officer, "闽南优品平台", roles=("platform",), organisation=cast.platform_org)
    shop = register(cast.credit_officer, "南安市诗山镇茶叶有限公司", organisation=cast.seller_a_org)
    operator = cast.client_for(cast.seller_a)
    page = operator.get(reverse("registry:mine_entity", args=[shop.pk])).content.decode()
    assert "闽南优品平台" in page  # offered as a platform in the storefront form
    operator.post(
        reverse("registry:mine_storefront", args=[shop.pk]),
        {
            "platform": platform.pk,
            "shop_name": "诗山茶叶旗舰店",
            "shop_url": "https://mall.youpin-demo.cn/s/301",
            "shop_id": "301",
        },
    )
    soon = timezone.localdate() + dt.timedelta(days=10)
    operator.post(
        reverse("registry:mine_permit", args=[shop.pk]),
        {
            "kind": "food_business",
            "number": "JY13505830099",
            "issuer": "南安市市场监督管理局",
            "valid_from": "2021-12-01",
            "valid_until": soon.isoformat(),
        },
    )
    page = operator.get(reverse("registry:mine_entity", args=[shop.pk])).content.decode()
    assert "诗山茶叶旗舰店" in page and "JY13505830099" in page and "将于" in page and "到期" in page
    hosted = (
        cast.client_for(cast.platform_user).get(reverse("registry:mine_entity", args=[platform.pk])).content.decode()
    )
    assert "声明开设在本平台的店铺" in hosted and "诗山茶叶旗舰店" in hosted
    dashboard = cast.client_for(cast.credit_officer).get(reverse("accounts:dashboard")).content.decode()
    assert "JY13505830099" in dashboard
    assert "JY13505830099" in operator.get(reverse("accounts:dashboard")).content.decode()
    # A bad shop address is refused with a message and nothing is added.
    response = operator.post(
        reverse("registry:mine_storefront", args=[shop.pk]),
        {"platform": platform.pk, "shop_name": "坏店", "shop_url": "mall.youpin-demo.cn/s/302", "shop_id": "302"},
        follow=True,
    )
    assert "http://" in response.content.decode() and shop.storefronts.count() == 1


def test_it_compares_two_filing_versions_side_by_side(cast: Cast) -> None:
    from tests.registry.helpers import actor, filing_data

    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    filing = approved_filing(cast.credit_officer, cast.seller_a, entity)
    services.amend_filing(actor(cast.seller_a), filing, filing_data(contact_name="新联系人"))
    page = cast.client_for(cast.credit_officer).get(reverse("registry:filing", args=[filing.pk]), {"a": 1, "b": 2})
    body = page.content.decode()
    assert page.status_code == 200 and "王经理" in body and "新联系人" in body
    changed_rows = re.findall(r'<tr class="changed"><th scope="row">([^<]+)', body)
    assert [label.strip() for label in changed_rows] == ["联系人"]
    assert (
        cast.client_for(cast.credit_officer).get(reverse("registry:filing", args=[filing.pk]), {"a": 9}).status_code
        == 404
    )
