"""``POST /callback``: verify the signature on the raw body, parse, store the new events in the inbox, 200.

Nothing else happens in the request: no LINE call, no route. The events are answered right after by this
process's inbox processors (``bot.processor``), or in the request after the store when ``INBOX_THREADS=0``.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint
from flask import abort
from flask import request
from linebot.v3.exceptions import InvalidSignatureError
from werkzeug.exceptions import HTTPException

import db
import runtime
from bot import inbox
from bot.context import current_bot

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)


@bp.post("/callback")
def callback():
    """Receive LINE's webhook; 400 on a bad signature or body, 503 when no channel secret is set."""
    bot = current_bot()
    if bot.parser is None:
        abort(503)
    rt = runtime.current()
    request.max_content_length = rt.settings.webhook_max_bytes
    body = request.get_data(as_text=True)
    signature = request.headers.get("X-Line-Signature", "")
    try:
        bot.parser.parse(body, signature)  # the signature, then every event as the SDK reads it
        raw_events = json.loads(body)["events"]
    except InvalidSignatureError:
        log.warning("webhook.bad_signature")
        abort(400)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        log.warning("webhook.malformed_body")
        abort(400)
    if raw_events:
        with db.transaction() as session:
            accepted = inbox.accept(session, raw_events, rt.now())
        if accepted.duplicates or accepted.skipped:
            log.info("webhook.duplicate", extra={"duplicates": accepted.duplicates, "skipped": accepted.skipped})
        if accepted.new:
            bot.inbox.notify()
    return "OK"


@bp.errorhandler(HTTPException)
def plain_error(error: HTTPException):
    """Answer webhook errors with a short plain-text reason instead of an HTML page."""
    return f"{error.code} {error.name}\n", error.code, {"Content-Type": "text/plain; charset=utf-8"}
