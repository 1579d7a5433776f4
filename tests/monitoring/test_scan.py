"""The listing scan: normalisation with its offset map, every term list, the disclosure check, the command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from ecredit.monitoring import scan
from ecredit.policy.model import Pack
from ecredit.policy.packs import load_pack

PACK_ID = "nanan-2023-trial"
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
TEXT = st.text(
    st.one_of(CJK, st.characters(codec="utf-8", exclude_categories=("Cs",)), st.sampled_from("　，。！ ·*-_\u200b")),
    max_size=60,
)
SEPARATORS = st.text(st.sampled_from(" 　,，.。!！*·-_/\\|\u200b\u200d"), min_size=0, max_size=3)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(PACK_ID)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_it_maps_every_normalised_character_back_to_the_original(text: str) -> None:
    norm = scan.normalise(text)
    assert len(norm.offsets) == len(norm.text)
    assert list(norm.offsets) == sorted(norm.offsets)
    assert all(0 <= offset < len(text) for offset in norm.offsets)
    # each normalised character comes from the original character its offset names
    for index, offset in enumerate(norm.offsets):
        assert norm.text[index] in scan.normalise(text[offset]).text
    assert norm.text == scan.normalise_fast(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(CJK, SEPARATORS), min_size=1, max_size=20))
def test_it_ignores_separators_slipped_between_characters(parts: list[tuple[str, str]]) -> None:
    plain = "".join(char for char, _sep in parts)
    evasive = "".join(char + sep for char, sep in parts)
    assert scan.normalise(evasive).text == scan.normalise(plain).text


@settings(max_examples=100, deadline=None)
@given(TEXT, TEXT)
def test_it_reports_a_span_of_the_original_text_that_normalises_to_the_term(before: str, after: str) -> None:
    pack = load_pack(PACK_ID)
    text = before + "高 仿" + after
    findings = [f for f in scan.scan_text(pack, text) if f.term == "高仿"]
    assert findings
    for finding in findings:
        assert finding.span is not None
        start, end = finding.span
        assert scan.normalise_fast(text[start:end]) == "高仿"
        assert finding.matched == text[start:end] and finding.matched in finding.context


@pytest.mark.parametrize(
    ("text", "list_code", "term", "cites"),
    [
        ("本品为国家级产品，效果最佳", "absolute_claims", "国家级", ("14.5", "广告法 第九条")),
        ("包装印有国家免检标志", "fake_marks", "国家免检", ("14.4",)),
        ("南安市商务局推荐：商务局推荐产品", "impersonation", "商务局推荐", ("14.7",)),
        ("加入即可发展下线，下线提成高", "pyramid_selling", "发展下线", ("14.10",)),
        ("高仿名牌包，原单品质", "counterfeit_signals", "高仿", ("14.9",)),
        ("特价商品，最终解释权归本店所有", "unfair_terms", "最终解释权归本店所有", ("14.6", "10.5")),
    ],
)
def test_it_finds_a_term_of_every_list_with_its_basis(
    pack: Pack, text: str, list_code: str, term: str, cites: tuple[str, ...]
) -> None:
    findings = [f for f in scan.scan_text(pack, text) if f.list == list_code and f.term == term]
    assert findings and findings[0].cites == cites
    start, end = findings[0].span or (0, 0)
    assert text[start:end] == term


def test_it_matches_full_width_traditional_and_spaced_out_text(pack: Pack) -> None:
    text = "全 網 第 一！ 超Ａ貨，概．不．退．換"
    terms = {f.term for f in scan.scan_text(pack, text)}
    assert {"全网第一", "A货", "超A", "概不退换"} <= terms


def test_it_finds_nothing_in_a_clean_text(pack: Pack) -> None:
    assert scan.scan_text(pack, "纯棉短袖T恤，透气舒适，支持七天无理由退货。") == []


def test_it_keeps_the_longest_match_of_a_list(pack: Pack) -> None:
    findings = scan.scan_text(pack, "一经售出概不退换")
    assert [f.term for f in findings] == ["一经售出概不退换"]


def test_it_does_not_raise_unsealing_terms_for_goods_where_they_are_lawful(pack: Pack) -> None:
    assert [f.term for f in scan.scan_text(pack, "拆封不退", category="clothing")] == ["拆封不退"]
    assert scan.scan_text(pack, "拆封不退", category="cosmetics") == []


COMPLETE = {
    "name": "纯棉T恤",
    "producer": "南安市某服饰有限公司",
    "category": "服装",
    "quantity": "1件",
    "quality": "合格品",
    "price": "¥59.00",
    "shipping_fee": "包邮",
    "delivery_method": "快递",
    "delivery_area": "全国（港澳台除外）",
    "payment": "在线支付",
    "return_policy": "支持七天无理由退货",
}


def test_it_passes_a_listing_that_says_everything(pack: Pack) -> None:
    assert scan.check_disclosure(pack, COMPLETE, category="clothing") == []


def test_it_names_each_missing_or_implausible_field(pack: Pack) -> None:
    listing = {**COMPLETE, "producer": "", "price": "面议", "shipping_fee": "看情况"}
    found = {f.term: f.reason for f in scan.check_disclosure(pack, listing, category="clothing")}
    assert set(found) == {"producer", "price", "shipping_fee"}
    assert found["producer"] == "未说明生产者（提供者）"
    assert "面议" in found["price"]


def test_it_flags_a_return_policy_denying_the_statutory_right(pack: Pack) -> None:
    listing = {**COMPLETE, "return_policy": "本店商品一经售出概不退换"}
    found = scan.check_disclosure(pack, listing, category="clothing")
    assert [f.term for f in found] == ["return_policy"] and "10.4" in found[0].cites
    assert scan.check_disclosure(pack, listing, category="fresh") == []


def test_it_scans_every_field_of_a_listing(pack: Pack) -> None:
    listing = {**COMPLETE, "description": "原单高仿", "shipping_fee": "", "return_policy": "概不退换"}
    found = scan.scan_listing(pack, listing, category="clothing")
    assert {(f.field, f.list) for f in found} >= {
        ("description", "counterfeit_signals"),
        ("return_policy", "unfair_terms"),
        ("shipping_fee", "disclosure"),
        ("return_policy", "disclosure"),
    }


def test_it_builds_the_automaton_once_per_pack(pack: Pack) -> None:
    assert scan.scanner(pack) is scan.scanner(pack)


def run(*args: str) -> str:
    out = StringIO()
    call_command("monitoring", *args, stdout=out)
    return out.getvalue()


def test_it_prints_findings_as_json_with_list_term_span_and_cites() -> None:
    findings = json.loads(run("scan", "--text", "高 仿名牌，全网第一", "--json"))
    assert [(f["list"], f["term"], f["span"]) for f in findings] == [
        ("counterfeit_signals", "高仿", [0, 3]),
        ("absolute_claims", "全网第一", [6, 10]),
    ]
    assert all(f["cites"] for f in findings)


def test_it_prints_an_empty_list_for_a_clean_text() -> None:
    assert json.loads(run("scan", "--text", "纯棉T恤", "--json")) == []
    assert "未发现问题" in run("scan", "--text", "纯棉T恤")
