"""Garbage answers as plain data: what an item is, what goes out on a day, when a category comes next.

Everything works on a ``Catalog`` (the city's garbage data in memory) and a date passed in; the bot turns
the results into messages.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import time
from datetime import timedelta

from garbage.calendar import CalendarPolicy
from garbage.calendar import collection_dates
from garbage.calendar import next_collection
from garbage.lookup import ItemNames
from garbage.lookup import Parts
from garbage.schedule import Schedule
from japanese.analysis import is_content
from japanese.analysis import words as morphemes
from japanese.calendar import holiday_name
from japanese.normalize import normalize
from japanese.normalize import to_hiragana
from japanese.phrases import leading_phrase
from japanese.phrases import noun_phrase
from japanese.phrases import without_honorific
from japanese.sentences import clauses
from japanese.sentences import without_dialect_ending
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
NAME_MATCH = 0.7  # the lowest item score answered for a thing's name alone, without a sorting cue
MAX_CHOICES = 12  # items offered for a general word (電池), within LINE's 13 quick-reply buttons
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
    collected_by: time | None = None  # the pack's put-out deadline on collection days (「朝8時30分までに」)
    _matcher: HybridMatcher | None = field(default=None, init=False, repr=False)
    _by_name: dict[str, list[ItemRow]] | None = field(default=None, init=False, repr=False)
    _names: ItemNames | None = field(default=None, init=False, repr=False)

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

    @property
    def names(self) -> ItemNames:
        """The distinct item names split into their parts, for lookups by head or near name (built on first use)."""
        if self._names is None:
            self._names = ItemNames((row.name for row in self.items), self.categories)
        return self._names

    def same_name(self, row: ItemRow) -> list[ItemRow]:
        """Every row whose name, without its bracketed conditions, is the same as ``row``'s (in file order)."""
        return self.named(row.name)

    def variants(self, name: str) -> list[ItemRow]:
        """The distinct rows of the item called ``name`` (bare name): one per condition and category."""
        return _unique(self.named(name))

    def named(self, name: str) -> list[ItemRow]:
        """Every row whose name, without its bracketed conditions, is ``name``'s (in file order)."""
        if self._by_name is None:
            by_name: dict[str, list[ItemRow]] = {}
            for item in self.items:
                by_name.setdefault(normalize(bare_name(item.name)), []).append(item)
            self._by_name = by_name
        return self._by_name.get(normalize(bare_name(name)), [])


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
    on_calendar: bool = True  # False for a category collected on request (粗大ごみ): no day to tell


@dataclass(frozen=True)
class ItemAnswer:
    """How to put out what the resident asked about, with the next collection in their area."""

    asked: str
    variants: tuple[Variant, ...]
    area: str | None
    attribution: str = ""
    several: bool = False  # the resident named several things (「フライパンと鍋」): their variants side by side
    maybe_not_garbage: bool = False  # nothing but the thing's name says garbage is meant (「新聞は何曜日？」)
    asked_on: date | None = None  # the resident's day: a next date on it or the day after is named 今日 or 明日


@dataclass(frozen=True)
class ItemChoices:
    """The resident's word names several items (電池 → 乾電池, ボタン電池…), or resembles some: offer them."""

    asked: str
    names: tuple[str, ...]
    loose: bool = False  # the names only resemble the word (炊飯器 → 炊飯ジャー): none of them is surely it
    maybe_not_garbage: bool = False  # nothing but the word says garbage is meant (「電池は何曜日？」)


@dataclass(frozen=True)
class DayAnswer:
    """What goes out in the area on one day."""

    area: str
    day: date
    label: str  # 今日, 明日, あさって; empty for a day asked by its date (12月31日, 元日)
    categories: tuple[str, ...]
    holiday: str | None = None
    note: str = ""  # the pack's word for a day without collection (「年末年始は収集しません」)


@dataclass(frozen=True)
class NextAnswer:
    """When categories come next in the area (one category asked, or all of them)."""

    area: str
    dates: tuple[tuple[str, tuple[date, ...], str], ...]  # (category, next dates, text kept verbatim)
    attribution: str = ""
    asked_on: date | None = None  # the resident's day: a next date on it or the day after is named 今日 or 明日


@dataclass(frozen=True)
class NeedArea:
    """The answer depends on the area, which the resident has not set: ask, then answer ``then``."""

    then: str


# ---- items ---------------------------------------------------------------------------------------------

