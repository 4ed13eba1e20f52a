"""Whether a text sent while a step waits is meant for something else, so the step lets it go.

A step takes a text only when it answers it. A question, or a text an intent or the FAQ would answer
(「粗大ごみ」, 「児童手当の申請」, 「ありがとう」), is handled as a new message instead.
"""

from __future__ import annotations

from bot.context import Context
from bot.context import intent_context
from faq import answers
from faq.answers import Answered
from faq.answers import Suggested
from intents import INTENTS
from japanese.sentences import is_question
from search.docs import Query


def meant_elsewhere(ctx: Context, user_id: str, query: Query, *, faq: bool = True) -> bool:
    """True when the text is a question, or an intent (or, with ``faq``, the FAQ) would answer it."""
    return is_question(query.text) or taken_by_intent(ctx, user_id, query) or (faq and _faq_answers(ctx, query))


def taken_by_intent(ctx: Context, user_id: str, query: Query) -> bool:
    """True when one of the intents would answer the text (intents only read when they match)."""
    intent_ctx = intent_context(ctx, user_id)
    return any((match := intent.match(query)) is not None and intent.handle(match, intent_ctx) is not None
               for intent in INTENTS)


def _faq_answers(ctx: Context, query: Query) -> bool:
    """True when the FAQ has an answer or choices for the text (nothing is logged)."""
    return isinstance(answers.find(ctx.session, ctx.matcher, ctx.policy, query, ctx.top), Answered | Suggested)
