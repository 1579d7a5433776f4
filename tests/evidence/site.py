"""A small local web site for capture tests: a Chinese product page with a stylesheet, an image
and a script that fetches JSON, a redirect, an endless redirect loop and a page that never answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


@contextmanager
def serve() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
