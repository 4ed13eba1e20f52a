"""Webhook throughput: accepting signed LINE webhooks, and answering their text events, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_webhook.py [--requests 2000] [--answer-events 1500] [--rate 300]
     [--concurrency 8] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test_tput | --no-postgres]

Everything talks to 127.0.0.1 only. For each database (SQLite in a temporary folder; PostgreSQL when reachable,
emptied first) the script migrates it, loads the demo pack, and in the same run measures three servers:

* ``floor``: a minimal Flask app that only checks the signature and answers 200 (bench/minimal_webhook.py),
  under gunicorn with gunicorn.conf.py's worker class, one process per core of 4 threads (more than one
  process of 8 threads allows it here): what this stack allows on this machine;
* ``bot``: the bot under gunicorn with gunicorn.conf.py (preloaded and warmed, web processes sized for the
  database, answer processes beside them);
* ``flask run``: the bot under Flask's single-process development server (the naive baseline).

Two figures each:

1. **accept**: ``--requests`` signed webhooks (one text event each, unique webhookEventIds and texts: ``text``,
   500 residents) posted as fast as ``--concurrency`` keep-alive client threads can: requests/s, p50/p99
   latency, errors.
   The bot's inbox threads answer meanwhile, on the same cores.
2. **answer** (after the first backlog is answered): ``--answer-events`` text events offered at ``--rate``
   per second; answered/s (events over the time from the first webhook to the last reply), the delay from
   each webhook to its reply (p99, max), replies later than 2 s, and events never answered. Replies go to
   a minimal HTTP sink in its own process that notes when each reply arrived.

Targets (issue 11): accept ≥ 1,000 webhooks/s with p99 < 100 ms; answer ≥ 300 events/s, every reply within
2 s, 0 errors.

``--during-broadcast N`` measures something else instead: whether residents are still answered while an
all-resident broadcast to N residents is planned. For each database it fills N synthetic residents (the
generator of bench/bench_push.py), starts the bot under gunicorn, and posts text events at a steady
``--broadcast-rate`` per second twice: for ``--idle-seconds`` with nothing else running (the comparison), and
for as long as another process plans an approved all-resident broadcast (``push.broadcasts.plan_broadcasts``,
as the push worker's broadcast thread runs it). Each prints 5xx answers, the webhook's p99 and max latency,
and the reply delays (p99, max, replies later than 2 s, events never answered), plus how long planning took.
Target (issue 11): no 5xx and no reply later than 2 s while the broadcast is planned.
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

from bench import line_sink  # noqa: E402

SECRET = "bench-channel-secret"
QUESTIONS = [
    "住民票ほしい", "ごみの日はいつ", "ひっこしてきた", "粗大ごみの出し方", "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ なくした",
    "児童手当 いくら", "保育園 入りたい", "避難所どこ", "こんにちは", "アイロンは何ごみ？",
    "市役所 何時まで", "予防接種の予約", "印鑑証明とりたい", "ハザードマップみたい", "今日の天気",
]
# Every message a resident sends in bench/residents.dev.jsonl (questions, areas, settings, health, thanks),
# with and without what people put around them on LINE, so that no two webhooks of a run carry the same
# text: a cache keyed on the text would otherwise answer most of them and the figures would not say what
# a new question costs.
TEXTS = sorted({*QUESTIONS, *(turn for line in (ROOT / "bench" / "residents.dev.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip() for turn in json.loads(line)["turns"])})
BEFORE = ["", "すみません、", "あの、", "こんばんは。", "質問です。", "ちょっと聞きたいんですが、", "あのー ",
          "すいません "]
AFTER = ["", "？", "!", "です", "😢", "🙏", "…", " 教えてください", "。よろしくお願いします", "ｗ"]


def text(number: int) -> str:
    """The text of message ``number``: different for every number below len(TEXTS) × 80."""
    base, rest = number % len(TEXTS), number // len(TEXTS)
    return BEFORE[rest % len(BEFORE)] + TEXTS[base] + AFTER[rest // len(BEFORE) % len(AFTER)]


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
        "message": {"type": "text", "id": str(number), "quoteToken": "q", "text": text(number)},
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


def load_while(port: int, first: int, concurrency: int, rate: float, busy) -> tuple[dict[int, float], list[float],
                                                                           dict[int, int], int]:
    """Post webhooks numbered from ``first`` at ``rate`` per second from ``concurrency`` threads for as long as
    ``busy()`` is true. Returns when each was sent (monotonic), the latencies (ms), the count of each HTTP
    status (0: no answer) and the number of the last webhook plus one."""
    sent: dict[int, float] = {}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(first, first + 100_000_000))
    began = time.monotonic()
    last = [first]

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                number = next(counter)
                last[0] = max(last[0], number + 1)
            delay = began + (number - first) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if not busy():
                break
            raw = body(number)
            started = time.monotonic()
            try:
                connection.request("POST", "/callback", raw, {"Content-Type": "application/json",
                                                             "X-Line-Signature": sign(raw)})
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.monotonic() - started) * 1000
            with lock:
                sent[number] = started
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, latencies, statuses, last[0]


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


# The planner of --during-broadcast, in a process of its own: once started it says "ready" and waits for a line
# on stdin; then the approved all-resident broadcast due now is planned as the push worker's broadcast thread
# plans it; prints the seconds it took and the outcome.
PLANNER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from app import create_app
import db, runtime
from push import broadcasts
app = create_app()
with app.app_context():
    rt = runtime.current()
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    outcomes = broadcasts.plan_broadcasts(db.session_factory(), rt.now(), timezone=rt.timezone)
    print(f"planned in {time.monotonic() - started:.1f} s:", [(o.started, o.reach) for o in outcomes], flush=True)
"""


