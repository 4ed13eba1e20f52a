"""A segment's reach counted in the database agrees with the sender's own test of each profile
(``Segment.matches``), also at the edges of ages and child stages; and area names with spaces or parentheses
are written in quotes."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

import db
from admin import forms
from japanese.calendar import age_on
from push import segments
from push.segments import Age
from push.segments import All
from push.segments import And
from push.segments import Area
from push.segments import Category
from push.segments import Not
from push.segments import Or
from push.segments import Segment
from push.segments import SegmentError
from push.segments import Stage
from residents import service as residents
from residents.categories import CATEGORIES
from residents.models import Child
from residents.models import Resident
from residents.models import ResidentStatus
from residents.models import Subscription
from tests.push.helpers import user

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
HONCHO = "本町 (1丁目)"
AREAS = ("大町", "港町", HONCHO, "緑が丘　東", "(旧)西町")  # the 4th has an ideographic space
# Send days at the edges: a leap day, the days around it in common and leap years, the school year's turn.
TODAYS = (TODAY, date(2028, 2, 29), date(2028, 2, 28), date(2027, 2, 28), date(2027, 3, 1), date(2026, 4, 1),
          date(2026, 3, 31), date(2029, 3, 1))


@dataclass(frozen=True)
class Person:
    """A resident to store: where they live, what they chose, their birth date and their children's dates."""

    area: str | None = None
    categories: tuple[str, ...] = ()
    birth: date | None = None
    children: tuple[tuple[date | None, date | None], ...] = ()  # (due date, birth date)
    status: ResidentStatus = ResidentStatus.ACTIVE
    consent: bool = True


def store(session, people: list[Person]) -> None:
    """Insert ``people`` with Core statements (residents ``user(0)`` …, their categories and children)."""
    start = session.scalar(sa.select(sa.func.count()).select_from(Resident))
    users = [user(start + number) for number in range(len(people))]
    session.execute(sa.insert(Resident), [
        {"line_user_id": u, "status": p.status, "area": p.area, "birth_date": p.birth,
         "consent_at": NOW if p.consent else None} for u, p in zip(users, people, strict=True)])
    ids = dict(session.execute(sa.select(Resident.line_user_id, Resident.id)
                               .where(Resident.line_user_id.in_(users))).all())
    subscriptions = [{"resident_id": ids[u], "category": c} for u, p in zip(users, people, strict=True)
                     for c in p.categories]
    children = [{"resident_id": ids[u], "due_date": due, "birth_date": born, "created_at": NOW}
                for u, p in zip(users, people, strict=True) for due, born in p.children]
    if subscriptions:
        session.execute(sa.insert(Subscription), subscriptions)
    if children:
        session.execute(sa.insert(Child), children)


def counted(session, segment: Segment | str, today: date, profiles=None) -> tuple[int, int]:
    """The segment's reach counted in SQL, and counted in Python from the residents' profiles."""
    segment = segments.parse(segment) if isinstance(segment, str) else segment
    profiles = list(residents.push_profiles(session)) if profiles is None else profiles
    return segments.reach(session, segment, today), len(list(segments.members(profiles, segment, today)))


def reach(app, expr: str, today: date = TODAY) -> int:
    """The reach of ``expr`` on ``today``, after checking that SQL and Python count the same."""
    with db.read_transaction(app) as session:
        in_sql, in_python = counted(session, expr, today)
    assert in_sql == in_python, expr
    return in_sql


def add(app, *people: Person) -> None:
    with db.transaction(app) as session:
        store(session, list(people))


# ---- random residents and expressions ---------------------------------------------------------------------

def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (Feb 29 → Feb 28 in a common year)."""
    year = day.year - years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def around(day: date, days: int = 2) -> list[date]:
    return [day + timedelta(days=offset) for offset in range(-days, days + 1)]


def child_dates(today: date) -> list[date]:
    """Birth dates of children near the edges of the stages on ``today``, written out by hand (not from the
    code under test): the first birthday, April 1 and 2 around starting and leaving school, leap days."""
    found = around(today + timedelta(days=1)) + around(years_before(today, 1))
    for years in (0, 1, 5, 6, 7, 14, 15, 16):
        year = today.year - years
        found += [date(year, 3, 31), date(year, 4, 1), date(year, 4, 2), date(year, 2, 28), date(year, 3, 1)]
        if calendar.isleap(year):
            found.append(date(year, 2, 29))
    return found


def own_dates(today: date) -> list[date]:
    """Residents' birth dates near the edges of the ages the random segments use, and leap days."""
    found = around(today + timedelta(days=1)) + around(today)
    for years in (1, 6, 15, 16, 64, 65, 66, 74, 75, 76, 100, 101):
        found += around(years_before(today, years))
    for year in range(today.year - 102, today.year + 1):
        if calendar.isleap(year):
            found += [date(year, 2, 28), date(year, 2, 29), date(year, 3, 1)]
    return found


