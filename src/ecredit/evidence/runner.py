"""The capture process: ``python -m ecredit.evidence.runner`` reads one job (JSON) on stdin.

It drives Debian's chromium through Playwright (never a downloaded browser) and writes, into the
job's ``out_dir``: the full-page screenshot, the PDF print, the DOM after scripts ran, every request
and response as WARC records packaged as a WACZ (with the screenshot and the pages list), and
``runner.json`` with the facts of the capture. It is started and, if need be, killed by
:func:`ecredit.evidence.capture.run_capture`; it imports no Django.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import tempfile
import threading
import time
import traceback
import types
from collections.abc import Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import CDPSession, Page, Request, Response, Route, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError

if TYPE_CHECKING:
    from playwright._impl._api_structures import HttpHeader

from ecredit.evidence.capture import (
    DOM_HTML,
    PAGE_PDF,
    RUNNER_RESULT,
    SCREENSHOT,
    WACZ,
    CaptureRefused,
    address_is_public,
    check_url,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Frames from other sites stay in the page's process, so the page's interception (redirects) covers them.
    "--disable-site-isolation-trials",
]
# Headers that describe the bytes on the wire; Playwright hands us decoded bodies, so the WARC
# records keep the original values under another name and describe the bytes they hold.
_WIRE_HEADERS = ("content-encoding", "transfer-encoding", "content-length")


def _now() -> datetime:
    return datetime.now(UTC)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Recorder:
    """Watches one page: checks every request, keeps every response, notes what went wrong."""

    def __init__(self, *, allow_private: bool, max_redirects: int) -> None:
        self.allow_private = allow_private
        self.max_redirects = max_redirects
        self.responses: list[tuple[Response, datetime]] = []
        self.blocked: list[dict[str, str]] = []
        self.errors: list[str] = []
        self.fatal: str | None = None
        self._hosts: dict[str, str | None] = {}
        self.in_flight: set[Request] = set()
        self.last_activity = time.monotonic()

    def started(self, request: Request) -> None:
        self.in_flight.add(request)
        self.last_activity = time.monotonic()

    def settled(self, request: Request) -> None:
        self.in_flight.discard(request)
        self.last_activity = time.monotonic()

    def refusal(self, url: str) -> str | None:
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("data", "blob", "about"):
            return None
        host = urlsplit(url).hostname or ""
        key = f"{scheme}://{host}"
        if key not in self._hosts:
            try:
                check_url(url, allow_private=self.allow_private)
                self._hosts[key] = None
            except CaptureRefused as refused:
                self._hosts[key] = refused.message
        return self._hosts[key]

    def on_route(self, route: Route) -> None:
        reason = self.refusal(route.request.url)
        if reason is None:
            route.continue_()
        else:
            self.blocked.append({"url": route.request.url, "reason": reason})
            route.abort("blockedbyclient")

    def on_request(self, request: Request) -> None:
        self.started(request)
        # Redirects do not pass through the route handler: check them here, and give up the
        # capture if one leads somewhere refused.
        if request.redirected_from is None:
            return
        hops = 0
        previous: Request | None = request.redirected_from
        while previous is not None:
            hops += 1
            previous = previous.redirected_from
        reason = self.refusal(request.url)
        if reason is not None:
            self.blocked.append({"url": request.url, "reason": "重定向：" + reason})
            if request.is_navigation_request() and request.frame.parent_frame is None:
                self.fatal = "页面重定向到不允许的地址：" + reason
        elif hops > self.max_redirects and request.is_navigation_request():
            self.fatal = f"重定向次数超过上限（{self.max_redirects} 次）。"

    def redirect_refusal(self, url: str, status: int | None, headers: list[dict[str, str]]) -> str | None:
        """Why a redirect response must not be followed (its target is refused), or None. Called by the
        browser's own interception at the response stage, before it sends the next hop's request."""
        if status is None or not 300 <= status < 400:
            return None
        location = next((h["value"] for h in headers if h.get("name", "").lower() == "location"), "")
        if not location:
            return None
        target = urljoin(url, location)
        reason = self.refusal(target)
        if reason is not None:
            self.blocked.append({"url": target, "reason": "重定向：" + reason})
        return reason

    def on_paused(self, session: CDPSession, event: dict[str, Any], main_frame: str) -> None:
        """``Fetch.requestPaused`` at the response stage: stop a redirect to a refused address before
        the browser follows it (Playwright's route handler never sees redirect hops)."""
        reason = self.redirect_refusal(
            event["request"]["url"], event.get("responseStatusCode"), event.get("responseHeaders") or []
        )
        try:
            if reason is None:
                session.send("Fetch.continueResponse", {"requestId": event["requestId"]})
                return
            if event.get("resourceType") == "Document" and event.get("frameId") == main_frame:
                self.fatal = "页面重定向到不允许的地址：" + reason
            session.send("Fetch.failRequest", {"requestId": event["requestId"], "errorReason": "BlockedByClient"})
        except PlaywrightError:
            pass  # the page or the request is gone; nothing to continue

    def on_response(self, response: Response) -> None:
        self.responses.append((response, _now()))
        if 300 <= response.status < 400:  # a redirect's request ends here; the next hop is a new one
            self.settled(response.request)
        server = response.server_addr()
        if server and not self.allow_private and not address_is_public(server["ipAddress"]):
            reason = f"服务器地址不允许：{server['ipAddress']}"
            self.blocked.append({"url": response.url, "reason": reason})
            if response.request.is_navigation_request() and response.frame.parent_frame is None:
                self.fatal = "页面来自不允许的地址：" + server["ipAddress"]

    def on_failed(self, request: Request) -> None:
        self.settled(request)
        if any(item["url"] == request.url for item in self.blocked):
            return
        self.errors.append(f"{request.method} {request.url}: {request.failure}")


def _http_headers(pairs: Sequence[HttpHeader], body_length: int) -> list[tuple[str, str]]:
    headers = []
    for pair in pairs:
        name = pair["name"]
        if name.startswith(":"):  # HTTP/2 pseudo-headers
            continue
        if name.lower() in _WIRE_HEADERS:
            headers.append(("X-Archive-Orig-" + name, pair["value"]))
        else:
            headers.append((name, pair["value"]))
    headers.append(("Content-Length", str(body_length)))
    return headers


def write_warc(
    recorder: Recorder, warc_path: Path, *, max_bytes: int, screenshot: bytes, final_url: str
) -> dict[str, Any]:
    """Every request and response as WARC records (warcio), then the screenshot as a resource."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    kept = 0
    truncated = 0
    with warc_path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        info = writer.create_warcinfo_record(
            warc_path.name, {"software": "ecredit evidence capture (Playwright + chromium)", "format": "WARC/1.1"}
        )
        writer.write_record(info)
        for response, seen_at in recorder.responses:
            request = response.request
            url = response.url
            if not url.startswith(("http://", "https://")):
                continue
            warc_date = seen_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            try:
                request_headers = request.headers_array()
            except PlaywrightError:
                request_headers = [{"name": k, "value": v} for k, v in request.headers.items()]
            request_body = request.post_data_buffer or b""
            path = urlsplit(url).path or "/"
            if urlsplit(url).query:
                path += "?" + urlsplit(url).query
            req_record = writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(request_body),
                length=len(request_body),
                http_headers=StatusAndHeaders(
                    f"{request.method} {path} HTTP/1.1",
                    _http_headers(request_headers, len(request_body)),
                    is_http_request=True,
                ),
                warc_headers_dict={"WARC-Date": warc_date},
            )
            body = b""
            is_redirect = 300 <= response.status < 400
            declared = response.headers.get("content-length", "")
            # A body announced larger than what is left is not even read into memory.
            too_big = declared.isdigit() and kept + int(declared) > max_bytes
            if not is_redirect and not too_big:
                try:
                    body = response.body()
                except PlaywrightError as exc:
                    recorder.errors.append(f"无法读取响应内容 {url}: {exc.message.splitlines()[0]}")
            warc_headers = {"WARC-Date": warc_date}
            if too_big or kept + len(body) > max_bytes:
                truncated += 1
                body = b""
                warc_headers["WARC-Truncated"] = "length"
            kept += len(body)
            server = response.server_addr()
            if server:
                warc_headers["WARC-IP-Address"] = server["ipAddress"]
            reason = response.status_text
            if not reason:
                try:
                    reason = HTTPStatus(response.status).phrase
                except ValueError:
                    reason = ""
            resp_record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders(
                    f"{response.status} {reason}".strip(),
                    _http_headers(response.headers_array(), len(body)),
                    protocol="HTTP/1.1",
                ),
                warc_headers_dict=warc_headers,
            )
            writer.write_request_response_pair(req_record, resp_record)
        shot = writer.create_warc_record(
            "urn:screenshot:" + final_url,
            "resource",
            payload=io.BytesIO(screenshot),
            length=len(screenshot),
            warc_content_type="image/png",
        )
        writer.write_record(shot)
    if truncated:
        recorder.errors.append(f"超过大小上限，{truncated} 个响应未保存内容。")
    return {"bytes": kept, "responses": len(recorder.responses), "truncated": truncated}


def _without_validation() -> None:
    """``wacz.main`` imports its validator, which pulls in ``frictionless`` (0.6 s of imports) that
    ``create`` never uses: give it a stand-in so a capture does not pay for it."""
    if "wacz.validate" not in sys.modules:
        stand_in = types.ModuleType("wacz.validate")
        stand_in.Validation = None  # type: ignore[attr-defined]
        stand_in.OUTDATED_WACZ = "0.1.0"  # type: ignore[attr-defined]
        sys.modules["wacz.validate"] = stand_in


def _import_wacz() -> None:
    _without_validation()
    importlib.import_module("wacz.main")


_preload = threading.Thread(target=_import_wacz, daemon=True)


def write_wacz(warc_path: Path, wacz_path: Path, *, url: str, ts: str, title: str) -> None:
    """Package the WARC with a pages list, with the ``wacz`` package (as ``wacz create`` does)."""
    if _preload.ident is not None:
        _preload.join()
    _without_validation()
    from wacz.main import main as wacz_main

    pages = warc_path.with_name("pages.jsonl")
    lines = [
        {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"},
        {"id": "page-1", "url": url, "ts": ts, "title": title or url},
    ]
    pages.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    with contextlib.redirect_stdout(io.StringIO()):
        code = wacz_main(
            ["create", "-o", str(wacz_path), "-p", str(pages), "--url", url, "--title", title or url, str(warc_path)]
        )
    if code not in (0, None):
        raise RuntimeError(f"wacz create exited with {code}")


def _redirects(response: Response) -> list[dict[str, Any]]:
    chain = []
    request = response.request.redirected_from
    while request is not None:
        earlier = request.response()
        chain.append(
            {
                "url": request.url,
                "status": earlier.status if earlier else None,
                "location": (earlier.headers.get("location") if earlier else None),
            }
        )
        request = request.redirected_from
    return list(reversed(chain))


def _tls_by_origin(recorder: Recorder) -> dict[str, Any]:
    tls: dict[str, Any] = {}
    for response, _seen in recorder.responses:
        origin = _origin(response.url)
        if not origin.startswith("https://") or origin in tls:
            continue
        try:
            details = response.security_details()
        except PlaywrightError:
            details = None
        if details:
            tls[origin] = {
                "protocol": details.get("protocol"),
                "subject": details.get("subjectName"),
                "issuer": details.get("issuer"),
                "valid_from": _epoch(details.get("validFrom")),
                "valid_to": _epoch(details.get("validTo")),
            }
    return tls


def _epoch(value: float | None) -> str | None:
    return datetime.fromtimestamp(value, UTC).isoformat() if value else None


QUIET_S = 0.25  # the network counts as settled after this long with no request in flight


def _settle(page: Page, recorder: Recorder, limit_s: float) -> None:
    """After "load", give scripts' requests time to finish: wait until nothing has been in flight
    for ``QUIET_S``, at most ``limit_s`` (Playwright's "networkidle" always waits 500 ms)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if not recorder.in_flight and time.monotonic() - recorder.last_activity >= QUIET_S:
            return
        page.wait_for_timeout(50)


def capture(job: dict[str, Any]) -> dict[str, Any]:
    url: str = job["url"]
    out = Path(job["out_dir"])
    limits = job["limits"]
    recorder = Recorder(allow_private=bool(job["allow_private"]), max_redirects=int(limits["max_redirects"]))
    started = _now()
    viewport: ViewportSize = {"width": int(limits["viewport_width"]), "height": int(limits["viewport_height"])}
    result: dict[str, Any] = {
        "ok": False,
        "requested_url": url,
        "started_at": started.isoformat(),
        "viewport": viewport,
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            version = browser.version
            user_agent = (
                f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{version} Safari/537.36"
            )
            result["browser"] = {"name": "chromium", "version": version, "executable": CHROMIUM}
            result["user_agent"] = user_agent
            context = browser.new_context(
                viewport=viewport,
                user_agent=user_agent,
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                service_workers="block",  # so that every request passes by us
                accept_downloads=False,
                ignore_https_errors=bool(job.get("accept_invalid_certificates")),
            )
            context.route("**/*", recorder.on_route)
            page = context.new_page()
            # Redirect hops bypass the route handler: the browser's own interception stops a redirect to a
            # refused address at the response stage, before any request to it leaves the machine.
            session = context.new_cdp_session(page)
            main_frame = str(session.send("Page.getFrameTree")["frameTree"]["frame"]["id"])
            session.on("Fetch.requestPaused", lambda event: recorder.on_paused(session, event, main_frame))
            session.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Response"}]})
            page.on("request", recorder.on_request)
            page.on("response", recorder.on_response)
            page.on("requestfailed", recorder.on_failed)
            page.on("requestfinished", recorder.settled)
            try:
                response = page.goto(url, wait_until="load", timeout=float(limits["navigation_timeout_s"]) * 1000)
            except PlaywrightError as exc:
                result["error"] = recorder.fatal or f"无法打开页面：{exc.message.splitlines()[0]}"
                result["blocked"] = recorder.blocked
                result["errors"] = recorder.errors
                return result
            _settle(page, recorder, float(limits["settle_s"]))
            if recorder.fatal:
                result.update(error=recorder.fatal, blocked=recorder.blocked, errors=recorder.errors)
                return result
            if response is None:
                result.update(error="页面没有返回响应。", blocked=recorder.blocked, errors=recorder.errors)
                return result
            final_url = page.url
            title = page.title()
            height = int(
                page.evaluate(
                    "Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
                )
            )
            shot_options: dict[str, Any] = {"full_page": True, "type": "png"}
            truncated = height > int(limits["max_height"])
            if truncated:
                shot_options["clip"] = {"x": 0, "y": 0, "width": viewport["width"], "height": int(limits["max_height"])}
                recorder.errors.append(f"页面高度 {height} 像素，截图只保留前 {limits['max_height']} 像素。")
            screenshot = page.screenshot(**shot_options)
            (out / SCREENSHOT).write_bytes(screenshot)
            (out / DOM_HTML).write_text(page.content(), encoding="utf-8")
            page.emulate_media(media="screen")
            (out / PAGE_PDF).write_bytes(page.pdf(format="A4", print_background=True))
            server = response.server_addr()
            result.update(
                final_url=final_url,
                title=title,
                status=response.status,
                status_text=response.status_text,
                redirects=_redirects(response),
                server_ip=server["ipAddress"] if server else None,
                server_port=server["port"] if server else None,
                tls=_tls_by_origin(recorder),
                invalid_certificates_accepted=bool(job.get("accept_invalid_certificates")),
                page_height=height,
                screenshot_truncated=truncated,
            )
            with tempfile.TemporaryDirectory(dir=out) as scratch:
                warc = Path(scratch) / "capture.warc.gz"
                result["archive"] = write_warc(
                    recorder, warc, max_bytes=int(limits["max_bytes"]), screenshot=screenshot, final_url=final_url
                )
                ts = started.strftime("%Y-%m-%dT%H:%M:%SZ")
                write_wacz(warc, out / WACZ, url=final_url, ts=ts, title=title)
            result.update(ok=True, ended_at=_now().isoformat(), blocked=recorder.blocked, errors=recorder.errors)
            if job.get("fast_exit"):
                # Everything is written: hand over the result and leave at once. The parent kills
                # chromium and the driver (it always does), which is faster than closing them.
                _deliver(out, result)
                os._exit(0)
            context.close()
        finally:
            browser.close()
    result.update(ok=True, ended_at=_now().isoformat(), blocked=recorder.blocked, errors=recorder.errors)
    return result


def main() -> None:
    # Importing wacz takes about a second (it pulls in frictionless); do it while chromium starts.
    _preload.start()
    job = json.loads(sys.stdin.read())
    out = Path(job["out_dir"])
    try:
        result = capture(job)
    except Exception as exc:  # the parent reads the reason from runner.json
        result = {"ok": False, "error": f"固定失败：{exc}", "traceback": traceback.format_exc()[-4000:]}
    result.setdefault("ended_at", _now().isoformat())
    _deliver(out, result)


def _deliver(out: Path, result: dict[str, Any]) -> None:
    temp = out / (RUNNER_RESULT + ".part")
    temp.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    temp.replace(out / RUNNER_RESULT)
    sys.stdout.flush()
    sys.stderr.flush()


if __name__ == "__main__":
    main()
