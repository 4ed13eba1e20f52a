"""``POST /callback``: verify the signature on the raw body, parse, store the new events in the inbox, 200.

Nothing else happens in the request: no LINE call, no route. The events are answered right after by this
process's inbox processors (``bot.processor``), or in the request after the store when ``INBOX_THREADS=0``.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint
from flask import abort
from flask import g
from flask import request
from werkzeug.exceptions import HTTPException

import metrics
import runtime
from bot import bodies
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
    limit = rt.settings.webhook_max_bytes
    request.max_content_length = limit
    try:
        raw = bodies.read(request.stream, limit)
    except bodies.BodyTooLarge:
        log.warning("webhook.too_large")
        abort(413)
    signature = request.headers.get("X-Line-Signature", "")
    if not bot.parser.signature_validator.validate(raw.decode("utf-8", "replace"), signature):
        log.warning("webhook.bad_signature")
        abort(400)
    try:
        payload = bodies.payload(raw)
        bodies.events(payload)  # every event as the SDK reads it: a body it cannot read is refused here
    except bodies.MalformedBody as error:
        log.warning("webhook.malformed_body", extra={"reason": str(error)})
        abort(400)
    except (KeyError, TypeError, ValueError, AttributeError) as error:  # the SDK's models refused it
        log.warning("webhook.malformed_body", extra={"reason": type(error).__name__})
        abort(400)
    raw_events = payload["events"]
    if raw_events:
        accepted = bot.accepting.accept(raw_events, rt.now())  # committed with other requests' (group commit)
        if accepted.duplicates or accepted.skipped:
            log.info("webhook.duplicate", extra={"duplicates": accepted.duplicates, "skipped": accepted.skipped})
            metrics.DUPLICATE_EVENTS.inc(accepted.duplicates)
        if accepted.new:
            bot.inbox.notify()
    return "OK"


@bp.before_request
def start_clock() -> None:
    """Note when the request came in, for the latency histogram."""
    g.webhook_started = time.perf_counter()


@bp.after_request
def count_request(response):
    """Count the request by its status and observe how long it took (errors and rejections included)."""
    metrics.WEBHOOK_REQUESTS.labels(status=str(response.status_code)).inc()
    started = g.pop("webhook_started", None)
    if started is not None:
        metrics.WEBHOOK_SECONDS.observe(time.perf_counter() - started)
    return response


@bp.errorhandler(HTTPException)
def plain_error(error: HTTPException):
    """Answer webhook errors with a short plain-text reason instead of an HTML page."""
    return f"{error.code} {error.name}\n", error.code, {"Content-Type": "text/plain; charset=utf-8"}