def random_people(rng: random.Random, count: int) -> list[Person]:
    """``count`` residents: areas (or none), categories, children by due date or birth date (a few with
    both), own birth dates, mostly near the edges on one of ``TODAYS``; some blocked or without consent."""
    people = []
    for _ in range(count):
        today = rng.choice(TODAYS)

        def a_birth(pool: list[date], span_days: int, today: date = today) -> date:
            return rng.choice(pool) if rng.random() < 0.8 else today - timedelta(days=rng.randrange(span_days))

        children = []
        for _child in range(rng.choice((0, 0, 1, 1, 2, 3))):
            kind = rng.random()
            due = today + timedelta(days=rng.randrange(-30, 280)) if kind < 0.25 or kind > 0.9 else None
            born = a_birth(child_dates(today), 20 * 365) if kind >= 0.25 else None
            children.append((due, born))
        roll = rng.random()
        people.append(Person(
            area=rng.choice((*AREAS, None)),
            categories=tuple(c for c in CATEGORIES if rng.random() < 0.35),
            birth=a_birth(own_dates(today), 100 * 365) if rng.random() < 0.7 else None,
            children=tuple(children),
            status=ResidentStatus.BLOCKED if roll < 0.08 else ResidentStatus.ACTIVE,
            consent=not 0.08 <= roll < 0.16,
        ))
    return people


def random_term(rng: random.Random) -> Segment:
    kind = rng.randrange(5)
    if kind == 0:
        return rng.choice((All(), Area(rng.choice(AREAS))))
    if kind == 1:
        return Area(rng.choice((*AREAS, "どこにもない町")))
    if kind == 2:
        return Category(rng.choice(CATEGORIES))
    if kind == 3:
        return Stage(rng.choice(segments.STAGES))
    low = rng.choice((0, 1, 6, 15, 64, 65, 66, 74, 75, 100))
    return Age(low, rng.choice((None, low, low + 1, low + 9, low + 10)))


def random_segment(rng: random.Random, depth: int = 0) -> Segment:
    """A random segment of up to three levels of ``not``, ``and`` and ``or`` over random terms."""
    roll = rng.random()
    if depth >= 3 or roll < 0.4:
        return random_term(rng)
    if roll < 0.55:
        return Not(random_segment(rng, depth + 1))
    parts = tuple(random_segment(rng, depth + 1) for _ in range(rng.randint(2, 3)))
    return And(parts) if roll < 0.8 else Or(parts)


@pytest.mark.parametrize("seed", [20261120, 29])
def test_the_sql_reach_equals_the_python_count_for_random_residents_and_segments(app, seed):
    """For 400 random residents (dates at the edges of ages and stages, Feb 29 and April 1 birthdays, some
    blocked or without consent) and 40 random segments on each of eight send days, the count in SQL is the
    number of profiles ``Segment.matches``."""
    rng = random.Random(seed)
    add(app, *random_people(rng, 400))
    wrong = []
    with db.read_transaction(app) as session:
        profiles = list(residents.push_profiles(session))
        assert 250 < len(profiles) < 400
        for today in TODAYS:
            for _ in range(40):
                segment = random_segment(rng)
                in_sql, in_python = counted(session, segment, today, profiles)
                if in_sql != in_python:
                    wrong.append(f"{today} {segment}: SQL {in_sql}, Python {in_python}")
        for today in TODAYS:  # the residents are spread over every stage: each holds some and not all
            for term in (Stage(stage) for stage in segments.STAGES):
                assert 0 < counted(session, term, today, profiles)[0] < len(profiles), (today, term)
    assert wrong == []


def test_random_segments_read_back_from_their_text():
    """``parse(str(segment))`` is the segment itself, quoted area names included."""
    rng = random.Random(7)
    for _ in range(500):
        segment = random_segment(rng)
        assert segments.parse(str(segment)) == segment, str(segment)


# ---- the edges, one at a time -----------------------------------------------------------------------------

