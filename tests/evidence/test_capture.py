"""The capture core in a real browser (Debian's chromium), against a local test site."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from warcio.archiveiterator import ArchiveIterator

from ecredit.evidence import capture
from ecredit.evidence.capture import CaptureFailed, CaptureRefused, Limits, check_url, run_capture

WACZ_CLI = Path("/work/main/.venv/bin/wacz")


def _leftovers() -> list[int]:
    return capture.leftover_processes("ecredit-capture-")


def _warc_records(wacz: Path) -> list[tuple[str, str, bytes]]:
    with zipfile.ZipFile(wacz) as bundle:
        warc = next(name for name in bundle.namelist() if name.startswith("archive/"))
        data = bundle.read(warc)
    records = []
    for rec in ArchiveIterator(io.BytesIO(data)):
        records.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI") or "", rec.content_stream().read()))
    return records


def test_it_captures_every_file_of_a_chinese_page(site: str, tmp_path: Path) -> None:
    result = run_capture(f"{site}/moved", tmp_path, allow_private=True)

    for name in (capture.SCREENSHOT, capture.PAGE_PDF, capture.DOM_HTML, capture.WACZ):
        assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / capture.SCREENSHOT).read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / capture.PAGE_PDF).read_bytes().startswith(b"%PDF")
    dom = (tmp_path / capture.DOM_HTML).read_text()
    assert "价格 99 元" in dom  # the DOM after the script ran
    assert result["requested_url"] == f"{site}/moved"
    assert result["final_url"] == f"{site}/product"
    assert result["redirects"] == [{"url": f"{site}/moved", "status": 302, "location": "/product"}]
    assert result["status"] == 200
    assert result["server_ip"] == "127.0.0.1"
    assert result["browser"]["name"] == "chromium" and result["browser"]["version"]
    assert result["viewport"] == {"width": 1280, "height": 800}
    assert "Chrome/" in result["user_agent"] and "Headless" not in result["user_agent"]
    assert result["title"] == "测试商品页"
    assert result["started_at"] < result["ended_at"]

    records = _warc_records(tmp_path / capture.WACZ)
    responses = {uri: body for kind, uri, body in records if kind == "response"}
    requests = {uri for kind, uri, _body in records if kind == "request"}
    for path in ("/moved", "/product", "/style.css", "/pic.svg", "/data.json"):
        assert f"{site}{path}" in responses, path
        assert f"{site}{path}" in requests, path
    assert "价格 99 元".encode() in responses[f"{site}/data.json"]
    assert b"<h1>" in responses[f"{site}/product"]
    shots = [body for kind, uri, body in records if kind == "resource" and uri.startswith("urn:screenshot:")]
    assert shots == [(tmp_path / capture.SCREENSHOT).read_bytes()]
    with zipfile.ZipFile(tmp_path / capture.WACZ) as bundle:
        pages = bundle.read("pages/pages.jsonl").decode().splitlines()
    assert json.loads(pages[1])["url"] == f"{site}/product"


def test_it_makes_a_wacz_the_webrecorder_tools_accept(site: str, tmp_path: Path) -> None:
    run_capture(f"{site}/product", tmp_path, allow_private=True)
    done = subprocess.run(
        [str(WACZ_CLI), "validate", "-f", str(tmp_path / capture.WACZ)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout


def test_it_renders_chinese_glyphs_not_tofu(site: str, tmp_path: Path) -> None:
    run_capture(f"{site}/glyphs", tmp_path, allow_private=True)
    image = Image.open(tmp_path / capture.SCREENSHOT).convert("L")
    cells = [image.crop((x, 0, x + 100, 100)) for x in range(0, 500, 100)]
    chinese, missing = cells[:3], cells[3:]
    for cell in chinese:
        assert cell.getextrema()[0] < 100, "no ink: the glyph was not drawn"
    # Two code points no font has draw the same missing-glyph box ...
    assert ImageChops.difference(missing[0], missing[1]).getbbox() is None
    # ... while every Chinese glyph differs from that box and from the other Chinese glyphs.
    for i, cell in enumerate(chinese):
        assert ImageChops.difference(cell, missing[0]).getbbox() is not None
        for other in chinese[i + 1 :]:
            assert ImageChops.difference(cell, other).getbbox() is not None


def test_it_refuses_a_redirect_loop(site: str, tmp_path: Path) -> None:
    with pytest.raises(CaptureFailed) as failed:
        run_capture(f"{site}/loop/0", tmp_path, allow_private=True, limits=Limits(max_redirects=3))
    assert "重定向" in failed.value.message
    assert not (tmp_path / capture.WACZ).exists()
    assert _leftovers() == []


def test_it_kills_the_browser_when_time_runs_out(site: str, tmp_path: Path) -> None:
    with pytest.raises(CaptureFailed) as failed:
        run_capture(f"{site}/hang", tmp_path, allow_private=True, limits=Limits(timeout_s=6, navigation_timeout_s=60))
    assert "超时" in failed.value.message
    assert _leftovers() == []


def test_it_leaves_no_browser_process_after_ten_captures(site: str, tmp_path: Path) -> None:
    for n in range(10):
        run_capture(f"{site}/product", tmp_path / str(n), allow_private=True)
        assert _leftovers() == [], f"after capture {n + 1}"


def test_it_refuses_loopback_unless_allowed() -> None:
    with pytest.raises(CaptureRefused) as refused:
        check_url("http://127.0.0.1:8000/", allow_private=False)
    assert "不允许" in refused.value.message
    assert check_url("http://127.0.0.1:8000/", allow_private=True) == ["127.0.0.1"]


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",  # noqa: S104 -- an address refused, not bound
    ],
)
def test_it_refuses_private_and_link_local_addresses(address: str) -> None:
    with pytest.raises(CaptureRefused):
        check_url("https://shop.example/item", allow_private=False, resolver=lambda host: [address])


def test_it_refuses_a_host_with_one_private_address_among_public_ones() -> None:
    with pytest.raises(CaptureRefused):
        check_url("https://shop.example/", allow_private=False, resolver=lambda host: ["93.184.215.14", "10.0.0.5"])


def test_it_accepts_a_public_address() -> None:
    assert check_url("https://shop.example/", allow_private=False, resolver=lambda host: ["93.184.215.14"]) == [
        "93.184.215.14"
    ]


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "chrome://version", "http://", "http://a:b/"],
)
def test_it_refuses_anything_but_http_and_https(url: str) -> None:
    with pytest.raises(CaptureRefused):
        check_url(url, allow_private=True, resolver=lambda host: ["93.184.215.14"])


def test_it_refuses_before_starting_a_browser(tmp_path: Path) -> None:
    with pytest.raises(CaptureRefused):
        run_capture("http://127.0.0.1:9/", tmp_path, allow_private=False)
    assert list(tmp_path.iterdir()) == []


def test_it_reads_the_allow_private_switch_strictly() -> None:
    assert capture.allow_private_from_env({"ECREDIT_CAPTURE_ALLOW_PRIVATE": "1"})
    assert not capture.allow_private_from_env({"ECREDIT_CAPTURE_ALLOW_PRIVATE": "0"})
    assert not capture.allow_private_from_env({})


def test_it_keeps_no_body_beyond_the_size_limit(site: str, tmp_path: Path) -> None:
    result = run_capture(f"{site}/product", tmp_path, allow_private=True, limits=Limits(max_bytes=100))
    assert result["archive"]["truncated"] >= 1
    assert any("超过大小上限" in error for error in result["errors"])
    bodies = [body for kind, _uri, body in _warc_records(tmp_path / capture.WACZ) if kind == "response"]
    assert sum(len(body) for body in bodies) <= 100


def test_it_blocks_requests_to_refused_addresses_inside_the_browser() -> None:
    from ecredit.evidence.runner import Recorder

    recorder = Recorder(allow_private=False, max_redirects=3)
    assert recorder.refusal("http://127.0.0.1/pixel.gif") is not None
    assert recorder.refusal("http://169.254.169.254/latest/meta-data/") is not None
    assert recorder.refusal("ftp://example.com/") is not None
    assert recorder.refusal("data:image/png;base64,AAAA") is None
    assert Recorder(allow_private=True, max_redirects=3).refusal("http://127.0.0.1/pixel.gif") is None


class FakeSession:
    """Stands in for the page's CDP session: records what the recorder tells the browser to do."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, object]]] = []

    def send(self, method: str, params: dict[str, object]) -> None:
        self.sent.append((method, params))


