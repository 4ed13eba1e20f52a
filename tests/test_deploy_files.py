"""The deployment files agree with the app: the image runs unprivileged and is health-checked, and compose
gives web and worker the same database and secret."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_image_runs_as_a_non_root_user_with_a_health_check():
    """The Dockerfile switches to a named user before its command and checks /healthz."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*?/healthz", dockerfile, re.MULTILINE)


def test_web_and_worker_share_database_and_secret():
    """Both processes get the same DATABASE_URL and SECRET_KEY (the pseudonyms must agree)."""
    services = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]
    web, worker = services["web"]["environment"], services["worker"]["environment"]
    assert web["DATABASE_URL"] == worker["DATABASE_URL"]
    assert web["SECRET_KEY"] == worker["SECRET_KEY"]
    assert worker.get("SECRET_KEY") and "?" in worker["SECRET_KEY"]  # compose refuses to start without one


def test_web_and_worker_wait_for_the_migration():
    """Neither web nor worker starts before the schema is migrated."""
    services = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "db upgrade" in " ".join(services["migrate"]["command"])
