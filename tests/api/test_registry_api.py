"""The registry API (/api/v1/registry/…): entities, filings from draft to review, storefronts, badges, imports;
driven over HTTP with API tokens and with browser sessions."""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

import pytest
from django.test import Client
from stdnum.cn import ric, uscc

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import SYSTEM, Actor
from ecredit.accounts.models import Organisation, User
from ecredit.api import registry as registry_api
from ecredit.registry import importer, services
from ecredit.registry.models import Badge, Entity, Filing, FilingStatus, Storefront
from tests.cast import Cast

pytestmark = pytest.mark.django_db

API = "/api/v1/registry"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_serial = itertools.count(1)


def make_uscc(division: str = "350583") -> str:
    n = next(_serial)
    body = ""
    for _ in range(9):
        n, digit = divmod(n, len(ALPHABET))
        body = ALPHABET[digit] + body
    base = f"91{division}{body}"
    return base + uscc.calc_check_digit(base)


def make_resident_id() -> str:
    base = f"35058319850317{next(_serial) % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def officer(cast: Cast) -> Actor:
    return accounts.actor_for_user(cast.credit_officer)


def register(
    cast: Cast, name: str, organisation: Organisation | None, *, roles: tuple[str, ...] = ("seller",)
) -> Entity:
    data = services.EntityData(name=name, kind="legal_person", roles=list(roles), uscc=make_uscc())
    return services.register_entity(officer(cast), data, organisation=organisation)


def token(user: User, *scopes: str) -> Client:
    """A client speaking for ``user``'s organisation with an API token carrying ``scopes``."""
    _token, raw = accounts.issue_token(actor=SYSTEM, creator=user, name="测试令牌", scopes=list(scopes))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def officer_client(cast: Cast) -> Client:
    return token(cast.credit_officer, "registry.view", "registry.manage", "filing.review", "registry.import")


def filing_body(name: str = "南安市甲卫浴有限公司", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject_name": name,
        "subject_kind": "legal_person",
        "contact_name": "王经理",
        "contact_phone": "13905951234",
        "contact_email": "service@jia-weiyu.cn",
        "address": "福建省泉州市南安市仑苍镇工业区",
        "websites": [{"name": "甲卫浴商城", "domain": "www.jia-weiyu.cn", "kind": "own_shop"}],
    }
    body.update(changes)
    return body


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def approved(cast: Cast, entity: Entity) -> Filing:
    """Seller A files over the API, declares it true; an officer approves it."""
    seller = cast.client_for(cast.seller_a)
    filing_id = post(seller, f"{API}/entities/{entity.pk}/filing", filing_body(entity.name)).json()["id"]
    assert post(seller, f"{API}/filings/{filing_id}/submit", {"declaration": True}).status_code == 200
    response = post(officer_client(cast), f"{API}/filings/{filing_id}/review", {"decision": "approve", "reasons": ""})
    assert response.status_code == 200, response.json()
    return Filing.objects.get(pk=filing_id)


def badge_state(cast: Cast, entity: Entity) -> dict[str, Any]:
    badge = Badge.objects.filter(entity=entity).order_by("issued_at").first()
    assert badge is not None
    response = token(cast.inspector, "registry.view").get(f"{API}/badges/{services.badge_token(badge)}")
    assert response.status_code == 200
    return dict(response.json())


# --- entities -------------------------------------------------------------------------------------


def test_it_registers_an_entity_for_an_officer_token(cast: Cast) -> None:
    code = make_uscc()
    body = {
        "name": "南安市乙茶业有限公司",
        "kind": "legal_person",
        "roles": ["seller"],
        "uscc": code,
        "industry": "茶叶",
    }
    response = post(officer_client(cast), f"{API}/entities", {**body, "organisation_id": cast.seller_b_org.pk})
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["name"] == "南安市乙茶业有限公司" and answer["code"] == code and answer["roles"] == ["seller"]
    assert answer["in_jurisdiction"] is True and answer["division_code"] == "350583"
    assert answer["filing_number"] == "" and answer["filing_status"] == "" and answer["kind_label"] == "法人"
    assert Entity.objects.get(pk=answer["id"]).organisation == cast.seller_b_org


