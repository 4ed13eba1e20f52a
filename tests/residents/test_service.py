"""Residents' settings in the database: consent, categories, children, deletion and the purge of blocked ones."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa

import db
from faq.models import Feedback
from faq.models import QueryLog
from faq.models import QueryOutcome
from residents import service
from residents.models import Child
from residents.models import GarbageReminder
from residents.models import Resident
from residents.models import Subscription
from tests.conftest import NOW
from tests.transactions import statements
from tests.transactions import write_transactions

ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32
SECRET = "test-secret-key"  # the app's SECRET_KEY in the tests


def log_question(app, user, text="粗大ごみ", days_ago=0):
    """Put one question and one feedback row of ``user`` into the query log, as the bot does."""
    pseudonym = service.resident_hash(SECRET, user)
    with db.transaction(app) as tx:
        row = QueryLog(normalized_text=text, outcome=QueryOutcome.SUGGEST, resident_hash=pseudonym,
                       created_at=NOW - timedelta(days=days_ago))
        tx.add(row)
        tx.flush()
        tx.add(Feedback(query_log_id=row.id, chosen_faq_id="1", resident_hash=pseudonym, created_at=row.created_at))


def logged_pseudonyms(session) -> set[str | None]:
    """The pseudonyms left in the query log and in the feedback."""
    return set(session.scalars(sa.select(QueryLog.resident_hash))) | set(session.scalars(sa.select(Feedback.resident_hash)))


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def block(app, user, days_ago):
    with db.transaction(app) as tx:
        service.follow(tx, user, NOW - timedelta(days=days_ago + 10))
        service.block(tx, user, NOW - timedelta(days=days_ago))


class TestSettings:
    def test_consent_is_kept_from_the_first_time(self, app, session):
        """Agreeing twice keeps the time of the first agreement."""
        with db.transaction(app) as tx:
            service.give_consent(tx, ALICE, NOW)
            service.give_consent(tx, ALICE, NOW + timedelta(days=1))
        assert session.scalar(sa.select(Resident.consent_at)) == NOW

    def test_withdrawing_consent_keeps_categories(self, app, session):
        """Withdrawing consent clears consent_at and leaves the categories."""
        with db.transaction(app) as tx:
            service.give_consent(tx, ALICE, NOW)
            service.set_subscription(tx, ALICE, "防災", True, NOW)
            assert service.withdraw_consent(tx, ALICE) is True
        assert session.scalar(sa.select(Resident.consent_at)) is None and count(session, Subscription) == 1

    def test_unknown_category_is_refused(self, app):
        """A category outside the list raises ValueError."""
        with db.transaction(app) as tx, pytest.raises(ValueError):
            service.set_subscription(tx, ALICE, "観光", True, NOW)

    def test_a_child_needs_a_date(self, app):
        """Registering a child with neither date raises ValueError."""
        with db.transaction(app) as tx, pytest.raises(ValueError):
            service.add_child(tx, ALICE, NOW)

    def test_recording_the_birth_forgets_the_due_date(self, app, session):
        """A recorded birth keeps the birth date only."""
        with db.transaction(app) as tx:
            child = service.add_child(tx, ALICE, NOW, due_date=date(2026, 12, 1))
            service.record_birth(tx, ALICE, child.id, date(2026, 11, 18))
        assert session.execute(sa.select(Child.due_date, Child.birth_date)).one() == (None, date(2026, 11, 18))

    def test_a_child_is_found_only_for_its_own_resident(self, app):
        """Looking up a child under another resident's id finds nothing."""
        with db.transaction(app) as tx:
            child = service.add_child(tx, ALICE, NOW, birth_date=date(2024, 1, 1))
            service.follow(tx, BOB, NOW)
            assert service.child(tx, BOB, child.id) is None and service.remove_child(tx, BOB, child.id) is False


