"""Broadcasts: create, approve (two people for `all` and emergencies), cancel, quota check, plan and send."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from push import broadcasts
from push import quiet
from push.broadcasts import BroadcastError
from push.models import Broadcast
from push.models import BroadcastApproval
from push.models import BroadcastStatus
from push.quiet import EMERGENCY_KIND
from residents.models import Resident
from residents.models import ResidentStatus
from tests.conftest import NOW
from tests.push.helpers import batches
from tests.push.helpers import listed
from tests.push.helpers import received
from tests.push.helpers import rows
from tests.push.helpers import user

TOKYO = ZoneInfo("Asia/Tokyo")
TEXT = "12月1日は市役所の窓口が18時まで開いています。"


@pytest.fixture
def residents_in(factory):
    """Create ``count`` consenting active residents in ``area``, numbered from ``start``."""

    def add(count: int, area: str = "大町", start: int = 0) -> list[str]:
        ids = [user(n) for n in range(start, start + count)]
        with factory.begin() as session:
            session.execute(sa.insert(Resident), [
                {"line_user_id": i, "status": ResidentStatus.ACTIVE, "area": area, "consent_at": NOW} for i in ids])
        return ids

    return add


@pytest.fixture
def broadcast(factory):
    """Create a broadcast directly (due at ``NOW`` unless told otherwise) and approve it by ``approvers``."""

    def make(segment: str = "area:大町", *, emergency: bool = False, at: datetime = NOW,
             approvers: tuple[str, ...] = ("佐藤",)) -> int:
        with factory.begin() as session:
            created = broadcasts.create(session, text=TEXT, segment=segment, scheduled_at=at, now=NOW,
                                        emergency=emergency, created_by="田中")
            for name in approvers:
                broadcasts.approve(session, created.id, name, NOW)
            return created.id

    return make


def status(factory, broadcast_id: int) -> BroadcastStatus:
    with factory() as session:
        return session.get(Broadcast, broadcast_id).status


def plan_now(factory, when: datetime = NOW, **options):
    options.setdefault("timezone", TOKYO)
    return broadcasts.plan_broadcasts(factory, when, **options)


def test_create_prints_the_new_id_on_the_first_line(runner, factory):
    """`push broadcast create` prints the id alone on its first line and stores a draft."""
    result = runner.invoke(args=["push", "broadcast", "create", "--text", TEXT, "--segment", "area:大町",
                                 "--at", "2026-11-21T10:00", "--by", "田中"])
    assert result.exit_code == 0, result.output
    broadcast_id = int(result.output.splitlines()[0])
    with factory() as session:
        created = session.get(Broadcast, broadcast_id)
        assert (created.status, created.segment, created.created_by) == (BroadcastStatus.DRAFT, "area:大町", "田中")
        assert created.scheduled_at == datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 10:00 JST


def test_create_refuses_a_bad_segment_with_its_position(runner):
    """A malformed segment is refused with the position of the problem and nothing is created."""
    result = runner.invoke(args=["push", "broadcast", "create", "--text", TEXT, "--segment", "area:大町 and or"])
    assert result.exit_code != 0
    assert "at position 13" in result.output


def test_an_all_resident_broadcast_needs_two_different_approvers(broadcast, factory):
    """`all` stays a draft after one approval, and after the same approver again; a second person approves it."""
    broadcast_id = broadcast("all", approvers=("佐藤", "佐藤"))
    assert status(factory, broadcast_id) == BroadcastStatus.DRAFT
    with factory.begin() as session:
        broadcasts.approve(session, broadcast_id, "鈴木", NOW)
    assert status(factory, broadcast_id) == BroadcastStatus.APPROVED


def test_an_emergency_broadcast_needs_two_approvers(broadcast, factory):
    """An emergency to one area needs two approvers too."""
    assert status(factory, broadcast("area:大町", emergency=True)) == BroadcastStatus.DRAFT
    assert status(factory, broadcast("area:大町", emergency=True, approvers=("佐藤", "鈴木"))) == \
        BroadcastStatus.APPROVED


def test_a_segment_broadcast_needs_one_approval(broadcast, factory):
    """A non-emergency broadcast to a segment is approved by one person."""
    assert status(factory, broadcast("area:大町")) == BroadcastStatus.APPROVED


def test_the_creator_may_not_approve_their_own_broadcast(broadcast, factory):
    """The creator (田中) approving is refused with BroadcastError, and no approval is recorded."""
    broadcast_id = broadcast("area:大町", approvers=())
    with factory.begin() as session, pytest.raises(BroadcastError, match="田中 created broadcast .* may not approve"):
        broadcasts.approve(session, broadcast_id, "田中", NOW)
    with factory() as session:
        assert session.get(Broadcast, broadcast_id).approvals == []
    assert status(factory, broadcast_id) == BroadcastStatus.DRAFT


@pytest.mark.parametrize(("creator", "approver"), [
    ("田中", " 田中\u3000"),  # spaces around, one of them full-width
    ("田中 太郎", "田中\u3000\u3000太郎"),  # a full-width space, twice, between the names
    ("ﾀﾅｶ", "タナカ"),  # half-width and full-width katakana
    ("Ｔａｎａｋａ", "Tanaka"),  # full-width and half-width letters
    ("tanaka", "TANAKA"),  # letter case
], ids=["spaces", "inner-spaces", "kana-width", "letter-width", "case"])
def test_the_creator_is_recognised_under_another_spelling(factory, creator, approver):
    """A spacing, width or case variant of the creator's name is the creator, and is refused."""
    with factory.begin() as session:
        broadcast_id = broadcasts.create(session, text=TEXT, segment="area:大町", scheduled_at=NOW, now=NOW,
                                         created_by=creator).id
    with factory.begin() as session, pytest.raises(BroadcastError, match="may not approve"):
        broadcasts.approve(session, broadcast_id, approver, NOW)


