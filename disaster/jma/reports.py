"""JMA telegrams handled for the city: each one stored once, and drafts staff relay to residents or dismiss.

``ingest`` is the one path of a telegram, from a file (``jma ingest``) or from a feed (``jma poll``): the same
bytes are handled once (an already seen telegram says so); a drill or a telegram that brings nothing new for
the city is kept as skipped, with the reason; one that does becomes a draft whose text is JMA's own words
(the headline, the kinds and areas as JMA names them, the office and time) with 「出典：気象庁」 — the bot never
phrases a warning itself (気象業務法 §23). A newer draft of the same series (the same office's telegram of
the same type, or the same earthquake) supersedes an older one staff have not looked at; an older telegram
arriving late is skipped. Kinds the pack names in ``auto_relay`` are relayed at once.

A 取消 voids the earlier telegrams of its series: their drafts are voided; if one had been relayed already,
JMA's retraction becomes a draft of its own so that residents can be told.

Relayed reports are broadcast to the residents who chose 防災 by the push package (``push.jma``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from disaster.jma import city
from disaster.jma.telegrams import QUAKE
from disaster.jma.telegrams import WEATHER_OLD
from disaster.jma.telegrams import WEATHER_R06
from disaster.jma.telegrams import Telegram
from disaster.jma.telegrams import parse
from disaster.models import JmaPack
from disaster.models import JmaReport
from japanese.calendar import month_day_time
from japanese.normalize import person

SKIPPED, DRAFT, RELAYED, DISMISSED, SUPERSEDED, VOIDED = (
    "skipped", "draft", "relayed", "dismissed", "superseded", "voided")
ATTRIBUTION = "出典：気象庁ホームページ（気象庁防災情報XML）"
# A series whose latest telegram is older than this is no longer told as in force: JMA sends a new telegram at
# every change, so a silence this long means the feed stopped reaching us (or an old file was ingested).
IN_FORCE_MAX_AGE = timedelta(hours=24)
AUTO = "自動（packのauto_relay）"  # ``decided_by`` of a report relayed without staff


class ReportError(ValueError):
    """The report cannot be changed so; the message says why."""


@dataclass(frozen=True)
class Ingested:
    """What ``ingest`` did with one telegram, in one line for staff."""

    report_id: int
    outcome: str  # skipped, draft, relayed, voided (a 取消 that voided drafts only) or seen (handled before)
    said: str


def load_config(session: Session) -> city.JmaConfig:
    """The pack's ``[jma]`` table as loaded (an empty one when the pack has none)."""
    row = session.get(JmaPack, 1)
    return city.read_config(row.config if row is not None else None)


def save_config(session: Session, config: city.JmaConfig) -> None:
    """Store the pack's ``[jma]`` table (``pack load``)."""
    row = session.get(JmaPack, 1)
    if row is None:
        session.add(JmaPack(id=1, config=config.as_dict()))
    else:
        row.config = config.as_dict()


def key_of(raw: bytes) -> str:
    """What a telegram is known by: the SHA-256 of its bytes."""
    return hashlib.sha256(raw).hexdigest()


def seen_urls(session: Session, urls: list[str]) -> set[str]:
    """Those of ``urls`` whose telegrams were fetched before (a feed's entries are fetched once)."""
    return set(session.scalars(sa.select(JmaReport.url).where(JmaReport.url.in_(urls)))) if urls else set()


