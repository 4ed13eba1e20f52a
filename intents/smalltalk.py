"""Greetings, thanks and requests for help: short messages that deserve a friendly word, not an FAQ."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from intents.base import IntentContext
from japanese.normalize import normalize
from search.docs import Query


class Talk(enum.StrEnum):
    """Which kind of small talk the resident sent."""

    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"


@dataclass(frozen=True)
class SmallTalk:
    """The result: reply with the words for ``kind``."""

    kind: Talk


# Matching keys (see japanese.normalize): whole messages, so 「ありがとう」 matches but a question does not.
_PHRASES: dict[Talk, frozenset[str]] = {
    Talk.GREETING: frozenset({
        "こんにちは", "こんにちわ", "こんばんは", "こんばんわ", "おはよう", "おはようございます",
        "はじめまして", "よろしく", "よろしくおねがいします", "よろしくお願いします", "もしもし", "hello", "hi",
    }),
    Talk.THANKS: frozenset({
        "ありがとう", "ありがとうございます", "ありがとうございました", "どうも", "どうもありがとう",
        "たすかりました", "助かりました", "わかりました", "了解", "りょうかい", "ok", "おけ",
    }),
    Talk.HELP: frozenset({
        "help", "へるぷ", "めにゅー", "使い方", "つかいかた", "何ができる", "何ができるの",
        "なにができる", "なにができるの", "できること",
    }),
}

_KEYS = {kind: frozenset(normalize(p) for p in phrases) for kind, phrases in _PHRASES.items()}


class SmallTalkIntent:
    """Answers a greeting, a thank-you or a request for the menu."""

    name = "smalltalk"

    def match(self, query: Query) -> Talk | None:
        """The kind of small talk when the whole message is one of the known phrases."""
        for kind, keys in _KEYS.items():
            if query.key in keys:
                return kind
        return None

    def handle(self, match: Talk, ctx: IntentContext) -> SmallTalk:
        """Small talk needs nothing from the database."""
        return SmallTalk(match)


INTENT = SmallTalkIntent()
