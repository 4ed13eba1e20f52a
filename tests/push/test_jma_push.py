"""A JMA telegram staff relayed (or the pack relays itself) reaches the residents who chose 防災 once, as an
emergency broadcast of JMA's own words; a draft, a dismissed or a skipped telegram never does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from disaster.jma import city
from disaster.jma import reports
from push import broadcasts
from push import jma as push_jma
from push import quiet
from push.models import Broadcast
from push.sender import send_due
from residents.models import Resident
from residents.models import Subscription
from tests.conftest import NOW
from tests.push.helpers import received
from tests.push.helpers import user

DATA = Path(__file__).resolve().parents[1] / "data" / "jma"
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def residents(factory):
    """Consenting residents: 0 and 1 in 大町 with 防災, 2 in 港町 with 防災, 3 in 大町 without it."""
    with factory.begin() as session:
        for n, (area, disaster) in enumerate([("大町", True), ("大町", True), ("港町", True), ("大町", False)]):
            resident = Resident(line_user_id=user(n), area=area, consent_at=NOW)
            session.add(resident)
            session.flush()
            if disaster:
                session.add(Subscription(resident_id=resident.id, category="防災"))


def ingest(factory, name: str, **table) -> int:
    with factory.begin() as session:
        reports.save_config(session, city.read_config(table))
    with factory.begin() as session:
        return reports.ingest(session, (DATA / name).read_bytes(), NOW, config=reports.load_config(session),
                              timezone=TOKYO).report_id


def deliver(factory, client, at=NOW) -> None:
    push_jma.broadcast_reports(factory, at)
    broadcasts.plan_broadcasts(factory, at, timezone=TOKYO, quiet=quiet.parse("21:00-08:00"))
    send_due(factory, client, at)
    send_due(factory, client, at + timedelta(minutes=1))


def test_a_relayed_telegram_reaches_every_resident_who_chose_disaster_once(factory, residents, line_api,
                                                                           sdk_line_client):
    report_id = ingest(factory, "VXWW50_oshima-hiyama_jma-sample_happyo.xml", municipalities=["0133100"])
    with factory.begin() as session:
        reports.relay(session, report_id, by="田中", now=NOW)
    deliver(factory, sdk_line_client)
    assert push_jma.broadcast_reports(factory, NOW) == []  # never a second broadcast
    deliver(factory, sdk_line_client, NOW + timedelta(minutes=5))
    assert received(line_api) == {user(0): 1, user(1): 1, user(2): 1}
    assert line_api.violations == []
    [(_to, messages, _key)] = line_api.multicasts
    assert messages[0]["text"].startswith("【気象庁】渡島・檜山地方土砂災害警戒情報")
    assert messages[0]["text"].endswith("出典：気象庁ホームページ（気象庁防災情報XML）")


def test_the_broadcast_is_an_emergency_approved_by_who_relayed_it(factory, residents):
    report_id = ingest(factory, "VXWW50_oshima-hiyama_jma-sample_happyo.xml", municipalities=["0133100"])
    with factory.begin() as session:
        reports.relay(session, report_id, by="田中", now=NOW)
    [broadcast_id] = push_jma.broadcast_reports(factory, NOW)
    with factory() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast.emergency and [a.approver for a in broadcast.approvals] == ["田中"]


def test_a_pack_mapping_a_code_to_areas_reaches_only_those_areas(factory, residents, line_api, sdk_line_client):
    report_id = ingest(factory, "VXWW50_oshima-hiyama_jma-sample_happyo.xml", municipalities=["0133100"],
                       areas={"0133100": ["港町"]})
    with factory.begin() as session:
        reports.relay(session, report_id, by="田中", now=NOW)
    deliver(factory, sdk_line_client)
    assert received(line_api) == {user(2): 1}


def test_an_earthquake_the_pack_relays_itself_goes_out_at_night(factory, residents, line_api, sdk_line_client):
    night = NOW.replace(hour=14, minute=30)  # 23:30 in Tokyo: quiet hours for other pushes
    ingest(factory, "VXSE53_hokkaido-toho-oki_20210220.xml", municipalities=["0122300"], min_intensity="3",
           auto_relay=["震度３"])
    deliver(factory, sdk_line_client, night)
    assert set(received(line_api)) == {user(0), user(1), user(2)}


@pytest.mark.parametrize("decide", ["leave", "dismiss"])
def test_a_draft_or_a_dismissed_telegram_is_never_pushed(factory, residents, line_api, sdk_line_client, decide):
    report_id = ingest(factory, "VXWW50_oshima-hiyama_jma-sample_happyo.xml", municipalities=["0133100"])
    if decide == "dismiss":
        with factory.begin() as session:
            reports.dismiss(session, report_id, by="田中", now=NOW)
    deliver(factory, sdk_line_client)
    assert received(line_api) == {}


def test_a_multicast_line_refuses_at_first_still_reaches_each_resident_once(factory, residents, line_api,
                                                                            sdk_line_client):
    report_id = ingest(factory, "VXWW50_oshima-hiyama_jma-sample_happyo.xml", municipalities=["0133100"])
    with factory.begin() as session:
        reports.relay(session, report_id, by="田中", now=NOW)
    line_api.fail_next(500, times=2, path="/v2/bot/message/multicast")
    deliver(factory, sdk_line_client)
    for minutes in (5, 15, 60):
        send_due(factory, sdk_line_client, NOW + timedelta(minutes=minutes))
    assert received(line_api) == {user(0): 1, user(1): 1, user(2): 1}
