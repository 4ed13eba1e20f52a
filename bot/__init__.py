"""The LINE conversation adapter: the webhook, one route for a message, replies and conversation state."""

from __future__ import annotations

from linebot.v3 import WebhookParser

import runtime
from bot import webhook
from bot.cli import ask_command
from bot.cli import chat_command
from bot.context import Bot
from faq.policy import answer_policy


def init_app(app) -> None:
    """Wire the webhook (a parser only with a channel secret: console mode answers 503) and ``ask``/``chat``."""
    settings = runtime.of(app).settings
    parser = WebhookParser(settings.line_channel_secret) if settings.line_mode else None
    app.extensions["bot"] = Bot(parser=parser, policy=answer_policy(settings.match_overrides()))
    app.register_blueprint(webhook.bp)
    app.cli.add_command(ask_command)
    app.cli.add_command(chat_command)
