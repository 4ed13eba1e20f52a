"""Segment expressions: parsing, each term, combinations, errors with their position, and reach."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from push import segments
from push.segments import SegmentError
from residents import service as residents
from residents.service import ChildDates
from residents.service import PushProfile
from tests.push.helpers import user

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def profile(*, area: str | None = "大町", categories=("子育て",), birth: date | None = None,
            children: tuple[tuple[date | None, date | None], ...] = ()) -> PushProfile:
    """A consenting resident's profile; ``children`` as (due date, birth date) pairs."""
    kids = tuple(ChildDates(n, due, born) for n, (due, born) in enumerate(children, start=1))
    return PushProfile(1, user(1), area, frozenset(categories), False, birth, kids)


def matches(expr: str, **kwargs) -> bool:
    return segments.parse(expr).matches(profile(**kwargs), TODAY)


def test_all_matches_everyone():
    """`all` matches a resident with nothing registered."""
    assert matches("all", area=None, categories=())


def test_area_matches_the_registered_area_only():
    """`area:大町` matches 大町 and not 港町."""
    assert matches("area:大町") and not matches("area:大町", area="港町")


def test_category_matches_a_chosen_category():
    """`category:防災` matches only residents who chose 防災."""
    assert matches("category:防災", categories=("防災",)) and not matches("category:防災")


def test_stage_pregnant_is_a_child_with_a_due_date_not_yet_born():
    """A child registered by due date makes the resident `stage:pregnant`."""
    assert matches("stage:pregnant", children=((date(2027, 3, 1), None),))


def test_stage_infant_is_a_child_under_one():
    """A child born 11 months ago is an infant; one who turned 1 is not."""
    assert matches("stage:infant", children=((None, date(2025, 12, 21)),))
    assert not matches("stage:infant", children=((None, date(2025, 11, 20)),))


def test_stage_preschool_runs_until_the_april_after_turning_six():
    """A child born 2020-04-02 is preschool until 2027-03-31 (school from the April after turning 6)."""
    assert matches("stage:preschool", children=((None, date(2020, 4, 2)),))
    assert segments.child_stage(None, date(2020, 4, 2), date(2027, 4, 1)) == "school"


def test_stage_school_covers_elementary_and_junior_high():
    """A 12-year-old is `stage:school`; a child born 2011-01-10 finished junior high in March 2026."""
    assert matches("stage:school", children=((None, date(2014, 6, 1)),))
    assert not matches("stage:school", children=((None, date(2011, 1, 10)),))


def test_age_band_is_inclusive_and_needs_a_birth_date():
    """`age:65-74` matches 65 and 74, not 75, and never a resident without a birth date."""
    assert matches("age:65-74", birth=date(1961, 11, 20))  # 65 today
    assert matches("age:65-74", birth=date(1951, 11, 22))  # 74 until the day before the 75th birthday
    assert not matches("age:65-74", birth=date(1951, 11, 21))  # turns 75 on 11/20
    assert not matches("age:65-74")


def test_open_age_band():
    """`age:75-` matches any age from 75."""
    assert matches("age:75-", birth=date(1930, 1, 1)) and not matches("age:75-", birth=date(1960, 1, 1))


def test_and_or_not_with_parentheses():
    """`not` binds tighter than `and`, which binds tighter than `or`; parentheses group."""
    assert matches("area:港町 or area:大町 and category:子育て")
    assert not matches("(area:港町 or area:大町) and not category:子育て")
    assert matches("NOT area:港町 AND (category:防災 OR category:子育て)")


@pytest.mark.parametrize(("expr", "position"), [
    ("area:大町 and", 12),
    ("(area:大町", 9),
    ("area:大町 )", 9),
    ("category:料理", 10),
    ("stage:teen", 7),
    ("age:74-65", 5),
    ("colour:red", 1),
    ("", 1),
    ("area:大町 area:港町", 9),
])
def test_errors_name_the_position(expr, position):
    """A malformed expression raises SegmentError naming the 1-based position of the problem."""
    with pytest.raises(SegmentError) as raised:
        segments.parse(expr)
    assert raised.value.position == position
    assert f"at position {position}" in str(raised.value)


def test_reach_counts_consenting_residents_in_the_segment(factory):
    """Reach counts only active residents who consented, and only those in the segment."""
    with factory.begin() as s:
        for number, area in ((1, "大町"), (2, "大町"), (3, "港町"), (4, "大町")):
            residents.set_area(s, user(number), area, NOW)
            if number != 4:  # user 4 never consented
                residents.give_consent(s, user(number), NOW)
        residents.block(s, user(2), NOW)
    with factory() as s:
        assert segments.reach(s, segments.parse("area:大町"), TODAY) == 1
        assert segments.reach(s, segments.parse("all"), TODAY) == 2


@pytest.mark.parametrize(("expr", "needs"), [
    ("all", False), ("area:大町", False), ("age:65-", False), ("not area:大町", False),
    ("category:子育て", True), ("stage:infant", True), ("area:大町 and category:子育て", True),
    ("age:65- or stage:school", True),
])
def test_only_category_and_stage_terms_read_the_residents_details(expr, needs):
    """A segment reads categories and children only when one of its terms needs them."""
    assert segments.parse(expr).needs_details is needs


def test_reach_without_details_equals_reach_with_them(factory):
    """Area and age segments count the same residents whether or not details are read."""
    with factory.begin() as s:
        for number, area in ((1, "大町"), (2, "港町"), (3, "大町")):
            residents.set_area(s, user(number), area, NOW)
            residents.give_consent(s, user(number), NOW)
            residents.set_subscription(s, user(number), "子育て", True, NOW)
    with factory() as s:
        for expr in ("all", "area:大町", "not area:大町"):
            segment = segments.parse(expr)
            detailed = segments.members(residents.push_profiles(s), segment, TODAY)
            assert segments.reach(s, segment, TODAY) == len(list(detailed))
