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
