"""The app served as in production (gunicorn, two workers): what only a real HTTP server shows."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import factories
from tests.conftest import line_config

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, line_url: str, log: Path, **settings: str) -> Iterator[subprocess.Popen]:
    """gunicorn serving the app in LINE mode with the documented settings (gunicorn.conf.py, two workers) on a
    free port of 127.0.0.1, its log in ``log``; yields the process (``.port``: its port) and stops it."""
    port = free_port()
    env = {**os.environ, **{key: str(value) for key, value in line_config(database_url, line_url).items()
                            if key != "TESTING"}, **settings}
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--workers", "2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    process.port = port
    try:
        deadline = time.monotonic() + 60
        while get(port, "/healthz") != 200:
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("gunicorn did not start: " + log.read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def served(database_url, line_server, tmp_path_factory):
    """gunicorn serving the app (see ``gunicorn``); yields the port."""
    with gunicorn(database_url, line_server.url, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log") as process:
        yield process.port


def get(port: int, path: str) -> int | None:
    """The status of GET ``path``, or None while nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def post(port: int, body, headers: dict[str, str], *, chunked: bool = False) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/callback", body=body, headers=headers, encode_chunked=chunked)
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_chunked_body_over_the_limit_gets_413(served):
    """A 2 MB body sent chunked (no Content-Length) is refused with 413, as a declared one is.

    The server may answer and close before the client has sent it all, so the body goes through a plain
    socket and the answer is read whatever happened to the rest of the upload.
    """
    with socket.create_connection(("127.0.0.1", served), timeout=30) as sock:
        sock.sendall(b"POST /callback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"X-Line-Signature: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        try:
            for _ in range(32):
                sock.sendall(chunk)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused the rest: its answer is already on its way
        answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_chunked_signed_webhook_is_accepted(served):
    """A signed body sent chunked is read whole and answered."""
    raw = factories.body(factories.text_event("こんにちは")).encode()
    status = post(served, iter([raw[:10], raw[10:]]), {
        "Content-Type": "application/json", "X-Line-Signature": factories.sign(raw),
        "Transfer-Encoding": "chunked"}, chunked=True)
    assert status == 200
