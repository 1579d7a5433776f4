"""The dashboards' inspection panels: plan progress and overdue publications for officers, samples
waiting for the laboratory, the operator's own samples."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ecredit.inspections import services
from tests.cast import Cast
from tests.inspections.helpers import World, drawn_plan, make_world, sample_for, with_report


@pytest.fixture
def world(cast: Cast) -> World:
    return make_world(cast)


def test_it_shows_overdue_publications_and_progress_to_officers(world: World) -> None:
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.get(entity=world.sellers[0])), passed=True)
    services.deliver_result(actor=world.officer, sample=sample)
    publication = sample.publication
    publication.due_on = timezone.localdate() - dt.timedelta(days=1)
    publication.save(update_fields=["due_on"])  # as if the deadline had passed
    for user in (world.cast.inspector, world.head):
        page = world.cast.client_for(user).get("/accounts/dashboard/").content.decode()
        assert "逾期未公示" in page and sample.code in page, user
        assert plan.name in page


def test_it_shows_the_lab_its_waiting_samples_and_the_operator_its_own(world: World) -> None:
    plan = drawn_plan(world)
    sample = sample_for(world, plan.targets.get(entity=world.sellers[0]))
    services.hand_over(
        actor=world.officer, sample=sample, item="sample", handed_on=sample.received_on, from_party="甲", to_party="乙"
    )
    assert sample.code in world.cast.client_for(world.lab_user).get("/accounts/dashboard/").content.decode()
    page = world.cast.client_for(world.cast.seller_a).get("/accounts/dashboard/").content.decode()
    assert sample.code in page and "未读的抽检通知" in page
    assert sample.code not in world.cast.client_for(world.cast.seller_b).get("/accounts/dashboard/").content.decode()
