"""Small talk: thanks, greetings (the season's too: 「良いお年を」, 「あけましておめでとう」), acknowledgements,
laughter, apologies, farewells, praise, a mistake owned up to, not knowing, sadness and emoji get a friendly word.

A message is small talk when nothing is left once its small-talk pieces (word families such as
ありがと…, 助かり…, 了解…, わかりました, はーい, 笑 / w / 草), polite endings, intensifiers, punctuation and
emoji are taken away: 「ありがとうございました！助かりました」, 「OKです👍」, 「ww」, 「🙏」. A message with a
question besides (「ありがとう、あと粗大ごみの出し方は？」) is not small talk; ``question_part`` gives the
question without the small talk around it, for the other answers.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from intents.base import IntentContext
from japanese.normalize import normalize
from search.docs import Query


class Talk(enum.StrEnum):
    """Which kind of small talk the resident sent."""

    GREETING = "greeting"
    YEAR_END = "year_end"  # 「良いお年を」, 「今年もお世話になりました」
    NEW_YEAR = "new_year"  # 「あけましておめでとうございます」, 「今年もよろしく」
    THANKS = "thanks"
    HELP = "help"
    WHO = "who"  # 「あなたは誰？」: who or what the bot is
    WEATHER = "weather"  # 「今日は暑いね」: a word about the weather
    ACK = "ack"
    LAUGH = "laugh"
    APOLOGY = "apology"
    MISTAKE = "mistake"  # 「間違えました」: the resident sent something by mistake
    FAREWELL = "farewell"
    PRAISE = "praise"
    UNSURE = "unsure"  # 「わからない」: the resident does not know (what to send, their area…)
    SAD = "sad"  # 😭, 「ぴえん」: a sad face alone
    PERSON = "person"  # 「人と話したい」「苦情」: a person at the city, not the bot, is wanted
    ASK = "ask"  # 「ちょっと聞きたいことがあるんですが」: a question announced, not yet asked
    IDLE = "idle"  # 「ひまなんよ」「何してる？」: idle talk
    FOLLOW_UP = "follow_up"  # 「それっていつまで？」: a question about something said before, which the bot does not keep
    EMOJI = "emoji"
    STICKER = "sticker"


@dataclass(frozen=True)
class SmallTalk:
    """The result: reply with the words for ``kind`` (a greeting: the one the resident used, when they named a
    time of day — 「おはようございます」 is answered in kind at any hour)."""

    kind: Talk
    hello: str = ""  # GREETING: "morning" or "evening" when the resident said おはよう or こんばんは


# Word families, as regular expressions over matching keys (hiragana-folded, no punctuation), by kind.
# The order is the priority when a message mixes kinds: 「了解です、ありがとう」 is thanks.
_FAMILIES: dict[Talk, str] = {
    Talk.HELP: r"(?:(?:あなた|あんた|きみ|君|ここ|この(?:アカウント|ライン|line))(?:は|って|で)?)?(?:何|なに|なん)(?:が|を)?(?:でき|出来)(?:る|ます)(?:の|んですか|ですか|か|ん)?|できること",
    Talk.WHO: r"(?:(?:あなた|あんた|きみ|君|お前|おまえ|そちら|そっち)(?:さん|様)?(?:は|って|て)?)?"
              r"(?:誰|だれ|何者|なにもの|どなた(?:様|さま)?|どちら(?:様|さま))(?:ですか|でしょうか|なの|なん(?:ですか|だ|や)?|だ|や|か|の)?"
              r"|(?:あなた|あんた|きみ|君|お前|おまえ|そちら|そっち)(?:さん|様)?(?:は|って|て)?(?:何|なに|なん)"
              r"(?:ですか|でしょうか|なの|なん(?:ですか|だ|や)?|だ|や|か|の)?"
              # 「あなたは人間ですか」, 「AIなの？」: whether a person answers.
              r"|(?:(?:あなた|あんた|きみ|君|お前|おまえ|そちら|そっち)(?:さん|様)?(?:は|って|て)?)?"
              r"(?:人間|にんげん|ろぼっと|ぼっと|bot|ai|えーあい|機械|きかい)"
              r"(?:ですか|でしょうか|なの|なん(?:ですか|だ|や)?|だ|や|か|の|じゃないの|じゃないですか)?",
    Talk.WEATHER: r"(?:(?:今日|きょう|今朝|けさ|今夜|こんや|今年|ことし|外|そと|最近|さいきん|毎日|まいにち)(?:は|も)?)?"
                  r"(?:(?:蒸し|むし)?(?:暑|あつ|寒|さむ|涼し|すずし|暖か|あたたか|温か|ぬく)(?:い|いっす|すぎ|かった|っ|)"
                  r"|(?:雨|あめ|雪|ゆき|晴れ|はれ|曇り|くもり)(?:降って(?:る|います)|ふって(?:る|います)|だ|や|じゃ|が)?"
                  r"|(?:いい|良い|よい)(?:天気|てんき)|(?:天気|てんき)(?:が|いい|良い|悪い|わるい)+)"
                  r"(?:っす|ですな|やな|やね|だね|じゃね|ですね|だな|わ)?",
    # The season's greetings come before thanks and greetings, whose words they hold (お世話になりました, よろしく).
    Talk.YEAR_END: r"(?:良い|よい|佳い)お年を(?:お迎え|おむかえ)?(?:ください|下さい)?"
                   r"|(?:今年|ことし|本年|ほんねん)(?:も|は)?(?:一年)?(?:大変|たいへん)?(?:お世話|おせわ)にな(?:り(?:ます|ました)|った)",
    Talk.NEW_YEAR: r"(?:明け|あけ)まして(?:おめでとう(?:ございます)?)?|あけおめ|ことよろ|謹賀新年|新年(?:おめでとう(?:ございます)?)?"
                   r"|(?:今年|ことし|本年|ほんねん)も(?:どうぞ)?よろしく(?:お願い(?:します|いたします|致します)|おねがい(?:します|いたします))?",
    Talk.THANKS: r"ありがと[うー]*(?:ござい(?:ます|ました))?|ありがたい|さんきゅー?|さんくす|thank(?:s|you)?|thx|ty"
                 r"|感謝(?:します|しています|です)?|(?:助|たす)か(?:り(?:ます|ました)|る|った|って(?:い|お)?(?:ます|る))|おかげさま(?:で)?"
                 r"|(?:お世話|おせわ)にな(?:りました|った)|どうも|ども|あざ[ーっ]?[すま]す?"
                 r"|おおきに|ありがとさん",
    # A question announced comes before the apology it often follows (「すみません、聞きたいことがあるんですが」).
    Talk.ASK: r"(?:(?:聞|き|訊)きたい|(?:質問|しつもん|相談|そうだん)したい|(?:教|おし)えて(?:ほしい|欲しい|もらいたい))"
              r"(?:こと|事)(?:が|も)?(?:ある|あります|あって)(?:んですが|んですけど|んだけど|のですが|んやけど)?"
              r"|(?:質問|しつもん|相談|そうだん)(?:が|も)?(?:ある|あります|あって)(?:んですが|んですけど|んだけど|のですが|んやけど)?"
              r"|(?:質問|しつもん|相談|そうだん)(?:して|させて)(?:も(?:いい|良い|よい)(?:ですか|かな)?|ください)"
              r"|(?:聞|き|訊)いても(?:いい|良い|よい)(?:ですか|かな|か)?",
    # A question whose subject is only pointed at (それ, さっきの): the FAQ has nothing to match it with.
    Talk.FOLLOW_UP: r"(?:それ|あれ|その(?:件|こと|やつ)|あの(?:件|こと|やつ)|さっき(?:の)?(?:やつ|件|こと)?"
                    r"|先ほど(?:の)?(?:件|こと)?|前の(?:やつ|件|こと))(?:って|は|も|の|に|を)?"
                    r"(?:いつ(?:まで|から)?|どこ(?:で|に|へ)?|何時(?:まで|から)?|なんじ(?:まで|から)?|いくら"
                    r"|何曜日?|なんようび|(?:何|なに)が(?:いる|要る|いります|必要))(?:に|で|へ)?"
                    r"(?:(?:出せ|だせ|行け|いけ|持っていけ|もっていけ|すれ|申し込め|もうしこめ)ば)?(?:いい|よい|ええ)?"
                    r"(?:ですか|でしょうか|なの|なん(?:ですか)?|か|の|ん|だっけ|やったっけ|でしたっけ)?",
    Talk.IDLE: r"(?:暇|ひま|退屈|たいくつ)(?:だ|や|じゃ|なん|です|すぎ|すぎる)?"
               r"|(?:何|なに|なん)(?:して(?:る|ます|ますか|るの|ん|はる)|しよん|しとる|しよる|してん)",
    Talk.MISTAKE: r"(?:打ち|押し|送り|うち|おし|おくり)?(?:間違|まちが)(?:え(?:ました|た|ちゃった|ちゃいました"
                  r"|て(?:しまいました|ました|送(?:信)?(?:しました|りました|った)|おくりました)?)|い(?:ました|でした)?"
                  r"|った|って(?:送(?:信)?|おく|そうしん)(?:しました|りました|った|っちゃった)?)|誤送信|ごそうしん"
                  r"|誤(?:字|字です)|ごじ|みす(?:りました|った|しました|です)",
    Talk.APOLOGY: r"すみません|すいません|ごめん(?:なさい|ね)?|申し訳(?:ありません|ございません|ない)"
                  r"|もうしわけ(?:ありません|ございません|ない)|失礼(?:しました|いたしました)",
    Talk.FAREWELL: r"さようなら|さよなら|ばいばい|またね|では(?:また)?|じゃあね|おやすみ(?:なさい)?|失礼します"
                   r"|したっけ(?:ね|また)?|ほんなら|ほな(?:また)?|ほんじゃ(?:ね|また)?|んじゃ(?:ね|また)?",
    Talk.PRAISE: r"すご[いー]+|凄い|すげ[えー]+|えらい|偉い|さすが|流石|天才|かしこい|賢い|優秀|最高|さいこう"
                 r"|素晴らしい|すばらしい|便利|べんり|やるじゃん|やるね",
    Talk.UNSURE: r"(?:わ|分|解)か(?:らない|らん|んない|んね[ーえ]?|りません|りませんでした|らなかった)|知らない|しらない"
                 r"|知らん|しらん|知りません|しりません|不明|ふめい|忘れ(?:た|ました|ちゃった)|わすれ(?:た|ました|ちゃった)"
                 r"|どれだろう|どこだろう|どっちだろう|どこかな|どれかな|謎|なぞ",
    Talk.SAD: r"ぴえん|ぱおん|えーん|えんえん|しくしく|泣",
    Talk.PERSON: r"(?:人|ひと|職員|担当者?|担当の(?:方|人)|係の(?:方|人)|オペレーター|おぺれーたー|有人)(?:さん)?(?:と|に|で)?"
                 r"(?:話|はな)し(?:たい|たいです|たいんですが|たいんだけど)"
                 r"|(?:人|ひと|職員|担当者?)(?:に|と)?(?:つないで|繋いで|代わって|かわって)(?:ください|ほしい)?"
                 r"|苦情(?:を言いたい|があります|です)?|クレーム|くれーむ|ご?意見(?:を言いたい|があります)"
                 r"|(?:バカ|ばか|馬鹿|アホ|あほ|役立たず|やくたたず|使えない|つかえない|ふざけるな|ふざけんな)",
    Talk.GREETING: r"こんにち[はわ]|こんばん[はわ]|おはよ[うー]*(?:ございます)?|はじめまして|初めまして"
                   r"|よろしく(?:お願い(?:します|いたします)|おねがい(?:します|いたします))?|もしもし|hello|hi|hey"
                   r"|お疲れ(?:様|さま)?|おつかれ(?:さま)?"
                   # 「いつもお世話になっております」 greets (a letter's opening); お世話になりました thanks.
                   r"|(?:お世話|おせわ)にな(?:ります|って(?:ます|います|おります))",
    Talk.ACK: r"了解(?:しました|いたしました)?|りょうかい|りょ|承知(?:しました|いたしました)|(?:わ|分|解)か(?:りました|った)"
              r"|ok|okay|おk|おけ|おっけ[ーい]?|おーけー|は[ーい]+|うん|ええ|なるほど|そうなんですね|そうなんだ"
              r"|大丈夫(?:です)?|だいじょうぶ(?:です)?|いいね|いいです|いいえ|いえ|いや|結構です|けっこうです"
              r"|かしこまりました|おけまる|そう(?:です|なん(?:です|だ))?か|そっか|よかった|良かった|安心しました",
    Talk.LAUGH: r"笑+|わら|わろた|w+|草+|(?:あ)?は{2,}|ふふ+|へへ+|うける",
}
# What may stand beside small talk without making it a question: polite endings, intensifiers, particles.
_FILLER = (r"です|ます|でした|ました|ございます|よく|全然|ぜんぜん|さっぱり|ちょっと|あ|本当に|ほんとうに|ほんとに|ほんと|とても|大変|たいへん|すごく|めっちゃ"
           r"|めちゃくちゃ|めちゃ|ほんまに|ほんま|なまら|まじで|まじ|ばり|でら|いつも|こちらこそ|また|ね|よ|な|わ|ー|っ|ぁ|です|〜|~")
_PIECE = {kind: re.compile(rf"(?:{words})") for kind, words in _FAMILIES.items()}
_ALL = re.compile(rf"(?:{'|'.join(_FAMILIES.values())}|{_FILLER})+")
_HELP = frozenset(normalize(p) for p in (
    "help", "へるぷ", "めにゅー", "メニュー", "使い方", "つかいかた", "何ができる", "何ができるの",
    "なにができる", "なにができるの", "できること",
))
# A sentence or phrase: text between punctuation and spaces; the question mark that ends one.
_SEGMENT = re.compile(r"[^\s、。,.!！?？…~〜]+")
_MARK = re.compile(r"[?？]")
_KAOMOJI = re.compile(r"[\^＾ω∀´｀Д▽]")  # (^^), (*´ω｀*): faces drawn with symbols the key drops
# Sad faces: emoji and the kaomoji (T_T), (;_;) drawn with symbols the key drops.
_SAD_EMOJI = frozenset("😭😢😿🥲😞😔😥😰😩😫🥺😣😖😓😪☹🙁😟💧")
_SAD_FACE = re.compile(r"[TＴ][_＿^＾oO][TＴ]|[;；][_＿]+[;；]")
_CONNECTOR = re.compile(r"^(?:あと|それと|それから|ところで|ちなみに|で|では|じゃあ)")


def without_emoji(key: str) -> str:
    """The key without emoji and other pictographs, variation selectors and joiners (👍🏻, ❤️, 🙇‍♀️)."""
    return "".join(c for c in key if unicodedata.category(c) not in {"So", "Sk", "Cf", "Mn", "Cs", "Co"})


def talk_of(query: Query) -> Talk | None:
    """The kind of small talk the whole message is, or None when something else is said or asked."""
    if query.key in _HELP:
        return Talk.HELP
    key = _KAOMOJI.sub("", without_emoji(query.key))
    if _sad_face_only(query.text):
        return Talk.SAD
    if not key:
        return Talk.EMOJI if query.key or _KAOMOJI.search(query.text) else None
    if _ALL.fullmatch(key) is None:
        return None
    return min((kind for kind, piece in _PIECE.items() if _has(piece, key)), key=list(_FAMILIES).index,
               default=Talk.ACK)


def _sad_face_only(text: str) -> bool:
    """True when the text is sad faces (😭, (T_T)) with nothing said beside them."""
    faces = _SAD_FACE.sub("", text)
    if faces == text and not _SAD_EMOJI.intersection(text):
        return False
    return not _KAOMOJI.sub("", without_emoji(normalize(faces)))


def _has(piece: re.Pattern, key: str) -> bool:
    """True when the family's words occur in the key at a piece boundary (any position it could start)."""
    return any(piece.match(key, i) for i in range(len(key)))