def test_it_refuses_a_bad_uscc_naming_the_field_and_registers_nothing(cast: Cast) -> None:
    good = make_uscc()
    bad = good[:17] + next(c for c in "0123456789" if c != good[17])
    body = {"name": "南安市丙五金有限公司", "kind": "legal_person", "roles": ["seller"], "uscc": bad}
    response = post(officer_client(cast), f"{API}/entities", body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "validation_error" and "uscc" in answer["details"]
    assert "校验位错误" in answer["details"]["uscc"] and answer["message"] == answer["details"]["uscc"]
    assert not Entity.objects.exists()


def test_it_accepts_a_failing_check_character_with_an_officers_reason(cast: Cast) -> None:
    good = make_uscc()
    bad = good[:17] + next(c for c in "0123456789" if c != good[17])
    body = {"name": "南安市丁五金有限公司", "kind": "legal_person", "roles": ["seller"], "uscc": bad}
    response = post(
        officer_client(cast), f"{API}/entities", {**body, "uscc_override_reason": "登记机关核发证照原件如此"}
    )
    assert response.status_code == 201 and response.json()["code"] == bad


def test_it_refuses_an_unknown_organisation_to_link(cast: Cast) -> None:
    body = {"name": "南安市戊公司", "kind": "legal_person", "roles": ["seller"], "uscc": make_uscc()}
    response = post(officer_client(cast), f"{API}/entities", {**body, "organisation_id": cast.commerce.pk})
    assert response.status_code == 422 and "organisation_id" in response.json()["details"]
    assert not Entity.objects.exists()


def test_it_never_shows_a_natural_persons_full_resident_id(cast: Cast) -> None:
    resident_id = make_resident_id()
    data = services.EntityData(name="林小明", kind="natural_person", roles=["seller"], resident_id=resident_id)
    entity = services.register_entity(officer(cast), data, organisation=cast.seller_a_org)
    client = token(cast.inspector, "registry.view")
    listed = client.get(f"{API}/entities", {"q": "林小明"})
    detail = client.get(f"{API}/entities/{entity.pk}")
    mine = cast.client_for(cast.seller_a).get(f"{API}/mine/{entity.pk}")
    for response in (listed, detail, mine):
        assert response.status_code == 200
        assert resident_id not in response.content.decode()
    assert detail.json()["code"] == entity.resident_id_masked != ""
    assert listed.json()["items"][0]["code"] == entity.resident_id_masked


def test_it_lists_and_filters_entities(cast: Cast) -> None:
    register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    register(cast, "南安市丙电商平台有限公司", cast.platform_org, roles=("platform",))
    outside = services.EntityData(
        name="厦门市丁贸易有限公司", kind="legal_person", roles=["seller"], uscc=make_uscc("350203")
    )
    services.register_entity(officer(cast), outside)
    client = cast.client_for(cast.inspector)
    everything = client.get(f"{API}/entities").json()
    assert everything["count"] == 3 and {item["name"] for item in everything["items"]} >= {"南安市甲卫浴有限公司"}
    assert [e["name"] for e in client.get(f"{API}/entities", {"q": "甲卫浴"}).json()["items"]] == [
        "南安市甲卫浴有限公司"
    ]
    platforms = client.get(f"{API}/entities", {"role": "platform"}).json()["items"]
    assert [e["name"] for e in platforms] == ["南安市丙电商平台有限公司"]
    away = client.get(f"{API}/entities", {"in_jurisdiction": "false"}).json()["items"]
    assert [(e["name"], e["in_jurisdiction"]) for e in away] == [("厦门市丁贸易有限公司", False)]
    assert client.get(f"{API}/entities", {"kind": "natural_person"}).json()["count"] == 0
    assert client.get(f"{API}/entities", {"page_size": 1}).json()["count"] == 3
    wrong = client.get(f"{API}/entities", {"role": "shop"})
    assert wrong.status_code == 422 and "role" in wrong.json()["details"]


def test_it_shows_an_operator_its_own_entities_only(cast: Cast) -> None:
    mine = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    register(cast, "南安市乙茶业有限公司", cast.seller_b_org)
    answer = token(cast.seller_a, "filing.own").get(f"{API}/mine")
    assert answer.status_code == 200
    assert [(e["id"], e["name"]) for e in answer.json()] == [(mine.pk, "南安市甲卫浴有限公司")]


# --- filings --------------------------------------------------------------------------------------


def test_it_takes_a_filing_from_draft_to_approval_and_issues_a_badge(cast: Cast) -> None:
    entity = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    seller = token(cast.seller_a, "filing.own")
    created = post(seller, f"{API}/entities/{entity.pk}/filing", filing_body(contact_name="王"))
    assert created.status_code == 201, created.json()
    filing = created.json()
    assert filing["status"] == "draft" and filing["version"] == 1 and filing["number"].startswith("NA-")
    assert [v["number"] for v in filing["versions"]] == [1] and filing["comparison"] == []
    assert filing["versions"][0]["contact_phone_masked"] == "139****1234"
    assert "13905951234" not in created.content.decode()

    again = post(seller, f"{API}/entities/{entity.pk}/filing", filing_body())
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    edited = seller.put(
        f"{API}/filings/{filing['id']}/draft", filing_body(contact_name="王经理"), content_type="application/json"
    )
    assert edited.status_code == 200 and edited.json()["versions"][0]["contact_name"] == "王经理"
    bad = seller.put(
        f"{API}/filings/{filing['id']}/draft",
        filing_body(contact_email="not-an-email", contact_phone=""),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "contact_email" in bad.json()["details"]
    site = {"name": "甲卫浴商城", "domain": "www.jia-weiyu.cn", "colour": "红"}
    odd = seller.put(
        f"{API}/filings/{filing['id']}/draft", filing_body(websites=[site]), content_type="application/json"
    )
    assert odd.status_code == 422 and "colour" in odd.json()["details"]["websites.1.colour"]

    undeclared = post(seller, f"{API}/filings/{filing['id']}/submit", {"declaration": False})
    assert undeclared.status_code == 422 and "declaration" in undeclared.json()["details"]
    submitted = post(seller, f"{API}/filings/{filing['id']}/submit", {"declaration": True})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["versions"][0]["declared_by"].startswith("API 令牌")
    frozen = seller.put(f"{API}/filings/{filing['id']}/draft", filing_body(), content_type="application/json")
    assert frozen.status_code == 409

    reviewer = officer_client(cast)
    queue = reviewer.get(f"{API}/review/queue").json()
    assert queue["count"] == 1 and queue["items"][0]["id"] == filing["id"]
    assert queue["items"][0]["amendment"] is False and queue["items"][0]["version"] == 1
    response = post(reviewer, f"{API}/filings/{filing['id']}/review", {"decision": "approve", "reasons": "材料齐全"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved" and response.json()["approved_version"] == 1
    assert response.json()["versions"][0]["review_decision"] == "approved"
    assert reviewer.get(f"{API}/review/queue").json()["count"] == 0

    state = badge_state(cast, entity)
    assert state["state"] == "valid" and state["label"] == "有效" and state["entity_name"] == "南安市甲卫浴有限公司"
    assert (
        state["filing_number"] == filing["number"] and state["code"] == entity.uscc and state["in_jurisdiction"] is True
    )
    assert state["filing_date"] is not None

    detail = cast.client_for(cast.inspector).get(f"{API}/entities/{entity.pk}").json()
    assert detail["filing_status"] == "approved" and detail["filing"]["contact_phone_masked"] == "139****1234"
    assert [site["domain"] for site in detail["websites"]] == ["www.jia-weiyu.cn"]
    assert len(detail["badges"]) == 1 and detail["badges"][0]["revoked_at"] is None
    assert "13905951234" not in str(detail)


def test_it_returns_a_filing_with_reasons_and_takes_an_amendment_as_version_2(cast: Cast) -> None:
    entity = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    seller = cast.client_for(cast.seller_a)
    filing_id = post(seller, f"{API}/entities/{entity.pk}/filing", filing_body()).json()["id"]
    post(seller, f"{API}/filings/{filing_id}/submit", {"declaration": True})
    reviewer = officer_client(cast)
    terse = post(reviewer, f"{API}/filings/{filing_id}/review", {"decision": "return", "reasons": "否"})
    assert terse.status_code == 422 and "reasons" in terse.json()["details"]
    unknown = post(reviewer, f"{API}/filings/{filing_id}/review", {"decision": "maybe", "reasons": ""})
    assert unknown.status_code == 422 and "decision" in unknown.json()["details"]
    returned = post(
        reviewer, f"{API}/filings/{filing_id}/review", {"decision": "return", "reasons": "网站备案号与工信部记录不符"}
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["versions"][0]["review_reasons"] == "网站备案号与工信部记录不符"
    resend = post(seller, f"{API}/filings/{filing_id}/submit", {"declaration": True})
    assert resend.status_code == 409

    amended = post(
        seller, f"{API}/filings/{filing_id}/amendments", filing_body(address="福建省泉州市南安市溪美街道成功街8号")
    )
    assert amended.status_code == 201, amended.json()
    answer = amended.json()
    assert answer["status"] == "amended" and answer["version"] == 2
    assert [v["number"] for v in answer["versions"]] == [1, 2]
    rows = {row["field"]: row for row in answer["comparison"]}
    assert rows["address"]["changed"] is True and rows["address"]["previous"] == "福建省泉州市南安市仑苍镇工业区"
    assert rows["address"]["current"] == "福建省泉州市南安市溪美街道成功街8号"
    assert rows["subject_name"]["changed"] is False and rows["contact_phone"]["current"] == "139****1234"

    post(seller, f"{API}/filings/{filing_id}/submit", {"declaration": True})
    seen = seller.get(f"{API}/filings/{filing_id}").json()
    assert seen["status"] == "submitted" and seen["versions"][1]["declared_at"] is not None
    officer_view = cast.client_for(cast.inspector).get(f"{API}/review/filings/{filing_id}")
    assert officer_view.status_code == 200 and [v["number"] for v in officer_view.json()["versions"]] == [1, 2]
    approved_now = post(reviewer, f"{API}/filings/{filing_id}/review", {"decision": "approve", "reasons": ""})
    assert approved_now.json()["approved_version"] == 2


def test_it_suspends_reinstates_and_revokes_a_filing_and_the_badge_follows(cast: Cast) -> None:
    entity = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    filing = approved(cast, entity)
    reviewer = officer_client(cast)
    url = f"{API}/filings/{filing.pk}/status"
    assert post(reviewer, url, {"action": "suspend", "reason": "短"}).status_code == 422
    assert post(reviewer, url, {"action": "erase", "reason": "理由足够长了"}).json()["details"].keys() == {"action"}
    suspended = post(reviewer, url, {"action": "suspend", "reason": "抽检不合格，责令整改"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert suspended.json()["status_reason"] == "抽检不合格，责令整改"
    assert badge_state(cast, entity)["state"] == "suspended"
    assert post(reviewer, url, {"action": "reinstate", "reason": "整改完成，复查合格"}).json()["status"] == "approved"
    assert badge_state(cast, entity)["state"] == "valid"
    revoked = post(reviewer, url, {"action": "revoke", "reason": "提供虚假备案材料"})
    assert revoked.json()["status"] == "revoked"
    assert badge_state(cast, entity)["state"] == "revoked"
    again = post(reviewer, url, {"action": "suspend", "reason": "再次暂停试试"})
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_it_deregisters_a_filing_on_an_officers_word(cast: Cast) -> None:
    entity = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    filing = approved(cast, entity)
    answer = post(
        officer_client(cast), f"{API}/filings/{filing.pk}/status", {"action": "deregister", "reason": "经营者申请注销"}
    )
    assert answer.status_code == 200 and answer.json()["status"] == "deregistered"
    assert badge_state(cast, entity)["state"] == "revoked"


def test_it_says_an_altered_or_unknown_badge_token_is_not_a_badge(cast: Cast) -> None:
    entity = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    approved(cast, entity)
    real = services.badge_token(Badge.objects.get(entity=entity))
    client = token(cast.inspector, "registry.view")
    for fake in (real[:-2] + ("aa" if not real.endswith("aa") else "bb"), "nothing-here"):
        response = client.get(f"{API}/badges/{fake}")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "不是有效的 ecredit 电子链接标识", "details": None}


def test_it_keeps_another_operators_entity_and_filing_out_of_sight(cast: Cast) -> None:
    theirs = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    filing = approved(cast, theirs)
    platform = register(cast, "南安市丙电商平台有限公司", cast.platform_org, roles=("platform",))
    outsider = cast.client_for(cast.seller_b)
    missing_entity = outsider.get(f"{API}/mine/999999").json()
    attempts = [
        outsider.get(f"{API}/mine/{theirs.pk}"),
        post(outsider, f"{API}/entities/{theirs.pk}/filing", filing_body()),
        outsider.get(f"{API}/filings/{filing.pk}"),
        outsider.put(f"{API}/filings/{filing.pk}/draft", filing_body(), content_type="application/json"),
        post(outsider, f"{API}/filings/{filing.pk}/amendments", filing_body()),
        post(outsider, f"{API}/filings/{filing.pk}/submit", {"declaration": True}),
        post(
            outsider,
            f"{API}/entities/{theirs.pk}/storefronts",
            {
                "platform_id": platform.pk,
                "shop_name": "冒名店",
                "shop_url": "https://shop.example.cn/1",
                "shop_id": "1",
            },
        ),
    ]
    assert [response.status_code for response in attempts] == [404] * len(attempts)
    assert attempts[0].json() == missing_entity and attempts[0].json()["code"] == "not_found"
    assert attempts[2].json() == outsider.get(f"{API}/filings/999999").json()
    assert outsider.get(f"{API}/mine").json() == []
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED and filing.versions.count() == 1
    assert not Storefront.objects.exists()


# --- storefronts ----------------------------------------------------------------------------------


def test_it_shows_a_platforms_users_the_storefronts_claiming_to_be_on_it(cast: Cast) -> None:
    shop_owner = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    approved(cast, shop_owner)
    ours = register(cast, "南安市丙电商平台有限公司", cast.platform_org, roles=("platform",))
    other = register(cast, "泉州市丁电商平台有限公司", None, roles=("platform",))
    seller = token(cast.seller_a, "filing.own")
    url = f"{API}/entities/{shop_owner.pk}/storefronts"
    first = post(
        seller,
        url,
        {
            "platform_id": ours.pk,
            "shop_name": "甲卫浴旗舰店",
            "shop_url": "https://mall.bing.cn/shop/88",
            "shop_id": "88",
        },
    )
    assert first.status_code == 201, first.json()
    assert (
        first.json()["platform_name"] == "南安市丙电商平台有限公司" and first.json()["entity_code"] == shop_owner.uscc
    )
    post(
        seller,
        url,
        {"platform_id": other.pk, "shop_name": "甲卫浴专营店", "shop_url": "https://ding.cn/s/7", "shop_id": "7"},
    )
    duplicate = post(
        seller,
        url,
        {"platform_id": ours.pk, "shop_name": "重复", "shop_url": "https://mall.bing.cn/shop/88", "shop_id": "88"},
    )
    assert duplicate.status_code == 422 and "shop_id" in duplicate.json()["details"]
    not_platform = post(
        seller, url, {"platform_id": shop_owner.pk, "shop_name": "自营", "shop_url": "https://a.cn/", "shop_id": "1"}
    )
    assert not_platform.status_code == 422 and "platform_id" in not_platform.json()["details"]
    nowhere = post(seller, url, {"platform_id": 999999, "shop_name": "无", "shop_url": "https://a.cn/", "shop_id": "2"})
    assert nowhere.status_code == 422 and "platform_id" in nowhere.json()["details"]

    platform_system = token(cast.platform_user, "filing.own")
    seen = platform_system.get(f"{API}/platform/storefronts").json()
    assert seen["count"] == 1
    shop = seen["items"][0]
    assert (shop["shop_name"], shop["shop_id"], shop["entity_name"]) == ("甲卫浴旗舰店", "88", "南安市甲卫浴有限公司")
    assert shop["entity_filing_status"] == "approved" and shop["entity_filing_number"].startswith("NA-")
    assert cast.client_for(cast.seller_b).get(f"{API}/platform/storefronts").json()["count"] == 0
    detail = cast.client_for(cast.seller_a).get(f"{API}/mine/{shop_owner.pk}").json()
    assert sorted(s["shop_id"] for s in detail["storefronts"]) == ["7", "88"]
    assert cast.client_for(cast.inspector).get(f"{API}/entities/{ours.pk}").json()["hosted_storefront_count"] == 1


# --- imports --------------------------------------------------------------------------------------


def import_csv(rows: list[dict[str, str]]) -> bytes:
    header = importer.template().splitlines()[0].split(",")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode()


def import_row(n: int, **changes: str) -> dict[str, str]:
    values = {
        "名称": f"南安市第{n}号电子商务有限公司",
        "主体类型": "法人",
        "角色": "网络商品经营者",
        "统一社会信用代码": make_uscc(),
        "联系人": "林志强",
        "联系电话": f"139059{n:05d}",
        "网站名称": f"第{n}号商城",
        "网站域名": f"www.shop{n}.cn",
    }
    values.update(changes)
    return values


def upload(client: Client, content: bytes, *, dry_run: bool = False, name: str = "名单.csv") -> Any:
    file = io.BytesIO(content)
    file.name = name
    return client.post(f"{API}/imports", {"file": file, "dry_run": "true" if dry_run else "false"})


def test_it_imports_a_clean_file_and_tries_it_first_on_a_dry_run(cast: Cast) -> None:
    content = import_csv([import_row(1), import_row(2)])
    client = officer_client(cast)
    trial = upload(client, content, dry_run=True)
    assert trial.status_code == 200, trial.json()
    assert trial.json()["dry_run"] is True and trial.json()["created"] == 2 and trial.json()["problems"] == []
    assert not Entity.objects.exists()
    done = upload(cast.client_for(cast.credit_officer), content)
    assert done.status_code == 200
    answer = done.json()
    assert (answer["rows"], answer["created"], answer["unchanged"], answer["dry_run"]) == (2, 2, 0, False)
    assert answer["summary"].startswith("导入完成")
    assert Entity.objects.count() == 2


def test_it_imports_nothing_when_one_row_is_bad_and_names_line_column_and_reason(cast: Cast) -> None:
    content = import_csv([import_row(1), import_row(2, 统一社会信用代码="91350583ABC")])
    response = upload(officer_client(cast), content)
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "validation_error" and "未导入任何数据" in answer["message"]
    report = answer["details"]
    assert report["created"] == 0 and report["rows"] == 2 and report["summary"] == answer["message"]
    assert [(p["line"], p["column"]) for p in report["problems"]] == [(3, "统一社会信用代码")]
    assert "18位" in report["problems"][0]["reason"]
    assert not Entity.objects.exists()


def test_it_refuses_an_empty_or_oversized_upload_with_a_message(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    client = officer_client(cast)
    empty = upload(client, b"")
    assert empty.status_code == 422 and empty.json()["message"] == "文件是空的。"
    monkeypatch.setattr(registry_api, "MAX_UPLOAD_BYTES", 10)
    large = upload(client, import_csv([import_row(1)]))
    assert large.status_code == 422 and "不能超过" in large.json()["details"]["file"]
    missing = client.post(f"{API}/imports", {"dry_run": "true"})
    assert missing.status_code == 422
    assert not Entity.objects.exists()


# --- who may call what ----------------------------------------------------------------------------


def test_it_refuses_a_token_without_the_scope_before_reading_the_request(cast: Cast) -> None:
    viewer = token(cast.credit_officer, "registry.view")
    body = {"name": "南安市乙茶业有限公司", "kind": "legal_person", "roles": ["seller"], "uscc": make_uscc()}
    for response in (
        post(viewer, f"{API}/entities", body),
        post(viewer, f"{API}/entities", {}),
        viewer.post(f"{API}/imports"),
        viewer.get(f"{API}/review/queue"),
        Client(HTTP_AUTHORIZATION=f"Bearer {cast.platform_token}").get(f"{API}/platform/storefronts"),
        token(cast.seller_a, "api.me").post(f"{API}/entities/not-a-number/filing"),
    ):
        assert response.status_code == 403
        assert response.json() == {"code": "forbidden", "message": "此令牌或角色无权调用该接口。", "details": None}
    assert not Entity.objects.exists()


def test_it_refuses_people_whose_role_lacks_the_action(cast: Cast) -> None:
    entity = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    filing = approved(cast, entity)
    inspector = cast.client_for(cast.inspector)
    assert post(inspector, f"{API}/filings/{filing.pk}/review", {"decision": "approve"}).status_code == 403
    assert (
        post(inspector, f"{API}/filings/{filing.pk}/status", {"action": "revoke", "reason": "无权撤销"}).status_code
        == 403
    )
    seller = cast.client_for(cast.seller_a)
    assert seller.get(f"{API}/entities/{entity.pk}").status_code == 403
    assert seller.get(f"{API}/review/filings/{filing.pk}").status_code == 403
    assert cast.client_for(cast.credit_officer).get(f"{API}/filings/{filing.pk}").status_code == 403
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.APPROVED


def test_it_checks_csrf_for_a_browser_session(cast: Cast) -> None:
    entity = register(cast, "南安市甲卫浴有限公司", cast.seller_a_org)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.seller_a)
    response = post(client, f"{API}/entities/{entity.pk}/filing", filing_body())
    assert response.status_code == 403
    assert not Filing.objects.exists()


def test_it_documents_the_registry_in_the_openapi_document() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert {f"{API}/entities", f"{API}/imports", f"{API}/badges/{{token}}", f"{API}/review/queue"} <= set(
        schema["paths"]
    )
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "BrowserSessionAuth"}
    operation = schema["paths"][f"{API}/badges/{{token}}"]["get"]
    assert "/verify/<token>/" in operation["description"]