def test_two_spellings_of_one_approver_count_once(broadcast, factory):
    """サトウ and ｻﾄｳ (full- and half-width) are one person: an `all` broadcast stays a draft after both."""
    assert status(factory, broadcast("all", approvers=("サトウ", "ｻﾄｳ"))) == BroadcastStatus.DRAFT


def test_an_approval_by_the_creator_recorded_earlier_does_not_count(broadcast, factory):
    """A creator's approval stored before the rule (田中 on 田中's broadcast) plus one other person leaves an
    `all` broadcast a draft."""
    broadcast_id = broadcast("all", approvers=())
    with factory.begin() as session:
        session.add(BroadcastApproval(broadcast_id=broadcast_id, approver="田中", at=NOW))
    with factory.begin() as session:
        approved = broadcasts.approve(session, broadcast_id, "佐藤", NOW)
        assert (approved.status, broadcasts.approvers(approved)) == (BroadcastStatus.DRAFT, ["佐藤"])


def test_a_broadcast_without_a_known_creator_still_needs_two_different_approvers(factory):
    """Created without a name, an `all` broadcast is approved only by two different people."""
    with factory.begin() as session:
        broadcast_id = broadcasts.create(session, text=TEXT, segment="all", scheduled_at=NOW, now=NOW).id
        broadcasts.approve(session, broadcast_id, "佐藤", NOW)
        broadcasts.approve(session, broadcast_id, "佐藤", NOW)
    assert status(factory, broadcast_id) == BroadcastStatus.DRAFT
    with factory.begin() as session:
        broadcasts.approve(session, broadcast_id, "鈴木", NOW)
    assert status(factory, broadcast_id) == BroadcastStatus.APPROVED


def test_approve_by_the_creator_fails_with_a_message(runner, factory):
    """`push broadcast approve --approver` with the creator's name exits with an error saying why."""
    created = runner.invoke(args=["push", "broadcast", "create", "--text", TEXT, "--segment", "all", "--by", "田中"])
    broadcast_id = created.output.splitlines()[0]
    result = runner.invoke(args=["push", "broadcast", "approve", broadcast_id, "--approver", "田中"])
    assert result.exit_code == 1
    assert f"Error: 田中 created broadcast {broadcast_id} and may not approve it" in result.output
    assert status(factory, int(broadcast_id)) == BroadcastStatus.DRAFT


def test_the_help_says_the_creator_may_not_approve(runner):
    """`push broadcast --help` states that the creator may not approve their own broadcast."""
    result = runner.invoke(args=["push", "broadcast", "--help"])
    assert "creator may not approve their own broadcast" in " ".join(result.output.split())


