"""Health in the conversation: triaged before anything else, answered without keeping what was said.

A health message closes any open step (a question waiting for an area or a date should not catch the next
message of someone in an emergency), and only the fact that a health reply was given is recorded: no
text, no resident.
"""

from __future__ import annotations

import runtime
from bot import conversation
from bot import querylog
from bot.context import Context
from bot.context import Reply
from bot.replies import health as health_replies
from faq import answers
from faq.answers import Answered
from healthdesk.data import defaults
from healthdesk.triage import Kind
from healthdesk.triage import triage
from search.docs import Query

# Worries a FAQ entry may also answer (夜泣き, 子どもの発熱; the city's DV desk after the police lines):
# emergencies, despair and doubt get the lines only.
FAQ_ALSO = frozenset({Kind.WORRY, Kind.CHILD, Kind.POLICE})


def answer_health(ctx: Context, user_id: str | None, query: Query) -> Reply | None:
    """The health reply to ``query``, or None when it is not about health (the national red flags always apply)."""
    desk = ctx.health or defaults()
    local = ctx.now.astimezone(runtime.current().timezone)
    result = triage(desk, query.text, local.time(), local.date())
    ctx.note("health", took=result is not None, **({"kind": result.kind.value, "family": result.family,
                                                     "phrase": result.phrase} if result else {}))
    if result is None:
        return None
    if user_id is not None:
        conversation.end(ctx.session, user_id)
    intent = f"health.{result.kind.value}"
    querylog.record_health(ctx, intent)
    # A worry the FAQ may also answer: searched without logging anything; the entry is added when it answers
    # the worry directly (the answer tier), and what the search found is the reply's candidates.
    found = answers.find(ctx.faq_entries, ctx.matcher, ctx.policy, query, ctx.top) if result.kind in FAQ_ALSO else None
    related = found.entry if isinstance(found, Answered) else None
    return Reply(health_replies.health_reply(result, ctx.city, related), "intent", intent=intent,
                 candidates=list(found.hits) if found is not None else [])