def ingest(session: Session, raw: bytes, now: datetime, *, config: city.JmaConfig, timezone: ZoneInfo,
           url: str | None = None) -> Ingested:
    """Handle one telegram in the caller's transaction; raises ``TelegramError`` when it cannot be read."""
    key = key_of(raw)
    known = session.scalar(sa.select(JmaReport).where(JmaReport.key == key))
    if known is not None:
        if url and not known.url:
            known.url = url
        return Ingested(known.id, "seen", f"#{known.id} already handled ({known.outcome})")
    telegram = parse(raw)
    report = JmaReport(key=key, url=url, family=telegram.family, title=telegram.title,
                       head_title=telegram.head_title, office=telegram.office, series=telegram.series,
                       info_type=telegram.info_type, event_id=telegram.event_id, sent_at=telegram.sent_at,
                       reported_at=telegram.reported_at, received_at=now, outcome=SKIPPED)
    session.add(report)
    if telegram.retraction and not telegram.drill:
        return _retract(session, report, telegram, timezone)
    finding = city.find(telegram, config)
    report.in_force = list(finding.in_force)
    report.areas = "\n".join(finding.areas)
    if finding.skipped:
        report.reason = finding.skipped
        session.flush()
        return Ingested(report.id, SKIPPED, f"#{report.id} skipped: {finding.skipped}")
    newer = _same_group(telegram).where(JmaReport.sent_at > telegram.sent_at,
                                                 JmaReport.outcome != SKIPPED).limit(1)
    if (later := session.scalar(newer)) is not None:
        report.reason = f"older than #{later.id} of the same series"
        session.flush()
        return Ingested(report.id, SKIPPED, f"#{report.id} skipped: {report.reason}")
    for older in session.scalars(_same_group(telegram).where(JmaReport.outcome == DRAFT)):
        older.outcome, older.reason = SUPERSEDED, "a newer telegram of the same series came"
    report.changes = [{"area": c.area, "code": c.code, "kind": c.kind, "change": c.change}
                      for c in finding.changes]
    report.text = compose(telegram, finding, timezone)
    if city.auto_relayed(finding, config):
        report.outcome, report.decided_by, report.decided_at = RELAYED, AUTO, now
    else:
        report.outcome = DRAFT
    session.flush()
    return Ingested(report.id, report.outcome, f"#{report.id} {report.outcome}: {summary(report)}")


def unreadable(session: Session, raw: bytes, now: datetime, *, url: str | None, reason: str) -> Ingested:
    """Keep a fetched telegram that could not be read as skipped, with why (it is not fetched again)."""
    report = JmaReport(key=key_of(raw), url=url, family="", title="", series="", sent_at=now, reported_at=now,
                       received_at=now, outcome=SKIPPED, reason=f"unreadable: {reason}")
    session.add(report)
    session.flush()
    return Ingested(report.id, SKIPPED, f"#{report.id} skipped: {report.reason}")


def compose(telegram: Telegram, finding: city.Finding, timezone: ZoneInfo) -> str:
    """What residents get: JMA's title and headline, the city's kinds as JMA names them, the office and time,
    and the credit line; nothing in the bot's own words."""
    lines = [f"【気象庁】{telegram.head_title or telegram.title}"]
    if telegram.headline:
        lines.append(telegram.headline)
    by_area: dict[str, list[str]] = {}
    for change in finding.changes:
        by_area.setdefault(change.area, []).append(f"{change.kind}（{change.change}）")
    lines += [f"{area}：{'、'.join(kinds)}" for area, kinds in by_area.items()]
    if telegram.family in QUAKE and telegram.hypocenter:
        lines.append(f"震源：{telegram.hypocenter}" + (f"　{telegram.magnitude}" if telegram.magnitude else ""))
    lines += list(telegram.comments)
    return "\n".join([*lines, *_signed(telegram, timezone)])


def _signed(telegram: Telegram, timezone: ZoneInfo) -> list[str]:
    """The last lines of what residents get: who issued it and when, and the credit."""
    issued = f"{month_day_time(telegram.reported_at, timezone)} {telegram.publisher or telegram.office}発表"
    return [issued, ATTRIBUTION]


def _retract(session: Session, report: JmaReport, telegram: Telegram, timezone: ZoneInfo) -> Ingested:
    """A 取消: void the earlier telegrams of its series; a retraction to relay when one had reached residents."""
    earlier = list(session.scalars(sa.select(JmaReport).where(
        JmaReport.series == telegram.series, JmaReport.sent_at < telegram.sent_at,
        JmaReport.outcome.in_((DRAFT, RELAYED)))))
    for voided in earlier:
        if voided.outcome == DRAFT:
            voided.outcome, voided.reason = VOIDED, "JMA retracted it (取消)"
    relayed = [voided for voided in earlier if voided.outcome == RELAYED]
    if not relayed:
        report.reason = (f"取消: voided #{', #'.join(str(r.id) for r in earlier)}" if earlier
                         else "取消 of a telegram that concerned no resident here")
        session.flush()
        outcome = VOIDED if earlier else SKIPPED
        return Ingested(report.id, outcome, f"#{report.id} {outcome}: {report.reason}")
    report.outcome = DRAFT
    report.areas = relayed[-1].areas
    report.reason = f"取消 of #{', #'.join(str(r.id) for r in relayed)}, which residents got"
    words = telegram.text or telegram.headline
    report.text = "\n".join([f"【気象庁】{telegram.head_title or telegram.title}", *([words] if words else []),
                             *_signed(telegram, timezone)])
    session.flush()
    return Ingested(report.id, DRAFT, f"#{report.id} draft: {report.reason}")


