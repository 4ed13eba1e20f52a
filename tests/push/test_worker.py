"""The push worker as a real process: killed mid-batch and restarted, stopped by SIGTERM; and two workers
sharing one PostgreSQL outbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import runtime
from messaging.client import SdkLineClient
from push import broadcasts
from push.models import Delivery
from push.models import DeliveryBatch
from push.models import DeliveryStatus
from push.ratelimit import RateLimiter
from push.sender import send_due
from push.worker import Worker
from push.worker import register_pass
from residents.models import Resident
from residents.models import ResidentStatus
from tests import factories
from tests.conftest import NOW
from tests.fakes import FakeLineClient
from tests.push.helpers import received
from tests.push.helpers import rows
from tests.push.helpers import user
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout: float, what: str) -> None:
    """Poll ``condition`` until it is true, or fail naming ``what``."""
    wait_until(condition, what, timeout, every=0.05)


@pytest.fixture
def start_worker(database_url, line_api, tmp_path):
    """Start `flask --app app push worker` against the test database and the fake LINE server.

    Its output goes to ``process.log`` (a file, so a chatty worker never blocks on a full pipe).
    """
    processes = []

    def start(lease: float = 30.0, concurrency: int | None = None, *, plan: bool = False) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": database_url, "LINE_CHANNEL_SECRET": factories.CHANNEL_SECRET,
               "LINE_CHANNEL_ACCESS_TOKEN": "dummy-channel-access-token", "LINE_API_HOST": line_api.url,
               "PUSH_LEASE_SECONDS": str(lease), "LOG_LEVEL": "WARNING",
               "PUSH_QUIET_HOURS": ""}  # real wall-clock time: quiet hours would hold the sends
        if concurrency is not None:  # otherwise the app's default PUSH_SEND_CONCURRENCY
            env["PUSH_SEND_CONCURRENCY"] = str(concurrency)
        log = tmp_path / f"worker-{len(processes)}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "push", "worker", "--idle", "0.1",
                 *([] if plan else ["--no-plan"])],
                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        process.log = log
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()


def due_now():
    return datetime.now(UTC) - timedelta(minutes=1)


def test_a_worker_killed_mid_batch_then_restarted_sends_everything_exactly_once(
        add_residents, plan, start_worker, line_api, session):
    """SIGKILL while LINE holds the answer to a multicast: the restarted worker resends it under the same
    key after the lease, gets 409, and every recipient has the message once."""
    users = add_residents(600)
    plan(users[:550], send_after=due_now())
    plan(users[550:], personal=True, kind="personal", send_after=due_now())
    line_api.delay_next(5.0, path="/v2/bot/message/multicast")
    first = start_worker(lease=3)
    wait_for(lambda: line_api.requests, 20, "the first request")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert DeliveryStatus.SENDING in {row.effective_status for row in rows(session)}
    second = start_worker(lease=3)
    wait_for(lambda: {row.effective_status for row in rows(session)} == {DeliveryStatus.SENT}, 30, "every row sent")
    second.terminate()
    second.wait(10)
    assert received(line_api) == Counter(users)
    assert 409 in {r.status for r in line_api.requests}
    assert line_api.violations == []


def latest_lease(session):
    """The latest ``claimed_until`` of the batches and rows being sent (None: nothing is)."""
    session.rollback()
    leases = [session.scalar(sa.select(sa.func.max(model.claimed_until)).where(model.status == DeliveryStatus.SENDING))
              for model in (DeliveryBatch, Delivery)]
    return max((lease for lease in leases if lease is not None), default=None)


def test_a_killed_worker_s_renewed_claims_are_taken_over_by_the_next_worker(
        add_residents, plan, start_worker, line_api, session):
    """SIGKILL while LINE holds the answers to its requests, after it renewed its claims: the next worker takes
    them over once the lease runs out, well within a minute, and every recipient has the message once."""
    users = add_residents(1100)
    plan(users[:1000], send_after=due_now())
    plan(users[1000:], personal=True, kind="personal", send_after=due_now())
    line_api.delay_next(5.0, times=4)
    first = start_worker(lease=2, concurrency=4)
    wait_for(lambda: len(line_api.requests) >= 4, 20, "four requests in flight")
    claimed = latest_lease(session)
    wait_for(lambda: (latest_lease(session) or claimed) > claimed, 10, "a renewal of the claims")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert DeliveryStatus.SENDING in {row.effective_status for row in rows(session)}
    second = start_worker(lease=2, concurrency=4)
    wait_for(lambda: {row.effective_status for row in rows(session)} == {DeliveryStatus.SENT}, 60, "every row sent")
    second.terminate()
    second.wait(10)
    assert received(line_api) == Counter(users)
    assert 409 in {r.status for r in line_api.requests}
    assert line_api.violations == []


def test_sigterm_lets_the_current_request_finish_and_releases_the_rest(add_residents, plan, start_worker, line_api,
                                                                       session):
    """SIGTERM during a slow push (one request at a time): the push is recorded as sent, the other claimed
    rows are released."""
    users = add_residents(3)
    plan(users, personal=True, send_after=due_now())
    line_api.delay_next(1.0, path="/v2/bot/message/push")
    worker = start_worker(concurrency=1)
    wait_for(lambda: line_api.requests, 20, "the first request")
    worker.send_signal(signal.SIGTERM)
    worker.wait(10)
    output = worker.log.read_text()
    assert worker.returncode == 0, output
    assert "worker stopped" in output
    assert sorted((row.effective_status, row.attempts) for row in rows(session)) == [
        (DeliveryStatus.PENDING, 0), (DeliveryStatus.PENDING, 0), (DeliveryStatus.SENT, 1)]
    assert len(line_api.pushes) == 1


def test_sigterm_with_several_requests_in_flight_records_each_and_releases_the_rest(
        add_residents, plan, start_worker, line_api, session):
    """SIGTERM while three slow pushes are in flight: each one answered is recorded as sent, the rows not
    yet tried are released untouched, and nobody gets a message twice."""
    users = add_residents(8)
    plan(users, personal=True, send_after=due_now())
    line_api.delay_next(1.0, times=8, path="/v2/bot/message/push")
    worker = start_worker(concurrency=3)
    wait_for(lambda: len(line_api.requests) >= 3, 20, "three requests in flight")
    worker.send_signal(signal.SIGTERM)
    worker.wait(10)
    assert worker.returncode == 0, worker.log.read_text()
    states = Counter((row.effective_status, row.attempts) for row in rows(session))
    assert set(states) == {(DeliveryStatus.SENT, 1), (DeliveryStatus.PENDING, 0)}
    assert states[DeliveryStatus.SENT, 1] == len(line_api.pushes) >= 3
    assert set(received(line_api).values()) == {1}


def test_two_workers_on_postgresql_never_send_the_same_row(database_url, factory, add_residents, plan, line_api,
                                                            session):
    """Two workers claiming from one PostgreSQL outbox at once share the rows without sending any twice."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL); SQLite runs one worker at a time by design")
    users = add_residents(400)
    plan(users, personal=True)
    now = datetime.now(UTC) + timedelta(days=1)
    sent_by: list[int] = []
    start = threading.Barrier(2)

    def worker():
        with SdkLineClient("dummy-channel-access-token", host=line_api.url) as client:
            start.wait()
            total = 0
            while (report := send_due(factory, client, now, chunk=10, rate=RateLimiter.unlimited())).requests:
                total += report.sent
            sent_by.append(total)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent_by) == 400 and min(sent_by) > 0
    assert {r.status for r in line_api.requests} == {200}
    assert received(line_api) == Counter(users)


