"""Capturing a web page in a separate browser process, with a hard time limit.

No Django here: the web request never captures (a task or the CLI calls :func:`run_capture`), and
the runner process (``python -m ecredit.evidence.runner``) imports only this module and Playwright.

Safety rules, applied before the browser starts and again inside it for every request:
- only ``http`` and ``https``;
- the host must resolve to public addresses only: private, loopback, link-local, shared, reserved
  and multicast addresses are refused unless ``allow_private`` (``ECREDIT_CAPTURE_ALLOW_PRIVATE=1``);
- limits on time (the whole process is killed, with every browser process it started), total bytes
  kept, redirects and screenshot height.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")
KILL_WAIT_S = 10.0  # how long to keep killing a capture's browser processes until none is left

# The files a successful capture leaves in its output directory.
SCREENSHOT = "screenshot.png"
PAGE_PDF = "page.pdf"
DOM_HTML = "dom.html"
WACZ = "capture.wacz"
RUNNER_RESULT = "runner.json"


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 90.0  # the whole capture process, browser included
    navigation_timeout_s: float = 30.0
    settle_s: float = 3.0  # at most this long waiting for the network to go quiet after "load"
    max_bytes: int = 50 * 1024 * 1024  # response bodies kept in the WARC, all together
    max_redirects: int = 10
    max_height: int = 20_000  # screenshot height in CSS pixels
    viewport_width: int = 1280
    viewport_height: int = 800


class CaptureRefused(Exception):
    """The address may not be captured (scheme, host, private address). ``message`` is Chinese."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class CaptureFailed(Exception):
    """The browser could not capture the page (timeout, network error, refused redirect…)."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result or {}


Resolver = Callable[[str], Iterable[str]]


def _resolve(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool, resolver: Resolver = _resolve) -> list[str]:
    """The addresses ``url``'s host resolves to, or :class:`CaptureRefused` saying why not."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError:
        raise CaptureRefused("网址格式不正确。", {"url": url}) from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise CaptureRefused("只能固定 http 或 https 网址。", {"url": url, "scheme": parts.scheme})
    if not host:
        raise CaptureRefused("网址缺少主机名。", {"url": url})
    try:
        addresses = list(resolver(host))
    except (OSError, UnicodeError):
        raise CaptureRefused(f"无法解析主机名：{host}", {"url": url, "host": host}) from None
    if not addresses:
        raise CaptureRefused(f"无法解析主机名：{host}", {"url": url, "host": host})
    if not allow_private:
        private = [address for address in addresses if not address_is_public(address)]
        if private:
            raise CaptureRefused(
                f"不允许固定内网、本机或链路本地地址：{host}（{', '.join(private)}）",
                {"url": url, "host": host, "addresses": private},
            )
    return addresses


def allow_private_from_env(environ: dict[str, str] | None = None) -> bool:
    value = (environ if environ is not None else os.environ).get("ECREDIT_CAPTURE_ALLOW_PRIVATE", "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def _processes_mentioning(token: str) -> list[int]:
    """Processes whose command line contains ``token`` (a directory unique to one capture)."""
    found = []
    needle = token.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes() and not _dead(entry):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _dead(proc_dir: Path) -> bool:
    """A zombie (killed, not yet reaped by its parent) or a process on its way out."""
    stat = (proc_dir / "stat").read_text()
    return stat[stat.rindex(")") + 2 :][:1] in ("Z", "X")


def leftover_processes(token: str) -> list[int]:
    return [pid for pid in _processes_mentioning(token) if pid != os.getpid()]


def _kill_everything(proc: subprocess.Popen[bytes], token: str) -> None:
    """Kill the runner's process group and any browser process of this capture. Playwright starts
    chromium in a process group of its own, so the browser is found by its profile directory,
    which lives under the capture's own temporary directory."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + KILL_WAIT_S
    while pids := leftover_processes(token):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            return  # a process the kernel has not let die yet; nothing more we can do
        time.sleep(0.02)


def run_capture(
    url: str,
    out_dir: Path,
    *,
    allow_private: bool,
    limits: Limits | None = None,
    accept_invalid_certificates: bool = False,
    resolver: Resolver = _resolve,
) -> dict[str, Any]:
    """Capture ``url`` into ``out_dir`` (screenshot, PDF, DOM, WACZ) and return the runner's facts.

    ``accept_invalid_certificates`` captures an HTTPS site whose certificate the browser would refuse
    (expired, self-signed); the record says so and still summarises the certificate.

    Raises :class:`CaptureRefused` before starting a browser when the address is not allowed, and
    :class:`CaptureFailed` when the browser could not capture it; in both cases no process is left.
    """
    limits = limits or Limits()
    check_url(url, allow_private=allow_private, resolver=resolver)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ecredit-capture-", ignore_cleanup_errors=True) as scratch:
        job = {
            "url": url.strip(),
            "out_dir": str(out_dir),
            "allow_private": allow_private,
            "limits": asdict(limits),
            "fast_exit": True,
            "accept_invalid_certificates": accept_invalid_certificates,
        }
        env = {**os.environ, "TMPDIR": scratch}  # chromium's profile goes here: our token to find it
        src = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
        log = Path(scratch) / "runner.log"
        # Output goes to a file, not a pipe: the browser inherits it, and waiting for a pipe's end
        # would wait for the browser; we wait for the runner alone, then kill what it leaves.
        with log.open("wb") as log_file:
            proc = subprocess.Popen(
                [sys.executable, "-m", "ecredit.evidence.runner"],
                stdin=subprocess.PIPE,
                stdout=log_file,
                stderr=log_file,
                env=env,
                start_new_session=True,
            )
        try:
            if proc.stdin is not None:
                proc.stdin.write(json.dumps(job).encode())
                proc.stdin.close()
            proc.wait(timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            _kill_everything(proc, scratch)
            raise CaptureFailed(f"固定超时（{limits.timeout_s:g} 秒），已终止浏览器。") from None
        finally:
            _kill_everything(proc, scratch)
        result_file = out_dir / RUNNER_RESULT
        if not result_file.exists():
            tail = log.read_bytes().decode(errors="replace")[-2000:]
            raise CaptureFailed("浏览器进程异常退出。", {"stderr": tail, "returncode": proc.returncode})
        result: dict[str, Any] = json.loads(result_file.read_text())
        result_file.unlink()
    if not result.get("ok"):
        raise CaptureFailed(result.get("error") or "固定失败。", result)
    return result
