"""The push worker's heartbeat: one row per worker, renewed while it runs, forgotten a day after it stops."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from push import heartbeat
from push.models import WorkerHeartbeat
from tests.conftest import NOW


def beats(session) -> dict[str, object]:
    session.expire_all()
    return dict(session.execute(sa.select(WorkerHeartbeat.worker, WorkerHeartbeat.beat_at)).all())


class TestBeat:
    def test_a_worker_keeps_one_row_with_its_latest_beat(self, factory, session):
        """Beating again moves the worker's time forward instead of adding rows."""
        for seconds in (0, 5, 10):
            with factory.begin() as writer:
                heartbeat.beat(writer, "host:1", NOW + timedelta(seconds=seconds))
        assert beats(session) == {"host:1": NOW + timedelta(seconds=10)}

    def test_workers_silent_for_a_day_are_forgotten(self, factory, session):
        """A beat deletes the rows of workers silent for more than a day, and keeps the others."""
        with factory.begin() as writer:
            heartbeat.beat(writer, "gone", NOW - timedelta(days=1, seconds=1))
            heartbeat.beat(writer, "quiet", NOW - timedelta(hours=23))
        with factory.begin() as writer:
            heartbeat.beat(writer, "live", NOW)
        assert set(beats(session)) == {"quiet", "live"}

    def test_last_beat_is_the_most_recent_of_all_workers(self, factory):
        """``last_beat`` gives the latest beat of any worker, None when there is none."""
        with factory() as reader:
            assert heartbeat.last_beat(reader) is None
        with factory.begin() as writer:
            heartbeat.beat(writer, "a", NOW - timedelta(seconds=30))
            heartbeat.beat(writer, "b", NOW - timedelta(seconds=3))
        with factory() as reader:
            assert heartbeat.last_beat(reader) == NOW - timedelta(seconds=3)

    def test_the_worker_name_is_host_and_process(self):
        """Two processes on one host get different names."""
        import os

        assert heartbeat.worker_name().endswith(f":{os.getpid()}")


class TestThread:
    def test_it_beats_while_running_and_stops_with_the_block(self, factory, session):
        """Inside the block the thread beats every ``every`` seconds; after it, no more."""
        moments = iter(NOW + timedelta(seconds=n) for n in range(1000))
        with heartbeat.Heartbeat(factory, lambda: next(moments), worker="w", every=0.01):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and beats(session).get("w", NOW) < NOW + timedelta(seconds=2):
                time.sleep(0.01)
        last = beats(session)["w"]
        assert last >= NOW + timedelta(seconds=2)
        time.sleep(0.05)
        assert beats(session)["w"] == last

    def test_a_failed_beat_is_logged_and_the_next_one_goes_through(self, factory, session, caplog):
        """When the database refuses a beat, the thread logs it and beats again next time."""
        calls = {"n": 0}

        def clock():
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("clock unavailable")
            return NOW

        with heartbeat.Heartbeat(factory, clock, worker="w", every=0.01):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and "w" not in beats(session):
                time.sleep(0.01)
        assert beats(session) == {"w": NOW}
        assert any(record.message == "push.heartbeat.failed" for record in caplog.records)


class TestCommands:
    def test_send_due_leaves_a_heartbeat(self, runner, session):
        """`push send-due` (a deployment sending from cron) writes a heartbeat as it runs."""
        result = runner.invoke(args=["push", "send-due"])
        assert result.exit_code == 0, result.output
        assert list(beats(session).values()) == [NOW]

    def test_the_worker_beats_while_it_runs(self, runner, session, monkeypatch):
        """`push worker` beats beside its sending loop, from before the loop's first pass."""
        seen = []

        def run(worker):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not beats(session):
                time.sleep(0.01)
            seen.append(dict(beats(session)))
            assert threading.current_thread() is threading.main_thread()

        monkeypatch.setattr("push.cli.Worker.run", run)
        result = runner.invoke(args=["push", "worker", "--no-plan"])
        assert result.exit_code == 0, result.output
        assert len(seen) == 1 and list(seen[0].values()) == [NOW]
