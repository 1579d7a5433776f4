"""The public credit lookup and the grade shown on the badge check: what anyone may see of a grade,
and what they never see (personal data, events' sources and evidence, reasons not made public)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from ecredit.credit import services
from ecredit.registry import services as registry
from tests.cast import Cast
from tests.credit.archive import BEYOND, by, event, extend, history, shop
from tests.registry.helpers import approved_filing, make_resident_id, register

pytestmark = pytest.mark.django_db

NOTICE = "本评分标准为默认方案，可由主管部门调整。"


def visitor() -> Client:
    return Client()


def test_it_finds_an_organisation_by_name_or_code_with_its_grade(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    history(cast.credit_officer, entity)
    approved_filing(cast.credit_officer, cast.seller_a, entity)
    register(cast.credit_officer, "南安市尚未评价贸易有限公司")
    for query in ("诗山镇 信用测试", entity.uscc):
        body = visitor().get(reverse("portal:credit_search"), {"q": query}).content.decode()
        assert entity.name in body and '<span class="grade grade-C">C</span> 警示' in body, query
        assert "2025-03-30" in body and "已通过" in body and NOTICE in body
        assert reverse("portal:credit_entity", args=[entity.uscc]) in body
    other = visitor().get(reverse("portal:credit_search"), {"q": "尚未评价贸易"}).content.decode()
    assert "南安市尚未评价贸易有限公司" in other and "尚未评价</td>" in other
    assert "没有找到" in visitor().get(reverse("portal:credit_search"), {"q": "不存在的名字"}).content.decode()
    home = visitor().get(reverse("portal:home")).content.decode()
    assert reverse("portal:credit_search") in home


def test_it_shows_only_public_reasons_and_never_case_details(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    history(cast.credit_officer, entity)
    page = visitor().get(reverse("portal:credit_entity", args=[entity.uscc.lower()]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="public-grade"' in body and "C</span> 警示" in body
    assert "评价日期 2025-03-30" in body and "南安市网销商品质量安全信用评价制度（试行）" in body and NOTICE in body
    assert "因‘网销商品抽查不合格’（第五条、第十条第（二）项、第十六条第（一）项）扣 15 分，共 1 次" in body
    assert "因‘已备案且备案有效’（第八条）加 5 分" in body
    # A missing disclosure is not a public reason; no event's source, evidence or officer's note shows.
    assert "商品页面未说明主要信息" not in body and "listing.disclosure_missing" not in body
    for secret in ("CJ-2024-031", "秘密证据-7781", "私下核实", "NA-2023-000101", "credit（credit）"):
        assert secret not in body, secret
    assert 'data-testid="extension-note"' not in body


def test_it_says_when_the_grade_rests_on_an_extension(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    event(cast.credit_officer, entity, "filing.current", dt.date(2023, 6, 1), "NA-2023-000101", kind="filing")
    extend(cast.admin)
    services.evaluate_entity(by(cast.credit_officer), entity, BEYOND)
    body = visitor().get(reverse("portal:credit_entity", args=[entity.uscc])).content.decode()
    assert 'data-testid="extension-note"' in body and "有效期为 2023-03-31 至 2025-03-30" in body
    assert "南商务〔2025〕12号" in body and "评价日期 2026-11-28" in body


def test_it_never_lists_a_natural_person(cast: Cast) -> None:
    number = make_resident_id()
    person = register(cast.credit_officer, "林阿福", kind="natural_person", code=number, organisation=cast.seller_a_org)
    event(cast.credit_officer, person, "filing.current", dt.date(2023, 6, 1), "NA-2023-000102", kind="filing")
    services.evaluate_entity(by(cast.credit_officer), person, dt.date(2025, 3, 30))
    for query in ("林阿福", number, person.resident_id_masked):
        body = visitor().get(reverse("portal:credit_search"), {"q": query}).content.decode()
        results = body.split('data-testid="public-results"')[1].split("<tbody>")[1]  # past the visitor's own words
        assert "没有找到" in results and "林阿福" not in results and person.resident_id_masked not in results
    for code in (number, person.resident_id_masked, str(person.pk)):
        assert visitor().get(reverse("portal:credit_entity", args=[code])).status_code == 404


def test_it_gives_the_badge_check_the_public_grade(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    approved_filing(cast.credit_officer, cast.seller_a, entity)
    token = registry.badge_token(entity.badges.get())
    template = Template("{% load credit_panels %}<dl>{% public_grade subject %}</dl>")
    unrated = template.render(Context({"subject": token}))
    assert "尚未评价" in unrated and NOTICE in unrated
    history(cast.credit_officer, entity)
    for subject in (token, entity):
        rendered = template.render(Context({"subject": subject}))
        assert "C</span> 警示" in rendered and "评价日期 2025-03-30" in rendered and NOTICE in rendered
        assert "网销商品抽查不合格" in rendered and "商品页面未说明主要信息" not in rendered
        assert reverse("portal:credit_entity", args=[entity.uscc]) in rendered
    page = visitor().get(reverse("verify", args=[token])).content.decode()  # the badge check itself
    assert 'data-testid="public-grade"' in page and "C</span> 警示" in page and "秘密证据-7781" not in page
    altered = template.render(Context({"subject": token[:-1] + ("A" if token[-1] != "A" else "B")}))
    assert "尚未评价" in altered and entity.name not in altered
