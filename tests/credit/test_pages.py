"""The credit archive pages as officers and operators use them (Django's test client)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ecredit.audit.models import AuditEntry
from ecredit.credit import services
from ecredit.credit.models import CreditEvent, Evaluation
from ecredit.policy.packs import active_pack
from tests.cast import Cast
from tests.credit.archive import BEYOND, IN_FORCE, by, event, extend, history, shop
from tests.registry.helpers import register

pytestmark = pytest.mark.django_db

NOTICE = "本评分标准为默认方案，可由主管部门调整。"


def test_it_shows_an_officer_the_archive_with_reasons_articles_history_and_events(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    stored = history(cast.credit_officer, entity)
    pack = active_pack()
    page = cast.client_for(cast.inspector).get(reverse("credit:entity", args=[entity.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="grade">C<' in body and "警示" in body and "67.0" in body
    assert pack.id in body and stored[-1].pack_sha256[:12] in body and NOTICE in body
    # Each reason cites its articles; the text is on hover.
    assert "网销商品抽查不合格" in body and "商品页面未说明主要信息" in body and "已备案且备案有效" in body
    article = pack.articles["10.2"]
    assert f'<abbr title="{article.text[:20]}' in body and f">{article.title}</abbr>" in body
    # The history: a chart drawn on the server (no script, no inline style) and a table.
    assert "<svg" in body and 'data-day="2024-04-30" data-score="85"' in body and 'data-score="67"' in body
    assert "<script" not in body.split("</head>")[1] and "style=" not in body
    assert body.count('<span class="grade grade-B">B</span>') >= 1
    # The events with their sources, evidence and status; reasons link to them.
    failed = CreditEvent.objects.get(entity=entity, indicator="quality.sample_failed")
    assert f'id="event-{failed.pk}"' in body and f'href="#event-{failed.pk}"' in body
    assert "CJ-2024-031" in body and "秘密证据-7781" in body and "有效" in body
    assert "记录信用事件" in body  # the inspector may record


def test_it_shows_status_changes_and_an_unrated_entity(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    officer = cast.client_for(cast.credit_officer)
    assert "尚未评价" in officer.get(reverse("credit:entity", args=[entity.pk])).content.decode()
    failed = event(cast.credit_officer, entity, "quality.sample_failed", dt.date(2024, 5, 10), "CJ-2024-031")
    services.withdraw_event(
        by(cast.credit_officer), failed, reason="复检合格，异议成立", effective_on=dt.date(2024, 6, 1)
    )
    body = officer.get(reverse("credit:entity", args=[entity.pk])).content.decode()
    assert 'data-status="withdrawn"' in body and "复检合格，异议成立" in body and "已撤销（异议成立）" in body


def test_it_records_an_event_from_the_archive_and_names_the_mistakes(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    officer = cast.client_for(cast.credit_officer)
    url = reverse("credit:record", args=[entity.pk])
    page = officer.get(reverse("credit:entity", args=[entity.pk])).content.decode()
    assert 'value="quality.sample_failed"' in page and 'value="platform.rules_missing"' not in page  # seller only
    assert 'value="record.clean_24_months"' not in page  # granted by the engine, never recorded
    form = {"indicator": "listing.disclosure_missing", "occurred_on": "2024-11-02", "source_kind": "manual"}
    refused = officer.post(url, {**form, "reason": "页面缺生产者"})
    assert refused.status_code == 400 and "人工录入的信用事件必须写明证据" in refused.content.decode()
    refused = officer.post(url, {**form, "indicator": "platform.rules_missing", "evidence": "截图"})
    assert refused.status_code == 400 and not CreditEvent.objects.exists()
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    refused = officer.post(url, {**form, "occurred_on": future, "evidence": "截图", "reason": "页面缺生产者"})
    assert refused.status_code == 400 and "晚于今天" in refused.content.decode()
    done = officer.post(url, {**form, "evidence": "网页截图 2024-11-02", "reason": "页面缺生产者"})
    recorded = CreditEvent.objects.get()
    assert done.status_code == 302 and done["Location"].endswith(f"#event-{recorded.pk}")
    assert recorded.recorded_by_user_id == cast.credit_officer.pk and recorded.cites == ["10.3"]
    assert AuditEntry.objects.filter(action="credit.event.record", target_id=str(recorded.pk)).exists()
    # An auditor reads the archive but may not record.
    auditor = cast.client_for(cast.auditor)
    assert "记录信用事件" not in auditor.get(reverse("credit:entity", args=[entity.pk])).content.decode()
    assert auditor.post(url, {**form, "evidence": "x", "reason": "页面缺生产者"}).status_code == 403
    assert CreditEvent.objects.count() == 1


def test_it_refuses_a_day_outside_the_pack_until_an_extension_and_then_says_so(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    event(cast.credit_officer, entity, "filing.current", dt.date(2023, 6, 1), "NA-2023-000101", kind="filing")
    officer = cast.client_for(cast.credit_officer)
    url = reverse("credit:evaluate", args=[entity.pk])
    refused = officer.post(url, {"as_of": BEYOND.isoformat()}, follow=True)
    assert "超出政策包有效期" in refused.content.decode() and not Evaluation.objects.exists()
    extend(cast.admin)
    done = officer.post(url, {"as_of": BEYOND.isoformat()}, follow=True)
    body = done.content.decode()
    stored = Evaluation.objects.get()
    assert stored.extension_note and "延期" in stored.extension_note
    assert 'data-testid="extension-note"' in body and "南商务〔2025〕12号" in body
    assert 'fill="#ffffff"' in body  # the point resting on the extension is drawn hollow
    # An auditor reads it but may not evaluate.
    auditor = cast.client_for(cast.auditor)
    assert "评价该主体" not in auditor.get(reverse("credit:entity", args=[entity.pk])).content.decode()
    assert auditor.post(url, {"as_of": IN_FORCE.isoformat()}).status_code == 403


def test_it_shows_the_grade_distribution_searches_and_evaluates_everyone(cast: Cast) -> None:
    rated = shop(cast.credit_officer, cast.seller_a_org)
    history(cast.credit_officer, rated)
    register(cast.credit_officer, "南安市水头镇石材信用测试有限公司")
    officer = cast.client_for(cast.credit_officer)
    body = officer.get(reverse("credit:index")).content.decode()
    assert re.search(r'data-grade="C"><th scope="row">.*?</th><td>1</td>', body)
    assert re.search(r'data-grade="none"><th scope="row">.*?</th><td>1</td>', body) and NOTICE in body
    found = officer.get(reverse("credit:index"), {"q": "石材"}).content.decode()
    assert "水头镇石材" in found and "诗山镇" not in found
    graded = officer.get(reverse("credit:index"), {"grade": "C"}).content.decode()
    assert "诗山镇" in graded and "水头镇石材" not in graded
    unrated = officer.get(reverse("credit:index"), {"grade": "none"}).content.decode()
    assert "水头镇石材" in unrated and "诗山镇" not in unrated

    refused = officer.post(reverse("credit:evaluate_all"), {"as_of": BEYOND.isoformat()}, follow=True)
    assert "超出政策包有效期" in refused.content.decode() and Evaluation.objects.count() == 2
    done = officer.post(reverse("credit:evaluate_all"), {"as_of": IN_FORCE.isoformat()}, follow=True)
    assert "已评价 2 个主体" in done.content.decode() and Evaluation.objects.count() == 4
    assert "评价全部主体" not in cast.client_for(cast.inspector).get(reverse("credit:index")).content.decode()
    assert (
        cast.client_for(cast.inspector).post(reverse("credit:evaluate_all"), {"as_of": "2025-03-30"}).status_code == 403
    )


def test_it_explains_an_operators_own_grade_and_what_would_raise_it(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    history(cast.credit_officer, entity)
    body = cast.client_for(cast.seller_a).get(reverse("credit:mine")).content.decode()
    assert "您的信用得分为 67.0 分，信用等级为 C（警示）" in body
    assert "因‘网销商品抽查不合格’（第五条、第十条第（二）项、第十六条第（一）项）扣 15 分，共 1 次" in body
    assert "因‘已备案且备案有效’（第八条）加 5 分，共 1 次" in body and NOTICE in body
    # What would raise it: positives not yet earned, and the repair and expiry of each event.
    assert "签署电子商务协会自律承诺" in body and "最多还可加 3 分" in body
    assert "连续24个月无失信记录" in body
    assert "按整改通知整改，复检合格后可申请信用修复。" in body
    assert "现在即可申请信用修复" in body and "2026-05-10 起不再计分" in body
    # Never the officers' private notes on the event.
    assert "秘密证据-7781" not in body and "私下核实" not in body
    own = cast.client_for(cast.seller_a).get(reverse("credit:mine_entity", args=[entity.pk]))
    assert own.status_code == 200 and "因‘网销商品抽查不合格’" in own.content.decode()


def test_it_hides_another_operators_archive(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    history(cast.credit_officer, entity)
    other = cast.client_for(cast.seller_b)
    assert other.get(reverse("credit:mine_entity", args=[entity.pk])).status_code == 404
    assert other.get(reverse("credit:mine_entity", args=[999999])).status_code == 404
    assert entity.name not in other.get(reverse("credit:mine")).content.decode()
    assert other.get(reverse("credit:entity", args=[entity.pk])).status_code == 403
    assert other.get(reverse("credit:index")).status_code == 403


def test_it_puts_the_credit_panels_on_the_dashboards(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    history(cast.credit_officer, entity)
    officer = cast.client_for(cast.credit_officer).get(reverse("accounts:dashboard")).content.decode()
    assert 'data-testid="grade-distribution"' in officer and reverse("credit:index") in officer
    seller = cast.client_for(cast.seller_a).get(reverse("accounts:dashboard")).content.decode()
    assert 'data-testid="own-grades"' in seller and '<span class="grade grade-C">C</span> 警示' in seller
    assert "信用档案" in officer and "我的信用" in seller  # the menu
    assert "我的信用" not in officer


def test_it_says_when_a_veto_decides_the_grade(cast: Cast) -> None:
    entity = shop(cast.credit_officer, cast.seller_a_org)
    event(cast.credit_officer, entity, "filing.current", dt.date(2023, 6, 1), "NA-2023-000101", kind="filing")
    event(cast.credit_officer, entity, "conduct.14_10_pyramid_selling", dt.date(2024, 6, 1), "AJ-2024-007", kind="case")
    services.evaluate_entity(by(cast.credit_officer), entity, IN_FORCE)
    archive = cast.client_for(cast.credit_officer).get(reverse("credit:entity", args=[entity.pk])).content.decode()
    assert 'data-testid="grade">D<' in archive and "一票否决" in archive and "传销或变相传销" in archive
    assert "2027-05-31" in archive  # the veto's last day
    own = cast.client_for(cast.seller_a).get(reverse("credit:mine")).content.decode()
    assert "因“传销或变相传销”适用一票否决，2027-05-31 前信用等级定为 D" in own
    assert "该行为适用一票否决。" in own  # the pack's advice for it