def paused(request_id: str, url: str, status: int, location: str = "", kind: str = "Document") -> dict[str, object]:
    headers = [{"name": "Location", "value": location}] if location else []
    return {
        "requestId": request_id,
        "request": {"url": url},
        "responseStatusCode": status,
        "responseHeaders": headers,
        "resourceType": kind,
        "frameId": "MAIN",
    }


def test_it_stops_a_redirect_to_a_refused_address_before_the_browser_follows_it() -> None:
    from ecredit.evidence.runner import Recorder

    recorder, session = Recorder(allow_private=False, max_redirects=3), FakeSession()
    # A page, and a redirect to an address the capture may reach: let through.
    recorder.on_paused(session, paused("1", "http://93.184.216.34/", 200), "MAIN")  # type: ignore[arg-type]
    recorder.on_paused(session, paused("2", "http://93.184.216.34/a", 302, "/b"), "MAIN")  # type: ignore[arg-type]
    # A redirect of the page to the cloud metadata address: the hop is failed, the capture abandoned.
    recorder.on_paused(
        session,  # type: ignore[arg-type]
        paused("3", "http://93.184.216.34/b", 301, "http://169.254.169.254/latest/meta-data/"),
        "MAIN",
    )
    assert session.sent == [
        ("Fetch.continueResponse", {"requestId": "1"}),
        ("Fetch.continueResponse", {"requestId": "2"}),
        ("Fetch.failRequest", {"requestId": "3", "errorReason": "BlockedByClient"}),
    ]
    assert recorder.fatal is not None and recorder.fatal.startswith("页面重定向到不允许的地址")
    assert recorder.blocked[-1]["url"] == "http://169.254.169.254/latest/meta-data/"
    # An image redirected to a private address is blocked without giving up the page.
    other = Recorder(allow_private=False, max_redirects=3)
    other.on_paused(session, paused("4", "http://93.184.216.34/i", 302, "http://10.0.0.8/x.png", "Image"), "MAIN")  # type: ignore[arg-type]
    assert session.sent[-1] == ("Fetch.failRequest", {"requestId": "4", "errorReason": "BlockedByClient"})
    assert other.fatal is None


def test_it_summarises_the_tls_certificate_of_each_https_origin(tmp_path: Path) -> None:
    from tests.evidence.site import serve

    with serve(tls_dir=tmp_path) as base:
        with pytest.raises(CaptureFailed):  # a self-signed certificate is refused by default ...
            run_capture(f"{base}/product", tmp_path / "refused", allow_private=True)
        result = run_capture(  # ... unless the officer accepts it on purpose, and the record says so
            f"{base}/product", tmp_path / "accepted", allow_private=True, accept_invalid_certificates=True
        )
    assert result["invalid_certificates_accepted"] is True
    tls = result["tls"][base]
    assert tls["subject"] == "ecredit test site" and tls["issuer"] == "ecredit test site"
    assert tls["protocol"].startswith("TLS") and tls["valid_to"] > tls["valid_from"]
    assert _leftovers() == []
