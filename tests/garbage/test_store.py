"""Saving garbage data and reading it back as plain data, on whichever database the suite runs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

import db
from content.revisions import revisions
from garbage import store
from garbage.importers import AreaRecord
from garbage.importers import CategoryRecord
from garbage.importers import GarbageData
from garbage.importers import ItemRecord
from garbage.importers import RemarkRecord
from garbage.importers import RuleRecord
from garbage.importers import ShutdownRecord
from garbage.importers import read_5374
from garbage.importers import read_takamatsu
from garbage.models import GarbageItem
from garbage.schedule import CalendarChange
from garbage.schedule import MonthlyNth
from garbage.schedule import OnDates
from garbage.schedule import Schedule
from garbage.schedule import Weekly

ROOT = Path(__file__).resolve().parents[2]
RUMOI = Path(__file__).resolve().parents[3] / "shared" / "data" / "rumoi-5374"
DEMO_GARBAGE = ROOT / "packs" / "demo" / "garbage"

SCHEDULES = [
    Schedule(rules=(Weekly(frozenset({0, 3})),), source="月 木"),
    Schedule(rules=(MonthlyNth(2, frozenset({2, 4})),), source="水2 水4"),
    Schedule(rules=(MonthlyNth(2, frozenset({1}), frozenset({6, 9})),), source="水1:6 9"),
    Schedule(rules=(OnDates(frozenset({date(2026, 1, 5), date(2026, 1, 19)})),), source="20260105 20260119"),
    Schedule(verbatim="電話で申込み", remarks=("1",), source="電話で申込み *1"),
    Schedule(remarks=("2",), source="*2"),
]


def small_data(**changes) -> GarbageData:
    """Two areas, two categories (one not collected), an item in both, a remark and a shutdown."""
    data = GarbageData(
        categories=[CategoryRecord("燃やすごみ", color="#ff0000"),
                    CategoryRecord("収集不可", collected=False, takeaway="販売店へ")],
        items=[ItemRecord("植木の枝", "燃やすごみ", "束ねる"), ItemRecord("植木の枝", "収集不可", "太いもの"),
               ItemRecord("タイヤ", "収集不可")],
        areas=[AreaRecord("香川（浅野）", ("香川", "浅野"), "東"), AreaRecord("北町", (), "西")],
        rules=[RuleRecord("香川（浅野）", "燃やすごみ", SCHEDULES[0]), RuleRecord("北町", "燃やすごみ", SCHEDULES[4])],
        remarks=[RemarkRecord("1", "市役所へお問い合わせください")],
        shutdowns=[ShutdownRecord("東", date(2026, 12, 30), date(2027, 1, 3)),
                   ShutdownRecord("西", date(2026, 12, 29), date(2027, 1, 4))],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def save(app, data, **kw) -> store.SaveSummary:
    with db.transaction(app) as session:
        return store.save_garbage(session, data, **kw)


def read(app, load, *args, **kw):
    with db.transaction(app) as session:
        return load(session, *args, **kw)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=[s.source for s in SCHEDULES])
def test_schedule_json_round_trip(schedule):
    """A schedule written as JSON text reads back equal, its source included."""
    back = store.schedule_from_json(json.loads(json.dumps(store.schedule_to_json(schedule))))
    assert back == schedule and back.source == schedule.source


def test_schedule_from_unknown_json_is_refused():
    """JSON that schedule_to_json did not write is a ValueError, not a wrong schedule."""
    with pytest.raises(ValueError):
        store.schedule_from_json({"format": 1, "rules": [{"kind": "lunar"}]})


def test_save_reports_counts(app):
    """The summary counts what was saved; exceptions left alone are None."""
    summary = save(app, small_data())
    assert summary == store.SaveSummary(categories=2, items=3, areas=2, rules=2, verbatim=1, remarks=1,
                                        shutdowns=2, exceptions=None)


def test_schedules_round_trip_through_the_database(app):
    """Every kind of schedule saved for an area loads back equal."""
    categories = [CategoryRecord(f"c{n}") for n in range(len(SCHEDULES))]
    rules = [RuleRecord("北町", f"c{n}", schedule) for n, schedule in enumerate(SCHEDULES)]
    save(app, GarbageData(categories=categories, areas=[AreaRecord("北町")], rules=rules))
    loaded = read(app, store.load_rules, "北町")
    assert [(r.category, r.schedule) for r in loaded] == [(f"c{n}", s) for n, s in enumerate(SCHEDULES)]
    assert [r.schedule.source for r in loaded] == [s.source for s in SCHEDULES]


def test_rules_carry_their_remark_texts(app):
    """A rule referring to *1 loads with the text of remark 1."""
    save(app, small_data())
    [rule] = read(app, store.load_rules, "北町")
    assert rule.remarks == ("市役所へお問い合わせください",)


def test_rules_of_an_unknown_area_are_empty(app):
    """An area name the store does not know has no rules."""
    save(app, small_data())
    assert read(app, store.load_rules, "南町") == []


def test_items_load_with_their_category_facts(app):
    """Items load as plain data with whether their category is collected and where to take them."""
    save(app, small_data())
    items = read(app, store.load_items)
    assert [(i.name, i.category, i.collected, i.takeaway) for i in items] == [
        ("植木の枝", "燃やすごみ", True, ""),
        ("植木の枝", "収集不可", False, "販売店へ"),
        ("タイヤ", "収集不可", False, "販売店へ"),
    ]
    assert all(isinstance(i, store.StoredItem) for i in items)


def test_areas_load_with_aliases(app):
    """Areas load in calendar order with their alias lists and center."""
    save(app, small_data())
    assert read(app, store.load_areas) == [
        store.StoredArea("香川（浅野）", ("香川", "浅野"), (), "東"),
        store.StoredArea("北町", (), (), "西"),
    ]


def test_save_replaces_everything(app, session):
    """A second save leaves only the second data set's rows."""
    save(app, small_data())
    save(app, small_data(items=[ItemRecord("タイヤ", "収集不可")], areas=[AreaRecord("北町")],
                         rules=[RuleRecord("北町", "燃やすごみ", SCHEDULES[1])]))
    assert session.scalars(sa.select(GarbageItem.name)).all() == ["タイヤ"]
    assert [a.name for a in read(app, store.load_areas)] == ["北町"]


