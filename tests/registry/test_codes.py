"""Identity codes, domains, ICP numbers and contact details: what a shop owner types and what the
registry keeps. Pure functions, no database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidFormat

from ecredit.registry import codes
from ecredit.registry.codes import USCC_ALPHABET, InvalidValue

NAN_AN = "350583"  # 南安市
LICHENG = "350502"  # 泉州市鲤城区


def make_uscc(base17: str) -> str:
    """A USCC with its check character computed (GB 32100-2015 §5), never invented."""
    return base17 + uscc.calc_check_digit(base17)


def make_resident_id(base17: str) -> str:
    """A resident ID with its check digit computed (GB 11643-1999)."""
    return base17 + ric.calc_check_digit(base17 + "0")


def wrong_check(code: str, alphabet: str) -> str:
    """The same code with a check character that is wrong but allowed."""
    return code[:-1] + next(c for c in alphabet if c != code[-1])


ENTERPRISE = make_uscc("91350583MA31K1XX5")
OTHER_AUTHORITY = make_uscc("Y1350583MA31K1XX5")
LICHENG_ENTERPRISE = make_uscc("91350502MA2XN0QB7")
PERSON = make_resident_id("35058319800101123")  # 南安 code, born 1980 — before 南安市 existed


# --- normalisation --------------------------------------------------------------------------


def test_it_turns_full_width_and_stray_spaces_into_plain_text() -> None:
    assert codes.normalise_text("\u3000南安市　卫浴 \t 有限公司ＡＢＣ１２３  ") == "南安市 卫浴 有限公司ABC123"


def test_it_gives_one_search_key_for_spacing_width_and_case_variants_of_a_name() -> None:
    assert codes.normalise_name("南安 市 卫浴（有限）公司") == codes.normalise_name("南安市卫浴(有限)公司")
    assert codes.normalise_name("Nan An ＡＢＣ 卫浴") == codes.normalise_name("nananabc卫浴")


def test_it_normalises_a_code_as_typed() -> None:
    assert codes.normalise_code(" 9135-0583 ma31 k1xx５ ") == "91350583MA31K1XX5"
    assert codes.normalise_code("350583-19800101-123x") == "35058319800101123X"


@given(st.text())
def test_it_normalises_to_a_fixed_point(raw: str) -> None:
    for normalise in (codes.normalise_text, codes.normalise_name, codes.normalise_code):
        once = normalise(raw)
        assert normalise(once) == once


@given(st.text())
def test_it_leaves_no_whitespace_in_keys_and_codes(raw: str) -> None:
    assert not any(c.isspace() for c in codes.normalise_name(raw))
    assert not any(c.isspace() or c == "-" for c in codes.normalise_code(raw))
    text = codes.normalise_text(raw)
    assert text == text.strip() and "  " not in text


# --- 统一社会信用代码 -------------------------------------------------------------------------


def test_it_accepts_an_enterprise_registered_in_the_jurisdiction() -> None:
    check = codes.check_uscc(ENTERPRISE.lower(), NAN_AN)
    assert check.valid and check.kind == "uscc" and check.reason == ""
    assert check.code == ENTERPRISE
    assert check.division_code == NAN_AN and check.in_jurisdiction is True


def test_it_accepts_an_entity_registered_elsewhere_but_says_so() -> None:
    check = codes.check_uscc(LICHENG_ENTERPRISE, NAN_AN)
    assert check.valid
    assert check.division_code == LICHENG and check.in_jurisdiction is False


def test_it_accepts_a_letter_registration_authority_that_stdnum_refuses() -> None:
    assert OTHER_AUTHORITY == "Y1350583MA31K1XX5C"
    with pytest.raises(InvalidFormat):
        uscc.validate(OTHER_AUTHORITY)  # why the module does its own shape check
    check = codes.check_uscc(OTHER_AUTHORITY, NAN_AN)
    assert check.valid and check.division_code == NAN_AN and check.in_jurisdiction is True


def test_it_names_the_expected_check_character_so_an_officer_may_override() -> None:
    check = codes.check_uscc("Y1350583MA31K1XX5D", NAN_AN)
    assert not check.valid and check.checksum_failed
    assert "校验位错误：应为 C，实为 D" in check.reason
    assert check.division_code == NAN_AN and check.in_jurisdiction is True


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_it_refuses_letters_outside_the_uscc_alphabet(letter: str) -> None:
    code = ENTERPRISE[:10] + letter + ENTERPRISE[11:]
    check = codes.check_uscc(code, NAN_AN)
    assert not check.valid and not check.checksum_failed
    assert f"第11位“{letter}”" in check.reason and "I、O、Z、S、V" in check.reason


def test_it_refuses_a_wrong_length_and_says_how_long_it_should_be() -> None:
    check = codes.check_uscc(ENTERPRISE[:-1], NAN_AN)
    assert not check.valid and not check.checksum_failed
    assert "应为18位，实为17位" in check.reason
    assert check.division_code == "" and check.in_jurisdiction is None


def test_it_refuses_letters_in_the_division_code() -> None:
    check = codes.check_uscc("91A50583MA31K1XX5C", NAN_AN)
    assert not check.valid and not check.checksum_failed
    assert "第3–8位" in check.reason and check.in_jurisdiction is None


def test_it_asks_for_the_code_when_it_is_empty() -> None:
    check = codes.check_uscc(" \u3000", NAN_AN)
    assert not check.valid and "请填写统一社会信用代码" in check.reason


uscc_bases = st.builds(
    lambda head, division, body: head + division + body,
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)


@given(uscc_bases)
def test_it_accepts_every_well_formed_code_with_its_computed_check_character(base: str) -> None:
    check = codes.check_uscc(make_uscc(base), base[2:8])
    assert check.valid and check.in_jurisdiction is True and not check.checksum_failed


@given(uscc_bases, st.sampled_from(USCC_ALPHABET))
def test_it_flags_only_the_check_character_when_only_that_is_wrong(base: str, check_char: str) -> None:
    expected = uscc.calc_check_digit(base)
    if check_char == expected:
        check_char = wrong_check(base + expected, USCC_ALPHABET)[-1]
    check = codes.check_uscc(base + check_char, NAN_AN)
    assert not check.valid and check.checksum_failed
    assert check.reason == f"校验位错误：应为 {expected}，实为 {check_char}。"


# --- 居民身份证号码 ---------------------------------------------------------------------------


def test_it_accepts_a_resident_id_whose_county_code_is_younger_than_its_holder() -> None:
    assert not ric.is_valid(PERSON)  # stdnum's county-by-year lookup would refuse this real shape
    check = codes.check_resident_id(PERSON)
    assert check.valid and check.kind == "resident_id" and check.division_code == NAN_AN


def test_it_accepts_a_lower_case_x_check_digit() -> None:
    base = next(b for b in (f"35058319900101{n:03}" for n in range(1000)) if ric.calc_check_digit(b + "0") == "X")
    check = codes.check_resident_id(base + "x")
    assert check.valid and check.code == base + "X"


def test_it_says_which_check_digit_a_resident_id_should_have() -> None:
    wrong = wrong_check(PERSON, "0123456789X")
    check = codes.check_resident_id(wrong)
    assert not check.valid and check.checksum_failed
    assert f"校验位错误：应为 {PERSON[-1]}，实为 {wrong[-1]}" in check.reason


def test_it_refuses_a_birth_date_that_does_not_exist() -> None:
    check = codes.check_resident_id(make_resident_id("35058319800230123"))
    assert not check.valid and not check.checksum_failed
    assert "出生日期无效" in check.reason and "19800230" in check.reason


def test_it_refuses_a_resident_id_of_the_wrong_length() -> None:
    assert "长度应为18位，实为17位" in codes.check_resident_id(PERSON[:-1]).reason
    assert "第一代身份证" in codes.check_resident_id("350583800101123").reason


def test_it_refuses_an_address_code_outside_any_province() -> None:
    check = codes.check_resident_id(make_resident_id("99058319800101123"))
    assert not check.valid and "前两位“99”" in check.reason and not check.checksum_failed


def test_it_refuses_letters_in_a_resident_id() -> None:
    check = codes.check_resident_id("3505831980O101123X")
    assert not check.valid and "前17位应全为数字" in check.reason and "第11位“O”" in check.reason


# --- one field for either code ------------------------------------------------------------------


def test_it_recognises_a_resident_id_in_the_code_field() -> None:
    check = codes.check_code(PERSON, NAN_AN)
    assert check.valid and check.kind == "resident_id" and check.in_jurisdiction is None


def test_it_recognises_a_uscc_in_the_code_field() -> None:
    check = codes.check_code(f" {OTHER_AUTHORITY} ", NAN_AN)
    assert check.valid and check.kind == "uscc" and check.in_jurisdiction is True


def test_it_accepts_a_uscc_that_looks_like_a_resident_id() -> None:
    # 17 digits, a digit check character and a real date in 7–14, but a USCC check character
    base = next(
        b
        for b in (f"12350519800101{n:03}" for n in range(1000))
        if uscc.calc_check_digit(b).isdigit() and uscc.calc_check_digit(b) != ric.calc_check_digit(b + "0")
    )
    check = codes.check_code(make_uscc(base), NAN_AN)
    assert check.valid and check.kind == "uscc" and check.division_code == "350519"


def test_it_explains_both_readings_of_a_mistyped_resident_id() -> None:
    wrong = wrong_check(PERSON, "0123456789")
    check = codes.check_code(wrong, NAN_AN)
    assert not check.valid and check.kind == "uscc"
    assert "如果这是居民身份证号码" in check.reason and f"应为 {PERSON[-1]}" in check.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", "请填写18位"), ("12345", "都应为18位，实为5位"), ("350583800101123", "第一代身份证号码")],
)
def test_it_says_what_length_it_expects_for_an_unknown_code(raw: str, expected: str) -> None:
    check = codes.check_code(raw, NAN_AN)
    assert check.kind == "unknown" and not check.valid and expected in check.reason


# --- masking --------------------------------------------------------------------------------------


def test_it_masks_a_resident_id_to_its_region_and_last_four() -> None:
    assert codes.mask_resident_id(PERSON) == PERSON[:6] + "********" + PERSON[-4:]


def test_it_masks_short_values_more_not_less() -> None:
    assert codes.mask_resident_id("") == ""
    assert codes.mask_resident_id("123") == "***"
    assert codes.mask_resident_id("1234567890") == "12******90"


@given(st.one_of(st.text(), st.text("0123456789Xx -", max_size=30)))
def test_it_never_reveals_more_than_the_first_six_and_last_four(raw: str) -> None:
    code = codes.normalise_code(raw)
    masked = codes.mask_resident_id(raw)
    assert len(masked) == len(code)
    shown = [i for i, c in enumerate(masked) if c != "*"]
    assert len(shown) <= 10
    for i in shown:
        assert masked[i] == code[i] and (i < 6 or i >= len(code) - 4)
    if len(code) < 18:
        assert len(shown) <= len(code) // 2


# --- domains ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("南安卫浴.中国", "xn--6krsbx82bjlt.xn--fiqs8s"),
        ("南安卫浴。中国", "xn--6krsbx82bjlt.xn--fiqs8s"),
        ("https://www.example.com/a", "www.example.com"),
        ("HTTP://Shop.Example.COM.:8080/x?y=1#z", "shop.example.com"),
        ("ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ．ｃｎ", "www.example.com.cn"),
        ("https://user@shop123.taobao.com/", "shop123.taobao.com"),
        ("example.com.", "example.com"),
    ],
)
def test_it_keeps_the_ascii_host_of_what_was_pasted(raw: str, expected: str) -> None:
    assert codes.clean_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("com.cn", "公共后缀"),
        ("中国", "公共后缀"),
        ("example.zzzz", "顶级域名“zzzz”不存在"),
        ("localhost", "顶级域名“localhost”不存在"),
        ("203.0.113.5", "IP 地址"),
        ("https://[2001:db8::1]:443/", "IP 地址"),
        ("http://203.0.113.5:8080/", "IP 地址"),
        ("my_shop.com", "“_”"),
        ("-shop.com", "连字符"),
        ("shop..com", "连续的点"),
        ("a" * 64 + ".com", "最多63个字符"),
        ("service@example.com", "电子邮箱地址"),
        ("", "请填写域名"),
    ],
)
def test_it_refuses_what_is_not_a_registrable_domain(raw: str, expected: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        codes.clean_domain(raw)
    assert expected in refused.value.message


# --- IP addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 203.0.113.5 ", "203.0.113.5"),
        ("２０３．０．１１３．５", "203.0.113.5"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
    ],
)
def test_it_gives_the_canonical_ip_address(raw: str, expected: str) -> None:
    assert codes.clean_ip(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("192.168.01.1", "IPv4"),
        ("256.1.1.1", "0–255"),
        ("2001:db8:::1", "IPv6"),
        ("fe80::1%eth0", "区域标识"),
        ("www.example.com", "“域名”栏"),
        ("", "请填写 IP 地址"),
    ],
)
def test_it_refuses_what_is_not_an_ip_address(raw: str, expected: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        codes.clean_ip(raw)
    assert expected in refused.value.message


# --- ICP numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("闽ICP备2020021857号-1", "闽ICP备2020021857号-1"),
        ("闽 ICP 备 2020021857 号 - 1", "闽ICP备2020021857号-1"),
        ("闽ＩＣＰ备２０２００２１８５７号－１", "闽ICP备2020021857号-1"),
        ("京icp备05001234号", "京ICP备05001234号"),
        ("粤ICP备2020021857号—02", "粤ICP备2020021857号-2"),
        ("闽ICP备2020021857-1", "闽ICP备2020021857号-1"),
    ],
)
def test_it_gives_the_canonical_icp_filing(raw: str, expected: str) -> None:
    assert codes.clean_icp_filing(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("港ICP备2020021857号", "“港”不是内地省级行政区简称"),
        ("福建ICP备2020021857号", "简称“闽”"),
        ("ICP备2020021857号", "缺少开头的省份简称"),
        ("闽ICP备12345号", "6–10位数字，实为5位"),
        ("闽ICP备2020021857号-1-2", "不应有"),
        ("闽ICP备2020021857号-0", "从1开始"),
        ("京公网安备 11010502030143号", "公网安备"),
        ("闽B2-20201234", "经营许可证号"),
        ("", "请填写 ICP 备案号"),
    ],
)
def test_it_refuses_a_malformed_icp_filing_and_says_why(raw: str, expected: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        codes.clean_icp_filing(raw)
    assert expected in refused.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("闽B2-20201234", "闽B2-20201234"),
        ("闽B2-20201234号", "闽B2-20201234"),
        ("闽 b2 － 20201234", "闽B2-20201234"),
        ("浙B1-20201234", "浙B1-20201234"),
        ("B2-20201234", "B2-20201234"),
        ("京ICP证030173号", "京ICP证030173号"),
    ],
)
def test_it_gives_the_canonical_icp_licence(raw: str, expected: str) -> None:
    assert codes.clean_icp_licence(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("闽B3-20201234", "B1 或 B2"),
        ("闽B2-2020123", "8位数字，实为7位"),
        ("台B2-20201234", "“台”不是内地省级行政区简称"),
        ("闽ICP备2020021857号-1", "ICP 备案号"),
        ("20201234", "如 闽B2-20201234"),
        ("", "请填写 ICP 经营许可证号"),
    ],
)
def test_it_refuses_a_malformed_icp_licence_and_says_why(raw: str, expected: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        codes.clean_icp_licence(raw)
    assert expected in refused.value.message


def test_it_knows_all_31_mainland_provinces() -> None:
    assert len(set(codes.ICP_PROVINCES)) == 31
    for province in codes.ICP_PROVINCES:
        assert codes.clean_icp_filing(f"{province}ICP备12345678号") == f"{province}ICP备12345678号"


# --- contact details ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13912345678", "+8613912345678"),
        ("139 1234 5678", "+8613912345678"),
        ("+86 139-1234-5678", "+8613912345678"),
        ("１３９１２３４５６７８", "+8613912345678"),
        ("0595-86381234", "+8659586381234"),
        ("(0595)86381234", "+8659586381234"),
        ("+86 595 8638 1234", "+8659586381234"),
        ("400-123-4567", "+864001234567"),
    ],
)
def test_it_gives_a_phone_number_in_e164(raw: str, expected: str) -> None:
    assert codes.clean_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("86381234", "须带区号"),
        ("1391234567", "手机号码应为11位，实为10位"),
        ("12012345678", "不存在以 120 开头的手机号段"),
        ("+1 650 253 0000", "+86"),
        ("0595-86381234转801", "分机号"),
        ("电话", "无法识别为电话号码"),
        ("", "请填写电话号码"),
    ],
)
def test_it_refuses_what_is_not_a_mainland_phone_number(raw: str, expected: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        codes.clean_phone(raw)
    assert expected in refused.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Service@Example.COM", "Service@example.com"),
        (" mailto:shop@南安卫浴.中国 ", "shop@xn--6krsbx82bjlt.xn--fiqs8s"),
        ("张三＠163.com", "张三@163.com"),
        ("a.b+shop@mail.example.com.cn", "a.b+shop@mail.example.com.cn"),
    ],
)
def test_it_keeps_the_mailbox_and_cleans_the_domain_of_an_email(raw: str, expected: str) -> None:
    assert codes.clean_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("shop.example.com", "名称@域名"),
        ("@example.com", "缺少名称"),
        ("shop@", "缺少域名"),
        ("a@b@example.com", "只能有一个“@”"),
        ("a..b@example.com", "连续的点"),
        ("a(b)@example.com", "“(”"),
        ("shop@com.cn", "公共后缀"),
        ("shop@example.zzzz", "顶级域名"),
        ("shop@[203.0.113.5]", "IP 地址"),
        ("shop@example.com/x", "域名"),
        ("shop @example.com", "空格"),
    ],
)
def test_it_refuses_a_malformed_email_and_says_why(raw: str, expected: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        codes.clean_email(raw)
    assert expected in refused.value.message


# --- every cleaner: a fixed point or a Chinese refusal --------------------------------------------

CLEANERS: list[Callable[[str], str]] = [
    codes.clean_domain,
    codes.clean_ip,
    codes.clean_icp_filing,
    codes.clean_icp_licence,
    codes.clean_phone,
    codes.clean_email,
]

hosts = st.text("abcxyz019-._@:/[]。．中国南安ＡＢ ", max_size=40).map(lambda s: s + ".com")
typed = st.one_of(
    st.text(),
    hosts,
    st.text("0123456789.:abcdef[]%", max_size=45),
    st.text("闽京港ICPB备证号12-０ ", max_size=30),
    st.text("+0123456789()- 转", max_size=25),
    st.builds(lambda a, b: f"{a}@{b}", st.text(max_size=12), hosts),
)


@settings(max_examples=500)
@given(st.sampled_from(CLEANERS), typed)
def test_it_either_cleans_to_a_fixed_point_or_refuses_in_chinese(clean: Callable[[str], str], raw: str) -> None:
    try:
        value = clean(raw)
    except InvalidValue as refused:
        assert refused.message and refused.message == str(refused)
        assert any("\u4e00" <= c <= "\u9fff" for c in refused.message)
        return
    assert clean(value) == value
