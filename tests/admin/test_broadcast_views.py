"""The console's broadcasts: composed with a segment built from choices, its reach and the month's quota shown
before saving, approved by people other than its author (two for everyone), cancelled, and followed through
delivery at the fake LINE server to the opens and clicks LINE's insight API reports."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import db
from admin import texts
from admin.models import AuditEntry
from admin.models import Role
from push import broadcasts
from push.messages import aggregation_unit
from push.models import Broadcast
from push.models import BroadcastStatus
from push.sender import send_due
from residents.models import Resident
from residents.models import ResidentStatus
from residents.models import Subscription
from tests.admin.conftest import csrf_token
from tests.admin.conftest import log_in
from tests.admin.conftest import make_user
from tests.conftest import NOW

TOKYO = ZoneInfo("Asia/Tokyo")
TEXT = "12月1日は市役所の窓口が18時まで開いています。"
LATER = (NOW + timedelta(hours=2)).astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def residents(app):
    """Three consenting residents in 大町 (one who chose 子育て) and two in 港町."""
    people = [("U" + str(n) * 32, area, "子育て" if n == 1 else "") for n, area in
              ((1, "大町"), (2, "大町"), (3, "大町"), (4, "港町"), (5, "港町"))]
    with db.transaction(app) as session:
        for user, area, category in people:
            resident = Resident(line_user_id=user, status=ResidentStatus.ACTIVE, area=area, consent_at=NOW)
            session.add(resident)
            session.flush()
            if category:
                session.add(Subscription(resident_id=resident.id, category=category))
    return [user for user, _area, _category in people]


def page(response) -> str:
    return response.get_data(as_text=True)


def compose(client, button: str = "save", **fields):
    data = {"csrf_token": csrf_token(client, "/admin/broadcasts/new"), "text": TEXT, "at": LATER, button: "y",
            **fields}
    return client.post("/admin/broadcasts/new", data=data)


def created(response) -> int:
    assert response.status_code == 302, page(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def post(client, target: str):
    return client.post(target, data={"csrf_token": csrf_token(client, "/admin/")})


def stored(app, broadcast_id: int) -> Broadcast:
    with db.read_transaction(app) as session:
        found = session.get(Broadcast, broadcast_id)
        session.expunge(found)
        return found


def test_counting_shows_the_reach_and_the_quota_and_saves_nothing(app, users, signed_in, residents):
    """「人数を数える」 for area 大町: 3 residents, the month's quota left from LINE, one approval; nothing kept."""
    shown = page(compose(signed_in(Role.EDITOR), "count", advanced="area:大町"))
    assert "届く人数：<strong>3</strong>人" in shown
    assert "今月の残り通数：<strong>1000</strong>通" in shown
    assert "必要な承認：1人" in shown
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Broadcast)) == 0


def test_the_live_count_builds_the_segment_from_the_choices(app, users, signed_in, residents):
    """Two areas are any-of, a category is all-of with them: (area:大町 or area:港町) and category:子育て → 1."""
    answer = signed_in(Role.EDITOR).get("/admin/broadcasts/reach", query_string=[
        ("areas", "大町"), ("areas", "港町"), ("categories", "子育て")]).get_json()
    assert answer == {"segment": "(area:大町 or area:港町) and category:子育て", "reach": 1}


def test_nothing_chosen_is_everyone(app, users, signed_in, residents):
    assert signed_in(Role.EDITOR).get("/admin/broadcasts/reach").get_json() == {"segment": "all", "reach": 5}


def test_a_bad_expression_is_pointed_at_and_nothing_is_saved(app, users, signed_in, residents):
    """An unknown category in the written expression: the page says at which character, with a 400."""
    response = compose(signed_in(Role.EDITOR), advanced="category:花火")
    assert response.status_code == 400
    assert "配信先の式の10文字目に誤りがあります" in page(response)
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Broadcast)) == 0


def test_a_time_in_the_past_is_refused(app, users, signed_in, residents):
    earlier = (NOW - timedelta(hours=1)).astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")
    response = compose(signed_in(Role.EDITOR), advanced="area:大町", at=earlier)
    assert response.status_code == 400 and texts.BROADCAST_PAST in page(response)