def test_a_resident_is_65_from_the_day_before_the_65th_birthday(app):
    """Born 1961-11-21: 65 on 2026-11-20 (the day before the birthday); born 1961-11-22: still 64."""
    add(app, Person(birth=date(1961, 11, 21)), Person(birth=date(1961, 11, 22)))
    assert reach(app, "age:65-") == 1
    assert reach(app, "age:64") == 1
    assert reach(app, "age:65-", TODAY - timedelta(days=1)) == 0


def test_an_age_band_includes_both_ends(app):
    """`age:65-74` holds someone just 65 and someone one day short of 75, not someone just 75."""
    add(app, Person(birth=date(1961, 11, 21)), Person(birth=date(1951, 11, 22)), Person(birth=date(1951, 11, 21)))
    assert reach(app, "age:65-74") == 2
    assert reach(app, "age:75") == 1


def test_a_feb_29_birthday_turns_a_year_older_on_feb_28_of_a_common_year(app):
    """Born 1960-02-29: 67 on 2027-02-28 (a common year), 66 the day before; 68 on 2028-02-28 (leap year)."""
    add(app, Person(birth=date(1960, 2, 29)))
    assert reach(app, "age:67", date(2027, 2, 28)) == 1
    assert reach(app, "age:66", date(2027, 2, 27)) == 1
    assert reach(app, "age:68", date(2028, 2, 28)) == 1
    assert reach(app, "age:67", date(2028, 2, 27)) == 1


def test_a_march_1_birthday_turns_a_year_older_on_feb_29_of_a_leap_year(app):
    """Born 1963-03-01: 65 on 2028-02-29 (the day before March 1), 64 on 2028-02-28."""
    add(app, Person(birth=date(1963, 3, 1)))
    assert reach(app, "age:65", date(2028, 2, 29)) == 1
    assert reach(app, "age:65", date(2028, 2, 28)) == 0


def test_someone_born_after_the_send_day_has_no_age(app):
    """A birth date after the send day is in no age band, not even `age:0-`; `not age:0-` holds it."""
    add(app, Person(birth=TODAY + timedelta(days=1)), Person(birth=TODAY))
    assert reach(app, "age:0-") == 1
    assert reach(app, "age:0") == 1
    assert reach(app, "not age:0-") == 1


def test_an_age_nobody_can_have_counts_nobody(app):
    """`age:999-` (born before year 1028) and `age:999` count nobody, and their negation everyone."""
    add(app, Person(birth=date(1926, 1, 1)), Person())
    assert reach(app, "age:999-") == 0 and reach(app, "age:999") == 0
    assert reach(app, "not age:999-") == 2


def test_an_april_1_birthday_starts_school_a_year_before_an_april_2_birthday(app):
    """On 2026-04-01 a child born 2020-04-01 is at school; one born 2020-04-02 is still preschool."""
    add(app, Person(children=((None, date(2020, 4, 1)),)), Person(children=((None, date(2020, 4, 2)),)))
    assert reach(app, "stage:school", date(2026, 4, 1)) == 1
    assert reach(app, "stage:preschool", date(2026, 4, 1)) == 1
    assert reach(app, "stage:school", date(2026, 3, 31)) == 0


def test_school_ends_on_the_march_31_nine_years_after_it_starts(app):
    """A child born 2011-04-01 (school from 2017-04-01) is at school on 2026-03-31, in no stage on 2026-04-01."""
    add(app, Person(children=((None, date(2011, 4, 1)),)))
    assert reach(app, "stage:school", date(2026, 3, 31)) == 1
    assert reach(app, "stage:school", date(2026, 4, 1)) == 0
    assert reach(app, "stage:infant or stage:preschool or stage:school", date(2026, 4, 1)) == 0


def test_an_infant_is_a_child_until_the_day_before_the_first_birthday(app):
    """On 2026-11-20 a child born 2025-11-22 is an infant; one born 2025-11-21 turned 1 and is preschool."""
    add(app, Person(children=((None, date(2025, 11, 22)),)), Person(children=((None, date(2025, 11, 21)),)))
    assert reach(app, "stage:infant") == 1
    assert reach(app, "stage:preschool") == 1


