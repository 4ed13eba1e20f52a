"""Staff console pages with a city's worth of data: 10,000 FAQ entries and 1,000,000 logged questions.

Run: .venv/bin/python bench/bench_console.py [--entries 10000] [--questions 1000000] [--repeat 15]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test_tput | --no-postgres]

For each database (SQLite in a temporary folder; PostgreSQL when reachable, emptied first) the script migrates
it, fills it (FAQ entries made from the demo pack's, with aliases; questions over 60 days, a tenth of them
missed in some way: half of those from a hundred wordings asked often, half a long tail asked once or twice;
low-confidence answers among the rest), logs in as an admin with Flask's test client (in process:
no network) and times each main page ``--repeat`` times: median and p95 in milliseconds. The floor is the login
page, measured the same way: what a page of this stack costs with no data to read.
Target (issue 13): every page well under 200 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from alembic import command as alembic_command  # noqa: E402

import db  # noqa: E402
import schema  # noqa: E402
from admin import accounts  # noqa: E402
from admin.models import Role  # noqa: E402
from app import create_app  # noqa: E402
from bench.bench_webhook import postgres_reachable  # noqa: E402
from faq import drafts  # noqa: E402
from faq import golden  # noqa: E402
from faq import stats  # noqa: E402
from faq import store  # noqa: E402
from faq import unanswered  # noqa: E402
from faq.importers import FaqRecord  # noqa: E402
from faq.importers import read_faq_file  # noqa: E402
from faq.models import QueryLog  # noqa: E402
from faq.models import QueryOutcome  # noqa: E402
from faq.policy import answer_policy  # noqa: E402

PASSWORD = "a long password 2026"
NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
MISSED_STEMS = ["ごみ袋どこで買える", "ねこの里親", "犬の鑑札", "図書館の本返したい", "粗大ごみの券", "プールの時間",
                "バスの時刻表", "ワクチンの予約", "住民票を郵送で", "駐輪場の定期", "公園の予約", "選挙の投票所"]
GOLDEN = 30
ENDINGS = ["", "？", "ですか", "ますか", "教えて", "どこ", "いつ", "知りたい", "方法", "について"]


def pages(faq_id: str, missed: str, draft_id: int) -> list[tuple[str, str]]:
    return [
        ("login page (floor)", "/admin/login"),
        ("home", "/admin/"),
        ("FAQ list, page 1", "/admin/faq"),
        ("FAQ list, page 100", "/admin/faq?page=100"),
        ("FAQ filter 住民票", "/admin/faq?q=住民票"),
        ("FAQ matcher search", "/admin/faq?q=じゅうみんひょう+ほしい&mode=match"),
        ("FAQ entry", f"/admin/faq/{faq_id}"),
        ("FAQ edit form", f"/admin/faq/{faq_id}/edit"),
        ("drafts", "/admin/drafts"),
        ("draft, 30 golden queries replayed", f"/admin/drafts/{draft_id}"),
        ("golden queries", "/admin/golden"),
        ("FAQ files page", "/admin/faq/import"),
        ("broadcasts", "/admin/broadcasts"),
        ("unanswered, 30 days", "/admin/unanswered?days=30"),
        ("unanswered, 60 days", "/admin/unanswered?days=60"),
        ("unanswered group", f"/admin/unanswered/{unanswered.key_of(missed)}?days=60"),
        ("test page (posted)", "/admin/try"),
        ("accounts", "/admin/users"),
        ("audit log", "/admin/audit"),
    ]


def fill(app, entries: int, questions: int) -> tuple[str, str, int]:
    """Fill the database; returns an entry's id, the most asked missed wording and a draft's id."""
    rng = random.Random(13)
    demo = read_faq_file(ROOT / "packs" / "demo" / "faq.csv")
    records = [FaqRecord(f"b{n:05}", f"{demo[n % len(demo)].question}（{n // len(demo)}）", demo[n % len(demo)].answer,
                         category=demo[n % len(demo)].category, department=demo[n % len(demo)].department,
                         aliases=demo[n % len(demo)].aliases) for n in range(entries)]
    with db.transaction(app) as session:
        store.save_records(session, records)
        accounts.create(session, "bench", Role.ADMIN, PASSWORD, now=NOW, actor="(bench)")
    with db.transaction(app) as session:
        content = drafts.content_of(drafts.entry(session, records[0].faq_id))
        draft_id = drafts.save(session, records[0].faq_id, {**content, "answer": content["answer"] + "（改）"},
                               author="bench", now=NOW).id
        for number in range(GOLDEN):  # a pack's worth of golden queries, replayed on the draft's page
            golden.add(session, records[number * 7].question, records[number * 7].faq_id, added_by="bench", now=NOW)
    answered = [record.question for record in records[:2000]]
    missed = [stem + ending for stem in MISSED_STEMS for ending in ENDINGS]
    weights = [1 / (1 + n) for n in range(len(missed))]  # a few wordings asked often, most rarely
    engine = db.session_factory(app).kw["bind"]
    table = QueryLog.__table__
    policy = answer_policy({})
    chunk = 20_000
    for start in range(0, questions, chunk):
        rows = []
        for _ in range(min(chunk, questions - start)):
            at = NOW - timedelta(seconds=rng.uniform(0, 60 * 86400))
            roll = rng.random()
            if roll < 0.05:
                outcome, text, score = QueryOutcome.FALLBACK, rng.choices(missed, weights)[0], None
            elif roll < 0.10:  # the long tail: wordings asked once or twice
                tail = f"{rng.choice(answered)[:6]}{rng.choice(MISSED_STEMS)}{rng.randrange(1000)}"
                outcome, text, score = QueryOutcome.FALLBACK, tail, None
            elif roll < 0.15:
                outcome, text, score = QueryOutcome.SUGGEST, rng.choice(answered), 0.3
            elif roll < 0.30:
                outcome, text, score = QueryOutcome.INTENT, "ごみの日", None
            else:
                outcome, text, score = QueryOutcome.FAQ, rng.choice(answered), rng.uniform(0.55, 1.0)
            rows.append({"normalized_text": text, "outcome": outcome.value, "score": score, "created_at": at,
                         "resident_hash": None, "intent": None, "faq_id": None, "ref": None,
                         "missed": unanswered.missed_when_answered(policy, outcome, score, len(text))})
        with engine.begin() as connection:
            connection.execute(table.insert(), rows)
    with db.transaction(app) as session:  # the rows went in by plain INSERT: count them as the log would have
        stats.backfill(session)
    if engine.dialect.name == "postgresql":  # as autovacuum leaves a table filled over 60 days: statistics, and
        # the visibility map that lets the planner read an index without visiting the table
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    return records[0].faq_id, missed[0], draft_id


def measure(app, repeat: int, faq_id: str, missed: str, draft_id: int) -> list[tuple[str, float, float, int]]:
    client = app.test_client()
    token = client.get("/admin/login").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    token = token.split('"')[0]
    client.post("/admin/login", data={"csrf_token": token, "name": "bench", "password": PASSWORD})
    token = client.get("/admin/try").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    token = token.split('"')[0]  # the login began a new session, with a new token
    results = []
    for name, url in pages(faq_id, missed, draft_id):
        spent, status = [], 0
        for _ in range(repeat + 1):
            started = time.perf_counter()
            response = (client.post(url, data={"csrf_token": token, "q": "粗大ごみの出し方"}) if "posted" in name
                        else client.get(url))
            spent.append((time.perf_counter() - started) * 1000)
            status = response.status_code
        spent = sorted(spent[1:])  # the first warms the page's caches (the matcher, templates)
        results.append((name, statistics.median(spent), spent[int(len(spent) * 0.95) - 1 if len(spent) > 1 else 0],
                        status))
    return results


def run(name: str, url: str, args) -> None:
    if url.startswith("postgresql"):
        engine = db.make_engine(url)
        with engine.begin() as connection:
            schema.metadata.drop_all(connection)
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "LOG_LEVEL": "WARNING",
                      "ADMIN_IDLE_MINUTES": 600}, clock=lambda: NOW)
    with app.app_context():
        alembic_command.upgrade(db.alembic_config(), "head")
        started = time.perf_counter()
        faq_id, missed, draft_id = fill(app, args.entries, args.questions)
        print(f"{name}: filled {args.entries:,} entries and {args.questions:,} questions in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    results = measure(app, args.repeat, faq_id, missed, draft_id)
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'status':>6}")
    for page, median, p95, status in results:
        print(f"{page:34} {median:10.1f} {p95:8.1f} {status:6d}")
    worst = max(p95 for page, _m, p95, _s in results)
    print(f"{name}: slowest page p95 {worst:.0f} ms (target < 200 ms): {'PASS' if worst < 200 else 'MISS'}")
    db.session_factory(app).kw["bind"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test_tput")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_sqlite:
            run("SQLite", f"sqlite:///{tmp}/console.sqlite3", args)
        if not args.no_postgres and postgres_reachable(args.postgres):
            run("PostgreSQL", args.postgres, args)


if __name__ == "__main__":
    main()
