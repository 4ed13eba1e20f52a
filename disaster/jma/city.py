"""What a JMA telegram means for this city: the pack's ``[jma]`` table, and the changes a telegram brings.

The pack names the city as JMA's telegrams do (the demo pack: 千歳市, 0122400; its 地震情報 area 102
石狩地方南部), which weather-warning telegrams to read (``weather``: the R06 ones, VPWW55–61, or the older
VPWW54; VPWW53 repeats VPWW54 and is never read, so residents never get one warning twice), whether 注意報
become drafts too, from which 震度 an earthquake concerns the city, which kinds are relayed without staff
(``auto_relay``) and which put the bot in disaster mode while in force (``disaster_mode``).

A telegram concerns the city when, in one of its areas, a kind is newly issued (発表) or lifted (解除) — a
kind only continuing (継続) brings nothing new — or an earthquake reached ``min_intensity`` there, or a
tsunami warning or advisory was issued or lifted for its coast.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from disaster.jma.telegrams import INTENSITIES
from disaster.jma.telegrams import INTENSITY_NAMES
from disaster.jma.telegrams import ISSUED
from disaster.jma.telegrams import LIFTED
from disaster.jma.telegrams import MUNICIPALITY
from disaster.jma.telegrams import QUAKE
from disaster.jma.telegrams import QUAKE_AREA
from disaster.jma.telegrams import TSUNAMI_AREA
from disaster.jma.telegrams import WEATHER_OLD
from disaster.jma.telegrams import WEATHER_R06
from disaster.jma.telegrams import AreaReport
from disaster.jma.telegrams import Kind
from disaster.jma.telegrams import Telegram

WEATHER_FORMATS = {"r06": WEATHER_R06, "h27": frozenset({"VPWW54"})}
WEATHER_NAMES = {"r06": "the R06 ones (VPWW55–61)", "h27": "VPWW54"}
SEDIMENT = "土砂災害警戒情報"  # what a VXWW50 Kind 警戒 is, in words residents know
_BY_NAME = {name: code for code, name in INTENSITY_NAMES.items()}


class JmaConfigError(ValueError):
    """The pack's ``[jma]`` table is wrong; the message says where."""


@dataclass(frozen=True)
class JmaConfig:
    """The pack's ``[jma]`` table, checked."""

    municipalities: tuple[str, ...] = ()  # 市町村等 codes (7 digits): warnings, 土砂災害警戒情報, 震度 per city
    quake_areas: tuple[str, ...] = ()  # 地震情報／細分区域 codes (3 digits): 震度速報
    tsunami_areas: tuple[str, ...] = ()  # 津波予報区 codes (3 digits)
    areas: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a code → the city's areas (absent: all)
    weather: str = "r06"
    advisories: bool = False
    min_intensity: str = "4"
    auto_relay: tuple[str, ...] = ()  # kind names (a 震度 name: that or stronger) relayed without staff
    disaster_mode: tuple[str, ...] = ()  # kind names that switch the disaster mode on while in force

    @property
    def configured(self) -> bool:
        """Whether the pack names the city at all (without it, every telegram is skipped)."""
        return bool(self.municipalities or self.quake_areas or self.tsunami_areas)

    def as_dict(self) -> dict:
        """The table as stored (``JmaPack``)."""
        return {"municipalities": list(self.municipalities), "quake_areas": list(self.quake_areas),
                "tsunami_areas": list(self.tsunami_areas), "areas": {k: list(v) for k, v in self.areas.items()},
                "weather": self.weather, "advisories": self.advisories, "min_intensity": self.min_intensity,
                "auto_relay": list(self.auto_relay), "disaster_mode": list(self.disaster_mode)}


