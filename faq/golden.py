"""Golden queries: questions with the entry that must answer them, replayed against a change before it is
published, so staff see which questions it would answer differently, and which worse.

They come from the city's pack (``golden.jsonl``: one ``{"question": …, "faq_id": …}`` per line, loaded with
the pack and replaced by the next load) and from staff, who add them on the test page. A replay asks the FAQ
tier (``faq.answers.find``, the bot's own policy) twice: with the matcher residents are answered by now, and
with a copy holding the change (a draft's entry, an uploaded file's entries, or a new synonym table). Each
answer is graded: the expected entry answered directly, offered among 「もしかして」, or missed (another
entry answered, or nothing); a query graded lower after the change is a regression, and publishing past one
needs an approver to say they saw it.
"""

from __future__ import annotations

import enum
import json
import weakref
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from faq import answers
from faq import store
from faq.answers import Answered
from faq.answers import Entry
from faq.answers import FaqResult
from faq.answers import Suggested
from faq.models import GoldenQuery
from faq.policy import AnswerPolicy
from importing import messages
from importing.errors import ImportFailed
from importing.errors import RowError
from importing.messages import Problem
from search.docs import Matcher
from search.docs import Query

PACK = "(pack)"  # who added a query that came with the pack
MAX_QUESTION = 500
TOP = 5  # entries asked for, as the bot does


class Grade(enum.IntEnum):
    """How well an answer serves a golden query (higher is better)."""

    MISSED = 0  # another entry answered, or nothing found
    SUGGESTED = 1  # the expected entry is among the 「もしかして」 buttons
    ANSWERED = 2  # the expected entry answered directly


@dataclass(frozen=True)
class Replayed:
    """One golden query's answer now and with the change."""

    question: str
    expected: str
    before: Grade
    after: Grade
    before_id: str | None  # the entry answered directly (None: a suggestion or nothing)
    after_id: str | None

    @property
    def worse(self) -> bool:
        return self.after < self.before

    @property
    def changed(self) -> bool:
        return (self.before, self.before_id) != (self.after, self.after_id)


@dataclass(frozen=True)
class Replay:
    """Every golden query replayed: the ones whose answer changes (regressions first) and the totals."""

    changed: tuple[Replayed, ...]
    total: int
    answered_before: int
    answered_after: int

    @property
    def regressions(self) -> tuple[Replayed, ...]:
        return tuple(r for r in self.changed if r.worse)


def grade(result: FaqResult, expected: str) -> Grade:
    """How ``result`` serves a query whose answer is ``expected``."""
    if isinstance(result, Answered):
        return Grade.ANSWERED if result.entry.faq_id == expected else Grade.MISSED
    if isinstance(result, Suggested) and any(entry.faq_id == expected for entry in result.entries):
        return Grade.SUGGESTED
    return Grade.MISSED


def replay(queries: Iterable[GoldenQuery], policy: AnswerPolicy, now: tuple[Mapping[str, Entry], Matcher],
           after: tuple[Mapping[str, Entry], Matcher]) -> Replay:
    """Ask every query of ``queries`` of the FAQ as it is (``now``: entries and matcher) and as it would be.

    The answers of the FAQ as it is are kept with its matcher (each process's live one changes only when the
    FAQ does, and is then a new object), so a page of drafts replays each query once, not twice."""
    changed, total, before_count, after_count = [], 0, 0, 0
    for query in queries:
        asked = Query.of(query.question)
        first = _as_it_is(now, policy, asked)
        second = answers.find(*after, policy, asked, TOP)
        result = Replayed(query.question, query.faq_id, grade(first, query.faq_id), grade(second, query.faq_id),
                          _answered(first), _answered(second))
        total += 1
        before_count += result.before is Grade.ANSWERED
        after_count += result.after is Grade.ANSWERED
        if result.changed:
            changed.append(result)
    changed.sort(key=lambda r: (not r.worse, r.question))
    return Replay(tuple(changed), total, before_count, after_count)


def replay_change(queries: Iterable[GoldenQuery], policy: AnswerPolicy, now: tuple[Mapping[str, Entry], Matcher],
                  change: Hashable, after: Callable[[], tuple[Mapping[str, Entry], Matcher]]) -> Replay:
    """``replay`` against the FAQ as ``after()`` builds it, remembered with the live matcher under ``change``
    (what names the change: a draft's content, an upload's plan, a synonym table), so that a draft's page
    shown again, or a publish checking for regressions, asks nothing twice while the FAQ stays as it is."""
    queries = list(queries)
    key = (policy, change, tuple((query.question, query.faq_id) for query in queries))
    known = _REPLAYS.setdefault(now[1], {})
    if key not in known:
        while len(known) >= MAX_REPLAYS:
            known.pop(next(iter(known)))
        known[key] = replay(queries, policy, now, after())
    return known[key]


def grades(queries: Iterable[GoldenQuery], policy: AnswerPolicy, faq: tuple[Mapping[str, Entry], Matcher]
           ) -> dict[int, tuple[Grade, str | None]]:
    """How each query (by id) is answered by the live ``faq`` (entries and matcher): its grade and the entry
    answered."""
    found = {}
    for query in queries:
        result = _as_it_is(faq, policy, Query.of(query.question))
        found[query.id] = (grade(result, query.faq_id), _answered(result))
    return found


