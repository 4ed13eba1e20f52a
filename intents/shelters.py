"""「避難所」「近くの避難場所」「あずさの避難所」「地震の避難所」: where to go, found from where the resident is.

The intent only recognises the question, and the hazard when one is named (「津波のときの避難場所」). Without a
place it asks for the resident's location (LINE's send location button); with a place name it finds the
shelters whose address or name holds it, at their midpoint. The hazard is asked once the place is known,
unless it was named. The search itself runs when both are known (``bot.flows.shelters``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from disaster.atlas import Atlas
from disaster.atlas import ShelterInfo
from intents.base import IntentContext
from search.docs import Query

# 避難所 and the ways it is typed (ひなんしょ, 非難所 for 避難所), and 「どこ(に)逃げれば」 (dialect: どこさ).
_SHELTER = re.compile(r"(?:避難|非難)(?:所|場所|先|するところ|する場所)|ひなん(?:じょ|しょ|ばしょ|さき)|ヒナンジョ"
                      r"|逃げ(?:る)?場所|にげ(?:る)?ばしょ"
                      r"|どこ(?:に|へ|さ)?(?:避難|逃げ|にげ)(?:すれば|したら|れば|たら|る)?(?:いい|良い)?")
# Danger now, in words (「川があふれそう」「水が家に入ってきた」「道が川みたいになってる」「裏の崖が崩れそう」「今揺れた！」):
# what to do, and where to go. Shaking counts when it is the house or the ground, or said with 地震, or opens the message.
_DANGER = (
    (re.compile(r"川(?:が|も|の水が)?(?:あふれ|溢れ|氾濫|はんらん|増水|決壊)|浸水|冠水|水が(?:家|部屋|床|玄関|道)"
                r"(?:に|まで)?(?:入|はい|上が|あが|来|き)|床上|床下"
                r"|(?:道|道路|家の前|庭|玄関|駐車場)[^。]{0,8}(?:川|池|海|湖)(?:みたい|のよう)に?(?:なって|なっと|なりそう)"), "flood"),
    (re.compile(r"(?:崖|がけ|山|斜面|土砂)(?:が)?(?:崩れ|くずれ)"), "landslide"),
    (re.compile(r"(?:^|今|いま|また|すごく|すごい|めっちゃ|かなり|結構|強く|大きく|急に|家が|建物が|部屋が|地面が|床が)"
                r"(?:揺れ|ゆれ)(?:た|てる|ている|とる|てます|ました|始め|はじめ|がすご|が大き|が強|すご|やば)"
                r"|(?:地震|じしん)(?:だ|です|きた|来た|が来た|がきた|起きた|が起きた|がおきた|すご|やば|[!！]|や(?=[!！。、\s]|$))"
                r"|(?:地震|じしん)[^。]{0,10}(?:揺れ|ゆれ)(?:た|てる|ている|とる|てます|ました)"), "quake"),
)
# What would happen, how to prepare, and what comes after (「地震が来たらどうする」「大雨のときに浸水しないか」「浸水の
# 罹災証明」「地震保険」) are questions for the FAQ, not a danger told now. Only a condition on the hazard itself
# counts: 「浸水してきた！2階に上がればいい？」 asks what to do now.
_NOT_NOW = re.compile(r"(?:揺れ|ゆれ|来|き|起き|おき|あっ|なっ|浸水し|冠水し|崩れ|くずれ|あふれ|溢れ)(?:たら|[るた](?:とき|時(?!間)|場合))"
                      r"|(?:地震|大雨|台風|洪水|津波|豪雨|災害)(?:の|が来る|が起きる)?(?:とき|時(?!間)|場合|前)"
                      r"|備え|そなえ|対策|訓練|保険|耐震|想定|予想|ハザード|支援|補助|証明|罹災|消毒|見舞|申請|給付|修理"
                      r"|ニュース|昨日|きのう|先月|去年|この前|前回")
# Someone who cannot get to a shelter (「足が悪くて避難所に行けない」「じいちゃん動けないんだけど避難どうすれば」).
_CANNOT_GO = re.compile(r"(?:動けない|うごけない|歩けない|あるけない|足が悪|寝たきり|車いす|車椅子|介護)[^。]{0,20}"
                        r"(?:避難|ひなん|逃げ|にげ)|(?:避難|ひなん|逃げ|にげ)[^。]{0,10}(?:できない|出来ない|行けない|いけない)")
CANNOT_GO = "cannot_go"  # ``ShelterQuestion.danger`` for someone who cannot get to a shelter
_NOTICE = re.compile(r"指示|情報|勧告|警戒|レベル|解除|開設状況")  # 避難指示 and the like: the notices, not a place
# What people put around a place name (「近くの」「どこ」「教えて」…), taken off both ends of what is left; the
# hazards (「津波 避難所」) are not places (``_HAZARD_WORDS`` reads them).
_FILLER_WORDS = (
    "近く", "ちかく", "付近", "周辺", "最寄り", "最寄", "もより", "一番近い", "いちばん近い", "どこ", "何処", "ドコ", "教えて", "おしえて", "知りたい", "しりたい",
    "恐れ入りますが", "すみません", "すいません", "あの", "いただけますでしょうか", "いただけますか", "いただけ", "もらえますか", "でしょうか", "ありますか", "ある", "ですか",
    "行きたい", "いきたい", "探して", "さがして", "ください", "下さい", "です", "ます", "だべさ", "だべ", "べさ", "かな", "か", "だ", "開いてる", "開いて",
    "やってる", "空いてる", "混んでる", "とき", "時", "いい", "地震", "じしん", "津波", "つなみ", "洪水", "こうずい", "大雨", "おおあめ", "豪雨", "台風",
    "たいふう", "土砂", "崖崩れ", "がけ崩れ", "火事", "火災", "火山", "噴火", "高潮", "災害", "さいがい", "あるんだべ", "あるんだ", "んだべ", "んだ", "っしょ",
    "どこさ", "来たら", "きたら", "起きたら", "おきたら", "なったら", "あったら", "の", "に", "は", "で", "が", "を", "って", "から", "へ",
)
# Longest first: at each place the longest word is taken (「どこさ」, not 「どこ」 leaving 「さ」 behind).
_WORDS = "|".join(sorted(_FILLER_WORDS, key=len, reverse=True)) + r"|[?？!！。、,，・\s]|[^\w\s]"
_FILLER = re.compile(rf"^(?:{_WORDS})+|(?:{_WORDS})+$")
MIN_PLACE = 2  # characters a place name needs (「北」 alone names too much)
# A hazard named with the question, by the words residents use for it (the hazards' keys in disaster.hazards).
_HAZARD_WORDS = (
    (re.compile(r"津波|つなみ|ツナミ"), "tsunami"),
    (re.compile(r"地震|じしん|ジシン|揺れ|ゆれ"), "quake"),
    (re.compile(r"高潮|たかしお"), "surge"),
    (re.compile(r"土砂|崖崩れ|がけ崩れ|がけくずれ|土石流|地滑り|地すべり|山崩れ"), "landslide"),
    (re.compile(r"洪水|こうずい|大雨|おおあめ|豪雨|川の氾濫|川が氾濫|川があふれ|浸水"), "flood"),
    (re.compile(r"内水氾濫"), "inland"),
    (re.compile(r"火事|火災"), "fire"),
    (re.compile(r"火山|噴火|ふんか"), "volcano"),
)


@dataclass(frozen=True)
class ShelterQuestion:
    """A question for a shelter: the place named with it ("": none) and the hazard named (None: none);
    ``danger``: a danger told now (a hazard's key: 「川があふれそう」, or ``CANNOT_GO``), answered with what to do
    first ("": none)."""

    place: str
    hazard: str | None = None
    danger: str = ""


@dataclass(frozen=True)
class AskLocation:
    """Ask where the resident is (the send-location button); ``unknown_place``: a place typed but not found;
    ``hazard``: the hazard named, searched for once the location comes."""

    unknown_place: str | None = None
    hazard: str | None = None
    danger: str = ""  # a danger told now (``ShelterQuestion.danger``): what to do comes first


@dataclass(frozen=True)
class ChooseHazard:
    """Ask which hazard to flee from, for a place found by name (the midpoint of the shelters there); with a
    ``hazard`` named and shelters for it, show them at once."""

    latitude: float
    longitude: float
    place: str
    hazard: str | None = None


class ShelterIntent:
    """Recognises a question for the nearest shelter."""

    name = "shelter"

    def match(self, query: Query) -> ShelterQuestion | None:
        """The place named with the question (「あずさ」; "" for none) and the hazard named, when the text asks for
        a shelter; a question that goes on after the word (「避難所にペットは連れて行ける？」) is about shelters, not
        for one: None."""
        text = unicodedata.normalize("NFKC", query.text)
        if len(text) <= 60:
            danger = next((hazard for pattern, hazard in _DANGER if pattern.search(text)), None)
            if danger is not None and not _NOT_NOW.search(text):
                return ShelterQuestion("", danger, danger=danger)
            if _CANNOT_GO.search(text):
                return ShelterQuestion("", None, danger=CANNOT_GO)
        found = _SHELTER.search(text)
        if found is None or _NOTICE.search(text) or len(text) > 40:
            return None
        before, after = _FILLER.sub("", text[: found.start()]), _FILLER.sub("", text[found.end():])
        if after and not text[found.end():][:1].isspace():
            return None  # 「避難所に持っていくもの」: a question about shelters, not for one (the FAQ's)
        hazard = next((key for pattern, key in _HAZARD_WORDS if pattern.search(text)), None)
        return ShelterQuestion(before if before else after, hazard)

    def handle(self, match: ShelterQuestion, ctx: IntentContext) -> AskLocation | ChooseHazard | None:
        """Ask for the location, or the hazard when a place was named and shelters are there."""
        atlas: Atlas | None = ctx.shelters
        if len(match.place) < MIN_PLACE or atlas is None or not len(atlas):
            return AskLocation(hazard=match.hazard, danger=match.danger)
        near = atlas.named(match.place)
        if not near:
            return AskLocation(unknown_place=match.place, hazard=match.hazard)
        latitude = sum(shelter.latitude for shelter in near) / len(near)
        longitude = sum(shelter.longitude for shelter in near) / len(near)
        return ChooseHazard(round(latitude, 6), round(longitude, 6), match.place, match.hazard)


# What may stand around a shelter's name in a question about its status (「富丘中学校は開いてる？」「武道館 満員？」).
_STATUS_WORDS = re.compile(r"^(?:(?:今|いま|現在)|開いて(?:いますか|ます|る)?|あいて(?:いますか|ます|る)?|空いて(?:いますか|ます|る)?|"
                           r"すいて(?:ますか|る)?|やって(?:いますか|ます|る)?|開設(?:して(?:いますか|ます|る)?|されて(?:いますか|ます|る)?)?|"
                           r"入れ(?:ますか|る)|はいれ(?:ますか|る)|満員|満杯|混んで(?:いますか|ます|る)?|混雑(?:して(?:いますか|ます|る)?)?|"
                           r"状況|様子|どう|どんな|ですか|でしょうか|ます|か|の|は|って|、|,|[?？!！。\s]|[^\w\s])*$")
MAX_STATUS_QUESTION = 30  # characters: a longer message is about something else


@dataclass(frozen=True)
class ShelterStatusQuestion:
    """「富丘中学校は開いてる？」: the status of the shelters of that name (all entries of the data)."""

    shelters: tuple[ShelterInfo, ...]


class ShelterNameIntent:
    """Recognises a question for the status of a shelter the city has, named (「千歳市総合武道館あいてますか？」)."""

    name = "shelter_status"

    def match(self, query: Query) -> str | None:
        text = unicodedata.normalize("NFKC", query.text).strip()
        return text if 3 <= len(text) <= MAX_STATUS_QUESTION else None

    def handle(self, match: str, ctx: IntentContext) -> ShelterStatusQuestion | None:
        """The shelters named, when the rest of the message only asks how they are; else None."""
        atlas: Atlas | None = ctx.shelters
        if atlas is None or not len(atlas):
            return None
        shelters, rest = atlas.in_text(match)
        if not shelters or not _STATUS_WORDS.match(rest):
            return None
        return ShelterStatusQuestion(tuple(shelters))


INTENT = ShelterIntent()
NAMED = ShelterNameIntent()
