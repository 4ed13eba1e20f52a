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
from intents.base import IntentContext
from search.docs import Query

_SHELTER = re.compile(r"避難(?:所|場所|先|するところ|する場所)|ひなん(?:じょ|ばしょ|さき)|ヒナンジョ|逃げ(?:る)?場所|にげ(?:る)?ばしょ"
                      r"|どこ(?:に|へ)(?:避難|逃げ|にげ)(?:すれば|したら|れば|たら|る)?(?:いい|良い)?")
_NOTICE = re.compile(r"指示|情報|勧告|警戒|レベル|解除|開設状況")  # 避難指示 and the like: the notices, not a place
# What people put around a place name (「近くの」「どこ」「教えて」…), taken off both ends of what is left; the
# hazards (「津波 避難所」) are not places (``_HAZARD_WORDS`` reads them).
_WORDS = (r"近く|ちかく|付近|周辺|最寄り|最寄|もより|一番近い|いちばん近い|どこ|何処|ドコ|教えて|おしえて|知りたい|しりたい|"
          r"恐れ入りますが|すみません|すいません|あの|いただけますでしょうか|いただけますか|いただけ|もらえますか|でしょうか|"
          r"ありますか|ある|ですか|行きたい|いきたい|探して|さがして|ください|下さい|です|ます|だべさ|だべ|べさ|かな|か|だ|"
          r"開いてる|開いて|やってる|空いてる|混んでる|とき|時|いい|"
          r"地震|じしん|津波|つなみ|洪水|こうずい|大雨|おおあめ|豪雨|台風|たいふう|土砂|崖崩れ|がけ崩れ|火事|火災|火山|噴火|高潮|"
          r"の|に|は|で|が|を|って|から|へ|[?？!！。、,，・\s]")
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
    """A question for a shelter: the place named with it ("": none) and the hazard named (None: none)."""

    place: str
    hazard: str | None = None


@dataclass(frozen=True)
class AskLocation:
    """Ask where the resident is (the send-location button); ``unknown_place``: a place typed but not found;
    ``hazard``: the hazard named, searched for once the location comes."""

    unknown_place: str | None = None
    hazard: str | None = None


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
            return AskLocation(hazard=match.hazard)
        near = atlas.named(match.place)
        if not near:
            return AskLocation(unknown_place=match.place, hazard=match.hazard)
        latitude = sum(shelter.latitude for shelter in near) / len(near)
        longitude = sum(shelter.longitude for shelter in near) / len(near)
        return ChooseHazard(round(latitude, 6), round(longitude, 6), match.place, match.hazard)


INTENT = ShelterIntent()
