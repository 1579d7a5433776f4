"""The installed pack nanan-2023-trial: the regulation verbatim, and its figures with their citations."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from ecredit.policy.model import DUTY_NATURES, Pack
from ecredit.policy.packs import active_pack, all_packs, load_pack
from tests.policy.helpers import PACK_ID

TEXT = Path(__file__).resolve().parent / "data" / f"{PACK_ID}.zh.txt"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "regulation" / f"{PACK_ID}.zh.txt"
NUMERALS = "一二三四五六七八九十"


def number(chinese: str) -> int:
    """一 … 二十五."""
    tens, _, units = chinese.rpartition("十")
    if "十" not in chinese:
        return NUMERALS.index(chinese) + 1
    return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (NUMERALS.index(units) + 1 if units else 0)


def regulation() -> dict[str, tuple[str, str]]:
    """ref → (title, text) read straight from the published text, independently of the loader."""
    found: dict[str, tuple[str, str]] = {}
    article = ""
    for line in TEXT.read_text(encoding="utf-8").splitlines():
        if line.startswith("为维护"):
            found["0"] = ("序言", line)
        elif match := re.fullmatch(r"第([一二三四五六七八九十]+)条 (.*)", line):
            article = str(number(match[1]))
            found[article] = (f"第{match[1]}条", match[2])
        elif match := re.fullmatch(r"（([一二三四五六七八九十]+)）(.*)", line):
            found[f"{article}.{number(match[1])}"] = (f"{found[article][0]}第（{match[1]}）项", match[2])
    return found


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(PACK_ID)


def test_it_keeps_a_copy_of_the_regulation_identical_to_the_shared_one() -> None:
    if not SHARED.is_file():
        pytest.skip("the shared regulation text is not beside this checkout")
    assert TEXT.read_bytes() == SHARED.read_bytes()


def test_it_has_all_25_articles_and_the_preamble(pack: Pack) -> None:
    whole = [ref for ref in pack.articles if "." not in ref]
    assert whole == ["0", *(str(n) for n in range(1, 26))]
    assert pack.articles["0"].title == "序言"
    assert pack.articles["25"].title == "第二十五条"


def test_it_has_every_article_and_item_verbatim(pack: Pack) -> None:
    source = regulation()
    # Art. 9 numbers its cases "1．" and "2．" inside the sentence: the pack splits them as 9.1 and 9.2.
    nine = pack.articles["9"].text + "1．" + pack.articles["9.1"].text + "2．" + pack.articles["9.2"].text
    assert nine == source.pop("9")[1]
    assert set(pack.articles) - {"9", "9.1", "9.2"} == set(source)
    for ref, (title, text) in source.items():
        assert (ref, pack.articles[ref].title, pack.articles[ref].text) == (ref, title, text)
    assert "1．消费者定作的" in pack.articles["10.4"].text  # the exceptions stay inside 10.4
    assert pack.articles["10"].items == tuple(f"10.{n}" for n in range(1, 10))
    assert len(pack.articles) == 74


def test_it_says_what_each_article_does_and_why_when_nothing_implements_it(pack: Pack) -> None:
    natures = {ref: article.nature for ref, article in pack.articles.items()}
    assert all(natures[f"14.{n}"] == "prohibition" for n in range(1, 13))
    assert all(natures[f"16.{n}"] == "power" for n in range(1, 5))
    assert (natures["1"], natures["2"], natures["3"], natures["25"]) == (
        "definition",
        "scope",
        "organisation",
        "interpretation",
    )
    for article in pack.articles.values():
        if article.nature not in DUTY_NATURES:
            assert article.note, article.ref


def test_it_applies_the_stricter_national_retention_period(pack: Pack) -> None:
    records = pack.retention_for("transaction_records")
    assert (records.period.value, records.period.cites) == (2, ("10.6", "12.2"))
    assert (records.period.national_value, records.period.national_cites) == (3, ("电子商务法 第三十一条",))
    assert records.years == 3 and records.cites == ("电子商务法 第三十一条",)
    assert records.until(dt.date(2024, 2, 29)) == dt.date(2027, 2, 28)
    identity = pack.retention_for("licence_or_identity")
    assert (identity.years, identity.cites) == (2, ("12.2",))
    assert pack.retention_for("user_access_logs").days == 60


def test_it_cites_national_law_alone_where_the_regulation_sets_no_figure(pack: Pack) -> None:
    assert pack.sampling is not None and pack.returns is not None
    retest = pack.sampling.retest
    assert (retest.applied, retest.unit, retest.regulation_silent) == (15, "days", True)
    assert retest.applied_cites == ("产品质量法 第十五条",) and retest.cites == ("16.1",)
    assert pack.sampling.publish.applied == 20 and pack.sampling.publish.unit == "working_days"
    assert set(pack.sampling.annual_ratio) == {"A", "B", "C", "D", "unrated"}
    weight = pack.sampling.draw_weight
    assert weight is not None and (weight.max, weight.lookback_months, weight.cites) == (9, 24, ("5", "16.1"))
    assert "默认方案" in weight.note and [weight.weight(n) for n in (0, 1, 8, 20)] == [1, 2, 9, 9]
    window = pack.returns.window
    assert (window.applied, window.applied_cites, pack.returns.start) == (7, ("10.4",), "received")
    assert pack.returns.refund is not None and pack.returns.refund.applied_cites == ("消费者权益保护法 第二十五条",)


def test_it_lists_the_five_return_exceptions_and_the_disclosure_items(pack: Pack) -> None:
    assert pack.returns is not None and pack.listing_disclosure is not None
    codes = [e.code for e in pack.returns.exceptions]
    assert codes == ["custom_made", "perishable", "digital_opened", "newspapers", "confirmed_unsuitable"]
    assert [e.needs_confirmation for e in pack.returns.exceptions] == [False, False, False, False, True]
    text = pack.articles["10.3"].text
    for label in pack.listing_disclosure.required.values():
        assert label.split("（")[0] in text
    assert list(pack.listing_disclosure.required)[:2] == ["name", "producer"]
    assert list(pack.conduct) == [f"14.{n}" for n in range(1, 13)]


def test_it_serves_the_installed_pack_from_the_settings() -> None:
    assert active_pack().id == PACK_ID
    assert [p.id for p in all_packs()] == [PACK_ID]
    assert active_pack() is load_pack(PACK_ID)  # cached
