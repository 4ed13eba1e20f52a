"""Answer processes under gunicorn (bot.answerers): they answer what the web workers store, at a lower CPU
priority, are replaced when one dies, and stop with the server."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests import factories
from tests.test_served import gunicorn
from tests.test_served import post
from tests.waiting import wait_until

WAIT = 30  # seconds a reply may take in these tests (a loaded CI machine)


def children(pid: int) -> list[int]:
    """The pids of ``pid``'s child processes."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def nice_of(pid: int) -> int | None:
    """The process's nice value, or None when it has just ended (a killed one may go between two looks)."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
    except FileNotFoundError:
        return None


def answer_processes(master: int, supervisor: int | None = None) -> tuple[int, list[int]]:
    """The supervisor among the master's children (the one whose children are niced), and its children."""
    for pid in ([supervisor] if supervisor else children(master)):
        alive = {kid: nice for kid in children(pid) if (nice := nice_of(kid)) is not None}
        if alive and all(nice > 0 for nice in alive.values()):
            return pid, list(alive)
    return 0, []


def send_text(port: int, text: str, user_id: str) -> str:
    """Post a signed webhook with one text event; returns its reply token."""
    event = factories.text_event(text, user_id=user_id)
    raw = factories.body(event).encode()
    assert post(port, raw, {"Content-Type": "application/json", "X-Line-Signature": factories.sign(raw)}) == 200
    return event["replyToken"]


def wait_for_reply(line_api, token: str) -> None:
    wait_for(lambda: token in {reply_token for reply_token, _ in line_api.replies}, f"a reply with {token}")


def wait_for(condition, what: str) -> None:
    wait_until(condition, what, WAIT, every=0.05)


@pytest.fixture
def server(database_url, line_api, tmp_path):
    """gunicorn with two answer processes beside its two workers."""
    with gunicorn(database_url, line_api.url, tmp_path / "gunicorn.log", INBOX_PROCESSES="2",
                  INBOX_NICE="5") as process:
        wait_for(lambda: len(answer_processes(process.pid)[1]) == 2 and len(children(process.pid)) == 3,
                 "two answer processes and two workers")
        yield process


def test_answer_processes_answer_what_the_web_workers_store(server, line_api):
    """A text event posted to a web worker is answered (the reply reaches LINE) by an answer process."""
    token = send_text(server.port, "こんにちは", factories.USER_ID)
    wait_for_reply(line_api, token)


def test_answer_processes_run_at_a_lower_priority_than_the_web_workers(server):
    """Each answer process is niced by INBOX_NICE; the web workers are not."""
    supervisor, answerers = answer_processes(server.pid)
    workers = [pid for pid in children(server.pid) if pid != supervisor]
    assert [nice_of(pid) for pid in answerers] == [5, 5]
    assert len(workers) == 2 and {nice_of(pid) for pid in workers} == {0}


def test_a_killed_answer_process_is_replaced_and_events_are_still_answered(server, line_api):
    """SIGKILL one answer process: a new one takes its place, and a new message is answered."""
    supervisor, answerers = answer_processes(server.pid)
    os.kill(answerers[0], signal.SIGKILL)
    wait_for(lambda: answerers[0] not in answer_processes(server.pid, supervisor)[1]
             and len(answer_processes(server.pid, supervisor)[1]) == 2, "a replacement")
    os.kill(answerers[1], signal.SIGKILL)
    token = send_text(server.port, "ごみの日はいつ", factories.USER_ID)
    wait_for_reply(line_api, token)


def test_stopping_the_server_stops_the_answer_processes(server):
    """SIGTERM to gunicorn's master: the supervisor and its answer processes are gone with it."""
    supervisor, answerers = answer_processes(server.pid)
    server.terminate()
    server.wait(timeout=30)
    for pid in [supervisor, *answerers]:
        wait_for(lambda pid=pid: not Path(f"/proc/{pid}").exists()
                 or "Z" in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0], f"{pid} to end")
