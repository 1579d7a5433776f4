"""The 7-day return rules' YAML cases: each one, and every branch of the checker reached by one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecredit.monitoring import returns
from ecredit.policy.packs import PACK_DIR, load_pack

PACK_ID = "nanan-2023-trial"
CASES_FILE = PACK_DIR / f"{PACK_ID}.returns.cases.yaml"


def load_cases(path: Path) -> list[dict[str, Any]]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(cases, list) and cases
    return cases


def goods_of(raw: dict[str, Any]) -> returns.Goods:
    facts = dict(raw)
    intact = not facts.pop("not_intact", False)
    return returns.Goods(intact=intact, **facts)


CASES = load_cases(CASES_FILE)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_it_decides_each_case_as_written(case: dict[str, Any]) -> None:
    pack = load_pack(PACK_ID)
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(returns.ReturnsInputError) as caught:
            returns.check(pack, goods_of(case["goods"]))
        assert caught.value.field == expect["error"]
        return
    decision = returns.check(pack, goods_of(case["goods"]))
    assert decision.returnable is expect["returnable"]
    assert decision.deadline == expect["deadline"]
    assert [reason.code for reason in decision.reasons] == expect["reasons"]
    assert all(reason.cites and "10.4" in reason.cites for reason in decision.reasons)


def test_it_has_a_case_for_every_branch() -> None:
    pack = load_pack(PACK_ID)
    reached: set[str] = set()
    errors: set[str] = set()
    for case in CASES:
        if "error" in case["expect"]:
            errors.add(case["expect"]["error"])
        else:
            reached.update(reason.code for reason in returns.check(pack, goods_of(case["goods"])).reasons)
    assert reached == set(returns.REASON_CODES)
    assert errors == {"category", "requested"}
    flagged = {flag for case in CASES for flag in case["goods"] if flag in returns.FLAGS}
    assert flagged == set(returns.FLAGS)
    categories = {case["goods"]["category"] for case in CASES}
    assert pack.returns is not None
    assert {c.code for c in pack.returns.categories} <= categories


def test_it_cites_the_2017_measures_for_what_intact_means() -> None:
    pack = load_pack(PACK_ID)
    goods = returns.Goods(category="food", received=dt.date(2024, 5, 1), requested=dt.date(2024, 5, 2), intact=False)
    reason = next(r for r in returns.check(pack, goods).reasons if r.code == "not_intact")
    assert "一次性密封包装" in reason.text
    assert "网络购买商品七日无理由退货暂行办法 第九条第（一）项" in reason.cites
