"""One object derived from stored content (a matcher, a catalog, the city's details), kept per process.

Every process keeps its own copy and checks the revision counters of the kinds it was derived from before
using it (one cheap query, or none when the caller passes the counters it read already); when another
process changed any of them, it is derived again. Several threads may ask at once: one derives, the others
wait for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Generic
from typing import TypeVar

from sqlalchemy.orm import Session

from content.revisions import revisions

T = TypeVar("T")

# build(session, previous, changed): the object for the current content. ``previous`` is the object
# derived before (None the first time) and ``changed`` the kinds whose revision moved since, so that a
# builder can update it in place instead of deriving it anew.
Build = Callable[[Session, "T | None", frozenset[str]], T]


class RevisionCache(Generic[T]):
    """The object ``build`` derives from the content ``kinds``, rebuilt when their revision counters move."""

    def __init__(self, kinds: Sequence[str], build: Build[T]) -> None:
        self.kinds = tuple(kinds)
        self._build = build
        self._lock = threading.Lock()
        self._revisions: tuple[int, ...] | None = None
        self._value: T | None = None

    def get(self, session: Session, counters: Mapping[str, int] | None = None) -> T:
        """The object for the stored content as it is now (``counters``: revisions the caller read already)."""
        counters = revisions(session) if counters is None else counters
        current = tuple(counters.get(kind, 0) for kind in self.kinds)
        if current != self._revisions:
            with self._lock:
                if current != self._revisions:
                    before = self._revisions
                    changed = frozenset(kind for i, kind in enumerate(self.kinds)
                                        if before is None or before[i] != current[i])
                    self._value = self._build(session, self._value if before is not None else None, changed)
                    self._revisions = current
        return self._value  # type: ignore[return-value]