def question_part(query: Query) -> Query:
    """The message without the small talk before or after it: 「ありがとう、あと粗大ごみは？」 → 「粗大ごみは？」."""
    spans = [m.span() for m in _SEGMENT.finditer(query.text)]
    if len(spans) < 2:
        return query
    talk = [talk_of(Query.of(query.text[a:b])) not in (None, Talk.HELP) for a, b in spans]
    if not spans or all(talk) or not (talk[0] or talk[-1]):
        return query
    kept = [span for span, is_talk in zip(spans, talk, strict=True) if not is_talk]
    first, last = kept[0][0], kept[-1][1]
    rest = _CONNECTOR.sub("", query.text[first:last]).strip()
    if (mark := _MARK.match(query.text, last)) is not None:
        rest += mark.group()
    return Query.of(rest) if normalize(rest) else query


_HELLOS = (("morning", re.compile(r"おはよ")), ("evening", re.compile(r"こんばん")))


class SmallTalkIntent:
    """Answers small talk with a friendly word, and a request for the menu with the menu."""

    name = "smalltalk"

    def match(self, query: Query) -> SmallTalk | None:
        """The kind of small talk when the whole message is small talk."""
        kind = talk_of(query)
        if kind is None:
            return None
        said = next((hello for hello, word in _HELLOS if kind is Talk.GREETING and word.search(query.key)), "")
        return SmallTalk(kind, said)

    def handle(self, match: SmallTalk, ctx: IntentContext) -> SmallTalk:
        """Small talk needs nothing from the database."""
        return match


INTENT = SmallTalkIntent()
