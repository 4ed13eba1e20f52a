"""Golden queries replayed against a draft, an uploaded file or a synonym draft before it is published, with the
bot's own matcher and policy; publishing past a regression needs the approver to tick that they saw it."""

from __future__ import annotations

import json

from flask import request

import db
import runtime
from faq import golden
from faq import imports
from faq import index
from faq import store
from faq.drafts import OPEN_STATES
from faq.drafts import DraftError
from faq.models import FaqDraft
from faq.models import FaqImport
from faq.models import SynonymDraft
from faq.policy import AnswerPolicy
from faq.policy import answer_policy
from japanese.synonyms import SynonymGroup

SEEN = "regressions_seen"  # the publish form's box: the approver saw the questions answered worse


def index_of(session) -> index.FaqIndex:
    """This process's FAQ index (the bot's own matcher, as residents are answered)."""
    return runtime.current().caches[index.KEY].get(session)


def policy() -> AnswerPolicy:
    """The bot's three-tier policy, as residents are answered."""
    return answer_policy(runtime.current().settings.match_overrides())


def for_draft(session, draft: FaqDraft) -> golden.Replay:
    """The golden queries now and with ``draft`` published."""
    return _with_contents(session, {draft.faq_id: draft.content})


def for_upload(session, plan: imports.Plan) -> golden.Replay:
    """The golden queries now and with an uploaded file's ``plan`` published."""
    contents: dict[str, dict | None] = {p.faq_id: p.content for p in (*plan.added, *plan.changed)}
    contents.update({faq_id: None for faq_id, _question in plan.removed})
    return _with_contents(session, contents)


def for_synonyms(session, draft: SynonymDraft) -> golden.Replay:
    """The golden queries now and with the synonym table as ``draft`` would leave it (a matcher built anew)."""
    faq = index_of(session)
    table = [g for g in store.load_synonyms(session) if g.term != draft.term]
    if draft.synonyms:
        table.append(SynonymGroup(draft.term, tuple(draft.synonyms)))
    change = ("synonyms", tuple(sorted((g.term, tuple(g.synonyms)) for g in table)))
    return golden.replay_change(golden.queries(session), policy(), (faq.entries, faq.matcher), change,
                                lambda: (faq.entries, index.matcher_with(session, table)))


def _with_contents(session, contents: dict[str, dict | None]) -> golden.Replay:
    """The golden queries now and with ``contents`` (by file id: new content, or None for removed) published."""
    faq = index_of(session)
    change = ("entries", json.dumps(contents, ensure_ascii=False, sort_keys=True, default=str))
    return golden.replay_change(golden.queries(session), policy(), (faq.entries, faq.matcher), change,
                                lambda: golden.with_entries(faq.entries, faq.matcher, contents))


def seen_needed(model: type, draft_id: int) -> bool:
    """Whether publishing this draft or upload answers some golden query worse (the approver must say they
    saw it); read in its own read transaction, before the short write that publishes."""
    with db.read_transaction() as session:
        found = session.get(model, draft_id)
        if found is None or found.status not in OPEN_STATES:
            return False
        if model is FaqDraft:
            return bool(for_draft(session, found).regressions)
        if model is FaqImport:
            return bool(for_upload(session, imports.plan(session, found)).regressions)
        return bool(for_synonyms(session, found).regressions)


def require_seen(needed: bool) -> None:
    """DraftError("regressions") when publishing answers some golden query worse and the approver did not
    tick the box that says they saw which."""
    if needed and request.form.get(SEEN) != "y":
        raise DraftError("regressions")