def test_a_future_broadcast_is_scheduled_and_not_started_early(broadcast, factory, residents_in):
    """An approved broadcast for tomorrow is `scheduled` and planning today adds nothing."""
    residents_in(3)
    broadcast_id = broadcast(at=NOW + timedelta(days=1))
    assert status(factory, broadcast_id) == BroadcastStatus.SCHEDULED
    assert plan_now(factory) == []


def test_a_draft_is_never_started(broadcast, factory, residents_in):
    """Planning leaves a broadcast without enough approvals alone."""
    residents_in(3)
    broadcast("all")
    assert plan_now(factory) == []


def test_cancel_stops_a_broadcast_before_it_starts(broadcast, factory, residents_in, runner):
    """`push broadcast cancel` marks it cancelled and planning then adds nothing."""
    residents_in(3)
    broadcast_id = broadcast()
    result = runner.invoke(args=["push", "broadcast", "cancel", str(broadcast_id)])
    assert result.exit_code == 0, result.output
    assert status(factory, broadcast_id) == BroadcastStatus.CANCELLED
    assert plan_now(factory) == []


def test_cancel_after_planning_cancels_the_waiting_deliveries(broadcast, factory, residents_in, session):
    """Cancelling a sending broadcast cancels its deliveries that no worker holds."""
    residents_in(3)
    broadcast_id = broadcast()
    plan_now(factory)
    with factory.begin() as s:
        assert broadcasts.cancel(s, broadcast_id, NOW) == 3
    assert broadcasts.delivery_counts(session, broadcast_id) == {"cancelled": 3}


