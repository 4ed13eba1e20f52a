"""Staff accounts: names and passwords that will do, logins throttled per account and per address, logins
that end when the password is set again or the account is disabled, every change in the audit log."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

import db
from admin import accounts
from admin import audit
from admin.accounts import AccountError
from admin.models import AuditEntry
from admin.models import LoginFailure
from admin.models import Role
from admin.models import StaffUser
from tests.admin.conftest import PASSWORD
from tests.admin.conftest import make_user
from tests.conftest import NOW


def attempt(app, name, password=PASSWORD, *, address="192.0.2.1", now=NOW):
    with app.app_context():
        return accounts.log_in(lambda: db.read_transaction(app), lambda: db.transaction(app), name, password,
                               address=address, now=now)


def test_a_password_is_stored_only_as_an_argon2id_hash(app):
    """The account keeps an Argon2id hash, never the password itself."""
    make_user(app, "sato", Role.EDITOR)
    with db.read_transaction(app) as session:
        stored = session.scalar(sa.select(StaffUser.password_hash))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_the_right_password_logs_in_and_notes_when(app):
    """The right name (in any case) and password give the staff member, and their last login is noted."""
    make_user(app, "sato", Role.APPROVER)
    result = attempt(app, " Sato ")
    assert (result.staff.name, result.staff.role, result.throttled) == ("sato", Role.APPROVER, False)
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(StaffUser.last_login_at)) == NOW


@pytest.mark.parametrize("name", ["", "a", "佐藤", "sato taro", "-sato", "x" * 65])
def test_a_name_that_will_not_do_is_refused(app, name):
    """Names are 2–64 of a–z, 0–9, '.', '_', '-', starting with a letter or digit."""
    with pytest.raises(AccountError) as raised, db.transaction(app) as session:
        accounts.create(session, name, Role.EDITOR, PASSWORD, now=NOW, actor="admin1")
    assert raised.value.reason == "name"


@pytest.mark.parametrize(("password", "reason"), [("short", "short_password"), ("x" * 257, "long_password"),
                                                   ("my name is sato!!", "password_has_name")])
def test_a_password_that_will_not_do_is_refused(app, password, reason):
    """A password is at least 12 characters, at most 256, and does not contain the account's name."""
    with pytest.raises(AccountError) as raised, db.transaction(app) as session:
        accounts.create(session, "sato", Role.EDITOR, password, now=NOW, actor="admin1")
    assert raised.value.reason == reason
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 0


def test_a_name_is_taken_once(app):
    """A second account with a name in use (in another case) is refused."""
    make_user(app, "sato", Role.EDITOR)
    with pytest.raises(AccountError) as raised, db.transaction(app) as session:
        accounts.create(session, "SATO", Role.ADMIN, PASSWORD, now=NOW, actor="admin1")
    assert raised.value.reason == "name_taken"


def test_a_wrong_password_and_an_unknown_name_fail_alike_and_are_recorded(app):
    """Neither says which part was wrong; both are recorded as failures of the name typed."""
    make_user(app, "sato", Role.EDITOR)
    assert attempt(app, "sato", "wrong password here") == attempt(app, "nobody", PASSWORD)
    with db.read_transaction(app) as session:
        assert sorted(session.scalars(sa.select(LoginFailure.account))) == ["nobody", "sato"]


def test_an_account_that_failed_five_times_is_throttled_even_with_the_right_password(app):
    """After ACCOUNT_FAILURES failures within the window, the right password is refused too."""
    make_user(app, "sato", Role.EDITOR)
    for _ in range(accounts.ACCOUNT_FAILURES):
        assert not attempt(app, "sato", "wrong password here").throttled
    result = attempt(app, "sato")
    assert result.staff is None and result.throttled


def test_a_throttled_account_can_log_in_again_once_its_failures_are_older_than_the_window(app):
    """Failures older than THROTTLE_WINDOW no longer count (and are deleted)."""
    make_user(app, "sato", Role.EDITOR)
    for _ in range(accounts.ACCOUNT_FAILURES):
        attempt(app, "sato", "wrong password here")
    later = NOW + accounts.THROTTLE_WINDOW + timedelta(seconds=1)
    assert attempt(app, "sato", "wrong again, later", now=later).staff is None
    assert attempt(app, "sato", now=later).staff is not None
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 1


def test_an_address_that_failed_twenty_times_is_throttled_for_every_account(app):
    """Failures from one address across many names throttle that address, not another."""
    make_user(app, "sato", Role.EDITOR)
    for number in range(accounts.ADDRESS_FAILURES):
        attempt(app, f"guess{number}", address="198.51.100.7")
    assert attempt(app, "sato", address="198.51.100.7").throttled
    assert attempt(app, "sato", address="192.0.2.1").staff is not None


def test_a_disabled_account_cannot_log_in(app):
    """The right password of a disabled account fails like a wrong one."""
    user_id = make_user(app, "sato", Role.EDITOR)
    with db.transaction(app) as session:
        accounts.set_active(session, session.get(StaffUser, user_id), False, now=NOW, actor="admin1")
    assert attempt(app, "sato").staff is None


def test_a_new_password_ends_the_logins_made_before_it(app):
    """The session token of a login made before the password was set again no longer finds anyone."""
    user_id = make_user(app, "sato", Role.EDITOR)
    token = attempt(app, "sato").staff.token
    with db.transaction(app) as session:
        accounts.set_password(session, session.get(StaffUser, user_id), "another long password", now=NOW,
                              actor="admin1")
    with db.read_transaction(app) as session:
        assert accounts.by_session_token(session, token) is None
    assert attempt(app, "sato").staff is None
    assert attempt(app, "sato", "another long password").staff is not None


def test_disabling_an_account_ends_its_logins(app):
    """A disabled account's session token no longer finds anyone."""
    user_id = make_user(app, "sato", Role.EDITOR)
    token = attempt(app, "sato").staff.token
    with db.transaction(app) as session:
        accounts.set_active(session, session.get(StaffUser, user_id), False, now=NOW, actor="admin1")
    with db.read_transaction(app) as session:
        assert accounts.by_session_token(session, token) is None


def test_an_account_cannot_disable_itself_nor_an_admin_demote_itself(app):
    """The last way into the console is not closed by mistake from inside it."""
    user_id = make_user(app, "chief", Role.ADMIN)
    with db.transaction(app) as session:
        user = session.get(StaffUser, user_id)
        with pytest.raises(AccountError) as disabling:
            accounts.set_active(session, user, False, now=NOW, actor="chief")
        with pytest.raises(AccountError) as demoting:
            accounts.set_role(session, user, Role.EDITOR, now=NOW, actor="chief")
    assert (disabling.value.reason, demoting.value.reason) == ("disable_self", "demote_self")


def test_every_account_change_is_in_the_audit_log_without_the_password(app):
    """Creating, changing the role, disabling and resetting are logged with who, when, before and after."""
    user_id = make_user(app, "sato", Role.EDITOR)
    with db.transaction(app) as session:
        user = session.get(StaffUser, user_id)
        accounts.set_role(session, user, Role.APPROVER, now=NOW, actor="chief")
        accounts.set_active(session, user, False, now=NOW, actor="chief")
        accounts.set_password(session, user, "another long password", now=NOW, actor="chief")
    with db.read_transaction(app) as session:
        entries = [(e.actor, e.action, e.target, e.before, e.after) for e in reversed(audit.latest(session))]
        assert all(e.at == NOW for e in session.scalars(sa.select(AuditEntry)))
    assert entries == [
        ("(test)", "user.create", "user:sato", None, {"role": "editor", "active": True}),
        ("chief", "user.role", "user:sato", {"role": "editor"}, {"role": "approver"}),
        ("chief", "user.disable", "user:sato", {"active": True}, {"active": False}),
        ("chief", "user.password_reset", "user:sato", None, None),
    ]
    assert "another long password" not in repr(entries)


def test_a_login_checks_the_password_outside_any_write_transaction(app, database_url, monkeypatch):
    """While the password is being checked (a tenth of a second), another process can write at once."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL's writers do not wait for one another's transactions")
    make_user(app, "sato", Role.EDITOR)
    verify = accounts._verify
    wrote = []

    def verify_while_another_writes(password_hash, password):
        def other_writer():
            with db.transaction(app) as session:
                session.add(LoginFailure(account="other", address="x", failed_at=NOW))
            wrote.append(True)

        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join(timeout=2)
        return verify(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", verify_while_another_writes)
    assert attempt(app, "sato").staff is not None
    assert wrote == [True]