def test_a_leap_day_baby_is_an_infant_until_feb_28_of_the_next_year(app):
    """Born 2028-02-29: an infant on 2029-02-27, preschool on 2029-02-28 (it turns 1 that day)."""
    add(app, Person(children=((None, date(2028, 2, 29)),)))
    assert reach(app, "stage:infant", date(2029, 2, 27)) == 1
    assert reach(app, "stage:preschool", date(2029, 2, 28)) == 1


def test_a_child_born_after_the_send_day_is_in_no_stage(app):
    """A birth date after the send day (a typo, or a clock ahead) makes no stage, not even pregnant."""
    add(app, Person(children=((None, TODAY + timedelta(days=1)),)))
    assert reach(app, "stage:infant or stage:pregnant") == 0


def test_pregnant_is_a_child_with_a_due_date_and_no_birth_date(app):
    """A due date alone is `stage:pregnant`; a child with both dates counts by its birth date only."""
    add(app, Person(children=((date(2027, 3, 1), None),)),
        Person(children=((date(2026, 11, 1), date(2026, 10, 30)),)))
    assert reach(app, "stage:pregnant") == 1
    assert reach(app, "stage:infant") == 1


def test_not_holds_residents_who_registered_nothing(app):
    """`not` of an area, category, stage or age term holds a resident with no area, categories, children or
    birth date (a missing value is never "unknown")."""
    add(app, Person(), Person(area="大町", categories=("防災",), birth=date(1950, 1, 1),
                              children=((None, date(2026, 1, 1)),)))
    for expr in ("not area:大町", "not category:防災", "not stage:infant", "not age:65-"):
        assert reach(app, expr) == 1, expr
    assert reach(app, "not (area:大町 or age:65-)") == 1
    assert reach(app, "not not area:大町") == 1


def test_only_following_residents_who_agreed_to_push_count(app):
    """Blocked residents and residents without consent are never counted, not even by `all` or `not`."""
    add(app, Person(area="大町"), Person(area="大町", status=ResidentStatus.BLOCKED),
        Person(area="大町", consent=False), Person(status=ResidentStatus.BLOCKED, consent=False))
    assert reach(app, "all") == 1
    assert reach(app, "area:大町") == 1
    assert reach(app, "not area:大町") == 0


def test_a_quoted_area_name_counts_the_residents_of_that_area(app):
    """`area:"本町 (1丁目)"` counts the residents of 本町 (1丁目) only, not those of 本町."""
    add(app, Person(area=HONCHO), Person(area=HONCHO), Person(area="本町"))
    assert reach(app, f'area:"{HONCHO}"') == 2
    assert reach(app, f'not area:"{HONCHO}" and area:本町') == 1


def test_the_reach_is_one_query_however_many_residents(app):
    """Counting a segment with every kind of term runs one statement, for 3 or for 300 residents."""
    expr = "(area:大町 or category:子育て) and not stage:pregnant and (stage:school or age:65-)"

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", listener)
        try:
            with db.read_transaction(app) as session:
                segments.reach(session, segments.parse(expr), TODAY)
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", listener)
        return len(seen)

    add(app, *random_people(random.Random(3), 3))
    few = statements()
    add(app, *random_people(random.Random(4), 297))
    assert statements() == few
    with db.read_transaction(app) as session:
        in_sql, in_python = counted(session, expr, TODAY)
    assert in_sql == in_python


# ---- the dates the SQL compares with --------------------------------------------------------------------

def test_each_stage_birth_range_is_exactly_the_birth_dates_child_stage_puts_in_it():
    """On every day of 2026–2029 (one leap year), every birth date inside a stage's range has that stage and the
    dates just outside it do not, so ``stage:`` reach and the console's stage counts (both by these ranges)
    agree with ``child_stage``."""
    day = date(2026, 1, 1)
    while day < date(2030, 1, 1):
        for stage, (first, last) in segments.birth_ranges(day).items():
            assert segments.child_stage(None, first, day) == segments.child_stage(None, last, day) == stage, day
            assert segments.child_stage(None, first - timedelta(days=1), day) != stage, day
            assert segments.child_stage(None, last + timedelta(days=1), day) != stage, day
        day += timedelta(days=7)


@pytest.mark.parametrize("today", [date(2027, 2, 27), date(2027, 2, 28), date(2027, 3, 1), date(2028, 2, 28),
                                   date(2028, 2, 29), date(2028, 3, 1), date(2026, 12, 31), date(2026, 1, 1)])
