"""The process's Prometheus metrics: counters kept as the work happens, read by ``/metrics`` without a query.

Every series the bot exports is defined here, low in the layers, so that the webhook, the push sender,
the LINE client and the FAQ index count their own work without importing flask. Nothing here touches the
database: ``/metrics`` only reads these values (the outbox depth is a gauge the push worker refreshes).

Several processes (gunicorn workers, push workers) each keep their own values. When the environment sets
``PROMETHEUS_MULTIPROC_DIR`` (an empty folder, shared by every process of the deployment on one host, and
set before the processes start), each process writes its values there and ``render()`` adds them up; the
gunicorn ``child_exit`` hook should call ``mark_process_dead(worker.pid)``. Without it each process
exports only its own values.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
NO_ANSWER = "no-answer"  # the status label of a LINE call that got no HTTP answer (timeout, refused)

WEBHOOK_REQUESTS = Counter(
    "bot_webhook_requests", "Webhook requests (POST /callback) by HTTP status.", ["status"])
WEBHOOK_SECONDS = Histogram(
    "bot_webhook_duration_seconds", "Time from receiving a webhook request to its answer.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0))
EVENTS = Counter("bot_events", "Webhook events handled, by type (a duplicate is counted as one, not here).", ["type"])
DUPLICATE_EVENTS = Counter("bot_duplicate_events", "Webhook events skipped as already handled (redeliveries).")
ANSWERS = Counter(
    "bot_answers", "Answers to residents' texts by tier: intent, faq, suggest, fallback or health.", ["tier"])
ROUTES = Counter(
    "bot_routes", "Events routed in a read transaction (no write lock) or in a write one (the route writes).",
    ["transaction"])
EVENT_FAILURES = Counter("bot_event_failures", "Events whose handling raised (answered with an apology).")
INBOX_ERRORS = Counter(
    "bot_inbox_errors", "Passes of an inbox processor that failed before its events were answered (claiming, "
    "storing or closing raised; the events are tried again): rising steadily, nothing is being answered.")
REPLY_FAILURES = Counter(
    "bot_reply_failures", "Replies LINE did not accept, by HTTP status (no-answer: timeout or no connection).",
    ["status"])
REPLY_FALLBACKS = Counter(
    "bot_reply_fallbacks", "Answers sent as a push through the outbox because the reply could not be sent.")
LINE_API_ERRORS = Counter(
    "bot_line_api_errors", "Failed Messaging API calls by operation and HTTP status (no-answer: no HTTP answer).",
    ["operation", "status"])
PUSH_REQUESTS = Counter("bot_push_requests", "Push and multicast requests made by the sender.", ["endpoint"])
PUSH_DELIVERIES = Counter(
    "bot_push_deliveries",
    "Outbox deliveries (one per resident) handled by the sender, by outcome: sent, retried, failed, skipped, "
    "released.", ["outcome"])
OUTBOX_DEPTH = Gauge(
    "bot_outbox_depth",
    "Requests waiting in the outbox by endpoint (push: one resident; multicast: a batch) and status, as the "
    "push worker last counted them.", ["endpoint", "status"], multiprocess_mode="mostrecent")
MATCHER_BUILD_SECONDS = Histogram(
    "bot_matcher_build_seconds", "Time to build the FAQ matcher from the stored entries.",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0))
FAQ_ENTRIES = Gauge(
    "bot_faq_entries", "Published FAQ entries in the matcher, as the last process to refresh it saw them.",
    multiprocess_mode="mostrecent")


def multiprocess_dir() -> str | None:
    """The folder the processes share their values in, or None when each process exports its own."""
    return os.environ.get(MULTIPROC_ENV) or None


def render() -> bytes:
    """Every series in the Prometheus text format: this process's, or all processes' in multiprocess mode."""
    if multiprocess_dir() is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def mark_process_dead(pid: int) -> None:
    """Forget the live-only gauges of a process that exited (gunicorn's ``child_exit`` hook)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)
