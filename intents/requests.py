"""Requests about the resident's own settings, read from their own words: 「もう通知いらないです」, 「配信止めて」,
「私の情報を消してください」, 「住所変わったので地区を変えたい」, 「ごみの前の日に教えてほしい」.

A message is read word by word (Sudachi lemmas): it names a topic (a family of object words: notices,
the data kept, the area, the categories, children, garbage days) and an action (a family of verbs and
verbal nouns: stop, delete, change, want). Negation is read on the verb: 「止めないで」 is no stop, while
「いらない」, 「来ないように」, 「送らないで」 are. A message that also names something outside these families
(「出生通知票」, 「予防接種の通知」, 「住民票の削除」) is about a procedure, and is left to the FAQ. A message that
names a push category by its name or an everyday word for it (防災, 災害, 健康, 介護, イベント) is about those
categories: 「防災のお知らせだけ欲しい」, 「健康のお知らせはいらない」 (「だけ」: the others off).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from japanese.analysis import Word
from japanese.analysis import words
from japanese.normalize import to_hiragana
from japanese.sentences import is_question
from residents.categories import DISASTER
from residents.categories import ELDERLY
from residents.categories import EVENTS
from residents.categories import HEALTH


class Topic(enum.StrEnum):
    """What the request is about."""

    PUSH = "push"  # the city's notices through this account
    DATA = "data"  # everything kept about the resident
    AREA = "area"  # the resident's area
    CATEGORIES = "categories"  # which kinds of notices
    CHILDREN = "children"  # registered children and their dates
    BABY = "baby"  # pregnancy and baby notices
    GARBAGE = "garbage"  # the reminders the evening before collection


class Action(enum.StrEnum):
    """What the resident wants done with it."""

    STOP = "stop"
    DELETE = "delete"
    CHANGE = "change"
    WANT = "want"


@dataclass(frozen=True)
class Request:
    """A request about a setting: its topic, the action, whether it was asked as a question, whether it
    names a due date (「予定日」), the push categories it names, and whether it wants only those (「だけ」).

    ``vague`` marks a request naming only 「登録」 (「登録したの消して」): what was registered is read from
    where the resident is (their children's list), else it stands for all their data.
    """

    topic: Topic
    action: Action
    question: bool = False
    due: bool = False
    categories: tuple[str, ...] = ()
    only: bool = False
    vague: bool = False


class _Family:
    """A family of words, matched by lemma, or by reading when typed in kana (「つうち」, 「ツウチ」, 「とめる」).

    The readings come from Sudachi on first use, so importing this module does not load the dictionary.
    """

    def __init__(self, *lemmas: str):
        self.lemmas = lemmas

    @functools.cached_property
    def keys(self) -> frozenset[str]:
        folded = {to_hiragana(lemma.lower()) for lemma in self.lemmas}
        readings = {"".join(word.reading for word in words(lemma)) for lemma in self.lemmas}
        return frozenset(folded | {reading for reading in readings if len(reading) >= 2})

    def __or__(self, other: _Family) -> _Family:
        return _Family(*self.lemmas, *other.lemmas)

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def __and__(self, keys: set[str]) -> set[str]:
        return keys & self.keys

    __rand__ = __and__


def _fold(*lemmas: str) -> _Family:
    return _Family(*lemmas)


def _is(word: Word, family: _Family) -> bool:
    """True when the word is one of the family: by lemma, or by reading when it was typed in kana."""
    return word.lemma in family or (not _has_kanji(word.surface) and word.reading in family)


def _has_kanji(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or c == "々" for c in text)


# Object words (lemmas) by family.
_PUSH = _fold("通知", "お知らせ", "知らせ", "配信", "メッセージ", "line", "ライン", "プッシュ", "リマインド",
              "リマインダー", "連絡", "案内", "受信", "トーク")
_DATA = _fold("情報", "データ", "個人情報", "登録情報", "アカウント", "記録", "履歴", "登録内容")
_AREA = _fold("地区", "地域", "町名", "エリア", "校区", "町内")  # not 住所: 「住所変更したい」 is the 転居 procedure
_CATEGORIES = _fold("分野", "ジャンル", "種類", "カテゴリー", "カテゴリ", "項目")
_CHILDREN = _fold("子供", "子", "お子さん", "赤ちゃん", "赤ん坊", "乳児", "出産予定日", "予定日", "誕生日",
                  "生年月日", "妊娠", "出産", "育児", "子育て", "長男", "長女", "次男", "次女")
_DUE = _fold("出産予定日", "予定日", "妊娠")
_EVE = _fold("前日", "前の日", "前夜", "前の晩")
_GARBAGE = _fold("ごみ", "塵", "塵出し", "ごみ出し", "収集", "収集日", "ごみの日", "資源", "粗大")
# Verbs and verbal nouns by action; the first four are wanted only when negated (「来ない」, 「いらない」).
_NEEDED = _fold("いる", "要る", "来る", "送る", "届く", "欲しい", "必要")
_STOP = _fold("止める", "やめる", "辞める", "停止", "中止", "解除", "ストップ", "オフ", "不要", "結構", "切る",
              "断る", "拒否", "止まる", "要らない", "いらない")
_DELETE = _fold("消す", "削除", "消去", "抹消", "破棄", "退会", "忘れる", "取り消す", "消える")
_CHANGE = _fold("変える", "変更", "変わる", "設定", "直す", "修正", "選ぶ", "登録", "引っ越す", "引っ越し",
                "転居", "移る", "切り替える", "切り替え", "入れる", "追加", "選択")
_WANT = _fold("欲しい", "受け取る", "再開", "オン", "届ける", "送る", "教える", "知らせる", "知る", "通知",
              "お願い", "願う", "希望", "頼む")
_NEGATION = _fold("ない", "ず", "ぬ", "ん")
# Nouns that may stand beside the families without making the message about something else.
_NEUTRAL = _fold("私", "自分", "わたし", "僕", "俺", "全部", "全て", "すべて", "一切", "全", "市", "事", "為", "様",
                 "よう", "方", "件", "今", "今後", "これ", "それ", "他", "ほか", "前", "日", "時", "前の日", "前日",
                 "夕方", "朝", "夜", "毎回", "毎日", "毎週", "もう", "今日", "明日", "度", "お", "御", "ご", "うち",
                 "家", "登録", "設定", "変更", "削除", "停止", "解除", "再開", "中止", "消去", "追加", "選択",
                 "住所", "住まい", "向け", "関係", "関連", "系")
# Push categories named in everyday words (子育て is a child word: its notices are the baby notices; ごみ the
# garbage reminders).
_CATEGORY_WORDS = {
    DISASTER: _fold("防災", "災害", "避難", "地震", "台風", "大雨", "洪水", "津波", "防犯", "緊急"),
    HEALTH: _fold("健康", "健診", "検診", "保健", "医療", "がん検診", "健康診断"),
    ELDERLY: _fold("高齢者", "高齢", "介護", "シニア", "年寄り", "お年寄り", "年金"),
    EVENTS: _fold("イベント", "催し", "催し物", "行事", "祭り", "お祭り", "講座", "教室"),
}
_NAMED_CATEGORIES = _fold(*(lemma for family in _CATEGORY_WORDS.values() for lemma in family.lemmas))
_ONLY = frozenset({"だけ", "のみ", "ばかり"})
_OBJECTS = _PUSH | _DATA | _AREA | _CATEGORIES | _CHILDREN | _GARBAGE | _NAMED_CATEGORIES
_ACTIONS = _STOP | _DELETE | _CHANGE | _WANT | _NEEDED
_KNOWN = _OBJECTS | _ACTIONS | _NEUTRAL
_STOP_OR_DELETE = _STOP | _DELETE


@functools.lru_cache(maxsize=4096)
def read_request(text: str) -> Request | None:
    """The settings request ``text`` makes, or None when it makes none (or is about something else)."""
    found = words(text)
    if any(_foreign(word) for word in found):
        return None
    lemmas = {word.lemma for word in found} | {word.reading for word in found if not _has_kanji(word.surface)}
    categories = tuple(category for category, family in _CATEGORY_WORDS.items()
                       if any(_is(word, family) for word in found))
    only = any(word.lemma in _ONLY for word in found)
    actions = _actions(found)
    # The strongest action named: stop, then delete, change and want; but the data kept is deleted when that is
    # asked too (「登録やめたい。個人情報消して」).
    action = Action.DELETE if Action.DELETE in actions and lemmas & _DATA else next(
        (action for action in Action if action in actions), None)
    if action is None and categories and only:
        action = Action.WANT  # 「防災だけにして」
    if action is None:
        return None
    if (categories and not lemmas & (_CHILDREN | _GARBAGE | _AREA) and action is not Action.DELETE
            and (only or lemmas & (_PUSH | _DATA) or "受け取る" in lemmas)):  # not 「イベントを教えて」
        return Request(Topic.CATEGORIES, action, question=is_question(text), categories=categories, only=only)
    topic = _topic(lemmas, action)
    if topic is None:
        return None
    vague = "登録" in lemmas and not lemmas & _OBJECTS
    return Request(topic, action, question=is_question(text), due=bool(lemmas & _DUE), vague=vague)


def _foreign(word: Word) -> bool:
    """True for a noun outside the families: the message is about something else (「出生通知票」)."""
    if word.pos != "名詞" or word.sub in {"数詞", "助動詞語幹"} or word.detail == "副詞可能":
        return False
    return not _is(word, _KNOWN)


def _actions(found: tuple[Word, ...]) -> set[Action]:
    """The actions named (negation turns a verb round); none when stopping or deleting is refused (「止めないで」)."""
    actions = set()
    for index, word in enumerate(found):
        negated = _negated(found, index)
        if (_is(word, _NEEDED) or _fused_topic_iru(found, index)) and negated:
            actions.add(Action.STOP)
        elif _is(word, _STOP_OR_DELETE) and negated:
            return set()  # 「止めないで」, 「消さないでください」: keep things as they are
        elif _is(word, _STOP):
            actions.add(Action.STOP)
        elif _is(word, _DELETE):
            actions.add(Action.DELETE)
        elif _is(word, _CHANGE) and not negated:
            actions.add(Action.CHANGE)
        elif _is(word, _WANT) and not negated:
            actions.add(Action.WANT)
    return actions


def _fused_topic_iru(found: tuple[Word, ...], index: int) -> bool:
    """True for 「はいり」 read as 入る right after a noun: the particle は and いる (「通知はいりません」)."""
    word = found[index]
    return word.lemma == "入る" and word.surface.startswith("は") and index > 0 and found[index - 1].pos == "名詞"


def _negated(found: tuple[Word, ...], index: int) -> bool:
    """True when the verb (or verbal noun with する) at ``index`` is negated (「いらない」, 「停止しないで」)."""
    for word in found[index + 1: index + 4]:
        if word.pos == "助動詞" and word.lemma in _NEGATION:
            return True
        if word.pos != "助動詞" and word.lemma != "為る":
            return False
    return False


def _topic(lemmas: set[str], action: Action) -> Topic | None:
    """Which family the request is about; notices about children are the baby notices."""
    push = bool(lemmas & _PUSH)
    if lemmas & _GARBAGE:  # garbage days are asked about often: only a reminder (通知, 前の日に) is a setting
        return Topic.GARBAGE if push or lemmas & _EVE else None
    if lemmas & _CHILDREN:
        if push:
            return Topic.BABY if action in (Action.STOP, Action.WANT) else Topic.PUSH
        return Topic.CHILDREN if action in (Action.CHANGE, Action.DELETE) else None
    if "登録" in lemmas and not lemmas & _OBJECTS and action in (Action.STOP, Action.DELETE):
        return Topic.DATA if action is Action.DELETE else Topic.PUSH  # 「登録を消して」, 「登録解除」
    if lemmas & _DATA or "退会" in lemmas:
        return Topic.DATA if action is Action.DELETE else (Topic.PUSH if push else None)
    if lemmas & _AREA:
        return Topic.AREA if action is Action.CHANGE else None
    if lemmas & _CATEGORIES:
        return Topic.CATEGORIES
    return Topic.PUSH if push else None