# A sorting question ends in a cue: 「何ごみ」, a way of putting out (捨て方, 処分方法), or a verb of disposal with
# an optional manner, place or time (どうやって捨てる, どう処分すれば, どこに捨てれば, いつ出せば, 何曜日に捨てる) and
# question endings (の, んだけど, ですか, ばいい, and ええ as Kansai says いい…).
# 九州's 「よか」 (いい) and question 「と」 end a question too (「捨てればよかと」).
_ENDINGS = r"(ん|の|か|かな|には|ですか|でしょうか|だけど|けど|のですが|ですが|です" \
           r"|ばいい|ばよい|たらいい|たらよい|いい|よい|ええ|よか|と" \
           r"|を教えて|教えて|おしえて|(を)?知りたい|ください|は|\?|？|〜|ー|ｰ|…)*$"
# How, in standard Japanese and in the west's dialects (九州 どげん, 関西 どない, 中国 どがい).
_MANNER = (r"(どうやって|どうやったら|どのように|どのようにして|どう"
           r"|どげんして|どげん|どないして|どない|どがいして|どがい)?")
# A thing's fate asked without a verb of disposal: 「電池どうすれば」, 「傘どうするの」, 「これどげんしたら」.
_WHAT_TO_DO = r"(どう|どげん|どない|どがい)(すれば|したら|する|すん)"
_FORMS = r"(る|たい|ます|られる|られます|れる|れば|ば|たら|て|ても)?"
_THROW = r"捨て|すて|処分し|処分す|廃棄し|廃棄す"
_PUT_OUT = r"出し|だし"
_DISPOSAL = "(" + _THROW + "|" + _PUT_OUT + ")" + _FORMS + r"|処分|廃棄|" + _WHAT_TO_DO
# Where to throw away, never where to put out: 「書類はどこに出したらいい？」 asks where to hand it in.
_PLACE_DISPOSAL = r"(どこに|どこへ|どこで)(" + _THROW + ")" + _FORMS
# When a thing goes out: 「テレビっていつ出せる？」, 「スプレー缶は何曜日に捨てればいい？」. The verb is needed: with
# 「いつ」 or 「何曜日」 alone, 「図書館の休みは何曜日？」 would read 休み (やすみ) as a thing to put out.
_WHEN = r"(いつ|何曜日?|なんようび|なに曜日)"  # a day asked: when, or which day of the week
_WHEN_DISPOSAL = _WHEN + r"(に)?(" + _THROW + "|" + _PUT_OUT + r"|出せ|だせ|出す)" + _FORMS
_ITEM_CUES = re.compile(
    r"(って|は|の|を)?(何|なに|なん)(の)?(ごみ|ゴミ)(になる|になります|なの|なん|さ|だべ|やろ|だろう?)?" + _ENDINGS +
    # A category asked of a thing: 「テレビって粗大ごみ？」, 「これは燃えないゴミですか」 (the answer says which it is);
    # on LINE a space often stands for the particle (「電気毛布 燃えるごみでいい？」), and 「でいい」 ends as a
    # question does (「レジ袋ってプラごみでいいの？」, 「プラごみでええん？」).
    r"|(って|は|[ 　]+)([^\sのはをがにでとも]|も(?=[やえ])){1,6}(ごみ|ゴミ)"
    r"(ですか|でしょうか|なの|なん|かな|になる|になりますか"
    r"|で(いい|よい|ええ)(ん|の|か|かな|のか|んか|んかな|ですか|でしょうか|んですか|んやろか)?)*$"
    r"|(の|を|って|は)?(捨て方|すてかた|出し方|だしかた|分け方|わけかた|分別(方法)?|処分(方法|の仕方|のしかた)|廃棄方法)"
    + _ENDINGS +
    r"|(の|を|って|は|も|ば)?(" + _MANNER + "(" + _DISPOSAL + ")|" + _PLACE_DISPOSAL + "|" + _WHEN_DISPOSAL + ")"
    + _ENDINGS
)


_ASKED = re.compile(r"(は|って|とか)?[?？]+$")  # 「キャップは？」 asks about キャップ
# The day of a thing asked without a verb: 「段ボールはいつ？」, 「新聞は何曜日？」, 「雑誌っていつだっけ」. Only a
# thing the catalog names for sure answers it (``find_item(strict=True)``): 「図書館の休みは何曜日？」 names none.
_BARE_WHEN = re.compile(r"(?P<thing>.+?)(って|は|の日は|の日って|の収集日は|の回収日は)"
                        + _WHEN + r"(です|なの|だっけ|やっけ|やったっけ|だった)?" + _ENDINGS)


