"""What the staff see of residents' questions: each answer's outcome, and feedback on suggestions.

Only the normalised text is kept, with phone numbers, e-mail addresses, postal codes and street numbers
masked (``japanese.masking``), and no LINE user id: a keyed pseudonym stands for the resident. For a
health reply, not even that: only that one was given. ``faq.retention`` deletes the text after
``QUERY_LOG_KEEP_DAYS`` and the pseudonym after ``QUERY_LOG_PSEUDONYM_DAYS``.
"""

from __future__ import annotations

import logging
import secrets

import sqlalchemy as sa

from bot.context import Context
from faq import unanswered
from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueryOutcome
from japanese.masking import mask
from japanese.normalize import normalize
from residents import service as residents
from search.docs import Query

log = logging.getLogger(__name__)

MAX_LOGGED_CHARS = 500
REF_BYTES = 9  # a log row's ref: 12 URL-safe characters


def pseudonym(ctx: Context, user_id: str | None) -> str | None:
    """The resident's pseudonym for logs (None without a resident)."""
    return residents.resident_hash(ctx.secret, user_id) if user_id else None


def stored_text(query: Query) -> str:
    """The text kept for the staff: the query's normalised key, with contact details masked first."""
    masked = mask(query.text)
    return (query.key if masked == query.text else normalize(masked))[:MAX_LOGGED_CHARS]


def record(ctx: Context, user_id: str | None, query: Query, outcome: QueryOutcome, *, intent: str | None = None,
           faq_id: str | None = None, score: float | None = None) -> str | None:
    """Log one answered question; returns the log row's ``ref`` (for buttons that name it), None when
    ``ctx.record`` is off (``ask``). The row is kept with the answer (``Context.keep``), not written here."""
    if not ctx.record:
        return None
    resident = pseudonym(ctx, user_id)
    text = stored_text(query)
    missed = bool(text) and unanswered.missed_when_answered(ctx.policy, outcome, score, len(query.key))
    row = QueryLog(ref=secrets.token_urlsafe(REF_BYTES), normalized_text=text, outcome=outcome, intent=intent,
                   faq_id=faq_id, score=score, resident_hash=resident, created_at=ctx.now, missed=missed)
    ctx.keep(row)
    log.info("query.answered", extra={"outcome": outcome.value, "intent": intent, "faq_id": faq_id,
                                      "score": score, "user": resident})
    return row.ref


def record_health(ctx: Context, intent: str) -> None:
    """Log that a health reply was given: no text and no resident (what residents say about health is not kept)."""
    if not ctx.record:
        return
    ctx.keep(QueryLog(normalized_text="", outcome=QueryOutcome.INTENT, intent=intent, resident_hash=None,
                      created_at=ctx.now))
    log.info("query.answered", extra={"outcome": QueryOutcome.INTENT.value, "intent": intent})


def rate(ctx: Context, user_id: str, query_log_ref: str | None, faq_id: str | None, helpful: bool) -> None:
    """Record whether an entry's answer helped; pressing again on the same answer changes the rating rather
    than adding one (an answer whose log row is gone is counted for its entry alone)."""
    log_id = _log_id(ctx, query_log_ref)
    resident = pseudonym(ctx, user_id)
    earlier = None
    if log_id is not None:
        earlier = ctx.session.scalar(sa.select(Feedback).where(Feedback.query_log_id == log_id,
                                                               Feedback.helpful.is_not(None)).limit(1))
    if earlier is not None:
        earlier.helpful, earlier.created_at = helpful, ctx.now
    else:
        ctx.session.add(Feedback(query_log_id=log_id, chosen_faq_id=faq_id, helpful=helpful,
                                 resident_hash=resident, created_at=ctx.now))
    if log_id is not None:
        unanswered.rated(ctx.session, log_id, ctx.policy)  # reads the rating above (the session flushes it first)
    log.info("answer.rated", extra={"faq_id": faq_id, "helpful": helpful, "user": resident})


def _log_id(ctx: Context, query_log_ref: str | None) -> int | None:
    """The id of the log row a button names: by its ``ref``, or by its id on buttons sent before refs."""
    if query_log_ref and query_log_ref.isdigit():
        return ctx.session.scalar(sa.select(QueryLog.id).where(QueryLog.id == int(query_log_ref)))
    if query_log_ref:
        return ctx.session.scalar(sa.select(QueryLog.id).where(QueryLog.ref == query_log_ref[:16]))
    return None


def feedback(ctx: Context, user_id: str, query_log_ref: str | None, faq_id: str | None) -> None:
    """Record which suggestion the resident chose (``faq_id``), or that none fitted (None).

    ``query_log_ref`` names the question's log row: its ``ref``, or its id on buttons sent before refs were
    made. A row since deleted (``faq.retention``) is no longer linked.
    """
    log_id = _log_id(ctx, query_log_ref)
    ctx.session.add(Feedback(query_log_id=log_id, chosen_faq_id=faq_id, resident_hash=pseudonym(ctx, user_id),
                             created_at=ctx.now))
    if log_id is not None and faq_id is None:
        unanswered.declined(ctx.session, log_id)