def read_config(table: object) -> JmaConfig:
    """The pack's ``[jma]`` table (or a stored one) as a JmaConfig; raises JmaConfigError naming each problem."""
    if table is None:
        return JmaConfig()
    if not isinstance(table, dict):
        raise JmaConfigError("[jma] must be a table")
    problems = []
    known = set(JmaConfig.__dataclass_fields__)
    problems += [f"unknown key {key!r}" for key in table if key not in known]

    def codes(key: str, digits: int) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(code, str) and code.isdigit() and len(code) == digits
                                                  for code in value):
            problems.append(f"{key} must list {digits}-digit codes as text (\"{'0' * digits}\")")
            return ()
        return tuple(value)

    def names(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(name, str) and name.strip() for name in value):
            problems.append(f"{key} must list kind names as JMA writes them")
            return ()
        return tuple(name.strip() for name in value)

    areas = table.get("areas", {})
    if not isinstance(areas, dict) or not all(isinstance(v, list) and all(isinstance(a, str) for a in v)
                                              for v in areas.values()):
        problems.append("areas must map a JMA code to a list of the city's area names")
        areas = {}
    weather = table.get("weather", "r06")
    if weather not in WEATHER_FORMATS:
        problems.append(f"weather must be one of {', '.join(WEATHER_FORMATS)}")
    intensity = str(table.get("min_intensity", "4"))
    if intensity not in INTENSITIES:
        problems.append(f"min_intensity must be one of {', '.join(INTENSITIES)}")
    advisories = table.get("advisories", False)
    if not isinstance(advisories, bool):
        problems.append("advisories must be true or false")
    config = JmaConfig(municipalities=codes("municipalities", 7), quake_areas=codes("quake_areas", 3),
                       tsunami_areas=codes("tsunami_areas", 3),
                       areas={code: tuple(v) for code, v in areas.items()}, weather=weather,
                       advisories=advisories is True, min_intensity=intensity, auto_relay=names("auto_relay"),
                       disaster_mode=names("disaster_mode"))
    if problems:
        raise JmaConfigError("[jma]: " + "; ".join(problems))
    return config


@dataclass(frozen=True)
class Change:
    """One kind issued, lifted or reached in one of the city's areas (JMA's names)."""

    area: str  # JMA's name of the area (千歳市, 石狩地方南部)
    code: str
    kind: str  # the kind's name (a lifted VXWW50 警戒 is named 土砂災害警戒情報)
    change: str  # 発表 or 解除 (a 震度 or a tsunami kind: 発表)


@dataclass(frozen=True)
class Finding:
    """What a telegram means for the city: why it is skipped, or its changes and the kinds then in force."""

    skipped: str = ""  # why nothing is drafted ("": a draft is made)
    changes: tuple[Change, ...] = ()
    in_force: tuple[str, ...] = ()  # kinds in force in the city's areas after it (for the disaster mode)
    areas: tuple[str, ...] = ()  # the city's areas concerned (empty: all of them)


def find(telegram: Telegram, config: JmaConfig) -> Finding:
    """What ``telegram`` means for the city configured by ``config`` (a 取消 is handled by the caller)."""
    if telegram.drill:
        return Finding(skipped=f"{telegram.status}の電文 (not for residents)")
    if not config.configured:
        return Finding(skipped="the pack names no JMA area for the city ([jma] in pack.toml)")
    if telegram.family in WEATHER_OLD | WEATHER_R06 and telegram.family not in WEATHER_FORMATS[config.weather]:
        return Finding(skipped=f"{telegram.family}: the city reads JMA's weather warnings in "
                               f"{WEATHER_NAMES[config.weather]}, which carry the same (pack: weather = "
                               f"\"{config.weather}\")")
    mine = [report for report in telegram.areas if _is_mine(report, config)]
    if not mine:
        return Finding(skipped="not for this city (none of its JMA areas is in the telegram)")
    changes = [change for report in mine for change in _changes(telegram, report, config)]
    in_force = tuple(dict.fromkeys(_name(telegram, kind) for report in mine for kind in report.kinds
                                   if kind.in_force and _counts(telegram, kind, config)
                                   and telegram.family not in QUAKE))
    areas = _city_areas([report.code for report in mine], config)
    if not changes:
        advisories = any(kind.status in (ISSUED, LIFTED) and not _counts(telegram, kind, config)
                         for report in mine for kind in report.kinds)
        reason = ("only 注意報 changed in the city (the pack drafts 警報 and above: advisories = false)" if advisories
                  else "nothing new for the city (its kinds continue, or are below what the pack asks for)")
        return Finding(skipped=reason, in_force=in_force, areas=areas)
    return Finding(changes=tuple(changes), in_force=in_force, areas=areas)


