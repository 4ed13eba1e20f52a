"""In-memory fakes of outside systems, for fast unit tests: the LINE client and a matcher that records its searches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from linebot.v3.messaging import Message

from messaging.client import UnitStatistics
from messaging.errors import LineApiError
from search.docs import Analysis
from search.docs import Explained
from search.docs import Explanation
from search.docs import FaqDoc
from search.docs import Hit
from search.docs import Matcher
from search.docs import Query
from tests.fake_line_server import MAX_MULTICAST_TO
from tests.fake_line_server import message_problems
from tests.fake_line_server import retry_key_problems


class FakeLineClient:
    """LineClient that records what would be sent, acts like LINE where it matters, and can be told to fail.

    Like LINE, a reply token works once (then 400 "Invalid reply token") and a push or multicast with an
    already used retry key returns normally without sending again. Messages are checked against the same
    limits as the fake LINE server; problems go to ``violations`` instead of raising.
    """

    def __init__(self, quota: int | None = None) -> None:
        self.quota = quota  # the month's limit; None: no limit
        self.replies: list[tuple[str, list[Message]]] = []
        self.pushes: list[tuple[str, list[Message], str]] = []
        self.multicasts: list[tuple[list[str], list[Message], str]] = []
        self.rich_menus: list[str] = []  # aliases whose rich menu became everyone's default, in order
        self.violations: list[str] = []
        self._failures: list[LineApiError] = []
        self._used_reply_tokens: set[str] = set()
        self._accepted_retry_keys: set[str] = set()

    def fail_with(self, error: LineApiError, times: int = 1) -> None:
        """Make the next ``times`` calls (of any kind) raise ``error``."""
        self._failures += [error] * times

    def reply(self, reply_token: str, messages: Sequence[Message]) -> None:
        """Record a reply, or raise an injected failure or a reused-token error."""
        self._check("reply", messages)
        self._raise_injected()
        if reply_token in self._used_reply_tokens:
            raise LineApiError(400, "Invalid reply token")
        self._used_reply_tokens.add(reply_token)
        self.replies.append((reply_token, list(messages)))

    def push(self, user_id: str, messages: Sequence[Message], *, retry_key: str) -> None:
        """Record a push unless its retry key was already accepted."""
        self._check("push", messages, retry_key)
        self._raise_injected()
        if self._accept(retry_key):
            self.pushes.append((user_id, list(messages), retry_key))

    def multicast(self, user_ids: Sequence[str], messages: Sequence[Message], *, retry_key: str,
                  aggregation_unit: str | None = None) -> None:
        """Record a multicast unless its retry key was already accepted (the aggregation unit is not kept)."""
        self._check("multicast", messages, retry_key)
        if not 1 <= len(user_ids) <= MAX_MULTICAST_TO:
            self.violations.append(f"multicast: multicast-to at to: {len(user_ids)} user ids")
        self._raise_injected()
        if self._accept(retry_key):
            self.multicasts.append((list(user_ids), list(messages), retry_key))

    def get_quota(self) -> int | None:
        """The month's limit given to the fake (None: no limit)."""
        return self.quota

    def get_quota_consumption(self) -> int:
        """Recipients of accepted pushes and multicasts, as LINE counts them (replies are free)."""
        return len(self.pushes) + sum(len(users) for users, _messages, _key in self.multicasts)

    def unit_statistics(self, unit: str, since: date, until: date) -> UnitStatistics:
        """Nothing opened yet: LINE's answer before enough residents opened a message."""
        self._raise_injected()
        return UnitStatistics(None, None, ())

    def show_rich_menu(self, alias: str) -> str:
        """Record the alias whose rich menu became everyone's default."""
        self._raise_injected()
        self.rich_menus.append(alias)
        return alias

    def _check(self, operation: str, messages: Sequence[Message], retry_key: str | None = None) -> None:
        problems = message_problems([m.to_dict() for m in messages])
        if retry_key is not None:
            problems += retry_key_problems(retry_key)
        self.violations += [f"{operation}: {p}" for p in problems]

    def _raise_injected(self) -> None:
        if self._failures:
            raise self._failures.pop(0)

    def _accept(self, retry_key: str) -> bool:
        """Whether this retry key is new; LINE answers 409 to a repeat, which the client treats as sent."""
        if retry_key in self._accepted_retry_keys:
            return False
        self._accepted_retry_keys.add(retry_key)
        return True


class FakeMatcher:
    """Matcher with fixed hits that records every query it is asked, to show what the route searches."""

    def __init__(self, docs: Sequence[FaqDoc] = (), hits: Sequence[Hit] = ()) -> None:
        self.docs = {doc.faq_id: doc for doc in docs}
        self.hits = list(hits)
        self.searched: list[str] = []

    def search(self, query: Query | str, k: int = 5) -> list[Hit]:
        """The fixed hits of documents still held, recording the query's text."""
        self.searched.append(query.text if isinstance(query, Query) else query)
        return [hit for hit in self.hits if hit.faq_id in self.docs][:k]

    def explain(self, query: Query | str, k: int = 5) -> Explanation:
        """The fixed hits with their score as the only view."""
        analysis = Analysis(str(query), "", "", (), [])
        rows = [Explained(hit.faq_id, hit.score, 0.0, 0.0, 0.0, 0.0) for hit in self.search(query, k)]
        return Explanation(analysis, "score = fixed", rows)

    def copy(self) -> Matcher:
        """A matcher with the same documents and hits, edited apart from this one."""
        other = FakeMatcher(list(self.docs.values()), self.hits)
        other.searched = self.searched
        return other

    def upsert(self, doc: FaqDoc) -> None:
        """Hold ``doc``."""
        self.docs[doc.faq_id] = doc

    def remove(self, faq_id: str) -> None:
        """Forget the document with this id."""
        self.docs.pop(faq_id, None)
