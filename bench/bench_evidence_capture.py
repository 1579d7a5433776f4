"""How long a web-page capture takes, against Debian chromium's own ``--headless --screenshot``.

Serves a small Chinese product page (stylesheet, image, script fetching JSON) from a local HTTP
server and times ``ecredit.evidence.capture.run_capture``: a fresh capture process starting
Playwright and chromium, loading the page, waiting for the network to settle (at most 3 s), taking
the full-page screenshot, the PDF print and the DOM, and writing every request and response as a
WARC packaged into a WACZ. The reference, in the same run on the same page, is one
``chromium --headless --screenshot`` process (start, load, screenshot, exit). Best of three each,
interleaved. Target: ratio ≤ 3.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.evidence.site, the test site

from tests.evidence.site import serve

from ecredit.evidence import capture

REPEATS = 3
CHROMIUM = "/usr/bin/chromium"


def _capture(url: str, out: Path) -> float:
    start = time.perf_counter()
    capture.run_capture(url, out, allow_private=True)
    elapsed = time.perf_counter() - start
    for name in (capture.SCREENSHOT, capture.PAGE_PDF, capture.DOM_HTML, capture.WACZ):
        if not (out / name).stat().st_size:
            raise SystemExit(f"capture left {name} empty")
    return elapsed


def _chromium(url: str, out: Path) -> float:
    shot = out / "chromium.png"
    start = time.perf_counter()
    subprocess.run(  # noqa: S603 -- a fixed program and our own local URL
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={out / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,800",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - start
    if not shot.exists() or shot.stat().st_size < 1000:
        raise SystemExit("chromium --screenshot wrote no image")
    return elapsed


def main() -> str:
    captures: list[float] = []
    references: list[float] = []
    with serve() as base, tempfile.TemporaryDirectory() as scratch:
        url = f"{base}/product"
        _capture(url, Path(scratch) / "warm")  # page cache, fonts, Python bytecode: not what we measure
        for n in range(REPEATS):
            references.append(_chromium(url, Path(scratch) / f"ref-{n}"))
            captures.append(_capture(url, Path(scratch) / f"cap-{n}"))
    value, reference = min(captures), min(references)
    print(
        f"captures: {', '.join(f'{t:.2f}' for t in captures)} s; chromium --screenshot: {', '.join(f'{t:.2f}' for t in references)} s"
    )
    return f"bench evidence_capture: {value:.2f} s, ratio {value / reference:.2f} to chromium_screenshot"


if __name__ == "__main__":
    print(main())
