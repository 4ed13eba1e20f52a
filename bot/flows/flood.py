"""Flood control: a resident who sends dozens of messages a minute gets one kind notice, then quiet answers.

The inbox tells how many messages the resident sent in the minute up to this one (``Context.burst``); past
``FLOOD_MESSAGES_PER_MINUTE`` the first message over gets the notice and the next ones no answer, until the
minute calms down. The health triage runs before this: a possible emergency is answered whatever the count.
"""

from __future__ import annotations

from bot.context import Context
from bot.context import Reply
from messaging import build
from messaging import texts

INTENT = "flood"


def throttled(ctx: Context) -> Reply | None:
    """The notice (once), an empty reply (after it), or None when the resident is within the limit."""
    limit = ctx.flood_limit
    if limit <= 0 or ctx.burst <= limit:
        return None
    ctx.note("flood", burst=ctx.burst, limit=limit, notice=ctx.burst == limit + 1)
    if ctx.burst == limit + 1:
        return Reply(build.text(texts.FLOOD_NOTICE), "intent", intent=INTENT)
    return Reply([], "intent", intent=INTENT)
