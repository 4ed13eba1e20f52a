"""What a message is about: the thing it names (its final noun phrase) and the question inside polite wording.

Residents wrap what they mean in context and courtesy: 「引っ越しで出たダンボール」 names a ダンボール,
「ペットボトルのキャップ」 a キャップ (of a ペットボトル); 「お忙しいところすみません、先月引っ越してきたのですが、
子どもの保育園の申し込みはどこですればよろしいでしょうか」 asks about 保育園の申し込み. Both are read with
Sudachi: a noun phrase is the run of nouns (joined by 「の」) that ends the text, its head the last of them;
the question is the last clause after context connectors (「〜のですが、」「〜んですけど、」), courtesy removed,
widened to the clauses before it until it holds enough content words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from japanese.analysis import Word
from japanese.analysis import is_content
from japanese.analysis import words

# Parts of a noun phrase: nouns, and the prefixes and suffixes that build compounds (単3, 〜製, 〜用).
_NOUN_POS = {"名詞", "接頭辞", "接尾辞", "代名詞"}
# What may follow the thing named at the end of a message: particles and copulas (〜は, 〜です, 〜か), symbols.
_TRAILING_POS = {"助詞", "助動詞", "補助記号", "空白"}


@dataclass(frozen=True)
class NounPhrase:
    """The noun phrase that ends a message: its text, and its parts joined by 「の」 (the last is the head)."""

    text: str
    parts: tuple[str, ...]

    @property
    def head(self) -> str:
        """The thing itself: the last part (「ペットボトルのキャップ」 → キャップ)."""
        return self.parts[-1]

    @property
    def modifiers(self) -> tuple[str, ...]:
        """The parts before the head, which say which kind of it (ペットボトル)."""
        return self.parts[:-1]


def _is_no(word: Word) -> bool:
    return word.surface == "の" and word.pos == "助詞"


def _is_quantity(word: Word) -> bool:
    """True for a word that says how much or how many rather than what (大量, いっぱい, 全部, 3, 〜個)."""
    if word.pos == "名詞":
        return word.sub == "数詞" or word.detail in {"形状詞可能", "副詞可能"}
    return word.pos == "接尾辞" and word.detail == "助数詞"


def noun_phrase(text: str) -> NounPhrase | None:
    """The noun phrase that ends ``text``, without what describes it before (「壊れた傘」 → 傘), or None.

    None when the text does not end with a noun (「ボタン電池を飲み込んだ」 ends with a verb: it is not a
    thing's name). Particles and copulas after the noun (「テレビです」) and words of quantity (「ダンボール大量」,
    「ペットボトル3本」) are left out.
    """
    found = list(words(text))
    while found and (found[-1].pos in _TRAILING_POS or (_is_quantity(found[-1]) and len(found) > 1)):
        found.pop()
    if not found or found[-1].pos not in _NOUN_POS:
        return None
    start = len(found)
    while start > 0:
        word = found[start - 1]
        if word.pos in _NOUN_POS:
            start -= 1
        elif _is_no(word) and start >= 2 and found[start - 2].pos in _NOUN_POS:
            start -= 1
        else:
            break
    parts: list[str] = []
    current = ""
    for word in found[start:]:
        if _is_no(word):
            parts.append(current)
            current = ""
        else:
            current += word.surface
    parts.append(current)
    parts = [part for part in parts if part]
    if not parts:
        return None
    return NounPhrase("".join(w.surface for w in found[start:]), tuple(parts))


def without_honorific(text: str) -> str:
    """``text`` without the honorific prefix お/ご/御 it starts with (お皿 → 皿, お風呂 → 風呂); else as it was."""
    found = words(text)
    if len(found) > 1 and found[0].pos == "接頭辞" and found[0].lemma == "御":
        return text[len(found[0].surface):] if text.startswith(found[0].surface) else text
    return text


_PREDICATE_POS = {"動詞", "形容詞", "形状詞", "助動詞"}


def leading_phrase(text: str) -> NounPhrase | None:
    """The noun phrase the text starts with, before its first verb or adverb (「電球切れたんだけど」 → 電球), or None.

    Residents name the thing first and then say what happened to it (「傘が壊れたので」, 「電球切れた」) or how
    much there is (「空き缶たくさんあるけど」):
    when the text does not end with the thing's name, this is where it is.
    """
    found = list(words(text))
    for index, word in enumerate(found):
        if word.pos in _PREDICATE_POS or word.pos == "副詞":
            return noun_phrase("".join(w.surface for w in found[:index])) if index else None
    return None


# Courtesy that wraps a question without saying what it is about: cushions, apologies, greetings, thanks,
# and polite ways to ask or end a question. Removed before the question is looked for.
_COURTESY = re.compile(
    r"お忙しい(?:ところ|中|なか)(?:を)?|恐れ入り(?:ますが|ます)|恐縮(?:ですが|です)|"
    r"(?:大変)?(?:申し訳|もうしわけ)(?:ありません|ございません|ない)(?:が|けど|けれど)?|"
    r"(?:どうも)?(?:すみません|すいません|スミマセン|ごめんなさい|失礼(?:します|いたします|ですが))(?:が|けど)?|"
    r"お世話に(?:なって|なり)(?:おります|います|ます)|いつも(?:お世話|ありがとう)[^、。,.!！?？]*|"
    r"(?:こんにちは|こんばんは|おはよう(?:ございます)?|はじめまして|初めまして)|"
    r"(?:ちょっと|少し|ひとつ|一つ)?(?:お聞き|お伺い|おうかがい|お尋ね|質問)(?:したい|させて(?:ください|いただきたい))"
    r"(?:の|ん)?(?:です|ですが|ですけど|ですけれど|だけど|が|けど)?|"
    r"(?:を|について)?(?:教えて|おしえて)(?:いただけ|もらえ|くださ|頂け)(?:ます|ません|る|ない)(?:か|でしょうか)?|"
    r"(?:を|について)?(?:教えて|おしえて)(?:ください|下さい|ほしい|欲しい|くれ)(?:ません)?(?:か)?|"
    r"(?:よろしく|宜しく)?(?:お願い|おねがい)(?:します|いたします|致します|できますか|したいです)|"
    r"(?:お手数|ご面倒)(?:を(?:おかけ|お掛け)(?:します|いたします|致します))?(?:ですが|ですけど|が|けど)?|"
    r"(?:で)?(?:よろしい|宜しい|いい|良い)(?:でしょうか|ですか)|"
    r"(?:いただけ|頂け|もらえ|くださ)(?:ます|ません)(?:か|でしょうか)|(?:でしょう|ですか)(?:か)?|"
    # 「〜について」「〜のこと」 ending a message only says that it is about what comes before.
    r"(?:について|に関して|に関すること|のこと)(?:です|なんですが|ですが)?(?=[、。,.!！?？\s]*$)"
)
# Connectors after which the real question comes: 「〜のですが、」「〜んですけど、」「〜ので、」.
_CONTEXT = re.compile(
    r"(?:の|ん)(?:です|でございます)(?:が|けど|けれど|けれども)[、,]?|(?:の|ん)(?:が|けど|けれど|けれども)[、,]|"
    r"(?:です|ます|でした|ました)(?:が|けど|けれど|けれども)[、,]|"
    r"(?:けど|けれど|けれども|ので|から|が)[、,]|[。．.!！?？\n]"
)
MIN_FOCUS_WORDS = 2  # content words a question needs before the clauses in front of it are dropped
# Words naming the city or its office: every message here is sent to the city, so in a question they name no
# topic (「…インフルエンザの予防接種を受けさせたいのですが、市の補助はありますか」 asks about a subsidy for the shot).
_ADDRESSEE = frozenset({"市", "町", "村", "区", "市役所", "役所", "役場", "区役所", "町役場", "村役場"})


def _content_count(text: str) -> int:
    return sum(1 for word in words(text) if is_content(word) and word.lemma not in _ADDRESSEE)


@functools.lru_cache(maxsize=4096)
def without_courtesy(text: str) -> str:
    """``text`` without courtesy (「お忙しいところすみません」, 「教えていただけますか」); as it was if that is all.

    Cached, as each search of a message reads it again.
    """
    plain = _COURTESY.sub("、", text).strip(" 　、,")
    return plain if _CONTEXT.sub("", plain).strip(" 　、,") else text


_SENTENCES = re.compile(r"(?<=[。．！!？?\n])")
_ASKS = re.compile(r"(?:[？?]|(?:ですか|ますか|でしょうか|ませんか|のか|かな)[。．]?)\s*$")


def _through_last_question(text: str) -> str:
    """``text`` up to its last sentence that asks (ends in ？ or ですか…), when a statement follows it:
    「児童手当の申請ってどうするんですか？先月子どもが生まれました」 asks in its first sentence."""
    sentences = [s for s in _SENTENCES.split(text) if s.strip()]
    if len(sentences) < 2 or _ASKS.search(sentences[-1].strip()):
        return text
    asking = [index for index, sentence in enumerate(sentences) if _ASKS.search(sentence.strip())]
    return "".join(sentences[:asking[-1] + 1]) if asking else text


@functools.lru_cache(maxsize=4096)
def question_focus(text: str) -> str:
    """The part of ``text`` that says what is asked: courtesy removed, context clauses before it dropped.

    The last clause is kept with as many clauses before it as it takes to hold ``MIN_FOCUS_WORDS``
    content words (「…のですが、どうすればいいですか」 keeps the clause before). A text that is only
    courtesy, or has no context to drop, is returned as it was, without its courtesy.
    """
    text = _through_last_question(text)
    plain = without_courtesy(text)
    clauses = [c.strip(" 　、,") for c in _CONTEXT.split(plain)]
    clauses = [c for c in clauses if c]
    if not clauses:
        return text
    if len(clauses) == 1:
        return clauses[0]
    kept: list[str] = []
    for clause in reversed(clauses):
        kept.insert(0, clause)
        if _content_count("".join(kept)) >= MIN_FOCUS_WORDS:
            break
    return "、".join(kept)
