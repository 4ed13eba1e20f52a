"""Segments: which residents a broadcast goes to, written as a small expression and parsed without eval.

Terms (all of them only ever match residents who follow the account and agreed to push, as
``residents.service.push_profiles`` yields them):

* ``all`` — every such resident;
* ``area:大町`` — residents whose registered area is exactly 大町;
* ``category:子育て`` — residents who chose that push category (one of ``residents.categories.CATEGORIES``);
* ``stage:pregnant`` (a child registered by due date and not yet born), ``stage:infant`` (a child under 1),
  ``stage:preschool`` (a child of 1 or more who has not started school), ``stage:school`` (a child in
  elementary or junior high school: from the April 1 after turning 6 to the March 31 nine years later),
  each judged by the children's dates as of the send day;
* ``age:65-74`` (inclusive), ``age:65-`` (65 and over) or ``age:70`` — residents who registered their own
  birth date, by age on the send day (turning N the day before the birthday).

Terms combine with ``and``, ``or``, ``not`` (``not`` binds tightest, then ``and``, then ``or``) and
parentheses: ``category:子育て and (area:大町 or area:港町) and not stage:pregnant``.
``parse`` raises ``SegmentError`` naming the position (1-based character) of the problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from japanese.calendar import age_on
from japanese.calendar import school_year_start
from residents import service as residents
from residents.categories import CATEGORIES
from residents.service import PushProfile

STAGES = ("pregnant", "infant", "preschool", "school")
KEYWORDS = ("and", "or", "not")


class SegmentError(ValueError):
    """A segment expression that cannot be parsed; ``position`` is the 1-based character of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at position {position})")
        self.position = position


class Segment:
    """A parsed segment expression."""

    def matches(self, profile: PushProfile, today: date) -> bool:  # pragma: no cover - abstract
        """True when the resident described by ``profile`` is in the segment on ``today``."""
        raise NotImplementedError

    @property
    def is_all(self) -> bool:
        """True when the expression is the plain ``all`` (every resident)."""
        return False

    @property
    def needs_details(self) -> bool:
        """True when matching reads a profile's categories or children (not only its id and area)."""
        return True


@dataclass(frozen=True)
class All(Segment):
    def matches(self, profile: PushProfile, today: date) -> bool:
        return True

    @property
    def is_all(self) -> bool:
        return True

    @property
    def needs_details(self) -> bool:
        return False

    def __str__(self) -> str:
        return "all"


