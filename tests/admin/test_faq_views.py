"""The console's FAQ pages: find an entry (a word, or the bot's own matcher), write a draft, have another
person approve it, publish it, and the bot answers residents with it; history, restore, the two-person rule."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import db
from admin import texts
from admin.models import AuditEntry
from admin.models import Role
from faq import store
from faq.importers import FaqRecord
from faq.models import FaqDraft
from faq.models import FaqEntry
from tests import factories
from tests.admin.conftest import csrf_token

ENTRY = FaqRecord("7", "住民票の写しがほしい", "市民課の窓口で取れます。", category="届出", department="市民課",
                  aliases=("住民票とりたい",))
FIELDS = {"question": ENTRY.question, "aliases": "\n".join(ENTRY.aliases), "answer": ENTRY.answer,
          "category": ENTRY.category, "department": ENTRY.department, "phone": "", "url": ""}


@pytest.fixture
def faq(app):
    with db.transaction(app) as session:
        store.save_records(session, [ENTRY, FaqRecord("8", "粗大ごみの出し方", "予約してください。", department="環境課")])


def page(response) -> str:
    return response.get_data(as_text=True)


def post(client, target, form_page, /, **data):
    return client.post(target, data={"csrf_token": csrf_token(client, form_page), **data})


def write_draft(client, **changes) -> int:
    response = post(client, "/admin/faq/7/edit", "/admin/faq/7/edit", **{**FIELDS, **changes})
    assert response.status_code == 302, page(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_the_list_finds_an_entry_by_a_word_of_its_alias_or_answer(app, users, signed_in, faq):
    """The plain filter looks in the id, question, answer, category, department and aliases."""
    client = signed_in(Role.EDITOR)
    assert "住民票の写しがほしい" in page(client.get("/admin/faq", query_string={"q": "とりたい"}))
    by_answer = page(client.get("/admin/faq", query_string={"q": "予約"}))
    assert "粗大ごみの出し方" in by_answer and "住民票の写しがほしい" not in by_answer


def test_the_filter_takes_percent_and_underscore_as_they_are(app, users, signed_in, faq):
    """「%」 matches no entry: it is not a wildcard."""
    assert "0件" in page(signed_in(Role.EDITOR).get("/admin/faq", query_string={"q": "%"}))


def test_the_list_is_shown_a_page_at_a_time(app, users, signed_in):
    """With more entries than a page holds, the second page has the rest."""
    with db.transaction(app) as session:
        store.save_records(session, [FaqRecord(f"q{n:03}", f"質問{n:03}", "回答") for n in range(60)])
    client = signed_in(Role.EDITOR)
    first, second = page(client.get("/admin/faq")), page(client.get("/admin/faq", query_string={"page": 2}))
    assert "60件" in first and "1 / 2" in first
    assert len(re.findall(r"質問0\d\d", first)) == 50 and "質問059" in second and "質問000" not in second


def test_the_matcher_search_shows_what_a_resident_typing_it_would_get(app, users, signed_in, faq):
    """mode=match ranks entries with the bot's own matcher, with their scores."""
    listing = page(signed_in(Role.EDITOR).get("/admin/faq", query_string={"q": "じゅうみんひょう欲しい", "mode": "match"}))
    assert listing.index("住民票の写しがほしい") < listing.index("</tbody>")
    assert "一致度" in listing


def test_an_edit_is_a_draft_and_residents_keep_the_published_answer(app, users, signed_in, faq):
    """Saving the form writes a draft (audited) whose page shows the change; the entry is unchanged."""
    client = signed_in(Role.EDITOR)
    draft_id = write_draft(client, answer="本庁舎1階の市民課の窓口で取れます。")
    shown = page(client.get(f"/admin/drafts/{draft_id}"))
    assert "<ins" in shown and "本庁舎1階の" in shown and texts.DRAFT_STATES["open"] in shown
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(FaqEntry.answer).where(FaqEntry.faq_id == "7")) == ENTRY.answer
        assert session.scalar(sa.select(AuditEntry.actor).where(AuditEntry.action == "faq.draft")) == "editor1"


def test_a_draft_that_will_not_do_is_explained_on_the_form(app, users, signed_in, faq):
    """An empty answer is refused with the field named in Japanese; nothing is saved."""
    response = post(signed_in(Role.EDITOR), "/admin/faq/7/edit", "/admin/faq/7/edit", **{**FIELDS, "answer": " "})
    assert response.status_code == 400
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(FaqDraft)) == 0


def test_an_approver_cannot_approve_their_own_draft(app, users, signed_in, faq):
    """The author is told to ask someone else, and the draft stays open."""
    approver = signed_in(Role.APPROVER)
    draft_id = write_draft(approver, answer="新しい答え")
    assert "承認する" not in page(approver.get(f"/admin/drafts/{draft_id}"))
    post(approver, f"/admin/drafts/{draft_id}/approve", "/admin/")
    assert texts.DRAFT_ERRORS["own_draft"] in page(approver.get(f"/admin/drafts/{draft_id}"))
    with db.read_transaction(app) as session:
        assert session.get(FaqDraft, draft_id).approved_by is None


