"""Hooks into the optional push outbox: cancel a resident's queued pushes, or reach ``push.planning``."""

from __future__ import annotations

from bot.context import Context


def cancel_outbox(ctx: Context, user_id: str, reason: str, *, forget: bool = False) -> int:
    """Cancel the resident's queued pushes (and with ``forget`` delete them) when the push outbox exists."""
    try:
        from push import outbox
    except ImportError:
        return 0
    count = outbox.cancel_for_resident(ctx.session, user_id, reason)
    if forget:
        count += outbox.forget_resident(ctx.session, user_id)
    return count


def push_planning():
    """``push.planning`` (its ``cancel_…`` functions for settings changes) when the push outbox exists."""
    try:
        from push import planning
    except ImportError:
        return None
    return planning
