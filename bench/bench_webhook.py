"""Webhook throughput: accepting signed LINE webhooks, and answering their text events, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_webhook.py [--requests 2000] [--answer-events 1500] [--rate 300]
     [--concurrency 8] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test_tput | --no-postgres]

Everything talks to 127.0.0.1 only. For each database (SQLite in a temporary folder; PostgreSQL when reachable,
emptied first) the script migrates it, loads the demo pack, and in the same run measures three servers:

* ``floor``: a minimal Flask app that only checks the signature and answers 200 (bench/minimal_webhook.py),
  under gunicorn with the bot's worker settings: what this stack allows on this machine;
* ``bot``: the bot under gunicorn with gunicorn.conf.py (preloaded and warmed, inbox threads per worker);
* ``flask run``: the bot under Flask's single-process development server (the naive baseline).

Two figures each:

1. **accept**: ``--requests`` signed webhooks (one text event each, unique webhookEventIds, 500 residents)
   posted as fast as ``--concurrency`` keep-alive client threads can: requests/s, p50/p99 latency, errors.
   The bot's inbox threads answer meanwhile, on the same cores.
2. **answer** (after the first backlog is answered): ``--answer-events`` text events offered at ``--rate``
   per second; answered/s (events over the time from the first webhook to the last reply), the delay from
   each webhook to its reply (p99, max), replies later than 2 s, and events never answered. Replies go to
   a minimal HTTP sink in its own process that notes when each reply arrived.

Targets (issue 11): accept ≥ 1,000 webhooks/s with p99 < 100 ms; answer ≥ 300 events/s, every reply within
2 s, 0 errors.
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

SECRET = "bench-channel-secret"
QUESTIONS = [
    "住民票ほしい", "ごみの日はいつ", "ひっこしてきた", "粗大ごみの出し方", "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ なくした",
    "児童手当 いくら", "保育園 入りたい", "避難所どこ", "こんにちは", "アイロンは何ごみ？",
    "市役所 何時まで", "予防接種の予約", "印鑑証明とりたい", "ハザードマップみたい", "今日の天気",
]


# The reply sink: answers every request 200 with a reply result and notes when each reply token arrived
# (CLOCK_MONOTONIC is one clock for every process of the machine); GET /replies hands them over.
SINK = """
import http.server, json, sys, threading, time
BODY = b'{"sentMessages":[{"id":"1","quoteToken":"q"}]}'
RESPONSE = (b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: "
            + str(len(BODY)).encode() + b"\\r\\n\\r\\n" + BODY)
seen, lock = {}, threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
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
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def body(number: int) -> bytes:
    """One webhook body with a text event from one of 500 residents, timestamped now."""
    event_id = f"01BENCH{number:019d}"
    return json.dumps({"destination": "U" + "0" * 32, "events": [{
        "type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": f"U{number % 500:032x}"},
        "webhookEventId": event_id, "deliveryContext": {"isRedelivery": False},
        "replyToken": f"reply-{event_id}",
        "message": {"type": "text", "id": str(number), "quoteToken": "q", "text": QUESTIONS[number % len(QUESTIONS)]},
    }]}, ensure_ascii=False).encode()


def token_of(number: int) -> str:
    return f"reply-01BENCH{number:019d}"


