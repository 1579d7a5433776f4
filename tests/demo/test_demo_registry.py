"""The demo registry: what a newcomer opening `make run` relies on seeing.

The demo is loaded once for the module (it takes seconds) inside a transaction that is rolled
back at the end; each test runs in a savepoint inside it."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from ecredit.accounts.actors import cli_actor
from ecredit.accounts.models import User
from ecredit.audit.models import AuditEntry
from ecredit.demo import registry_data
from ecredit.demo.data import ORGS
from ecredit.demo.registry_data import TOWNSHIPS
from ecredit.demo.services import load_demo, registry_summary
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