def auto_relayed(finding: Finding, config: JmaConfig) -> bool:
    """Whether the pack has this finding relayed without staff: one of its issued kinds is named in
    ``auto_relay`` (a 震度 named there counts with every stronger one)."""
    for change in finding.changes:
        if change.change != ISSUED:
            continue
        for name in config.auto_relay:
            if change.kind == name:
                return True
            if name in _BY_NAME and change.kind in _BY_NAME \
                    and INTENSITIES.index(_BY_NAME[change.kind]) >= INTENSITIES.index(_BY_NAME[name]):
                return True
    return False


def _is_mine(report: AreaReport, config: JmaConfig) -> bool:
    if report.scope == MUNICIPALITY:
        return any(_same_municipality(report.code, code) for code in config.municipalities)
    if report.scope == QUAKE_AREA:
        return report.code in config.quake_areas
    return report.scope == TSUNAMI_AREA and report.code in config.tsunami_areas


def _same_municipality(reported: str, configured: str) -> bool:
    """A municipality JMA splits (富山市平地 1620111 of 富山市 1620100) counts as the whole one, and the other
    way round."""
    if reported == configured:
        return True
    return reported[:5] == configured[:5] and (configured.endswith("00") or reported.endswith("00"))


def _changes(telegram: Telegram, report: AreaReport, config: JmaConfig) -> list[Change]:
    changes = []
    for kind in report.kinds:
        if telegram.family in QUAKE:
            if kind.code in INTENSITIES and INTENSITIES.index(kind.code) >= INTENSITIES.index(config.min_intensity):
                changes.append(Change(report.name, report.code, kind.name, ISSUED))
        elif telegram.family == "VTSE41":
            now, before = _is_tsunami_warning(kind.name), _is_tsunami_warning(kind.last)
            if now and kind.name != kind.last:
                changes.append(Change(report.name, report.code, kind.name, ISSUED))
            elif before and not now:
                changes.append(Change(report.name, report.code, kind.last, LIFTED))
        elif kind.status in (ISSUED, LIFTED) and _counts(telegram, kind, config):
            changes.append(Change(report.name, report.code, _name(telegram, kind), kind.status))
    return changes


def _counts(telegram: Telegram, kind: Kind, config: JmaConfig) -> bool:
    """Whether the kind is one the city drafts: every 土砂災害警戒情報 and tsunami kind; 注意報 only with
    ``advisories``."""
    if telegram.family in WEATHER_OLD | WEATHER_R06:
        name = kind.name or kind.last
        return config.advisories or not name.endswith("注意報")
    return True


def _name(telegram: Telegram, kind: Kind) -> str:
    """The kind's name as residents read it: JMA's, except a VXWW50 Kind (警戒, 解除) is the 土砂災害警戒情報."""
    if telegram.family == "VXWW50":
        return SEDIMENT
    return kind.name or kind.last


def _is_tsunami_warning(name: str) -> bool:
    return name.endswith(("警報", "注意報"))


def _city_areas(codes: list[str], config: JmaConfig) -> tuple[str, ...]:
    """The city's areas these JMA codes cover (empty: the whole city)."""
    named = []
    for code in codes:
        if code not in config.areas:
            return ()
        named.extend(config.areas[code])
    return tuple(dict.fromkeys(named))
