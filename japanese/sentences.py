"""What kind of sentence a resident's message is: a question, as opposed to an answer or a statement."""

from __future__ import annotations

import re
import unicodedata

# A question mark, an interrogative word, or a sentence-final question particle (「…ですか」「…ええの」「…っけ」).
_QUESTION_MARK = re.compile(r"[?？]")
_INTERROGATIVE = re.compile(
    r"何|なに|なん[でにのだ時曜円]|いつ|どこ|どう(?![もぞか])|どの|どれ|どちら|どっち|いくら|誰|だれ|なぜ")
_FINAL_PARTICLE = re.compile(r"(?:か|かな|かね|かしら|の|のん|っけ|だろう|でしょう|やろ)[\s。.!！~〜ー…]*$")


def is_question(text: str) -> bool:
    """True when ``text`` asks something (「林ですか？」, 「ごみ何曜日に出したらええの」), not when it states."""
    text = unicodedata.normalize("NFKC", text).strip()
    return bool(_QUESTION_MARK.search(text) or _INTERROGATIVE.search(text) or _FINAL_PARTICLE.search(text))


# Sentence-final particles of dialects and casual speech that add nothing to what a clause asks: 北海道
# 「〜っしょ」「〜べ」「〜だべ」, 関西「〜やん」「〜やんか」, 中国・九州「〜けん」「〜ばい」, 名古屋「〜がや」, and
# 「〜じゃん」「〜わ」. Taken only after the end of a verb, adjective or auxiliary (捨てたいっしょ, 出すべ), so a
# word that ends the same way (なべ, いっしょ alone) keeps its letters.
_DIALECT_END = re.compile(
    r"(?:(?<=たい)|(?<=ない)|(?<=しい)|(?<=いい)|(?<=[うくすつぬむぶぐるたんだ]))"
    r"(?:っしょ|でしょ|だべ|だべさ|べさ|べ|じゃん|やんか|やん|んやけど|やけど|やけん|けん|けえ|ばい"
    r"|だがや|がや|がね|だら|ずら|やで|やわ|わ|さ|ぞ)(?=[\s、。,.!！?？~〜ー…]*$)")
_CLAUSE = re.compile(r"[^、。,.!！?？\s]+[、。,.!！?？\s]*")


def clauses(text: str) -> list[str]:
    """The clauses of a message, split at punctuation and spaces (each keeps its own marks)."""
    return [part.strip() for part in _CLAUSE.findall(text.strip()) if part.strip(" 　、。,.")]


def without_dialect_ending(text: str) -> str:
    """The clause without a dialect's sentence-final particle (「ソファー捨てたいっしょ」 → 「ソファー捨てたい」)."""
    return _DIALECT_END.sub("", text.strip())
