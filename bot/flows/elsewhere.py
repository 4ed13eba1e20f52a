"""Whether a text sent while a step waits is meant for something else, so the step lets it go.

A step takes a text only when it answers it. A question, or a text an intent or the FAQ answers
(「粗大ごみ」, 「児童手当の申請」, 「ありがとう」), is handled as a new message instead.
"""

from __future__ import annotations

from bot.context import Context
from bot.context import intent_context
from faq import answers
from faq.answers import Answered
from faq.answers import NotFound
from intents import INTENTS
from japanese.sentences import is_question
from search.docs import Query


def meant_elsewhere(ctx: Context, user_id: str, query: Query) -> bool:
    """True when the text is a question, or an intent or the FAQ (directly, without choices) answers it."""
    return is_question(query.text) or taken_by_intent(ctx, user_id, query) or isinstance(_faq(ctx, query), Answered)


def taken_by_intent(ctx: Context, user_id: str, query: Query) -> bool:
    """True when one of the intents would answer the text (intents only read when they match)."""
    intent_ctx = intent_context(ctx, user_id)
    return any((match := intent.match(query)) is not None and intent.handle(match, intent_ctx) is not None
               for intent in INTENTS)


def faq_knows(ctx: Context, query: Query) -> bool:
    """True when the FAQ has an answer or choices for the text (nothing is logged)."""
    return not isinstance(_faq(ctx, query), NotFound)


def _faq(ctx: Context, query: Query) -> answers.FaqResult:
    return answers.find(ctx.faq_entries, ctx.matcher, ctx.policy, query, ctx.top)
