"""気象庁防災情報XML telegrams read into plain data: what JMA says, for which areas, in JMA's own words.

Read here: 気象警報・注意報 in the old formats (VPWW53 気象特別警報・警報・注意報, VPWW54 気象警報・注意報（Ｈ２７）)
and in the R06 format (VPWW55–61, one telegram per group of phenomena), 土砂災害警戒情報 (VXWW50), 震度速報
(VXSE51), 震源・震度に関する情報 (VXSE53) and 津波警報・注意報・予報 (VTSE41). Elements are matched by namespace-free
local name (telegrams rewritten by other tools order their namespace declarations otherwise), and the XML is
read with defusedxml (a telegram comes from the network).

A telegram tells, per area, the kinds of warning it reports there (``AreaReport``): weather warnings at the
level of municipalities (市町村等, 7-digit codes), 土砂災害警戒情報 likewise, earthquakes as the greatest 震度
per 地震情報 area (3 digits) and per municipality, tsunamis per 津波予報区 (3 digits). Nothing is rephrased:
names and texts are JMA's (気象業務法 §23).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BYTES = 8 * 1024 * 1024  # the largest telegram read (a VPWW54 for a whole prefecture is about 200 kB)

# Control/Title → the telegram's type (the type code is otherwise only in the data URL).
FAMILIES = {
    "気象特別警報・警報・注意報": "VPWW53",
    "気象警報・注意報（Ｈ２７）": "VPWW54",
    "気象警報・注意報（Ｒ０６）（大雨）": "VPWW55",
    "気象警報・注意報（Ｒ０６）（土砂）": "VPWW56",
    "気象警報・注意報（Ｒ０６）（高潮）": "VPWW57",
    "気象警報・注意報（Ｒ０６）（暴風）": "VPWW58",
    "気象警報・注意報（Ｒ０６）（波浪）": "VPWW59",
    "気象警報・注意報（Ｒ０６）（大雪）": "VPWW60",
    "気象警報・注意報（Ｒ０６）（その他注意報）": "VPWW61",
    "土砂災害警戒情報": "VXWW50",
    "震度速報": "VXSE51",
    "震源・震度に関する情報": "VXSE53",
    "津波警報・注意報・予報a": "VTSE41",
}
WEATHER_OLD = frozenset({"VPWW53", "VPWW54"})
WEATHER_R06 = frozenset({"VPWW55", "VPWW56", "VPWW57", "VPWW58", "VPWW59", "VPWW60", "VPWW61"})
QUAKE = frozenset({"VXSE51", "VXSE53"})

# Kinds of area a telegram reports on (``AreaReport.scope``), each with its own list of codes.
MUNICIPALITY = "municipality"  # 気象・地震・火山情報／市町村等: 7 digits (0122400 千歳市)
QUAKE_AREA = "quake_area"  # 地震情報／細分区域: 3 digits (102 石狩地方南部)
TSUNAMI_AREA = "tsunami_area"  # 津波予報区: 3 digits (100 北海道太平洋沿岸東部)

ISSUED, CONTINUED, LIFTED = "発表", "継続", "解除"
NOTHING = "発表警報・注意報はなし"  # weather: no warning in force in the area
# 震度 as JMA codes it, and as its names say it.
INTENSITIES = ("1", "2", "3", "4", "5-", "5+", "6-", "6+", "7")
INTENSITY_NAMES = {"1": "震度１", "2": "震度２", "3": "震度３", "4": "震度４", "5-": "震度５弱", "5+": "震度５強",
                   "6-": "震度６弱", "6+": "震度６強", "7": "震度７"}


class TelegramError(ValueError):
    """The file is not a telegram this reads; the message says why, for staff."""


@dataclass(frozen=True)
class Kind:
    """One kind of warning in one area, as JMA names it (大雨警報, レベル３大雨警報, 警戒, 津波注意報, 震度５弱)."""

    name: str
    code: str
    status: str  # 発表, 継続, 解除, なし or 発表警報・注意報はなし (weather, 土砂); 発表 for a quake or tsunami
    last: str = ""  # the kind in force before (LastKind: a tsunami's 解除 is a 津波予報 after a 津波注意報)

    @property
    def in_force(self) -> bool:
        """Whether this kind is in force in the area after the telegram."""
        return bool(self.name) and self.status in (ISSUED, CONTINUED) and self.name not in ("なし", "解除")


@dataclass(frozen=True)
class AreaReport:
    """What the telegram reports for one area: its kinds (all those in force there, and those lifted)."""

    scope: str  # MUNICIPALITY, QUAKE_AREA or TSUNAMI_AREA
    code: str
    name: str
    kinds: tuple[Kind, ...]


@dataclass(frozen=True)
class Telegram:
    """One telegram as plain data."""

    family: str  # VPWW53 … VTSE41
    title: str  # Control/Title (the information's name; the Atom entry's title)
    head_title: str  # Head/Title (石狩・空知・後志地方雷・濃霧注意報)
    status: str  # 通常, 訓練 or 試験
    info_type: str  # 発表, 訂正, 遅延 or 取消
    sent_at: datetime  # Control/DateTime (UTC): the latest of a series is the valid one
    reported_at: datetime  # Head/ReportDateTime (JST)
    office: str  # Control/EditorialOffice
    publisher: str  # Control/PublishingOffice (may name two offices)
    event_id: str  # Head/EventID: one earthquake's telegrams share it; empty for weather warnings
    serial: str
    headline: str  # Head/Headline/Text: JMA's sentence for people
    text: str  # Body/Text: what a 取消 says
    areas: tuple[AreaReport, ...]
    comments: tuple[str, ...] = ()  # Body/Comments: 「この地震による津波の心配はありません。」
    hypocenter: str = ""  # the 震央地名 of an earthquake
    magnitude: str = ""  # as JMA describes it (Ｍ５．０); "" when unknown

    @property
    def drill(self) -> bool:
        """A 訓練 or 試験 telegram: never shown to residents."""
        return self.status != "通常"

    @property
    def retraction(self) -> bool:
        """A 取消: it voids the earlier telegram of its series, and says nothing else."""
        return self.info_type == "取消"

    @property
    def series(self) -> str:
        """What identifies the series a telegram belongs to (JMA: Title, EditorialOffice, and the EventID of an
        earthquake or tsunami); a 取消 voids the series' earlier telegrams."""
        return "|".join((self.title, self.office, self.event_id if self.family in QUAKE | {"VTSE41"} else ""))


