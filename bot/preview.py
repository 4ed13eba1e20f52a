"""What a resident would get for a text, as plain data for the staff console's test page: the reply as LINE
would show it (texts and buttons), how the route decided, and how the FAQ matcher scored its candidates.

Nothing is sent, logged or kept: the answer is built in a transaction that is rolled back, as ``ask`` does. The
app hands this function to the console (``app.py``): the two adapters never import each other.
"""

from __future__ import annotations

from linebot.v3.messaging import Message
from linebot.v3.messaging import TextMessage

import db
from bot import dispatch
from bot.cli import render_trace
from bot.context import context_for
from bot.trace import Trace
from faq import store
from search.docs import Query

TOP = 5


def preview(text: str, *, area: str | None = None) -> dict:
    """The bot's answer to ``text`` from a new resident (of ``area``, when given), with its explanation."""
    with db.session_factory()() as session:
        ctx = context_for(session, area=area, top=TOP)
        ctx.record = False
        ctx.trace = Trace()
        reply = dispatch.on_text(ctx, None, text)
        query = Query.of(text)
        explanation = ctx.matcher.explain(query, TOP) if query.key else None
        rows = explanation.rows if explanation is not None else []
        questions = {e.faq_id: e.question for e in store.get_entries(session, [row.faq_id for row in rows]).values()}
        session.rollback()
    analysis = explanation.analysis if explanation is not None else None
    return {
        "kind": reply.kind,
        "intent": reply.intent,
        "faq_id": reply.faq_id,
        "score": reply.score,
        "messages": [_shown(message) for message in reply.messages],
        "route": render_trace(ctx.trace.as_data()),
        "tokens": list(analysis.tokens) if analysis is not None else [],
        "synonyms": [f"{a} → {b}" for a, b in analysis.synonyms] if analysis is not None else [],
        "candidates": [{"faq_id": row.faq_id, "question": questions.get(row.faq_id, ""), "score": row.score,
                        "views": {"ngram_surface": row.ngram_surface, "ngram_reading": row.ngram_reading,
                                  "bm25": row.bm25, "fuzzy": row.fuzzy}} for row in rows],
    }


def _shown(message: Message) -> dict:
    """A message as the resident sees it: its text (or its kind) and the labels of its buttons."""
    shown: dict = {"type": message.type, "text": message.text if isinstance(message, TextMessage) else ""}
    if message.quick_reply is not None:
        shown["buttons"] = [item.action.label for item in message.quick_reply.items]
    return shown
