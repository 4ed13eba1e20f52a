"""Following, blocking and forgetting residents."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Collection
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import db
from faq import retention as query_log
from residents.categories import CATEGORIES
from residents.models import Child
from residents.models import GarbageReminder
from residents.models import Resident
from residents.models import ResidentStatus
from residents.models import Subscription


def resident_hash(secret: str, line_user_id: str) -> str:
    """A stable pseudonym of a LINE user id for logs: HMAC-SHA256 keyed with the app's secret."""
    return hmac.new(secret.encode(), line_user_id.encode(), hashlib.sha256).hexdigest()[:24]


def find(session: Session, line_user_id: str) -> Resident | None:
    """The resident with this LINE user id, if any."""
    known, resident = db.loaded(session, Resident, line_user_id)
    if known:
        return resident
    resident = session.scalar(_FIND, {"line_user_id": line_user_id})
    if resident is not None:  # kept for the rest of the session (none is remembered absent: others add them)
        db.remember(session, Resident, line_user_id, resident)
    return resident


_FIND = sa.select(Resident).where(Resident.line_user_id == sa.bindparam("line_user_id"))


def load(session: Session, line_user_ids: Collection[str], *, held: bool = False) -> set[str]:
    """Load the residents with these LINE user ids in one statement, for ``find`` to answer from memory for
    the rest of this read transaction (or of a write transaction, ``held``: the residents of events the
    caller holds); returns the ids of those we keep a record of."""
    return db.load_for_reading(session, Resident.line_user_id, line_user_ids, held=held)


def follow(session: Session, line_user_id: str, now: datetime) -> Resident:
    """Create the resident, or make a blocked one active again (a follow is also an unblock)."""
    resident = find(session, line_user_id)
    if resident is None:
        return _create(session, line_user_id, now)
    resident.status = ResidentStatus.ACTIVE
    resident.followed_at = now
    resident.blocked_at = None
    session.flush()
    return resident


def _create(session: Session, line_user_id: str, now: datetime) -> Resident:
    """A new active resident, flushed and remembered in the session."""
    resident = Resident(line_user_id=line_user_id, status=ResidentStatus.ACTIVE, followed_at=now)
    session.add(resident)
    session.flush()
    db.remember(session, Resident, line_user_id, resident)
    return resident


def seen(session: Session, line_user_id: str, now: datetime) -> Resident:
    """The resident who just wrote to us, created if they followed before the bot kept records."""
    return find(session, line_user_id) or _create(session, line_user_id, now)


def record_writers(session: Session, line_user_ids: Collection[str], now: datetime) -> None:
    """``seen`` for several residents at once, in one statement: those with no record yet are recorded as
    active (the inbox does it when it claims their messages, so that the route of a newcomer's first message
    only reads)."""
    if line_user_ids:
        postgres = session.get_bind().dialect.name == "postgresql"
        session.execute(_RECORD_NEW[postgres], [{"line_user_id": line_user_id, "status": ResidentStatus.ACTIVE,
                                                 "followed_at": now} for line_user_id in sorted(line_user_ids)])


# ``record_writers``'s insert on SQLite and on PostgreSQL (by "is PostgreSQL"), built once.
_RECORD_NEW = {postgres: (postgresql.insert if postgres else sqlite.insert)(Resident.__table__)
               .on_conflict_do_nothing(index_elements=["line_user_id"]) for postgres in (False, True)}


def set_area(session: Session, line_user_id: str, area: str, now: datetime) -> Resident:
    """Record the resident's area (creating the resident if they wrote before following was recorded)."""
    resident = seen(session, line_user_id, now)
    resident.area = area
    session.flush()
    return resident


def block(session: Session, line_user_id: str, now: datetime) -> Resident | None:
    """Mark the resident blocked so that nothing is ever sent to them; None if we never knew them."""
    resident = find(session, line_user_id)
    if resident is not None:
        resident.status = ResidentStatus.BLOCKED
        resident.blocked_at = now
        session.flush()
    return resident


