"""Push at scale: plan one day for N synthetic residents into the outbox, then deliver it to a fake LINE API.

Run::

    .venv/bin/python bench/bench_push.py [--residents 1000000] [--db sqlite|postgresql] [--pg-database bench]
        [--push-rate 2000] [--multicast-rate 200] [--concurrency 4] [--emergency]

Everything talks to 127.0.0.1 only. The script is a report: it always exits 0.

1. **Data** (:func:`synthetic_residents`, seed 20261122): N residents who follow the account and agreed to
   push, with categories (子育て for nearly every parent, ごみ/防災/イベント at random, 高齢者 and 健康 for
   older residents), 2 % pregnancies (due dates over the next 280 days), 16 % parents of one or two
   children born over the last 12 years (uniform), 12 % with their own birth date (aged 55–90) and 1 % with
   the quiet stop of baby messages. They are bulk-inserted with Core ``executemany`` in chunks into a
   scratch database: a SQLite file in a temporary directory, or with ``--db postgresql`` the database
   ``--pg-database`` (default ``bench``) on ``postgresql+psycopg://postgres@127.0.0.1:5432`` (created if
   missing; only its tables are created and dropped).
2. **Planning** (timed): ``push.planning.plan_day`` for one day with the default rules (a fresh outbox, so
   every message found due is new: the heaviest day), as the push worker plans it: 500 residents per short
   transaction, yielding the write lock between them on SQLite; then
   ``push.broadcasts.plan_broadcasts`` starting an approved all-resident broadcast (``--segment all``,
   created and approved before the timing) in its own chunks: batches of 500 residents, one row each
   (the broadcast's residents are listed in its batches, not given a row each). Wall time, rows inserted and
   peak memory: ``VmHWM`` from ``/proc/self/status``, reset through ``/proc/self/clear_refs`` just before the
   step, and ``ru_maxrss`` (which the reset also lowers on Linux, so the set-up's peak is read before it).
3. **Delivery** (timed): ``push.sender.send_due`` with the real ``SdkLineClient``, the app's default
   rate limits (``PUSH_RATE_PER_SECOND``, ``PUSH_MULTICAST_RATE_PER_SECOND``) and requests in flight
   (``PUSH_SEND_CONCURRENCY``) unless given, first against the validating fake LINE API (``python -m
   tests.fake_line_server`` in its own process), then, after resetting the outbox, against a minimal HTTP
   sink (``bench.line_sink``) in its own process, which separates the fake's validation cost from
   the sender's; and once more against the sink with no rate limit, which shows how fast the sender itself
   goes. "allowed" is the time the rate limits allow: the longer of pushes / push rate and multicasts /
   multicast rate (the two buckets run side by side).
4. **Naive baselines** in the same run, measured on a sample and extrapolated linearly to N: a planner
   that loads each resident with the ORM (one query for the categories and one for the children), plans
   them with ``push.lifestage.plan`` and adds ``Delivery`` objects one by one with a flush each (rolled
   back afterwards); and a sender making one push request per resident, under the same rate limit.

Targets (issue 5 point 8): planning 1M residents in ≤ 60 s, peak RSS ≤ 300 MB, delivery within 1.2× of
the time the rate limit allows. With fewer than 1M residents the planning time is also shown scaled
linearly to 1M, labelled as an extrapolation.

``--emergency`` (issue 11 point 8) instead runs the real push worker (its broadcast thread plans while its
sender sends) against the minimal sink and times an all-resident emergency broadcast from its second
approval to the first and to the last accepted multicast, next to the time LINE's rate limit allows
(multicasts / ``--multicast-rate``; target ≤ 1.5×), with a short write transaction every 50 ms meanwhile
(the longest wait is printed); then, after resetting the outbox, the sender alone with no rate limit
against the sink (target ≥ 3× the multicast rate). What it measures: planning writes one batch row per 500
residents (a million residents: 2,000 rows), the sender reads each batch's recipients as two joined-up
lists from the resident table on its first attempt, and an idle worker looks again every 50 ms while a
broadcast is being planned.

Both modes keep the rate limits as the push worker does (``push.ratelimit.from_settings``): slots shared
through the database, spaced ``SLACK`` (10 %) wider than the rate and never saved up for a burst, so the
best a run can show is 1.1× the time the limit allows.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 20261122
DAY = date(2026, 11, 24)  # a Tuesday
TIMEZONE = ZoneInfo("Asia/Tokyo")
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "bench"
INSERT_CHUNK = 20_000
BROADCAST_TEXT = ("【市からのお知らせ】12月1日から市役所の窓口受付時間が変わります。"
                  "詳しくは市のホームページをご覧ください。")
TARGET_PLAN_SECONDS = 60.0
TARGET_RSS_MB = 300.0
TARGET_DELIVERY_RATIO = 1.2


@dataclass(frozen=True)
class Rates:
    """The sender's rate limits per endpoint and requests in flight; ``unlimited``: no rate limit at all."""

    push: float
    multicast: float
    concurrency: int
    unlimited: bool = False


