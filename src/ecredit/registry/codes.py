"""Identity codes and contact details of registered entities: pure checks over strings.

No ORM, no I/O beyond the data files bundled with the libraries (python-stdnum's check-digit
functions, idna, the bundled Public Suffix List, phonenumbers' metadata). Every refusal is an
:class:`InvalidValue` whose ``message`` is a Chinese sentence a shop owner or officer can act on.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

import idna
import phonenumbers
from publicsuffixlist import PublicSuffixList
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

__all__ = [
    "CodeCheck",
    "InvalidValue",
    "check_code",
    "check_resident_id",
    "check_uscc",
    "clean_domain",
    "clean_email",
    "clean_icp_filing",
    "clean_icp_licence",
    "clean_ip",
    "clean_phone",
    "mask_resident_id",
    "normalise_code",
    "normalise_name",
    "normalise_text",
]


class InvalidValue(ValueError):
    """A value the user typed that cannot be accepted; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- normalisation ----------------------------------------------------------------------------

_HYPHENS = frozenset("-‐‑‒–—―−")  # ASCII hyphen-minus and the dashes people type instead
_MAX_ROUNDS = 8


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


def _settle(step: Callable[[str], str], value: str) -> str:
    """Apply ``step`` until the value stops changing: NFKC is not closed under case mapping
    or deletion (``"a´"`` → ``"a ́"`` → ``"á"``), so one pass is not always a fixed point."""
    for _ in range(_MAX_ROUNDS):
        settled = step(value)
        if settled == value:
            break
        value = settled
    return value


def normalise_text(raw: str) -> str:
    """NFKC (full-width → half-width), trimmed, every run of whitespace (U+3000 too) → one space."""
    return _settle(lambda value: " ".join(_nfkc(value).split()), raw)


def normalise_name(raw: str) -> str:
    """Search key for an entity name: NFKC, no whitespace at all, case-folded.

    ``"南安 市 卫浴（有限）公司"`` and ``"南安市卫浴(有限)公司"`` give the same key.
    """
    return _settle(lambda value: "".join(_nfkc(value).split()).casefold(), raw)


def normalise_code(raw: str) -> str:
    """A code as typed → NFKC, without spaces and hyphens (or dashes), upper-case."""
    return _settle(
        lambda value: "".join(c for c in _nfkc(value) if not c.isspace() and c not in _HYPHENS).upper(),
        raw,
    )


def _show(value: str, limit: int = 24) -> str:
    """A fragment of user input fit to quote in a message: invisible characters as U+XXXX."""
    shown = "".join(c if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}" for c in value[:limit])
    return shown + ("…" if len(value) > limit else "")


# --- 统一社会信用代码 and 居民身份证号码 ----------------------------------------------------------

#: GB 32100-2015 §4 code character set: digits and upper-case Latin letters except I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_DIGITS = frozenset("0123456789")

