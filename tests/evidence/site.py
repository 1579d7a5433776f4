"""A small local web site for capture tests: a Chinese product page with a stylesheet, an image
and a script that fetches JSON, a redirect, an endless redirect loop and a page that never answers."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PRODUCT = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>测试商品页</title>
<link rel="stylesheet" href="/style.css"></head>
<body><h1>纯天然无添加 特效减肥茶</h1><p>本品三天见效，假一赔十。</p><img src="/pic.svg" alt="">
<script>fetch('/data.json').then(r => r.json()).then(d => {
  const p = document.createElement('p'); p.id = 'price'; p.textContent = d.price; document.body.append(p);
});</script></body></html>"""

# Glyphs side by side, large, in cells of known position: Chinese, then code points no font has.
GLYPHS = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>字形</title><style>
body { margin: 0; background: #fff; }
span { position: absolute; top: 0; width: 100px; height: 100px; font-size: 80px; line-height: 100px; }
</style></head><body>
<span style="left:0">中</span><span style="left:100px">文</span><span style="left:200px">证</span>
<span style="left:300px">&#x0378;</span><span style="left:400px">&#x0379;</span>
</body></html>"""

PAGES: dict[str, tuple[int, str, bytes]] = {
    "/product": (200, "text/html; charset=utf-8", PRODUCT.encode()),
    "/glyphs": (200, "text/html; charset=utf-8", GLYPHS.encode()),
    "/style.css": (200, "text/css", b"h1 { color: #a00; }"),
    "/pic.svg": (
        200,
        "image/svg+xml",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50"><circle cx="25" cy="25" r="20" fill="green"/></svg>',
    ),
    "/data.json": (200, "application/json", '{"price": "价格 99 元"}'.encode()),
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/moved":
            self._redirect("/product")
        elif path.startswith("/loop/"):
            self._redirect(f"/loop/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/hang":
            time.sleep(60)
        elif path in PAGES:
            status, content_type, body = PAGES[path]
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself (the browser refuses it unless told otherwise)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "ecredit test site"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "南安测试"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@contextmanager
def serve(*, tls_dir: Path | None = None) -> Iterator[str]:
    """The site on a free loopback port; over HTTPS with a self-signed certificate if ``tls_dir``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if tls_dir is not None:
        cert_path, key_path = _self_signed(tls_dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