_THIS = frozenset({"これ", "コレ", "それ", "ソレ", "こちら", "そちら", "こいつ"})  # って or は is the cue's
# A clause saying a thing is done with: broken, worn out, no longer needed or used, left over (「電子レンジ壊れた」).
_DONE_WITH = re.compile(r"(?P<thing>[^、。]+?)(が|は|も|って)?(壊れ|こわれ|割れ|われ|古く|ふるく|いらな|要らな"
                        r"|使わな|つかわな|使えな|つかえな|余っ|あまっ|破れ|やぶれ|動かな|うごかな|出てき|でてき|たまっ|溜まっ)")


def item_question(text: str) -> tuple[str, bool]:
    """The item named in ``text`` and whether the text asks about sorting (「電池は何ごみ？」 → 電池, True).

    A question about how to prepare a thing for the collection (「ペットボトルのキャップは外すの？」,
    「缶は洗ったほうがいい？」) asks about sorting too: the thing is its topic. A dialect's sentence-final
    particle (「捨てたいっしょ」, 「出すべ？」) is read past; in a message of several clauses, the first clause
    that asks about a thing names it (「ソファー捨てたいっしょ、粗大ごみって
    どうやるの」 → ソファー), and 「これ」 there the thing of the clause before
    (「電子レンジ壊れたっしょ、これ何ごみさ」).
    """
    parts = clauses(text)
    for index, clause in enumerate(parts if len(parts) > 1 else ()):
        if (found := _clause_item(clause))[1] and found[0]:
            if found[0] in _THIS and index:
                # 「電子レンジ壊れたっしょ、これ何ごみさ」: the thing the clause before says is done with, or nothing
                # (「写真送ります。これは何ごみですか」: これ is in the picture)
                before = _DONE_WITH.match(without_dialect_ending(parts[index - 1]).strip(" 　、,。"))
                return (before["thing"], True) if before else ("", True)
            return found
    return _clause_item(text)


def when_item(text: str) -> str | None:
    """The thing whose day a question asks without a verb of disposal (「段ボールはいつ？」 → 段ボール), or None."""
    plain = without_dialect_ending(text.strip().rstrip("。.！!、, 　"))
    found = _BARE_WHEN.fullmatch(plain)
    return found["thing"].strip(" 　、,") if found else None


def _clause_item(text: str) -> tuple[str, bool]:
    """``item_question`` for one clause, read without a dialect's sentence-final particle (捨てたいっしょ)."""
    plain = without_dialect_ending(text.strip().rstrip("。.！!、, 　"))
    stripped = _ASKED.sub("", plain.rstrip("。.！!"))
    cue = _ITEM_CUES.search(stripped)
    if cue is not None and _HOW.fullmatch(cue.group()) and _wants_another_thing(stripped):
        cue = None  # 「母子手帳もらうにはどうすれば」 asks how to get it, not how to throw it away
    if cue is None and (topic := _prepared_topic(plain)) is not None:
        return topic, True
    item = stripped if cue is None else stripped[:cue.start()]
    return item.strip(" 　、,"), cue is not None


# 「電池どうすれば」: the cue without a verb of disposal
_HOW = re.compile(r"(の|を|って|は|も|ば)?" + _WHAT_TO_DO + _ENDINGS)
_DISPOSAL_LEMMAS = frozenset({"捨てる", "棄てる", "出す", "処分", "廃棄"})  # 処分(する), 廃棄(する): the noun counts


def _wants_another_thing(text: str) -> bool:
    """True when ``text`` says what the resident wants to do, and it is not throwing something away: a verb of
    purpose (「もらうには」, 「入れるためには」) or wish (「預けたい」, 「ほしい」) other than 捨てる, 出す, 処分する.
    「引っ越しのダンボール大量にあるんだけど」 says what there is: the thing is still the question's topic."""
    found = morphemes(text)
    for index, word in enumerate(found):
        if word.pos not in {"動詞", "形容詞"}:
            continue
        after = "".join(w.surface for w in found[index + 1:index + 3])
        wish = word.lemma == "欲しい" or after.startswith(("たい", "には", "ために", "ためには"))
        doing = found[index - 1].lemma if word.lemma == "為る" and index else word.lemma  # 処分する: 処分
        if wish and doing not in _DISPOSAL_LEMMAS:
            return True
    return False


# Verbs of preparing a thing for the collection, as Sudachi normalises them (外す, はずす → 外す).
_PREPARING = frozenset(to_hiragana(verb) for verb in (
    "外す", "取る", "取り外す", "取り除く", "剥がす", "洗う", "濯ぐ", "分ける", "潰す", "畳む", "切る", "抜く",
    "縛る", "束ねる", "包む", "開ける", "空ける", "あける", "入れる", "纏める", "分解する",
))
_TOPIC = {"は", "って", "も"}
# After a verb of preparing: must it be done (外さなきゃだめ, 洗わないといけない, 外す必要ある, 洗ったほうがいい)?
_MUST = re.compile(r"(なきゃ|なくちゃ|なければ|ないと|ないといけ|る?必要|た(ほう|方)が|だ(ほう|方)が|べき)")
_QUESTION_END = re.compile(r"(の|か|かな|ですか|ますか|でしょうか|べき|いい|よい|必要|ある"
                           r"|だめ|ダメ|駄目|いけない)[?？]*$|[?？]$")