@dataclass(frozen=True)
class Area(Segment):
    area: str

    def matches(self, profile: PushProfile, today: date) -> bool:
        return profile.area == self.area

    @property
    def needs_details(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"area:{self.area}"


@dataclass(frozen=True)
class Category(Segment):
    category: str

    def matches(self, profile: PushProfile, today: date) -> bool:
        return self.category in profile.categories

    def __str__(self) -> str:
        return f"category:{self.category}"


@dataclass(frozen=True)
class Stage(Segment):
    stage: str

    def matches(self, profile: PushProfile, today: date) -> bool:
        return any(child_stage(child.due_date, child.birth_date, today) == self.stage for child in profile.children)

    def __str__(self) -> str:
        return f"stage:{self.stage}"


@dataclass(frozen=True)
class Age(Segment):
    low: int
    high: int | None  # None: no upper bound

    def matches(self, profile: PushProfile, today: date) -> bool:
        if profile.birth_date is None or profile.birth_date > today:
            return False
        years = age_on(profile.birth_date, today)
        return years >= self.low and (self.high is None or years <= self.high)

    @property
    def needs_details(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"age:{self.low}-{'' if self.high is None else self.high}"


@dataclass(frozen=True)
class Not(Segment):
    inner: Segment

    def matches(self, profile: PushProfile, today: date) -> bool:
        return not self.inner.matches(profile, today)

    @property
    def needs_details(self) -> bool:
        return self.inner.needs_details

    def __str__(self) -> str:
        return f"not {self.inner}"


@dataclass(frozen=True)
class And(Segment):
    parts: tuple[Segment, ...]

    def matches(self, profile: PushProfile, today: date) -> bool:
        return all(part.matches(profile, today) for part in self.parts)

    @property
    def needs_details(self) -> bool:
        return any(part.needs_details for part in self.parts)

    def __str__(self) -> str:
        return "(" + " and ".join(map(str, self.parts)) + ")"


@dataclass(frozen=True)
class Or(Segment):
    parts: tuple[Segment, ...]

    def matches(self, profile: PushProfile, today: date) -> bool:
        return any(part.matches(profile, today) for part in self.parts)

    @property
    def needs_details(self) -> bool:
        return any(part.needs_details for part in self.parts)

    def __str__(self) -> str:
        return "(" + " or ".join(map(str, self.parts)) + ")"


def child_stage(due: date | None, birth: date | None, today: date) -> str | None:
    """The stage of one child on ``today``: pregnant, infant, preschool, school, or None (older, or not yet)."""
    if birth is None:
        return "pregnant" if due is not None else None
    if birth > today:
        return None
    if age_on(birth, today) < 1:
        return "infant"
    school_from = date(school_year_start(birth, 6), 4, 1)
    if today < school_from:
        return "preschool"
    if today < date(school_from.year + 9, 4, 1):
        return "school"
    return None


# ---- parsing -------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<word>[^\s()]+))")
_AGE = re.compile(r"^(\d{1,3})(?:(-)(\d{1,3})?)?$")


@dataclass(frozen=True)
class _Token:
    text: str
    position: int  # 1-based

    @property
    def keyword(self) -> str | None:
        lowered = self.text.lower()
        return lowered if lowered in KEYWORDS else None


def _tokens(expr: str) -> list[_Token]:
    tokens, at = [], 0
    while at < len(expr):
        if expr[at:].strip() == "":
            break
        match = _TOKEN.match(expr, at)
        if match is None:  # pragma: no cover - the pattern matches any non-blank rest
            raise SegmentError("unexpected character", at + 1)
        group = "paren" if match.group("paren") else "word"
        tokens.append(_Token(match.group(group), match.start(group) + 1))
        at = match.end()
    return tokens


class _Parser:
    def __init__(self, expr: str):
        self.expr = expr
        self.tokens = _tokens(expr)
        self.at = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def end_position(self) -> int:
        return len(self.expr.rstrip()) + 1

    def parse(self) -> Segment:
        if not self.tokens:
            raise SegmentError("empty segment expression", 1)
        segment = self.or_expr()
        token = self.peek()
        if token is not None:
            raise SegmentError(f"unexpected {token.text!r}", token.position)
        return segment

    def or_expr(self) -> Segment:
        parts = [self.and_expr()]
        while (token := self.peek()) is not None and token.keyword == "or":
            self.at += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Segment:
        parts = [self.not_expr()]
        while (token := self.peek()) is not None and token.keyword == "and":
            self.at += 1
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_expr(self) -> Segment:
        token = self.peek()
        if token is not None and token.keyword == "not":
            self.at += 1
            return Not(self.not_expr())
        return self.primary()

    def primary(self) -> Segment:
        token = self.peek()
        if token is None:
            raise SegmentError("expected a term or '(' but the expression ended", self.end_position())
        if token.text == "(":
            self.at += 1
            inner = self.or_expr()
            closing = self.peek()
            if closing is None or closing.text != ")":
                where = closing.position if closing else self.end_position()
                raise SegmentError(f"expected ')' to close the '(' at position {token.position}", where)
            self.at += 1
            return inner
        if token.text == ")" or token.keyword:
            raise SegmentError(f"expected a term but found {token.text!r}", token.position)
        self.at += 1
        return _term(token)


def _term(token: _Token) -> Segment:
    text, position = token.text, token.position
    if text.lower() == "all":
        return All()
    name, colon, value = text.partition(":")
    name = name.lower()
    if not colon:
        raise SegmentError(f"unknown term {text!r} (expected all, area:, category:, stage: or age:)", position)
    value_position = position + len(name) + 1
    if not value:
        raise SegmentError(f"{name}: needs a value", value_position)
    if name == "area":
        return Area(value)
    if name == "category":
        if value not in CATEGORIES:
            raise SegmentError(f"unknown category {value!r} (one of {', '.join(CATEGORIES)})", value_position)
        return Category(value)
    if name == "stage":
        if value.lower() not in STAGES:
            raise SegmentError(f"unknown stage {value!r} (one of {', '.join(STAGES)})", value_position)
        return Stage(value.lower())
    if name == "age":
        match = _AGE.match(value)
        if match is None:
            raise SegmentError(f"age band {value!r} is not like 65-74, 65- or 70", value_position)
        low = int(match.group(1))
        high = None if match.group(2) and match.group(3) is None else int(match.group(3) or low)
        if high is not None and high < low:
            raise SegmentError(f"age band {value!r} ends before it starts", value_position)
        return Age(low, high)
    raise SegmentError(f"unknown term {name!r} (expected all, area:, category:, stage: or age:)", position)


def parse(expr: str) -> Segment:
    """Parse a segment expression; raises ``SegmentError`` with the position of the first problem."""
    return _Parser(expr).parse()


def members(profiles: Iterable[PushProfile], segment: Segment, today: date) -> Iterable[PushProfile]:
    """The profiles in the segment on ``today``."""
    return (profile for profile in profiles if segment.matches(profile, today))


def profiles_for(session: Session, segment: Segment) -> Iterable[PushProfile]:
    """Every consenting, following resident's profile, read only as far as ``segment`` needs."""
    return residents.push_profiles(session, details=segment.needs_details)


def reach(session: Session, segment: Segment, today: date) -> int:
    """How many consenting, following residents the segment holds on ``today``."""
    return sum(1 for _ in members(profiles_for(session, segment), segment, today))
