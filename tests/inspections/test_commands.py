"""``ecredit inspections draws | export-draw | verify-draw`` as a person at the shell runs them."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from ecredit.inspections import services
from ecredit.inspections.models import Draw, Sample
from tests.cast import Cast
from tests.inspections.helpers import drawn_plan, make_world, sample_for, with_report


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("inspections", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def exported(cast: Cast, tmp_path: Path) -> dict:
    world = make_world(cast, sellers=30)
    today = timezone.localdate()
    # A whole year: 29 unrated sellers × 10 % gives three random targets.
    drawn_plan(world, period_start=today - dt.timedelta(days=100), period_end=today + dt.timedelta(days=264))
    record = Draw.objects.get()
    return json.loads(run("export-draw", str(record.pk)))


def _write(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_it_lists_the_draws_as_json(exported: dict) -> None:
    (row,) = json.loads(run("draws", "--json"))
    assert row["id"] == exported["plan"]["draw_id"]
    assert row["plan"] == exported["plan"]["name"]
    assert len(row["date"]) == 10


def test_it_exports_the_keys_acceptance_relies_on(exported: dict) -> None:
    assert {"seed", "commitment", "eligible", "selected"} <= set(exported)
    assert {"code", "weight"} <= set(exported["eligible"][0])


def test_it_verifies_an_exported_draw(exported: dict, tmp_path: Path) -> None:
    assert run("verify-draw", _write(tmp_path, exported)).strip() == "draw verified"


def _refused(path: str) -> CommandError:
    with pytest.raises(CommandError) as refused:
        run("verify-draw", path)
    assert refused.value.returncode == 1
    return refused.value


def test_it_rejects_a_changed_seed(exported: dict, tmp_path: Path) -> None:
    exported["seed"] = ("0" if exported["seed"][0] != "0" else "1") + exported["seed"][1:]
    assert "commitment" in str(_refused(_write(tmp_path, exported)))


def test_it_rejects_a_changed_weight(exported: dict, tmp_path: Path) -> None:
    exported["eligible"][0]["weight"] += 1
    assert "eligible_sha256" in str(_refused(_write(tmp_path, exported)))


def test_it_rejects_a_changed_selection(exported: dict, tmp_path: Path) -> None:
    outsider = next(e["code"] for e in exported["eligible"] if e["code"] not in exported["selected"])
    assert len(exported["selected"]) == 3
    exported["selected"][0] = outsider
    assert str(_refused(_write(tmp_path, exported))).startswith("selected[0]")


def test_it_rejects_a_file_that_is_not_a_draw_record(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("not json", encoding="utf-8")
    assert "JSON" in str(_refused(str(path)))


def test_it_says_so_when_a_draw_does_not_exist(db: None) -> None:
    with pytest.raises(CommandError) as refused:
        run("export-draw", "999")
    assert refused.value.returncode == 2


def test_it_sweeps_closed_retest_windows_and_overdue_rectifications(cast: Cast) -> None:
    world = make_world(cast)
    plan = drawn_plan(world)
    sample = with_report(world, sample_for(world, plan.targets.get(entity=world.sellers[0])), passed=False)
    services.deliver_result(
        actor=world.officer, sample=sample, delivered_on=timezone.localdate() - dt.timedelta(days=20)
    )
    assert "复检期满确认不合格 1 个" in run("sweep")
    sample = Sample.objects.get(pk=sample.pk)
    assert sample.conclusion == "fail"
    later = sample.rectification.deadline + dt.timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda: later)
        assert "逾期未整改 1 个" in run("sweep", "--today", later.isoformat())
