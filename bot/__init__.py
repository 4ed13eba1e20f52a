"""The LINE conversation adapter: the webhook, its inbox, one route for a message, replies and conversation state."""

from __future__ import annotations

from linebot.v3 import WebhookParser

import db
import runtime
from bot import webhook
from bot.cli import ask_command
from bot.cli import chat_command
from bot.context import Bot
from bot.inbox import GroupAccept
from bot.processor import Inbox
from bot.processor import drain
from faq.policy import answer_policy
from push.worker import register_pass

WORKER_PASS_LIMIT = 100  # events the push worker processes per round, so its own sending is not held up


def init_app(app) -> None:
    """Wire the webhook (a parser only with a channel secret: console mode answers 503), the inbox's
    processors (also a pass of ``push worker``, for events a crash left behind) and ``ask``/``chat``."""
    settings = runtime.of(app).settings
    parser = WebhookParser(settings.line_channel_secret) if settings.line_mode else None
    app.extensions["bot"] = Bot(parser=parser, policy=answer_policy(settings.match_overrides()))
    app.extensions["bot"].inbox = Inbox(app, threads=settings.inbox_threads, poll_seconds=settings.inbox_poll_seconds)
    app.extensions["bot"].accepting = GroupAccept(db.HeldStatementConnection(app))
    if settings.line_mode:
        register_pass(runtime.of(app), lambda: drain(app, limit=WORKER_PASS_LIMIT))
    app.register_blueprint(webhook.bp)
    app.cli.add_command(ask_command)
    app.cli.add_command(chat_command)