def test_save_bumps_the_garbage_revision(app):
    """Each save bumps the garbage content revision."""
    save(app, small_data())
    save(app, small_data())
    assert read(app, revisions)["garbage"] == 2


def test_a_failed_save_keeps_the_previous_data(app):
    """Data naming an undefined category is refused and the stored data stay as they were."""
    save(app, small_data())
    with pytest.raises(ValueError):
        save(app, small_data(items=[ItemRecord("謎", "存在しない分類")]))
    assert len(read(app, store.load_items)) == 3


def test_exceptions_are_kept_unless_given(app):
    """Saving without exceptions keeps the stored ones; saving with a list replaces them."""
    change = CalendarChange(date(2026, 12, 31), None, None, "年末年始は収集しません")
    save(app, small_data(exceptions=[change]))
    save(app, small_data())
    assert read(app, store.load_exceptions) == [change]
    save(app, small_data(exceptions=[]))
    assert read(app, store.load_exceptions) == []


def test_policy_uses_the_stored_holiday_setting(app):
    """The policy follows the saved collect_on_public_holidays flag unless the caller overrides it."""
    save(app, small_data(), collect_on_public_holidays=False)
    assert read(app, store.load_policy).collect_on_public_holidays is False
    assert read(app, store.load_policy, True).collect_on_public_holidays is True


def test_policy_shutdowns_of_one_center(app):
    """With a center, the policy holds only that center's shutdowns; without, all of them."""
    save(app, small_data())
    assert read(app, store.load_policy, center="東").shutdowns == ((date(2026, 12, 30), date(2027, 1, 3)),)
    assert len(read(app, store.load_policy).shutdowns) == 2


def test_settings_keep_what_is_not_given(app):
    """A save without settings arguments keeps the stored flag and attribution."""
    save(app, small_data(), collect_on_public_holidays=False, attribution="出典：テスト")
    save(app, small_data())
    assert read(app, store.load_settings) == store.GarbageSettingsInfo(False, "出典：テスト")


def test_takamatsu_round_trip(app):
    """The whole 高松 import saves and loads back: every area's five schedules equal what was read."""
    data = read_takamatsu(DEMO_GARBAGE / "garbage_separation_list.csv", DEMO_GARBAGE / "garbage_collection_date.csv")
    save(app, data)
    assert len(read(app, store.load_items)) == len(data.items)
    for area in data.areas:
        expected = [(r.category, r.schedule) for r in data.rules if r.area == area.name]
        assert [(r.category, r.schedule) for r in read(app, store.load_rules, area.name)] == expected


def test_rumoi_round_trip(app):
    """The whole 留萌 import saves and loads back with every schedule equal."""
    if not (RUMOI / "target.csv").is_file():
        pytest.skip(f"留萌 5374 data not found at {RUMOI} (shared data next to the repo; it has no licence to ship)")
    data = read_5374(RUMOI)
    save(app, data)
    with db.transaction(app) as session:
        loaded = {(area.name, r.category): r.schedule for area in store.load_areas(session)
                  for r in store.load_rules(session, area.name)}
    assert loaded == {(r.area, r.category): r.schedule for r in data.rules}