def delete_data(session: Session, line_user_id: str, *, secret: str) -> bool:
    """Delete everything kept about the resident at once; True if there was something to delete.

    Children, push categories and reminders are deleted explicitly as well as by the foreign keys'
    ON DELETE CASCADE, so nothing is left even on a connection without foreign-key enforcement. The
    resident's questions and feedback in the query log, found by their pseudonym (``secret`` is the key
    of ``resident_hash``), go in the same transaction, also when the resident row itself is already gone.
    """
    resident = find(session, line_user_id)
    if resident is None:
        return query_log.forget(session, [resident_hash(secret, line_user_id)]) > 0
    _delete_residents(session, [(resident.id, line_user_id)], secret)
    return True


PURGE_CHUNK = 500  # residents deleted per transaction by ``purge_blocked``


def purge_blocked(factory: sessionmaker[Session], now: datetime, grace: timedelta, *, secret: str,
                  chunk: int = PURGE_CHUNK) -> int:
    """Delete every resident who has been blocked for longer than ``grace``, with their query log rows;
    returns how many residents.

    Works ``chunk`` residents per short transaction of its own (``db.write_chunks``), so a large purge never
    holds the database for long. Several processes may run it at once: a resident is deleted only while
    still blocked that long, in the transaction that deletes their data, and only once.
    """
    purged = 0

    def step(session: Session) -> bool:
        nonlocal purged
        due = (Resident.status == ResidentStatus.BLOCKED) & (Resident.blocked_at < now - grace)
        ids = list(session.scalars(sa.select(Resident.id).where(due).order_by(Resident.id).limit(chunk)))
        if not ids:
            return False
        # Deleted under the same condition: one who followed again since the read above is kept.
        chosen = db.one_of(Resident.id, "ids", postgres=session.get_bind().dialect.name == "postgresql", values=ids)
        gone = session.execute(sa.delete(Resident).where(chosen, due)
                               .returning(Resident.id, Resident.line_user_id)).all()
        _delete_residents(session, [(row.id, row.line_user_id) for row in gone], secret)
        purged += len(gone)
        return len(ids) == chunk

    db.write_chunks(factory, step)
    return purged


def _delete_residents(session: Session, residents: list[tuple[int, str]], secret: str) -> None:
    for start in range(0, len(residents), 500):
        chunk = [resident_id for resident_id, _user in residents[start:start + 500]]
        for table in (Child, Subscription, GarbageReminder):
            session.execute(sa.delete(table).where(table.resident_id.in_(chunk)))
        session.execute(sa.delete(Resident).where(Resident.id.in_(chunk)))
        query_log.forget(session, [resident_hash(secret, user) for _id, user in residents[start:start + 500]])
    session.flush()


# ---- consent and categories -----------------------------------------------------------------------------

def give_consent(session: Session, line_user_id: str, now: datetime) -> Resident:
    """Record that the resident agrees to receive push messages (kept if they had agreed before)."""
    resident = seen(session, line_user_id, now)
    if resident.consent_at is None:
        resident.consent_at = now
    session.flush()
    return resident


def withdraw_consent(session: Session, line_user_id: str) -> bool:
    """Stop every push to the resident (categories and children are kept); True if consent was given."""
    resident = find(session, line_user_id)
    if resident is None or resident.consent_at is None:
        return False
    resident.consent_at = None
    session.flush()
    return True


def subscriptions(session: Session, line_user_id: str) -> set[str]:
    """The push categories the resident chose."""
    resident = find(session, line_user_id)
    if resident is None:
        return set()
    return set(session.scalars(sa.select(Subscription.category).where(Subscription.resident_id == resident.id)))


def set_subscription(session: Session, line_user_id: str, category: str, on: bool, now: datetime) -> Resident:
    """Turn one push category on or off; raises ValueError for a category not in ``CATEGORIES``."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    resident = seen(session, line_user_id, now)
    session.execute(sa.delete(Subscription).where(Subscription.resident_id == resident.id,
                                                  Subscription.category == category))
    if on:
        session.add(Subscription(resident_id=resident.id, category=category))
    session.flush()
    return resident


def set_stop_baby(session: Session, line_user_id: str, stop: bool, now: datetime) -> Resident:
    """Stop (or resume) pregnancy and baby messages without touching anything else."""
    resident = seen(session, line_user_id, now)
    resident.stop_baby = stop
    session.flush()
    return resident


def set_birth_date(session: Session, line_user_id: str, birth_date: date | None, now: datetime) -> Resident:
    """Record (or, with None, forget) the resident's own birth date."""
    resident = seen(session, line_user_id, now)
    resident.birth_date = birth_date
    session.flush()
    return resident


