"""The inspection pages: officers, the laboratory, the operator, and the public results."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from ecredit.accounts.services import actor_for_user
from ecredit.evidence import services as evidence
from ecredit.inspections import draw, services
from ecredit.inspections.models import PlanStatus, SampleNotice, SamplingPlan
from tests.cast import Cast
from tests.inspections.helpers import World, drawn_plan, make_world, plan_data, sample_for, with_report
from tests.pdfcheck import assert_renders_chinese

# The smallest valid PNG (1×1, transparent).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def world(cast: Cast) -> World:
    return make_world(cast)


def test_it_drafts_a_plan_through_the_form(world: World) -> None:
    client = world.cast.client_for(world.cast.inspector)
    today = timezone.localdate()
    response = client.post(
        "/inspections/plans/new/",
        {
            "name": "2026年网销电动自行车充电器抽查",
            "level": "1",
            "period_start": today.isoformat(),
            "period_end": (today + dt.timedelta(days=90)).isoformat(),
            "cites": "5, 16.1",
            "standards": "电动自行车充电器 | GB 42295-2022 | 5.3",
            "scope_roles": ["seller"],
            "labs": [world.lab_org.pk],
            "pool": [i.pk for i in world.inspectors],
        },
    )
    plan = SamplingPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inspections/plans/{plan.pk}/"
    assert plan.standards == [{"category": "电动自行车充电器", "standard": "GB 42295-2022", "clause": "5.3"}]


def test_it_shows_a_clear_message_for_a_bad_standard_line_and_saves_nothing(world: World) -> None:
    client = world.cast.client_for(world.cast.inspector)
    response = client.post("/inspections/plans/new/", {"name": "x", "standards": "只有类别"})
    assert response.status_code == 400
    assert "产品类别 | 标准编号 | 条款" in response.content.decode()
    assert not SamplingPlan.objects.exists()


def test_it_refuses_the_approve_button_to_an_inspector(world: World) -> None:
    plan = services.create_plan(actor=world.officer, data=plan_data(world))
    response = world.cast.client_for(world.cast.inspector).post(f"/inspections/plans/{plan.pk}/approve/")
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_it_renders_every_page_of_a_sample_for_each_party(world: World) -> None:
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.get(entity=world.sellers[0])), passed=False)
    officer = world.cast.client_for(world.cast.inspector)
    for url in (
        "/inspections/",
        f"/inspections/plans/{plan.pk}/",
        f"/inspections/samples/{sample.pk}/",
        "/inspections/stats/",
        "/inspections/proposals/",
    ):
        assert officer.get(url).status_code == 200, url
    lab = world.cast.client_for(world.lab_user)
    assert sample.code in lab.get("/inspections/lab/").content.decode()
    seller = world.cast.client_for(world.cast.seller_a)
    assert sample.code in seller.get("/inspections/mine/").content.decode()
    assert seller.get(f"/inspections/mine/{sample.pk}/").status_code == 200
    other = world.cast.client_for(world.cast.seller_b)
    assert other.get(f"/inspections/mine/{sample.pk}/").status_code == 404


def test_it_links_a_sample_to_the_evidence_fixed_of_its_listing(world: World) -> None:
    plan = drawn_plan(world)
    sample = sample_for(world, plan.targets.get(entity=world.sellers[0]))
    officer = world.cast.client_for(world.cast.inspector)
    page = officer.get(f"/inspections/samples/{sample.pk}/").content.decode()
    # The capture form opens with the listing's address and the sample's number filled in.
    capture = "/evidence/capture/?" + urlencode({"url": sample.listing_url, "inspection_ref": sample.code})
    assert escape(capture) in page and "尚未固定本样品的电子证据" in page
    item = evidence.upload_evidence(
        actor=actor_for_user(world.cast.inspector),
        kind="image",
        title="商品页面截图（店铺自行下架前）",
        files=[evidence.Upload("listing.png", PNG, "image/png")],
        inspection_ref=sample.code,
    )
    page = officer.get(f"/inspections/samples/{sample.pk}/").content.decode()
    assert f'href="/evidence/{item.pk}/"' in page and "商品页面截图" in page
    # The laboratory sees the sample but holds no evidence right: no evidence list, no capture link.
    lab = world.cast.client_for(world.lab_user)
    assert "/evidence/capture/" not in lab.get(f"/inspections/lab/{sample.pk}/").content.decode()


def test_it_lets_the_lab_enter_a_report_and_computes_the_conclusion(world: World) -> None:
    plan = drawn_plan(world)
    sample = sample_for(world, plan.targets.get(entity=world.sellers[0]))
    services.hand_over(
        actor=world.officer,
        sample=sample,
        item="sample",
        handed_on=timezone.localdate(),
        from_party="执法员",
        to_party="实验室",
    )
    lab = world.cast.client_for(world.lab_user)
    form = {
        "number": "JY-2026-0001",
        "tested_on": timezone.localdate().isoformat(),
        "signed_file": SimpleUploadedFile("r.pdf", b"%PDF-1.4"),
        "item1_name": "纤维含量",
        "item1_clause": "4.2",
        "item1_measured": "棉 85%",
        "item1_limit": "棉 100%",
        "item1_result": "fail",
        "item2_name": "甲醛",
        "item2_clause": "4.1",
        "item2_measured": "10 mg/kg",
        "item2_limit": "≤20 mg/kg",
        "item2_result": "pass",
    }
    response = lab.post(f"/inspections/lab/{sample.pk}/", form)
    assert response.status_code == 302
    assert sample.reports.get().conclusion == "fail"


def test_it_publishes_results_without_personal_data_and_offers_the_draw_record(world: World) -> None:
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.get(entity=world.sellers[0])), passed=True)
    services.deliver_result(actor=world.officer, sample=sample)
    services.publish(actor=world.officer, publication=sample.publication)
    page = Client().get(f"/inspections/public/{plan.pk}/").content.decode()
    assert sample.product in page and world.sellers[0].name in page
    assert sample.order_no not in page and sample.recorded_by not in page
    download = Client().get(f"/inspections/public/{plan.pk}/draw.json")
    assert download["Content-Type"].startswith("application/json")
    assert draw.verify(draw.record_from_dict(json.loads(download.content))) is None
    # The officers' statistics chart the pass rate over time: this month's point is at 100%.
    stats = world.cast.client_for(world.cast.inspector).get("/inspections/stats/").content.decode()
    month = sample.publication.published_on.strftime("%Y-%m")
    assert 'id="pass-rate-history"' in stats and f'data-day="{month}-01" data-score="100"' in stats


def test_it_gives_the_operator_and_its_platform_a_notice_document(world: World, tmp_path: Path) -> None:
    plan = drawn_plan(world)
    target = plan.targets.get(entity=world.sellers[0])
    sample = with_report(world, sample_for(world, target), passed=False)
    services.deliver_result(actor=world.officer, sample=sample)
    notice = SampleNotice.objects.get(sample=sample, kind="result")
    seller = world.cast.client_for(world.cast.seller_a)
    pdf = seller.get(f"/inspections/notices/{notice.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert_renders_chinese(pdf.content, "检验结果通知书", tmp_path)
    assert world.cast.client_for(world.cast.seller_b).get(f"/inspections/notices/{notice.pk}.pdf").status_code == 404
    officer = world.cast.client_for(world.cast.inspector).get(f"/inspections/samples/{sample.pk}/notices/sampled.pdf")
    assert officer.status_code == 200


def test_it_lets_the_operator_ask_for_a_retest_and_upload_its_rectification(world: World) -> None:
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.get(entity=world.sellers[0])), passed=False)
    services.deliver_result(actor=world.officer, sample=sample)
    seller = world.cast.client_for(world.cast.seller_a)
    short = seller.post(f"/inspections/mine/{sample.pk}/", {"op": "retest", "reason": "不"})
    assert short.status_code == 400 and "至少4个字" in short.content.decode()
    asked = seller.post(f"/inspections/mine/{sample.pk}/", {"op": "retest", "reason": "送检批次与本店销售批次不符"})
    assert asked.status_code == 302
    sample.refresh_from_db()
    assert sample.status == "retest"


def test_it_lets_the_operator_upload_a_rectification_and_the_officer_accept_it(world: World) -> None:
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.get(entity=world.sellers[0])), passed=False)
    services.deliver_result(
        actor=world.officer, sample=sample, delivered_on=timezone.localdate() - dt.timedelta(days=20)
    )
    services.finalise(actor=world.officer, sample=sample)
    seller = world.cast.client_for(world.cast.seller_a)
    response = seller.post(
        f"/inspections/mine/{sample.pk}/",
        {
            "op": "rectify",
            "report": "已下架同批次商品并召回已售出的全部商品。",
            "file": SimpleUploadedFile("r.pdf", b"%PDF"),
        },
    )
    assert response.status_code == 302
    officer = world.cast.client_for(world.cast.inspector)
    officer.post(f"/inspections/samples/{sample.pk}/do/rectification/", {"accept": "yes", "reason": ""})
    sample.rectification.refresh_from_db()
    assert sample.rectification.status == "accepted"