def _same_group(telegram: Telegram) -> sa.Select:
    """The reports a newer telegram of ``telegram``'s kind replaces: the same office's telegrams of the same
    type (weather, 土砂), or those of the same earthquake or tsunami event."""
    query = sa.select(JmaReport)
    if telegram.family in QUAKE:
        return query.where(JmaReport.family.in_(QUAKE), JmaReport.event_id == telegram.event_id)
    if telegram.family == "VTSE41":
        return query.where(JmaReport.family == "VTSE41", JmaReport.event_id == telegram.event_id)
    return query.where(JmaReport.family == telegram.family, JmaReport.office == telegram.office)


def relay(session: Session, report_id: int, *, by: str, now: datetime) -> JmaReport:
    """Staff confirm a draft: it is relayed to residents (``push.jma`` broadcasts it)."""
    report = _draft(session, report_id, by)
    report.outcome, report.decided_by, report.decided_at = RELAYED, person(by), now
    return report


def dismiss(session: Session, report_id: int, *, by: str, now: datetime) -> JmaReport:
    """Staff decide residents need not get a draft."""
    report = _draft(session, report_id, by)
    report.outcome, report.decided_by, report.decided_at = DISMISSED, person(by), now
    return report


def _draft(session: Session, report_id: int, by: str) -> JmaReport:
    if not person(by):
        raise ReportError("say who decides (--by)")
    report = session.get(JmaReport, report_id, with_for_update=True)
    if report is None:
        raise ReportError(f"no JMA report #{report_id}")
    if report.outcome != DRAFT:
        raise ReportError(f"#{report_id} is {report.outcome}, not a draft")
    return report


def listing(session: Session, *, outcomes: tuple[str, ...] = (), ids: tuple[int, ...] = (), limit: int = 50
            ) -> list[JmaReport]:
    """The latest reports, newest first (only these outcomes, or these ids, when given)."""
    query = sa.select(JmaReport).order_by(JmaReport.id.desc()).limit(limit)
    if outcomes:
        query = query.where(JmaReport.outcome.in_(outcomes))
    if ids:
        query = query.where(JmaReport.id.in_(ids))
    return list(session.scalars(query))


@dataclass(frozen=True)
class InForce:
    """Kinds JMA has in force in the city, as the latest telegram of one series says, with its office and time."""

    kinds: tuple[str, ...]
    office: str
    reported_at: datetime


def in_force_now(session: Session, now: datetime) -> list[InForce]:
    """What JMA has in force in the city now: the kinds of the latest telegram of each series that reports them
    (an office's weather warnings of one type, 土砂災害警戒情報, tsunami), unless JMA retracted it or it is older
    than ``IN_FORCE_MAX_AGE``; a drill never counts."""
    families = [*WEATHER_OLD, *WEATHER_R06, "VXWW50", "VTSE41"]
    # Only the last day's telegrams can count (a telegram is sent after it is reported), read by their index: the
    # months of telegrams behind them are not read for each message that asks (a fallback reply, a shelter).
    latest = (sa.select(JmaReport.family, JmaReport.office, sa.func.max(JmaReport.sent_at).label("sent_at"))
              .where(JmaReport.sent_at >= now - IN_FORCE_MAX_AGE,
                     JmaReport.family.in_(families), JmaReport.outcome != VOIDED, JmaReport.info_type != "取消",
                     JmaReport.reason.not_like("訓練%"), JmaReport.reason.not_like("試験%"))
              .group_by(JmaReport.family, JmaReport.office).subquery())
    rows = session.execute(sa.select(JmaReport.in_force, JmaReport.office, JmaReport.reported_at).join(
        latest, sa.and_(JmaReport.family == latest.c.family, JmaReport.office == latest.c.office,
                        JmaReport.sent_at == latest.c.sent_at)).order_by(JmaReport.reported_at))
    return [InForce(tuple(kinds), office, reported_at) for kinds, office, reported_at in rows
            if kinds and reported_at >= now - IN_FORCE_MAX_AGE]


def in_force(session: Session, now: datetime) -> tuple[str, ...]:
    """The kinds JMA has in force in the city now (``in_force_now``), each once."""
    return tuple(dict.fromkeys(kind for item in in_force_now(session, now) for kind in item.kinds))


def summary(report: JmaReport) -> str:
    """One line on a report for staff: the title and what changed in the city."""
    changes = "、".join(f"{c['area']} {c['kind']}（{c['change']}）" for c in report.changes or [])
    return f"{report.head_title or report.title}" + (f" — {changes}" if changes else "")


