"""A minimal fake of LINE's reply endpoint for the benchmarks: ``python -m bench.line_sink PORT``.

Answers every request 200 with a reply result and notes when each reply token arrived (CLOCK_MONOTONIC is one
clock for every process of the machine); ``GET /replies`` hands them over. No validation: it measures the bot,
not the fake (``tests.fake_line_server`` validates).
"""

import http.server
import json
import sys
import threading
import time

BODY = b'{"sentMessages":[{"id":"1","quoteToken":"q"}]}'
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)
seen: dict[str, float] = {}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    """Notes reply tokens on POST, hands the notes over on GET."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = time.monotonic()
        token = None
        if b'"replyToken"' in raw:  # a reply (a push or multicast is only answered)
            try:
                token = json.loads(raw).get("replyToken")
            except ValueError:
                pass
        if token:
            with lock:
                seen.setdefault(token, now)
        self.wfile.write(RESPONSE)  # one write: no Nagle/delayed-ACK stall between headers and body

    def do_GET(self):
        with lock:
            body = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def command(port: int) -> list[str]:
    """The command line that runs the sink on ``port`` in its own process (from the project's root)."""
    return [sys.executable, "-m", "bench.line_sink", str(port)]


if __name__ == "__main__":
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
