"""``/healthz`` and ``/metrics``: is the process up and can it reach its database."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import Response

import db
from faq.models import FaqEntry
from residents.models import Resident
from residents.models import ResidentStatus

bp = Blueprint("health", __name__)


def init_app(app) -> None:
    """Serve ``/healthz`` and ``/metrics``."""
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz():
    """200 with ``ok`` when the database answers, 503 otherwise."""
    try:
        db.read_session().execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}


@bp.get("/metrics")
def metrics():
    """A few gauges in the Prometheus text format."""
    session = db.read_session()
    faq_entries = session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) or 0
    residents = dict(
        session.execute(sa.select(Resident.status, sa.func.count()).group_by(Resident.status)).all()
    )
    lines = [
        "# HELP bot_faq_entries FAQ entries in the store.",
        "# TYPE bot_faq_entries gauge",
        f"bot_faq_entries {faq_entries}",
        "# HELP bot_residents Residents by status.",
        "# TYPE bot_residents gauge",
    ]
    for status in ResidentStatus:
        lines.append(f'bot_residents{{status="{status.value}"}} {residents.get(status, 0)}')
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")
