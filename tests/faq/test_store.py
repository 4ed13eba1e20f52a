"""Saving FAQ records and keeping every process's matcher up to date."""

from __future__ import annotations

import sqlalchemy as sa

import db
from content.revisions import revisions
from faq import store
from faq.importers import FaqRecord
from faq.models import FaqEntry


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
