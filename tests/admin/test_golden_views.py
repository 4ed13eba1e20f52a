"""The console's golden queries: added from the test page, listed with how they are answered now, replayed on a
draft's, an upload's and a synonym draft's page; publishing past a question answered worse needs the approver
to tick that they saw it."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

import db
from admin import texts
from admin.models import AuditEntry
from admin.models import Role
from faq import golden
from faq import store
from faq.importers import FaqRecord
from faq.models import FaqEntry
from faq.models import GoldenQuery
from tests.admin.conftest import csrf_token
from tests.conftest import NOW

ENTRY = FaqRecord("7", "住民票の写しがほしい", "市民課の窓口で取れます。", aliases=("住民票とりたい",))
FIELDS = {"question": ENTRY.question, "aliases": "住民票とりたい", "answer": ENTRY.answer, "category": "",
          "department": "", "phone": "", "url": ""}


@pytest.fixture
def faq(app):
    with db.transaction(app) as session:
        store.save_records(session, [ENTRY, FaqRecord("8", "粗大ごみの出し方", "予約してください。")])
        golden.add(session, "住民票とりたい", "7", added_by="editor1", now=NOW)


def page(response) -> str:
    return response.get_data(as_text=True)


def post(client, target, form_page="/admin/", **data):
    return client.post(target, data={"csrf_token": csrf_token(client, form_page), **data})


def losing_draft(app, signed_in) -> tuple[int, object]:
    """An editor's draft that takes the alias off entry 7 and renames it; approved by an approver."""
    editor = signed_in(Role.EDITOR)
    response = post(editor, "/admin/faq/7/edit", "/admin/faq/7/edit",
                    **{**FIELDS, "question": "証明書の発行", "aliases": ""})
    draft_id = int(response.headers["Location"].rsplit("/", 1)[1])
    approver = signed_in(Role.APPROVER)
    post(approver, f"/admin/drafts/{draft_id}/approve")
    return draft_id, approver


def offered(shown: str) -> str:
    """The entry id the test page offers to keep its question with."""
    return re.search(r'<input[^>]*name="faq_id"[^>]*value="([^"]*)"', shown).group(1)


def question_of(app, faq_id: str) -> str:
    with db.read_transaction(app) as session:
        return session.scalar(sa.select(FaqEntry.question).where(FaqEntry.faq_id == faq_id))


def test_a_question_from_the_test_page_is_kept_with_its_entry(app, users, signed_in, faq):
    """On ためす the entry answered is offered; adding it lists the question as answered directly, audited."""
    client = signed_in(Role.EDITOR)
    tried = page(client.post("/admin/try", data={"csrf_token": csrf_token(client, "/admin/try"),
                                                 "q": "粗大ごみの出し方"}))
    assert offered(tried) == "8"
    post(client, "/admin/golden", "/admin/try", question="粗大ごみの出し方", faq_id="8")
    listed = page(client.get("/admin/golden"))
    assert "粗大ごみの出し方" in listed and texts.GOLDEN_ADDED in listed
    assert "2件のうち、いま直接答えるもの 2件" in listed
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "golden.add"


def test_a_query_for_an_entry_that_does_not_exist_is_refused(app, users, signed_in, faq):
    """An id with no published entry: nothing kept, and the page says which id."""
    client = signed_in(Role.EDITOR)
    response = post(client, "/admin/golden", "/admin/golden", question="何か", faq_id="404")
    assert texts.GOLDEN_NO_ENTRY.format(faq_id="404") in page(client.get(response.headers["Location"]))
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(GoldenQuery)) == 1


def test_a_query_is_removed_from_the_list(app, users, signed_in, faq):
    client = signed_in(Role.EDITOR)
    with db.read_transaction(app) as session:
        query_id = session.scalar(sa.select(GoldenQuery.id))
    post(client, f"/admin/golden/{query_id}/remove", "/admin/golden")
    assert "確認用の質問はまだありません" in page(client.get("/admin/golden"))


def test_a_draft_that_answers_a_query_worse_shows_it_on_its_page(app, users, signed_in, faq):
    """The draft's page lists 住民票とりたい as answered worse, with the box to tick before publishing."""
    draft_id, approver = losing_draft(app, signed_in)
    shown = page(approver.get(f"/admin/drafts/{draft_id}"))
    assert "悪くなる：</span>住民票とりたい" in shown
    assert "直接答える質問：1件 → <strong>0件</strong>" in shown
    assert 'name="regressions_seen"' in shown


def test_publishing_past_a_regression_without_ticking_is_refused(app, users, signed_in, faq):
    """The approver who does not tick the box is told why, and the entry is unchanged."""
    draft_id, approver = losing_draft(app, signed_in)
    response = post(approver, f"/admin/drafts/{draft_id}/publish")
    assert texts.REGRESSIONS in page(approver.get(response.headers["Location"]))
    assert question_of(app, "7") == ENTRY.question


def test_publishing_past_a_regression_the_approver_saw_goes_through(app, users, signed_in, faq):
    """Ticked, the draft is published."""
    draft_id, approver = losing_draft(app, signed_in)
    post(approver, f"/admin/drafts/{draft_id}/publish", regressions_seen="y")
    assert question_of(app, "7") == "証明書の発行"


def test_a_draft_that_changes_no_query_publishes_without_the_box(app, users, signed_in, faq):
    """A change to another entry's answer: the page says no query changes and publishing needs no tick."""
    editor = signed_in(Role.EDITOR)
    response = post(editor, "/admin/faq/8/edit", "/admin/faq/8/edit",
                    **{**FIELDS, "question": "粗大ごみの出し方", "aliases": "", "answer": "電話で予約してください。"})
    draft_id = int(response.headers["Location"].rsplit("/", 1)[1])
    approver = signed_in(Role.APPROVER)
    post(approver, f"/admin/drafts/{draft_id}/approve")
    assert "どの質問の答えも変わりません" in page(approver.get(f"/admin/drafts/{draft_id}"))
    post(approver, f"/admin/drafts/{draft_id}/publish")
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(FaqEntry.answer).where(FaqEntry.faq_id == "8")) == "電話で予約してください。"


def test_an_upload_that_removes_an_entry_shows_the_query_it_loses(app, users, signed_in, faq):
    """A file without entry 7, removing what is missing: the plan's page lists 住民票とりたい as worse."""
    editor = signed_in(Role.EDITOR)
    data = "id,category,question,answer,aliases,url,department,phone\r\n8,,粗大ごみの出し方,予約してください。,,,,\r\n"
    response = editor.post("/admin/faq/import", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token(editor, "/admin/faq/import"), "replace": "y",
                                 "file": (io.BytesIO(data.encode()), "faq.csv")})
    assert "悪くなる：</span>住民票とりたい" in page(editor.get(response.headers["Location"]))


def test_a_synonym_draft_is_replayed_with_the_table_it_would_leave(app, users, signed_in, faq):
    """A synonym draft's page replays the queries with a matcher built on the table as the draft leaves it; the
    matcher residents are answered by is untouched."""
    editor = signed_in(Role.EDITOR)
    response = post(editor, "/admin/synonyms/edit", "/admin/synonyms", term="住民票", words="じゅうみんひょう")
    assert response.status_code == 302, page(response)
    assert "確認用の質問（1件）" in page(editor.get(response.headers["Location"]))
    tried = page(editor.post("/admin/try", data={"csrf_token": csrf_token(editor, "/admin/try"), "q": "住民票とりたい"}))
    assert offered(tried) == "7"
