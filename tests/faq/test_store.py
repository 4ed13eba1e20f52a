"""Saving FAQ records and keeping every process's matcher up to date."""

from __future__ import annotations

import sqlalchemy as sa

import db
from content.revisions import revisions
from faq import drafts
from faq import store
from faq.importers import FaqRecord
from faq.models import FaqEntry
from faq.models import FaqVersion
from tests.conftest import NOW


def save(app, records, **kw):
    with db.transaction(app) as session:
        return store.save_records(session, records, **kw)


def test_save_counts_added_updated_and_unchanged(app):
    """A second save reports what changed."""
    save(app, [FaqRecord("1", "Q1", "A1"), FaqRecord("2", "Q2", "A2")])
    report = save(app, [FaqRecord("1", "Q1", "A1 changed"), FaqRecord("2", "Q2", "A2"), FaqRecord("3", "Q3", "A3")])
    assert (report.added, report.updated, report.unchanged, report.removed) == (1, 1, 1, 0)


def test_update_bumps_the_entry_version(app, session):
    """Changing an entry increases its version."""
    save(app, [FaqRecord("1", "Q1", "A1")])
    save(app, [FaqRecord("1", "Q1", "A1 changed")])
    assert session.scalar(sa.select(FaqEntry.version)) == 2


def history(session, faq_id="1"):
    return session.execute(sa.select(FaqVersion.version, FaqVersion.content["answer"].as_string(),
                                     FaqVersion.published_by)
                           .where(FaqVersion.faq_id == faq_id).order_by(FaqVersion.version)).all()


def test_each_imported_content_is_kept_in_the_entrys_history(app, session):
    """A file imported twice (as ``faq import`` and pack loads do) leaves both versions in the history."""
    save(app, [FaqRecord("1", "Q1", "A1")], now=NOW)
    save(app, [FaqRecord("1", "Q1", "A1 changed")], now=NOW)
    assert history(session) == [(1, "A1", store.IMPORTED), (2, "A1 changed", store.IMPORTED)]


def test_an_entry_made_again_after_its_removal_goes_on_from_its_last_version(app, session):
    """Removed by an import and written again by a console draft, the entry takes version 3, after its history's
    two (version 1 again would clash with the history it kept)."""
    save(app, [FaqRecord("1", "Q1", "A1"), FaqRecord("2", "Q2", "A2")], now=NOW)
    save(app, [FaqRecord("1", "Q1", "A1 changed"), FaqRecord("2", "Q2", "A2")], now=NOW)
    save(app, [FaqRecord("2", "Q2", "A2")], replace=True, now=NOW)
    content = {"question": "Q1", "aliases": [], "answer": "A1 again", "category": "", "department": "", "phone": "",
               "url": ""}
    with db.transaction(app) as tx:
        draft = drafts.save(tx, "1", content, author="sato", now=NOW, new=True)
        drafts.approve(tx, draft, approver="suzuki", now=NOW)
        drafts.publish(tx, draft, publisher="suzuki", now=NOW)
    assert session.scalar(sa.select(FaqEntry.version).where(FaqEntry.faq_id == "1")) == 3
    assert [row[:2] for row in history(session)] == [(1, "A1"), (2, "A1 changed"), (3, "A1 again")]


def test_replace_removes_entries_missing_from_the_file(app, session):
    """With replace, entries not in the new file are deleted; without it they stay."""
    save(app, [FaqRecord("1", "Q1", "A1"), FaqRecord("2", "Q2", "A2")])
    save(app, [FaqRecord("1", "Q1", "A1")])
    assert session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) == 2
    report = save(app, [FaqRecord("1", "Q1", "A1")], replace=True)
    assert report.removed == 1
    assert session.scalars(sa.select(FaqEntry.faq_id)).all() == ["1"]


def test_aliases_are_replaced_with_the_record(app, session):
    """An entry's aliases follow the latest record."""
    save(app, [FaqRecord("1", "Q1", "A1", aliases=("a", "b"))])
    save(app, [FaqRecord("1", "Q1", "A1", aliases=("c",))])
    entry = session.scalar(sa.select(FaqEntry))
    assert [alias.text for alias in entry.aliases] == ["c"]


def test_unchanged_save_keeps_the_revision(app):
    """Saving identical records does not force every process to rebuild."""
    save(app, [FaqRecord("1", "Q1", "A1")])
    with db.session_factory(app)() as session:
        before = revisions(session).get(store.FAQ, 0)
    save(app, [FaqRecord("1", "Q1", "A1")])
    with db.session_factory(app)() as session:
        assert revisions(session).get(store.FAQ, 0) == before
