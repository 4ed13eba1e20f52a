"""Aggregation units: a broadcast's multicasts carry the broadcast's unit, so LINE counts their opens and
clicks under it; other batches and pushes carry none (through the real sender and SDK client)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from push import broadcasts
from push.messages import aggregation_unit
from residents.models import Resident
from residents.models import ResidentStatus
from tests.conftest import NOW
from tests.push.helpers import user

TOKYO = ZoneInfo("Asia/Tokyo")
MULTICAST = "/v2/bot/message/multicast"
PUSH = "/v2/bot/message/push"
LINE_UNIT = re.compile(r"^[a-zA-Z0-9_]{1,30}$")  # customAggregationUnits' pattern in LINE's spec


@pytest.fixture
def planned(factory):
    """Consenting residents ``user(start) …`` and an approved broadcast to all residents, planned at ``NOW``;
    returns the broadcast's id."""

    def plan(count: int, *, start: int = 0) -> int:
        with factory.begin() as session:
            session.execute(sa.insert(Resident), [
                {"line_user_id": user(n), "status": ResidentStatus.ACTIVE, "consent_at": NOW}
                for n in range(start, start + count)])
            created = broadcasts.create(session, text="市民まつりは11月23日です。", scheduled_at=NOW, now=NOW,
                                        created_by="田中")
            for name in ("佐藤", "鈴木"):
                broadcasts.approve(session, created.id, name, NOW)
            broadcast_id = created.id
        [outcome] = broadcasts.plan_broadcasts(factory, NOW, timezone=TOKYO)
        assert outcome.started
        return broadcast_id

    return plan


@pytest.mark.parametrize("broadcast_id", [1, 42, 2**63 - 1])
def test_a_broadcasts_unit_is_a_name_line_accepts(broadcast_id):
    """Every broadcast id, up to the largest 64-bit one, gives a unit within LINE's pattern."""
    assert LINE_UNIT.match(aggregation_unit(broadcast_id))


def test_each_broadcast_has_its_own_unit():
    """Two broadcasts never share a unit, so their statistics stay apart."""
    assert aggregation_unit(1) != aggregation_unit(11)


def test_every_multicast_of_a_broadcast_carries_its_unit(planned, send, line_api):
    """A broadcast to 700 residents goes as two multicasts, each with the broadcast's unit."""
    broadcast_id = planned(700)

    assert send().sent == 700

    assert line_api.aggregation_units() == [aggregation_unit(broadcast_id)] * 2
    assert line_api.violations == []


def test_two_broadcasts_are_counted_under_two_units(planned, send, line_api):
    """Each broadcast's multicast carries its own unit."""
    first = planned(2)
    second = planned(2, start=2)

    send()

    assert sorted(line_api.aggregation_units()) == sorted([aggregation_unit(first), aggregation_unit(second)])


def test_a_batch_that_is_not_a_broadcast_carries_no_unit(add_residents, plan, send, line_api):
    """Identical reminders batched into a multicast are sent without customAggregationUnits."""
    plan(add_residents(3))

    assert send().sent == 3

    assert line_api.aggregation_units() == [None]
    assert [r.json.keys() for r in line_api.requests if r.path == MULTICAST] == [{"to", "messages"}]


def test_a_push_carries_no_unit(add_residents, plan, send, line_api):
    """A personal delivery is pushed with the same body as before: to and messages only."""
    plan(add_residents(1), personal=True)

    send()

    assert [r.json.keys() for r in line_api.requests if r.path == PUSH] == [{"to", "messages"}]


def test_a_retried_broadcast_batch_repeats_its_unit(planned, send, line_api):
    """After a 500 the retry sends the same body, unit included, under the same key: LINE sees one request."""
    broadcast_id = planned(3)
    line_api.fail_next(500, path=MULTICAST)

    send()
    send(minutes=2)

    first, second = [r for r in line_api.requests if r.path == MULTICAST]
    assert first.json == second.json
    assert second.json["customAggregationUnits"] == [aggregation_unit(broadcast_id)]
    assert line_api.aggregation_units() == [aggregation_unit(broadcast_id)]
    assert line_api.violations == []
