"""Reading a message's sentences: clauses, and a dialect's sentence-final particles."""

from __future__ import annotations

import pytest

from japanese.sentences import clauses
from japanese.sentences import without_dialect_ending


@pytest.mark.parametrize(("text", "plain"), [
    ("ソファー捨てたいっしょ", "ソファー捨てたい"), ("ソファー捨てたいべ", "ソファー捨てたい"),
    ("ソファー捨てたいだべ", "ソファー捨てたい"), ("冷蔵庫捨てたいやん", "冷蔵庫捨てたい"),
    ("ソファー捨てたいけん", "ソファー捨てたい"), ("ソファー捨てたいがや", "ソファー捨てたい"), ("出すべ？", "出す？")])
def test_a_dialects_sentence_final_particle_is_read_past(text, plain):
    """Sentence-final particles of dialects (っしょ, べ, だべ, やん, けん, がや) are taken off a clause."""
    assert without_dialect_ending(text) == plain


@pytest.mark.parametrize("text", ["なべ", "いっしょ", "おさけ", "ぞうきん"])
def test_words_ending_like_a_particle_keep_their_letters(text):
    """A word that merely ends like a particle (なべ, いっしょ) is not cut."""
    assert without_dialect_ending(text) == text


def test_a_message_splits_into_clauses_at_punctuation():
    """Clauses are split at 、。？ and spaces."""
    assert clauses("ソファー捨てたいっしょ、粗大ごみってどうやるの") == ["ソファー捨てたいっしょ、", "粗大ごみってどうやるの"]
