"""Bulk writes in short transactions: the longest write transaction of each bulk operation at N residents.

Run::

    .venv/bin/python bench/bench_chunks.py [--residents 200000] [--db sqlite|postgresql]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench_chunks]

Everything talks to 127.0.0.1 only. The script is a report: it always exits 0.

N synthetic residents (bench/bench_push.py's generator; 60 % of them also want burnable-garbage reminders,
every area collecting every day) go into a scratch database: a SQLite file in a temporary directory, or the
PostgreSQL database ``--postgres`` (which must exist; its tables are dropped and created). Each bulk write a
deployment runs is then timed twice in the same run: as it runs now, in chunks (``db.write_chunks``), and in
one transaction (the chunk larger than the work: what the code did before, the naive baseline). A listener
on the engine's begin and commit events notes every write transaction's length; the table shows the whole
operation's time, the write transactions it committed and the longest one, which is what a webhook may have
to wait behind on SQLite.

* ``plan day``: ``push.planning.plan_day``: one day's life-stage messages and garbage reminders.
* ``residents purge``: ``residents.service.purge_blocked`` of 10 % of the residents, blocked 40 days ago.
* ``inbox purge``: ``bot.inbox.purge`` of N/2 finished webhook events past the keeping period.
* ``query log expiry``: ``faq.retention.expire`` of N/2 questions past ``QUERY_LOG_KEEP_DAYS``.
* ``outbox purge``: ``push.outbox.purge_finished`` of the day's planned rows, marked sent (chunked; timed once,
  without the one-transaction comparison: planning the rows again for it would double the run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench import bench_push  # noqa: E402

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
ONE_TRANSACTION = 10**9  # a chunk larger than any work: the whole operation in one transaction
REMINDER_SHARE = 0.6


class Probe:
    """Notes the length of every committed write transaction on an engine."""

    def __init__(self, engine: sa.Engine) -> None:
        import db

        self.spans: list[float] = []
        began: dict[int, float] = {}

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            began[id(connection)] = time.perf_counter()

        @event.listens_for(engine, "commit")
        def _commit(connection) -> None:
            started = began.pop(id(connection), None)
            if started is not None and not connection.get_execution_options().get(db.READ_ONLY):
                self.spans.append(time.perf_counter() - started)

    def run(self, work) -> dict:
        """Run ``work()``; its seconds, the write transactions it committed and the longest one."""
        self.spans = []
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "transactions": len(self.spans), "longest": max(self.spans, default=0.0)}


def catalog():
    """Every synthetic area collects burnable garbage every day."""
    from garbage.answers import Catalog
    from garbage.schedule import Schedule
    from garbage.schedule import Weekly
    from search.areas import AreaInfo

    every_day = {"燃やせるごみ": Schedule((Weekly(frozenset(range(7))),))}
    return Catalog(items=[], categories={}, areas=[AreaInfo(area) for area in bench_push.AREAS],
                   schedules={area: every_day for area in bench_push.AREAS})


def add_reminders(engine, count: int) -> None:
    from residents.models import GarbageReminder

    with engine.begin() as connection:
        step = round(1 / (1 - REMINDER_SHARE) * 10)
        rows = [{"resident_id": n, "category": "燃やせるごみ"} for n in range(1, count + 1) if n % step >= 4]
        for start in range(0, len(rows), 50_000):
            connection.execute(sa.insert(GarbageReminder), rows[start:start + 50_000])


BLOCKED = iter(range(10))


def block_residents(engine) -> None:
    """Another tenth of the residents (each call), blocked 40 days ago."""
    from residents.models import Resident

    with engine.begin() as connection:
        connection.execute(sa.update(Resident).where(Resident.id % 10 == next(BLOCKED)).values(
            status="blocked", blocked_at=NOW - timedelta(days=40)))


def add_events(engine, count: int) -> None:
    from bot.inbox import KEEP_EVENT_IDS
    from bot.models import InboundEvent

    old = NOW - KEEP_EVENT_IDS - timedelta(hours=1)
    with engine.begin() as connection:
        for start in range(0, count, 50_000):
            connection.execute(sa.insert(InboundEvent), [
                {"webhook_event_id": f"bench-{n}", "line_user_id": bench_push.user_id(n % 1000),
                 "event_type": "message", "event_time": old, "received_at": old, "status": "done", "attempts": 1}
                for n in range(start, min(count, start + 50_000))])


def add_questions(engine, count: int) -> None:
    from faq.models import QueryLog

    old = NOW - timedelta(days=90)
    with engine.begin() as connection:
        for start in range(0, count, 50_000):
            connection.execute(sa.insert(QueryLog), [
                {"normalized_text": "粗大ごみ", "outcome": "fallback", "resident_hash": f"p{n % 1000}",
                 "created_at": old}
                for n in range(start, min(count, start + 50_000))])


def empty_outbox(engine) -> None:
    from push.models import Delivery
    from push.models import DeliveryBatch
    from push.models import DeliveryContent

    with engine.begin() as connection:
        for table in (Delivery, DeliveryBatch, DeliveryContent):
            connection.execute(sa.delete(table))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_chunks")
    args = parser.parse_args()
    import db
    import schema
    from bot import inbox
    from faq import retention
    from push import planning
    from push.lifestage.rules import default_rules
    from push.models import Delivery
    from push.outbox import purge_finished
    from residents import service as residents

    n = args.residents
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{tmp}/bench.sqlite3" if args.db == "sqlite" else args.postgres)
        schema.metadata.drop_all(engine)
        schema.metadata.create_all(engine)
        started = time.perf_counter()
        bench_push.insert_residents(engine, n, bench_push.DAY)
        add_reminders(engine, n)
        print(f"{n:,} residents in {time.perf_counter() - started:.0f} s ({args.db})", flush=True)
        factory = sessionmaker(engine, expire_on_commit=False)
        probe = Probe(engine)
        garbage, rules = catalog(), default_rules()

        def measure(name: str, prepare, work) -> None:
            results = []
            for chunk in (None, ONE_TRANSACTION):
                prepare()
                results.append(probe.run(lambda chunk=chunk: work(chunk)))
            chunked, naive = results
            rows.append([name, f"{chunked['seconds']:.1f}", f"{chunked['transactions']:,}",
                         f"{chunked['longest'] * 1000:.0f}", f"{naive['seconds']:.1f}",
                         f"{naive['longest'] * 1000:.0f}"])
            print(f"  {name}: done", flush=True)

        def options(chunk):
            return {} if chunk is None else {"chunk": chunk}

        measure("plan day", lambda: empty_outbox(engine),
                lambda chunk: planning.plan_day(factory, bench_push.DAY, catalog=garbage, timezone=bench_push.TIMEZONE,
                                                rules=rules, **options(chunk)))
        with engine.begin() as connection:
            connection.execute(sa.update(Delivery).values(status="sent"))
        with factory.begin() as session:
            planned = session.scalar(sa.select(sa.func.count()).select_from(Delivery))
        def purge_outbox() -> None:
            purge_finished(factory, NOW + timedelta(days=30))

        outbox = probe.run(purge_outbox)
        rows.append(["outbox purge", f"{outbox['seconds']:.1f}", f"{outbox['transactions']:,}",
                     f"{outbox['longest'] * 1000:.0f}", "-", "-"])
        measure("residents purge", lambda: block_residents(engine),
                lambda chunk: residents.purge_blocked(factory, NOW, timedelta(days=30), secret="bench",
                                                      **options(chunk)))
        measure("inbox purge", lambda: add_events(engine, n // 2),
                lambda chunk: inbox.purge(factory, NOW - inbox.KEEP_EVENT_IDS, **options(chunk)))
        measure("query log expiry", lambda: add_questions(engine, n // 2),
                lambda chunk: retention.expire(factory, NOW, keep=timedelta(days=60), pseudonym=timedelta(days=30),
                                               **options(chunk)))
        schema.metadata.drop_all(engine)
        engine.dispose()
    print(f"\nBulk writes at {n:,} residents on {args.db} ({planned:,} rows planned for the day): chunked now vs one "
          "transaction (before), in the same run")
    print(bench_push.table(["operation", "chunked s", "write tx", "longest tx ms", "one tx s", "one tx ms"], rows))


if __name__ == "__main__":
    main()
