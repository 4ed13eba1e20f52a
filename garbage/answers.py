"""Garbage answers as plain data: what an item is, what goes out on a day, when a category comes next.

Everything works on a ``Catalog`` (the city's garbage data in memory) and a date passed in; the bot turns
the results into messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from garbage.calendar import CalendarPolicy
from garbage.calendar import collection_dates
from garbage.calendar import next_collection
from garbage.schedule import Schedule
from japanese.calendar import holiday_name
from japanese.normalize import normalize
from japanese.synonyms import Synonyms
from search.areas import AreaInfo
from search.areas import clear_choice
from search.areas import match_areas
from search.docs import Query
from search.engine import Analyzer
from search.engine import HybridMatcher
from search.items import bare_name
from search.items import item_doc

ITEM_MATCH = 0.5  # the lowest item score answered when the message asks about sorting
NEXT_DATES = 2


@dataclass(frozen=True)
class ItemRow:
    """One line of the sorting dictionary."""

    name: str
    category: str
    notice: str = ""


@dataclass(frozen=True)
class CategoryInfo:
    """A garbage category; ``collected`` is False for things the city does not take (収集不可)."""

    name: str
    collected: bool = True
    takeaway: str = ""


@dataclass
class Catalog:
    """The city's garbage data, ready to answer from (built once per process and data revision)."""

    items: list[ItemRow]
    categories: dict[str, CategoryInfo]
    areas: list[AreaInfo]
    schedules: dict[str, dict[str, Schedule]]  # area → category → schedule
    policies: dict[str, CalendarPolicy] = field(default_factory=dict)  # area → its calendar policy
    synonyms: Synonyms = field(default_factory=Synonyms)
    attribution: str = ""
    _matcher: HybridMatcher | None = field(default=None, init=False, repr=False)
    _by_name: dict[str, list[ItemRow]] | None = field(default=None, init=False, repr=False)

    def policy(self, area: str) -> CalendarPolicy:
        """The calendar policy of ``area`` (public holidays, the pack's changes, its centre's shutdowns)."""
        return self.policies.get(area, CalendarPolicy())

    @property
    def matcher(self) -> HybridMatcher:
        """The item matcher (built on first use)."""
        if self._matcher is None:
            self._matcher = HybridMatcher([item_doc(str(i), row.name) for i, row in enumerate(self.items)],
                                          analyzer=Analyzer(self.synonyms))
        return self._matcher

    def same_name(self, row: ItemRow) -> list[ItemRow]:
        """Every row whose name, without its bracketed conditions, is the same as ``row``'s (in file order)."""
        if self._by_name is None:
            by_name: dict[str, list[ItemRow]] = {}
            for item in self.items:
                by_name.setdefault(normalize(bare_name(item.name)), []).append(item)
            self._by_name = by_name
        return self._by_name.get(normalize(bare_name(row.name)), [])


@dataclass(frozen=True)
class Variant:
    """One way an item is sorted (its name as written states the condition: 傘（３０㎝以上）)."""

    name: str
    category: str
    collected: bool
    notice: str
    takeaway: str
    next_dates: tuple[date, ...] = ()
    verbatim: str = ""


@dataclass(frozen=True)
class ItemAnswer:
    """How to put out what the resident asked about, with the next collection in their area."""

    asked: str
    variants: tuple[Variant, ...]
    area: str | None
    attribution: str = ""


@dataclass(frozen=True)
class DayAnswer:
    """What goes out in the area on one day."""

    area: str
    day: date
    label: str  # 今日, 明日, あさって
    categories: tuple[str, ...]
    holiday: str | None = None


@dataclass(frozen=True)
class NextAnswer:
    """When categories come next in the area (one category asked, or all of them)."""

    area: str
    dates: tuple[tuple[str, tuple[date, ...], str], ...]  # (category, next dates, text kept verbatim)
    attribution: str = ""


@dataclass(frozen=True)
class NeedArea:
    """The answer depends on the area, which the resident has not set: ask, then answer ``then``."""

    then: str


# ---- items ---------------------------------------------------------------------------------------------

_ITEM_CUES = re.compile(
    r"(って|は|の|を)?(何|なに|なん)(の)?(ごみ|ゴミ)(ですか|なの|になる|ですか？|\?|？)*$"
    r"|(の|を|って|は)?(捨て方|すてかた|出し方|だしかた|分け方|わけかた|分別(方法)?)(を教えて|は|を知りたい|おしえて|\?|？)*$"
    r"|(を|は)?(捨てたい|すてたい|捨てる|捨てられる|出したい|だしたい|処分したい)(んだけど|のですが|です|\?|？)*$"
)


def item_question(text: str) -> tuple[str, bool]:
    """The item named in ``text`` and whether the text asks about sorting (「電池は何ごみ？」 → 電池, True)."""
    stripped = text.strip().rstrip("。.！!")
    item, count = _ITEM_CUES.subn("", stripped)
    return item.strip(" 　、,"), count > 0


