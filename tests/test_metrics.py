"""``/metrics``: counters kept as the work happens, read without touching the database, behind a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

import db
import metrics
from app import create_app
from faq import index
from messaging.client import SdkLineClient
from messaging.errors import LineApiError
from tests import factories
from tests.conftest import line_config
from tests.metrics import Delta
from tests.metrics import value

ROOT = Path(__file__).resolve().parents[1]


class TestWebhookMetrics:
    def test_requests_are_counted_by_status_and_timed(self, post_webhook):
        """Each webhook request is counted under its status and observed by the latency histogram."""
        with Delta(("bot_webhook_requests_total", {"status": "200"}),
                   ("bot_webhook_requests_total", {"status": "400"}),
                   ("bot_webhook_duration_seconds_count", {})) as delta:
            assert post_webhook(factories.body()).status_code == 200
            assert post_webhook(factories.body(), signature="forged").status_code == 400
        assert delta.moved == [1, 1, 2]

    def test_events_are_counted_by_type(self, post_webhook, faq):
        """Events are counted by their type, several in one body each once."""
        with Delta(("bot_events_total", {"type": "message"}), ("bot_events_total", {"type": "follow"})) as delta:
            post_webhook(factories.body(factories.follow_event(), factories.text_event("住民票の写しを取りたい。"),
                                        factories.text_event("ありがとう")))
        assert delta.moved == [2, 1]

    def test_a_redelivered_event_counts_as_a_duplicate_and_not_as_an_answer(self, post_webhook, faq):
        """A redelivery is counted as a duplicate; the answer is counted once."""
        event = factories.text_event("住民票の写しを取りたい。")
        with Delta(("bot_duplicate_events_total", {}), ("bot_answers_total", {"tier": "faq"})) as delta:
            post_webhook(factories.body(event))
            post_webhook(factories.body(event))
        assert delta.moved == [1, 1]

    @pytest.mark.parametrize(("text", "tier"), [
        ("住民票の写しを取りたい。", "faq"),
        ("ありがとうございました", "intent"),
        ("今日の株価を教えて", "fallback"),
        ("粗大ごみ", "suggest"),
        ("父が倒れて返事がない", "health"),
        ("胸が痛い", "health"),
    ])
    def test_answers_are_counted_by_tier(self, post_webhook, faq, text, tier):
        """Each answer to a text is counted under the tier it came from (health desk answers as health)."""
        with Delta(("bot_answers_total", {"tier": tier})) as delta:
            post_webhook(factories.body(factories.text_event(text)))
        assert delta.moved == [1]

    def test_a_handling_error_is_counted(self, post_webhook, faq, monkeypatch):
        """An event whose handling raises is counted (and still answered with an apology)."""
        monkeypatch.setattr("bot.dispatch.on_text", lambda *args: 1 / 0)
        with Delta(("bot_event_failures_total", {}), ("bot_answers_total", {"tier": "faq"})) as delta:
            assert post_webhook(factories.body(factories.text_event("住民票の写しを取りたい。"))).status_code == 200
        assert delta.moved == [1, 0]

    def test_a_reply_line_refuses_is_counted_by_status(self, post_webhook, faq, line_api):
        """A reply LINE answers with 500 counts as a reply failure and as a LINE API error, both under 500."""
        line_api.fail_next(500, path="/v2/bot/message/reply")
        with Delta(("bot_reply_failures_total", {"status": "500"}),
                   ("bot_line_api_errors_total", {"operation": "reply", "status": "500"})) as delta:
            assert post_webhook(factories.body(factories.text_event("住民票の写しを取りたい。"))).status_code == 200
        assert delta.moved == [1, 1]

    def test_a_reply_without_an_answer_is_counted_as_no_answer(self, app, post_webhook, faq, monkeypatch):
        """Each reply attempt that gets no HTTP answer (timeout, refused) counts under ``no-answer``; the inbox
        tries such a reply twice (the first may have gone out) before it pushes."""
        def no_answer(self, reply_token, messages):
            raise LineApiError(None, "no answer from LINE (ReadTimeoutError)")

        monkeypatch.setattr(SdkLineClient, "reply", no_answer)
        with Delta(("bot_reply_failures_total", {"status": "no-answer"})) as delta:
            post_webhook(factories.body(factories.text_event("住民票の写しを取りたい。")))
        assert delta.moved == [2]

    def test_an_answer_sent_as_a_push_is_counted_as_a_fallback(self, post_webhook, faq, line_api):
        """A reply LINE refuses with 500 makes the answer a push through the outbox: one fallback counted."""
        line_api.fail_next(500, path="/v2/bot/message/reply")
        with Delta(("bot_reply_fallbacks_total", {})) as delta:
            post_webhook(factories.body(factories.text_event("住民票の写しを取りたい。")))
        assert delta.moved == [1]


class TestMatcherMetrics:
    def test_building_the_matcher_is_timed_and_its_size_shown(self, app, faq):
        """Building the FAQ matcher adds one observation of its build time and sets the entries gauge."""
        with Delta(("bot_matcher_build_seconds_count", {})) as delta, db.transaction(app) as session:
            index.index_cache().get(session)
        assert delta.moved == [1]
        assert value("bot_faq_entries") == len(faq)

    def test_an_edit_applied_in_place_is_not_a_build(self, app, faq):
        """Editing one entry updates the matcher in place: no new build is observed."""
        from faq import store

        cache = index.index_cache()
        with db.transaction(app) as session:
            cache.get(session)
        with db.transaction(app) as session:
            store.save_records(session, faq[:1])
        with Delta(("bot_matcher_build_seconds_count", {})) as delta, db.transaction(app) as session:
            cache.get(session)
        assert delta.moved == [0]


class TestScrape:
    def test_a_scrape_runs_no_sql(self, app, client, faq, post_webhook):
        """Serving /metrics runs no SQL statement at all (no table scans per scrape)."""
        post_webhook(factories.body(factories.text_event("住民票の写しを取りたい。")))
        statements = []
        engine = db.session_factory(app).kw["bind"]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            response = client.get("/metrics")
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200 and statements == []
        assert response.headers["Content-Type"].startswith("text/plain")
        assert 'bot_answers_total{tier="faq"}' in response.get_data(as_text=True)

    def test_every_documented_series_is_exported(self, client):
        """Each metric the README lists appears in a scrape, even before any work counted it."""
        text = client.get("/metrics").get_data(as_text=True)
        for name in ("bot_webhook_requests_total", "bot_webhook_duration_seconds", "bot_events_total",
                     "bot_duplicate_events_total", "bot_answers_total", "bot_event_failures_total",
                     "bot_reply_failures_total", "bot_reply_fallbacks_total", "bot_line_api_errors_total",
                     "bot_push_requests_total", "bot_push_deliveries_total", "bot_outbox_depth",
                     "bot_matcher_build_seconds", "bot_faq_entries"):
            assert f"# TYPE {name} " in text, name
            assert f"`{name}" in (ROOT / "README.md").read_text(encoding="utf-8"), name


class TestToken:
    @pytest.fixture
    def guarded(self, database_url, line_api):
        app = create_app({**line_config(database_url, line_api.url), "METRICS_TOKEN": "s3cret-token"})
        yield app.test_client()
        db.session_factory(app).kw["bind"].dispose()

    @pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic s3cret-token", "s3cret-token", "Bearer "])
    def test_without_the_token_the_answer_is_401(self, guarded, header):
        """With METRICS_TOKEN set, a scrape without that bearer token gets 401 and no metrics."""
        response = guarded.get("/metrics", headers={"Authorization": header} if header else {})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "bot_" not in response.get_data(as_text=True)

    def test_with_the_token_the_metrics_are_served(self, guarded):
        """The right bearer token gets the metrics."""
        response = guarded.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert response.status_code == 200 and "bot_webhook_requests" in response.get_data(as_text=True)

    def test_without_a_token_setting_metrics_are_open(self, client):
        """Without METRICS_TOKEN, /metrics needs no login (bind it to a private address instead)."""
        assert client.get("/metrics").status_code == 200

    def test_health_checks_need_no_token(self, guarded):
        """Probes reach /healthz without the metrics token."""
        assert guarded.get("/healthz").status_code == 200


COUNT_IN_CHILD = """
import sys, metrics
metrics.WEBHOOK_REQUESTS.labels(status="200").inc(int(sys.argv[1]))
metrics.OUTBOX_DEPTH.labels(endpoint="push", status="pending").set(int(sys.argv[1]))
"""
RENDER_IN_CHILD = "import sys, metrics; sys.stdout.write(metrics.render().decode())"


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR, counters of several processes add up and a gauge shows the latest value."""
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path)}
    for count in ("3", "4"):
        subprocess.run([sys.executable, "-c", COUNT_IN_CHILD, count], env=env, cwd=ROOT, check=True)
    text = subprocess.run([sys.executable, "-c", RENDER_IN_CHILD], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    assert 'bot_webhook_requests_total{status="200"} 7.0' in text
    assert 'bot_outbox_depth{endpoint="push",status="pending"} 4.0' in text