def test_two_approvals_at_the_same_moment_are_both_counted(database_url, broadcast, factory):
    """PostgreSQL: a second person approving while the first one's approval is not yet committed waits for it,
    then counts both, so the `all` broadcast is approved."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL); SQLite runs one writer at a time")
    broadcast_id = broadcast("all", approvers=())
    with factory.begin() as first:
        broadcasts.approve(first, broadcast_id, "佐藤", NOW)

        def second():
            with factory.begin() as session:
                broadcasts.approve(session, broadcast_id, "鈴木", NOW)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive()  # waiting for the first approval to commit
    thread.join(5)
    assert status(factory, broadcast_id) == BroadcastStatus.APPROVED


def test_a_cancelled_broadcast_cannot_be_approved(broadcast, factory):
    """Approving a cancelled broadcast raises BroadcastError."""
    broadcast_id = broadcast("all", approvers=())
    with factory.begin() as session:
        broadcasts.cancel(session, broadcast_id, NOW)
    with factory.begin() as session, pytest.raises(BroadcastError, match="cancelled"):
        broadcasts.approve(session, broadcast_id, "佐藤", NOW)


def test_planning_lists_each_recipient_once_in_batches_of_one_content(broadcast, factory, residents_in, session):
    """Each resident in the segment is listed once in the broadcast's batches, which share one content, and no
    one else is; no delivery row is written per resident."""
    ours = residents_in(3)
    residents_in(2, area="港町", start=10)
    broadcast_id = broadcast()
    [outcome] = plan_now(factory)
    assert outcome.started and outcome.reach == 3
    assert listed(session, broadcast_id) == Counter(ours)
    assert len({batch.content_hash for batch in batches(session, broadcast_id)}) == 1
    assert rows(session) == []
    assert status(factory, broadcast_id) == BroadcastStatus.SENDING


def test_a_broadcast_over_the_quota_is_not_started(broadcast, factory, residents_in, session):
    """With fewer messages left than its reach, the broadcast stays approved, with the reason kept."""
    residents_in(5)
    broadcast_id = broadcast()
    [outcome] = plan_now(factory, quota=lambda: 4)
    assert not outcome.started and rows(session) == [] and batches(session, broadcast_id) == []
    with factory() as s:
        refused = s.get(Broadcast, broadcast_id)
        assert refused.status == BroadcastStatus.APPROVED and "exceed the 4 messages left" in refused.note


def test_messages_already_queued_count_against_the_quota(broadcast, factory, residents_in, session):
    """With 10 left but 6 deliveries already waiting, a 5-recipient broadcast is not started."""
    from push.outbox import PlannedDelivery
    from push.outbox import enqueue

    residents_in(5)
    with factory.begin() as s:
        enqueue(s, [PlannedDelivery(f"other:{i}", f"U{i:032x}", "lifestage", [{"type": "text", "text": "x"}], NOW)
                    for i in range(6)])
    broadcast_id = broadcast()
    [outcome] = plan_now(factory, quota=lambda: 10)
    assert not outcome.started
    with factory() as s:
        assert "exceed the 4 messages left" in s.get(Broadcast, broadcast_id).note


def test_the_quota_check_asks_the_fake_line_server(broadcast, factory, residents_in, sdk_line_client, line_api,
                                                   runner):
    """Quota 100 with 97 used refuses a 5-recipient broadcast through SdkLineClient; `show` says why."""
    line_api.quota, line_api.consumption = 100, 97
    residents_in(5)
    broadcast_id = broadcast()
    [outcome] = plan_now(factory, quota=broadcasts.line_quota(sdk_line_client))
    assert not outcome.started
    shown = runner.invoke(args=["push", "broadcast", "show", str(broadcast_id)])
    assert "status: approved" in shown.output and "reach: 5" in shown.output
    assert "exceed the 3 messages left" in shown.output


def test_no_quota_limit_starts_the_broadcast(broadcast, factory, residents_in, sdk_line_client, line_api):
    """A quota of type none (no limit) lets any reach start."""
    line_api.quota = None
    residents_in(5)
    broadcast()
    [outcome] = plan_now(factory, quota=broadcasts.line_quota(sdk_line_client))
    assert outcome.started


def test_a_non_emergency_broadcast_due_at_night_waits_for_the_morning(broadcast, factory, residents_in, session):
    """A broadcast due at 22:00 local is planned for 08:00 the next morning."""
    residents_in(2)
    night = datetime(2026, 11, 20, 22, 0, tzinfo=TOKYO).astimezone(UTC)
    broadcast_id = broadcast(at=night)
    plan_now(factory, night, quiet=quiet.parse("21:00-08:00"))
    morning = datetime(2026, 11, 21, 8, 0, tzinfo=TOKYO).astimezone(UTC)
    assert {batch.next_attempt_at for batch in batches(session, broadcast_id)} == {morning}


def test_an_emergency_broadcast_goes_at_once_at_night(broadcast, factory, residents_in, session):
    """An emergency broadcast due at 22:00 local is planned for 22:00, as an emergency row."""
    residents_in(2)
    night = datetime(2026, 11, 20, 22, 0, tzinfo=TOKYO).astimezone(UTC)
    broadcast_id = broadcast(emergency=True, at=night, approvers=("佐藤", "鈴木"))
    plan_now(factory, night, quiet=quiet.parse("21:00-08:00"))
    assert {(batch.next_attempt_at, batch.kind) for batch in batches(session, broadcast_id)} == {(night, EMERGENCY_KIND)}


def test_create_approve_plan_send_through_the_fake_line_server(runner, residents_in, line_api, factory):
    """1,001 residents get the broadcast exactly once, by multicasts of at most 500, and it ends done."""
    line_api.quota = None
    users = residents_in(1001)
    created = runner.invoke(args=["push", "broadcast", "create", "--text", TEXT, "--segment", "all", "--by", "田中"])
    broadcast_id = created.output.splitlines()[0]
    for name in ("佐藤", "鈴木"):
        assert runner.invoke(args=["push", "broadcast", "approve", broadcast_id, "--approver", name]).exit_code == 0
    planned = runner.invoke(args=["push", "plan"])
    assert f"broadcast {broadcast_id}: started, 1001 recipients" in planned.output, planned.output
    sent = runner.invoke(args=["push", "send-due"])
    assert sent.exit_code == 0, sent.output
    assert received(line_api) == Counter(users)
    assert line_api.multicasts and all(len(recipients) <= 500 for recipients, _m, _k in line_api.multicasts)
    assert all(m == [{"type": "text", "text": TEXT}] for _r, m, _k in line_api.multicasts)
    runner.invoke(args=["push", "plan"])
    assert status(factory, int(broadcast_id)) == BroadcastStatus.DONE


def test_list_shows_each_broadcast(runner, broadcast):
    """`push broadcast list` shows the id, status, segment and approvals of each broadcast."""
    broadcast_id = broadcast("all", approvers=("佐藤",))
    result = runner.invoke(args=["push", "broadcast", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{broadcast_id}\tdraft\t") and "\tall\t1/2\t" in result.output
