"""Garbage items in the conversation: the items a general word names, and the one the resident picks."""

from __future__ import annotations

from bot import postbacks
from bot.context import Context
from bot.context import Reply
from bot.context import intent_context
from bot.replies import garbage as garbage_replies
from garbage.answers import answer_item
from garbage.answers import first_open_day
from garbage.answers import resolve_area
from messaging import build
from messaging import texts


def item_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """An item chosen from those offered (電池 → ボタン電池): how to put it out, for the resident's area."""
    catalog = ctx.garbage
    names = [name for name in (catalog.names.names if catalog is not None else [])
             if postbacks.area_key(name) == values.get("k")]
    if catalog is None or not names:
        return Reply(build.text(texts.STALE_BUTTON))
    intent_ctx = intent_context(ctx, user_id)
    answer = answer_item(catalog, names[0], catalog.variants(names[0]), resolve_area(catalog, intent_ctx.area),
                         first_open_day(catalog, intent_ctx.today, intent_ctx.time_of_day))
    return Reply(garbage_replies.garbage_item(answer, ctx.city), "intent", intent="garbage_item")
