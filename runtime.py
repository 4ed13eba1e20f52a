"""What every part of one process shares: the settings, the clock, the local timezone, the LINE client and
the content each package derives from the database (kept per process, see ``content.cache``).

``app.create_app`` builds one ``Runtime`` and keeps it in ``app.extensions["runtime"]``; each package's
``init_app`` registers its caches on it, and its commands find it with ``current()``.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

import db
from content.cache import RevisionCache
from messaging.client import LineClient
from settings import Settings

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]  # the current time, timezone-aware (tests fix it)
KEY = "runtime"


@dataclass
class Runtime:
    """The process's settings, clock, timezone and LINE client, and the caches and worker passes packages
    registered."""

    settings: Settings
    line: LineClient
    clock: Clock
    timezone: ZoneInfo
    caches: dict[str, RevisionCache[Any]] = field(default_factory=dict)
    # Further rounds of work ``push worker`` runs beside sending (see ``push.worker.register_pass``).
    worker_passes: list[Callable[[], int]] = field(default_factory=list)

    def now(self) -> datetime:
        """The current time (UTC, timezone-aware)."""
        return self.clock()

    def today(self) -> date:
        """Today's date in the city's timezone."""
        return self.clock().astimezone(self.timezone).date()

    def local_date(self, moment: datetime) -> date:
        """The city's date at ``moment``."""
        return moment.astimezone(self.timezone).date()


def of(app: Any) -> Runtime:
    """The runtime of ``app``."""
    return app.extensions[KEY]


def current() -> Runtime:
    """The runtime of the app handling the current request or command."""
    return current_app.extensions[KEY]


def app_context() -> Callable[[], Any]:
    """A function that enters the current app's context again (``with enter(): …``), for a thread the caller
    starts: Flask's context is per thread, and ``current()`` needs it."""
    return current_app._get_current_object().app_context


def group(name: str, help: str) -> click.Group:
    """A command group whose commands run inside the app's context (sessions, ``current()``)."""
    return AppGroup(name, help=help)


# ---- serving: what gunicorn.conf.py's hooks and ``ask --jsonl`` call before answering ----------------------


def warm(app: Any) -> None:
    """Build every per-process cache (FAQ matcher, garbage catalog, city, health desk) before the process
    takes traffic, so that no resident's message waits for it.

    With gunicorn's ``preload_app`` this runs once in the master, and the forked workers share what it built
    (copy-on-write). Reads go through an autocommit connection (no SQLite write lock). A database that cannot
    be read yet (not migrated) is logged; the caches are then built on first use and ``/readyz`` says why.
    """
    started = time.perf_counter()
    rt = of(app)
    with app.app_context():
        try:
            with db.autocommit(app) as connection, Session(bind=connection) as session:
                for cache in rt.caches.values():
                    cache.get(session)
        except SQLAlchemyError as error:
            log.warning("app.warm_failed", extra={"reason": type(error).__name__})
            return
    log.info("app.warmed", extra={"caches": len(rt.caches), "seconds": round(time.perf_counter() - started, 3)})


# Objects made between two collections of the youngest generation (Python's default: 700). Answering a message
# makes thousands (SQLAlchemy rows, the SDK's models, the matcher's tokens): with the default, a collection runs
# every few messages and costs about 6 % of the answer path (measured: bench/bench_webhook.py's texts in one
# thread); with this, under 2 %.
YOUNG_GENERATION_THRESHOLD = 10_000


# Young objects left by answering at which the collection runs between two answers (``collect_between``): about
# every tenth answer at 10,000 FAQ entries, a quarter of a millisecond (the middle generation's, one in ten of
# them, about 4 ms), off the answers' path.
COLLECT_BETWEEN_AT = 1_000


def settle_heap() -> None:
    """Keep what warming built out of the garbage collector's way, once the caches are warm and before forking.

    Everything alive is moved to the permanent generation (``gc.freeze``): collections no longer walk the
    matcher's and the catalogs' objects, and a forked process does not copy the pages that hold them just to
    update their collector counts. The youngest generation is collected less often
    (``YOUNG_GENERATION_THRESHOLD``).
    """
    gc.collect()
    gc.freeze()
    _young, *older = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *older)


def collect_between() -> None:
    """Run the garbage collection that is due between two answers, after the first one is out, so that it
    does not land inside the next.

    Left to itself, the collector runs when ``YOUNG_GENERATION_THRESHOLD`` objects were made, in the middle
    of whatever answer made the last of them, and a collection of the youngest generation then takes 3–8 ms
    (its objects are no longer in the CPU's caches): over bench/bench_match.py's questions at 10,000 entries
    (510, five passes), each of the six collections fell in a long question and made it one of the slowest
    (13–16 ms instead of 6–10). Called after each answer (``ask --jsonl``) or batch of answers
    (``bot.processor.Inbox``), this collects once ``COLLECT_BETWEEN_AT`` objects are waiting, the oldest
    generation that is due as the collector itself would choose it (its count past its threshold); the
    automatic collection stays as the safety net, and for work that does not stop between answers (building
    an index).
    """
    young, collections_1, collections_2 = gc.get_count()
    if young < COLLECT_BETWEEN_AT or not gc.isenabled():
        return
    _threshold_0, threshold_1, threshold_2 = gc.get_threshold()
    generation = 2 if collections_2 > threshold_2 else 1 if collections_1 > threshold_1 else 0
    gc.collect(generation)