def parse(raw: bytes) -> Telegram:
    """The telegram in ``raw`` (XML bytes); raises TelegramError when it is not one this reads."""
    if len(raw) > MAX_BYTES:
        raise TelegramError(f"larger than {MAX_BYTES // 1024 // 1024} MB")
    try:
        root = fromstring(raw)
    except (ParseError, DefusedXmlException) as error:
        raise TelegramError(f"not readable XML ({error})") from error
    if _local(root.tag) != "Report":
        raise TelegramError("not a 気象庁防災情報XML telegram (no Report element)")
    control, head, body = (_child(root, name) for name in ("Control", "Head", "Body"))
    if control is None or head is None:
        raise TelegramError("not a 気象庁防災情報XML telegram (no Control or Head)")
    title = _text(control, "Title")
    family = FAMILIES.get(title)
    if family is None:
        raise TelegramError(f"a telegram of a kind not read here: {title or '(no title)'}")
    headline = _child(head, "Headline")
    telegram = Telegram(
        family=family, title=title, head_title=_text(head, "Title"), status=_text(control, "Status"),
        info_type=_text(head, "InfoType"), sent_at=_time(_text(control, "DateTime"), "Control/DateTime"),
        reported_at=_time(_text(head, "ReportDateTime"), "Head/ReportDateTime"),
        office=_text(control, "EditorialOffice"), publisher=_text(control, "PublishingOffice"),
        event_id=_text(head, "EventID"), serial=_text(head, "Serial"),
        headline=_text(headline, "Text") if headline is not None else "",
        text=_text(body, "Text") if body is not None else "", areas=())
    if telegram.status not in ("通常", "訓練", "試験"):
        raise TelegramError(f"unknown Control/Status {telegram.status!r}")
    if telegram.retraction or body is None:
        return telegram
    if family in WEATHER_OLD | WEATHER_R06:
        areas = _warnings(body, "気象警報・注意報（市町村等）")
    elif family == "VXWW50":
        areas = _warnings(body, "土砂災害警戒情報")
    elif family in QUAKE:
        return _quake(telegram, body)
    else:
        areas = _tsunami(body)
    return replace(telegram, areas=areas)