# ---- synthetic data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticResident:
    """One made-up resident: id, LINE user id, categories, own birth date, quiet stop and children."""

    id: int
    line_user_id: str
    area: str
    categories: tuple[str, ...]
    birth_date: date | None
    stop_baby: bool
    children: tuple[tuple[date | None, date | None], ...]  # (due_date, birth_date)


AREAS = ("北地区", "南地区", "東地区", "西地区", "中央地区")


def user_id(number: int) -> str:
    """A LINE-like user id for resident ``number``."""
    return f"U{number:032x}"


def synthetic_residents(count: int, today: date, seed: int = SEED) -> Iterator[SyntheticResident]:
    """``count`` residents with ids 1…count, the same for the same seed; generated lazily (flat memory)."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        roll = rng.random()
        children: list[tuple[date | None, date | None]] = []
        if roll < 0.02:
            children.append((today + timedelta(days=rng.randrange(280)), None))
        elif roll < 0.18:
            for _ in range(2 if rng.random() < 0.2 else 1):
                children.append((None, today - timedelta(days=rng.randrange(12 * 365))))
        birth = None
        if rng.random() < 0.12:
            birth = today - timedelta(days=rng.randrange(55 * 365, 90 * 365))
        categories = []
        if children and rng.random() < 0.9 or not children and rng.random() < 0.05:
            categories.append("子育て")
        if rng.random() < 0.6:
            categories.append("ごみ")
        if rng.random() < 0.5:
            categories.append("防災")
        if rng.random() < (0.7 if birth else 0.3):
            categories.append("健康")
        if birth is not None and rng.random() < 0.9:
            categories.append("高齢者")
        if rng.random() < 0.3:
            categories.append("イベント")
        yield SyntheticResident(number, user_id(number), AREAS[number % len(AREAS)], tuple(categories), birth,
                                rng.random() < 0.01, tuple(children))


def insert_residents(engine, count: int, today: date) -> dict[str, int]:
    """Bulk-insert ``count`` synthetic residents with their categories and children; returns row counts."""
    import sqlalchemy as sa

    from residents.models import Child
    from residents.models import Resident
    from residents.models import Subscription

    consent = _local_noon(today - timedelta(days=30))
    counts = {"resident": 0, "subscription": 0, "child": 0}
    residents: list[dict] = []
    subscriptions: list[dict] = []
    children: list[dict] = []

    def flush(connection) -> None:
        for table, rows in ((Resident, residents), (Subscription, subscriptions), (Child, children)):
            if rows:
                connection.execute(sa.insert(table), rows)
                counts[table.__tablename__] += len(rows)
                rows.clear()

    child_id = 0
    with engine.begin() as connection:
        for person in synthetic_residents(count, today):
            residents.append({"id": person.id, "line_user_id": person.line_user_id, "status": "active",
                              "followed_at": consent, "area": person.area, "language": "ja",
                              "created_at": consent, "consent_at": consent, "birth_date": person.birth_date,
                              "stop_baby": person.stop_baby})
            subscriptions += [{"resident_id": person.id, "category": c} for c in person.categories]
            for due, born in person.children:
                child_id += 1
                children.append({"id": child_id, "resident_id": person.id, "due_date": due, "birth_date": born,
                                 "created_at": consent})
            if len(residents) >= INSERT_CHUNK:
                flush(connection)
        flush(connection)
        if engine.dialect.name == "postgresql":  # the ids were given: the next resident the bot records gets the next
            for table in ("resident", "child"):
                connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                           f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
    return counts


def _local_noon(day: date):
    from push.planning import local_time

    return local_time(day, 12, TIMEZONE)


# ---- helpers --------------------------------------------------------------------------------------


def percent(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole`` with one decimal ("–" when ``whole`` is zero)."""
    return "–" if not whole else f"{100 * part / whole:.1f}%"


def ratio(actual: float, allowed: float) -> str:
    """``actual`` / ``allowed`` as "1.23×" ("–" when nothing was allowed)."""
    return "–" if not allowed else f"{actual / allowed:.2f}×"


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A plain text table: the first column left-aligned, the others right-aligned, widths to fit."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in rows)])


