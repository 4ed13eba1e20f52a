"""ごみ: what an item is and when it goes out, answered for the resident's own area.

Two intents: ``collection_day`` (「今日は何ごみ？」, 「次の燃えるごみはいつ？」, 「大町の資源ごみの日」, 「12月31日は
ごみ収集ある？」, 「年末年始のごみは？」) and
``garbage_item`` (「乾電池は何ごみ？」, 「ソファー捨てたい」, or just a thing's name: 「蛍光灯」, 「引っ越しで出た
ダンボール」, or a general word such as 「電池」, answered with the items to choose from). Both step aside
(return None) when the city has no garbage data or nothing fits, so the FAQ can answer instead.
"""

from __future__ import annotations

import dataclasses
import re

from garbage.answers import Catalog
from garbage.answers import ItemChoices
from garbage.answers import NeedArea
from garbage.answers import answer_day
from garbage.answers import answer_item
from garbage.answers import answer_next
from garbage.answers import answer_on
from garbage.answers import area_in_text
from garbage.answers import categories_in_text
from garbage.answers import date_question
from garbage.answers import day_question
from garbage.answers import find_item
from garbage.answers import find_listed
from garbage.answers import first_open_day
from garbage.answers import is_when_question
from garbage.answers import item_question
from garbage.answers import next_day_of
from garbage.answers import resolve_area
from garbage.answers import when_item
from garbage.year_end import answer_year_end
from garbage.year_end import is_year_end_question
from intents.base import IntentContext
from search.docs import Query

_LETTERS = re.compile(r"[^\W\d_]")  # a letter of any script: a name has one, a number alone does not
MAX_ITEM_CHARS = 25  # longer messages without a sorting cue are questions for the FAQ


class CollectionDayIntent:
    """Answers which garbage goes out on a day, or when a category comes next, in the resident's area."""

    name = "collection_day"

    def match(self, query: Query):
        """What a question about collection days asks, else None: ("date", month, day) for a day of the calendar
        (「12月31日」, 「元日」), ("day", offset, label) for 今日/明日/あさって, ("year_end",) for the new year's
        break, ("when",) for the next dates; the text last."""
        if (month_day := date_question(query.text, query.key)) is not None:
            return ("date", *month_day, query.text)
        if (day := day_question(query.text, query.key)) is not None:
            return ("day", *day, query.text)
        if is_year_end_question(query.text, query.key):
            return ("year_end", query.text)
        if is_when_question(query.text, query.key):
            return ("when", query.text)
        return None

    def handle(self, match, ctx: IntentContext):
        """The day's categories or the next dates; NeedArea when the area is unknown; None without data."""
        catalog = ctx.garbage
        if catalog is None or not catalog.schedules:
            return None
        text = match[-1]
        # 「年末の大掃除で出た蛍光灯は何ごみ？」, 「ソファを捨てたいのですが、ごみの日には出せないですよね？」 ask about the
        # thing: the item intent's answer (its category, how to apply, its next day) is the one to give. Beside
        # 「ごみの日はいつ」 only a thing found for sure counts: 「缶を捨てたい、次のごみの日はいつ」 wants the days, not
        # the kinds of can.
        if match[0] != "day" and _names_an_item(catalog, text, kinds=match[0] != "when"):
            return None
        area = area_in_text(catalog, text) or resolve_area(catalog, ctx.area)
        if area is None:
            return NeedArea(text)
        if match[0] == "day":
            return answer_day(catalog, area, ctx.today, match[1], match[2])
        if match[0] == "date":
            return answer_on(catalog, area, next_day_of(ctx.today, match[1], match[2]))
        categories = categories_in_text(catalog, text)
        if categories and not any(c in catalog.schedules.get(area, {}) for c in categories):
            return None  # e.g. 粗大ごみ by appointment: the FAQ explains how to apply
        if match[0] == "year_end":
            return answer_year_end(catalog, area, ctx.today, categories)
        return answer_next(catalog, area, first_open_day(catalog, ctx.today, ctx.time_of_day), categories,
                           asked_on=ctx.today)


def _names_an_item(catalog: Catalog, text: str, *, kinds: bool) -> bool:
    """True when ``text`` asks how to put out a thing the catalog knows (「12月30日にスプレー缶を捨てたい」); with
    ``kinds``, a word naming several items (缶: スプレー缶, 空き缶…) counts as well."""
    item, asked, strict = _item_asked(text)
    found = find_item(catalog, Query.of(item), asked_about_sorting=True, strict=strict) if asked else []
    return bool(found) and (kinds or not isinstance(found, ItemChoices))


def _item_asked(text: str) -> tuple[str, bool, bool]:
    """The item named in ``text``, whether the text asks about sorting, and whether only an item named for sure
    may answer (a thing's day asked without a verb, ``when_item``)."""
    item, asked = item_question(text)
    if not asked and (thing := when_item(text)) is not None:
        return thing, True, True
    return item, asked, False


class GarbageItemIntent:
    """Answers how to put out an item, with the next collection day in the resident's area."""

    name = "garbage_item"

    def match(self, query: Query):
        """(the item as a query, asked about sorting, named for sure only) when the message may name an item,
        else None."""
        item, asked, strict = _item_asked(query.text)
        named = Query.of(item) if asked else Query(item, query.key)  # no sorting cue: the whole message is the item
        if not _LETTERS.search(named.key):
            return None  # 「3」, 「!!」: no thing's name
        if asked or len(named.key) <= MAX_ITEM_CHARS:
            return (named, asked, strict)
        return None

    def handle(self, match, ctx: IntentContext):
        """The item's variants and next dates, the items to choose from, or None when none fits (then the FAQ);
        a thing's day asked without a verb is marked ``maybe_not_garbage`` (the FAQ's thing may be meant)."""
        catalog = ctx.garbage
        if catalog is None:
            return None
        item, asked, strict = match
        listed = find_listed(catalog, item.text, asked_about_sorting=asked, strict=strict)
        found = find_item(catalog, item, asked_about_sorting=asked, strict=strict) if listed is None else listed
        if isinstance(found, ItemChoices):
            return dataclasses.replace(found, maybe_not_garbage=strict)
        if not found:
            return None
        return answer_item(catalog, item.text, found, resolve_area(catalog, ctx.area),
                           first_open_day(catalog, ctx.today, ctx.time_of_day), several=listed is not None,
                           asked_on=ctx.today, maybe_not_garbage=strict)


COLLECTION_DAY = CollectionDayIntent()
ITEM = GarbageItemIntent()
