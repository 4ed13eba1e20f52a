"""Segments: which residents a broadcast goes to, written as a small expression and parsed without eval.

Terms (all of them only ever match residents who follow the account and agreed to push, as
``residents.service.push_profiles`` yields them):

* ``all`` — every such resident;
* ``area:大町`` — residents whose registered area is exactly 大町; an area name with a space or a parenthesis
  is written in double quotes: ``area:"本町 (1丁目)"`` (a name never holds a ``"``);
* ``category:子育て`` — residents who chose that push category (one of ``residents.categories.CATEGORIES``);
* ``stage:pregnant`` (a child registered by due date and not yet born), ``stage:infant`` (a child under 1),
  ``stage:preschool`` (a child of 1 or more who has not started school), ``stage:school`` (a child in
  elementary or junior high school: from the April 1 after turning 6 to the March 31 nine years later),
  each judged by the children's dates as of the send day;
* ``age:65-74`` (inclusive), ``age:65-`` (65 and over) or ``age:70`` — residents who registered their own
  birth date, by age on the send day (turning N the day before the birthday).

Terms combine with ``and``, ``or``, ``not`` (``not`` binds tightest, then ``and``, then ``or``) and
parentheses: ``category:子育て and (area:大町 or area:港町) and not stage:pregnant``. The grammar::

    expression := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expression ")" | term
    term       := "all" | name ":" value          (name: area, category, stage or age)
    value      := bare | '"' quoted '"'           (bare: no space, parenthesis or '"'; quoted: no '"')

Keywords and names are case-insensitive; ``str(segment)`` writes an expression ``parse`` reads back as the
same segment, quoting a value only when it needs quotes. ``parse`` raises ``SegmentError`` naming the
position (1-based character) of the problem.

A segment is judged two ways that agree exactly: ``Segment.matches`` on one resident's ``PushProfile`` (the
sender, page by page) and ``Segment.condition``, the same test as a SQL condition on a ``Resident`` row
(built by ``push.segment_sql``, which shapes it for the database to count fast), with which ``reach`` counts
a segment in one aggregate query. The dates the condition compares with are worked out in Python from the
send day by the same rules ``matches`` uses (``DateBounds``): the birth dates of each child stage by bisection
over ``child_stage`` itself, those of each age by bisection over ``age_on``.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from japanese.calendar import age_on
from japanese.calendar import school_year_start
from push import segment_sql
from push.segment_sql import Condition
from push.segment_sql import Has
from push.segment_sql import OnResident
from residents import service as residents
from residents.categories import CATEGORIES
from residents.models import Child
from residents.models import Resident
from residents.models import Subscription
from residents.service import PushProfile

STAGES = ("pregnant", "infant", "preschool", "school")
BORN_STAGES = ("infant", "preschool", "school")  # youngest first: the order of their runs of birth dates
KEYWORDS = ("and", "or", "not")
_OLDEST_DAYS = 20 * 366  # further back than any stage reaches (school ends at 15)


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

    def sql(self, bounds: DateBounds) -> Condition:  # pragma: no cover - abstract
        """This segment as a test of a resident in SQL (``push.segment_sql``) that holds exactly when
        ``matches`` would on ``bounds.today``."""
        raise NotImplementedError

    def condition(self, bounds: DateBounds) -> sa.ColumnElement[bool]:
        """The SQL condition on a ``Resident`` row that holds exactly when ``matches`` would on
        ``bounds.today`` (never NULL)."""
        return self.sql(bounds).clause()

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

    def sql(self, bounds: DateBounds) -> Condition:
        return segment_sql.EVERYONE

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

    def sql(self, bounds: DateBounds) -> Condition:
        return OnResident(sa.and_(Resident.area.is_not(None), Resident.area == self.area))  # no area: false

    @property
    def needs_details(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"area:{quote(self.area)}"


@dataclass(frozen=True)
class Category(Segment):
    category: str

    def matches(self, profile: PushProfile, today: date) -> bool:
        return self.category in profile.categories

    def sql(self, bounds: DateBounds) -> Condition:
        return Has(Subscription, Subscription.category == self.category)

    def __str__(self) -> str:
        return f"category:{quote(self.category)}"


@dataclass(frozen=True)
class Stage(Segment):
    stage: str

    def matches(self, profile: PushProfile, today: date) -> bool:
        return any(child_stage(child.due_date, child.birth_date, today) == self.stage for child in profile.children)

    def sql(self, bounds: DateBounds) -> Condition:
        if self.stage == "pregnant":
            return Has(Child, sa.and_(Child.birth_date.is_(None), Child.due_date.is_not(None)))
        born = bounds.births[self.stage]
        return segment_sql.NOBODY if born is None else Has(Child, Child.birth_date.between(*born))

    def __str__(self) -> str:
        return f"stage:{quote(self.stage)}"


@dataclass(frozen=True)
class Age(Segment):
    low: int
    high: int | None  # None: no upper bound

    def matches(self, profile: PushProfile, today: date) -> bool:
        if profile.birth_date is None or profile.birth_date > today:
            return False
        years = age_on(profile.birth_date, today)
        return years >= self.low and (self.high is None or years <= self.high)

    def sql(self, bounds: DateBounds) -> Condition:
        born = bounds.aged(self.low, self.high)
        if born is None:
            return segment_sql.NOBODY
        first, last = born
        within = Resident.birth_date <= last if first is None else Resident.birth_date.between(first, last)
        return OnResident(sa.and_(Resident.birth_date.is_not(None), within))  # no birth date: false, not NULL

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

    def sql(self, bounds: DateBounds) -> Condition:
        return self.inner.sql(bounds).negated()

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

    def sql(self, bounds: DateBounds) -> Condition:
        return segment_sql.all_of(part.sql(bounds) for part in self.parts)

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

    def sql(self, bounds: DateBounds) -> Condition:
        return segment_sql.any_of(part.sql(bounds) for part in self.parts)

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


def birth_ranges(today: date) -> dict[str, tuple[date, date]]:
    """The first and last birth date of each born stage on ``today`` (``child_stage`` of each day inside).

    A stage is one run of birth dates (the younger, the earlier the stage), so each run's ends are found by
    bisection over ``child_stage`` itself; ``stage:`` terms and ``push.stage_counts`` both count by them.
    """

    def rank(days_back: int) -> int:
        stage = child_stage(None, today - timedelta(days=days_back), today)
        return BORN_STAGES.index(stage) if stage in BORN_STAGES else len(BORN_STAGES)

    starts = [bisect.bisect_left(range(_OLDEST_DAYS), index, key=rank) for index in range(len(BORN_STAGES) + 1)]
    return {stage: (today - timedelta(days=starts[index + 1] - 1), today - timedelta(days=starts[index]))
            for index, stage in enumerate(BORN_STAGES) if starts[index + 1] > starts[index]}


def latest_birth_aged(years: int, today: date) -> date | None:
    """The latest birth date, not after ``today``, of someone at least ``years`` old on ``today`` by ``age_on``
    (None: nobody born since 1 AD is); everyone born on it or before is at least that old."""
    days = range(1, today.toordinal() + 1)  # age_on only grows the earlier the birth
    younger = bisect.bisect_left(days, True, key=lambda day: age_on(date.fromordinal(day), today) < years)
    return date.fromordinal(days[younger - 1]) if younger else None


class DateBounds:
    """The dates a segment's SQL condition compares with on ``today``, worked out in Python by the rules
    ``matches`` uses: each born stage's birth dates (``birth_ranges``) and each age band's (``age_on``)."""

    def __init__(self, today: date):
        self.today = today

    @functools.cached_property
    def births(self) -> dict[str, tuple[date, date] | None]:
        """The first and last birth date of a child in each born stage (None: no birth date is in it)."""
        ranges = birth_ranges(self.today)
        return {stage: ranges.get(stage) for stage in BORN_STAGES}

    def aged(self, low: int, high: int | None) -> tuple[date | None, date] | None:
        """The first (None: no limit) and last birth date of a person aged ``low`` to ``high`` (None: no
        upper limit) on ``today``, born on or before it; None when nobody can be."""
        last = latest_birth_aged(low, self.today)
        if last is None:
            return None
        if high is None or (older := latest_birth_aged(high + 1, self.today)) is None:
            return None, last
        first = older + timedelta(days=1)
        return (first, last) if first <= last else None


# ---- parsing -------------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s*")
_BARE = re.compile(r'[^\s()"]+')  # a keyword, ``all``, or a term with its value unquoted
_BEFORE_QUOTE = re.compile(r'[^\s()":]+:')  # a term's name and colon: the only place a quoted value opens
_NEEDS_QUOTES = re.compile(r'[\s()"]')
_AGE = re.compile(r"^(\d{1,3})(?:(-)(\d{1,3})?)?$")


def quote(value: str) -> str:
    """A term's value as an expression writes it: in double quotes when it is empty or holds a space or a
    parenthesis (``本町 (1丁目)`` → ``"本町 (1丁目)"``), else as it is. A value holding ``"`` cannot be
    written at all (no area name holds one): ``parse`` refuses what this gives for it."""
    return f'"{value}"' if not value or _NEEDS_QUOTES.search(value) else value


@dataclass(frozen=True)
class _Token:
    text: str
    position: int  # 1-based

    @property
    def keyword(self) -> str | None:
        lowered = self.text.lower()
        return lowered if lowered in KEYWORDS else None


def _tokens(expr: str) -> list[_Token]:
    """The expression's parentheses and words (a word: a keyword, or a term with its value, quotes kept)."""
    tokens, at = [], 0
    while (at := _SPACE.match(expr, at).end()) < len(expr):
        start = at
        if expr[at] in "()":
            tokens.append(_Token(expr[at], start + 1))
            at += 1
            continue
        if bare := _BARE.match(expr, at):
            at = bare.end()
        if at < len(expr) and expr[at] == '"':
            if not _BEFORE_QUOTE.fullmatch(expr, start, at):
                raise SegmentError("a quote may only open a value, right after the term's ':' "
                                   "(area:\"本町 (1丁目)\")", at + 1)
            close = expr.find('"', at + 1)
            if close < 0:
                raise SegmentError("a quote that is never closed", at + 1)
            at = close + 1
            if at < len(expr) and expr[at] not in "()" and _SPACE.match(expr, at).end() == at:
                raise SegmentError("a value cannot hold a quote (no area name does)", close + 1)
        tokens.append(_Token(expr[start:at], start + 1))
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
    if value.startswith('"'):  # the tokenizer saw the closing quote at the end
        value = value[1:-1]
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
    """How many consenting, following residents the segment holds on ``today``: one aggregate query, the
    residents ``push_profiles`` would yield counted where ``segment.condition`` holds (no row is loaded)."""
    query = (sa.select(sa.func.count()).select_from(Resident)
             .where(residents.PUSH_MEMBER, segment.condition(DateBounds(today))))
    return int(session.scalar(query) or 0)