@pytest.mark.parametrize("years", [0, 1, 64, 65, 75, 101])
def test_the_latest_birth_of_an_age_is_where_age_on_changes(today, years):
    """``latest_birth_aged`` is the last day (up to the send day) born on which one is ``years`` old by
    ``age_on``; the next day's child is younger (checked day by day around it)."""
    last = segments.latest_birth_aged(years, today)
    assert last <= today and age_on(last, today) >= years
    assert last == today or age_on(last + timedelta(days=1), today) < years
    for offset in range(1, 400):
        assert age_on(last - timedelta(days=offset), today) >= years


# ---- writing area names with spaces and parentheses ---------------------------------------------------------

def test_a_quoted_area_name_may_hold_spaces_and_parentheses():
    """`area:"本町 (1丁目)"` is the area 本町 (1丁目), also inside parentheses and next to other terms."""
    assert segments.parse(f'area:"{HONCHO}"') == Area(HONCHO)
    assert segments.parse(f'(area:"{HONCHO}" or AREA:"大町") and not area:港町') == And(
        (Or((Area(HONCHO), Area("大町"))), Not(Area("港町"))))


def test_a_value_is_quoted_only_when_it_needs_quotes():
    """`str` quotes an area name with a space (ASCII or ideographic) or a parenthesis, and no other."""
    assert str(Area(HONCHO)) == f'area:"{HONCHO}"'
    assert str(Area("緑が丘　東")) == 'area:"緑が丘　東"'
    assert str(Area("大町")) == "area:大町"
    assert str(And((Area("(旧)西町"), Category("子育て")))) == '(area:"(旧)西町" and category:子育て)'


@pytest.mark.parametrize(("expr", "position"), [
    ('area:"本町 "1" 丁目"', 10),  # the quote after 本町 closes the value; the next character is no boundary
    ('area:"本町"x', 9),
    ('area:"本町 (1丁目)', 6),  # never closed: the opening quote
    ('area:本"町"', 7),  # a quote inside an unquoted value
    ('"all"', 1),
    ('area:""', 6),  # an empty name
    ('area:"大町" and stage:"teen"', 21),
])
def test_a_quote_where_none_can_be_is_pointed_at(expr, position):
    """A quote inside a name, an unclosed quote or one not right after ``name:`` raises SegmentError at it."""
    with pytest.raises(SegmentError) as raised:
        segments.parse(expr)
    assert raised.value.position == position


def test_the_form_quotes_the_area_names_it_joins(app):
    """The compose form's chosen areas become `(area:"本町 (1丁目)" or area:大町)`, which parses back."""
    data = MultiDict([("areas", HONCHO), ("areas", "大町"), ("categories", "子育て")])
    with app.test_request_context():
        expression = forms.BroadcastForm(formdata=data, meta={"csrf": False}).expression()
    assert expression == f'(area:"{HONCHO}" or area:大町) and category:子育て'
    assert segments.parse(expression) == And((Or((Area(HONCHO), Area("大町"))), Category("子育て")))


# ---- the shape of the query -------------------------------------------------------------------------------

def sql_of(expr: str) -> str:
    """The SQL condition of ``expr`` on ``TODAY``, as text."""
    return str(segments.parse(expr).condition(segments.DateBounds(TODAY)).compile(compile_kwargs={
        "literal_binds": True}))


def test_tests_of_one_table_under_or_read_it_once():
    """`stage:pregnant or stage:infant` is one EXISTS over the children; two categories one over the categories."""
    assert sql_of("stage:pregnant or stage:infant").count("EXISTS") == 1
    assert sql_of("category:ごみ or area:大町 or category:防災").count("EXISTS") == 1


def test_a_negated_or_becomes_one_not_exists():
    """`not (category:ごみ or category:防災)` is one NOT EXISTS, which the database runs as an anti-join."""
    shown = sql_of("not (category:ごみ or category:防災)")
    assert shown.count("EXISTS") == 1 and shown.startswith("NOT (EXISTS")


def test_two_stages_required_together_stay_two_tests(app):
    """`stage:infant and stage:school` needs two children (two EXISTS): a parent of a baby and a schoolchild is
    in it, and not in `not stage:infant or not stage:school`."""
    assert sql_of("stage:infant and stage:school").count("EXISTS") == 2
    add(app, Person(children=((None, date(2026, 5, 1)), (None, date(2016, 5, 1)))),
        Person(children=((None, date(2026, 5, 1)),)))
    assert reach(app, "stage:infant and stage:school") == 1
    assert reach(app, "not stage:infant or not stage:school") == 1
