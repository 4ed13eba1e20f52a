"""A broadcast segment's reach for a prefecture's worth of residents: counted in SQL, against the old Python walk.

Run: .venv/bin/python bench/bench_reach.py [--residents 100000 | --residents 1000000] [--repeat 7]
     [--python-repeat 3] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test_tput | --no-postgres]
     [--no-sqlite]

The staff console counts a segment's reach live while a broadcast is composed (``/admin/broadcasts/reach``,
on every change of the form). For each database (SQLite in a temporary folder; PostgreSQL when reachable,
emptied first) the script creates the tables, bulk-inserts ``--residents`` synthetic residents with Core
``executemany`` (seed 20261204: 3 % blocked, 85 % of the rest agreed to push; 30 areas of very different
sizes, a few named with spaces and parentheses; push categories; 2 % expecting a child, 18 % parents of one to
three children born over the last 16 years; a quarter with their own birth date, aged 20 to 95) and times,
for each expression, ``segments.reach`` (one aggregate query) ``--repeat`` times and the old count
(``python_walk``: every consenting resident's profile read page by page and tested with
``Segment.matches``) ``--python-repeat`` times, after one untimed run of each: median milliseconds, and
whether the two counts agree. Target: the live count well under the form's 250 ms debounce.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

import db  # noqa: E402
import schema  # noqa: E402
from bench.bench_webhook import postgres_reachable  # noqa: E402
from push import segments  # noqa: E402
from residents import service as residents  # noqa: E402
from residents.models import Child  # noqa: E402
from residents.models import Resident  # noqa: E402
from residents.models import Subscription  # noqa: E402

SEED = 20261204
TODAY = date(2026, 12, 4)
NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
CHUNK = 20_000
AREAS = ("大町", "港町", "本町 (1丁目)", "本町 (2丁目)", "栄町", "緑が丘", "旭町", "若葉台", "中央", "駅前",
         "東町", "西町", "南町", "北町", "桜台", "松原", "川端", "新田", "山手", "浜町", "(旧)青葉村", "青葉 東",
         "青葉 西", "日の出", "柳町", "泉町", "住吉", "八幡", "朝日", "城山")
AREA_WEIGHTS = [1 / (1 + n) ** 0.8 for n in range(len(AREAS))]  # a few large areas, a long tail of small ones
EXPRESSIONS = (
    "all",
    "area:大町",
    'area:"本町 (1丁目)" or area:港町',
    "category:子育て and stage:infant",
    "stage:pregnant or stage:infant",
    "category:子育て and (area:大町 or area:港町) and not stage:pregnant",
    "age:65-74 and not category:高齢者",
    "age:75- or (stage:school and category:防災)",
    "not (category:ごみ or category:防災)",
)


def python_walk(session: Session, segment: segments.Segment, today: date) -> int:
    """The baseline: ``segments.reach`` before it counted in SQL (every consenting resident's profile read,
    details only when the segment needs them, and tested with ``Segment.matches``)."""
    profiles = residents.push_profiles(session, details=segment.needs_details)
    return sum(1 for _ in segments.members(profiles, segment, today))


def fill(engine: sa.Engine, count: int) -> dict[str, int]:
    """Bulk-insert ``count`` synthetic residents with their categories and children; returns row counts."""
    rng = random.Random(SEED)
    rows: dict[str, list[dict]] = {"resident": [], "subscription": [], "child": []}
    counts = dict.fromkeys(rows, 0)
    tables = {"resident": Resident.__table__, "subscription": Subscription.__table__, "child": Child.__table__}

    def flush(connection: sa.Connection) -> None:
        for name, table in tables.items():
            if rows[name]:
                connection.execute(table.insert(), rows[name])
                counts[name] += len(rows[name])
                rows[name].clear()

    child_id = 0
    with engine.begin() as connection:
        for number in range(1, count + 1):
            roll = rng.random()
            children: list[tuple[date | None, date | None]] = []
            if roll < 0.02:
                children.append((TODAY + timedelta(days=rng.randrange(280)), None))
            elif roll < 0.20:
                children += [(None, TODAY - timedelta(days=rng.randrange(16 * 365)))
                             for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
            birth = TODAY - timedelta(days=rng.randrange(20 * 365, 95 * 365)) if rng.random() < 0.25 else None
            categories = [c for c, chance in (("子育て", 0.9 if children else 0.05), ("ごみ", 0.6), ("防災", 0.5),
                                              ("健康", 0.7 if birth else 0.3), ("高齢者", 0.8 if birth else 0),
                                              ("イベント", 0.3)) if rng.random() < chance]
            blocked = rng.random() < 0.03
            rows["resident"].append({
                "id": number, "line_user_id": f"U{number:032x}", "status": "blocked" if blocked else "active",
                "followed_at": NOW, "blocked_at": NOW if blocked else None,
                "area": rng.choices(AREAS, AREA_WEIGHTS)[0] if rng.random() < 0.9 else None, "language": "ja",
                "created_at": NOW, "consent_at": NOW if rng.random() < 0.85 else None, "birth_date": birth,
                "stop_baby": False})
            rows["subscription"] += [{"resident_id": number, "category": c} for c in categories]
            for due, born in children:
                child_id += 1
                rows["child"].append({"id": child_id, "resident_id": number, "due_date": due, "birth_date": born,
                                      "created_at": NOW})
            if len(rows["resident"]) >= CHUNK:
                flush(connection)
        flush(connection)
        if engine.dialect.name == "postgresql":  # the ids were given: move the sequences past them
            for table in ("resident", "child"):
                connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                           f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
    if engine.dialect.name == "postgresql":  # as autovacuum leaves a table: statistics and the visibility map
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    return counts


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (a Japanese character takes two)."""
    return text + " " * (width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))


