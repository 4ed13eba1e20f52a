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
from healthdesk.data import defaults
from healthdesk.triage import triage
from search.docs import Query


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
    return Reply(health_replies.health_reply(result, ctx.city), "intent", intent=intent)
