"""The listing scan: prohibited claims and unfair terms (Art. 14, 10 (5)), and the disclosure check
(Art. 10 (3)). Pure: no Django, no I/O; the term lists come from the pack.

Text is normalised before matching, the same way for terms and for listings: NFKC (full-width →
half-width), traditional → simplified (OpenCC ``t2s``, character by character), case folded, and every
space, punctuation mark, symbol and control character dropped, so that "最 好", "最*好" and "最好" match
alike. :func:`normalise` keeps, for each character of the normalised text, the offset of the original
character it came from, so a finding names the span of the original text and shows its context.

The automaton (pyahocorasick) is built once per pack file (its SHA-256) and reused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import ahocorasick
import opencc

from ecredit.policy.model import Pack, TermList

CONTEXT_CHARS = 20  # characters of context kept on each side of a match
# Unicode categories dropped by the normaliser: separators, punctuation, symbols, controls and format
# characters (zero-width joiners and the like), i.e. what can be slipped between characters.
_DROPPED = ("Z", "P", "S", "C")
# Fields of a listing that the term lists are matched against (the pack's disclosure keys, plus the free text).
SCANNED_FIELDS = ("name", "description", "quality", "producer", "return_policy", "payment", "delivery_method")


# --- normalisation -----------------------------------------------------------------------------------


def _dropped(char: str) -> bool:
    return unicodedata.category(char)[0] in _DROPPED


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _map_char(char: str) -> str:
    """What one original character becomes (possibly nothing, possibly several characters)."""
    folded = unicodedata.normalize("NFKC", char)
    if not folded.isascii():
        folded = _converter().convert(folded)
    folded = folded.casefold()
    return "".join(c for c in folded if not _dropped(c))


@dataclass(frozen=True)
class _Tables:
    mapping: dict[int, str]  # code point → its replacement (only those that change and are kept)
    table: dict[int, str]  # every code point that changes → its replacement ("" when dropped)
    drop: re.Pattern[str]  # the characters dropped outright
    changes: re.Pattern[str]  # the characters that map to something else


def _char_class(points: Iterable[int]) -> str:
    ranges: list[tuple[int, int]] = []
    for point in sorted(points):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    parts = (f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    mapping: dict[int, str] = {}
    drop: list[int] = []
    for point in range(1, 0x10000):  # NUL is kept: it separates the fields of a listing (scan_listing)
        if 0xD800 <= point <= 0xDFFF:
            continue
        char = chr(point)
        mapped = _map_char(char)
        if mapped == char:
            continue
        if mapped:
            mapping[point] = mapped
        else:
            drop.append(point)
    # Outside the BMP: the dropped categories by range of planes are rare in listings; map lazily.
    return _Tables(
        mapping=mapping,
        table={**mapping, **dict.fromkeys(drop, "")},
        drop=re.compile(_char_class(drop) + "+"),
        changes=re.compile(_char_class(mapping) + "|[\U00010000-\U0010ffff]"),
    )


def normalise_fast(text: str) -> str:
    """The normalised text, without the offset map (the scan's hot path)."""
    tables = _tables()
    text = tables.drop.sub("", text)
    if tables.changes.search(text) is None:
        return text
    return "".join(tables.mapping.get(ord(c), c) if ord(c) < 0x10000 else _map_char(c) for c in text)


@dataclass(frozen=True)
class Normalised:
    text: str
    offsets: tuple[int, ...]  # offsets[i]: index in the original of the character text[i] came from

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the normalised characters ``start`` … ``end - 1``."""
        return self.offsets[start], self.offsets[end - 1] + 1


def normalise(text: str) -> Normalised:
    table = _tables().table
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        point = ord(char)
        mapped = table.get(point, char) if point < 0x10000 else _map_char(char)
        out.append(mapped)
        offsets.extend([index] * len(mapped))
    return Normalised("".join(out), tuple(offsets))


# --- the automaton -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    list_code: str
    term: str  # as the pack writes it
    except_categories: frozenset[str]


@dataclass(frozen=True)
class Scanner:
    pack_id: str
    lists: dict[str, TermList]
    automaton: ahocorasick.Automaton
    denials: tuple[tuple[str, frozenset[str]], ...]  # normalised phrases denying the 7-day right
    # Whether a text holds any term at all: an alternation of every normalised term, which CPython's
    # regex engine rejects faster than the automaton walks a text without matches (most listings);
    # a text it accepts is matched by the automaton for every (overlapping) hit.
    prefilter: re.Pattern[str]

    def any_hit(self, normalised: str) -> bool:
        return self.prefilter.search(normalised) is not None

    def hits(self, normalised: str) -> list[tuple[int, int, _Entry]]:
        """(start, end, entry) in the normalised text, shortest overlaps of the same list dropped."""
        found: list[tuple[int, int, _Entry]] = []
        for end, (length, entries) in self.automaton.iter(normalised):
            for entry in entries:
                found.append((end + 1 - length, end + 1, entry))
        if len(found) < 2:
            return found
        kept = []
        for start, end, entry in found:
            inside = any(
                s <= start and end <= e and (s, e) != (start, end) and other.list_code == entry.list_code
                for s, e, other in found
            )
            if not inside:
                kept.append((start, end, entry))
        return kept


def build_scanner(pack: Pack) -> Scanner:
    automaton = ahocorasick.Automaton()
    by_key: dict[str, list[_Entry]] = {}
    denials: list[tuple[str, frozenset[str]]] = []
    for term_list in pack.term_lists:
        for term in term_list.terms:
            key = normalise_fast(term.text)
            if not key:
                continue
            by_key.setdefault(key, []).append(_Entry(term_list.code, term.text, term.except_categories))
            if term_list.denies_returns:
                denials.append((key, term.except_categories))
    for key, entries in by_key.items():
        automaton.add_word(key, (len(key), tuple(entries)))
    automaton.make_automaton()
    alternation = "|".join(re.escape(key) for key in sorted(by_key, key=len, reverse=True)) or "(?!)"
    return Scanner(pack.id, {t.code: t for t in pack.term_lists}, automaton, tuple(denials), re.compile(alternation))


_SCANNERS: dict[tuple[str, str], Scanner] = {}


def scanner(pack: Pack) -> Scanner:
    """The pack's scanner, built once per pack file (keyed by its id and SHA-256)."""
    key = (pack.id, pack.sha256)
    found = _SCANNERS.get(key)
    if found is None:
        if len(_SCANNERS) >= 8:
            _SCANNERS.clear()
        found = _SCANNERS[key] = build_scanner(pack)
    return found


# --- findings ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    list: str  # the term list's code, or "disclosure"
    list_label: str
    term: str  # the pack's term, or the disclosure field code
    span: tuple[int, int] | None  # [start, end) in the original text of ``field``; None for a missing field
    matched: str  # the original text of the span
    context: str  # the original text around it
    cites: tuple[str, ...]
    indicator: str  # the credit event an officer records on confirming it
    field: str = ""  # which field of a listing ("" for a bare text)
    reason: str = ""  # for the disclosure check: why the field fails (Chinese)

    def as_dict(self) -> dict[str, object]:
        return {
            "list": self.list,
            "list_label": self.list_label,
            "term": self.term,
            "span": list(self.span) if self.span is not None else None,
            "matched": self.matched,
            "context": self.context,
            "cites": list(self.cites),
            "indicator": self.indicator,
            "field": self.field,
            "reason": self.reason,
        }


def scan_text(pack: Pack, text: str, *, category: str = "", field: str = "") -> list[Finding]:
    """Every term of every list found in ``text``; terms lawful for ``category`` (a return category) are
    skipped. Findings are in order of their position."""
    scan = scanner(pack)
    if not scan.any_hit(normalise_fast(text)):
        return []
    norm = normalise(text)
    findings = []
    for start, end, entry in sorted(scan.hits(norm.text), key=lambda hit: (hit[0], hit[1])):
        if category and category in entry.except_categories:
            continue
        term_list = scan.lists[entry.list_code]
        a, b = norm.span(start, end)
        findings.append(
            Finding(
                list=term_list.code,
                list_label=term_list.label,
                term=entry.term,
                span=(a, b),
                matched=text[a:b],
                context=text[max(0, a - CONTEXT_CHARS) : b + CONTEXT_CHARS],
                cites=term_list.all_cites,
                indicator=term_list.indicator,
                field=field,
            )
        )
    return findings


# --- the disclosure check (Art. 10 (3)) --------------------------------------------------------------

DISCLOSURE_INDICATOR = "listing.disclosure_missing"
_AMOUNT = re.compile(r"[¥￥,，\s]|元|人民币|rmb", re.IGNORECASE)


def parse_amount(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        try:
            value = Decimal(_AMOUNT.sub("", raw))
        except InvalidOperation:
            return None
    return value if value.is_finite() else None


def _problem(pack: Pack, listing: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    disclosure = pack.listing_disclosure
    if disclosure is None:
        return
    for key, label in disclosure.required.items():
        value = (listing.get(key) or "").strip()
        if not value:
            yield key, f"未说明{label}"
            continue
        if key == "price":
            amount = parse_amount(value)
            if amount is None or amount <= 0:
                yield key, f"价格“{value}”不是有效金额"
        elif key == "shipping_fee" and not any(word in value for word in disclosure.free_shipping):
            amount = parse_amount(value)
            if amount is None or amount < 0:
                yield key, f"运费“{value}”既不是金额，也未注明包邮"


def _denies_returns(pack: Pack, policy: str, category: str, found: Iterable[Finding] | None) -> bool:
    """The return policy denies the statutory 7-day right, for goods that have it. ``found``: the term
    findings of the policy already made (``scan_listing``), else the policy is scanned here."""
    if pack.returns is not None and category:
        rules = pack.returns.category(category)
        if rules is not None and rules.inherent:
            return False  # goods excluded by their nature (fresh food, periodicals) may say so
    if found is None:
        found = scan_text(pack, policy, category=category, field="return_policy")
    lists = scanner(pack).lists
    return any(f.field == "return_policy" and lists[f.list].denies_returns for f in found if f.list in lists)


def check_disclosure(
    pack: Pack, listing: Mapping[str, str], *, category: str = "", found: Iterable[Finding] | None = None
) -> list[Finding]:
    """The fields the pack requires (Art. 10 (3)) missing or implausible: one finding per field."""
    disclosure = pack.listing_disclosure
    if disclosure is None:
        return []
    cites = (*disclosure.cites, *disclosure.national_cites)
    findings = [
        Finding("disclosure", "商品信息公示", key, None, "", "", cites, DISCLOSURE_INDICATOR, key, reason)
        for key, reason in _problem(pack, listing)
    ]
    policy = (listing.get("return_policy") or "").strip()
    if policy and _denies_returns(pack, policy, category, found):
        reason = "退换货方式否认了法定的七日无理由退货"
        cites = (*cites, *(pack.returns.cites if pack.returns else ()))
        findings.append(
            Finding("disclosure", "商品信息公示", "return_policy", None, "", policy[:60], cites, DISCLOSURE_INDICATOR,
                    "return_policy", reason)
        )  # fmt: skip
    return findings


def scan_listing(pack: Pack, listing: Mapping[str, str], *, category: str = "") -> list[Finding]:
    """Every finding of one listing: each scanned field against every list, then the disclosure check.

    The fields are normalised and matched in one pass, joined by NUL (kept by the normaliser and in no
    term, so nothing matches across two fields); only a listing with a match is scanned field by field
    for the spans."""
    values = [(key, listing.get(key) or "") for key in SCANNED_FIELDS]
    findings: list[Finding] = []
    if scanner(pack).any_hit(normalise_fast("\x00".join(value for _key, value in values))):
        for key, value in values:
            if value:
                findings.extend(scan_text(pack, value, category=category, field=key))
    findings.extend(check_disclosure(pack, listing, category=category, found=findings))
    return findings