def _prepared_topic(text: str) -> str | None:
    """The thing a question about preparing it is about (「キャップは外すの？」, 「キャップ外さなきゃだめ？」 →
    キャップ), or None."""
    plain = text.strip().rstrip("。.！!")
    if not _QUESTION_END.search(plain):
        return None
    found = morphemes(plain)
    for index, word in enumerate(found):
        topic = word.pos == "助詞" and word.surface in _TOPIC
        if topic and not any(w.pos == "動詞" and w.lemma in _PREPARING for w in found[index + 1:]):
            return None
        # The thing before a topic particle, or right before the verb when what follows asks whether it must be
        # done (spoken without a particle: 「キャップ外さなきゃだめ？」; not 「休み取るのは大変？」).
        spoken = (index > 0 and word.pos == "動詞" and word.lemma in _PREPARING and found[index - 1].pos == "名詞"
                  and _MUST.match("".join(w.surface for w in found[index + 1:])) is not None)
        if index and (topic or spoken):
            phrase = noun_phrase("".join(w.surface for w in found[:index]))
            return phrase.text if phrase is not None else None
        if word.pos in {"動詞", "形容詞"}:
            return None
    return None


def find_item(catalog: Catalog, item: Query | str, *, asked_about_sorting: bool,
              strict: bool = False) -> list[ItemRow] | ItemChoices:
    """The dictionary rows for the thing the resident names, or the items to choose from when it names several.

    Tried in order, each on the whole text, then on its final noun phrase and that phrase's head (「引っ越しで
    出たダンボール」 → ダンボール, 「ペットボトルのキャップ」 → キャップ), without an honorific お/ご (お皿 → 皿):
    an exact name, alias or reading; the dictionary's own spelling of a word typed in kana (かん → 缶,
    だんボール → 段ボール); items headed by the word (電池 → ボタン電池, 乾電池…), beginning with it (ダンボール →
    段ボール箱), or differing in a one-kanji head (蛍光灯 → 蛍光管). A compound the dictionary lacks gets a loose
    match, offered as choices: the items sharing its stem (炊飯器 → 炊飯ジャー), else its shorter heads (本棚 →
    棚). Last, the closest name, if it scores ``ITEM_MATCH`` (asked about sorting) or ``NAME_MATCH`` (a
    name alone). Without a sorting cue the text must end with a noun, so ordinary questions are left to the
    FAQ. A word in katakana Sudachi does not know (ケイコウトウ) is tried in hiragana too. An empty list when
    nothing fits. ``strict`` looks up the whole text only, by its name, alias, reading or spelling, or the items
    it heads when they are several (電池): only what the text names for sure, no head of it, no name it begins,
    no near, loose or closest name.
    """
    text = (item.text if isinstance(item, Query) else item).strip()
    if not catalog.items or not normalize(text):
        return []
    found = _find(catalog, text, asked_about_sorting, strict)
    if not found and _KATAKANA.match(text) and (hiragana := to_hiragana(text)) != text:
        found = _find(catalog, hiragana, asked_about_sorting, strict)
    return found


_AND = {"と", "や", "とか", "、", ","}  # what joins two things in a list: 「フライパンと鍋」, 「段ボールや新聞」


def find_listed(catalog: Catalog, text: str, *, asked_about_sorting: bool,
                strict: bool = False) -> list[ItemRow] | ItemChoices | None:
    """The rows of each thing ``text`` lists (「フライパンと鍋」, 「段ボールや新聞、雑誌」), or, when a word among them
    names several items (電池), every item to choose from; None when the text lists fewer than two things or one
    of them is not found (then the text is looked up whole, ``find_item``)."""
    parts, current = [], ""
    for word in morphemes(text):
        if word.surface in _AND and word.pos in {"助詞", "補助記号"}:
            parts.append(current)
            current = ""
        elif not (word.surface == "か" and word.pos == "助詞" and not current):  # とか: と + か
            current += word.surface
    parts = [part.strip() for part in [*parts, current] if part.strip()]
    if len(parts) < 2:
        return None
    found = []
    for part in parts:  # one part not found: the text is looked up whole, the rest need not be
        if not (each := find_item(catalog, part, asked_about_sorting=asked_about_sorting, strict=strict)):
            return None
        found.append(each)
    if not any(isinstance(each, ItemChoices) for each in found):
        return _unique([row for rows in found for row in rows])
    names = [name for each in found for name in (each.names if isinstance(each, ItemChoices) else
                                                  [row.name for row in each])]
    return ItemChoices(text, tuple(dict.fromkeys(names)),
                       loose=any(isinstance(each, ItemChoices) and each.loose for each in found))


