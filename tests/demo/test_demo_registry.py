"""The demo registry and credit archive: what a newcomer opening `make run` relies on seeing.

The demo is loaded once for the module (it takes seconds) inside a transaction that is rolled
back at the end; each test runs in a savepoint inside it."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command, get_commands
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from ecredit.accounts.actors import SYSTEM, cli_actor
from ecredit.accounts.models import User
from ecredit.audit.models import AuditEntry
from ecredit.credit import services as credit
from ecredit.credit.models import CreditEvent, Evaluation, EventStatus
from ecredit.demo import credit_data, registry_data
from ecredit.demo.data import ORGS
from ecredit.demo.registry_data import TOWNSHIPS
from ecredit.demo.services import credit_summary, load_demo, registry_summary
from ecredit.policy.models import PackExtension
from ecredit.policy.packs import active_pack
from ecredit.registry import codes, services
from ecredit.registry.models import Entity, Filing, FilingStatus, Permit, Storefront, Website

pytestmark = pytest.mark.django_db
SELLER_ORG = next(org.name for org in ORGS if org.key == "seller")
PLATFORM_ORG = next(org.name for org in ORGS if org.key == "platform")


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        load_demo(actor=cli_actor("ecredit demo"))
        yield
        transaction.set_rollback(True)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_a_few_hundred_entities_in_the_citys_townships_and_industries() -> None:
    assert 200 <= Entity.objects.count() <= 400
    townships = set(Entity.objects.exclude(township="").values_list("township", flat=True))
    assert set(TOWNSHIPS) <= townships
    industries = set(Entity.objects.values_list("industry", flat=True))
    assert {"卫浴水暖", "石材", "茶叶", "食品", "服装鞋帽", "光电信息", "建材家居", "五金机械"} <= industries
    assert Entity.objects.filter(name__startswith="南安市仑苍", industry="卫浴水暖").exists()
    assert Entity.objects.filter(is_platform=True).count() == 3
    assert Entity.objects.filter(is_infrastructure=True).count() == 2
    other = Entity.objects.get(kind="other_org")
    assert other.uscc is not None and other.uscc.startswith("Y1")
    assert Entity.objects.filter(kind="individual_business").count() >= 20


def test_codes_are_valid_and_some_are_registered_outside_the_city() -> None:
    for entity in Entity.objects.exclude(uscc=None):
        assert services.check_uscc(entity.uscc or "").valid, entity.name
    outside = Entity.objects.filter(in_jurisdiction=False)
    assert 5 <= outside.count() <= 30
    assert set(outside.values_list("division_code", flat=True)) <= {"350502", "350581", "350582", "350203"}
    page = signed_in("credit").get("/registry/", {"jurisdiction": "out"}).content.decode()
    assert "辖区外登记" in page


def test_natural_persons_are_masked_on_every_page_of_the_list() -> None:
    people = list(Entity.objects.filter(kind="natural_person"))
    assert 5 <= len(people) <= 20
    assert any(person.must_register for person in people) and not all(person.must_register for person in people)
    full_ids = [str(person.resident_id) for person in people]
    assert all(codes.check_resident_id(full).valid for full in full_ids)
    client = signed_in("credit")
    seen = ""
    for number in range(1, 20):
        response = client.get("/registry/", {"page": number})
        assert response.status_code == 200
        body = response.content.decode()
        seen += body
        if "下一页" not in body:
            break
    else:
        pytest.fail("the list never ended")
    for person in people:
        assert str(person.resident_id) not in seen
        assert person.resident_id_masked in seen and "********" in person.resident_id_masked


def test_the_review_queue_has_filings_waiting() -> None:
    waiting = Filing.objects.filter(status=FilingStatus.SUBMITTED)
    assert waiting.count() >= 20
    assert registry_summary().waiting == waiting.count()
    page = signed_in("credit").get("/registry/review/").content.decode()
    assert all(filing.number in page for filing in waiting)


def test_filings_come_in_a_realistic_mix_of_states() -> None:
    total = Entity.objects.count()
    by_status = {status: Filing.objects.filter(status=status).count() for status in FilingStatus.values}
    assert 0.6 * total <= by_status[FilingStatus.APPROVED] <= 0.8 * total
    assert by_status[FilingStatus.RETURNED] >= 5
    assert by_status[FilingStatus.SUSPENDED] == 2
    assert by_status[FilingStatus.REVOKED] == 1
    assert by_status[FilingStatus.DEREGISTERED] == 1
    assert Entity.objects.filter(filing__isnull=True).exists()
    for filing in Filing.objects.filter(status=FilingStatus.RETURNED):
        assert filing.current_version is not None and len(filing.current_version.review_reasons) >= 4
    amended = [f for f in Filing.objects.all() if f.versions.count() > 1]
    assert len(amended) >= 4
    for filing in amended:
        rows = services.compare_versions(filing, 1, 2)
        assert any(left != right for _name, left, right in rows)
    revoked = Filing.objects.get(status=FilingStatus.REVOKED)
    assert not revoked.entity.badges.filter(revoked_at__isnull=True).exists()
    deregistered = Filing.objects.get(status=FilingStatus.DEREGISTERED)
    assert deregistered.retain_until is not None


def test_websites_and_storefronts_are_well_formed() -> None:
    approved = Filing.objects.filter(status=FilingStatus.APPROVED).count()
    with_sites = Entity.objects.filter(filing__status=FilingStatus.APPROVED, websites__isnull=False).distinct()
    assert 0.25 * approved <= with_sites.count() <= 0.6 * approved
    for site in Website.objects.all():
        assert codes.clean_domain(site.domain) == site.domain
        assert site.domain.split(".")[-2].endswith("-demo") or site.domain.split(".")[-3].endswith("-demo")
        assert not site.ip or codes.clean_ip(site.ip) == site.ip
    sellers = Entity.objects.filter(is_seller=True).count()
    on_platforms = Entity.objects.filter(storefronts__isnull=False).distinct().count()
    assert 0.25 * sellers <= on_platforms <= 0.55 * sellers
    for shop in Storefront.objects.select_related("platform"):
        platform_domain = shop.platform.websites.get().domain.removeprefix("www.")
        assert codes.clean_domain(shop.shop_url).endswith(platform_domain)


def test_food_and_tea_permits_include_some_due_and_some_lapsed() -> None:
    permits = Permit.objects.select_related("entity")
    assert permits.count() >= 30
    assert {p.entity.industry for p in permits} <= {"食品", "茶叶", "服装鞋帽"}
    assert all(re.fullmatch(r"(JY|SC)[0-9]{14}", p.number) for p in permits)
    warnings = services.permit_warnings()
    assert 1 <= sum(w.expired for w in warnings) <= 2
    assert sum(not w.expired for w in warnings) >= 3


def test_the_demo_seller_has_something_to_see() -> None:
    entity = Entity.objects.get(organisation__name=SELLER_ORG)
    filing = entity.filing
    assert filing.status == FilingStatus.APPROVED and filing.versions.count() == 2
    assert entity.websites.count() == 2 and entity.storefronts.exists()
    assert any(not w.expired for w in services.permit_warnings(entities=Entity.objects.filter(pk=entity.pk)))
    mine = signed_in("seller").get(f"/registry/mine/{entity.pk}/")
    assert mine.status_code == 200 and entity.name in mine.content.decode()
    path = registry_summary().seller_badge_path
    assert re.fullmatch(r"/verify/[^/]+/", path)
    badge = Client().get(path)
    assert badge.status_code == 200 and 'data-state="valid"' in badge.content.decode()
    platform = Entity.objects.get(organisation__name=PLATFORM_ORG)
    assert platform.is_platform and platform.filing.status == FilingStatus.APPROVED
    assert platform.hosted_storefronts.count() >= 50


def test_every_step_is_audited_and_the_chain_verifies() -> None:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "audit chain OK" in out.getvalue()
    registered = AuditEntry.objects.filter(action="registry.entity.register")
    assert registered.count() == Entity.objects.count()
    labels = set(registered.values_list("actor_label", flat=True))
    assert labels == {"林信用（credit）", "洪店主（seller）", "蔡平台（platform）"}
    approvals = AuditEntry.objects.filter(action="registry.filing.approve")
    assert set(approvals.values_list("actor_label", flat=True)) == {"林信用（credit）"}


def test_the_data_is_the_same_every_time() -> None:
    today = timezone.localdate()
    first, second = registry_data.build(today), registry_data.build(today)
    assert first == second
    assert registry_data.build(today + dt.timedelta(days=1))[-1].name == first[-1].name
    assert len({e.name for e in first}) == len(first)


# --- the credit archive ---------------------------------------------------------------------------


def grades_on(day: dt.date) -> Counter[str]:
    return Counter(Evaluation.objects.filter(batch=True, as_of=day).values_list("grade", flat=True))


def test_grades_spread_over_a_to_d_with_most_basically_trustworthy() -> None:
    today = timezone.localdate()
    grades = grades_on(today)
    assert sum(grades.values()) == Entity.objects.count()
    assert grades["B"] > 0.7 * sum(grades.values())
    assert 10 <= grades["A"] <= 40 and 5 <= grades["C"] <= 20 and 2 <= grades["D"] <= 3
    assert credit_summary().grades == dict(grades) and credit_summary().as_of == today
    # Two points of grade history for everyone: 30 June and today.
    assert sum(grades_on(credit_data.mid_year(today)).values()) == Entity.objects.count()
    veto = Evaluation.objects.get(as_of=today, veto_code="veto.pyramid_selling")
    assert veto.grade == "D"


def test_the_admin_extended_the_pack_and_every_evaluation_says_so() -> None:
    pack = active_pack()
    extension = PackExtension.objects.get(pack_id=pack.id)
    assert extension.until == credit_data.EXTENSION_UNTIL and extension.recorded_by == "李管理（admin）"
    assert "第二十五条" in extension.reason and "继续试行" in extension.reason
    assert AuditEntry.objects.filter(action="policy.extension.record", actor_label="李管理（admin）").count() == 1
    rows = Evaluation.objects.filter(as_of__gt=pack.in_force_until)
    assert rows.exists() and not rows.exclude(extension_note__contains=extension.reason).exists()
    assert all(str(extension.until) in note for note in rows.values_list("extension_note", flat=True).distinct())


def test_every_approved_filing_has_its_filing_current_event_and_lapsed_ones_a_lapse() -> None:
    for filing in Filing.objects.exclude(approved_version=None).select_related("entity"):
        current = CreditEvent.objects.get(entity=filing.entity, indicator="filing.current")
        assert (current.source_kind, current.source_ref) == ("filing", filing.number)
        assert current.recorded_by == "林信用（credit）（备案联动）"
        lapsed = CreditEvent.objects.filter(entity=filing.entity, indicator="filing.lapsed").count()
        ended = filing.status in (FilingStatus.SUSPENDED, FilingStatus.REVOKED, FilingStatus.DEREGISTERED)
        assert lapsed == (1 if ended else 0), filing.number
    never = Entity.objects.filter(filing__approved_version=None) | Entity.objects.filter(filing=None)
    assert not CreditEvent.objects.filter(entity__in=never, indicator="filing.current").exists()


def test_the_history_goes_back_to_the_trial_and_has_one_withdrawal_and_one_repair() -> None:
    history = CreditEvent.objects.exclude(indicator__startswith="filing.")
    today = timezone.localdate()
    assert history.values("entity").distinct().count() >= 55
    assert min(history.values_list("occurred_on", flat=True)) < dt.date(2024, 4, 1)
    assert max(history.values_list("occurred_on", flat=True)) < today
    kinds = set(history.values_list("indicator", flat=True))
    assert {"quality.sample_failed", "quality.sample_passed", "complaint.unresolved", "enforcement.penalty"} <= kinds
    assert {"quality.training", "association.pledge", "conduct.14_10_pyramid_selling"} <= kinds
    assert sorted(EventStatus.objects.values_list("status", flat=True)) == ["repaired", "withdrawn"]
    repaired = EventStatus.objects.get(status="repaired").event
    assert repaired.entity.organisation is not None and repaired.entity.organisation.name == SELLER_ORG
    assert EventStatus.objects.get(status="withdrawn").event.indicator == "quality.sample_failed"
    # All of it through the credit service (audited), and the same every time.
    assert AuditEntry.objects.filter(action="credit.event.record").count() == CreditEvent.objects.count()
    specs = registry_data.build(today)
    assert credit_data.build(specs, today) == credit_data.build(specs, today)


def test_the_stored_grades_are_what_the_engine_answers_entity_by_entity() -> None:
    today = timezone.localdate()
    rows = Evaluation.objects.filter(batch=True, as_of=today).select_related("entity").order_by("pk")
    checked = [row for row in rows if row.grade != "B"] + list(rows.filter(grade="B")[:20])
    for row in checked:
        answer = credit.evaluate_entity(SYSTEM, row.entity, today, store=False)
        assert (answer.score, answer.grade, answer.reasons) == (row.score, row.grade, row.reasons), row.entity.name


def test_the_credit_command_shows_the_demo_seller() -> None:
    if "credit" not in get_commands():
        pytest.skip("`ecredit credit` is not there yet")
    entity = Entity.objects.get(organisation__name=SELLER_ORG)
    out = io.StringIO()
    call_command("credit", "show", entity.uscc, "--json", stdout=out)
    shown = json.dumps(json.loads(out.getvalue()), ensure_ascii=False)
    latest = Evaluation.objects.filter(entity=entity).order_by("-as_of", "-created_at").first()
    assert latest is not None and latest.grade == "A"
    assert str(entity.uscc) in shown and f'"grade": "{latest.grade}"' in shown
