"""``policy/loader.py``: a pack that does not validate refuses to load, naming the file, the key path
and the line of every problem. Each test breaks a copy of the real pack in one way."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from ecredit.policy.loader import PackError, load_cases, load_file, problems_in
from tests.policy.helpers import PACK_ID, REAL, line_of, only, refusal, variant

NAME = f"{PACK_ID}.yaml"


def test_it_loads_the_real_pack_with_its_digest_and_path() -> None:
    pack = load_file(REAL)
    assert pack.id == PACK_ID
    assert pack.sha256 == hashlib.sha256(REAL.read_bytes()).hexdigest()
    assert pack.path == str(REAL.resolve())
    assert (pack.in_force_from, pack.in_force_until) == (dt.date(2023, 3, 31), dt.date(2025, 3, 30))
    assert pack.in_force_cites == ("25",)
    assert len(pack.indicators) == 49


def test_it_refuses_an_unknown_top_level_key(tmp_path: Path) -> None:
    path = variant(tmp_path, ("issuer: 南安市商务局\n", "issuer: 南安市商务局\ncolour: red\n"))
    error = only(refusal(path))
    assert (error.file, error.path, error.line) == (NAME, "colour", line_of(path, "colour: red"))
    assert "未知的键“colour”" in error.message


def test_it_refuses_an_unknown_key_inside_an_indicator(tmp_path: Path) -> None:
    advice = "advice: 在“我的备案”中完成备案登记并保持信息真实、有效。}"
    path = variant(tmp_path, (advice, advice[:-1] + ", colour: red}"))
    error = only(refusal(path))
    assert (error.path, error.line) == ("indicators[0].colour", line_of(path, "colour: red"))


def test_it_refuses_a_missing_key_at_the_line_of_its_mapping(tmp_path: Path) -> None:
    path = variant(tmp_path, ("title: 南安市网销商品质量安全信用评价制度（试行）\n", ""))
    error = only(refusal(path))
    assert (error.path, error.line, error.message) == ("title", line_of(path, "id: nanan-2023-trial"), "缺少必填项")


def test_it_refuses_a_duplicate_key_that_yaml_would_silently_overwrite(tmp_path: Path) -> None:
    path = variant(tmp_path, ("    title: 第八条\n", "    title: 第八条\n    title: 第八条（重复）\n"))
    error = only(refusal(path))
    assert (error.path, error.line) == ('articles["8"].title', line_of(path, "title: 第八条（重复）"))
    assert error.message == f"键“title”重复（第 {line_of(path, 'title: 第八条')} 行已出现）"


def test_it_refuses_an_article_written_twice(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        ('  "25":\n', '  "25":\n    title: 第二十五条\n    nature: duty\n    text: 另一段\n  "25":\n'),
    )
    error = only(refusal(path))
    assert (error.path, error.line) == ('articles["25"]', line_of(path, '"25":', occurrence=2))


def test_it_refuses_a_date_that_does_not_exist(tmp_path: Path) -> None:
    path = variant(tmp_path, ("until: 2025-03-30, cites", "until: 2025-02-30, cites"))
    error = only(refusal(path))
    assert (error.path, error.line) == ("in_force.until", line_of(path, "until: 2025-02-30"))
    assert error.message == "“2025-02-30”不是有效日期"


def test_it_refuses_a_date_written_as_a_string(tmp_path: Path) -> None:
    path = variant(tmp_path, ("from: 2023-03-31", 'from: "2023-03-31"'))
    error = only(refusal(path))
    assert error.path == "in_force.from" and "不要加引号" in error.message


def test_it_refuses_a_value_of_the_wrong_type(tmp_path: Path) -> None:
    path = variant(tmp_path, ("  base: 80\n", '  base: "80"\n'))
    error = only(refusal(path))
    assert (error.path, error.line) == ("score.base", line_of(path, 'base: "80"'))
    assert error.message == "应为整数，实为字符串“80”"


def test_it_reads_yes_as_a_string_not_a_boolean(tmp_path: Path) -> None:
    path = variant(tmp_path, ("ended_by: [filing.lapsed], public: true,", "ended_by: [filing.lapsed], public: yes,"))
    error = only(refusal(path))
    assert error.path == "indicators[0].public" and "实为字符串“yes”" in error.message


def test_it_refuses_an_indicator_without_a_citation(tmp_path: Path) -> None:
    path = variant(
        tmp_path, ('cites: ["10.4"], roles: [seller],\n     points: -5', "roles: [seller],\n     points: -5")
    )
    error = only(refusal(path))
    line = line_of(path, "{code: returns.refused")
    assert (error.file, error.path, error.line, error.message) == (
        NAME,
        "indicators[14].cites",
        line,
        "指标必须引用条文",
    )
    assert str(error) == f"{NAME}:{line}: indicators[14].cites: 指标必须引用条文"


def test_it_refuses_an_indicator_with_an_empty_citation_list(tmp_path: Path) -> None:
    path = variant(
        tmp_path, ('cites: ["10.4"], roles: [seller],\n     points: -5', "cites: [], roles: [seller],\n     points: -5")
    )
    error = only(refusal(path))
    assert (error.path, error.message) == ("indicators[14].cites", "指标必须引用条文")


def test_it_refuses_a_citation_of_an_article_that_does_not_exist(tmp_path: Path) -> None:
    path = variant(tmp_path, ('cites: ["12.7"]', 'cites: ["12.70"]'))
    error = only(refusal(path))
    assert (error.path, error.line) == ("indicators[26].cites[0]", line_of(path, '"12.70"'))
    assert error.message == "引用的条文“12.70”不存在（articles 中没有）"


def test_it_refuses_a_national_law_in_cites(tmp_path: Path) -> None:
    path = variant(tmp_path, ('cites: ["12.7"]', 'cites: ["电子商务法 第三十一条"]'))
    error = only(refusal(path))
    assert error.path == "indicators[26].cites[0]" and "只能写在 national_cites 中" in error.message


def test_it_refuses_an_article_of_the_regulation_in_national_cites(tmp_path: Path) -> None:
    path = variant(tmp_path, ('national_cites: ["电子商务法 第三十一条"]}', 'national_cites: ["12.2"]}'))
    error = only(refusal(path))
    assert (error.path, error.line) == (
        "retention[0].period.national_cites[0]",
        line_of(path, 'national_cites: ["12.2"]'),
    )


def test_it_refuses_two_indicators_with_one_code(tmp_path: Path) -> None:
    path = variant(tmp_path, ("{code: quality.training,", "{code: association.pledge,"))
    error = only(refusal(path))
    assert (error.path, error.line) == ("indicators[5].code", line_of(path, "{code: association.pledge", occurrence=2))
    assert (
        error.message == f"指标代码“association.pledge”重复（第 {line_of(path, '{code: association.pledge')} 行已定义）"
    )


def test_it_refuses_a_veto_triggered_by_an_unknown_indicator(tmp_path: Path) -> None:
    path = variant(tmp_path, ("triggers: [enforcement.obstruction]", "triggers: [enforcement.obstructed]"))
    error = only(refusal(path))
    assert (error.path, error.line) == ("vetoes[1].triggers[0]", line_of(path, "enforcement.obstructed"))
    assert error.message == "指标“enforcement.obstructed”不存在于政策包"


def test_it_refuses_grades_that_do_not_descend(tmp_path: Path) -> None:
    path = variant(tmp_path, ("{code: C, label: 警示, min: 60}", "{code: C, label: 警示, min: 80}"))
    error = only(refusal(path))
    assert (error.path, error.line) == ("grades[2].min", line_of(path, "min: 80"))
    assert "从高到低" in error.message


def test_it_refuses_a_role_outside_the_three_of_article_2(tmp_path: Path) -> None:
    path = variant(tmp_path, ('cites: ["9"], roles: [seller]', 'cites: ["9"], roles: [shop]'))
    error = only(refusal(path))
    assert (error.path, error.line) == ("indicators[9].roles[0]", line_of(path, "roles: [shop]"))
    assert error.message == "角色“shop”无效，应为 seller、platform、infrastructure 之一"


def test_it_refuses_a_pack_whose_id_is_not_its_file_name(tmp_path: Path) -> None:
    path = variant(tmp_path, name="other-pack.yaml")
    error = only(refusal(path))
    assert (error.file, error.path, error.line) == ("other-pack.yaml", "id", line_of(path, "id: nanan-2023-trial"))


def test_it_refuses_a_purpose_article_without_a_reason(tmp_path: Path) -> None:
    path = variant(tmp_path, ("    note: 定义“电子商务”，不设定义务。\n", ""))
    error = only(refusal(path))
    assert error.path == 'articles["1"].nature' and "note" in error.message


def test_it_refuses_inline_cases_naming_an_unknown_indicator(tmp_path: Path) -> None:
    path = variant(tmp_path)
    with path.open("a", encoding="utf-8") as out:
        out.write(
            "cases:\n"
            "  - name: 未知指标\n    role: seller\n    as_of: 2024-06-30\n"
            "    events: [{indicator: no.such_indicator, occurred_on: 2024-01-01}]\n"
            "    expect: {grade: B}\n"
        )
    error = only(refusal(path))
    assert (error.path, error.line) == ("cases[0].events[0].indicator", line_of(path, "no.such_indicator"))


def test_it_refuses_a_cases_file_naming_an_unknown_indicator(tmp_path: Path) -> None:
    pack = load_file(variant(tmp_path))
    cases = tmp_path / f"{PACK_ID}.cases.yaml"
    cases.write_text(
        "- name: 一个正常的案例\n  role: seller\n  as_of: 2024-06-30\n  events: []\n  expect: {score: 80, grade: B}\n"
        "- name: 一个写错指标的案例\n  role: seller\n  as_of: 2024-06-30\n  events:\n"
        "    - {indicator: quality.sample_failled, occurred_on: 2024-01-01}\n  expect: {grade: C, veto: veto.nothing}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as caught:
        load_cases(pack)
    first, second = caught.value.errors
    assert (first.file, first.path, first.line) == (cases.name, "[1].events[0].indicator", 10)
    assert (second.path, second.line, second.message) == ("[1].expect.veto", 11, "否决项“veto.nothing”不存在于政策包")


def test_it_loads_the_cases_beside_the_pack_and_numbers_their_events(tmp_path: Path) -> None:
    pack = load_file(variant(tmp_path))
    (tmp_path / f"{PACK_ID}.cases.yaml").write_text(
        "- name: 备案有效加5分\n  role: seller\n  as_of: 2024-06-30\n"
        "  events: [{indicator: filing.current, occurred_on: 2023-05-10}, {id: 7, indicator: badge.displayed, occurred_on: 2024-01-10}]\n"
        "  expect: {score: 88, reasons: [filing.current, {indicator: badge.displayed, points: 3}]}\n",
        encoding="utf-8",
    )
    (case,) = load_cases(pack)
    assert case.as_of == dt.date(2024, 6, 30)
    assert [event["id"] for event in case.events] == [1, 7]


def test_it_refuses_a_yaml_syntax_error_with_its_line(tmp_path: Path) -> None:
    path = variant(tmp_path, ("issuer: 南安市商务局\n", "issuer: [南安市商务局\n"))
    error = refusal(path)
    assert error.line >= line_of(path, "issuer: [") and error.message.startswith("YAML 语法错误")


def test_it_reports_every_problem_at_once_in_line_order(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        ("issuer: 南安市商务局\n", "issuer: 南安市商务局\ncolour: red\n"),
        ("until: 2025-03-30, cites", "until: 2025-02-30, cites"),
        ('cites: ["12.7"]', 'cites: ["12.70"]'),
    )
    error = refusal(path)
    assert [e.path for e in error.errors] == ["colour", "in_force.until", "indicators[26].cites[0]"]
    assert str(error).splitlines() == [e.line_text() for e in error.errors]
    assert [e.line_text() for e in problems_in(path)] == [e.line_text() for e in error.errors]


@pytest.mark.parametrize(
    ("key", "written", "message"),
    [
        ("max", "0", "不能小于 1"),
        ("max", "-3", "不能小于 1"),
        ("max", '"9"', "应为整数，实为字符串"),
        ("lookback_months", "0", "不能小于 1"),
        ("lookback_months", "24.5", "应为整数"),
    ],
)
def test_it_refuses_a_draw_weight_that_is_not_a_positive_integer(
    tmp_path: Path, key: str, written: str, message: str
) -> None:
    real = {"max": "9", "lookback_months": "24"}[key]
    path = variant(tmp_path, (f"    {key}: {real}\n", f"    {key}: {written}\n"))
    error = only(refusal(path))
    assert (error.file, error.path, error.line) == (
        NAME,
        f"sampling.draw_weight.{key}",
        line_of(path, f"{key}: {written}"),
    )
    assert error.message.startswith(message)


def test_it_refuses_a_draw_weight_without_a_citation(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        ('    max: 9\n    lookback_months: 24\n    cites: ["5", "16.1"]\n', "    max: 9\n    lookback_months: 24\n"),
    )
    error = only(refusal(path))
    assert (error.path, error.message) == ("sampling.draw_weight.cites", "抽取权重必须引用条文")