def _find(catalog: Catalog, text: str, asked_about_sorting: bool, strict: bool) -> list[ItemRow] | ItemChoices:
    """``find_item`` for one way of writing the text."""
    if rows := _exact(catalog, text):
        return rows
    names = catalog.names
    for spelling in names.spellings(text):
        if found := _named(catalog, text, spelling, (), strict):
            return found
    if strict:  # the whole text, or the items it heads; its head or a word beginning a name would be guesses
        return _several_headed(catalog, text, text)
    phrase = noun_phrase(text)
    leading = None
    if phrase is not None:
        candidates, modifiers = [phrase.text, phrase.head], phrase.modifiers
    elif asked_about_sorting and (leading := leading_phrase(text)) is not None:
        candidates, modifiers = [leading.text, leading.head], leading.modifiers
    elif _KANA.match(normalize(text)) or asked_about_sorting:
        candidates, modifiers = [text], ()  # kana Sudachi cannot split (でんち), or a question about sorting
    else:
        return []
    candidates = list(dict.fromkeys(form for candidate in candidates
                                    for form in (candidate, without_honorific(candidate))))
    modifiers = tuple(without_honorific(modifier) for modifier in modifiers)
    for candidate in candidates:
        if rows := _exact(catalog, candidate):
            return _narrowed(rows, modifiers)
    head = candidates[-1]
    if not any(is_content(word) for word in morphemes(head)):
        return []  # 「もの」, 「こと」: no thing's name
    if leading is not None and len(head) < MIN_GUESSED_LEAD:
        # The first thing of a sentence, one character (「犬が死んでしまったのですが、どうすれば」): the sentence may
        # be about something else than throwing it away, and a name it only begins is a guess (犬 → 犬小屋), so
        # it is taken when it names items; a longer one may begin a name (ダンボール → 段ボール箱).
        return next((found for spelling in (head, *names.spellings(head))
                     if (found := _named(catalog, head, spelling, modifiers, strict=True))), [])
    for spelling in names.spellings(head):
        if found := _named(catalog, head, spelling, modifiers):
            return found
    if found := names.headed_by(head):
        return _chosen(catalog, head, found, modifiers)
    # Another name of a thing, in its brackets (「アルミホイル（アルミ箔）」), before the names the word only begins
    # (アルミ箔なべ) or nearly is.
    for candidate in candidates:
        if inside := names.inside(candidate):
            return _chosen(catalog, candidate, inside, modifiers)
    for finder in (names.starting_with, names.near):
        if found := finder(head):
            return _chosen(catalog, head, found, modifiers)
    if phrase is not None and (loose := _loosely(catalog, head)):
        return ItemChoices(head, tuple(loose[:MAX_CHOICES]), loose=True)
    if names.is_generic(Parts.of(head)):
        return []  # 「粗大ごみ」, 「ごみ」: a kind of garbage, not a thing; the FAQ or the calendar answers
    if len(normalize(head)) < MIN_GUESSED_NAME:
        return []  # 「棒」 (ぼう) is no 帽子 (ぼうし): the closest name of one character is a sound, not a thing
    hits = catalog.matcher.search(Query.of(head), 3)
    if not hits or hits[0].score < (ITEM_MATCH if asked_about_sorting else NAME_MATCH):
        return []
    return _unique(catalog.same_name(catalog.items[int(hits[0].faq_id)]))


def _named(catalog: Catalog, asked: str, word: str, modifiers: Sequence[str],
           strict: bool = False) -> list[ItemRow] | ItemChoices:
    """The item ``word`` names exactly, or the items headed by it or beginning with it (as ``find_item``);
    ``strict``: the items headed by it only when they are several, to choose from (電池: 乾電池, ボタン電池…)."""
    if rows := _exact(catalog, word):
        return _narrowed(rows, modifiers)
    if strict:
        return _several_headed(catalog, asked, word)
    for finder in (catalog.names.headed_by, catalog.names.starting_with):
        if found := finder(word):
            return _chosen(catalog, asked, found, modifiers)
    return []


