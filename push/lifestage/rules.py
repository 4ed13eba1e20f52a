"""Life-stage rules as data: the ``lifestage.toml`` format, checked rule by rule, and when a rule is due.

The format is documented at the top of ``push/data/default_lifestage.toml``.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from city.models import Municipality
from japanese.calendar import add_months
from japanese.calendar import first_of_month
from japanese.calendar import in_year_from_april
from japanese.calendar import next_office_day
from japanese.calendar import school_year_start
from japanese.calendar import turning_day

PREGNANCY_DAYS = 280  # the due date is the start of 妊娠40週0日
DEFAULT_NAME = "お子さん"
WEEKDAYS = "月火水木金土日"
ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
MONTH_DAY_PATTERN = re.compile(r"(\d{2})-(\d{2})")


class Anchor(StrEnum):
    """What a rule's day is counted from."""

    DUE_DATE = "due_date"
    BIRTH_DATE = "birth_date"
    SCHOOL_YEAR = "school_year"
    AGE = "age"


class DeadlineFrom(StrEnum):
    """Which day is day 1 of a deadline: the anchor day itself (出生届) or the day after (児童手当)."""

    ANCHOR_DAY = "anchor_day"
    NEXT_DAY = "next_day"


class RulesError(ValueError):
    """A rules file cannot be used; ``problems`` holds one line per bad rule, naming it by index and id."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Rule:
    """One life-stage message: when it is due relative to its anchor, for whom and what it says."""

    id: str
    category: str
    anchor: Anchor
    message: str
    source: str = ""
    offset_days: int = 0
    offset_weeks: int = 0
    offset_months: int = 0
    pregnancy_week: int | None = None
    school_year_age: int | None = None
    month_day: tuple[int, int] | None = None
    age: int | None = None
    month_start: bool = False
    window_days: int | None = None  # None: 0, or up to the deadline for deadline rules
    deadline_days: int | None = None
    deadline_from: DeadlineFrom = DeadlineFrom.ANCHOR_DAY
    next_open_day: bool = True
    baby: bool = False  # silenced by the quiet stop of pregnancy/baby messages

    def due_from(self, anchor: date) -> date:
        """The day the rule is due for a person whose anchor date (due or birth date) is ``anchor``."""
        if self.anchor is Anchor.SCHOOL_YEAR:
            return in_year_from_april(school_year_start(anchor, self.school_year_age), self.month_day)
        if self.anchor is Anchor.AGE:
            turning = turning_day(anchor, self.age)
            if self.month_day is not None:
                return in_year_from_april(turning.year if turning.month >= 4 else turning.year - 1, self.month_day)
            if self.month_start:
                first = first_of_month(turning.year, turning.month + self.offset_months)
                return first + timedelta(days=self.offset_days + 7 * self.offset_weeks)
        base = anchor
        if self.pregnancy_week is not None:
            base = anchor - timedelta(days=PREGNANCY_DAYS - 7 * self.pregnancy_week)
        return add_months(base, self.offset_months) + timedelta(days=self.offset_days + 7 * self.offset_weeks)

    def deadline_for(self, anchor: date) -> date | None:
        """The deadline for ``anchor``, moved past closed days when ``next_open_day``; None without one."""
        if self.deadline_days is None:
            return None
        first = anchor if self.deadline_from is DeadlineFrom.ANCHOR_DAY else anchor + timedelta(days=1)
        deadline = first + timedelta(days=self.deadline_days - 1)
        return next_office_day(deadline) if self.next_open_day else deadline


def format_date(day: date) -> str:
    """A date as residents read it: 1月23日（金）."""
    return f"{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


ANCHOR_KEYS = {
    Anchor.DUE_DATE: {"offset_days", "offset_weeks", "offset_months", "pregnancy_week", "deadline_days",
                      "deadline_from", "next_open_day"},
    Anchor.BIRTH_DATE: {"offset_days", "offset_weeks", "offset_months", "deadline_days", "deadline_from",
                        "next_open_day"},
    Anchor.SCHOOL_YEAR: {"school_year_age", "month_day"},
    Anchor.AGE: {"age", "month_day", "offset_days", "offset_weeks", "offset_months", "month_start"},
}
COMMON_KEYS = {"id", "category", "anchor", "message", "source", "window_days", "baby"}
ALL_KEYS = COMMON_KEYS.union(*ANCHOR_KEYS.values())


def load_rules(text: str) -> list[Rule]:
    """The rules in a ``lifestage.toml`` text; raises RulesError naming every bad rule and what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError([f"the file is not valid TOML: {error}"]) from None
    problems = [f"unknown top-level key {key!r} (rules go in [[rule]] tables)" for key in data if key != "rule"]
    tables = data.get("rule", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise RulesError([*problems, "rule must be an array of tables: [[rule]]"])
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        name = f"rule {index}" + (f" ({table['id']})" if isinstance(table.get("id"), str) else "")
        rule, errors = _parse_rule(table)
        if rule is not None and rule.id in seen:
            errors.append(f"duplicate id (also rule {seen[rule.id]})")
        if errors:
            problems.append(f"{name}: " + "; ".join(errors))
        else:
            seen[rule.id] = index
            rules.append(rule)
    if not tables and not problems:
        problems.append("no [[rule]] tables")
    if problems:
        raise RulesError(problems)
    return rules


def _parse_rule(table: dict) -> tuple[Rule | None, list[str]]:
    """One rule from its TOML table, or None and every problem found in it."""
    errors: list[str] = []

    def text(key: str, required: bool = True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            errors.append(f"{key} must be {'non-empty ' if required else ''}text")
            return ""
        return value.strip()

    def integer(key: str, low: int, high: int) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.append(f"{key} must be a whole number from {low} to {high}")
            return None
        return value

    def flag(key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            errors.append(f"{key} must be true or false")
            return default
        return value

    rule_id = text("id")
    if rule_id and not ID_PATTERN.fullmatch(rule_id):
        errors.append("id may use only letters, digits, '-', '_' and '.'")
    category = text("category")
    message = text("message")
    source = text("source", required=False)
    if message:
        try:
            message.format(name=DEFAULT_NAME, date="1月1日（月）")
        except (KeyError, IndexError, ValueError) as error:
            errors.append(f"message may use only {{name}} and {{date}} ({error!r}; write {{{{ }}}} for braces)")
    raw_anchor = table.get("anchor")
    try:
        anchor = Anchor(raw_anchor)
    except ValueError:
        errors.append(f"unknown anchor {raw_anchor!r} (use {', '.join(a.value for a in Anchor)})")
        anchor = None
    unknown = sorted(set(table) - ALL_KEYS)
    if unknown:
        errors.append("unknown keys " + ", ".join(unknown))
    if anchor is not None:
        misplaced = sorted((set(table) & ALL_KEYS) - COMMON_KEYS - ANCHOR_KEYS[anchor])
        if misplaced:
            errors.append(f"{', '.join(misplaced)} cannot be used with anchor {anchor.value}")

    offsets = {key: integer(key, -10_000, 10_000) or 0 for key in ("offset_days", "offset_weeks", "offset_months")}
    pregnancy_week = integer("pregnancy_week", 0, 45)
    school_year_age = integer("school_year_age", 0, 30)
    age = integer("age", 0, 130)
    window_days = integer("window_days", 0, 3660)
    deadline_days = integer("deadline_days", 1, 3660)
    month_start = flag("month_start", False)
    open_day = flag("next_open_day", True)
    baby = flag("baby", anchor is not None and anchor is not Anchor.AGE)
    month_day = None
    if "month_day" in table:
        month_day = _month_day(table["month_day"])
        if month_day is None:
            errors.append(f"month_day must be \"MM-DD\", a day every year has, not {table['month_day']!r}")
    raw_from = table.get("deadline_from", DeadlineFrom.ANCHOR_DAY.value)
    try:
        deadline_from = DeadlineFrom(raw_from)
    except ValueError:
        errors.append(f"deadline_from must be {' or '.join(d.value for d in DeadlineFrom)}, not {raw_from!r}")
        deadline_from = DeadlineFrom.ANCHOR_DAY
    if anchor is Anchor.SCHOOL_YEAR:
        if "school_year_age" not in table:
            errors.append("anchor school_year needs school_year_age")
        if "month_day" not in table:
            errors.append("anchor school_year needs month_day")
    if anchor is Anchor.AGE:
        if "age" not in table:
            errors.append("anchor age needs age")
        if "month_day" in table and ({"month_start"} | set(offsets)) & set(table):
            errors.append("anchor age takes either month_day or offsets/month_start, not both")
    if ("deadline_from" in table or "next_open_day" in table) and "deadline_days" not in table:
        errors.append("deadline_from and next_open_day need deadline_days")
    if errors:
        return None, errors
    return Rule(
        id=rule_id, category=category, anchor=anchor, message=message, source=source,
        offset_days=offsets["offset_days"], offset_weeks=offsets["offset_weeks"],
        offset_months=offsets["offset_months"], pregnancy_week=pregnancy_week, school_year_age=school_year_age,
        month_day=month_day, age=age, month_start=month_start, window_days=window_days,
        deadline_days=deadline_days, deadline_from=deadline_from, next_open_day=open_day, baby=baby,
    ), []


def _month_day(value) -> tuple[int, int] | None:
    """("MM-DD" → (month, day)) for a day that exists every year (so not 02-29), else None."""
    match = MONTH_DAY_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    month, day = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2001, month)[1]:
        return None
    return month, day


def default_rules() -> list[Rule]:
    """The default rule set shipped with the package (``push/data/default_lifestage.toml``)."""
    return load_rules(default_rules_text())


def default_rules_text() -> str:
    """The text of the default rules file, to copy into a pack and edit."""
    return resources.files("push").joinpath("data/default_lifestage.toml").read_text(encoding="utf-8")


def pack_rules_file(pack_dir: str | Path) -> Path | None:
    """The rules file a pack's ``pack.toml`` names in ``[lifestage] file``, or None when it names none.

    Raises RulesError when pack.toml cannot be read or the named file does not exist.
    """
    pack_dir = Path(pack_dir)
    try:
        manifest = tomllib.loads((pack_dir / "pack.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RulesError([f"{pack_dir / 'pack.toml'} cannot be read: {error}"]) from None
    section = manifest.get("lifestage")
    if not isinstance(section, dict) or not section.get("file"):
        return None
    path = pack_dir / str(section["file"])
    if not path.is_file():
        raise RulesError([f"the life-stage rules file {section['file']} named in pack.toml does not exist"])
    return path


def city_rules(session: Session) -> tuple[list[Rule], str]:
    """The loaded pack's life-stage rules (its ``[lifestage] file``), else the default rules; and where they
    came from. Raises RulesError when the pack's file cannot be used."""
    pack_path = session.scalar(sa.select(Municipality.pack_path).order_by(Municipality.id).limit(1))
    rules_file = pack_rules_file(pack_path) if pack_path else None
    if rules_file is None:
        return default_rules(), "default rules"
    return load_rules(rules_file.read_text(encoding="utf-8")), str(rules_file)
