"""FAQ drafts: written, approved by a second person, published into every process's matcher, kept in the
history and restored from it; a draft written against an older version is not published over a newer one."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

import db
from faq import drafts
from faq import index
from faq import store
from faq.drafts import DraftError
from faq.importers import FaqRecord
from faq.models import DraftStatus
from faq.models import FaqEntry
from tests.conftest import NOW

HAZARD = {"question": "ハザードマップを見たい", "aliases": ["洪水の地図"], "answer": "危機管理課で配っています。",
          "category": "防災", "department": "危機管理課", "phone": "0123-45-6789", "url": "https://example.jp/hazard"}


@pytest.fixture
def imported(app):
    """One entry as a file imported it (version 1, no history yet)."""
    with db.transaction(app) as session:
        store.save_records(session, [FaqRecord("7", "住民票の写しがほしい", "市民課の窓口で取れます。", department="市民課")])


def write(app, faq_id="7", author="suzuki", new=False, **fields):
    with db.transaction(app) as session:
        content = {**drafts.content_of(drafts.entry(session, faq_id))} if not new else dict(HAZARD)
        content.update(fields)
        return drafts.save(session, faq_id, content, author=author, now=NOW, new=new).id


def act(app, draft_id, step, **kwargs):
    with db.transaction(app) as session:
        draft = session.get(drafts.FaqDraft, draft_id)
        return getattr(drafts, step)(session, draft, now=NOW, **kwargs)


def answer_of(app, faq_id="7"):
    with db.session_factory(app)() as session:
        return index.index_cache().get(session).entries[faq_id].answer


def test_a_draft_changes_nothing_residents_see_until_it_is_published(app, imported):
    """The entry and the matcher keep the published answer while a draft waits, approved or not."""
    draft_id = write(app, answer="本庁舎1階の市民課で取れます。")
    act(app, draft_id, "approve", approver="sato")
    assert answer_of(app) == "市民課の窓口で取れます。"


def test_publishing_an_approved_draft_updates_the_entry_and_every_processs_matcher(app, imported):
    """After publishing, another process's index (built before) answers with the new text and alias."""
    other_process = index.index_cache()
    with db.session_factory(app)() as session:
        other_process.get(session)
    draft_id = write(app, answer="本庁舎1階の市民課で取れます。", aliases=["住民票とりたい"])
    act(app, draft_id, "approve", approver="sato")
    act(app, draft_id, "publish", publisher="sato")
    with db.session_factory(app)() as session:
        rebuilt = other_process.get(session)
    assert rebuilt.entries["7"].answer == "本庁舎1階の市民課で取れます。"
    assert rebuilt.matcher.search("住民票とりたい")[0].faq_id == "7"


def test_an_author_cannot_approve_their_own_draft_while_the_two_person_rule_holds(app, imported):
    """Approving one's own draft is refused; with the rule off (a small town) it is allowed."""
    draft_id = write(app, answer="新しい答え")
    with pytest.raises(DraftError) as raised:
        act(app, draft_id, "approve", approver="suzuki")
    assert raised.value.reason == "own_draft"
    act(app, draft_id, "approve", approver="suzuki", two_person=False)


def test_an_unapproved_draft_is_not_published(app, imported):
    """Publishing needs the approval first."""
    draft_id = write(app, answer="新しい答え")
    with pytest.raises(DraftError) as raised:
        act(app, draft_id, "publish", publisher="sato")
    assert raised.value.reason == "not_approved"


def test_changing_an_approved_draft_needs_approving_again(app, imported):
    """An edit after the approval reopens the draft: the approval was of the earlier text."""
    draft_id = write(app, answer="新しい答え")
    act(app, draft_id, "approve", approver="sato")
    assert write(app, answer="もっと新しい答え") == draft_id
    with db.read_transaction(app) as session:
        draft = session.get(drafts.FaqDraft, draft_id)
        assert (draft.status, draft.approved_by) == (DraftStatus.OPEN, None)