def _warnings(body: Element, kind: str) -> tuple[AreaReport, ...]:
    """Body/Warning[@type=kind]/Item: the kinds per municipality (one bare Area per Item)."""
    reports = []
    for warning in _children(body, "Warning"):
        if warning.get("type") != kind:
            continue
        for item in _children(warning, "Item"):
            area = _child(item, "Area")
            if area is None:
                continue
            kinds = tuple(Kind(name=_text(k, "Name"), code=_text(k, "Code"), status=_text(k, "Status"),
                               last=_text(_child(k, "LastKind"), "Name")) for k in _children(item, "Kind"))
            reports.append(AreaReport(MUNICIPALITY, _text(area, "Code"), _text(area, "Name"), kinds))
    return tuple(reports)


def _quake(telegram: Telegram, body: Element) -> Telegram:
    """The greatest 震度 per 地震情報 area and per municipality, the hypocentre and JMA's comments."""
    reports = []
    observation = _path(body, "Intensity", "Observation")
    for pref in _children(observation, "Pref") if observation is not None else ():
        for area in _children(pref, "Area"):
            reports.append(_intensity(QUAKE_AREA, area))
            reports.extend(_intensity(MUNICIPALITY, city) for city in _children(area, "City"))
    quake = _child(body, "Earthquake")
    hypocenter = _text(_path(quake, "Hypocenter", "Area"), "Name") if quake is not None else ""
    magnitude = _child(quake, "Magnitude") if quake is not None else None
    described = ""
    if magnitude is not None and magnitude.get("condition") != "不明":
        described = magnitude.get("description") or (magnitude.text or "").strip()
    comments = _path(body, "Comments", "ForecastComment")
    return replace(telegram, areas=tuple(reports), hypocenter=hypocenter, magnitude=described,
                    comments=(_text(comments, "Text"),) if comments is not None and _text(comments, "Text") else ())


def _intensity(scope: str, area: Element) -> AreaReport:
    most = _text(area, "MaxInt")
    if most and most not in INTENSITY_NAMES:
        raise TelegramError(f"unknown 震度 {most!r} for {_text(area, 'Name')}")
    kinds = (Kind(INTENSITY_NAMES[most], most, ISSUED),) if most else ()
    return AreaReport(scope, _text(area, "Code"), _text(area, "Name"), kinds)


def _tsunami(body: Element) -> tuple[AreaReport, ...]:
    """Body/Tsunami/Forecast/Item: the kind per 津波予報区, with the one in force before."""
    forecast = _path(body, "Tsunami", "Forecast")
    reports = []
    for item in _children(forecast, "Item") if forecast is not None else ():
        area, category = _child(item, "Area"), _child(item, "Category")
        if area is None or category is None:
            continue
        kind, last = _child(category, "Kind"), _child(category, "LastKind")
        reports.append(AreaReport(TSUNAMI_AREA, _text(area, "Code"), _text(area, "Name"), (
            Kind(_text(kind, "Name"), _text(kind, "Code"), ISSUED, last=_text(last, "Name")),)))
    return tuple(reports)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((child for child in element if _local(child.tag) == name), None)


def _path(element: Element | None, *names: str) -> Element | None:
    for name in names:
        element = _child(element, name)
    return element


def _text(element: Element | None, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _time(value: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise TelegramError(f"{where} is not a time: {value!r}") from error
    if moment.tzinfo is None:
        raise TelegramError(f"{where} has no time zone: {value!r}")
    return moment
