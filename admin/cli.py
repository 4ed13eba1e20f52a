"""``flask --app app users …``: staff console accounts (create, list, disable, enable, reset a password)."""

from __future__ import annotations

import sys

import click

import db
import runtime
from admin import accounts
from admin import audit
from admin.accounts import AccountError
from admin.models import Role

users_cli = runtime.group("users", help="Staff console accounts.")
_ROLE = click.Choice([role.value for role in Role])


def _password(prompt: str) -> str:
    """A password from a hidden prompt (asked twice) or, when stdin is not a terminal, its first line."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise click.ClickException("no password on stdin (give it on the first line)")
    return line


@users_cli.command("create", help="Create account NAME with ROLE; the password is asked for (or read from stdin).")
@click.argument("name")
@click.option("--role", type=_ROLE, required=True, help="editor, approver (also approves) or admin (also accounts)")
def users_create(name: str, role: str) -> None:
    try:
        name = accounts.check_name(name)
        password = _password(f"password for {name}")
        with db.transaction() as session:
            accounts.create(session, name, Role(role), password, now=runtime.current().now(), actor=audit.COMMAND_LINE)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created {name} ({role})")


@users_cli.command("list", help="Every account: name, role, active or disabled, last login.")
def users_list() -> None:
    with db.read_transaction() as session:
        for user in accounts.everyone(session):
            last = user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "never"
            state = "active" if user.active else "disabled"
            click.echo(f"{user.name}\t{user.role.value}\t{state}\tlast login {last}")


@users_cli.command("disable", help="Disable account NAME: it cannot log in, and its logins end.")
@click.argument("name")
def users_disable(name: str) -> None:
    _change(name, lambda session, user, now: accounts.set_active(session, user, False, now=now,
                                                                 actor=audit.COMMAND_LINE), "disabled")


@users_cli.command("enable", help="Enable account NAME again.")
@click.argument("name")
def users_enable(name: str) -> None:
    _change(name, lambda session, user, now: accounts.set_active(session, user, True, now=now,
                                                                 actor=audit.COMMAND_LINE), "enabled")


@users_cli.command("reset", help="Give account NAME a new password (asked for, or read from stdin); its logins end.")
@click.argument("name")
def users_reset(name: str) -> None:
    password = _password(f"new password for {accounts.normal_name(name)}")
    _change(name, lambda session, user, now: accounts.set_password(session, user, password, now=now,
                                                                   actor=audit.COMMAND_LINE), "password reset")


def _change(name: str, change, done: str) -> None:
    try:
        with db.transaction() as session:
            user = accounts.by_name(session, name)
            if user is None:
                raise click.ClickException(f"no account named {accounts.normal_name(name)}")
            change(session, user, runtime.current().now())
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{accounts.normal_name(name)}: {done}")