class TestDeletion:
    def test_delete_data_removes_the_resident_and_everything_linked(self, app, session):
        """delete_data leaves no resident, child, category or reminder behind."""
        with db.transaction(app) as tx:
            service.give_consent(tx, ALICE, NOW)
            service.add_child(tx, ALICE, NOW, due_date=date(2027, 3, 5))
            service.set_subscription(tx, ALICE, "子育て", True, NOW)
            service.set_reminder_categories(tx, ALICE, {"燃やせるごみ"}, NOW)
            assert service.delete_data(tx, ALICE, secret=SECRET) is True
        assert [count(session, m) for m in (Resident, Child, Subscription, GarbageReminder)] == [0, 0, 0, 0]

    def test_a_deleted_residents_id_is_never_given_to_a_newcomer(self, app, session):
        """The last resident's id is not used again after their data is deleted: a broadcast batch planned
        before, which lists residents by id, never reaches someone who came after."""
        with db.transaction(app) as tx:
            service.give_consent(tx, ALICE, NOW)
            gone = service.find(tx, ALICE).id
            service.delete_data(tx, ALICE, secret=SECRET)
        with db.transaction(app) as tx:
            service.give_consent(tx, BOB, NOW)
        assert session.scalar(sa.select(Resident.id)) > gone

    def test_delete_data_leaves_other_residents_alone(self, app, session):
        """Deleting one resident keeps another's children."""
        with db.transaction(app) as tx:
            service.add_child(tx, ALICE, NOW, due_date=date(2027, 3, 5))
            service.add_child(tx, BOB, NOW, due_date=date(2027, 3, 5))
            service.delete_data(tx, ALICE, secret=SECRET)
        assert count(session, Child) == 1 and session.scalar(sa.select(Resident.line_user_id)) == BOB


    def test_delete_data_removes_the_residents_questions_and_feedback(self, app, session):
        """The resident's query log rows and feedback, found by pseudonym, go with the rest; others' stay."""
        log_question(app, ALICE)
        log_question(app, BOB)
        with db.transaction(app) as tx:
            service.give_consent(tx, ALICE, NOW)
            assert service.delete_data(tx, ALICE, secret=SECRET) is True
        assert logged_pseudonyms(session) == {service.resident_hash(SECRET, BOB)}
        assert count(session, QueryLog) == 1 and count(session, Feedback) == 1

    def test_questions_are_deleted_for_a_resident_without_settings(self, app, session):
        """A resident who only asked questions (no resident row) has them deleted, and is told so."""
        log_question(app, ALICE)
        with db.transaction(app) as tx:
            assert service.delete_data(tx, ALICE, secret=SECRET) is True
        assert count(session, QueryLog) == 0 and count(session, Feedback) == 0

    def test_nothing_to_delete_is_reported(self, app, session):
        """A resident of whom nothing is kept gets False, and others' questions stay."""
        log_question(app, BOB)
        with db.transaction(app) as tx:
            assert service.delete_data(tx, ALICE, secret=SECRET) is False
        assert count(session, QueryLog) == 1

    def test_questions_are_deleted_in_the_same_transaction(self, app, session):
        """When the deletion's transaction fails, the questions are kept along with everything else."""
        log_question(app, ALICE)
        with pytest.raises(RuntimeError), db.transaction(app) as tx:
            service.give_consent(tx, ALICE, NOW)
            service.delete_data(tx, ALICE, secret=SECRET)
            raise RuntimeError("the reply could not be built")
        assert count(session, QueryLog) == 1 and count(session, Resident) == 0


class TestPurge:
    def test_purged_residents_questions_are_deleted(self, app, session):
        """purge_blocked deletes the query log rows and feedback of the residents it purges, not of others."""
        block(app, ALICE, days_ago=31)
        block(app, BOB, days_ago=5)
        log_question(app, ALICE)
        log_question(app, BOB)
        assert service.purge_blocked(db.session_factory(app), NOW, timedelta(days=30), secret=SECRET) == 1
        assert logged_pseudonyms(session) == {service.resident_hash(SECRET, BOB)}

    def test_purge_command_deletes_the_residents_questions(self, app, runner, session):
        """`residents purge` deletes the purged residents' questions with the app's own key."""
        block(app, ALICE, days_ago=31)
        log_question(app, ALICE)
        result = runner.invoke(args=["residents", "purge"])
        assert result.exit_code == 0, result.output
        assert count(session, QueryLog) == 0 and count(session, Feedback) == 0

    def test_residents_blocked_longer_than_the_grace_are_deleted(self, app, session):
        """purge_blocked deletes residents blocked for more than the grace period, with their children."""
        block(app, ALICE, days_ago=31)
        with db.transaction(app) as tx:
            service.add_child(tx, ALICE, NOW, birth_date=date(2024, 1, 1))
        assert service.purge_blocked(db.session_factory(app), NOW, timedelta(days=30), secret=SECRET) == 1
        assert count(session, Resident) == 0 and count(session, Child) == 0

    def test_residents_within_the_grace_are_kept(self, app, session):
        """A resident blocked for less than the grace period stays (they may unblock)."""
        block(app, ALICE, days_ago=29)
        assert service.purge_blocked(db.session_factory(app), NOW, timedelta(days=30), secret=SECRET) == 0
        assert count(session, Resident) == 1

    def test_active_residents_are_never_purged(self, app, session):
        """A resident who follows the account is not purged, however old."""
        with db.transaction(app) as tx:
            service.follow(tx, ALICE, NOW - timedelta(days=400))
        assert service.purge_blocked(db.session_factory(app), NOW, timedelta(days=0), secret=SECRET) == 0

    def test_purge_command_uses_the_configured_grace(self, app, runner, session):
        """`residents purge` deletes residents blocked longer than RESIDENT_PURGE_AFTER_DAYS (30)."""
        block(app, ALICE, days_ago=31)
        block(app, BOB, days_ago=10)
        result = runner.invoke(args=["residents", "purge"])
        assert result.exit_code == 0, result.output
        assert "purged 1 residents" in result.output
        assert session.scalar(sa.select(Resident.line_user_id)) == BOB

    def test_purge_command_takes_a_grace_in_days(self, app, runner, session):
        """`residents purge --after-days 7` uses the given grace period."""
        block(app, BOB, days_ago=10)
        result = runner.invoke(args=["residents", "purge", "--after-days", "7"])
        assert "purged 1 residents" in result.output and count(session, Resident) == 0

    def test_a_large_purge_commits_in_chunks(self, app, session):
        """Five long-blocked residents with a chunk of 2 go in three write transactions of their own (2, 2, 1),
        all of them purged and counted once."""
        for number in range(5):
            block(app, f"U{number:032x}", days_ago=40)
        block(app, BOB, days_ago=5)
        factory = db.session_factory(app)
        with write_transactions(factory) as committed:
            assert service.purge_blocked(factory, NOW, timedelta(days=30), secret=SECRET, chunk=2) == 5
        assert len(committed) == 3
        assert session.scalar(sa.select(Resident.line_user_id)) == BOB

    def test_a_resident_who_followed_again_after_being_read_is_kept(self, app, session, monkeypatch):
        """A resident read for the purge who follows again before the delete (in another process) is kept."""
        block(app, ALICE, days_ago=40)
        read = sa.orm.Session.scalars

        def read_then_follow(self, statement, *args, **kwargs):
            found = list(read(self, statement, *args, **kwargs))
            self.execute(sa.update(Resident).values(status="active", blocked_at=None))
            return iter(found)

        monkeypatch.setattr(sa.orm.Session, "scalars", read_then_follow)
        assert service.purge_blocked(db.session_factory(app), NOW, timedelta(days=30), secret=SECRET) == 0
        monkeypatch.undo()
        assert count(session, Resident) == 1


