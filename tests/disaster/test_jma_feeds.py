"""``jma poll``: JMA's feeds read with conditional GETs (a fake feed server on 127.0.0.1), each telegram fetched
once and handled by the same path as ``jma ingest``; a failure is retried on the next poll, never lost."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import db
import runtime
from disaster.jma import city
from disaster.jma import feeds
from disaster.jma import reports
from tests.fake_jma_feed import FakeJmaFeed

DATA = Path(__file__).resolve().parents[1] / "data" / "jma"
CHITOSE = DATA / "VPWW61_sapporo_20260528_chitose.xml"
R06_OTHER = "気象警報・注意報（Ｒ０６）（その他注意報）"


@pytest.fixture
def feed():
    server = FakeJmaFeed().start()
    yield server
    server.stop()


@pytest.fixture
def polling(app, feed):
    """The app reading the fake feed (JMA_FEEDS), with the demo city's [jma] table (千歳市, 注意報 too)."""
    rt = runtime.of(app)
    rt.settings = dataclasses.replace(rt.settings, jma_feeds=feed.feed, jma_timeout_seconds=2)
    with db.transaction(app) as session:
        reports.save_config(session, city.read_config({"municipalities": ["0122400"], "advisories": True}))
    return app


def poll(runner) -> str:
    result = runner.invoke(args=["jma", "poll"])
    assert result.exit_code == 0, result.output
    return result.output


def listed(runner) -> list[dict]:
    return json.loads(runner.invoke(args=["jma", "list", "--json"]).output)


def test_a_telegram_for_the_city_in_the_feed_becomes_a_draft(polling, runner, feed):
    url = feed.publish(CHITOSE, R06_OTHER)
    said = poll(runner)
    assert "changed" in said and "draft" in said
    [report] = listed(runner)
    assert (report["outcome"], report["url"]) == ("draft", url)


def test_an_unchanged_feed_is_answered_304_and_nothing_is_fetched(polling, runner, feed):
    feed.publish(CHITOSE, R06_OTHER)
    poll(runner)
    fetched = sum(feed.requests.values())
    assert "unchanged" in poll(runner)
    assert feed.not_modified == 1 and sum(feed.requests.values()) == fetched + 1  # the feed only


def test_each_telegram_is_fetched_once_as_the_feed_grows(polling, runner, feed):
    first = feed.publish(CHITOSE, R06_OTHER)
    poll(runner)
    feed.publish(DATA / "VXWW50_oshima-hiyama_jma-sample_happyo.xml", "土砂災害警戒情報")
    poll(runner)
    assert feed.requests[first.removeprefix(feed.url)] == 1 and len(listed(runner)) == 2


def test_entries_of_types_not_read_are_never_fetched(polling, runner, feed):
    url = feed.publish(DATA / "VXWW50_toyama_20260728_lv4.xml", "府県気象情報")
    poll(runner)
    assert feed.requests[url.removeprefix(feed.url)] == 0 and listed(runner) == []


def test_telegrams_are_handled_oldest_first(polling, runner, feed):
    """The feed lists the newest first: the 解除 published after the 発表 supersedes it, not the other way."""
    with db.transaction(polling) as session:
        reports.save_config(session, city.read_config({"municipalities": ["0133100"]}))
    feed.publish(DATA / "VXWW50_oshima-hiyama_jma-sample_happyo.xml", "土砂災害警戒情報")
    feed.publish(DATA / "VXWW50_oshima-hiyama_jma-sample_kaijo.xml", "土砂災害警戒情報")
    poll(runner)
    newest, oldest = listed(runner)
    assert (newest["outcome"], oldest["outcome"]) == ("draft", "superseded")


def test_a_telegram_that_fails_to_come_is_fetched_on_the_next_poll(polling, runner, feed):
    url = feed.publish(CHITOSE, R06_OTHER)
    feed.fail(url)
    assert "not fetched" in poll(runner)
    assert listed(runner) == []
    poll(runner)  # the feed's validators were not kept: it is read again, and the telegram fetched
    assert [report["outcome"] for report in listed(runner)] == ["draft"]


def test_a_feed_that_fails_is_said_and_read_next_time(polling, runner, feed):
    feed.publish(CHITOSE, R06_OTHER)
    feed.fail(feed.feed)
    assert "not read: " in poll(runner) and listed(runner) == []
    poll(runner)
    assert len(listed(runner)) == 1


def test_an_unreadable_telegram_is_kept_as_skipped_and_not_fetched_again(polling, runner, feed, tmp_path):
    (tmp_path / "cut.xml").write_bytes(CHITOSE.read_bytes()[:5000])
    url = feed.publish(tmp_path / "cut.xml", R06_OTHER)
    assert "skipped: unreadable" in poll(runner)
    feed.publish(DATA / "VXWW50_oshima-hiyama_jma-sample_happyo.xml", "土砂災害警戒情報")
    poll(runner)
    assert feed.requests[url.removeprefix(feed.url)] == 1


def test_polling_without_feeds_configured_says_what_to_set(app, runner):
    result = runner.invoke(args=["jma", "poll"])
    assert result.exit_code != 0 and "JMA_FEEDS" in result.output


def test_a_telegram_fetched_and_one_ingested_from_disk_are_one(polling, runner, feed):
    runner.invoke(args=["jma", "ingest", str(CHITOSE)])
    feed.publish(CHITOSE, R06_OTHER)
    assert "already handled" in poll(runner)
    assert len(listed(runner)) == 1


def test_the_entries_of_a_real_feed_are_read_newest_first():
    listed_entries = feeds.entries((DATA / "feed_extra_20230710.xml").read_bytes())
    assert len(listed_entries) == 393
    first = listed_entries[0]
    assert (first.title, first.author) == ("指定河川洪水予報", "筑後川河川事務所 福岡管区気象台")
    assert first.url.endswith("20230709235731_0_VXKO53_400000.xml")


@pytest.mark.parametrize("raw", [b"<html>maintenance</html>", b"\x1f\x8b\x08garbage"])
def test_a_feed_that_is_no_atom_is_refused(raw):
    with pytest.raises(feeds.FeedError):
        feeds.entries(raw)
