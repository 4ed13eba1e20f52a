"""The FAQ in the conversation: its answer, the 「もしかして」 choices and what the resident picks from them."""

from __future__ import annotations

import dataclasses

from linebot.v3.messaging import Message

from bot import querylog
from bot.context import Context
from bot.context import Reply
from bot.replies import faq as faq_replies
from faq import answers
from faq.answers import Answered
from faq.answers import FaqResult
from faq.answers import NotFound
from faq.answers import Suggested
from faq.models import QueryOutcome
from faq.policy import Tier
from messaging import build
from messaging import texts
from search.docs import Query

OUTCOMES = {Tier.ANSWER: QueryOutcome.FAQ, Tier.SUGGEST: QueryOutcome.SUGGEST, Tier.FALLBACK: QueryOutcome.FALLBACK}


def ask_faq(ctx: Context, user_id: str | None, query: Query) -> FaqResult:
    """Search the FAQ for ``query`` and log the outcome; 「もしかして」 choices name the logged question."""
    result = answers.find(ctx.faq_entries, ctx.matcher, ctx.policy, query, ctx.top)
    log_ref = querylog.record(ctx, user_id, query, OUTCOMES[result.kind], faq_id=result.faq_id, score=result.score)
    return dataclasses.replace(result, log_ref=log_ref) if isinstance(result, Suggested | Answered) else result


def knows(ctx: Context, term: str) -> bool:
    """True when the FAQ is about ``term`` itself (``faq.answers.knows``); nothing is logged."""
    return answers.knows(ctx.faq_entries, ctx.matcher, ctx.policy, Query.of(term), ctx.top)


def explained(ctx: Context, query: Query, result: FaqResult) -> dict[str, object]:
    """What the FAQ search decided and why, for the trace: the candidates found, the policy's checks of
    the best score and margin against its thresholds, and which candidates the resident was shown."""
    shown = ([result.entry.faq_id] if isinstance(result, Answered)
             else [entry.faq_id for entry in result.entries] if isinstance(result, Suggested) else [])
    return {
        "searched": bool(query.key),
        "top": ctx.top,
        "hits": result.hits,
        "decision": ctx.policy.explain(result.hits, len(query.key)),
        "suggestions": ctx.policy.suggestions,
        "kept": [hit for hit in result.hits if hit.faq_id in shown],
        "dropped": [{"faq_id": hit.faq_id, "score": hit.score,
                     "why": ctx.policy.why_not_shown(hit, result.hits, len(query.key))
                     if isinstance(result, Suggested) else result.kind.value}
                    for hit in result.hits if hit.faq_id not in shown],
        "result": result.kind,
    }


def answered(ctx: Context, user_id: str | None, result: Answered) -> list[Message]:
    """The entry's answer, with the buttons to say whether it helped."""
    return faq_replies.faq_answer(result.entry, ctx.city, result.log_ref)


def suggested(ctx: Context, user_id: str | None, result: Suggested) -> list[Message]:
    """The choices, as buttons that name the logged question."""
    return faq_replies.suggestions(result.entries, result.log_ref)


def not_found(ctx: Context, user_id: str | None, result: NotFound) -> list[Message]:
    """The contact desk and its office hours; in disaster mode, where to find shelters and the notices first."""
    if ctx.disaster_mode().active:
        return build.combine(build.text(texts.DISASTER_MODE_FALLBACK), faq_replies.fallback(ctx.city))
    return faq_replies.fallback(ctx.city)


def chosen(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """A suggested entry was picked: answer with it and remember the choice."""
    faq_id = values.get("id", "")
    entry = ctx.faq_entries.get(faq_id)
    if entry is None:
        return Reply(build.text(texts.STALE_BUTTON))
    querylog.feedback(ctx, user_id, values.get("q"), entry.faq_id)
    return Reply(faq_replies.faq_answer(entry, ctx.city, values.get("q")), "faq", faq_id=entry.faq_id)


def none_chosen(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """「どれにも当てはまらない」: thank the resident, give the desk, and remember it for the staff."""
    querylog.feedback(ctx, user_id, values.get("q"), None)
    return Reply(faq_replies.suggestion_declined(ctx.city), "fallback")


def rated(ctx: Context, user_id: str, values: dict, params: dict) -> Reply:
    """「役に立った」/「役に立たなかった」 under an answer: remember it for the staff (once per answer), and thank."""
    helpful = values.get("v") == "1"
    entry = ctx.faq_entries.get(values.get("id", ""))
    querylog.rate(ctx, user_id, values.get("q"), values.get("id", "")[:64] or None, helpful)
    return Reply(faq_replies.rated(entry, helpful, ctx.city))
