"""The console's synonym pages: a group's draft, approved by another person and published, changes how every
process's matcher reads residents' words; a draft without words removes the group; a stale one is refused."""

from __future__ import annotations

import sqlalchemy as sa

import db
from admin import texts
from admin.models import Role
from faq import store
from faq.importers import FaqRecord
from faq.models import Synonym
from japanese.synonyms import SynonymGroup
from tests.admin.conftest import csrf_token
from tests.admin.test_try_views import try_page


def page(response) -> str:
    return response.get_data(as_text=True)


def propose(client, term: str, words: str) -> str:
    response = client.post("/admin/synonyms/edit", data={"csrf_token": csrf_token(client, "/admin/synonyms"),
                                                         "term": term, "words": words})
    assert response.status_code == 302
    return response.headers["Location"]


def approve_and_publish(client, draft_url: str) -> None:
    for step in ("approve", "publish"):
        client.post(f"{draft_url}/{step}", data={"csrf_token": csrf_token(client, "/admin/")})


def test_a_published_group_changes_how_the_matcher_reads_a_word(app, users, signed_in):
    """Before: 「でかいごみ」 is not read as 粗大ごみ; after the group is published, the test page shows it is."""
    with db.transaction(app) as session:
        store.save_records(session, [FaqRecord("9", "粗大ごみの出し方", "予約センターに申し込んでください。")])
    editor, approver = signed_in(Role.EDITOR), signed_in(Role.APPROVER)
    assert "でかいごみ → 粗大ごみ" not in try_page(editor, "でかいごみ出したい")
    draft_url = propose(editor, "粗大ごみ", "粗大ゴミ\nでかいごみ")
    assert "<ins>でかいごみ</ins>" in page(editor.get(draft_url))
    approve_and_publish(approver, draft_url)
    assert texts.DRAFT_PUBLISHED in page(approver.get(draft_url))
    assert "でかいごみ → 粗大ごみ" in try_page(editor, "でかいごみ出したい")


def test_a_draft_without_words_removes_the_group(app, users, signed_in):
    """Emptying a group's words and publishing deletes it from the table."""
    with db.transaction(app) as session:
        store.save_synonyms(session, [SynonymGroup("ごみ", ("ゴミ",))])
    draft_url = propose(signed_in(Role.EDITOR), "ごみ", "")
    approve_and_publish(signed_in(Role.APPROVER), draft_url)
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Synonym)) == 0


def test_a_group_changed_since_its_draft_was_written_is_not_published(app, users, signed_in):
    """When the table is loaded again meanwhile (a pack reload), the draft is refused as stale."""
    with db.transaction(app) as session:
        store.save_synonyms(session, [SynonymGroup("ごみ", ("ゴミ",))])
    draft_url = propose(signed_in(Role.EDITOR), "ごみ", "ゴミ\n塵")
    with db.transaction(app) as session:
        store.save_synonyms(session, [SynonymGroup("ごみ", ("ゴミ", "ごみくず"))])
    approver = signed_in(Role.APPROVER)
    approve_and_publish(approver, draft_url)
    assert texts.DRAFT_ERRORS["stale"] in page(approver.get(draft_url))
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(Synonym.synonyms)) == "ゴミ|ごみくず"