def test_written_approved_published_and_the_bot_answers_with_it(app, users, signed_in, faq, post_webhook, line_api):
    """Editor writes, another approver approves and publishes; a resident's question through the webhook
    then gets the new answer, found by the new alias."""
    editor = signed_in(Role.EDITOR)
    draft_id = write_draft(editor, answer="本庁舎1階の市民課の窓口で取れます。",
                           aliases="住民票とりたい\n住民票の写しがいる")
    approver = signed_in(Role.APPROVER)
    post(approver, f"/admin/drafts/{draft_id}/approve", "/admin/")
    post(approver, f"/admin/drafts/{draft_id}/publish", "/admin/")
    assert texts.DRAFT_PUBLISHED in page(approver.get(f"/admin/drafts/{draft_id}"))
    assert post_webhook(factories.body(factories.text_event("住民票の写しがいる"))).status_code == 200
    (_token, messages), = line_api.replies
    assert "本庁舎1階の市民課の窓口で取れます。" in messages[0]["text"]
    with db.read_transaction(app) as session:
        actions = list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-3:] == ["faq.draft", "faq.approve", "faq.publish"]


def test_a_new_entry_is_written_approved_and_published(app, users, signed_in, faq):
    """The new-entry form makes a draft; once published, the entry has its own page."""
    editor = signed_in(Role.EDITOR)
    response = post(editor, "/admin/faq/new", "/admin/faq/new", faq_id="hazard", question="ハザードマップを見たい",
                    answer="危機管理課で配っています。", aliases="", category="", department="", phone="", url="")
    draft_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert editor.get("/admin/faq/hazard/edit").status_code == 200  # the new entry's draft can be corrected
    approver = signed_in(Role.APPROVER)
    post(approver, f"/admin/drafts/{draft_id}/approve", "/admin/")
    post(approver, f"/admin/drafts/{draft_id}/publish", "/admin/")
    assert "危機管理課で配っています。" in page(editor.get("/admin/faq/hazard"))


def test_an_old_version_is_restored_through_a_draft(app, users, signed_in, faq):
    """After a change is published, the history offers the imported version back, as a new draft."""
    editor, approver = signed_in(Role.EDITOR), signed_in(Role.APPROVER)
    draft_id = write_draft(editor, answer="間違えた答え")
    post(approver, f"/admin/drafts/{draft_id}/approve", "/admin/")
    post(approver, f"/admin/drafts/{draft_id}/publish", "/admin/")
    entry_page = page(editor.get("/admin/faq/7"))
    assert "第1版" in entry_page and "ファイルから取り込み" in entry_page
    response = post(editor, "/admin/faq/7/versions/1/restore", "/admin/")
    restored = page(editor.get(response.headers["Location"]))
    assert "<ins" in restored and "市民課の窓口で取れます。" in restored


def test_another_editor_cannot_discard_someone_elses_draft(app, users, signed_in, faq):
    """Only the author or an approver may discard a draft."""
    draft_id = write_draft(signed_in(Role.APPROVER), answer="新しい答え")
    editor = signed_in(Role.EDITOR)
    post(editor, f"/admin/drafts/{draft_id}/discard", "/admin/")
    assert texts.DRAFT_ERRORS["not_author"] in page(editor.get(f"/admin/drafts/{draft_id}"))


def test_with_the_two_person_rule_off_an_approver_approves_their_own_draft(app, users, signed_in, faq):
    """An admin turns the rule off (audited); then one approver can approve and publish alone."""
    admin = signed_in(Role.ADMIN)
    post(admin, "/admin/rules", "/admin/rules")  # the box unticked
    approver = signed_in(Role.APPROVER)
    draft_id = write_draft(approver, answer="町の職員ひとりでも")
    post(approver, f"/admin/drafts/{draft_id}/approve", "/admin/")
    post(approver, f"/admin/drafts/{draft_id}/publish", "/admin/")
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(FaqEntry.answer).where(FaqEntry.faq_id == "7")) == "町の職員ひとりでも"
        assert session.scalar(sa.select(AuditEntry.actor).where(AuditEntry.action == "rules.two_person")) == "admin1"


def test_a_draft_overtaken_by_another_publication_is_marked_and_not_published(app, users, signed_in, faq):
    """When the entry changes after a draft was written, its page says so and publishing is refused."""
    editor, approver = signed_in(Role.EDITOR), signed_in(Role.APPROVER)
    draft_id = write_draft(editor, answer="古い版に書いた答え")
    post(approver, f"/admin/drafts/{draft_id}/approve", "/admin/")
    with db.transaction(app) as session:
        store.save_records(session, [FaqRecord("7", ENTRY.question, "取り込み直した答え")])
    post(approver, f"/admin/drafts/{draft_id}/publish", "/admin/")
    assert texts.DRAFT_ERRORS["stale"] in page(approver.get(f"/admin/drafts/{draft_id}"))
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(FaqEntry.answer).where(FaqEntry.faq_id == "7")) == "取り込み直した答え"