def status_mb(field: str) -> float:
    """A memory field of /proc/self/status (VmHWM, VmRSS…) in MB."""
    for text in Path("/proc/self/status").read_text().splitlines():
        if text.startswith(field + ":"):
            return int(text.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); harmless where not allowed."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def maxrss_mb() -> float:
    """The process's lifetime peak RSS (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, timeout: float = 60.0) -> None:
    """Wait until something answers HTTP on ``port``."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/v2/bot/message/quota", headers={"Authorization": "Bearer bench"})
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


# ---- database -------------------------------------------------------------------------------------


def make_database(kind: str, tmp: str, pg_database: str = PG_DATABASE):
    """A fresh engine with every table created: a SQLite file in ``tmp``, or the PostgreSQL database
    ``pg_database`` (created if missing; only its tables are dropped and created)."""
    import db
    import schema

    if kind == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp}/bench.sqlite3")
    else:
        import psycopg
        from psycopg import sql

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (pg_database,)).fetchone() is None:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(pg_database)))
        engine = db.make_engine(f"{PG_SERVER}/{pg_database}")
        schema.metadata.drop_all(engine)
    schema.metadata.create_all(engine)
    return engine


def drop_database(kind: str, engine) -> None:
    import db

    if kind == "postgresql":
        db.Base.metadata.drop_all(engine)
    engine.dispose()


def reset_outbox(engine) -> None:
    """Make every delivery and batch pending and untried again, so that a second delivery run sends the same
    rows in the same batches."""
    import sqlalchemy as sa

    from push.models import Delivery
    from push.models import DeliveryBatch

    with engine.begin() as connection:
        connection.execute(sa.update(Delivery).values(status="pending", attempts=0, first_attempt_at=None,
                                                      claimed_until=None, sent_at=None,
                                                      next_attempt_at=Delivery.send_after))
        connection.execute(sa.update(DeliveryBatch).where(DeliveryBatch.resident_ids.is_(None)).values(
            status="pending", attempts=0, first_attempt_at=None, claimed_until=None, sent_at=None,
            next_attempt_at=sa.select(sa.func.min(Delivery.send_after)).where(Delivery.batch_id == DeliveryBatch.id)
            .scalar_subquery()))
        connection.execute(sa.update(DeliveryBatch).where(DeliveryBatch.resident_ids.is_not(None)).values(
            status="pending", attempts=0, first_attempt_at=None, claimed_until=None, sent_at=None, recipients=None))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE delivery")
            connection.exec_driver_sql("VACUUM ANALYZE delivery_batch")


# ---- planning -------------------------------------------------------------------------------------


def create_broadcast(session_factory) -> int:
    """An approved all-resident broadcast due at 09:00 on the day (staff work: not part of the timing)."""
    from push import broadcasts
    from push.planning import local_time

    at = local_time(DAY, 9, TIMEZONE)
    with session_factory.begin() as session:
        broadcast = broadcasts.create(session, text=BROADCAST_TEXT, segment="all", scheduled_at=at,
                                      now=at - timedelta(days=1), created_by="bench")
        for approver in ("課長", "係長"):
            broadcasts.approve(session, broadcast.id, approver, at - timedelta(days=1))
        return broadcast.id


def plan(session_factory, rules) -> dict:
    """The timed planning step: one day's life-stage messages as the push worker plans them (``plan_day``:
    chunks of short transactions, yielding the write lock between them on SQLite), then the broadcast (in its
    own chunks)."""
    from push.broadcasts import plan_broadcasts
    from push.planning import LIFESTAGE
    from push.planning import local_time
    from push.planning import plan_day

    create_broadcast(session_factory)
    reset_peak()
    rss_before = status_mb("VmRSS")
    started = time.perf_counter()
    report = plan_day(session_factory, DAY, catalog=None, timezone=TIMEZONE, rules=rules,
                      now=local_time(DAY, 3, TIMEZONE))  # the worker plans the day at night
    found, added = report.planned[LIFESTAGE], report.added[LIFESTAGE]
    lifestage_seconds = time.perf_counter() - started
    [outcome] = plan_broadcasts(session_factory, local_time(DAY, 9, TIMEZONE), timezone=TIMEZONE)
    broadcast = outcome.reach if outcome.started else 0
    seconds = time.perf_counter() - started
    hwm = status_mb("VmHWM")
    return {"seconds": seconds, "lifestage_seconds": lifestage_seconds, "found": found, "lifestage": added,
            "broadcast": broadcast, "rows": added + broadcast, "hwm": hwm, "maxrss": maxrss_mb(),
            "rss_before": rss_before, **minimum_requests(session_factory)}


