"""「データ削除」: the resident deletes everything the city keeps about them, after confirming."""

from __future__ import annotations

import logging

from linebot.v3.messaging import Message

from bot import conversation
from bot import querylog
from bot.context import Context
from bot.context import Reply
from bot.conversation import Step
from bot.replies import common
from disaster import status as shelter_status
from intents.my_data import ConfirmDeletion
from messaging import build
from messaging import texts
from push import outbox
from residents import service as residents
from search.docs import Query

log = logging.getLogger(__name__)


def ask_confirmation(ctx: Context, user_id: str | None, _result: ConfirmDeletion) -> list[Message]:
    """Ask before deleting: 「削除する」 and 「やめる」 buttons, and a step that takes a typed 「はい」 as the first."""
    if user_id is not None:
        conversation.start(ctx.session, user_id, Step.CONFIRM_DELETE, ctx.now)
    return common.confirm_deletion()


def confirm_answer(ctx: Context, user_id: str, query: Query, data: dict) -> Reply | None:
    """A typed answer to the question: yes (「はい」, 「お願いします」) deletes as 「削除する」 does, no
    (「いいえ」) keeps everything as 「やめる」 does; anything else lets the step go, and nothing is deleted."""
    if conversation.is_yes(query):
        return delete_pressed(ctx, user_id, {"c": "yes"}, {})
    if conversation.is_no(query):
        return delete_pressed(ctx, user_id, {"c": "no"}, {})
    return None


def delete_pressed(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """「削除する」: delete the resident's children, settings, queued pushes and logged questions at once;
    「やめる」 keeps them."""
    if values.get("c") != "yes":
        conversation.end(ctx.session, user_id)
        return Reply(build.text(texts.DELETE_CANCELLED), "intent", intent="delete_my_data")
    deleted = residents.delete_data(ctx.session, user_id, secret=ctx.secret)
    conversation.cancel(ctx.session, user_id)
    dropped = outbox.cancel_for_resident(ctx.session, user_id, "resident-deleted")
    dropped += outbox.forget_resident(ctx.session, user_id)
    shelter_status.unlink(ctx.session, user_id)  # a shelter staff member's link goes with the rest
    log.info("resident.deleted", extra={"user": querylog.pseudonym(ctx, user_id), "deleted": deleted,
                                        "outbox_rows": dropped})
    return Reply(common.deletion_done(deleted), "intent", intent="delete_my_data")
