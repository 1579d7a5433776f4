"""How fast listings are scanned with every term list of the pack, against ``grep -F -c -f TERMS``.

Generates listings deterministically (seeded): a title and a description of about 200 Chinese
characters drawn from an everyday vocabulary with punctuation, the other disclosure fields (price,
shipping fee, delivery, payment, return policy …) from a few templates; about one listing in 40 carries
a term of one of the lists (plain, full-width or spaced out) and one in 50 misses a required field.
Every listing's scanned text is written to a file, one line per listing.

Timed: ``ecredit.monitoring.scan.scan_listing`` on every listing — normalisation (NFKC, OpenCC t2s,
separators dropped), the Aho-Corasick automaton over every scanned field, the offset map and context of
each finding, and the disclosure check — on one core. The reference, in the same run, is
``grep -F -c -f TERMS FILE`` with every term of the pack over that file (target: ratio ≤ 20).
The listings are generated in chunks outside the timer, so memory stays flat. No database.

``ECREDIT_BENCH_SCAN_LISTINGS`` shrinks the run for a quick look (default 1,000,000; the ratio is meant
at full size).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ecredit.monitoring import scan  # noqa: E402
from ecredit.policy.loader import load_file  # noqa: E402
from ecredit.policy.model import Pack  # noqa: E402

LISTINGS = int(os.environ.get("ECREDIT_BENCH_SCAN_LISTINGS", "1000000"))
CHUNK = 10_000
SEED = 20260328
GREP = shutil.which("grep") or "/usr/bin/grep"

WORDS = [
    "纯棉",
    "舒适",
    "透气",
    "宽松",
    "修身",
    "百搭",
    "新款",
    "春季",
    "夏季",
    "秋冬",
    "经典",
    "简约",
    "时尚",
    "休闲",
    "商务",
    "户外",
    "运动",
    "家用",
    "厨房",
    "收纳",
    "不锈钢",
    "陶瓷",
    "玻璃",
    "实木",
    "环保",
    "材质",
    "做工",
    "精细",
    "手感",
    "柔软",
    "耐磨",
    "防水",
    "防滑",
    "轻便",
    "大容量",
    "便携",
    "礼盒",
    "包装",
    "送礼",
    "茶叶",
    "铁观音",
    "大红袍",
    "乌龙",
    "绿茶",
    "红茶",
    "手工",
    "炒制",
    "香气",
    "回甘",
    "石材",
    "雕刻",
    "水头",
    "鞋子",
    "拖鞋",
    "凉鞋",
    "童装",
    "女装",
    "男装",
    "颜色",
    "尺码",
    "偏小",
    "建议",
    "拍大",
    "一码",
    "发货",
    "包邮",
    "快递",
    "顺丰",
    "中通",
    "圆通",
    "当天",
    "次日",
    "售后",
    "客服",
    "咨询",
    "欢迎",
    "选购",
    "品质",
    "保障",
    "正品",
    "实物",
    "拍摄",
    "略有",
    "色差",
    "请以",
    "收到",
    "为准",
    "适合",
    "日常",
    "通勤",
    "聚会",
    "旅行",
    "居家",
    "办公",
    "学生",
    "老人",
    "儿童",
]
PUNCT = "，，，。、！；"
TEMPLATES = {
    "producer": ["南安市{}服饰有限公司", "泉州{}食品厂", "南安{}石材工艺品店"],
    "category": ["服装", "鞋类", "茶叶", "家居用品", "工艺品"],
    "quantity": ["1件", "2双", "500克", "1套"],
    "quality": ["合格品", "一等品", "优等品"],
    "delivery_method": ["快递", "物流", "同城配送"],
    "delivery_area": ["全国（港澳台除外）", "福建省内", "全国"],
    "payment": ["在线支付", "在线支付、货到付款"],
    "return_policy": ["支持七天无理由退货", "七天无理由退换，运费由买家承担"],
}
CATEGORIES = ("clothing", "general", "food", "electronics")


def all_terms(pack: Pack) -> list[str]:
    return sorted({term.text for term_list in pack.term_lists for term in term_list.terms})


def evade(term: str, rng: random.Random) -> str:
    way = rng.randrange(3)
    if way == 0:
        return term
    if way == 1:  # full-width Latin and digits
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in term)
    return " ".join(term)  # spaced out


def listings(pack: Pack, start: int, count: int) -> Iterator[tuple[dict[str, str], str]]:
    """Listing ``start`` … ``start + count - 1`` and its category, the same on every call."""
    terms = all_terms(pack)
    for number in range(start, start + count):
        rng = random.Random(SEED * 1_000_003 + number)
        parts: list[str] = []
        length = 0
        while length < 200:
            word = rng.choice(WORDS)
            parts.append(word)
            length += len(word)
            if rng.random() < 0.2:
                parts.append(rng.choice(PUNCT))
                length += 1
        if rng.random() < 1 / 40:
            parts.insert(rng.randrange(len(parts)), evade(rng.choice(terms), rng))
        listing = {key: rng.choice(values).format(rng.choice(WORDS)) for key, values in TEMPLATES.items()}
        listing["name"] = "".join(rng.choices(WORDS, k=5))
        listing["description"] = "".join(parts)
        listing["price"] = f"{rng.randrange(5, 2000)}.{rng.randrange(100):02d}"
        listing["shipping_fee"] = rng.choice(("包邮", "0", "8.00", "12"))
        if rng.random() < 1 / 50:
            listing[rng.choice(("name", "price", "producer", "delivery_area"))] = ""
        yield listing, CATEGORIES[number % len(CATEGORIES)]


def line_of(listing: dict[str, str]) -> str:
    return "\t".join(listing.get(key, "") for key in scan.SCANNED_FIELDS)


def main() -> str:
    pack = load_file(ROOT / "src/ecredit/policy/packs/nanan-2023-trial.yaml")
    scan.scanner(pack)  # built once per pack, before timing
    scan.normalise_fast("预热")
    with tempfile.TemporaryDirectory(prefix="ecredit-bench-scan-") as tmp:
        text_file, terms_file = Path(tmp) / "listings.txt", Path(tmp) / "terms.txt"
        terms_file.write_text("\n".join(all_terms(pack)) + "\n", encoding="utf-8")
        with text_file.open("w", encoding="utf-8") as out:
            for start in range(0, LISTINGS, CHUNK):
                out.writelines(
                    line_of(listing) + "\n" for listing, _c in listings(pack, start, min(CHUNK, LISTINGS - start))
                )
        size = text_file.stat().st_size

        def grep() -> int:
            done = subprocess.run(  # noqa: S603 - fixed arguments, our own temporary files
                [GREP, "-F", "-c", "-f", str(terms_file), str(text_file)],
                capture_output=True, check=False, text=True, env={**os.environ, "LC_ALL": "C.UTF-8"},
            )  # fmt: skip
            return int(done.stdout.strip() or 0)

        grep_count = 0
        grep_seconds = []
        for _ in range(3):
            start = time.perf_counter()
            grep_count = grep()
            grep_seconds.append(time.perf_counter() - start)

        scanned = 0
        term_lines = 0
        disclosure = 0
        seconds = 0.0
        for start in range(0, LISTINGS, CHUNK):
            chunk = list(listings(pack, start, min(CHUNK, LISTINGS - start)))
            found: list[list[scan.Finding]] = []

            def run(chunk: list[tuple[dict[str, str], str]] = chunk, found: list[list[scan.Finding]] = found) -> None:
                for listing, category in chunk:
                    found.append(scan.scan_listing(pack, listing, category=category))

            seconds += timed(run)
            scanned += len(chunk)
            term_lines += sum(1 for findings in found if any(f.list != "disclosure" for f in findings))
            disclosure += sum(1 for findings in found for f in findings if f.list == "disclosure")

    reference = min(grep_seconds)
    print(f"listings: {scanned:,}; text file: {size / 2**20:.0f} MiB; terms: {len(all_terms(pack))}")
    print(f"listings with a term: scan {term_lines:,} (after normalisation), grep {grep_count:,} (plain text only)")
    print(f"disclosure findings: {disclosure:,}")
    print(f"scan: {seconds:.2f} s ({seconds / scanned * 1e6:.1f} µs per listing); grep -F -c: {reference:.2f} s")
    if scanned != LISTINGS or term_lines < grep_count * 0.9 or disclosure == 0:
        raise SystemExit("the scan did not do the work it was timed for")
    return f"bench monitoring_scan: {seconds:.2f} s, ratio {seconds / reference:.2f} to grep"


if __name__ == "__main__":
    print(main())
