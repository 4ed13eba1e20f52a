"""JMA's Atom feeds (extra.xml, eqvol.xml…): read politely, each telegram fetched once.

``poll`` asks each feed with ``If-Modified-Since`` and ``If-None-Match`` (what it answered last time, kept in
``jma_feed_state``): a 304 costs JMA nothing. Of a changed feed, the entries of the types this city reads
(``telegrams.FAMILIES``) that were never fetched are fetched oldest first and handed to ``reports.ingest``, the
same path as ``jma ingest``, each in a short transaction of its own. JMA blocked clients that fetched the same
files again and again; here a telegram's URL is stored with its report and never fetched twice.

The HTTP side is a small Protocol (``FeedClient``): ``HttpFeedClient`` talks to JMA (or, in tests, to a fake
feed server on 127.0.0.1).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from xml.etree.ElementTree import ParseError
from zoneinfo import ZoneInfo

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from disaster.jma import reports
from disaster.jma.telegrams import FAMILIES
from disaster.jma.telegrams import TelegramError
from disaster.models import JmaFeedState

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
MAX_BYTES = 16 * 1024 * 1024  # a feed or telegram larger than this is refused (extra_l.xml is about 4 MB)
USER_AGENT = "machi-line-assistant (JMA XML poller; If-Modified-Since)"


class FeedError(Exception):
    """A feed or telegram could not be fetched or read; the message says why."""


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer: its status, body and the validators to send next time."""

    status: int
    body: bytes = b""
    last_modified: str = ""
    etag: str = ""


class FeedClient(Protocol):
    """Fetches a URL, conditionally."""

    def fetch(self, url: str, *, last_modified: str = "", etag: str = "") -> Fetched:
        """GET ``url`` (with ``If-Modified-Since`` / ``If-None-Match`` when given); raises FeedError when it
        cannot be fetched (no answer, a status other than 200 or 304, a body too large)."""
        ...


class HttpFeedClient:
    """FeedClient over HTTP (requests; gzip is accepted and undone)."""

    def __init__(self, *, timeout: float = 10.0) -> None:
        self._timeout = timeout
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT

    def fetch(self, url: str, *, last_modified: str = "", etag: str = "") -> Fetched:
        headers = {}
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if etag:
            headers["If-None-Match"] = etag
        try:
            with self._session.get(url, headers=headers, timeout=self._timeout, stream=True) as answer:
                if answer.status_code == 304:
                    return Fetched(304, last_modified=last_modified, etag=etag)
                if answer.status_code != 200:
                    raise FeedError(f"{url}: HTTP {answer.status_code}")
                body = b""
                for chunk in answer.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise FeedError(f"{url}: larger than {MAX_BYTES // 1024 // 1024} MB")
                return Fetched(200, body, answer.headers.get("Last-Modified", ""), answer.headers.get("ETag", ""))
        except requests.RequestException as error:
            raise FeedError(f"{url}: {type(error).__name__}") from error


@dataclass(frozen=True)
class Entry:
    """One entry of a feed: a telegram's URL, its title (Control/Title), when it was updated, by whom."""

    url: str
    title: str
    updated: str
    author: str


def entries(raw: bytes) -> list[Entry]:
    """The entries of an Atom feed, as listed (JMA lists the newest first); raises FeedError if unreadable."""
    try:
        root = fromstring(raw)
    except (ParseError, DefusedXmlException) as error:
        raise FeedError(f"not a readable feed ({error})") from error
    if root.tag != f"{ATOM}feed":
        raise FeedError("not an Atom feed")
    found = []
    for entry in root.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        url = (link.get("href") if link is not None else None) or (entry.findtext(f"{ATOM}id") or "").strip()
        if url:
            found.append(Entry(url=url, title=(entry.findtext(f"{ATOM}title") or "").strip(),
                               updated=(entry.findtext(f"{ATOM}updated") or "").strip(),
                               author=(entry.findtext(f"{ATOM}author/{ATOM}name") or "").strip()))
    return found


@dataclass(frozen=True)
class Polled:
    """What a poll did with one feed: whether it had changed, and each telegram fetched (or why not)."""

    feed: str
    changed: bool
    said: tuple[str, ...] = ()


def poll(factory: sessionmaker[Session], client: FeedClient, feeds: list[str], now: Callable[[], datetime], *,
         timezone: ZoneInfo) -> list[Polled]:
    """Read each feed once and ingest the new telegrams it lists that this city may care about."""
    return [_poll_feed(factory, client, feed, now, timezone) for feed in feeds]


def _poll_feed(factory: sessionmaker[Session], client: FeedClient, feed: str, now: Callable[[], datetime],
               timezone: ZoneInfo) -> Polled:
    with factory() as session:
        state = session.get(JmaFeedState, feed)
        last_modified, etag = (state.last_modified, state.etag) if state is not None else ("", "")
    try:
        answer = client.fetch(feed, last_modified=last_modified, etag=etag)
        listed = entries(answer.body) if answer.status == 200 else []
    except FeedError as error:
        log.warning("jma.feed_failed", extra={"feed": feed, "reason": str(error)})
        return Polled(feed, False, (f"not read: {error}",))
    if answer.status == 304:
        return Polled(feed, False)
    wanted = [entry for entry in reversed(listed) if entry.title in FAMILIES]  # oldest first
    with factory() as session:
        seen = reports.seen_urls(session, [entry.url for entry in wanted])
    said = []
    complete = True
    for entry in wanted:
        if entry.url in seen:
            continue
        try:
            raw = client.fetch(entry.url).body
        except FeedError as error:
            complete = False  # fetched again on the next poll (the feed's validators are not kept)
            log.warning("jma.telegram_failed", extra={"reason": str(error)})
            said.append(f"{entry.url}: not fetched: {error}")
            continue
        with factory.begin() as session:
            try:
                with session.begin_nested():
                    done = reports.ingest(session, raw, now(), config=reports.load_config(session),
                                          timezone=timezone, url=entry.url)
            except TelegramError as error:  # kept as unreadable, so that it is not fetched again
                done = reports.unreadable(session, raw, now(), url=entry.url, reason=str(error))
        said.append(f"{entry.url}: {done.said}")
    if complete:
        with factory.begin() as session:
            state = session.get(JmaFeedState, feed)
            if state is None:
                state = JmaFeedState(url=feed)
                session.add(state)
            state.last_modified, state.etag, state.checked_at = answer.last_modified, answer.etag, now()
    return Polled(feed, True, tuple(said))
