"""Staff accounts: create, disable, set a password; check a login, throttled per account and per address.

Passwords are hashed with Argon2id (``argon2-cffi``'s defaults, RFC 9106's low-memory profile) and rehashed
at login when those defaults change. A login is refused without looking at the password once its account has
failed ``ACCOUNT_FAILURES`` times, or its address ``ADDRESS_FAILURES`` times, within ``THROTTLE_WINDOW``; the
failures are kept in the database (every process sees them) and only as long as the window looks back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import argon2
import sqlalchemy as sa
from sqlalchemy.orm import Session

from admin import audit
from admin.models import LoginFailure
from admin.models import Role
from admin.models import StaffUser

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # hashing a longer text only costs time
THROTTLE_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")

Transaction = Callable[[], AbstractContextManager[Session]]  # a session in a transaction of its own, each call

_hasher = argon2.PasswordHasher()
# Checked against when the name is unknown, so that an unknown name takes as long as a wrong password.
_UNKNOWN = _hasher.hash("an account that does not exist")


class AccountError(ValueError):
    """A change to an account that cannot be made: ``reason`` names why (``admin.texts`` says it in Japanese
    for the console), the message says it in English (for the command line)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member as the console sees them (plain data, no database row)."""

    id: int
    name: str
    role: Role
    token: str  # what the login session holds (``session_token``)

    # What Flask-Login asks of a signed-in user.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.token

    def may(self, needed: Role) -> bool:
        return self.role.allows(needed)


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to: the staff member, or why not (``throttled``: too many failures)."""

    staff: Staff | None
    throttled: bool = False


def normal_name(name: str) -> str:
    return name.strip().lower()


def check_name(name: str) -> str:
    """The account name as stored; AccountError unless it is 2–64 of a–z, 0–9, '.', '_' and '-'."""
    name = normal_name(name)
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError("name", "a name is 2 to 64 characters of a-z, 0-9, '.', '_' and '-', "
                                   "starting with a letter or digit")
    return name


def check_password(password: str, name: str = "") -> None:
    """AccountError unless ``password`` is long enough and not the account's name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("short_password", f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("long_password", f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if name and normal_name(name) in password.lower():
        raise AccountError("password_has_name", "a password must not contain the account's name")


def by_name(session: Session, name: str) -> StaffUser | None:
    return session.scalar(sa.select(StaffUser).where(StaffUser.name == normal_name(name)))


def everyone(session: Session) -> list[StaffUser]:
    return list(session.scalars(sa.select(StaffUser).order_by(StaffUser.name)))


def create(session: Session, name: str, role: Role, password: str, *, now: datetime, actor: str) -> StaffUser:
    """A new active account; AccountError if the name is taken or the name or password will not do."""
    name = check_name(name)
    check_password(password, name)
    if by_name(session, name) is not None:
        raise AccountError("name_taken", f"an account named {name} exists already")
    user = StaffUser(name=name, role=role, password_hash=_hasher.hash(password), active=True, created_at=now,
                     password_set_at=now)
    session.add(user)
    audit.record(session, actor=actor, action="user.create", target=f"user:{name}", now=now,
                 after={"role": role.value, "active": True})
    return user


def set_password(session: Session, user: StaffUser, password: str, *, now: datetime, actor: str) -> None:
    """Give ``user`` a new password; every login made before it ends (``session_token`` changes)."""
    check_password(password, user.name)
    _set_hash(session, user, _hasher.hash(password), now=now, actor=actor)


def _set_hash(session: Session, user: StaffUser, password_hash: str, *, now: datetime, actor: str) -> None:
    user.password_hash = password_hash
    user.password_set_at = max(now, user.password_set_at + timedelta(microseconds=1))
    action = "user.password_change" if actor == user.name else "user.password_reset"
    audit.record(session, actor=actor, action=action, target=f"user:{user.name}", now=now)


def set_active(session: Session, user: StaffUser, active: bool, *, now: datetime, actor: str) -> None:
    """Enable or disable ``user``; a disabled account cannot log in and its logins end at their next request."""
    if user.active == active:
        return
    if not active and actor == user.name:
        raise AccountError("disable_self", "an account cannot disable itself")
    audit.record(session, actor=actor, action="user.enable" if active else "user.disable",
                 target=f"user:{user.name}", now=now, before={"active": user.active}, after={"active": active})
    user.active = active


def set_role(session: Session, user: StaffUser, role: Role, *, now: datetime, actor: str) -> None:
    """Change ``user``'s role; an admin cannot take the admin role from themselves."""
    if user.role == role:
        return
    if actor == user.name and user.role == Role.ADMIN:
        raise AccountError("demote_self", "an admin cannot take the admin role from themselves")
    audit.record(session, actor=actor, action="user.role", target=f"user:{user.name}", now=now,
                 before={"role": user.role.value}, after={"role": role.value})
    user.role = role