def test_the_worker_plans_each_local_day_once(factory, sdk_line_client):
    """Passes on the same local date plan once; the next date plans again."""
    planned: list[date] = []
    times = iter([datetime(2026, 11, 29, 8, 0, tzinfo=UTC), datetime(2026, 11, 29, 14, 0, tzinfo=UTC),
                  datetime(2026, 11, 29, 15, 30, tzinfo=UTC)])
    worker = Worker(factory, sdk_line_client, clock=lambda: next(times), timezone=ZoneInfo("Asia/Tokyo"),
                    rate=RateLimiter.unlimited(), planner=planned.append)
    for _ in range(3):
        worker.plan_if_new_day()
    assert planned == [date(2026, 11, 29), date(2026, 11, 30)]


class TestPasses:
    def make(self, factory, passes, stop):
        return Worker(factory, FakeLineClient(), clock=lambda: NOW, timezone=ZoneInfo("Asia/Tokyo"),
                      rate=RateLimiter.unlimited(), idle=0.01, passes=passes, stop=stop)

    def test_registered_passes_run_every_round_and_a_failing_one_does_not_stop_the_others(self, factory):
        """Each pass runs once per round; one that raises is logged and the next still runs."""
        stop, calls = threading.Event(), []

        def broken() -> int:
            raise RuntimeError("boom")

        def counting() -> int:
            calls.append(1)
            if len(calls) == 3:
                stop.set()
            return 0

        self.make(factory, [broken, counting], stop).run()
        assert len(calls) == 3

    def test_register_pass_adds_to_the_runtime(self, app):
        """A package registers a pass on the runtime, where ``push worker`` finds it (the bot registers its
        inbox there)."""
        rt = runtime.of(app)
        before = len(rt.worker_passes)
        register_pass(rt, lambda: 0)
        assert len(rt.worker_passes) == before + 1


def test_the_worker_command_starts_a_due_broadcast(factory, start_worker, line_api, session):
    """`push worker` (planning on) starts an approved broadcast that is due, on its own planning thread, and
    sends it: the multicast reaches every resident of the segment."""
    now = datetime.now(UTC)
    ids = [user(n) for n in range(3)]
    with factory.begin() as db_session:
        db_session.execute(sa.insert(Resident), [{"line_user_id": i, "status": ResidentStatus.ACTIVE,
                                                  "area": "大町", "consent_at": now} for i in ids])
        created = broadcasts.create(db_session, text="市役所からのお知らせです。", segment="area:大町",
                                    scheduled_at=now - timedelta(minutes=1), now=now, created_by="田中")
        broadcasts.approve(db_session, created.id, "佐藤", now)
    worker = start_worker(plan=True)
    wait_for(lambda: received(line_api) == Counter(ids), 30, "the broadcast to reach every resident")
    worker.terminate()
    worker.wait(10)
    assert "Traceback" not in worker.log.read_text(encoding="utf-8")
