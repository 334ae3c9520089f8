"""A local HTTP server for crawl tests: binds 127.0.0.1 on a free port, prints its base URL.

Pages come from fixtures/pages/: `<site>-paper-<id>.html` is served at `/paper/<id>.html`
(UTF-8 unless the file name says `gbk`); anything else is 404.
"""
from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


def routes() -> dict[str, Path]:
    table = {}
    for page in PAGES.glob("*.html"):
        if m := re.match(r"^[\w-]+?-paper-(\d+)\.html$", page.name):
            table[f"/paper/{m.group(1)}.html"] = page
    return table


class Handler(BaseHTTPRequestHandler):
    table = routes()

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        page = self.table.get(self.path.split("?")[0])
        if page is None:
            self.send_error(404)
            return
        body = page.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