def test_a_saved_broadcast_keeps_its_link_segment_time_and_author(app, users, signed_in, residents):
    """The link goes on its own line under the text; the time is read in the city's zone; audited."""
    broadcast_id = created(compose(signed_in(Role.EDITOR), advanced="area:大町", link="https://example.jp/mado"))
    found = stored(app, broadcast_id)
    assert (found.text, found.segment, found.created_by, found.status) == (
        TEXT + "\nhttps://example.jp/mado", "area:大町", "editor1", BroadcastStatus.DRAFT)
    assert found.scheduled_at == NOW + timedelta(hours=2)
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == \
            "broadcast.create"


def test_the_author_cannot_approve_their_own_broadcast(app, users, signed_in, residents):
    """An approver who wrote it gets no 承認する button, and a post is refused with the reason."""
    approver = signed_in(Role.APPROVER)
    broadcast_id = created(compose(approver, advanced="area:大町"))
    assert ">承認する</button>" not in page(approver.get(f"/admin/broadcasts/{broadcast_id}"))
    response = post(approver, f"/admin/broadcasts/{broadcast_id}/approve")
    assert texts.BROADCAST_OWN in page(approver.get(response.headers["Location"]))
    assert stored(app, broadcast_id).status is BroadcastStatus.DRAFT


def test_an_editor_cannot_approve(app, users, signed_in, residents):
    editor = signed_in(Role.EDITOR)
    broadcast_id = created(compose(editor, advanced="area:大町"))
    assert post(editor, f"/admin/broadcasts/{broadcast_id}/approve").status_code == 403


def test_a_broadcast_to_everyone_needs_two_approvers(app, users, signed_in, residents):
    """After one approval it still waits, and says so; the second schedules it."""
    broadcast_id = created(compose(signed_in(Role.EDITOR)))
    first = signed_in(Role.APPROVER)
    response = post(first, f"/admin/broadcasts/{broadcast_id}/approve")
    assert texts.BROADCAST_NEEDS_MORE in page(first.get(response.headers["Location"]))
    post(signed_in(Role.ADMIN), f"/admin/broadcasts/{broadcast_id}/approve")
    assert stored(app, broadcast_id).status is BroadcastStatus.SCHEDULED


def test_the_author_cancels_a_broadcast_another_editor_cannot(app, users, signed_in, residents):
    editor = signed_in(Role.EDITOR)
    broadcast_id = created(compose(editor, advanced="area:大町"))
    make_user(app, "editor2", Role.EDITOR)
    other = app.test_client()
    log_in(other, "editor2")
    assert post(other, f"/admin/broadcasts/{broadcast_id}/cancel").status_code == 403
    post(editor, f"/admin/broadcasts/{broadcast_id}/cancel")
    assert stored(app, broadcast_id).status is BroadcastStatus.CANCELLED


def test_an_approved_broadcast_is_delivered_and_followed_to_its_opens(app, users, signed_in, residents, line_api,
                                                                     sdk_line_client):
    """Approved and due: planned and sent by multicast with the broadcast's aggregation unit; the page shows
    3 sent, and the opens and clicks the insight API reports for that unit."""
    broadcast_id = created(compose(signed_in(Role.EDITOR), advanced="area:大町", link="https://example.jp/mado"))
    post(signed_in(Role.APPROVER), f"/admin/broadcasts/{broadcast_id}/approve")
    factory = db.session_factory(app)
    due = NOW + timedelta(hours=2)
    broadcasts.plan_broadcasts(factory, due, timezone=TOKYO)
    send_due(factory, sdk_line_client, due)
    (to, _messages, _key), = line_api.multicasts
    assert sorted(to) == sorted(residents[:3])
    assert line_api.aggregation_units() == [aggregation_unit(broadcast_id)]
    line_api.set_unit_statistics(aggregation_unit(broadcast_id), opened=3, clicked=2,
                                 clicks=[("https://example.jp/mado", 4, 2)])
    shown = page(signed_in(Role.EDITOR).get(f"/admin/broadcasts/{broadcast_id}"))
    assert "送信済み <strong>3</strong>人" in shown
    assert "開いた人：<strong>3</strong>人" in shown and "リンクを開いた人：<strong>2</strong>人" in shown
    assert "<td>https://example.jp/mado</td><td>4</td><td>2</td>" in shown
