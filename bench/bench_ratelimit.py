"""The shared rate limit: what it costs and how well it paces, with three processes sharing one limit.

Run::

    .venv/bin/python bench/bench_ratelimit.py [--seconds 3] [--processes 3]

Everything talks to 127.0.0.1 only. The script is a report: it always exits 0. Each figure is measured in
the same run for every store that answers: the database on SQLite (a scratch file), PostgreSQL
(``postgresql+psycopg://postgres@127.0.0.1:5432/bench``, created if missing; only ``rate_limit_slot`` is
created there) and Redis (``redis://127.0.0.1:6379/14``), next to the in-process ``TokenBucket`` (the
baseline: no sharing at all). Each process acquires in a loop from one thread for ``--seconds``:

1. **Overhead**: at a limit no one reaches (10,000,000/s), acquisitions per second of all processes
   together, with the default blocks (``BLOCK_SECONDS`` of slots per reservation) and with one slot per
   reservation (every acquisition a round trip to the store: the store's own ceiling).
2. **Pacing** at LINE's push limit (2,000/s): acquisitions per second of all processes together, the most
   in any sliding second (must not exceed 2,000) and reservations per second (round trips to the store).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/14"
UNREACHABLE = 10_000_000.0
LINE_PUSH = 2000.0


def _bucket(kind: str, target: str, rate: float, block_seconds: float | None):
    from push import ratelimit

    options = {} if block_seconds is None else {"block_seconds": block_seconds}
    if kind == "in-process":
        return ratelimit.TokenBucket(rate, burst=1)
    if kind == "redis":
        store = ratelimit.RedisSlots.from_url(target, prefix="bench-rate:")
    else:
        import db

        store = ratelimit.DatabaseSlots(db.make_engine(target))
    return ratelimit.SharedBucket(store, "push", rate, **options)


def _worker(kind: str, target: str, rate: float, block_seconds: float | None, ready, seconds: float,
            results) -> None:
    bucket = _bucket(kind, target, rate, block_seconds)
    ready.wait()  # every process imported and connected before the clock starts
    times = []
    end = time.monotonic() + seconds
    while (now := time.monotonic()) < end:
        bucket.acquire()
        times.append(now)
    results.put((times, getattr(bucket, "reservations", 0)))


def run(kind: str, target: str, rate: float, block_seconds: float | None, processes: int, seconds: float):
    """Acquisitions by ``processes`` processes for ``seconds``: (per second, busiest second, reservations/s)."""
    from tests.fake_line_server import busiest_second

    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    ready = ctx.Barrier(processes)
    workers = [ctx.Process(target=_worker, args=(kind, target, rate, block_seconds, ready, seconds, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    collected = [results.get(timeout=seconds + 60) for _ in workers]
    for worker in workers:
        worker.join()
    times = [t for ts, _ in collected for t in ts]
    reservations = sum(r for _, r in collected)
    return len(times) / seconds, busiest_second(times), reservations / seconds


def stores(scratch: Path) -> list[tuple[str, str]]:
    """The stores that answer here: (name, url), each with an empty ``rate_limit_slot`` table or key."""
    import redis
    import sqlalchemy as sa

    import db
    from push.models import RateLimitSlot

    found = [("in-process", "")]
    sqlite = f"sqlite:///{scratch / 'bench-rate.sqlite3'}"
    found.append(("sqlite", sqlite))
    try:
        with sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT").connect() as connection:
            if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = 'bench'")):
                connection.execute(sa.text("CREATE DATABASE bench"))
        found.append(("postgresql", f"{POSTGRES}/bench"))
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL not reachable ({type(error).__name__}): skipped")
    for _name, url in found[1:]:
        engine = db.make_engine(url)
        RateLimitSlot.__table__.drop(engine, checkfirst=True)
        RateLimitSlot.__table__.create(engine)
        engine.dispose()
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).flushdb()
        found.append(("redis", REDIS))
    except redis.ConnectionError as error:
        print(f"Redis not reachable ({type(error).__name__}): skipped")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--processes", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        found = stores(Path(scratch))
        print(f"{args.processes} processes, {args.seconds:g} s each figure")
        print(f"{'store':<11} {'overhead: acq/s':>16} {'1 slot/trip: acq/s':>19} "
              f"{'at 2,000/s: acq/s':>18} {'busiest second':>15} {'trips/s':>8}")
        for name, url in found:
            kind = name if name in ("in-process", "redis") else "db"
            free, _, _ = run(kind, url, UNREACHABLE, None, args.processes, args.seconds)
            single = "n/a" if kind == "in-process" else \
                f"{run(kind, url, UNREACHABLE, 0.0, args.processes, args.seconds)[0]:,.0f}"
            paced, busiest, trips = run(kind, url, LINE_PUSH, None, args.processes, args.seconds)
            print(f"{name:<11} {free:>16,.0f} {single:>19} {paced:>18,.0f} {busiest:>15,} {trips:>8,.0f}")
        print("in-process: each process has its own bucket, so together they go N times over the limit")


if __name__ == "__main__":
    main()