def find_item(catalog: Catalog, item: Query | str, *, asked_about_sorting: bool) -> list[ItemRow]:
    """The dictionary rows for the item named: every variant of the best match (conditions, categories).

    Without a sorting cue only an exact name counts, so ordinary questions are left to the FAQ.
    """
    item = Query.of(item) if isinstance(item, str) else item
    if not catalog.items or not item.key:
        return []
    hits = catalog.matcher.search(item, 3)
    if not hits:
        return []
    best = hits[0]
    if best.score < (ITEM_MATCH if asked_about_sorting else 1.0):
        return []
    rows = catalog.same_name(catalog.items[int(best.faq_id)])
    seen, unique = set(), []
    for row in rows:
        if (row.name, row.category, row.notice) not in seen:
            seen.add((row.name, row.category, row.notice))
            unique.append(row)
    return unique


def answer_item(catalog: Catalog, asked: str, rows: Sequence[ItemRow], area: str | None, today: date) -> ItemAnswer:
    """The item's categories, notes, where to take what the city does not collect, and the next dates."""
    variants = []
    for row in rows:
        category = catalog.categories.get(row.category, CategoryInfo(row.category))
        dates: tuple[date, ...] = ()
        verbatim = ""
        if area and category.collected:
            schedule = catalog.schedules.get(area, {}).get(row.category)
            if schedule is not None:
                dates = tuple(next_collection(schedule, row.category, today, catalog.policy(area), count=1))
                verbatim = schedule.verbatim
        variants.append(Variant(row.name, row.category, category.collected, row.notice, category.takeaway,
                                dates, verbatim))
    return ItemAnswer(asked, tuple(variants), area, catalog.attribution)


# ---- collection days -----------------------------------------------------------------------------------

_DAYS = (
    (0, "今日", ("今日", "きょう", "本日", "ほんじつ")),
    (1, "明日", ("明日", "あした", "あす")),
    (2, "あさって", ("明後日", "あさって")),
)
_GARBAGE_WORDS = re.compile(r"ごみ|ゴミ|収集|回収|資源|プラ|びん|ビン|缶|かん|ペット|紙|古紙|粗大|燃")
_WHEN_WORDS = re.compile(r"いつ|何曜|なんよう|の日|収集日|回収日|曜日|次の|つぎの")


def day_question(text: str) -> tuple[int, str] | None:
    """(days from today, label) when ``text`` asks what goes out on a day (「今日は何ごみ？」, 「明日のごみ」)."""
    if not _GARBAGE_WORDS.search(text):
        return None
    for offset, label, words in _DAYS:
        if any(word in text for word in words):
            return offset, label
    return None


def is_when_question(text: str) -> bool:
    """True when ``text`` asks when garbage is collected (「次の燃えるごみはいつ？」, 「資源ごみの日」)."""
    return bool(_GARBAGE_WORDS.search(text) and _WHEN_WORDS.search(text))


def resolve_area(catalog: Catalog, name: str | None) -> str | None:
    """The catalog's area for ``name`` (the resident's stored area, or one typed loosely), if any."""
    if not name:
        return None
    if name in catalog.schedules:
        return name
    choice = clear_choice(match_areas(catalog.areas, name))
    return choice.name if choice is not None else None


def area_in_text(catalog: Catalog, text: str) -> str | None:
    """An area named inside the question (「大町の資源ごみの日」 → 大町), if one is clearly named."""
    matches = [(area, score) for area, score in match_areas(catalog.areas, text) if score >= 0.95]
    return matches[0][0].name if len(matches) == 1 or (matches and matches[0][1] == 1.0) else None


_GOMI_WORD = re.compile(r"[^\sのはをがにでとも]{1,6}ごみ")


def categories_in_text(catalog: Catalog, text: str) -> list[str]:
    """The categories the question names, through the city's synonyms (「燃えるごみ」 → 燃やせるごみ).

    A category counts when its name is in the question, or a 「…ごみ」 word of the question is in its
    name (「粗大ごみ」 → 臨時・粗大ごみ).
    """
    key = normalize(catalog.synonyms.rewrite(text))
    words = {w for w in _GOMI_WORD.findall(key) if len(w) >= 3}
    found = []
    for name in catalog.categories:
        forms = {normalize(name), normalize(catalog.synonyms.rewrite(name))} - {""}
        if any(form in key for form in forms) or any(word in form for word in words for form in forms):
            found.append(name)
    # 「ごみ」 alone is in every category name; keep the most specific (longest) ones.
    longest = max((len(normalize(n)) for n in found), default=0)
    return [n for n in found if len(normalize(n)) == longest] if len(found) > 1 else found


def answer_day(catalog: Catalog, area: str, today: date, offset: int, label: str) -> DayAnswer:
    """What the area puts out ``offset`` days from today."""
    day = today + timedelta(days=offset)
    categories = tuple(
        name for name, schedule in catalog.schedules.get(area, {}).items()
        if collection_dates(schedule, name, day, day, catalog.policy(area))
    )
    return DayAnswer(area, day, label, categories, holiday_name(day))


def answer_next(catalog: Catalog, area: str, today: date, categories: Sequence[str]) -> NextAnswer:
    """The next dates of ``categories`` (all collected ones when empty) in the area."""
    schedules = catalog.schedules.get(area, {})
    names = list(categories) or [n for n in schedules if catalog.categories.get(n, CategoryInfo(n)).collected]
    rows = []
    for name in names:
        schedule = schedules.get(name)
        if schedule is None:
            continue
        count = NEXT_DATES if categories else 1
        rows.append((name, tuple(next_collection(schedule, name, today, catalog.policy(area), count=count)),
                     schedule.verbatim))
    return NextAnswer(area, tuple(rows), catalog.attribution)