# ---- children ---------------------------------------------------------------------------------------------

def children(session: Session, line_user_id: str) -> list[Child]:
    """The resident's children in the order they were registered."""
    resident = find(session, line_user_id)
    if resident is None:
        return []
    return list(session.scalars(sa.select(Child).where(Child.resident_id == resident.id).order_by(Child.id)))


def child(session: Session, line_user_id: str, child_id: int) -> Child | None:
    """The resident's child with this id; None if it is gone or belongs to someone else."""
    return session.scalar(sa.select(Child).join(Resident, Child.resident_id == Resident.id)
                          .where(Child.id == child_id, Resident.line_user_id == line_user_id))


def add_child(session: Session, line_user_id: str, now: datetime, *, due_date: date | None = None,
              birth_date: date | None = None, label: str | None = None) -> Child:
    """Register a child by due date or birth date (one of them is required)."""
    if due_date is None and birth_date is None:
        raise ValueError("a child needs a due date or a birth date")
    resident = seen(session, line_user_id, now)
    row = Child(resident_id=resident.id, due_date=due_date, birth_date=birth_date, label=label, created_at=now)
    session.add(row)
    session.flush()
    return row


def record_birth(session: Session, line_user_id: str, child_id: int, birth_date: date) -> Child | None:
    """The child was born: keep the birth date and forget the due date (pregnancy messages end)."""
    row = child(session, line_user_id, child_id)
    if row is not None:
        row.birth_date, row.due_date = birth_date, None
        session.flush()
    return row


def change_due_date(session: Session, line_user_id: str, child_id: int, due_date: date) -> Child | None:
    """Correct the due date of a child not yet born; None if there is no such child or it is born."""
    row = child(session, line_user_id, child_id)
    if row is None or row.birth_date is not None:
        return None
    row.due_date = due_date
    session.flush()
    return row


def set_child_label(session: Session, line_user_id: str, child_id: int, label: str | None) -> Child | None:
    """Give the child a short nickname (None removes it)."""
    row = child(session, line_user_id, child_id)
    if row is not None:
        row.label = label
        session.flush()
    return row


