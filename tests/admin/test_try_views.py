"""The console's test page: the reply a resident would get, its buttons, the matcher's scores; nothing is sent
or logged."""

from __future__ import annotations

import sqlalchemy as sa

import db
from admin import texts
from admin.models import Role
from faq import store
from faq.importers import FaqRecord
from faq.models import QueryLog
from tests.admin.conftest import csrf_token


def try_page(client, question: str) -> str:
    """The test page after posting ``question``."""
    return client.post("/admin/try", data={"csrf_token": csrf_token(client, "/admin/try"), "q": question}
                       ).get_data(as_text=True)


ENTRY = FaqRecord("7", "住民票の写しがほしい", "市民課の窓口で取れます。", department="市民課", aliases=("住民票とりたい",))


def test_a_question_shows_the_reply_and_the_candidates_scores(app, users, signed_in, line_api):
    """The entry's answer is shown as the resident's reply, with the tier and the entry among the candidates;
    nothing reaches LINE and nothing is logged."""
    with db.transaction(app) as session:
        store.save_records(session, [ENTRY])
    shown = try_page(signed_in(Role.EDITOR), "住民票とりたい")
    assert texts.TRY_KINDS["faq"] in shown and "市民課の窓口で取れます。" in shown
    assert '<a href="/admin/faq/7">7</a>' in shown
    assert line_api.requests == []
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(QueryLog)) == 0


def test_an_emergency_is_answered_with_119_first_on_the_test_page_too(app, users, signed_in):
    """The page goes through the bot's one route: a possible emergency gets 119 first."""
    shown = try_page(signed_in(Role.EDITOR), "息ができない")
    bubbles = shown[shown.index('class="chat"'):]
    assert "119" in bubbles[:400]


def test_the_test_page_without_a_question_shows_only_the_form(app, users, signed_in):
    """No question: the form, no reply."""
    shown = signed_in(Role.EDITOR).get("/admin/try").get_data(as_text=True)
    assert '<label for="q">' in shown and 'class="chat"' not in shown
