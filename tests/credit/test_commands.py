"""``ecredit credit evaluate | show | history | whatif`` as a person at the shell runs them."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ecredit.accounts.actors import SYSTEM
from ecredit.credit import services
from ecredit.credit.models import CreditEvent, Evaluation
from ecredit.policy import services as policy
from ecredit.policy.packs import PACK_DIR, active_pack
from ecredit.registry.models import Entity
from tests.credit.helpers import make_entity

DAY = "2024-06-30"
REASON = "主管部门决定延长试行期（南商务〔2025〕12号），继续适用本评分标准"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("credit", *args, stdout=out)
    return out.getvalue()


def seller_with_history() -> Entity:
    entity = make_entity("seller", name="南安市水头镇信用测试石材有限公司")
    for indicator, day, ref in (
        ("filing.current", dt.date(2021, 3, 1), "NA-2021-000007"),
        ("quality.sample_failed", dt.date(2024, 5, 10), "CJ-2024-031"),
        ("returns.refused", dt.date(2023, 1, 5), "TS-2023-12"),
    ):
        services.record_event(SYSTEM, entity, indicator, day, source_kind="inspection", source_ref=ref)
    return entity


@pytest.mark.django_db
def test_it_shows_one_json_object_with_the_keys_the_issue_names() -> None:
    entity = seller_with_history()
    data = json.loads(run("show", str(entity.uscc), "--json", "--as-of", DAY))
    assert {"code", "as_of", "pack", "pack_sha256", "base", "score", "grade", "reasons"} <= set(data)
    pack = active_pack()
    assert (data["code"], data["as_of"], data["pack"], data["pack_sha256"]) == (entity.uscc, DAY, pack.id, pack.sha256)
    assert (data["base"], data["score"], data["grade"], data["grade_label"]) == (80, 67.5, "C", "警示")
    failed = CreditEvent.objects.get(indicator="quality.sample_failed")
    assert data["reasons"][0] == {
        "indicator": "quality.sample_failed",
        "label": "网销商品抽查不合格",
        "points": -15.0,
        "count": 1,
        "cap_applied": False,
        "cites": ["5", "10.2", "16.1"],
        "public": True,
        "event_ids": [failed.pk],
    }
    assert [r["indicator"] for r in data["reasons"]] == ["quality.sample_failed", "returns.refused", "filing.current"]
    for reason in data["reasons"]:
        assert {"indicator", "points", "count", "cites"} <= set(reason)
    assert data["veto"] is None and data["extension_note"] == "" and data["evaluation_id"] is None
    assert "默认方案" in data["notice"]
    assert not Evaluation.objects.exists()  # showing stores nothing


@pytest.mark.django_db
def test_it_shows_the_reasons_in_words() -> None:
    entity = seller_with_history()
    text = run("show", str(entity.uscc), "--as-of", DAY)
    assert "得分 67.5（基础分 80）  等级 C 警示" in text
    assert "-15  网销商品抽查不合格 × 1  依据 5、10.2、16.1" in text
    assert "本评分标准为默认方案" in text


@pytest.mark.django_db
def test_it_evaluates_one_entity_stores_it_and_lists_its_history() -> None:
    entity = seller_with_history()
    assert run("evaluate", "--entity", str(entity.uscc), "--as-of", DAY) == f"{entity.uscc}\t{DAY}\t67.5\tC\n"
    run("evaluate", "--entity", str(entity.uscc), "--as-of", "2024-04-30")
    assert Evaluation.objects.filter(entity=entity).count() == 2
    lines = run("history", str(entity.uscc)).splitlines()
    assert [line.split("\t")[:3] for line in lines] == [["2024-04-30", "82.5", "B"], [DAY, "67.5", "C"]]
    assert all("\t单独\t" in line for line in lines)
    data = json.loads(run("show", str(entity.uscc), "--json", "--as-of", DAY))
    assert data["evaluation_id"] == Evaluation.objects.get(as_of=DAY).pk


@pytest.mark.django_db
def test_it_evaluates_every_entity() -> None:
    seller_with_history()
    make_entity("platform")
    output = run("evaluate", "--all", "--as-of", DAY)
    assert output.startswith("已评价 2 个主体（2024-06-30，政策包 nanan-2023-trial），等级分布：B 1，C 1")
    assert Evaluation.objects.filter(batch=True).count() == 2
    assert "尚无存档" not in run("history", str(Entity.objects.get(is_platform=True).uscc))


@pytest.mark.django_db
def test_it_says_when_a_result_rests_on_an_extension() -> None:
    entity = seller_with_history()
    with pytest.raises(CommandError) as refused:
        run("evaluate", "--entity", str(entity.uscc), "--as-of", "2026-11-28")
    assert refused.value.returncode == 2 and "超出政策包有效期" in str(refused.value)
    policy.record_extension(SYSTEM, active_pack().id, until=dt.date(2026, 12, 31), reason=REASON)
    lines = run("evaluate", "--entity", str(entity.uscc), "--as-of", "2026-11-28").splitlines()
    assert lines[0].startswith(f"{entity.uscc}\t2026-11-28\t") and "延期" in lines[1]
    data = json.loads(run("show", str(entity.uscc), "--json", "--as-of", "2026-11-28"))
    assert "延期" in data["extension_note"]


@pytest.mark.django_db
def test_it_compares_the_ledger_under_another_pack_file(tmp_path: Path) -> None:
    steady = make_entity("seller")
    services.record_event(
        SYSTEM, steady, "filing.current", dt.date(2020, 1, 1), source_kind="filing", source_ref="NA-1"
    )
    slipping = seller_with_history()
    text = (PACK_DIR / "nanan-2023-trial.yaml").read_text(encoding="utf-8")
    harsher = re.sub(r"(code: quality\.sample_failed,.*?points: )-15", r"\g<1>-30", text, count=1, flags=re.S)
    assert harsher != text
    draft = tmp_path / "nanan-2023-trial.yaml"
    draft.write_text(harsher, encoding="utf-8")
    lines = run("whatif", "--pack", str(draft), "--as-of", DAY).splitlines()
    assert (
        lines[0] == f"评价日期 {DAY}：政策包 nanan-2023-trial（A）→ nanan-2023-trial（B），共 2 个主体，等级变化 1 个。"
    )
    assert lines[1:6] == ["A \\ B\tA\tB\tC\tD", "A\t1\t0\t0\t0", "B\t0\t0\t0\t0", "C\t0\t0\t0\t1", "D\t0\t0\t0\t0"]
    assert lines[6] == f"{slipping.uscc}\t{slipping.name}\tseller\tC 67.5 → D 52.5"
    assert not Evaluation.objects.exists()
    assert len(run("whatif", "--pack", str(draft), "--as-of", DAY, "--limit", "0").splitlines()) == 7


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("show", "91350583MA0000000X", "--as-of", DAY), "没有统一社会信用代码"),
        (("whatif", "--pack", "no-such-pack", "--as-of", DAY), "没有政策包"),
        (("whatif", "--pack", "/no/such/pack.yaml", "--as-of", DAY), "找不到政策包文件"),
        (("evaluate", "--all", "--as-of", DAY, "--pack", "no-such-pack"), "没有政策包"),
    ],
)
def test_it_explains_what_it_cannot_do(args: tuple[str, ...], words: str) -> None:
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert refused.value.returncode == 2 and words in str(refused.value)


def test_it_refuses_a_malformed_day_and_both_or_neither_of_all_and_entity() -> None:
    for args in (("evaluate", "--all", "--as-of", "30/06/2024"), ("evaluate",), ("evaluate", "--all", "--entity", "X")):
        with pytest.raises(CommandError):
            run(*args)
