"""Content caches build a change beside what they serve and swap it in: answers never wait on a rebuild,
never see a half-changed matcher, and come from the new content once it is built."""

from __future__ import annotations

import gc
import threading
import time

import pytest

import db
from content import cache as content_cache
from content.cache import RevisionCache
from content.revisions import bump_revision
from faq import index
from faq import store
from faq.importers import FaqRecord

KIND = "faq"


def bump(app, kind: str = KIND) -> None:
    with db.transaction(app) as session:
        bump_revision(session, kind)


class GatedBuild:
    """A build that returns the revision it saw; builds after the first wait until ``release``."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.builds = 0
        self.previous_seen: list[object] = []

    def __call__(self, session, previous, changed):
        self.builds += 1
        self.previous_seen.append(previous)
        if previous is not None:
            assert self.gate.wait(10)
        return f"build {self.builds}"


def get(app, cache: RevisionCache, **kwargs):
    with db.session_factory(app)() as session:
        return cache.get(session, **kwargs)


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_rebuild_beside_the_served_object_freezes_what_it_built(app):
    """A background rebuild moves what it made to the collector's permanent generation (full collections
    would otherwise walk a large matcher's objects while a resident waits)."""
    build = GatedBuild()
    build.gate.set()
    cache = RevisionCache((KIND,), build)
    get(app, cache, wait=0)
    gc.unfreeze()
    bump(app)
    get(app, cache, wait=0)
    wait_until(lambda: get(app, cache, wait=0) == "build 2")
    assert gc.get_freeze_count() > 0


def test_an_answer_during_a_rebuild_gets_the_old_object_without_waiting_for_it(app):
    """While the new object builds, callers with a wait get the old one at once; then the new one."""
    build = GatedBuild()
    cache = RevisionCache((KIND,), build)
    assert get(app, cache, wait=0) == "build 1"
    bump(app)
    started = time.monotonic()
    assert get(app, cache, wait=0.05) == "build 1"
    assert get(app, cache, wait=0.05) == "build 1"
    assert time.monotonic() - started < 5  # not held until the gate opens
    assert build.builds == 2  # one background build, not one per caller
    build.gate.set()
    wait_until(lambda: get(app, cache, wait=0) == "build 2")
    assert build.builds == 2


def test_without_a_wait_the_caller_gets_the_content_as_stored_now(app):
    """Commands and warming up (no ``wait``) build the new object before they go on."""
    build = GatedBuild()
    build.gate.set()
    cache = RevisionCache((KIND,), build)
    get(app, cache)
    bump(app)
    assert get(app, cache) == "build 2"


def test_the_first_build_is_waited_for_even_with_a_wait(app):
    """With nothing built yet there is nothing older to serve: the caller builds it."""
    cache = RevisionCache((KIND,), GatedBuild())
    assert not cache.ready
    assert get(app, cache, wait=0) == "build 1"
    assert cache.ready


def test_a_failed_rebuild_keeps_the_old_object_and_is_tried_again_later(app, monkeypatch):
    """A build that raises in the background is logged; answers go on with the old object."""
    calls = []

    def build(session, previous, changed):
        calls.append(previous)
        if previous is not None and len(calls) == 2:
            raise RuntimeError("broken content")
        return len(calls)

    cache = RevisionCache((KIND,), build)
    assert get(app, cache, wait=0) == 1
    bump(app)
    assert get(app, cache, wait=5) == 1  # the build failed within the wait
    assert get(app, cache, wait=5) == 1  # not tried again at once
    monkeypatch.setattr(content_cache, "RETRY_FAILED_BUILD_SECONDS", 0.0)
    assert get(app, cache, wait=5) == 3


def save(app, records):
    with db.transaction(app) as session:
        store.save_records(session, records)


def test_an_faq_edit_gives_a_new_matcher_and_leaves_the_one_in_use_unchanged(app):
    """An edited entry goes into a copy; the matcher threads were reading still answers as before."""
    save(app, [FaqRecord("1", "住民票の写しを取りたい。", "市民課へ。"), FaqRecord("2", "転入の手続き", "市民課へ。")])
    cache = index.index_cache()
    before = get(app, cache).matcher
    save(app, [FaqRecord("1", "住民票の写しを取りたい。", "市民課へ。"),
               FaqRecord("2", "ハザードマップを見たい", "危機管理課へ。")])
    after = get(app, cache).matcher
    assert after is not before
    assert after.search("ハザードマップ")[0].faq_id == "2"
    assert before.doc("2").question == "転入の手続き"
    assert before.search("転入の手続き")[0].faq_id == "2"
    assert after.doc("2").question == "ハザードマップを見たい"


@pytest.mark.parametrize("synonyms_change", [False, True], ids=["entries edited", "synonyms rebuilt"])
def test_answers_keep_coming_while_the_faq_is_reloaded(app, synonyms_change):
    """A thread answering throughout a reload gets the old entry, then the new, and never an error."""
    save(app, [FaqRecord("1", "粗大ごみの出し方", "清掃課へ。"), FaqRecord("2", "転入の手続き", "市民課へ。")])
    cache = index.index_cache()
    get(app, cache)
    seen: list[str | None] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                hits = get(app, cache, wait=0).matcher.search("ハザードマップを見たい")
                seen.append(hits[0].faq_id if hits and hits[0].score > 0.5 else None)
            except BaseException as error:  # noqa: BLE001 - any error fails the test
                errors.append(error)
                return

    reader = threading.Thread(target=answer)
    reader.start()
    try:
        wait_until(lambda: len(seen) >= 3)
        with db.transaction(app) as session:
            store.save_records(session, [FaqRecord("1", "粗大ごみの出し方", "清掃課へ。"),
                                         FaqRecord("3", "ハザードマップを見たい", "危機管理課へ。")], replace=True)
            if synonyms_change:
                bump_revision(session, store.SYNONYMS)
        wait_until(lambda: seen[-1] == "3" or bool(errors))
    finally:
        stop.set()
        reader.join(10)
    assert errors == []
    first_new = seen.index("3")
    assert set(seen[:first_new]) == {None}
    assert set(seen[first_new:]) == {"3"}
