"""Answer processes: the inbox's processors in processes of their own, beside the web workers, at a lower CPU
priority, so that accepting webhooks goes first whenever both want the cores.

gunicorn's master starts them (``gunicorn.conf.py``) once its caches are warm: a supervisor process forks
``INBOX_PROCESSES`` answer processes, which share the warmed caches copy-on-write. Each lowers its priority
by ``INBOX_NICE`` and runs ``INBOX_THREADS`` inbox threads (``bot.processor.Inbox``): one looks for
claimable events every ``INBOX_WAKE_SECONDS`` with a read that takes no lock, and wakes the others when it
finds some. The supervisor starts a new answer process when one dies, and stops them all (each finishing its
event) on SIGTERM or when the master is gone. Web workers then only store events; events left behind by a
crash are answered by the answer processes, or by the push worker's pass while none runs.

Everything here runs in forked children of the caller; nothing is shared but the app built before the fork.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask

import db
import metrics
import runtime
from bot.processor import Inbox

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # seconds before a dead answer process is replaced (a crash loop does not spin)
SUPERVISE_EVERY = 0.5  # seconds between the supervisor's looks at its children and its parent
STOP_TIMEOUT = 10.0  # seconds an answer process gets to finish its event before it is killed
_HANDLED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
            signal.SIGCHLD, signal.SIGTTIN, signal.SIGTTOU, signal.SIGWINCH)


@dataclass(frozen=True)
class Answerers:
    """The running supervisor of the answer processes, as its parent sees it."""

    pid: int

    def stop(self, timeout: float = STOP_TIMEOUT + 5) -> None:
        """Tell the supervisor to stop its answer processes, and wait (up to ``timeout``) until it is gone."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    return
            except ChildProcessError:  # reaped already (gunicorn's master reaps every child)
                if not _alive(self.pid):
                    return
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


def start(app: Flask, *, close: Iterable[socket.socket] = ()) -> Answerers:
    """Fork the supervisor of ``app``'s answer processes (``INBOX_PROCESSES`` of them); ``close`` are sockets
    of the caller the children must not keep (gunicorn's listeners)."""
    parent = os.getpid()
    pid = os.fork()
    if pid:
        log.info("inbox.answerers_started", extra={"supervisor": pid})
        return Answerers(pid)
    code = 1
    try:
        for sock in close:
            sock.close()
        code = Supervisor(app, parent).run()
    except BaseException:
        log.exception("inbox.supervisor_error")
    finally:
        os._exit(code)


class Supervisor:
    """Keeps ``INBOX_PROCESSES`` answer processes running until SIGTERM or SIGINT, or until ``parent`` is gone."""

    def __init__(self, app: Flask, parent: int) -> None:
        self._app = app
        self._parent = parent
        self._settings = runtime.of(app).settings
        self._stop = threading.Event()
        self._children: set[int] = set()  # the answer processes' pids
        self._restart_at = 0.0  # monotonic time before which no dead answer process is replaced

    def run(self) -> int:
        """Supervise until told to stop; then stop every answer process. Returns the exit code."""
        _own_signals(self._stop.set)
        db.forget_connections(self._app, inherited=True)
        while not self._stop.is_set():
            self._reap()
            if os.getppid() != self._parent:
                log.warning("inbox.supervisor_orphaned")
                break
            while len(self._children) < self._settings.inbox_processes and time.monotonic() >= self._restart_at:
                self._children.add(_fork(lambda: answer(self._app)))
            self._stop.wait(SUPERVISE_EVERY)
        self._stop_children()
        return 0

    def _reap(self) -> None:
        while self._children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self._children.clear()
                return
            if not pid:
                return
            if pid in self._children and not self._stop.is_set():
                log.error("inbox.answerer_died", extra={"pid": pid, "status": os.waitstatus_to_exitcode(status)})
                self._restart_at = time.monotonic() + RESTART_PAUSE
            self._children.discard(pid)
            metrics.mark_process_dead(pid)

    def _stop_children(self) -> None:
        for pid in self._children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while self._children and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.05)
        for pid in self._children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            metrics.mark_process_dead(pid)


def answer(app: Flask) -> int:
    """An answer process: lower priority, inbox threads looking for events, until SIGTERM or SIGINT."""
    stop = threading.Event()
    _own_signals(stop.set)
    settings = runtime.of(app).settings
    os.nice(max(0, settings.inbox_nice))
    db.forget_connections(app, inherited=True)
    inbox = Inbox(app, threads=max(1, settings.inbox_threads), poll_seconds=settings.inbox_poll_seconds,
                  lookout_seconds=settings.inbox_wake_seconds)
    inbox.start()
    log.info("inbox.answerer_started", extra={"threads": max(1, settings.inbox_threads)})
    while not stop.wait(1.0):
        pass
    inbox.stop(STOP_TIMEOUT)
    return 0


def _fork(body: Callable[[], int]) -> int:
    """Run ``body`` in a forked child, which exits with its result; returns the child's pid."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        code = body()
    except BaseException:
        log.exception("inbox.answerer_error")
    finally:
        os._exit(code)


def _own_signals(stop: Callable[[], None]) -> None:
    """Replace the signal handling inherited from the parent (gunicorn's master): SIGTERM and SIGINT stop."""
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    for sig in _HANDLED:
        signal.signal(sig, signal.SIG_DFL)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _signum, _frame: stop())


def _alive(pid: int) -> bool:
    """Whether a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
