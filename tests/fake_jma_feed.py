"""A fake JMA feed server on 127.0.0.1: an Atom feed of telegrams served from files, answering conditional GETs
with 304 as JMA's servers do, counting every request, and failing a path on demand."""

from __future__ import annotations

import threading
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ATOM_HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" lang="ja">\n'
             "<title>高頻度（随時）</title><updated>{updated}</updated><id>{url}</id>\n")
ENTRY = ('<entry><title>{title}</title><id>{href}</id><updated>{updated}</updated><author><name>{author}</name>'
         '</author><link type="application/xml" href="{href}"/><content type="text">…</content></entry>\n')


class FakeJmaFeed:
    """The server: ``publish`` adds telegrams (newest first in the feed, as JMA lists them)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()  # path → requests
        self.not_modified = 0  # 304 answers given
        self._files: dict[str, bytes] = {}
        self._entries: list[tuple[str, str]] = []  # (path, title), oldest first
        self._version = 0
        self._failing: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def feed(self) -> str:
        return f"{self.url}/developer/xml/feed/extra.xml"

    def start(self) -> FakeJmaFeed:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def publish(self, path: Path, title: str) -> str:
        """List the telegram in ``path`` under ``title`` (its Control/Title); returns its URL."""
        name = f"/developer/xml/data/{len(self._entries):04d}_{path.name}"
        with self._lock:
            self._files[name] = path.read_bytes()
            self._entries.append((name, title))
            self._version += 1
        return f"{self.url}{name}"

    def fail(self, path: str, times: int = 1) -> None:
        """Answer 500 to the next ``times`` requests for ``path`` (a URL or a path)."""
        self._failing[path.removeprefix(self.url)] = times

    def _last_modified(self) -> str:
        return formatdate(1_790_000_000 + self._version * 60, usegmt=True)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with fake._lock:
                    fake.requests[self.path] += 1
                    if fake._failing.get(self.path, 0) > 0:
                        fake._failing[self.path] -= 1
                        self._answer(500, b"busy")
                        return
                    if self.path == "/developer/xml/feed/extra.xml":
                        self._feed()
                    elif self.path in fake._files:
                        self._answer(200, fake._files[self.path], "application/xml")
                    else:
                        self._answer(404, b"not found")

            def _feed(self):
                modified, etag = fake._last_modified(), f'W/"{fake._version}"'
                if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == modified:
                    fake.not_modified += 1
                    self.send_response(304)
                    self.send_header("Last-Modified", modified)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                updated = "2026-07-28T09:45:34Z"
                body = ATOM_HEAD.format(updated=updated, url=escape(fake.feed)) + "".join(
                    ENTRY.format(title=escape(title), href=escape(fake.url + path), updated=updated,
                                 author="札幌管区気象台") for path, title in reversed(fake._entries)) + "</feed>\n"
                self._answer(200, body.encode(), "text/xml", {"Last-Modified": modified, "ETag": etag})

            def _answer(self, status: int, body: bytes, kind: str = "text/plain", headers: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler
