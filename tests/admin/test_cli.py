"""``flask users …``: create, list, disable, enable and reset staff accounts from the command line."""

from __future__ import annotations

import sqlalchemy as sa

import db
from admin import audit
from admin.models import AuditEntry
from admin.models import Role
from admin.models import StaffUser
from tests.admin.conftest import PASSWORD
from tests.admin.conftest import log_in
from tests.admin.conftest import make_user


def test_users_create_reads_the_password_from_stdin_and_the_account_logs_in(app):
    """The first line of stdin is the password; the account then logs in to the console, audited as the
    command line."""
    result = app.test_cli_runner().invoke(args=["users", "create", "Sato", "--role", "approver"], input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "created sato (approver)" in result.output
    assert log_in(app.test_client(), "sato").status_code == 302
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(AuditEntry.actor)) == audit.COMMAND_LINE


def test_users_create_refuses_a_short_password_and_makes_nothing(app):
    """A password that will not do is an error naming the rule; no account is made."""
    result = app.test_cli_runner().invoke(args=["users", "create", "sato", "--role", "editor"], input="short\n")
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 0


def test_users_create_refuses_an_unknown_role(app):
    """--role is one of editor, approver, admin."""
    result = app.test_cli_runner().invoke(args=["users", "create", "sato", "--role", "boss"], input=f"{PASSWORD}\n")
    assert result.exit_code == 2
    assert "editor" in result.output


def test_users_create_refuses_a_name_in_use(app):
    """A second account of the same name is an error; the first is unchanged."""
    make_user(app, "sato", Role.EDITOR)
    result = app.test_cli_runner().invoke(args=["users", "create", "sato", "--role", "admin"], input=f"{PASSWORD}\n")
    assert result.exit_code == 1 and "exists already" in result.output
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(StaffUser.role)) == Role.EDITOR


def test_users_create_without_a_password_on_stdin_is_an_error(app):
    """An empty stdin is not taken for an empty password."""
    result = app.test_cli_runner().invoke(args=["users", "create", "sato", "--role", "editor"], input="")
    assert result.exit_code == 1 and "no password" in result.output


def test_users_disable_and_enable(app):
    """A disabled account cannot log in; enabled again, it can."""
    make_user(app, "sato", Role.EDITOR)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "disable", "sato"]).output == "sato: disabled\n"
    assert log_in(app.test_client(), "sato").status_code == 401
    assert runner.invoke(args=["users", "enable", "sato"]).exit_code == 0
    assert log_in(app.test_client(), "sato").status_code == 302


def test_users_reset_sets_a_new_password(app):
    """After a reset only the new password logs in."""
    make_user(app, "sato", Role.EDITOR)
    result = app.test_cli_runner().invoke(args=["users", "reset", "sato"], input="a brand new password\n")
    assert result.exit_code == 0, result.output
    assert log_in(app.test_client(), "sato").status_code == 401
    assert log_in(app.test_client(), "sato", "a brand new password").status_code == 302


def test_users_of_an_unknown_name_is_an_error(app):
    """Disabling a name that has no account says so."""
    result = app.test_cli_runner().invoke(args=["users", "disable", "nobody"])
    assert result.exit_code == 1 and "no account named nobody" in result.output


def test_users_list_shows_names_roles_and_states_but_no_hashes(app):
    """One line per account: name, role, active or disabled, last login."""
    make_user(app, "sato", Role.EDITOR)
    make_user(app, "chief", Role.ADMIN)
    output = app.test_cli_runner().invoke(args=["users", "list"]).output
    assert output.splitlines() == ["chief\tadmin\tactive\tlast login never", "sato\teditor\tactive\tlast login never"]
