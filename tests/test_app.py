"""The application factory: configuration sources and console mode."""

from __future__ import annotations

import pytest

import runtime
from app import create_app
from messaging.client import ConsoleLineClient
from messaging.client import SdkLineClient


def test_line_credentials_select_the_sdk_client(app):
    """With a channel secret and token the bot talks to LINE through the SDK."""
    assert isinstance(runtime.of(app).line, SdkLineClient)


def test_without_credentials_replies_go_to_the_console(database_url):
    """Without LINE credentials the bot uses the console client."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k"})
    assert isinstance(runtime.of(app).line, ConsoleLineClient)
    assert app.extensions["bot"].parser is None


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    """instance/config.toml is read, and the environment wins over it."""
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    (tmp_path / "config.toml").write_text('BOT_TIMEZONE = "Asia/Seoul"\nMATCH_ANSWER_AT = 0.45\n', encoding="utf-8")
    monkeypatch.setenv("MATCH_ANSWER_AT", "0.75")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert runtime.of(app).settings.bot_timezone == "Asia/Seoul"
    assert app.extensions["bot"].policy.answer_at == 0.75
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'bot.sqlite3'}"


def test_generated_secret_is_shared_by_every_process(tmp_path, monkeypatch):
    """Without SECRET_KEY, one random secret is created in the instance folder and reused."""
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, second = create_app(), create_app()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


class TestSecurityHeaders:
    @pytest.mark.parametrize("path", ["/healthz", "/metrics", "/nowhere"])
    def test_every_response_carries_the_security_headers(self, client, path):
        """Health, metrics and even a 404 get nosniff, no framing, no referrer and a content policy."""
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]

    def test_webhook_answers_carry_them_too(self, post_webhook):
        """The webhook's 400 for a forged body carries the headers as well."""
        response = post_webhook("{}", signature="forged")
        assert response.status_code == 400 and response.headers["X-Content-Type-Options"] == "nosniff"

    def test_hsts_only_over_https(self, client):
        """Strict-Transport-Security is sent on HTTPS requests only."""
        assert "Strict-Transport-Security" not in client.get("/healthz").headers
        assert "max-age" in client.get("/healthz", base_url="https://bot.example").headers["Strict-Transport-Security"]
