"""A shelter's status, set by staff: from the command line, or from the LINE account of a shelter's staff member,
linked once with a one-time code. Residents never change a status: only a linked account's words are read so.

Status applies to every shelter of the name (the 国土地理院 data lists a school's building and its grounds as
two shelters of one name), and carries the time it was said, so that answers can show how fresh it is.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from disaster.models import Shelter
from disaster.models import ShelterStaff
from disaster.models import ShelterStaffCode

OPEN, CLOSED, FULL = "open", "closed", "full"
STATUSES = (OPEN, CLOSED, FULL)
CROWDING = ("empty", "some", "busy", "full")  # 空いています / やや混雑 / 混雑 / 満
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
CODE_LENGTH = 8
CODE_VALID = timedelta(hours=24)
STAFF_PREFIX = "避難所スタッフ"  # a staff member links their account by sending 「避難所スタッフ CODE」


@dataclass(frozen=True)
class Change:
    """A status as staff say it: the status (None: keep) and crowding (None: keep)."""

    status: str | None
    crowding: str | None


# What a shelter's staff send from LINE, read from short messages (width and spaces folded), the first that fits:
# closing, then full, then how crowded, then opening
# (「開設しました」「だいぶ混んできました」「満杯です」「閉めました」).
_STAFF_PATTERNS: tuple[tuple[re.Pattern[str], Change], ...] = (
    (re.compile(r"閉鎖|閉所|閉め(?:ます|ました|る|た)|閉じ(?:ます|ました)"), Change(CLOSED, None)),
    (re.compile(r"満員|満杯|満室|いっぱい|一杯|受け?入れ?(?:停止|中止|終了|できません)|^満"), Change(FULL, "full")),
    (re.compile(r"(?:やや|少し|すこし|ちょっと|若干)(?:混雑|混んで|混み)"), Change(OPEN, "some")),
    (re.compile(r"混雑|混んで|混み|混ん"), Change(OPEN, "busy")),
    (re.compile(r"空いて|空き|余裕|すいて"), Change(OPEN, "empty")),
    (re.compile(r"開設|開け(?:ます|ました|た)|開き(?:ます|ました)|オープン"), Change(OPEN, None)),
)
STAFF_HINT = re.compile(r"開設|閉|混|空|満|いっぱい|受け?入")  # looks like a status nobody could read
MAX_STAFF_WORDS = 20  # characters: a longer message is a question or a report, not a status


# Before the words, a greeting at most (「お疲れ様です。避難所スタッフ…」); the code: letters and digits, maybe
# with hyphens, as ``issue_code`` prints it.
MAX_BEFORE_PREFIX = 12
_CODE = re.compile(r"(?<![A-Z0-9])[A-Z0-9](?:-?[A-Z0-9]){3,15}(?![A-Z0-9])")


def code_in(text: str) -> str | None:
    """The code of a 「避難所スタッフ CODE」 message (width, case and spaces folded), or None; the code may stand in
    a sentence after the words (「避難所スタッフです。コードは AB12-CD34 です」)."""
    folded = "".join(unicodedata.normalize("NFKC", text).split()).upper()
    start = folded.find(STAFF_PREFIX)
    if start < 0 or start > MAX_BEFORE_PREFIX:
        return None
    found = _CODE.search(folded, start + len(STAFF_PREFIX))
    code = found.group().replace("-", "") if found else ""
    return code if 4 <= len(code) <= 16 else None


def staff_word(text: str) -> Change | None:
    """The change a staff member's short message says, or None (a question, or not about the status)."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    if not key or len(key) > MAX_STAFF_WORDS or "?" in key:
        return None
    for pattern, change in _STAFF_PATTERNS:
        if pattern.search(key):
            return change
    return None


class UnknownShelter(LookupError):
    """No shelter has this name."""


def set_status(session: Session, name: str, change: Change, now: datetime) -> list[Shelter]:
    """Set the status of every shelter named ``name``; closing clears the crowding. Raises UnknownShelter."""
    shelters = list(session.scalars(sa.select(Shelter).where(Shelter.name == name).order_by(Shelter.id)))
    if not shelters:
        raise UnknownShelter(name)
    for shelter in shelters:
        if change.status is not None:
            shelter.status = change.status
        if change.status == CLOSED:
            shelter.crowding = ""
        elif change.crowding is not None:
            shelter.crowding = change.crowding
        shelter.status_at = now
    return shelters


def similar_names(session: Session, text: str, limit: int = 5) -> list[str]:
    """Shelter names holding ``text`` (to suggest when a name is not exact)."""
    pattern = f"%{text}%"
    return list(session.scalars(sa.select(Shelter.name).where(Shelter.name.like(pattern)).distinct()
                                .order_by(Shelter.name).limit(limit)))


def issue_code(session: Session, name: str, now: datetime, *, secret: str) -> str:
    """A new one-time code linking a LINE account to the shelter ``name`` (valid ``CODE_VALID``); only its
    hash is stored. Raises UnknownShelter."""
    if session.scalar(sa.select(Shelter.id).where(Shelter.name == name).limit(1)) is None:
        raise UnknownShelter(name)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(ShelterStaffCode(code_hash=_hash(code, secret), shelter_name=name, expires_at=now + CODE_VALID))
    return code


def link(session: Session, line_user_id: str, code: str, now: datetime, *, secret: str) -> str | None:
    """Link the account to the shelter of an unused, unexpired code (as ``code_in`` reads it; using it up);
    returns the shelter's name, or None for a wrong, used or expired code."""
    row = session.scalar(sa.select(ShelterStaffCode).where(ShelterStaffCode.code_hash == _hash(code, secret)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    row.used_at = now
    session.execute(sa.delete(ShelterStaff).where(ShelterStaff.line_user_id == line_user_id,
                                                  ShelterStaff.shelter_name == row.shelter_name))
    session.add(ShelterStaff(line_user_id=line_user_id, shelter_name=row.shelter_name, linked_at=now))
    return row.shelter_name


def staffed(session: Session, line_user_id: str) -> list[str]:
    """The shelters this account is linked to (their names)."""
    return list(session.scalars(sa.select(ShelterStaff.shelter_name)
                                .where(ShelterStaff.line_user_id == line_user_id).order_by(ShelterStaff.id)))


def unlink(session: Session, line_user_id: str) -> int:
    """Forget every link of this account (its owner deleted their data); returns how many."""
    return session.execute(sa.delete(ShelterStaff).where(ShelterStaff.line_user_id == line_user_id)).rowcount


def _hash(code: str, secret: str) -> str:
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()