#: GB/T 2260 province-level codes, the first two digits of a resident ID's address code
#: (71 台湾, 81 香港, 82 澳门; 83 is used on residence permits of Taiwan residents).
_PROVINCE_CODES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83"
)
RESIDENT_ID_PROVINCES = frozenset(_PROVINCE_CODES.split())
_EARLIEST_BIRTH_YEAR = 1880


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking one code; ``reason`` is empty when ``valid``."""

    code: str
    kind: str  # "uscc" | "resident_id" | "unknown"
    valid: bool
    reason: str
    division_code: str = ""
    in_jurisdiction: bool | None = None
    checksum_failed: bool = False


def _all_digits(value: str) -> bool:
    return bool(value) and all(c in _DIGITS for c in value)


def _positions(code: str, allowed: str | frozenset[str]) -> list[str]:
    return [f"第{i + 1}位“{_show(c)}”" for i, c in enumerate(code) if c not in allowed]


def _listed(items: list[str], limit: int = 5) -> str:
    return "、".join(items[:limit]) + (f" 等{len(items)}处" if len(items) > limit else "")


def check_uscc(raw: str, jurisdiction: str) -> CodeCheck:
    """Check a 统一社会信用代码 against GB 32100-2015.

    Layout (§4): 1 登记管理部门代码 and 2 机构类别代码 (a digit or letter each — letter
    authorities such as ``Y`` 其他 exist, which stdnum's ``validate`` wrongly refuses),
    3–8 登记管理机关行政区划码 (digits), 9–17 主体标识码, 18 校验码 (§5, computed with
    ``stdnum.cn.uscc.calc_check_digit``). ``in_jurisdiction`` compares 3–8 with ``jurisdiction``.
    """
    code = normalise_code(raw)
    if not code:
        return CodeCheck(code, "uscc", False, "请填写统一社会信用代码（18位）。")
    if len(code) != 18:
        return CodeCheck(code, "uscc", False, f"统一社会信用代码应为18位，实为{len(code)}位。")
    problems: list[str] = []
    bad = _positions(code, USCC_ALPHABET)
    if bad:
        problems.append(
            f"含有统一社会信用代码不使用的字符：{_listed(bad)}（只用数字和除 I、O、Z、S、V 以外的大写字母）。"
        )
    division = code[2:8] if _all_digits(code[2:8]) else ""
    if not division:
        problems.append(f"第3–8位（登记管理机关行政区划码）应为6位数字，实为“{_show(code[2:8])}”。")
    checksum_failed = False
    if all(c in USCC_ALPHABET for c in code[:17]) and division:
        expected = uscc.calc_check_digit(code[:17])
        if code[17] not in USCC_ALPHABET:
            problems.append(f"按前17位计算，第18位（校验码）应为 {expected}。")
        elif code[17] != expected:
            # The shape is right and only the check character disagrees.
            problems.append(f"校验位错误：应为 {expected}，实为 {code[17]}。")
            checksum_failed = True
    return CodeCheck(
        code=code,
        kind="uscc",
        valid=not problems,
        reason="".join(problems),
        division_code=division,
        in_jurisdiction=(division == jurisdiction.strip()) if division else None,
        checksum_failed=checksum_failed,
    )


def _birth_date(code: str) -> datetime.date | None:
    """The date in characters 7–14 of a resident ID (GB 11643-1999 §4.2), if it is a real one."""
    if len(code) < 14 or not _all_digits(code[6:14]):
        return None
    try:
        born = ric.get_birth_date(code)
    except ValidationError:
        return None
    return born if born.year >= _EARLIEST_BIRTH_YEAR else None


def check_resident_id(raw: str) -> CodeCheck:
    """Check a 居民身份证号码 against GB 11643-1999.

    Layout: 1–6 address code, 7–14 birth date, 15–17 sequence, 18 check digit (ISO 7064
    MOD 11-2 via ``stdnum.cn.ric.calc_check_digit``, ``X`` for 10). The address code is checked
    only for a known province: stdnum's ``validate`` also requires the county code to have
    existed in the birth year, which refuses genuine IDs issued under a newer code (350583
    南安市 dates from 1993, so everyone born there earlier), so it is not used.
    """
    code = normalise_code(raw)
    if not code:
        return CodeCheck(code, "resident_id", False, "请填写居民身份证号码（18位）。")
    if len(code) == 15 and _all_digits(code):
        return CodeCheck(
            code, "resident_id", False, "这是15位的第一代身份证号码，已停止使用；请填写18位的居民身份证号码。"
        )
    if len(code) != 18:
        return CodeCheck(code, "resident_id", False, f"居民身份证号码长度应为18位，实为{len(code)}位。")
    problems: list[str] = []
    bad = _positions(code[:17], _DIGITS)
    if bad:
        problems.append(f"前17位应全为数字：{_listed(bad)}不是数字。")
    division = code[:6] if _all_digits(code[:6]) else ""
    if division and code[:2] not in RESIDENT_ID_PROVINCES:
        problems.append(f"前两位“{code[:2]}”不是省级行政区划代码，地址码（前6位）无效。")
    if _all_digits(code[6:14]) and _birth_date(code) is None:
        problems.append(f"出生日期无效：第7–14位“{code[6:14]}”不是真实的日期。")
    expected = ric.calc_check_digit(code) if not bad else ""
    checksum_failed = False
    if code[17] not in _DIGITS and code[17] != "X":
        computed = f"；按前17位计算应为 {expected}" if expected else ""
        problems.append(f"第18位（校验码）应为数字或 X，实为“{_show(code[17])}”{computed}。")
    elif expected and code[17] != expected:
        checksum_failed = not problems  # only the check character is wrong
        problems.append(f"校验位错误：应为 {expected}，实为 {code[17]}。")
    return CodeCheck(
        code=code,
        kind="resident_id",
        valid=not problems,
        reason="".join(problems),
        division_code=division,
        checksum_failed=checksum_failed,
    )


def _looks_like_resident_id(code: str) -> bool:
    return (
        len(code) == 18
        and _all_digits(code[:17])
        and (code[17] in _DIGITS or code[17] == "X")
        and _birth_date(code) is not None
    )


def check_code(raw: str, jurisdiction: str) -> CodeCheck:
    """Decide whether ``raw`` is a resident ID or a USCC and check it.

    Eighteen characters, 17 digits then a digit or ``X``, with a real date in 7–14 → a resident
    ID if it validates as one; anything else of 18 characters → a USCC. When the code looks
    like a resident ID but is neither, the USCC result says so too.
    """
    code = normalise_code(raw)
    if not code:
        return CodeCheck(code, "unknown", False, "请填写18位的统一社会信用代码或居民身份证号码。")
    if len(code) != 18:
        hint = "；15位数字是已停用的第一代身份证号码" if len(code) == 15 and _all_digits(code) else ""
        return CodeCheck(
            code, "unknown", False, f"统一社会信用代码和居民身份证号码都应为18位，实为{len(code)}位{hint}。"
        )
    if not _looks_like_resident_id(code):
        return check_uscc(code, jurisdiction)
    person = check_resident_id(code)
    if person.valid:
        return person
    organisation = check_uscc(code, jurisdiction)
    if organisation.valid:
        return organisation
    return replace(organisation, reason=f"{organisation.reason}如果这是居民身份证号码：{person.reason}")


def mask_resident_id(raw: str) -> str:
    """For display: first 6 + ``********`` + last 4 of an 18-character ID; a shorter value
    shows at most a quarter of itself at each end, so at most 10 characters are ever shown."""
    code = normalise_code(raw)
    size = len(code)
    head, tail = (6, 4) if size >= 18 else (min(6, size // 4), min(4, size // 4))
    return code[:head] + "*" * (size - head - tail) + code[size - tail :]


# --- domains, IP addresses, ICP numbers ---------------------------------------------------------


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    """The Public Suffix List bundled with ``publicsuffixlist`` (never fetched)."""
    return PublicSuffixList(accept_unknown=False)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_PORT = re.compile(r"(?P<host>.*?):(?P<port>[0-9]{1,5})")
_ALL_NUMERIC = re.compile(r"[0-9.]+")
_DOTS = str.maketrans({"。": ".", "｡": ".", "．": "."})
_IP_ELSEWHERE = "这是 IP 地址，不是域名；请把它填写在“IP 地址”栏。"


def _is_ip_literal(value: str) -> bool:
    candidate = value[1:].split("]", 1)[0] if value.startswith("[") else value
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def _label_problem(label: str) -> str:
    """Why one label of a host name is refused (RFC 5890–5893 IDNA 2008, RFC 1123 LDH rule)."""
    quoted = f"域名中“{_show(label, 30)}”这一段"
    if label.startswith("-") or label.endswith("-"):
        return f"{quoted}不能以连字符“-”开头或结尾。"
    if label.isascii() and len(label) > 63:
        return f"{quoted}过长：每段最多63个字符。"
    if label.lower().startswith("xn--"):
        return f"{quoted}以“xn--”开头，但不是有效的国际化域名编码。"
    if label.isascii() and label[2:4] == "--":
        return f"{quoted}的第3、4位不能同时是连字符。"
    bad: list[str] = []
    for c in dict.fromkeys(label):
        try:
            idna.encode(c, uts46=True, std3_rules=True)
        except UnicodeError:
            bad.append(f"“{_show(c)}”")
    if bad:
        return f"{quoted}含有域名中不允许的字符：{_listed(bad)}（只能用字母、数字、连字符和汉字等文字）。"
    return f"{quoted}不符合国际化域名规则（IDNA 2008），或编码后超过63个字符。"


def _clean_host(host: str) -> str:
    """A host name → ASCII (punycode) lower-case, refusing IP literals, bad labels, unknown
    top-level domains and bare public suffixes (Public Suffix List, ``accept_unknown=False``)."""
    host = host.translate(_DOTS)
    if not host:
        raise InvalidValue("请填写域名，如 www.example.com。")
    if _is_ip_literal(host):
        raise InvalidValue(_IP_ELSEWHERE)
    if _ALL_NUMERIC.fullmatch(host):
        raise InvalidValue("这看起来像 IP 地址，但格式不正确；IP 地址请填写在“IP 地址”栏，域名形如 www.example.com。")
    if host.endswith(".") and len(host) > 1:
        host = host[:-1]
    labels = host.split(".")
    if "" in labels:
        raise InvalidValue("域名中不能有空的一段：不能以点开头，也不能有连续的点。")
    try:
        ascii_host = idna.encode(host, uts46=True, std3_rules=True).decode("ascii").lower()
    except UnicodeError:
        for label in labels:
            try:
                idna.encode(label, uts46=True, std3_rules=True)
            except UnicodeError:
                raise InvalidValue(_label_problem(label)) from None
        raise InvalidValue("域名过长（编码后最多253个字符）或不符合国际化域名规则（IDNA 2008）。") from None
    suffix = _public_suffixes().publicsuffix(ascii_host, accept_unknown=False)
    if suffix is None:
        raise InvalidValue(f"顶级域名“{_show(labels[-1])}”不存在（不在公共后缀列表中）；请检查域名的最后一段。")
    if suffix == ascii_host:
        raise InvalidValue(
            f"“{_show(host, 40)}”是公共后缀（如 com.cn、中国），不能单独作为网站域名；请填写完整的域名，如 example.com.cn。"
        )
    return ascii_host


def clean_domain(raw: str) -> str:
    """A web site's host name → ASCII (punycode) lower-case, e.g. ``"南安卫浴.中国"`` →
    ``"xn--6krsbx82bjlt.xn--fiqs8s"``.

    A pasted URL is reduced to its host (scheme, user, port, path, query and trailing dot go);
    IP literals, bare public suffixes (``com.cn``, ``中国``) and unknown top-level domains are
    refused (Public Suffix List, bundled copy).
    """
    text = normalise_text(raw)
    if not text:
        raise InvalidValue("请填写域名，如 www.example.com。")
    if _is_ip_literal(text):
        raise InvalidValue(_IP_ELSEWHERE)
    scheme = _SCHEME.match(text)
    host = text[scheme.end() :] if scheme else text
    host = re.split(r"[/?#\\]", host, maxsplit=1)[0]
    if "@" in host:
        if not scheme:
            raise InvalidValue("这是电子邮箱地址，不是域名；请填写网站的域名，如 www.example.com。")
        host = host.rsplit("@", 1)[1]
    if _is_ip_literal(host):
        raise InvalidValue(_IP_ELSEWHERE)
    port = _PORT.fullmatch(host)
    if port:
        host = port.group("host")
    return _clean_host(host)


def clean_ip(raw: str) -> str:
    """An IPv4 or IPv6 address → its compressed canonical form (stdlib ``ipaddress``)."""
    text = normalise_text(raw).translate(_DOTS)
    if not text:
        raise InvalidValue("请填写 IP 地址，如 203.0.113.5。")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if "%" in text:
        raise InvalidValue("IP 地址不应包含区域标识（“%”及其后的部分）。")
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        pass
    if ":" in text:
        raise InvalidValue("不是有效的 IPv6 地址：应为最多8组十六进制数，用冒号分隔，如 2001:db8::1。")
    if any(c.isalpha() for c in text):
        raise InvalidValue("这不是 IP 地址；如果是域名，请填写在“域名”栏。")
    raise InvalidValue("不是有效的 IPv4 地址：应为4段 0–255 的十进制数，用点分隔，不带前导零，如 203.0.113.5。")


#: The 31 mainland province-level abbreviations that open ICP numbers (工信部 ICP 备案).
ICP_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PROVINCE_NAMES = {
    "北京": "京",
    "天津": "津",
    "上海": "沪",
    "重庆": "渝",
    "河北": "冀",
    "河南": "豫",
    "云南": "云",
    "辽宁": "辽",
    "黑龙江": "黑",
    "湖南": "湘",
    "安徽": "皖",
    "山东": "鲁",
    "新疆": "新",
    "江苏": "苏",
    "浙江": "浙",
    "江西": "赣",
    "湖北": "鄂",
    "广西": "桂",
    "甘肃": "甘",
    "山西": "晋",
    "内蒙古": "蒙",
    "陕西": "陕",
    "吉林": "吉",
    "福建": "闽",
    "贵州": "贵",
    "广东": "粤",
    "青海": "青",
    "西藏": "藏",
    "四川": "川",
    "宁夏": "宁",
    "海南": "琼",
}
_FILING_EXAMPLE = "闽ICP备2020021857号-1"
_LICENCE_EXAMPLE = "闽B2-20201234"


def _compact_icp(raw: str) -> str:
    """NFKC, no whitespace, dashes → ``-``, Latin letters upper-case (``ｉｃｐ`` → ``ICP``)."""
    text = "".join(_nfkc(raw).split())
    return "".join("-" if c in _HYPHENS else c for c in text).upper()


def _province(prefix: str, what: str, example: str) -> str:
    """Check the province abbreviation that opens an ICP number."""
    if not prefix:
        raise InvalidValue(f"{what}缺少开头的省份简称，应形如 {example}。")
    if len(prefix) == 1 and prefix in ICP_PROVINCES:
        return prefix
    for name, short in _PROVINCE_NAMES.items():
        if prefix.startswith(name):
            raise InvalidValue(f"{what}开头应使用省份简称“{short}”，而不是“{_show(prefix)}”，如 {example}。")
    raise InvalidValue(f"“{_show(prefix)}”不是内地省级行政区简称；{what}应以下列之一开头：{ICP_PROVINCES}。")


def clean_icp_filing(raw: str) -> str:
    """An ICP 备案号 (工信部《非经营性互联网信息服务备案管理办法》) → canonical form.

    Province abbreviation + ``ICP备`` + 6–10 digits + ``号``, optionally ``-n`` for the n-th
    site of the filing: ``"闽 ICP 备 2020021857 号 - 1"`` → ``"闽ICP备2020021857号-1"``.
    """
    text = _compact_icp(raw)
    if not text:
        raise InvalidValue(f"请填写 ICP 备案号，如 {_FILING_EXAMPLE}。")
    if "公网安备" in text:
        raise InvalidValue(f"这是公安联网备案号（公网安备），不是 ICP 备案号；ICP 备案号形如 {_FILING_EXAMPLE}。")
    if "ICP证" in text or re.search(r"B[12]-?[0-9]{8}", text):
        raise InvalidValue(f"这是 ICP 经营许可证号，不是 ICP 备案号；ICP 备案号形如 {_FILING_EXAMPLE}。")
    where = text.find("ICP备")
    if where < 0:
        raise InvalidValue(f"ICP 备案号应含有“ICP备”字样，形如 {_FILING_EXAMPLE}。")
    province = _province(text[:where], "ICP 备案号", _FILING_EXAMPLE)
    tail = text[where + 4 :]
    number = tail[: len(tail) - len(tail.lstrip("0123456789"))]
    rest = tail[len(number) :].removeprefix("号")
    if not 6 <= len(number) <= 10:
        raise InvalidValue(f"“ICP备”后的备案编号应为6–10位数字，实为{len(number)}位，如 {_FILING_EXAMPLE}。")
    if not rest:
        return f"{province}ICP备{number}号"
    site = re.fullmatch(r"-([0-9]{1,4})", rest)
    if site is None:
        raise InvalidValue(f"备案编号后只能跟“号”和网站序号（如“号-1”），不应有“{_show(rest)}”。")
    if int(site.group(1)) == 0:
        raise InvalidValue("网站序号从1开始，如 “号-1”。")
    return f"{province}ICP备{number}号-{int(site.group(1))}"


_LICENCE = re.compile(r"(?P<province>.*?)(?P<category>B[0-9])-?(?P<number>[0-9]+)号?")
_LEGACY_LICENCE = re.compile(r"(?P<province>.*?)ICP证(?P<number>[0-9]+)号?")


def clean_icp_licence(raw: str) -> str:
    """An ICP 经营许可证号 (增值电信业务经营许可证, 工信部《电信业务经营许可管理办法》) → canonical.

    Province abbreviation + ``B1``/``B2`` + ``-`` + 8 digits (``"闽B2-20201234号"`` →
    ``"闽B2-20201234"``); a cross-region licence issued by 工信部 itself has no province
    (``"B2-20201234"``). The older ``"京ICP证030173号"`` form is accepted as written.
    """
    text = _compact_icp(raw)
    if not text:
        raise InvalidValue(f"请填写 ICP 经营许可证号，如 {_LICENCE_EXAMPLE}。")
    if "ICP备" in text:
        raise InvalidValue(f"这是 ICP 备案号，不是经营许可证号；经营许可证号形如 {_LICENCE_EXAMPLE}。")
    legacy = _LEGACY_LICENCE.fullmatch(text)
    if legacy:
        province = _province(legacy.group("province"), "ICP 经营许可证号", "京ICP证030173号")
        number = legacy.group("number")
        if not 6 <= len(number) <= 10:
            raise InvalidValue(f"“ICP证”后的编号应为6–10位数字，实为{len(number)}位。")
        return f"{province}ICP证{number}号"
    licence = _LICENCE.fullmatch(text)
    if licence is None:
        raise InvalidValue(f"ICP 经营许可证号应为省份简称、业务类别 B1 或 B2、连字符和8位数字，如 {_LICENCE_EXAMPLE}。")
    prefix, category, number = licence.group("province", "category", "number")
    province = _province(prefix, "ICP 经营许可证号", _LICENCE_EXAMPLE) if prefix else ""
    if category not in ("B1", "B2"):
        raise InvalidValue(f"业务类别应为 B1 或 B2（增值电信业务），实为 {category}。")
    if len(number) != 8:
        raise InvalidValue(f"许可证编号应为8位数字，实为{len(number)}位，如 {_LICENCE_EXAMPLE}。")
    return f"{province}{category}-{number}"


# --- contact details -----------------------------------------------------------------------------

_PHONE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.TOLL_FREE,  # 800 customer-service numbers
        phonenumbers.PhoneNumberType.SHARED_COST,  # 400 customer-service numbers
    }
)
_PHONE_EXAMPLES = "11位手机号码，或带区号的固定电话（如 0595-86381234）"


def clean_phone(raw: str) -> str:
    """A mainland China phone number → E.164 (``"+8613912345678"``, ``"+8659586381234"``).

    Mobile numbers, landlines with their area code, and 400/800 service numbers, as judged by
    ``phonenumbers`` with default region ``CN`` (GB/T and 工信部 number plan metadata).
    """
    text = normalise_text(raw)
    if not text:
        raise InvalidValue(f"请填写电话号码：{_PHONE_EXAMPLES}。")
    if "转" in text:
        raise InvalidValue("请不要填写分机号（“转”及其后的部分）。")
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidValue(f"无法识别为电话号码；请填写{_PHONE_EXAMPLES}。") from None
    if number.country_code != 86:
        raise InvalidValue(f"只接受中国大陆的电话号码（+86），这是 +{number.country_code} 的号码。")
    if number.extension:
        raise InvalidValue("请不要填写分机号。")
    national = phonenumbers.national_significant_number(number)
    if not phonenumbers.is_valid_number(number):
        if national.startswith("1") and not national.startswith("10"):
            if len(national) != 11:
                raise InvalidValue(f"手机号码应为11位，实为{len(national)}位。")
            raise InvalidValue(f"不存在以 {national[:3]} 开头的手机号段，请检查号码。")
        if len(national) <= 8:
            raise InvalidValue("固定电话须带区号，如 0595-86381234。")
        raise InvalidValue(f"不是有效的中国大陆电话号码；请检查区号和号码位数（{_PHONE_EXAMPLES}）。")
    if phonenumbers.number_type(number) not in _PHONE_TYPES:
        raise InvalidValue("只接受手机号码、固定电话或 400/800 客服电话。")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.")


def clean_email(raw: str) -> str:
    """An e-mail address → ``local@domain`` with the domain cleaned like :func:`clean_domain`
    (ASCII, lower-case); the local part is kept as typed (RFC 5321 makes it case-sensitive).

    Syntax: RFC 5322 dot-atom local part (letters of any script allowed, RFC 6531), at most
    64 characters, 254 in all.
    """
    text = normalise_text(raw)
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    if not text:
        raise InvalidValue("请填写电子邮箱地址，如 service@example.com。")
    if " " in text:
        raise InvalidValue("电子邮箱地址中不能有空格。")
    local, at, domain = text.rpartition("@")
    if not at:
        raise InvalidValue("电子邮箱地址应为“名称@域名”的形式，如 service@example.com。")
    if not local:
        raise InvalidValue("电子邮箱地址在“@”前面缺少名称。")
    if "@" in local:
        raise InvalidValue("电子邮箱地址只能有一个“@”。")
    if not domain:
        raise InvalidValue("电子邮箱地址在“@”后面缺少域名。")
    if len(local) > 64:
        raise InvalidValue(f"电子邮箱“@”前的名称最多64个字符，实为{len(local)}个。")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidValue("电子邮箱“@”前的名称不能以点开头或结尾，也不能有连续的点。")
    bad = [f"“{_show(c)}”" for c in dict.fromkeys(local) if c not in _ATEXT and not (ord(c) > 127 and c.isalnum())]
    if bad:
        raise InvalidValue(f"电子邮箱“@”前的名称含有不允许的字符：{_listed(bad)}。")
    if domain.startswith("[") or _is_ip_literal(domain):
        raise InvalidValue("请使用以域名结尾的电子邮箱地址，不接受 IP 地址。")
    try:
        ascii_domain = _clean_host(domain)
    except InvalidValue as exc:
        raise InvalidValue(f"电子邮箱的域名部分有误：{exc.message}") from None
    address = f"{local}@{ascii_domain}"
    if len(address) > 254:
        raise InvalidValue("电子邮箱地址过长（最多254个字符）。")
    return address
