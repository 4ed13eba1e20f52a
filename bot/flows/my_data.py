"""「データ削除」: the resident deletes everything the city keeps about them, after confirming."""

from __future__ import annotations

import logging

from bot import conversation
from bot import querylog
from bot.context import Context
from bot.context import Reply
from bot.replies import common
from messaging import build
from messaging import texts
from push import outbox
from residents import service as residents

log = logging.getLogger(__name__)


def delete_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """「削除する」: delete the resident's children, settings, queued pushes and logged questions at once;
    「やめる」 keeps them."""
    if values.get("c") != "yes":
        return Reply(build.text(texts.DELETE_CANCELLED), "intent", intent="delete_my_data")
    deleted = residents.delete_data(ctx.session, user_id, secret=ctx.secret)
    conversation.cancel(ctx.session, user_id)
    dropped = outbox.cancel_for_resident(ctx.session, user_id, "resident-deleted")
    dropped += outbox.forget_resident(ctx.session, user_id)
    log.info("resident.deleted", extra={"user": querylog.pseudonym(ctx, user_id), "deleted": deleted,
                                        "outbox_rows": dropped})
    return Reply(common.deletion_done(deleted), "intent", intent="delete_my_data")