def sign(raw: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()


def wait_ready(port: int, timeout: float = 60.0) -> None:
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


def load(port: int, numbers: range, concurrency: int, rate: float | None = None
         ) -> tuple[dict[int, float], list[float], int, float]:
    """Post one webhook per number from ``concurrency`` threads, as fast as they can or paced at ``rate``/s.

    Returns when each was sent (monotonic), the latencies (ms), the errors and the wall seconds.
    """
    sent: dict[int, float] = {}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(enumerate(numbers))
    began = time.monotonic()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                index, number = next(counter, (None, None))
            if number is None:
                break
            if rate:
                delay = began + index / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            raw = body(number)
            started = time.monotonic()
            try:
                connection.request("POST", "/callback", raw, {"Content-Type": "application/json",
                                                             "X-Line-Signature": sign(raw)})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            elapsed = (time.monotonic() - started) * 1000
            with lock:
                sent[number] = started
                latencies.append(elapsed)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, latencies, errors[0], time.monotonic() - began


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def replies(sink_port: int) -> dict[str, float]:
    """When each reply token reached the sink (monotonic seconds)."""
    connection = http.client.HTTPConnection("127.0.0.1", sink_port, timeout=30)
    try:
        connection.request("GET", "/replies")
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def wait_replies(sink_port: int, numbers: range, timeout: float) -> dict[str, float]:
    """The sink's replies once every number has one, or when no reply at all came for 5 s, or after ``timeout``."""
    wanted = {token_of(n) for n in numbers}
    deadline, last_total, last_change = time.monotonic() + timeout, -1, time.monotonic()
    while True:
        seen = replies(sink_port)
        if len(seen) != last_total:
            last_total, last_change = len(seen), time.monotonic()
        if wanted <= seen.keys() or time.monotonic() > deadline or time.monotonic() - last_change > 5:
            return seen
        time.sleep(0.25)


def run(label: str, command: list[str], env: dict, port: int, args, sink_port: int, first: int,
        answers: bool) -> dict:
    """Start one server, measure accepting (and answering), stop it."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result: dict = {"label": label}
    try:
        wait_ready(port)
        load(port, range(first + 900_000, first + 900_000 + 200), args.concurrency)  # warm-up
        accept = range(first, first + args.requests)
        _sent, latencies, errors, seconds = load(port, accept, args.concurrency)
        result.update(rps=len(latencies) / seconds, p50=statistics.median(latencies),
                      p99=percentile(latencies, 99), errors=errors)
        if answers:
            wait_replies(sink_port, accept, timeout=args.drain_timeout)  # the first backlog, before pacing
            offered = range(first + 500_000, first + 500_000 + args.answer_events)
            sent, _latencies, answer_errors, _seconds = load(port, offered, args.concurrency, args.rate)
            seen = wait_replies(sink_port, offered, timeout=args.drain_timeout)
            delays = [seen[token_of(n)] - sent[n] for n in offered if token_of(n) in seen and n in sent]
            arrived = [seen[token_of(n)] for n in offered if token_of(n) in seen]
            span = (max(arrived) - min(sent.values())) if arrived else float("nan")
            result.update(answered=len(delays), missing=len(offered) - len(delays), answer_errors=answer_errors,
                          aps=len(delays) / span if delays else 0.0, delay_p99=percentile(delays, 99),
                          delay_max=max(delays, default=float("nan")), late=sum(d > 2.0 for d in delays))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return result


def prepare(env: dict, url: str) -> None:
    """Empty the database, migrate it and load the demo pack."""
    import sqlalchemy as sa

    import db
    import schema

    engine = db.make_engine(url)
    with engine.begin() as connection:
        schema.metadata.drop_all(connection)
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    flask = str(ROOT / ".venv" / "bin" / "flask")
    for step in (["db", "upgrade"], ["pack", "load", "packs/demo"]):
        subprocess.run([flask, *step], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def postgres_reachable(url: str) -> bool:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except sa.exc.SQLAlchemyError:
        return False



def gunicorn_worker_flags() -> list[str]:
    """The worker settings of gunicorn.conf.py, for the floor app (which must not run the bot's hooks)."""
    namespace: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"), namespace)
    return ["--workers", str(namespace["workers"]), "--worker-class", namespace["worker_class"],
            "--threads", str(namespace["threads"]), "--keep-alive", str(namespace["keepalive"]), "--preload",
            "--config", os.devnull]  # not ./gunicorn.conf.py, whose hooks warm the bot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="webhooks posted for the accept figure")
    parser.add_argument("--answer-events", type=int, default=1500, help="events offered for the answer figure")
    parser.add_argument("--rate", type=float, default=300, help="events per second offered for the answer figure")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--drain-timeout", type=float, default=120, help="seconds to wait for the replies")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test_tput")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--skip-flask-run", action="store_true", help="leave out the naive baseline")
    args = parser.parse_args()
    venv = ROOT / ".venv" / "bin"
    sink_port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(sink_port)])
    databases = []
    results: list[tuple[str, dict]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if not args.no_sqlite:
                databases.append(("SQLite", f"sqlite:///{tmp}/bench.sqlite3"))
            if not args.no_postgres and postgres_reachable(args.postgres):
                databases.append(("PostgreSQL", args.postgres))
            elif not args.no_postgres:
                print(f"PostgreSQL not reachable at {args.postgres}: SQLite only")
            for n, (name, url) in enumerate(databases):
                env = dict(os.environ, DATABASE_URL=url, LINE_CHANNEL_SECRET=SECRET,
                           LINE_CHANNEL_ACCESS_TOKEN="bench-token", LINE_API_HOST=f"http://127.0.0.1:{sink_port}",
                           SECRET_KEY="bench", LOG_LEVEL="WARNING", FLASK_APP="app")
                env.pop("PROMETHEUS_MULTIPROC_DIR", None)
                prepare(env, url)
                base = n * 10_000_000
                port = free_port()
                results.append((name, run("floor: signature check only", [
                    str(venv / "gunicorn"), "--bind", f"127.0.0.1:{port}", *gunicorn_worker_flags(),
                    "--log-level", "warning", "bench.minimal_webhook:app"], env, port, args, sink_port, base,
                    answers=False)))
                port = free_port()
                results.append((name, run("bot: gunicorn.conf.py", [
                    str(venv / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                    "--log-level", "warning", "--access-logfile", "/dev/null"], env, port, args, sink_port,
                    base + 1_000_000, answers=True)))
                if not args.skip_flask_run:
                    port = free_port()
                    results.append((name, run("naive: flask run", [
                        str(venv / "flask"), "run", "--port", str(port), "--no-reload", "--without-threads"],
                        env, port, args, sink_port, base + 2_000_000, answers=True)))
    finally:
        sink.terminate()
    report(args, results)


def report(args, results: list[tuple[str, dict]]) -> None:
    print(f"accept: {args.requests} signed webhooks from {args.concurrency} keep-alive client threads; "
          f"answer: {args.answer_events} text events offered at {args.rate:g}/s; replies to a minimal sink")
    print(f"{'database':10} {'server':28} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'err':>4} │ "
          f"{'answ/s':>6} {'p99 s':>6} {'max s':>6} {'>2 s':>5} {'lost':>5} {'err':>4}")
    for name, r in results:
        line = (f"{name:10} {r['label']:28} {r['rps']:6.0f} {r['p50']:7.1f} {r['p99']:7.1f} {r['errors']:4d} │ ")
        if "aps" in r:
            line += (f"{r['aps']:6.0f} {r['delay_p99']:6.2f} {r['delay_max']:6.2f} {r['late']:5d} {r['missing']:5d} "
                     f"{r['answer_errors']:4d}")
        else:
            line += f"{'(no answers)':>6}"
        print(line)
    for name, r in results:
        if r["label"].startswith("bot"):
            accept_ok = r["rps"] >= 1000 and r["p99"] < 100 and r["errors"] == 0
            answer_ok = r["aps"] >= 300 and r["late"] == 0 and r["missing"] == 0 and r["answer_errors"] == 0
            print(f"{name}: accept ≥ 1,000/s with p99 < 100 ms: {'PASS' if accept_ok else 'MISS'}; "
                  f"answer ≥ 300/s, all within 2 s, 0 errors: {'PASS' if answer_ok else 'MISS'}")


if __name__ == "__main__":
    main()
