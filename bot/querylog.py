"""What the staff see of residents' questions: each answer's outcome, and feedback on suggestions.

Only the normalised text is kept, with phone numbers, e-mail addresses, postal codes and street numbers
masked (``japanese.masking``), and no LINE user id: a keyed pseudonym stands for the resident. For a
health reply, not even that: only that one was given. ``faq.retention`` deletes the text after
``QUERY_LOG_KEEP_DAYS`` and the pseudonym after ``QUERY_LOG_PSEUDONYM_DAYS``.
"""

from __future__ import annotations

import logging

from bot.context import Context
from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueryOutcome
from japanese.masking import mask
from japanese.normalize import normalize
from residents import service as residents
from search.docs import Query

log = logging.getLogger(__name__)

MAX_LOGGED_CHARS = 500


def pseudonym(ctx: Context, user_id: str | None) -> str | None:
    """The resident's pseudonym for logs (None without a resident)."""
    return residents.resident_hash(ctx.secret, user_id) if user_id else None


def stored_text(query: Query) -> str:
    """The text kept for the staff: the query's normalised key, with contact details masked first."""
    masked = mask(query.text)
    return (query.key if masked == query.text else normalize(masked))[:MAX_LOGGED_CHARS]


def record(ctx: Context, user_id: str | None, query: Query, outcome: QueryOutcome, *, intent: str | None = None,
           faq_id: str | None = None, score: float | None = None) -> int | None:
    """Log one answered question; returns the log row's id (None when ``ctx.record`` is off, as in ``ask``)."""
    if not ctx.record:
        return None
    resident = pseudonym(ctx, user_id)
    row = QueryLog(normalized_text=stored_text(query), outcome=outcome, intent=intent,
                   faq_id=faq_id, score=score, resident_hash=resident, created_at=ctx.now)
    ctx.session.add(row)
    ctx.session.flush()
    log.info("query.answered", extra={"outcome": outcome.value, "intent": intent, "faq_id": faq_id,
                                      "score": score, "user": resident})
    return row.id


def record_health(ctx: Context, intent: str) -> None:
    """Log that a health reply was given: no text and no resident (what residents say about health is not kept)."""
    if not ctx.record:
        return
    ctx.session.add(QueryLog(normalized_text="", outcome=QueryOutcome.INTENT, intent=intent, resident_hash=None,
                             created_at=ctx.now))
    log.info("query.answered", extra={"outcome": QueryOutcome.INTENT.value, "intent": intent})


def feedback(ctx: Context, user_id: str, query_log_id: str | None, faq_id: str | None) -> None:
    """Record which suggestion the resident chose (``faq_id``), or that none fitted (None)."""
    log_id = int(query_log_id) if query_log_id and query_log_id.isdigit() else None
    if log_id is not None and ctx.session.get(QueryLog, log_id) is None:
        log_id = None
    ctx.session.add(Feedback(query_log_id=log_id, chosen_faq_id=faq_id, resident_hash=pseudonym(ctx, user_id),
                             created_at=ctx.now))