def _several_headed(catalog: Catalog, asked: str, word: str) -> ItemChoices | list[ItemRow]:
    """The items ``word`` heads, to choose from, when they are several (電池: 乾電池, ボタン電池…), else none."""
    headed = catalog.names.headed_by(word)
    return ItemChoices(asked, tuple(headed[:MAX_CHOICES])) if len(headed) > 1 else []


def _loosely(catalog: Catalog, compound: str) -> list[str]:
    """The names a compound the dictionary lacks may mean: those sharing its stem first, then its heads'."""
    names = catalog.names
    found = list(names.sharing_stem(compound))
    for shorter in names.shorter_heads(compound):
        exact = names.exact(shorter)
        found += [exact] if exact else names.headed_by(shorter) or names.sharing_stem(shorter)
    return list(dict.fromkeys(found))


MIN_GUESSED_LEAD = 2  # characters the first thing of a sentence needs for a name it only begins (``_find``)
MIN_GUESSED_NAME = 2  # characters a word needs for the closest name to be guessed for it (``_find``)
_KATAKANA = re.compile(r"^[ァ-ヶー]+$")
_KANA = re.compile(r"^[ぁ-ゖー]+$")
_ALTERNATIVES = re.compile(r"[・、,，/／]")  # 「ふた・キャップ」 names two things


def _exact(catalog: Catalog, text: str) -> list[ItemRow]:
    """The rows of the item named exactly ``text`` (as written, by its bare name, or by its reading)."""
    name = catalog.names.exact(text)
    return catalog.variants(name) if name else []


def _unique(rows: Sequence[ItemRow]) -> list[ItemRow]:
    seen, unique = set(), []
    for row in rows:
        if (row.name, row.category, row.notice) not in seen:
            seen.add((row.name, row.category, row.notice))
            unique.append(row)
    return unique


def _narrowed(rows: list[ItemRow], modifiers: Sequence[str]) -> list[ItemRow]:
    """The rows whose name holds a word that describes the thing (「プラスチックのキャップ」 → （プラスチック製）)."""
    keys = [normalize(m) for m in modifiers if normalize(m)]
    kept = [row for row in rows if any(key in normalize(row.name) for key in keys)]
    return kept or rows


def _chosen(catalog: Catalog, asked: str, names: Sequence[str],
            modifiers: Sequence[str]) -> list[ItemRow] | ItemChoices:
    """One item's rows when one name fits (after the describing words), else the names to choose from."""
    keys = [normalize(m) for m in modifiers if normalize(m)]
    narrowed = [name for name in names
                if any(key in normalize(row.name) for row in catalog.named(name) for key in keys)]
    if keys and not narrowed:
        # 「ペットボトルのふた」: a kind with a describing word of its own (風呂のふた) is another thing than the
        # one described; the kinds named by the word alone (ふた・キャップ) are what is meant.
        narrowed = [name for name in names if any(normalize(alternative) == normalize(asked)
                                                  for alternative in _ALTERNATIVES.split(name))]
    names = narrowed or list(names)
    if len(names) == 1:
        return catalog.variants(names[0])
    return ItemChoices(asked, tuple(names[:MAX_CHOICES]))


def answer_item(catalog: Catalog, asked: str, rows: Sequence[ItemRow], area: str | None, today: date, *,
                several: bool = False, asked_on: date | None = None, maybe_not_garbage: bool = False) -> ItemAnswer:
    """The item's categories, notes, where to take what the city does not collect, and the next dates from
    ``today`` (``several``, ``asked_on``, ``maybe_not_garbage``: as ``ItemAnswer`` says)."""
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
        on_calendar = any(row.category in schedules for schedules in catalog.schedules.values())
        variants.append(Variant(row.name, row.category, category.collected, row.notice, category.takeaway,
                                dates, verbatim, on_calendar or not catalog.schedules))
    return ItemAnswer(asked, tuple(variants), area, catalog.attribution, several, maybe_not_garbage, asked_on)


# ---- collection days -----------------------------------------------------------------------------------

_DAYS = (
    (0, "今日", ("今日", "きょう", "本日", "ほんじつ")),
    (1, "明日", ("明日", "あした", "あす")),
    (2, "あさって", ("明後日", "あさって")),
)
# Matched on the text's key (katakana folded) and on its reading, so that kana and kanji spellings are one
# (ごみのひ and ごみの日, しゅうしゅうび and 収集日, なんようび and 何曜日). かん and びん count only as typed: in a
# reading they are as often 館, 間 or 便 (図書館 reads としょかん).
_GARBAGE_KANA = r"ごみ|ぷら|ぺっと|しゅうしゅう|かいしゅう|しげん|そだい"  # also found in a text's reading
_GARBAGE_WORDS = re.compile(r"収集|回収|資源|びん|缶|瓶|かん|紙|古紙|粗大|燃|" + _GARBAGE_KANA)
_GARBAGE_READINGS = re.compile(_GARBAGE_KANA)
_WHEN_WORDS = re.compile(r"いつ|何曜|なんよう|の日|収集日|回収日|曜日|次の|つぎの|しゅうしゅうび|かいしゅうび|ようび"
                         r"|のひ(?=$|は|って|を|が|も|に|です|か|教|おし)")