def minimum_requests(session_factory) -> dict:
    """How many distinct contents the outbox holds, and the fewest requests that can carry its deliveries.

    Deliveries of one content (rows, and residents listed in a broadcast's batches) go by multicast, 500 at a
    time; a content with one delivery goes by push.
    """
    import sqlalchemy as sa

    from push.models import Delivery
    from push.models import DeliveryBatch

    sizes: dict[str, int] = {}
    with session_factory() as session:
        for digest, count in [
            *session.execute(sa.select(Delivery.content_hash, sa.func.count()).group_by(Delivery.content_hash)),
            *session.execute(sa.select(DeliveryBatch.content_hash, sa.func.sum(DeliveryBatch.size))
                             .where(DeliveryBatch.resident_ids.is_not(None)).group_by(DeliveryBatch.content_hash)),
        ]:
            sizes[digest] = sizes.get(digest, 0) + count
    return {"contents": len(sizes), "min_requests": sum(-(-size // 500) for size in sizes.values())}


def naive_plan(session_factory, rules, sample: int) -> dict:
    """The naive planner on the first ``sample`` residents: ORM loads, per-resident plan, one flush per row."""
    import sqlalchemy as sa

    from messaging import build
    from push.lifestage.planner import Person
    from push.lifestage.planner import plan as lifestage_plan
    from push.models import Delivery
    from push.models import DeliveryContent
    from push.outbox import content_hash
    from push.planning import local_time
    from residents.models import Child
    from residents.models import Resident
    from residents.models import Subscription

    broadcast = [m.to_dict() for m in build.text(BROADCAST_TEXT)]
    at9, at10 = local_time(DAY, 9, TIMEZONE), local_time(DAY, 10, TIMEZONE)
    rows = 0
    started = time.perf_counter()
    session = session_factory()
    try:
        residents = session.scalars(sa.select(Resident).where(Resident.consent_at.is_not(None))
                                    .order_by(Resident.id).limit(sample)).all()
        for resident in residents:
            categories = frozenset(session.scalars(sa.select(Subscription.category)
                                                   .where(Subscription.resident_id == resident.id)))
            people = [Person(f"child-{c.id}", resident.line_user_id, "", c.due_date, c.birth_date, categories,
                             resident.stop_baby)
                      for c in session.scalars(sa.select(Child).where(Child.resident_id == resident.id))]
            if resident.birth_date is not None:
                people.append(Person(f"self-{resident.id}", resident.line_user_id, "", None, resident.birth_date,
                                     categories, resident.stop_baby))
            wanted = [(f"naive:{m.key}", [x.to_dict() for x in build.text(m.text)], at10)
                      for m in lifestage_plan(rules, people, DAY)]
            wanted.append((f"naive:broadcast:{resident.line_user_id}", broadcast, at9))
            for key, messages, at in wanted:
                digest = content_hash(messages)
                if session.get(DeliveryContent, digest) is None:
                    session.add(DeliveryContent(content_hash=digest, messages=messages))
                session.add(Delivery(key=key, line_user_id=resident.line_user_id, kind="naive", content_hash=digest,
                                     retry_key=uuid.uuid4(), send_after=at, next_attempt_at=at))
                session.flush()
                rows += 1
        seconds = time.perf_counter() - started
    finally:
        session.rollback()
        session.close()
    return {"seconds": seconds, "residents": len(residents), "rows": rows}


# ---- delivery -------------------------------------------------------------------------------------


def start_fake(port: int, log_path: Path) -> subprocess.Popen:
    """The validating fake LINE API in its own process; what it prints goes to ``log_path``."""
    log = log_path.open("w")
    return subprocess.Popen([sys.executable, "-m", "tests.fake_line_server", "--port", str(port)], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)


def start_sink(port: int) -> subprocess.Popen:
    """The minimal HTTP sink (``bench.line_sink``) in its own process."""
    from bench import line_sink

    return subprocess.Popen(line_sink.command(port), cwd=ROOT)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def shared_limits(engine, rates: Rates):
    """The limits as the push worker keeps them (``push.ratelimit.from_settings``): slots shared through the
    database, spaced with the slack and without a first burst, so the figures are those of a deployment."""
    from push.ratelimit import DatabaseSlots
    from push.ratelimit import RateLimiter

    return RateLimiter.shared(DatabaseSlots(engine), push=rates.push, multicast=rates.multicast)


def deliver(session_factory, host: str, rates: Rates) -> dict:
    """The timed delivery step: ``send_due`` until nothing is due, with the real SDK client."""
    from messaging.client import SdkLineClient
    from push.planning import local_time
    from push.ratelimit import RateLimiter
    from push.sender import send_due

    reset_peak()
    limiter = (RateLimiter.unlimited() if rates.unlimited
               else shared_limits(session_factory.kw["bind"], rates))
    with SdkLineClient("bench-token", host=host) as line:
        started = time.perf_counter()
        report = send_due(session_factory, line, local_time(DAY, 12, TIMEZONE), limit=10**12, rate=limiter,
                          rng=random.Random(SEED), concurrency=rates.concurrency)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "report": report, "requests": report.requests, "hwm": status_mb("VmHWM"),
            "allowed": 0.0 if rates.unlimited else max(report.pushes / rates.push,
                                                       report.multicasts / rates.multicast)}


def naive_deliver(host: str, rate: float, sample: int) -> dict:
    """One push per resident for ``sample`` residents, under the same push rate limit."""
    from messaging import build
    from messaging.client import SdkLineClient
    from push.ratelimit import RateLimiter

    messages = build.text(BROADCAST_TEXT)
    limiter = RateLimiter.per_second(push=rate, multicast=rate)
    errors = 0
    with SdkLineClient("bench-token", host=host) as line:
        started = time.perf_counter()
        for number in range(1, sample + 1):
            limiter.acquire("push")
            try:
                line.push(user_id(number), messages, retry_key=str(uuid.uuid4()))
            except Exception:  # noqa: BLE001 - counted, the run goes on
                errors += 1
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "requests": sample, "errors": errors}


def fake_counts(log_path: Path) -> tuple[int, int, int]:
    """(accepted requests, other answers, spec violations) from what the fake printed."""
    accepted = other = violations = 0
    for text in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if text.startswith("POST /v2/bot/message/"):
            if text.endswith("-> 200"):
                accepted += 1
            else:
                other += 1
        elif text.strip().startswith("VIOLATION"):
            violations += 1
    return accepted, other, violations


# ---- emergency: from the second approval to the last accepted multicast ----------------------------


def emergency(args, rates: Rates) -> None:
    """An all-resident emergency broadcast through the real push worker (broadcast thread + sender) against
    the minimal sink: time from the second approval to the first and to the last accepted multicast, the
    longest wait of a short write transaction (what a webhook does) meanwhile, then the sender's rate with
    no rate limit."""
    import logging
    import threading

    from sqlalchemy.orm import sessionmaker

    from messaging.client import SdkLineClient
    from push import broadcasts
    from push.planning import local_time
    from push.worker import Worker

    logging.disable(logging.WARNING)
    n = args.residents
    at = local_time(DAY, 9, TIMEZONE)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_database(args.db, tmp, args.pg_database)
        factory = sessionmaker(engine, expire_on_commit=False)
        sink_port = free_port()
        sink = start_sink(sink_port)
        try:
            started = time.perf_counter()
            insert_residents(engine, n, DAY)
            if args.db == "postgresql":
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.exec_driver_sql("ANALYZE")
            print(f"set-up: {n:,} residents in {time.perf_counter() - started:.1f} s ({args.db})", flush=True)
            with factory.begin() as session:
                broadcast_id = broadcasts.create(session, text=BROADCAST_TEXT, segment="all", scheduled_at=at,
                                                 now=at, emergency=True, created_by="bench").id
                broadcasts.approve(session, broadcast_id, "課長", at)
            wait_ready(sink_port)
            accepted: list[float] = []
            expected = -(-n // 500)
            done = threading.Event()
            with SdkLineClient("bench-token", host=f"http://127.0.0.1:{sink_port}") as line:
                multicast = line.multicast

                def counted(*call_args, **kwargs):
                    multicast(*call_args, **kwargs)
                    accepted.append(time.perf_counter())
                    if len(accepted) >= expected:
                        done.set()

                line.multicast = counted
                planned_by: list[float] = []  # when the broadcast thread had planned every resident

                def plan_and_note(now, finish):
                    if broadcasts.plan_broadcasts(factory, now, timezone=TIMEZONE, finish=finish):
                        planned_by.append(time.perf_counter())

                worker = Worker(factory, line, clock=lambda: at, timezone=TIMEZONE,
                                rate=shared_limits(engine, rates),
                                concurrency=rates.concurrency, idle=1.0,
                                broadcaster=plan_and_note)
                probe_waits: list[float] = []

                def probe() -> None:  # a webhook's write: one short transaction, every 50 ms
                    import sqlalchemy as sa

                    while not done.is_set():
                        begun = time.perf_counter()
                        with factory.begin() as session:
                            session.execute(sa.text("UPDATE broadcast SET note = note WHERE id = 0"))
                        probe_waits.append(time.perf_counter() - begun)
                        time.sleep(0.05)

                runner = threading.Thread(target=worker.run)
                runner.start()
                time.sleep(1.5)  # the worker is idle and polling, as in production
                prober = threading.Thread(target=probe)
                prober.start()
                approved = time.perf_counter()
                with factory.begin() as session:
                    broadcasts.approve(session, broadcast_id, "係長", at)
                done.wait(timeout=600)
                worker.stop.set()
                runner.join()
                prober.join()
            planned = None
            with factory() as session:
                record = session.get(broadcasts.Broadcast, broadcast_id)
                planned = (record.status.value, record.reach)
            allowed = expected / rates.multicast
            first = accepted[0] - approved if accepted else float("nan")
            last = accepted[-1] - approved if accepted else float("nan")
            unlimited = None
            if not args.no_sink:
                reset_outbox(engine)
                unlimited = deliver(factory, f"http://127.0.0.1:{sink_port}",
                                    Rates(0, 0, rates.concurrency, unlimited=True))
        finally:
            stop(sink)
            drop_database(args.db, engine)
    probe_waits.sort()
    p99 = probe_waits[int(0.99 * (len(probe_waits) - 1))] if probe_waits else float("nan")
    print()
    print(f"emergency broadcast to all: {n:,} residents, {args.db}, multicast limit {rates.multicast:g}/s, "
          f"{rates.concurrency} requests in flight, minimal sink; broadcast {planned[0]}, reach {planned[1]:,}")
    print(table(["measure", "seconds"], [
        ["second approval → first accepted multicast", f"{first:.1f}"],
        [f"second approval → last accepted multicast ({len(accepted):,} of {expected:,})", f"{last:.1f}"],
        ["second approval → every resident planned",
         f"{planned_by[0] - approved:.1f}" if planned_by else "–"],
        *([[f"  {share}% accepted", f"{accepted[int(share / 100 * (len(accepted) - 1))] - approved:.1f}"]
           for share in (25, 50, 75)] if accepted else []),
        [f"allowed by the rate limit ({expected:,} / {rates.multicast:g} per s)", f"{allowed:.1f}"],
        ["ratio (target ≤ 1.5×)", ratio(last, allowed)],
        [f"a short write transaction meanwhile: max / p99 of {len(probe_waits):,}",
         f"{max(probe_waits, default=float('nan')):.3f} / {p99:.3f}"],
    ]))
    if unlimited is not None:
        rate = unlimited["requests"] / unlimited["seconds"]
        print(f"sender with no rate limit against the minimal sink: {unlimited['requests']:,} requests in "
              f"{unlimited['seconds']:.1f} s = {rate:,.0f} req/s (target ≥ {3 * rates.multicast:g}) → "
              f"{verdict(rate >= 3 * rates.multicast)}")
    print(f"target last multicast ≤ 1.5× allowed → {verdict(last <= 1.5 * allowed)}")


# ---- main -----------------------------------------------------------------------------------------


def main() -> None:
    from settings import Settings

    defaults = Settings.defaults()

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--push-rate", type=float, default=float(defaults["PUSH_RATE_PER_SECOND"]),
                        help="push requests per second (default: the app's PUSH_RATE_PER_SECOND)")
    parser.add_argument("--multicast-rate", type=float, default=float(defaults["PUSH_MULTICAST_RATE_PER_SECOND"]),
                        help="multicast requests per second (default: the app's PUSH_MULTICAST_RATE_PER_SECOND)")
    parser.add_argument("--concurrency", type=int, default=int(defaults["PUSH_SEND_CONCURRENCY"]),
                        help="requests in flight (default: the app's PUSH_SEND_CONCURRENCY)")
    parser.add_argument("--plan-sample", type=int, default=5000, help="residents for the naive planner")
    parser.add_argument("--push-sample", type=int, default=5000, help="residents for the naive sender")
    parser.add_argument("--pg-database", default=PG_DATABASE,
                        help="the scratch PostgreSQL database for --db postgresql (default: %(default)s)")
    parser.add_argument("--no-sink", action="store_true", help="skip the delivery run against the minimal sink")
    parser.add_argument("--emergency", action="store_true",
                        help="time an all-resident emergency broadcast from its second approval instead")
    args = parser.parse_args()
    rates = Rates(args.push_rate, args.multicast_rate, args.concurrency)
    if args.emergency:
        emergency(args, rates)
        return

    import logging

    logging.disable(logging.WARNING)  # the SDK client logs every request at INFO
    from sqlalchemy.orm import sessionmaker

    from push.lifestage.rules import default_rules

    n = args.residents
    rules = default_rules()
    total_started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_database(args.db, tmp, args.pg_database)
        session_factory = sessionmaker(engine, expire_on_commit=False)
        try:
            started = time.perf_counter()
            counts = insert_residents(engine, n, DAY)
            if args.db == "postgresql":
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.exec_driver_sql("ANALYZE")
            setup_seconds = time.perf_counter() - started
            counts["setup_maxrss"] = maxrss_mb()
            print(f"set-up: {counts['resident']:,} residents, {counts['subscription']:,} categories, "
                  f"{counts['child']:,} children inserted in {setup_seconds:.1f} s ({args.db})", flush=True)

            planned = plan(session_factory, rules)
            print(f"planning: {planned['rows']:,} rows in {planned['seconds']:.1f} s", flush=True)
            naive_planned = naive_plan(session_factory, rules, min(args.plan_sample, n))

            fake_port = free_port()
            fake_log = Path(tmp) / "fake.log"
            fake = start_fake(fake_port, fake_log)
            try:
                wait_ready(fake_port)
                delivered = deliver(session_factory, f"http://127.0.0.1:{fake_port}", rates)
                print(f"delivery (fake): {delivered['requests']:,} requests in {delivered['seconds']:.1f} s",
                      flush=True)
                naive_sent = naive_deliver(f"http://127.0.0.1:{fake_port}", args.push_rate, min(args.push_sample, n))
                time.sleep(0.5)
            finally:
                stop(fake)
            accepted, other, violations = fake_counts(fake_log)

            sunk = naive_sunk = unthrottled = None
            if not args.no_sink:
                reset_outbox(engine)
                sink_port = free_port()
                sink = start_sink(sink_port)
                try:
                    wait_ready(sink_port)
                    sunk = deliver(session_factory, f"http://127.0.0.1:{sink_port}", rates)
                    print(f"delivery (sink): {sunk['requests']:,} requests in {sunk['seconds']:.1f} s", flush=True)
                    naive_sunk = naive_deliver(f"http://127.0.0.1:{sink_port}", args.push_rate,
                                               min(args.push_sample, n))
                    reset_outbox(engine)
                    unthrottled = deliver(session_factory, f"http://127.0.0.1:{sink_port}",
                                          Rates(0, 0, args.concurrency, unlimited=True))
                    print(f"delivery (sink, no rate limit): {unthrottled['requests']:,} requests in "
                          f"{unthrottled['seconds']:.1f} s", flush=True)
                finally:
                    stop(sink)
        finally:
            drop_database(args.db, engine)
    total_seconds = time.perf_counter() - total_started

    report(args, n, counts, planned, naive_planned, delivered, naive_sent, sunk, naive_sunk, unthrottled,
           (accepted, other, violations), total_seconds)


def report(args, n, counts, planned, naive_planned, delivered, naive_sent, sunk, naive_sunk, unthrottled, fake,
           total_seconds) -> None:
    """Print the tables and the PASS/MISS lines."""
    accepted, other, violations = fake
    scale_plan = n / naive_planned["residents"] if naive_planned["residents"] else 0
    print()
    print(f"push benchmark: {n:,} residents ({counts['subscription']:,} categories, {counts['child']:,} children), "
          f"{args.db}, day {DAY}, rate limits push {args.push_rate:g}/s and multicast {args.multicast_rate:g}/s, "
          f"{args.concurrency} requests in flight")
    print()
    print("Planning (as the push worker plans: plan_day in chunks of short transactions, then the broadcast)")
    rows = [
        ["plan_day + plan_broadcasts", f"{planned['seconds']:.1f}", f"{planned['rows']:,}",
         f"{planned['rows'] / planned['seconds']:,.0f}", f"{planned['hwm']:.0f}"],
        [f"  of which life stage ({planned['found']:,} found due)", f"{planned['lifestage_seconds']:.1f}",
         f"{planned['lifestage']:,}", "", ""],
        [f"naive ORM, {naive_planned['residents']:,} residents measured", f"{naive_planned['seconds']:.1f}",
         f"{naive_planned['rows']:,}", f"{naive_planned['rows'] / naive_planned['seconds']:,.0f}", ""],
        [f"naive ORM, extrapolated to {n:,}", f"{naive_planned['seconds'] * scale_plan:.0f}",
         f"{naive_planned['rows'] * scale_plan:,.0f}", "", ""],
    ]
    print(table(["planner", "seconds", "rows", "rows/s", "VmHWM MB"], rows))
    print(f"distinct contents in the outbox: {planned['contents']:,}; fewest requests that can carry its rows "
          f"(multicasts of ≤ 500 per content): {planned['min_requests']:,}")
    print(f"peak RSS: VmHWM during planning {planned['hwm']:.0f} MB (RSS before it {planned['rss_before']:.0f} MB), "
          f"ru_maxrss after planning {planned['maxrss']:.0f} MB; peak of the data set-up before it "
          f"{counts['setup_maxrss']:.0f} MB")
    print()

    def delivery_rows(label: str, run: dict, naive: dict | None) -> list[list[str]]:
        r = run["report"]
        out = [[f"send_due → {label}", f"{run['seconds']:.1f}", f"{r.multicasts:,}", f"{r.pushes:,}",
                f"{r.sent:,}", f"{run['allowed']:.1f}", ratio(run["seconds"], run["allowed"])]]
        if naive is not None:
            scale = n / naive["requests"]
            out.append([f"naive push → {label}, {naive['requests']:,} measured", f"{naive['seconds']:.1f}", "0",
                        f"{naive['requests']:,}", f"{naive['requests'] - naive['errors']:,}",
                        f"{naive['requests'] / args.push_rate:.1f}",
                        ratio(naive["seconds"], naive["requests"] / args.push_rate)])
            # at scale the naive loop is held to the push rate as well, whatever the sample's burst allowed
            out.append([f"naive push → {label}, extrapolated to {n:,}",
                        f"{max(naive['seconds'] * scale, n / args.push_rate):.0f}", "0",
                        f"{n:,}", f"{n:,}", f"{n / args.push_rate:.0f}", ""])
        return out

    print("Delivery (allowed = requests / rate, the time the rate limit allows; slots shared through the database"
          " as the worker keeps them, 10 % apart from the rate, no burst)")
    rows = delivery_rows("validating fake", delivered, naive_sent)
    if sunk is not None:
        rows += delivery_rows("minimal sink", sunk, naive_sunk)
    if unthrottled is not None:
        r = unthrottled["report"]
        rows.append(["send_due → minimal sink, no rate limit", f"{unthrottled['seconds']:.1f}", f"{r.multicasts:,}",
                     f"{r.pushes:,}", f"{r.sent:,}", "", f"{r.requests / unthrottled['seconds']:,.0f} req/s"])
    print(table(["sender", "seconds", "multicasts", "pushes", "rows sent", "allowed s", "ratio"], rows))
    r = delivered["report"]
    print(f"fake LINE API: {accepted:,} requests accepted, {other:,} other answers, {violations} spec violations; "
          f"sender: failed {r.failed}, retried {r.retried}, skipped {sum(r.skipped.values())}; "
          f"VmHWM during delivery {delivered['hwm']:.0f} MB")
    recipients = r.sent / r.multicasts if r.multicasts else 0
    print(f"requests per delivered row: {r.requests / r.sent:.4f} ({percent(r.multicasts, r.requests)} multicasts, "
          f"{recipients:.0f} rows per multicast on average)" if r.sent else "nothing delivered")
    print()

    plan_1m = planned["seconds"] * 1_000_000 / n
    label = "" if n == 1_000_000 else f" (extrapolated linearly from {n:,}: {plan_1m:.1f} s)"
    print(f"target planning 1M ≤ {TARGET_PLAN_SECONDS:.0f} s{label}: {planned['seconds']:.1f} s for {n:,} → "
          f"{verdict(plan_1m <= TARGET_PLAN_SECONDS)}")
    peak = max(planned["hwm"], delivered["hwm"], sunk["hwm"] if sunk else 0.0)
    print(f"target peak RSS ≤ {TARGET_RSS_MB:.0f} MB: {peak:.0f} MB (VmHWM, highest of planning and delivery; "
          f"set-up {counts['setup_maxrss']:.0f} MB) → {verdict(max(peak, counts['setup_maxrss']) <= TARGET_RSS_MB)}")
    for label, run in (("validating fake", delivered), ("minimal sink", sunk)):
        if run is not None:
            ok = run["seconds"] <= TARGET_DELIVERY_RATIO * run["allowed"]
            print(f"target delivery ≤ {TARGET_DELIVERY_RATIO}× allowed ({label}): {run['seconds']:.1f} s vs "
                  f"{run['allowed']:.1f} s allowed = {ratio(run['seconds'], run['allowed'])} → {verdict(ok)}")
    print(f"total wall time of the run: {total_seconds:.0f} s")


if __name__ == "__main__":
    main()