def with_entries(entries: Mapping[str, Entry], matcher: Matcher, contents: Mapping[str, dict | None]
                 ) -> tuple[dict[str, Entry], Matcher]:
    """The FAQ with ``contents`` applied (by file id: an entry's new content, or None when it is removed),
    on a copy of ``matcher``; ``entries`` and ``matcher`` are left as they are."""
    changed = matcher.copy()
    result = dict(entries)
    for faq_id, content in contents.items():
        if content is None:
            changed.remove(faq_id)
            result.pop(faq_id, None)
            continue
        changed.upsert(store.doc_of(faq_id, content))
        result[faq_id] = Entry(faq_id, content["question"], content["answer"], content.get("url", ""),
                               content.get("department", ""), content.get("phone", ""))
    return result, changed


def queries(session: Session) -> list[GoldenQuery]:
    """Every golden query, the pack's first."""
    return list(session.scalars(sa.select(GoldenQuery).order_by(GoldenQuery.id)))


def add(session: Session, question: str, faq_id: str, *, added_by: str, now: datetime) -> GoldenQuery:
    """Keep ``question`` as a golden query answered by ``faq_id`` (an existing query's entry is changed)."""
    question = " ".join(question.split())[:MAX_QUESTION]
    found = session.scalar(sa.select(GoldenQuery).where(GoldenQuery.question == question))
    if found is None:
        found = GoldenQuery(question=question)
        session.add(found)
    found.faq_id, found.added_by, found.added_at = faq_id, added_by, now
    session.flush()
    return found


def remove(session: Session, query_id: int) -> GoldenQuery | None:
    """Drop a golden query; returns it (None when there was none)."""
    found = session.get(GoldenQuery, query_id)
    if found is not None:
        session.delete(found)
    return found


def save_pack_queries(session: Session, pairs: Sequence[tuple[str, str]], *, now: datetime) -> int:
    """Replace the pack's golden queries with ``pairs`` (question, file id); staff's own are kept (a question
    staff added keeps their entry)."""
    session.execute(sa.delete(GoldenQuery).where(GoldenQuery.added_by == PACK))
    staff = set(session.scalars(sa.select(GoldenQuery.question)))
    fresh = [(question, faq_id) for question, faq_id in pairs if question not in staff]
    session.add_all(GoldenQuery(question=question, faq_id=faq_id, added_by=PACK, added_at=now)
                    for question, faq_id in fresh)
    session.flush()
    return len(fresh)


def read_pack_file(path: Path, known: set[str]) -> list[tuple[str, str]]:
    """The (question, file id) pairs of a pack's ``golden.jsonl``; ImportFailed naming each bad line (not
    JSON, a missing or empty field, an entry the pack's FAQ does not have, a question given twice)."""
    errors, pairs, seen = [], [], {}
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise ImportFailed([RowError(0, Problem("golden.not_utf8"))]) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            errors.append(RowError(number, Problem("json.invalid", detail=error.msg)))
            continue
        question = item.get("question") if isinstance(item, dict) else None
        faq_id = item.get("faq_id") if isinstance(item, dict) else None
        if not isinstance(question, str) or not question.strip() or not isinstance(faq_id, str | int):
            errors.append(RowError(number, Problem("golden.shape")))
            continue
        question, faq_id = " ".join(question.split())[:MAX_QUESTION], str(faq_id)
        if faq_id not in known:
            errors.append(RowError(number, Problem("golden.unknown_faq", faq_id=faq_id)))
        elif question in seen:
            errors.append(RowError(number, Problem("golden.duplicate", first=messages.place(seen[question]))))
        else:
            seen[question] = number
            pairs.append((question, faq_id))
    if errors:
        raise ImportFailed(errors)
    return pairs


# The live matchers' answers to the golden questions, by matcher (a new FAQ revision is a new matcher object,
# and an old one's answers go with it): {matcher: {(policy, question key): result}}.
_ANSWERS: weakref.WeakKeyDictionary[Matcher, dict[tuple[AnswerPolicy, str], FaqResult]] = weakref.WeakKeyDictionary()


# Replays of changes against the live matchers, by matcher: {matcher: {(policy, change, queries): replay}}, at most
# MAX_REPLAYS per matcher, the oldest dropped first.
_REPLAYS: weakref.WeakKeyDictionary[Matcher, dict[Hashable, Replay]] = weakref.WeakKeyDictionary()
MAX_REPLAYS = 64


def _as_it_is(faq: tuple[Mapping[str, Entry], Matcher], policy: AnswerPolicy, asked: Query) -> FaqResult:
    """``answers.find`` on the FAQ as it is, remembered with its matcher."""
    entries, matcher = faq
    known = _ANSWERS.setdefault(matcher, {})
    key = (policy, asked.key)  # a frozen dataclass: equal thresholds are one key
    if key not in known:
        known[key] = answers.find(entries, matcher, policy, asked, TOP)
    return known[key]


def _answered(result: FaqResult) -> str | None:
    return result.entry.faq_id if isinstance(result, Answered) else None