@functools.lru_cache(maxsize=256)
def question_keys(text: str, key: str | None = None) -> tuple[str, str]:
    """The text's matching key (``key`` when the caller has it) and its reading in hiragana (cached: the
    collection-day intent asks it four ways of the same message)."""
    reading = to_hiragana(_reading_of(text)).lower()
    return (normalize(text) if key is None else key), reading


def day_question(text: str, key: str | None = None) -> tuple[int, str] | None:
    """(days from today, label) when ``text`` asks what goes out on a day (「今日は何ごみ？」, 「明日のごみ」).

    ``key`` is the text's matching key, when the caller has it.
    """
    keys = question_keys(text, key)
    if not _speaking_of_garbage(keys):
        return None
    for offset, label, words in _DAYS:
        if any(word in keys[0] for word in words):
            return offset, label
    return None


# Days asked by name: the year's last and first (大晦日, 元日).
_NAMED_DAYS = (("大晦日", (12, 31)), ("おおみそか", (12, 31)), ("元日", (1, 1)), ("元旦", (1, 1)),
               ("がんじつ", (1, 1)), ("がんたん", (1, 1)))
_MONTH_DAY = re.compile(r"(?<![\d.])(\d{1,2})\s*(?:月|/)\s*(\d{1,2})\s*日?(?![\d/])")


def date_question(text: str, key: str | None = None) -> tuple[int, int] | None:
    """(month, day) when ``text`` asks about garbage on a day of the calendar (「12月31日はごみ収集ある？」,
    「元日って燃えるごみの日？」); a day that does not exist (2月30日) is not one."""
    if not has_garbage_word(text, key):
        return None
    keys = question_keys(text, key)
    for word, month_day in _NAMED_DAYS:
        if any(word in k for k in keys):
            return month_day
    if (found := _MONTH_DAY.search(unicodedata.normalize("NFKC", text))) is None:
        return None
    month, day = int(found[1]), int(found[2])
    try:
        date(2028, month, day)  # a leap year: 2月29日 is a day
    except ValueError:
        return None
    return month, day


def has_garbage_word(text: str, key: str | None = None) -> bool:
    """True when ``text`` speaks of garbage or its collection (ごみ, 収集, 資源, 缶…), in kanji or kana."""
    return bool(_speaking_of_garbage(question_keys(text, key)))


def is_when_question(text: str, key: str | None = None) -> bool:
    """True when ``text`` asks when garbage is collected (「次の燃えるごみはいつ？」, 「資源ごみの日」)."""
    return any(_WHEN_WORDS.search(k) for k in _speaking_of_garbage(question_keys(text, key)))


