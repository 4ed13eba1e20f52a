"""Residents' 「役に立った」/「役に立たなかった」 in the console: a rating made through the webhook is counted on the
entry's page and on the home page, and an answer said not to help joins the unanswered queue."""

from __future__ import annotations

import pytest

import db
from admin.models import Role
from faq import store
from faq.importers import FaqRecord
from tests import factories

ENTRY = FaqRecord("7", "住民票の写しがほしい", "市民課の窓口で取れます。", department="市民課", phone="0123-45-6701")
QUESTION = "住民票の写しがほしい"


@pytest.fixture
def faq(app):
    with db.transaction(app) as session:
        store.save_records(session, [ENTRY, FaqRecord("8", "粗大ごみの出し方", "予約してください。")])


def page(response) -> str:
    return response.get_data(as_text=True)


def rate(post_webhook, line_api, label: str, user_id: str = factories.USER_ID) -> None:
    """A resident asks through the signed webhook and presses ``label`` under the answer."""
    line_api.reset()
    assert post_webhook(factories.body(factories.text_event(QUESTION, user_id=user_id))).status_code == 200
    (_token, messages), = line_api.replies
    data = next(item["action"]["data"] for item in messages[-1]["quickReply"]["items"]
                if item["action"]["label"] == label)
    assert post_webhook(factories.body(factories.postback_event(data, user_id=user_id))).status_code == 200


def test_ratings_are_counted_on_the_entrys_page(app, users, signed_in, faq, post_webhook, line_api):
    """Two residents: one helped, one not; the entry's page shows one of each."""
    rate(post_webhook, line_api, "役に立った", user_id="U" + "1" * 32)
    rate(post_webhook, line_api, "役に立たなかった", user_id="U" + "2" * 32)
    shown = page(signed_in(Role.EDITOR).get("/admin/faq/7"))
    assert "役に立った <strong>1</strong>件 ・ 役に立たなかった <strong>1</strong>件" in shown


def test_the_home_page_lists_the_answers_said_not_to_help(app, users, signed_in, faq, post_webhook, line_api):
    """The entry rated unhelpful is on the home page with its count; with none, the page says so."""
    editor = signed_in(Role.EDITOR)
    assert "「役に立たなかった」と答えた住民はいません" in page(editor.get("/admin/"))
    rate(post_webhook, line_api, "役に立たなかった")
    shown = page(editor.get("/admin/"))
    assert "7：住民票の写しがほしい</a></th>\n        <td>1</td>" in shown


def test_a_question_whose_answer_did_not_help_joins_the_unanswered_queue(app, users, signed_in, faq, post_webhook,
                                                                        line_api):
    """Answered directly with a good score, but said not to help: the wording is in 未回答."""
    editor = signed_in(Role.EDITOR)
    rate(post_webhook, line_api, "役に立った")
    assert QUESTION not in page(editor.get("/admin/unanswered"))
    rate(post_webhook, line_api, "役に立たなかった", user_id="U" + "3" * 32)
    assert QUESTION in page(editor.get("/admin/unanswered"))
