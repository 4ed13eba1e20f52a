"""Three sending processes share LINE's per-endpoint limit: the fake LINE server never sees it exceeded in any
sliding second, and every process sends its share. Once through the database, once through Redis.

How close to the limit they get together is a speed figure, measured by ``bench/bench_ratelimit.py`` (a timed
assertion here would fail on a loaded machine without telling anything about the code)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from push.models import Delivery
from push.models import DeliveryStatus
from push.ratelimit import RateLimiter
from push.sender import send_due
from tests import factories
from tests.conftest import NOW
from tests.fake_line_server import busiest_second
from tests.push.helpers import received
from tests.push.test_ratelimit_stores import redis_client

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 3
REDIS_DB = 13  # a Redis database of the tests' own
CASES = {  # endpoint: (limit per second, requests each process makes)
    "push": (40, 60),
    "multicast": (25, 35),
}


def send_due_processes(env: dict[str, str], limit: int, tmp_path: Path) -> list[str]:
    """Run ``flask push send-due --limit LIMIT`` in three processes at once; returns what each printed."""
    processes = []
    for n in range(PROCESSES):
        output = (tmp_path / f"send-due-{n}.log").open("w+")
        processes.append((subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "push", "send-due", "--limit", str(limit)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True), output))
    printed = []
    for process, output in processes:
        assert process.wait(timeout=120) == 0
        output.seek(0)
        printed.append(output.read())
        output.close()
    return printed


@pytest.mark.parametrize("endpoint", sorted(CASES))
@pytest.mark.parametrize("store", ["database", "redis"])
def test_three_senders_never_exceed_the_shared_limit(store, endpoint, database_url, line_api, add_residents, plan,
                                                     tmp_path):
    """Each process sends its share and the fake sees at most the limit in every sliding second."""
    rate, each = CASES[endpoint]
    env = {**os.environ, "DATABASE_URL": database_url, "LINE_CHANNEL_SECRET": factories.CHANNEL_SECRET,
           "LINE_CHANNEL_ACCESS_TOKEN": "dummy-channel-access-token", "LINE_API_HOST": line_api.url,
           "PUSH_QUIET_HOURS": "", "LOG_LEVEL": "WARNING",
           "PUSH_RATE_PER_SECOND": str(rate), "PUSH_MULTICAST_RATE_PER_SECOND": str(rate)}
    if store == "redis":
        redis_client()  # skips the test when there is no Redis
        env["RATE_LIMIT_REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
        client = redis.Redis.from_url(env["RATE_LIMIT_REDIS_URL"])
        for key in client.scan_iter("machi-line:rate:*"):
            client.delete(key)
    users = add_residents(PROCESSES * each)
    due = datetime.now(UTC) - timedelta(minutes=1)
    tag = uuid.uuid4().hex[:8]
    # Personal rows are pushed one by one; impersonal rows with different texts are multicast one batch each.
    plan(users, messages=lambda u: [{"type": "text", "text": f"お知らせ {tag} {u}"}],
         personal=endpoint == "push", send_after=due)

    # The fake stamps each request as its thread gets the interpreter: switch threads every 0.5 ms, not every
    # 5 ms, so that a request is not stamped late while other threads validate theirs.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        printed = send_due_processes(env, each, tmp_path)
    finally:
        sys.setswitchinterval(switch)

    path = f"/v2/bot/message/{endpoint}"
    times = line_api.received_at(path)
    assert len(times) == PROCESSES * each
    assert received(line_api) == {u: 1 for u in users}
    assert line_api.violations == []
    assert all(int(re.search(rf"(\d+) {endpoint}(?:es|s)\b", out).group(1)) > 0 for out in printed), printed
    assert busiest_second(times) <= rate


class UnreachableSlots:
    """A store that cannot be reached, as with the database or Redis down."""

    def reserve(self, endpoint: str, span: float, lead: float = 0.0) -> tuple[float, float]:
        raise ConnectionError("store unreachable")


def test_a_pass_whose_rate_store_is_unreachable_sends_nothing(factory, add_residents, plan, sdk_line_client, line_api):
    """Without a slot no request goes out: the pass fails and its rows wait for their lease, unsent."""
    users = add_residents(3)
    plan(users, personal=True)
    rate = RateLimiter.shared(UnreachableSlots(), push=100, multicast=100)
    with pytest.raises(ConnectionError):
        send_due(factory, sdk_line_client, NOW, rate=rate)
    assert line_api.requests == []
    with factory() as session:
        assert {row.status for row in session.scalars(sa.select(Delivery))} == {DeliveryStatus.SENDING}