def remove_child(session: Session, line_user_id: str, child_id: int) -> bool:
    """Delete one child; True if it existed."""
    row = child(session, line_user_id, child_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def reminder_categories(session: Session, line_user_id: str) -> set[str]:
    """The garbage categories the resident wants reminders for."""
    resident = find(session, line_user_id)
    if resident is None:
        return set()
    return set(session.scalars(sa.select(GarbageReminder.category).where(GarbageReminder.resident_id == resident.id)))


def set_reminder_categories(session: Session, line_user_id: str, categories: set[str], now: datetime) -> None:
    """Replace the resident's reminder categories with ``categories``."""
    resident = seen(session, line_user_id, now)
    session.execute(sa.delete(GarbageReminder).where(GarbageReminder.resident_id == resident.id))
    session.add_all(GarbageReminder(resident_id=resident.id, category=c) for c in sorted(categories))
    session.flush()


@dataclass(frozen=True)
class ReminderSubscriber:
    """A resident who gets garbage reminders: where they live and for which categories."""

    line_user_id: str
    area: str
    categories: frozenset[str]


def reminder_subscribers(session: Session, *, after: int = 0, through: int | None = None
                         ) -> list[ReminderSubscriber]:
    """Every active resident who consented to push and has an area and a reminder category, in resident id
    order; with ``after`` and ``through``, only those whose resident id lies in (``after``, ``through``] (a
    planner working a page of ``push_profile_page`` at a time)."""
    query = (
        sa.select(Resident.line_user_id, Resident.area, GarbageReminder.category)
        .join(GarbageReminder, GarbageReminder.resident_id == Resident.id)
        .where(Resident.status == ResidentStatus.ACTIVE, Resident.consent_at.is_not(None),
               Resident.area.is_not(None), Resident.id > after)
        .order_by(Resident.id)
    )
    if through is not None:
        query = query.where(Resident.id <= through)
    grouped: dict[tuple[str, str], set[str]] = {}
    for user_id, area, category in session.execute(query):
        grouped.setdefault((user_id, area), set()).add(category)
    return [ReminderSubscriber(u, a, frozenset(c)) for (u, a), c in grouped.items()]


@dataclass(frozen=True)
class ChildDates:
    """One child's dates as push planning sees them (the due date is None once the birth is recorded)."""

    child_id: int
    due_date: date | None
    birth_date: date | None


@dataclass(frozen=True)
class PushProfile:
    """What push planning may use about one resident who follows the account and agreed to push."""

    resident_id: int
    line_user_id: str
    area: str | None
    categories: frozenset[str]
    stop_baby: bool
    birth_date: date | None
    children: tuple[ChildDates, ...]


# The residents ``push_profiles`` yields, as a condition on the ``resident`` table: active (following, not
# blocked) and agreed to push. A count in SQL of the residents a push may reach filters by this.
PUSH_MEMBER = sa.and_(Resident.status == ResidentStatus.ACTIVE, Resident.consent_at.is_not(None))

_PROFILES = (
    sa.select(Resident.id, Resident.line_user_id, Resident.area, Resident.stop_baby, Resident.birth_date)
    .where(PUSH_MEMBER, Resident.id > sa.bindparam("after"))
    .order_by(Resident.id).limit(sa.bindparam("chunk"))
)
_MEMBER_IDS = (
    sa.select(Resident.id)
    .where(PUSH_MEMBER, Resident.id > sa.bindparam("after"))
    .order_by(Resident.id).limit(sa.bindparam("chunk"))
)


@functools.cache
def _categories(postgres: bool) -> sa.Select:
    return sa.select(Subscription.resident_id, Subscription.category).where(
        db.one_of(Subscription.resident_id, "ids", postgres=postgres))


@functools.cache
def _children(postgres: bool) -> sa.Select:
    return (sa.select(Child.resident_id, Child.id, Child.due_date, Child.birth_date)
            .where(db.one_of(Child.resident_id, "ids", postgres=postgres)).order_by(Child.id))


def push_profiles(session: Session, *, chunk: int = 1000, details: bool = True) -> Iterator[PushProfile]:
    """Every active resident with consent, in id order, read ``chunk`` residents at a time.

    Without ``details`` the categories and children are not read (empty in the profiles): enough for a
    segment such as ``all`` or ``area:…``.

    Blocked residents and residents without consent are never yielded: a push planned from these
    profiles respects 「配信停止」 and unfollow. Memory stays flat however many residents there are.
    """
    after = 0
    while page := push_profile_page(session, after=after, limit=chunk, details=details):
        yield from page
        after = page[-1].resident_id


def push_member_ids(session: Session, *, after: int, limit: int) -> list[int]:
    """The ids of the next ``limit`` residents ``push_profiles`` would yield after resident id ``after``, read
    without their profiles (a send to every such resident needs nothing else)."""
    return list(session.scalars(_MEMBER_IDS, {"after": after, "chunk": limit}))


def push_profile_page(session: Session, *, after: int, limit: int, details: bool = True) -> list[PushProfile]:
    """The next ``limit`` profiles of ``push_profiles`` after resident id ``after`` (empty at the end): a
    planner that commits page by page resumes from the last id it stored."""
    connection = session.connection()  # Core rows: no ORM loading per row
    postgres = connection.dialect.name == "postgresql"
    rows = connection.execute(_PROFILES, {"after": after, "chunk": limit}).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    categories: dict[int, set[str]] = {}
    children: dict[int, list[ChildDates]] = {}
    if details:
        for resident_id, category in connection.execute(_categories(postgres), {"ids": ids}):
            categories.setdefault(resident_id, set()).add(category)
        for resident_id, child_id, due, born in connection.execute(_children(postgres), {"ids": ids}):
            children.setdefault(resident_id, []).append(ChildDates(child_id, due, born))
    return [PushProfile(row.id, row.line_user_id, row.area, frozenset(categories.get(row.id, ())),
                        row.stop_baby, row.birth_date, tuple(children.get(row.id, ()))) for row in rows]