def test_a_draft_written_before_another_was_published_is_refused(app, imported):
    """Two drafts of one entry cannot be open at once; a draft whose base moved on is stale at publishing."""
    first = write(app, answer="一つ目の答え")
    act(app, first, "approve", approver="sato")
    with db.transaction(app) as session:  # someone imports a new version of the entry meanwhile
        store.save_records(session, [FaqRecord("7", "住民票の写しがほしい", "取り込み直した答え")])
    with pytest.raises(DraftError) as raised:
        act(app, first, "publish", publisher="sato")
    assert raised.value.reason == "stale"
    assert answer_of(app) == "取り込み直した答え"


def test_the_history_keeps_the_imported_text_and_each_published_version(app, imported):
    """The first change keeps the file's version too, so it can be restored."""
    for text in ("二つ目の答え", "三つ目の答え"):
        draft_id = write(app, answer=text)
        act(app, draft_id, "approve", approver="sato")
        act(app, draft_id, "publish", publisher="sato")
    with db.read_transaction(app) as session:
        kept = [(v.version, v.content["answer"], v.published_by) for v in drafts.history(session, "7")]
    assert kept == [(3, "三つ目の答え", "sato"), (2, "二つ目の答え", "sato"), (1, "市民課の窓口で取れます。", drafts.IMPORTED)]


def test_restoring_an_old_version_is_a_draft_of_its_content(app, imported):
    """Restore writes a draft with the old content; once approved and published, residents get it again."""
    draft_id = write(app, answer="間違えた答え")
    act(app, draft_id, "approve", approver="sato")
    act(app, draft_id, "publish", publisher="sato")
    with db.transaction(app) as session:
        restored = drafts.restore(session, "7", 1, author="suzuki", now=NOW + timedelta(minutes=5)).id
    act(app, restored, "approve", approver="sato")
    act(app, restored, "publish", publisher="sato")
    assert answer_of(app) == "市民課の窓口で取れます。"


def test_a_new_entry_is_published_from_a_draft(app):
    """A new entry's draft needs a free id; published, the matcher finds it by its alias."""
    draft_id = write(app, "hazard-map", new=True)
    with pytest.raises(DraftError) as raised:
        write(app, "hazard-map", new=True)
    assert raised.value.reason == "faq_id_taken"
    act(app, draft_id, "approve", approver="sato")
    act(app, draft_id, "publish", publisher="sato")
    with db.session_factory(app)() as session:
        assert index.index_cache().get(session).matcher.search("洪水の地図")[0].faq_id == "hazard-map"
        assert session.scalar(sa.select(FaqEntry.version).where(FaqEntry.faq_id == "hazard-map")) == 1


@pytest.mark.parametrize(("fields", "reason", "field"), [
    ({"question": "  "}, "required", "question"), ({"answer": ""}, "required", "answer"),
    ({"answer": "あ" * 5001}, "too_long", "answer"), ({"url": "javascript:alert(1)"}, "url", "url"),
    ({"aliases": ["x" * 501]}, "too_long", "aliases"),
])
def test_content_that_will_not_do_is_refused_with_its_field(app, imported, fields, reason, field):
    """A missing question or answer, an over-long field, a URL that is not http(s): refused, naming the field."""
    with pytest.raises(DraftError) as raised:
        write(app, **fields)
    assert (raised.value.reason, raised.value.field) == (reason, field)


def test_a_draft_the_same_as_the_entry_is_refused(app, imported):
    """Nothing to propose: the draft would publish what residents already get."""
    with pytest.raises(DraftError) as raised:
        write(app)
    assert raised.value.reason == "unchanged"


def test_aliases_are_trimmed_without_blanks_or_repeats(app, imported):
    """Aliases typed one per line keep each once, without blank lines or the question itself."""
    with db.transaction(app) as session:
        draft = drafts.save(session, "7", {**HAZARD, "question": "住民票", "aliases": "住民票\n 写し \n\n写し\nうつし"},
                            author="suzuki", now=NOW)
        assert draft.content["aliases"] == ["写し", "うつし"]


def test_changes_show_what_was_removed_and_added_character_by_character(app):
    """The diff of a Japanese answer marks the changed characters, not whole lines."""
    (change,) = drafts.changes({**HAZARD}, {**HAZARD, "answer": "危機管理課とホームページで配っています。"})
    assert change.field == "answer"
    assert ("added", "とホームページ") in change.parts
    assert "".join(text for kind, text in change.parts if kind != "added") == HAZARD["answer"]