def timed(factory: sessionmaker[Session], count: Callable[[Session], int], repeat: int) -> tuple[float, int]:
    """The median milliseconds of ``count`` in a fresh read session (after one untimed run), and its result."""
    spent, result = [], 0
    for run in range(repeat + 1):
        with factory() as session:
            started = time.perf_counter()
            result = count(session)
            if run:
                spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), result


def run(name: str, url: str, args) -> bool:
    """Fill one database and print the table; True when every SQL count agrees with the Python walk."""
    engine = db.make_engine(url)
    with engine.begin() as connection:
        schema.metadata.drop_all(connection)
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        schema.metadata.create_all(connection)
    started = time.perf_counter()
    rows = fill(engine, args.residents)
    print(f"\n{name}: inserted {rows['resident']:,} residents, {rows['subscription']:,} categories and "
          f"{rows['child']:,} children in {time.perf_counter() - started:.1f} s", flush=True)
    factory = db.read_only(sessionmaker(bind=engine))
    print(f"{pad('expression', 62)} {'reach':>8} {'Python ms':>10} {'SQL ms':>8} {'speed-up':>9} {'agree':>6}")
    agreed = True
    for expression in EXPRESSIONS:
        segment = segments.parse(expression)
        in_python, walked = timed(factory, lambda s, seg=segment: python_walk(s, seg, TODAY), args.python_repeat)
        in_sql, reach = timed(factory, lambda s, seg=segment: segments.reach(s, seg, TODAY), args.repeat)
        agreed &= walked == reach
        print(f"{pad(expression, 62)} {reach:8,} {in_python:10.1f} {in_sql:8.1f} {in_python / in_sql:8.0f}x "
              f"{'yes' if walked == reach else 'NO':>6}", flush=True)
    engine.dispose()
    return agreed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000, help="100000 (default) or 1000000")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of the SQL count per expression")
    parser.add_argument("--python-repeat", type=int, default=3, help="timed runs of the Python walk")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test_tput")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    agreed = True
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_sqlite:
            agreed &= run("SQLite", f"sqlite:///{tmp}/reach.sqlite3", args)
        if not args.no_postgres and postgres_reachable(args.postgres):
            agreed &= run("PostgreSQL", args.postgres, args)
    print(f"\nSQL and Python counts {'agree' if agreed else 'DISAGREE'} for every expression")


if __name__ == "__main__":
    main()
