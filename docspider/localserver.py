"""Serve a table of pages on 127.0.0.1: as a plain web site and as a replay proxy.

`scrapy demo` serves the bundled demo site with it, and the tests serve their fixtures with it.
Pages are looked up by (host, path with query):

* a plain request (``GET /paper/1.html``) by host ``""``;
* a proxy request with an absolute URI (``GET http://www.renrendoc.com/paper/1.html``) by its host,
  so spiders crawl their real URLs unmodified through Scrapy's standard ``http_proxy`` support;
* an HTTPS proxy request (``CONNECT www.renrendoc.com:443``) is answered over TLS with a
  self-signed certificate naming every host in the table, then looked up like a proxy request
  (any host: one the table does not have answers 404, like a site without the page).
  (Scrapy does not check certificate chains by default; the names keep its host check quiet.)

Anything not in the table is a 404. Every request is recorded in ``requests`` (host + path and
its headers), so tests can check what a crawl fetched and how.
"""
from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit


_CONTENT_TYPES = {".txt": "text/plain; charset=utf-8", ".xml": "application/xml",
                  ".pdf": "application/pdf"}


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0          # seconds before answering, to model a slow site
    etag: str | None = None     # sent as ETag; a request with a matching If-None-Match gets 304
    headers: tuple[tuple[str, str], ...] = ()   # more response headers (Location, Retry-After …)
    reset: bool = False         # close the connection without an answer (a connection reset)


@dataclass(frozen=True)
class Seen:
    target: str                 # host + path, host "" for plain requests
    headers: dict[str, str]
    status: int                 # the status it was answered with (0: connection reset)
    at: float = field(default_factory=time.monotonic)   # when it arrived


@dataclass
class PageTable:
    # a page, or a script of pages served in turn (the last one from then on)
    pages: dict[tuple[str, str], Page | tuple[Page, ...]] = field(default_factory=dict)
    hits: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, url: str, page: Page | tuple[Page, ...]) -> None:
        """Serve ``page`` at ``url``: absolute (served to proxy clients) or a path (plain).
        A tuple of pages is a script: the first request gets the first page, and so on."""
        parts = urlsplit(url)
        self.pages[((parts.hostname or "").lower(), _path_of(parts))] = page

    @classmethod
    def from_directory(cls, root: Path) -> PageTable:
        """Pages saved as ``root/<host>/<path>``, served at ``http(s)://<host>/<path>``; a query
        is part of the file name, percent-encoded (``published.html%3Fpage=2``), and so is a
        trailing slash (``list%2F``; the home page is ``%2F``)."""
        table = cls()
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            host, *path = file.relative_to(root).parts
            # `%2F` alone is the host's home page, `/`
            table.add(f"http://{host}/{unquote('/'.join(path)).removeprefix('/')}",
                      Page(file.read_bytes(), _CONTENT_TYPES.get(file.suffix, "text/html")))
        return table

    def get(self, host: str, path: str) -> Page | None:
        key = (host.lower(), path)
        page = self.pages.get(key)
        if isinstance(page, tuple):
            hit = self.hits[key] = self.hits.get(key, 0) + 1
            page = page[min(hit, len(page)) - 1]
        return page

    def hosts(self) -> list[str]:
        return sorted({host for host, _path in self.pages if host})


def _path_of(parts: SplitResult) -> str:
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LocalServer
    tunnel_host = ""

    def do_CONNECT(self) -> None:  # noqa: N802 (http.server API)
        host = self.path.rsplit(":", 1)[0].lower()
        if self.server.tls is None:
            self.send_error(404)
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.request = self.server.tls.wrap_socket(self.connection, server_side=True)
        self.setup()                                # connection, rfile, wfile over TLS
        self.tunnel_host = host
        self.close_connection = False               # the tunnel carries the next requests

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            host, path = parts.hostname or "", _path_of(parts)
        else:
            host, path = self.tunnel_host, self.path
        with self.server.lock:
            page = self.server.table.get(host, path)
        if page is not None and page.reset:
            self.server.record(Seen(f"{host}{path}", dict(self.headers), 0))
            self.close_connection = True     # closed with SO_LINGER 0: the client sees a reset
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        not_modified = page is not None and page.etag is not None \
            and self.headers.get("If-None-Match") == page.etag
        status = 404 if page is None else 304 if not_modified else page.status
        self.server.record(Seen(f"{host}{path}", dict(self.headers), status))
        if page is None:
            self.send_error(404)
            return
        time.sleep(page.delay)
        if not_modified:
            self.send_response(304)
            self.send_header("ETag", page.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        if page.etag:
            self.send_header("ETag", page.etag)
        for name, value in page.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(page.body)

    def finish(self) -> None:
        super().finish()
        if self.tunnel_host:                        # the server only closes the plain socket
            self.connection.close()

    def log_message(self, *args) -> None:
        pass


class LocalServer(ThreadingHTTPServer):
    """``with LocalServer(table) as server:`` serves ``table`` at ``server.url`` in a thread."""

    daemon_threads = True
    # http.server's default backlog of 5 drops connections of a crawl opening more at once,
    # each then retried by the kernel after a second.
    request_queue_size = 128

    def __init__(self, table: PageTable, *, tls: bool = True):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.table = table
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.tls = _tls_context(table.hosts()) if tls and table.hosts() else None
        self._thread = threading.Thread(target=self.serve_forever, name="docspider-localserver",
                                        daemon=True)

    def handle_error(self, request, client_address) -> None:
        # a client that gave up (a timeout, a cancelled download) is part of the tests' faults
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def record(self, seen: Seen) -> None:
        with self.lock:
            self.requests.append(seen)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()


def _tls_context(hosts: list[str]) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "docspider local replay")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(h) for h in hosts] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        pem = Path(tmp) / "replay.pem"
        pem.write_bytes(
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
            + cert.public_bytes(serialization.Encoding.PEM))
        context.load_cert_chain(pem)
    return context
