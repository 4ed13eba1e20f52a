"""Webhook throughput and latency: signed LINE webhooks against gunicorn, replies going to a fake LINE API.

Run: .venv/bin/python bench/bench_webhook.py [--requests 3000] [--concurrency 8] [--workers 2]

Everything talks to 127.0.0.1 only. The script
1. starts the fake LINE API (tests/fake_line_server.py, which validates every request against LINE's spec),
2. prepares a SQLite database with the demo pack,
3. runs the bot under gunicorn (``--workers``), then, as the naive baseline in the same run, under Flask's
   single-process development server,
4. posts ``--requests`` signed webhooks (one text event each, a different resident message each time,
   unique webhookEventIds) from ``--concurrency`` keep-alive client threads, and
5. prints requests per second, p50/p99/max latency, errors, and how many replies the fake LINE API got.

With ``--sink`` the replies go to a minimal local HTTP sink in its own process instead of the validating
fake (which shares this process, and its CPU, with the load generator): that measures the bot's own capacity.

Target (DESIGN §8): at least 300 signed requests/s with p99 < 200 ms and zero errors.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_line_server import FakeLineApi  # noqa: E402

SECRET = "bench-channel-secret"
QUESTIONS = [
    "住民票ほしい", "ごみの日はいつ", "ひっこしてきた", "粗大ごみの出し方", "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ なくした",
    "児童手当 いくら", "保育園 入りたい", "避難所どこ", "こんにちは", "アイロンは何ごみ？",
    "市役所 何時まで", "予防接種の予約", "印鑑証明とりたい", "ハザードマップみたい", "今日の天気",
]


# A reply sink for --sink: answers every request 200 with an empty reply result, in its own process.
SINK = """
import http.server, sys
BODY = b'{"sentMessages":[{"id":"1","quoteToken":"q"}]}'
RESPONSE = (b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: "
            + str(len(BODY)).encode() + b"\\r\\n\\r\\n" + BODY)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.wfile.write(RESPONSE)  # one write: no Nagle/delayed-ACK stall between headers and body
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def body(number: int) -> bytes:
    """One signed-able webhook body with a text event from one of 500 residents."""
    event_id = f"01BENCH{number:019d}"
    return json.dumps({"destination": "U" + "0" * 32, "events": [{
        "type": "message", "mode": "active", "timestamp": 1_700_000_000_000 + number,
        "source": {"type": "user", "userId": f"U{number % 500:032x}"},
        "webhookEventId": event_id, "deliveryContext": {"isRedelivery": False},
        "replyToken": f"reply-{event_id}",
        "message": {"type": "text", "id": str(number), "quoteToken": "q", "text": QUESTIONS[number % len(QUESTIONS)]},
    }]}, ensure_ascii=False).encode()


def sign(raw: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()


def wait_ready(port: int, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not come up")


def load(port: int, total: int, concurrency: int, first: int) -> tuple[list[float], int, float]:
    """Post ``total`` webhooks from ``concurrency`` threads; latencies (ms), errors and wall seconds."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(first, first + total))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                break
            raw = body(number)
            started = time.perf_counter()
            try:
                connection.request("POST", "/callback", raw, {"Content-Type": "application/json",
                                                             "X-Line-Signature": sign(raw)})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += 0 if ok else 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run(label: str, command: list[str], env: dict, port: int, args, line: FakeLineApi, first: int) -> dict:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port)
        load(port, min(200, args.requests), args.concurrency, first + 10_000_000)  # warm-up
        replies_before = len(line.replies)
        latencies, errors, seconds = load(port, args.requests, args.concurrency, first)
        # The inbox answers after the webhook returned: wait until the replies stop coming (at most 60 s).
        deadline, last = time.monotonic() + 60, -1
        while time.monotonic() < deadline and len(line.replies) != last:
            last = len(line.replies)
            time.sleep(0.5)
        replies = len(line.replies) - replies_before
    finally:
        process.terminate()
        process.wait(timeout=10)
    return {
        "label": label, "rps": len(latencies) / seconds, "p50": statistics.median(latencies),
        "p99": percentile(latencies, 99), "max": max(latencies), "errors": errors, "replies": replies,
        "violations": len(line.violations),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sink", action="store_true", help="reply to a minimal sink, not the validating fake")
    args = parser.parse_args()
    venv = ROOT / ".venv" / "bin"
    sink = None
    with tempfile.TemporaryDirectory() as tmp, FakeLineApi() as line:
        host = line.url
        if args.sink:
            sink_port = free_port()
            sink = subprocess.Popen([sys.executable, "-c", SINK, str(sink_port)])
            host = f"http://127.0.0.1:{sink_port}"
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", LINE_CHANNEL_SECRET=SECRET,
                   LINE_CHANNEL_ACCESS_TOKEN="bench-token", LINE_API_HOST=host, SECRET_KEY="bench",
                   LOG_LEVEL="WARNING", FLASK_APP="app")
        for step in (["db", "upgrade"], ["pack", "load", "packs/demo"]):
            subprocess.run([str(venv / "flask"), *step], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results = []
        port = free_port()
        results.append(run(f"gunicorn, {args.workers} workers", [
            str(venv / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
            "--log-level", "warning", "app:create_app()"], env, port, args, line, 0))
        port = free_port()
        results.append(run("naive: flask run (one process)", [
            str(venv / "flask"), "run", "--port", str(port), "--no-reload", "--without-threads"],
            env, port, args, line, 1_000_000))
    if sink is not None:
        sink.terminate()
    target = "a minimal HTTP sink" if args.sink else "a fake LINE API that validates each request against the spec"
    print(f"{args.requests} signed webhooks, {args.concurrency} client threads, replies to {target}")
    print(f"{'server':34} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6} {'replies':>7}")
    for r in results:
        print(f"{r['label']:34} {r['rps']:7.0f} {r['p50']:7.1f} {r['p99']:7.1f} {r['max']:7.1f} "
              f"{r['errors']:6d} {r['replies']:7d}")
    if not args.sink:
        print(f"spec violations at the fake LINE API: {results[-1]['violations']}")
    best = results[0]
    ok = best["rps"] >= 300 and best["p99"] < 200 and best["errors"] == 0
    print(f"target ≥ 300 req/s, p99 < 200 ms, 0 errors: {'PASS' if ok else 'MISS'}")


if __name__ == "__main__":
    main()