def fill_residents(url: str, count: int) -> None:
    """``count`` synthetic residents (bench/bench_push.py's generator) and an approved all-resident broadcast
    due now."""
    from datetime import UTC
    from datetime import datetime
    from datetime import timedelta

    import db
    from bench import bench_push
    from push import broadcasts

    engine = db.make_engine(url)
    bench_push.insert_residents(engine, count, datetime.now(UTC).date())
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    from sqlalchemy.orm import sessionmaker

    now = datetime.now(UTC)
    with sessionmaker(engine).begin() as session:
        created = broadcasts.create(session, text=bench_push.BROADCAST_TEXT, segment="all", emergency=True,
                                    scheduled_at=now + timedelta(days=1), now=now, created_by="bench")
        for approver in ("課長", "係長"):
            broadcasts.approve(session, created.id, approver, now)
    engine.dispose()


def make_due(url: str) -> None:
    """Bring the approved broadcast's time forward to now."""
    from datetime import UTC
    from datetime import datetime

    import sqlalchemy as sa

    import db
    from push.models import Broadcast

    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.update(Broadcast).values(scheduled_at=datetime.now(UTC)))
    engine.dispose()


def during_broadcast(name: str, url: str, env: dict, args, sink_port: int, first: int) -> list[dict]:
    """Webhooks at a steady rate with nothing else running, then while a broadcast to every resident is planned."""
    fill_residents(url, args.during_broadcast)
    port = free_port()
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py", "--bind",
                                f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = []
    try:
        wait_ready(port)
        load(port, range(first + 900_000, first + 900_000 + 200), args.concurrency)  # warm-up
        wait_replies(sink_port, range(first + 900_000, first + 900_000 + 200), timeout=args.drain_timeout)
        until = time.monotonic() + args.idle_seconds
        measured = measure(port, sink_port, first, args, lambda: time.monotonic() < until)
        results.append({"database": name, "label": "idle", **measured})
        planner = subprocess.Popen([sys.executable, "-c", PLANNER, str(ROOT)], cwd=ROOT, env=env, text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if planner.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the planner did not start: {planner.communicate()[1][-2000:]}")
        make_due(url)
        planner.stdin.write("go\n")
        planner.stdin.flush()
        said: list[str] = []
        reader = threading.Thread(target=lambda: said.append(planner.stdout.readline().strip()))
        reader.start()
        measured = measure(port, sink_port, first + 1_000_000, args, lambda: reader.is_alive())
        _out, err = planner.communicate()
        planned = said[0] if said and said[0] else err.strip().splitlines()[-1:]
        results.append({"database": name, "label": f"planning a broadcast to {args.during_broadcast:,}",
                        "planner": planned, **measured})
    finally:
        process.terminate()
        process.wait(timeout=30)
    return results


def measure(port: int, sink_port: int, first: int, args, busy) -> dict:
    """Webhooks at ``--broadcast-rate`` while ``busy()``, then their replies: the figures of one row."""
    began = time.monotonic()
    sent, latencies, statuses, end = load_while(port, first, args.concurrency, args.broadcast_rate, busy)
    seconds = time.monotonic() - began
    offered = [n for n in range(first, end) if n in sent]
    seen = wait_replies(sink_port, range(first, end), timeout=args.drain_timeout) if offered else {}
    seen = {token: at for token, at in seen.items()}
    delays = [seen[token_of(n)] - sent[n] for n in offered if token_of(n) in seen]
    answered_ok = sum(count for status, count in statuses.items() if status == 200)
    return {"seconds": seconds, "posted": len(offered), "ok": answered_ok,
            "server_errors": sum(count for status, count in statuses.items() if status >= 500 or status == 0),
            "p99": percentile(latencies, 99), "max_ms": max(latencies, default=float("nan")),
            "delay_p99": percentile(delays, 99), "delay_max": max(delays, default=float("nan")),
            "late": sum(d > 2.0 for d in delays), "missing": answered_ok - len(delays)}


def report_during(args, results: list[dict]) -> None:
    print(f"text events at {args.broadcast_rate:g}/s from {args.concurrency} client threads; "
          f"{args.during_broadcast:,} residents; replies to a minimal sink")
    print(f"{'database':10} {'while':38} {'s':>6} {'posted':>6} {'5xx':>4} {'p99 ms':>7} {'max ms':>7} │ "
          f"{'reply p99 s':>11} {'max s':>6} {'>2 s':>5} {'lost':>5}")
    for r in results:
        print(f"{r['database']:10} {r['label']:38} {r['seconds']:6.1f} {r['posted']:6d} {r['server_errors']:4d} "
              f"{r['p99']:7.1f} {r['max_ms']:7.1f} │ {r['delay_p99']:11.2f} {r['delay_max']:6.2f} {r['late']:5d} "
              f"{r['missing']:5d}")
    for r in results:
        if "planner" in r:
            print(f"{r['database']}: broadcast {r['planner']} (started, reach)")
            ok = r["server_errors"] == 0 and r["late"] == 0 and r["missing"] == 0 and r["posted"] > 0
            print(f"{r['database']}: no 5xx and every reply within 2 s while planning: {'PASS' if ok else 'MISS'}")


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
    """gunicorn.conf.py's worker class and keep-alive with one worker process per core of 4 threads, for the
    floor app (which must not run the bot's hooks): more than one process of 8 threads allows it here."""
    namespace: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"), namespace)
    return ["--workers", str(os.cpu_count() or 2), "--worker-class", namespace["worker_class"],
            "--threads", "4", "--keep-alive", str(namespace["keepalive"]), "--preload",
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
    parser.add_argument("--during-broadcast", type=int, metavar="N",
                        help="instead: webhooks while a broadcast to N synthetic residents is planned")
    parser.add_argument("--broadcast-rate", type=float, default=10, help="webhooks per second in that mode")
    parser.add_argument("--idle-seconds", type=float, default=20, help="seconds of webhooks without the broadcast")
    args = parser.parse_args()
    venv = ROOT / ".venv" / "bin"
    sink_port = free_port()
    sink = subprocess.Popen(line_sink.command(sink_port), cwd=ROOT)
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
                if args.during_broadcast:
                    results.extend(("", r) for r in during_broadcast(name, url, env, args, sink_port, base))
                    continue
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
    if args.during_broadcast:
        report_during(args, [r for _name, r in results])
    else:
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
