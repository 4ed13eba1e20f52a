"""One object derived from stored content (a matcher, a catalog, the city's details), kept per process.

Every process keeps its own copy and checks the revision counters of the kinds it was derived from before
using it (one cheap query, or none when the caller passes the counters it read already); when another
process changed any of them, it is derived again.

The new object is built BESIDE the old one and swapped in when complete: a builder never changes the object
other threads are reading (it gets the previous one to copy from, see ``Build``). A caller that passes
``wait`` (the answer path) waits at most that long for the new object, then goes on with the old one while
one background thread finishes the build, reading the database on its own connection in autocommit mode
(so SQLite's write lock is never held while it builds). Without ``wait`` (commands, tests, warming up) the
caller waits for the new object. The very first build is always waited for: there is nothing older to serve.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Generic
from typing import TypeVar

from sqlalchemy.orm import Session

import db
from content.revisions import revisions

log = logging.getLogger(__name__)

T = TypeVar("T")

# build(session, previous, changed): the object for the current content. ``previous`` is the object
# derived before (None the first time) and ``changed`` the kinds whose revision moved since, so that a
# builder can start from a copy of it instead of deriving it anew. It must not change ``previous``: other
# threads are answering with it meanwhile.
Build = Callable[[Session, "T | None", frozenset[str]], T]

RETRY_FAILED_BUILD_SECONDS = 5.0  # a background build that failed is tried again after this long


class RevisionCache(Generic[T]):
    """The object ``build`` derives from the content ``kinds``, rebuilt beside the old one when their
    revision counters move, then swapped in."""

    def __init__(self, kinds: Sequence[str], build: Build[T]) -> None:
        self.kinds = tuple(kinds)
        self._build = build
        # (revisions, object): swapped as one, so a reader never pairs one build's revisions with another's object
        self._state: tuple[tuple[int, ...], T] | None = None
        self._reset_after_fork()
        _instances.add(self)

    def _reset_after_fork(self) -> None:
        self._lock = threading.Lock()  # one build at a time
        self._start_lock = threading.Lock()
        self._builder: threading.Thread | None = None
        self._failed_at = float("-inf")

    @property
    def ready(self) -> bool:
        """True once the object has been built (by warming up, or by the first caller)."""
        return self._state is not None

    def get(self, session: Session, counters: Mapping[str, int] | None = None, *, wait: float | None = None) -> T:
        """The object for the stored content (``counters``: revisions the caller read already).

        ``wait``: seconds to wait for a rebuild before answering with the object as it was; None waits for it.
        """
        counters = revisions(session) if counters is None else counters
        current = tuple(counters.get(kind, 0) for kind in self.kinds)
        state = self._state
        if state is not None and state[0] == current:
            return state[1]
        if state is None or wait is None:
            return self._build_now(session, current)
        builder = self._start_background(session)
        if builder is not None and wait > 0:
            builder.join(wait)
        return self._state[1]  # type: ignore[index]

    def _build_now(self, session: Session, current: tuple[int, ...]) -> T:
        with self._lock:
            state = self._state
            if state is None or state[0] != current:
                state = (current, self._derive(session, state, current))
                self._state = state
            return state[1]

    def _derive(self, session: Session, state: tuple[tuple[int, ...], T] | None, current: tuple[int, ...]) -> T:
        before = state[0] if state is not None else None
        changed = frozenset(kind for i, kind in enumerate(self.kinds) if before is None or before[i] != current[i])
        return self._build(session, state[1] if state is not None else None, changed)

    def _start_background(self, session: Session) -> threading.Thread | None:
        """The thread building the new object (started now unless one runs already or one just failed)."""
        with self._start_lock:
            if self._builder is not None and self._builder.is_alive():
                return self._builder
            if time.monotonic() - self._failed_at < RETRY_FAILED_BUILD_SECONDS:
                return None
            engine = session.get_bind().engine
            self._builder = threading.Thread(target=self._build_beside, args=(engine,),
                                             name=f"rebuild-{'+'.join(self.kinds)}", daemon=True)
            self._builder.start()
            return self._builder

    def _build_beside(self, engine) -> None:
        """Build the object for the content as stored now on a connection of its own, then swap it in."""
        try:
            # Read only: a caller may hold SQLite's write lock while it waits for this build (``wait``).
            options = {"isolation_level": "AUTOCOMMIT", db.READ_ONLY: True}
            with engine.connect().execution_options(**options) as connection, \
                    Session(bind=connection) as session, self._lock:
                counters = revisions(session)  # read before the content: a change meanwhile is seen next time
                current = tuple(counters.get(kind, 0) for kind in self.kinds)
                state = self._state
                if state is None or state[0] != current:
                    started = time.perf_counter()
                    self._state = (current, self._derive(session, state, current))
                    _settle()
                    log.info("content.swapped", extra={"kinds": ",".join(self.kinds),
                                                       "seconds": round(time.perf_counter() - started, 3)})
        except Exception:
            self._failed_at = time.monotonic()
            log.exception("content.rebuild_failed", extra={"kinds": ",".join(self.kinds)})


def _settle() -> None:
    """Move what a rebuild beside the served object made to the collector's permanent generation
    (``gc.freeze``), as ``runtime.settle_heap`` does after warming.

    A matcher over 10,000 entries is some 400,000 objects: left in the oldest generation, every full collection
    would walk them (about 300 ms, the answer of whichever message triggered it waiting). Cyclic garbage of
    the moment is frozen with it and never freed: a few objects per rebuild.
    """
    gc.freeze()


_instances: weakref.WeakSet[RevisionCache] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked process has none of its parent's threads: its caches start with fresh locks and no builder."""
    for cache in list(_instances):
        cache._reset_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