def _speaking_of_garbage(keys: tuple[str, str]) -> list[str]:
    """Those of the text's key and its reading (``question_keys``) that hold a garbage word."""
    return [k for pattern, k in zip((_GARBAGE_WORDS, _GARBAGE_READINGS), keys, strict=True) if pattern.search(k)]


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
    name (「粗大ごみ」 → 臨時・粗大ごみ), or begins a part of it, shortened (「プラごみ」 → プラスチック容器包装,
    「びんごみ」 → 缶・びん・ペットボトル) or in its reading (「はさいごみ」 → 破砕ごみ), or a word of the question, as
    typed or read, is a whole part of it
    (「缶の日はいつ」, 「かんの日」, 「瓶はいつ」 → 缶・びん・ペットボトル; the かん of 図書館 is no word of its own).
    """
    key = normalize(catalog.synonyms.rewrite(text))
    words = {w for w in _GOMI_WORD.findall(key) if len(w) >= 3}
    # As typed too: the table may fold 「ごみの日」 into 収集日 (「プラごみの日」 → ぷら収集日).
    typed_words = set(_GOMI_WORD.findall(normalize(text)))
    stems = {word.removesuffix("ごみ") for word in words | typed_words} - {""}
    said = words | {word for word in typed_words if len(word) >= 3}
    typed = {normalize(form) for word in morphemes(text) for form in (word.surface, word.reading)} - {""}
    found = []
    for name in catalog.categories:
        forms = {normalize(name), normalize(catalog.synonyms.rewrite(name))} - {""}
        # A category's name lists its parts as an item's name lists alternatives: 缶・びん・ペットボトル.
        parts = {normalize(part) for part in _ALTERNATIVES.split(name)} - {""}
        spoken = {form for part in parts for form in (part, _name_reading(part))} - {""}
        read = {_name_reading(form) for form in forms} - {""}  # 「はさいごみ」 is 破砕ごみ typed in kana
        if any(form in key or _one_more(form, key) for form in forms) \
                or any(word in form for word in words for form in forms) \
                or any(word in form for word in said for form in read) \
                or any(part.startswith(stem) for stem in stems if len(stem) >= 2 for part in parts) \
                or len(parts) > 1 and spoken & typed:
            found.append(name)
    # 「ごみ」 alone is in every category name; keep the most specific (longest) ones.
    longest = max((len(normalize(n)) for n in found), default=0)
    return [n for n in found if len(normalize(n)) == longest] if len(found) > 1 else found


MIN_LOOSE_NAME = 6  # a category's name this long is found with one character more (プラスチック製容器包装)


def _one_more(name: str, key: str) -> bool:
    """True when ``key`` holds ``name`` with one character more inside it (「プラスチック製容器包装」 for プラスチック
    容器包装), for names of ``MIN_LOOSE_NAME`` characters or more: 燃やせないごみ never holds 燃やせるごみ."""
    size = len(name)
    if size < MIN_LOOSE_NAME or len(key) <= size:
        return False
    return any(window[:cut] + window[cut + 1:] == name
               for start in range(len(key) - size) if (window := key[start:start + size + 1])[0] == name[0]
               for cut in range(1, size))


@functools.lru_cache(maxsize=1024)
def _name_reading(name: str) -> str:
    """A category's name or part read (``_reading_of``), normalised: kept, as every day question asks them all."""
    return normalize(_reading_of(name))


def _reading_of(text: str) -> str:
    """The reading of ``text`` word by word (缶 → かん; a word without one as typed)."""
    return "".join(word.reading or word.surface for word in morphemes(text))


# Without a put-out time from the pack, a collection day is over at noon: cities ask for garbage by 8:00–8:30
# and the crews finish in the morning, so from noon on a bag can no longer go out that day.
COLLECTION_OVER = time(12, 0)


def first_open_day(catalog: Catalog, today: date, now: time | None) -> date:
    """The first day a resident can still put garbage out: today until the pack's put-out time (noon when it
    gives none), then tomorrow. Without the time of day (``now`` None) it is today."""
    if now is None or now < (catalog.collected_by or COLLECTION_OVER):
        return today
    return today + timedelta(days=1)


def answer_day(catalog: Catalog, area: str, today: date, offset: int, label: str) -> DayAnswer:
    """What the area puts out ``offset`` days from today."""
    return answer_on(catalog, area, today + timedelta(days=offset), label)


def answer_on(catalog: Catalog, area: str, day: date, label: str = "") -> DayAnswer:
    """What the area puts out on ``day``, with the pack's note when a change stops collection then."""
    policy = catalog.policy(area)
    categories = tuple(
        name for name, schedule in catalog.schedules.get(area, {}).items()
        if collection_dates(schedule, name, day, day, policy)
    )
    note = next((change.note for change in policy.changes
                 if change.day == day and change.moved_to is None and change.note), "")
    return DayAnswer(area, day, label, categories, holiday_name(day), note)


def next_day_of(today: date, month: int, day: int) -> date:
    """The first ``month``/``day`` from ``today`` on (this year's, or next year's once it has passed; a 2月29日
    the next one there is)."""
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise ValueError(f"no day {month}/{day}")


def collected_categories(catalog: Catalog, area: str) -> list[str]:
    """The categories the city collects in ``area`` on its calendar, in the schedule's order."""
    return [name for name in catalog.schedules.get(area, {})
            if catalog.categories.get(name, CategoryInfo(name)).collected]


def answer_next(catalog: Catalog, area: str, today: date, categories: Sequence[str], *,
                asked_on: date | None = None) -> NextAnswer:
    """The next dates of ``categories`` (all collected ones when empty) in the area from ``today`` (``asked_on``:
    the resident's day)."""
    schedules = catalog.schedules.get(area, {})
    names = list(categories) or collected_categories(catalog, area)
    rows = []
    for name in names:
        schedule = schedules.get(name)
        if schedule is None:
            continue
        count = NEXT_DATES if categories else 1
        rows.append((name, tuple(next_collection(schedule, name, today, catalog.policy(area), count=count)),
                     schedule.verbatim))
    return NextAnswer(area, tuple(rows), catalog.attribution, asked_on)
