"""Contracts of the outside systems: every implementation of a Protocol has all of its methods, with the
same signatures, and behaves as the Protocol says (real, console and fake alike)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from linebot.v3.messaging import TextMessage

from disaster.jma.feeds import FeedClient
from disaster.jma.feeds import HttpFeedClient
from messaging.client import ConsoleLineClient
from messaging.client import LineClient
from messaging.client import SdkLineClient
from search.docs import Explanation
from search.docs import FaqDoc
from search.docs import Hit
from search.docs import Matcher
from search.docs import Query
from search.engine import HybridMatcher
from tests.fakes import FakeLineClient
from tests.fakes import FakeMatcher

USER = "U" + "a" * 32
KEY = "0b1d7c9e-8a0e-4a65-9d36-0e6c2f1f2f3a"


def protocol_methods(protocol: type) -> list[str]:
    """The methods a Protocol declares (not those every class has)."""
    return sorted(name for name, value in vars(protocol).items()
                  if callable(value) and not name.startswith("_"))


@pytest.mark.parametrize(("protocol", "implementation"), [
    (LineClient, SdkLineClient), (LineClient, ConsoleLineClient), (LineClient, FakeLineClient),
    (Matcher, HybridMatcher), (Matcher, FakeMatcher), (FeedClient, HttpFeedClient),
])
def test_implementations_have_every_method_of_their_protocol(protocol, implementation):
    """Each implementation has every method its Protocol declares, with the same signature."""
    for name in protocol_methods(protocol):
        assert inspect.signature(getattr(implementation, name)) == inspect.signature(getattr(protocol, name)), name


def test_the_protocols_declare_what_the_code_calls():
    """LineClient declares sending, the quota, the default rich menu and a unit's statistics; Matcher declares search, explain, a copy
    and its edits; JMA's FeedClient, a conditional fetch."""
    assert protocol_methods(LineClient) == ["get_quota", "get_quota_consumption", "multicast", "push", "reply",
                                            "show_rich_menu", "unit_statistics"]
    assert protocol_methods(Matcher) == ["copy", "explain", "remove", "search", "upsert"]
    assert protocol_methods(FeedClient) == ["fetch"]


@pytest.fixture(params=["sdk", "console", "fake"])
def line_client(request, line_api, capsys) -> Iterator[LineClient]:
    """Each LineClient: the SDK against the fake LINE API, the console one, and the in-memory fake."""
    if request.param == "sdk":
        line_api.quota, line_api.consumption = None, 0
        with SdkLineClient("dummy-channel-access-token", host=line_api.url) as client:
            yield client
    elif request.param == "console":
        yield ConsoleLineClient()
    else:
        yield FakeLineClient()


class TestLineClientContract:
    def test_reply_push_and_multicast_return_nothing_when_accepted(self, line_client):
        """Sending through any client returns None when the message is accepted."""
        message = [TextMessage(text="こんにちは")]
        assert line_client.reply("reply-token-1", message) is None
        assert line_client.push(USER, message, retry_key=KEY) is None
        assert line_client.multicast([USER], message, retry_key=KEY.replace("0b", "1b")) is None

    def test_a_rich_menu_alias_is_made_everyones_default(self, line_client, line_api):
        """Every client takes a rich menu alias and returns what it set (the SDK: the rich menu's id)."""
        line_api.rich_menu_aliases["disaster"] = "richmenu-d0000000000000000000000000000000"
        shown = line_client.show_rich_menu("disaster")
        assert isinstance(shown, str) and shown
        assert line_api.violations == []

    def test_a_channel_without_a_limit_has_no_quota(self, line_client):
        """Without a monthly limit every client reports None for the quota and a whole number consumed."""
        assert line_client.get_quota() is None
        assert isinstance(line_client.get_quota_consumption(), int)


@pytest.fixture(params=["hybrid", "fake"])
def matcher(request) -> Matcher:
    """Each Matcher: the engine and the fake, both holding the same two documents."""
    docs = [FaqDoc("1", "住民票の写しを取りたい。"), FaqDoc("2", "粗大ごみの出し方を教えてください。")]
    if request.param == "hybrid":
        return HybridMatcher(docs)
    return FakeMatcher(docs, hits=[Hit("1", 0.9), Hit("2", 0.5), Hit("3", 0.4)])


class TestMatcherContract:
    def test_search_takes_a_query_or_text_and_ranks_best_first(self, matcher):
        """Search accepts a Query or plain text, returns at most k hits, best first."""
        hits = matcher.search(Query.of("住民票の写しを取りたい"), k=1)
        assert len(hits) == 1 and hits[0].faq_id == "1"
        assert matcher.search("住民票の写しを取りたい", k=1) == hits

    def test_removed_documents_are_never_found(self, matcher):
        """After remove, a document is not among the hits."""
        matcher.remove("1")
        assert "1" not in [hit.faq_id for hit in matcher.search("住民票の写しを取りたい", k=5)]

    def test_upserted_documents_can_be_found(self, matcher):
        """A document added with upsert can be found."""
        matcher.remove("1")
        matcher.upsert(FaqDoc("1", "住民票の写しを取りたい。"))
        assert "1" in [hit.faq_id for hit in matcher.search("住民票の写しを取りたい", k=5)]

    def test_explain_scores_the_same_candidates_as_search(self, matcher):
        """explain returns how the query was read and the same candidates search ranks."""
        explanation = matcher.explain("住民票の写しを取りたい", k=2)
        assert isinstance(explanation, Explanation) and explanation.formula
        assert [row.faq_id for row in explanation.rows] == [hit.faq_id for hit in matcher.search("住民票の写しを取りたい", k=2)]