def log_in(read: Transaction, write: Transaction, name: str, password: str, *, address: str,
           now: datetime) -> LoginResult:
    """Check a login: the staff member on success. The password is checked between a read transaction and
    a short write one (hashing takes a tenth of a second, which no write lock may wait for); a failure is
    recorded unless the account or address is throttled already, and then the password is not even checked."""
    account, address = normal_name(name)[:64], address[:64]
    since = now - THROTTLE_WINDOW
    with read() as session:
        if (_failures(session, LoginFailure.account == account, since) >= ACCOUNT_FAILURES
                or _failures(session, LoginFailure.address == address, since) >= ADDRESS_FAILURES):
            return LoginResult(None, throttled=True)
        user = session.scalar(sa.select(StaffUser).where(StaffUser.name == account))
        user_id, password_hash = (user.id, user.password_hash) if user is not None and user.active else (None, _UNKNOWN)
    matches = _verify(password_hash, password)  # as long for an unknown or disabled account as for a known one
    rehashed = _hasher.hash(password) if matches and _hasher.check_needs_rehash(password_hash) else None
    with write() as session:
        user = session.get(StaffUser, user_id) if user_id is not None and matches else None
        if user is None or not user.active or user.password_hash != password_hash:
            session.execute(sa.delete(LoginFailure).where(LoginFailure.failed_at < since))
            session.add(LoginFailure(account=account, address=address, failed_at=now))
            return LoginResult(None)
        if rehashed is not None:  # the hasher's parameters changed since this password was set
            user.password_hash = rehashed
        user.last_login_at = now
        return LoginResult(staff_of(user))


def change_own_password(read: Transaction, write: Transaction, staff: Staff, current: str, new: str, *,
                        now: datetime) -> Staff:
    """Set a signed-in staff member's new password after checking their current one (outside any write
    transaction, as at login); returns them with their new session token."""
    with read() as session:
        user = session.get(StaffUser, staff.id)
        password_hash = user.password_hash if user is not None else _UNKNOWN
    if user is None or not _verify(password_hash, current):
        raise AccountError("wrong_password", "the current password is not right")
    check_password(new, staff.name)
    new_hash = _hasher.hash(new)
    with write() as session:
        user = session.get(StaffUser, staff.id)
        if user is None or user.password_hash != password_hash:
            raise AccountError("wrong_password", "the password was changed meanwhile")
        _set_hash(session, user, new_hash, now=now, actor=staff.name)
        return staff_of(user)


def staff_of(user: StaffUser) -> Staff:
    return Staff(id=user.id, name=user.name, role=user.role, token=session_token(user))


def session_token(user: StaffUser) -> str:
    """What a login session remembers of ``user``: their id and when their password was set, so that a new
    password ends every older login."""
    return f"{user.id}:{int(user.password_set_at.timestamp() * 1_000_000)}"


def by_session_token(session: Session, token: str) -> Staff | None:
    """The staff member a login session belongs to, if their account is active and the login still valid."""
    user_id, _, _stamp = token.partition(":")
    if not user_id.isdigit():
        return None
    user = session.get(StaffUser, int(user_id))
    if user is None or not user.active or session_token(user) != token:
        return None
    return staff_of(user)


def _failures(session: Session, which: sa.ColumnElement[bool], since: datetime) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)
                          .where(which, LoginFailure.failed_at >= since)) or 0


def _verify(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        password = ""
    try:
        return _hasher.verify(password_hash, password)
    except (argon2.exceptions.VerifyMismatchError, argon2.exceptions.InvalidHashError):
        return False
