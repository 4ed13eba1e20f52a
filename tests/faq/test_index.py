"""The FAQ index of each process follows what any process saved: rebuilt, or edited on a copy."""

from __future__ import annotations

import db
from faq import index
from faq import store
from faq.importers import FaqRecord
from japanese.synonyms import SynonymGroup


def save(app, records):
    with db.transaction(app) as session:
        store.save_records(session, records)


def test_matcher_cache_sees_changes_saved_by_another_process(app):
    """A matcher built before a save is rebuilt when the revision counter moves."""
    cache = index.index_cache()
    with db.session_factory(app)() as session:
        assert cache.get(session).matcher.search("転入の手続き") == []
    save(app, [FaqRecord("9", "転入の手続きについて教えてください。", "市民課へ。")])
    with db.session_factory(app)() as session:
        assert cache.get(session).matcher.search("転入の手続き")[0].faq_id == "9"


def test_an_edit_is_applied_to_a_copy_that_shares_the_base_index(app):
    """Editing one entry gives a copy of the cached matcher with the edit: its base index is shared (not
    rebuilt), and the matcher other threads may be reading is left as it was."""
    save(app, [FaqRecord("1", "住民票の写しを取りたい。", "市民課へ。"), FaqRecord("2", "転入の手続き", "市民課へ。")])
    cache = index.index_cache()
    with db.session_factory(app)() as session:
        matcher = cache.get(session).matcher
        base = matcher._base
    save(app, [FaqRecord("1", "住民票の写しを取りたい。", "市民課へ。"), FaqRecord("2", "ハザードマップを見たい", "危機管理課へ。")])
    with db.session_factory(app)() as session:
        edited = cache.get(session).matcher
    assert edited is not matcher
    assert edited._base is base
    assert edited.search("ハザードマップ")[0].faq_id == "2"
    assert matcher.doc("2").question == "転入の手続き"


def test_a_new_synonym_table_rebuilds_the_matcher(app):
    """Changing the synonym table gives a new matcher that uses it."""
    save(app, [FaqRecord("1", "一時保育を利用したい。", "保育園へ。"), FaqRecord("2", "転入の手続き", "市民課へ。")])
    cache = index.index_cache()
    with db.session_factory(app)() as session:
        before = cache.get(session).matcher
    with db.transaction(app) as session:
        store.save_synonyms(session, [SynonymGroup("一時保育", ("いちじあずかり",))])
    with db.session_factory(app)() as session:
        after = cache.get(session).matcher
    assert after is not before
    assert after.search("いちじあずかり")[0].faq_id == "1"


def test_an_edited_answer_and_a_removed_entry_are_what_the_index_holds(app):
    """The entries replies read follow edits too: a new answer text is shown, a removed entry is gone."""
    save(app, [FaqRecord("1", "住民票の写しを取りたい。", "市民課へ。"), FaqRecord("2", "転入の手続き", "市民課へ。")])
    cache = index.index_cache()
    with db.session_factory(app)() as session:
        assert cache.get(session).entries["1"].answer == "市民課へ。"
    with db.transaction(app) as session:
        store.save_records(session, [FaqRecord("1", "住民票の写しを取りたい。", "窓口は2階です。", phone="0123-45-6789")],
                           replace=True)
    with db.session_factory(app)() as session:
        entries = cache.get(session).entries
    assert (entries["1"].answer, entries["1"].phone) == ("窓口は2階です。", "0123-45-6789")
    assert "2" not in entries