class TestPushProfiles:
    def test_profiles_carry_categories_children_and_the_quiet_stop(self, app):
        """A consenting resident's profile has their categories, children's dates, stop_baby and birth date."""
        with db.transaction(app) as tx:
            service.give_consent(tx, ALICE, NOW)
            service.set_subscription(tx, ALICE, "子育て", True, NOW)
            service.add_child(tx, ALICE, NOW, due_date=date(2027, 3, 5))
            service.set_stop_baby(tx, ALICE, True, NOW)
            [profile] = list(service.push_profiles(tx))
        assert (profile.line_user_id, profile.categories, profile.stop_baby) == (ALICE, {"子育て"}, True)
        assert [(c.due_date, c.birth_date) for c in profile.children] == [(date(2027, 3, 5), None)]

    def test_residents_without_consent_or_blocked_get_no_profile(self, app):
        """Only active residents who agreed to push are planned for."""
        with db.transaction(app) as tx:
            service.follow(tx, ALICE, NOW)
            service.give_consent(tx, BOB, NOW)
            service.block(tx, BOB, NOW)
            assert list(service.push_profiles(tx)) == []

    def test_profiles_are_read_in_chunks_without_losing_anyone(self, app):
        """Reading five residents two at a time yields all five, in order."""
        users = [f"U{n:032x}" for n in range(5)]
        with db.transaction(app) as tx:
            for user in users:
                service.give_consent(tx, user, NOW)
            assert [p.line_user_id for p in service.push_profiles(tx, chunk=2)] == users


class TestLoad:
    def test_residents_loaded_in_a_read_transaction_are_found_without_a_statement(self, app):
        """After ``load``, ``find`` answers for those ids from memory: known ones and ones we have no record of."""
        with db.transaction(app) as tx:
            service.follow(tx, ALICE, NOW)
        with db.read_transaction(app) as session:
            assert service.load(session, {ALICE, BOB}) == {ALICE}
            with statements(session) as run:
                assert service.find(session, ALICE).line_user_id == ALICE
                assert service.find(session, BOB) is None
            assert run == []

    def test_residents_are_not_kept_in_memory_in_a_write_transaction(self, app):
        """A write transaction could add or remove a resident behind the memory: ``load`` refuses it."""
        with db.transaction(app) as tx, pytest.raises(ValueError):
            service.load(tx, {ALICE})



class TestOneEventsTransaction:
    def test_a_resident_found_is_found_again_without_a_statement(self, app):
        """In one transaction the resident is read once: ``seen``, then ``find`` for their area, run one
        SELECT."""
        with db.transaction(app) as tx:
            service.follow(tx, ALICE, NOW)
        with db.transaction(app) as tx, statements(tx) as run:
            service.seen(tx, ALICE, NOW)
            assert service.find(tx, ALICE).line_user_id == ALICE
        assert len([sql for sql in run if sql.lstrip().upper().startswith("SELECT")]) == 1

    def test_a_newcomer_is_looked_up_once_and_then_found(self, app):
        """A newcomer's first message: one SELECT that finds no one, the INSERT, then found from memory."""
        with db.transaction(app) as tx, statements(tx) as run:
            created = service.seen(tx, ALICE, NOW)
            assert service.find(tx, ALICE) is created
        assert [sql.split()[0].upper() for sql in run] == ["SELECT", "INSERT"]

    def test_a_resident_whose_data_is_deleted_is_not_found_in_the_same_transaction(self, app):
        """「データ削除」 in the transaction that found the resident: ``find`` then answers None."""
        with db.transaction(app) as tx:
            service.follow(tx, ALICE, NOW)
        with db.transaction(app) as tx:
            assert service.find(tx, ALICE) is not None
            assert service.delete_data(tx, ALICE, secret=SECRET) is True
            assert service.find(tx, ALICE) is None
