"""The sentence encoder of the semantic view: the packaged model, its pinned outputs and its memo."""

from __future__ import annotations

import numpy as np
import pytest

from search.semantic import DIMENSIONS
from search.semantic import SentenceEncoder
from search.semantic import sentence_encoder


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return sentence_encoder()


def cosine(encoder, a: str, b: str) -> float:
    first, second = encoder.encode([a, b])
    return float(first @ second)


def test_each_text_becomes_one_unit_length_row(encoder):
    """Vectors have the model's width and length 1, so a dot product is a cosine."""
    vectors = encoder.encode(["住民票の写しを取りたい", "ごみの日"])
    assert vectors.shape == (2, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_blank_text_is_like_nothing(encoder):
    """A blank text gets a zero row, which scores 0 against every entry."""
    assert not encoder.encode(["  "]).any()


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("赤ちゃんが生まれたらもらえるお金", "出産育児一時金の申請方法を教えてください。", 0.5306),
    ("子どもが熱を出した", "子どもが発熱したときの相談先", 0.7474),
    ("今日はいい天気ですね", "住民票の写しを取りたい。", -0.0123),
])
def test_the_packaged_model_gives_its_pinned_similarities(encoder, a, b, expected):
    """Fixed similarities of the pinned model: a silent change of its weights or tokenizer fails here."""
    assert cosine(encoder, a, b) == pytest.approx(expected, abs=0.002)


def test_a_paraphrase_is_nearer_than_another_topic(encoder):
    """Words the FAQ does not use still find its meaning: a birth grant is nearer money at birth than 粗大ごみ."""
    asked = "赤ちゃんが生まれたらもらえるお金"
    assert cosine(encoder, asked, "出産育児一時金の申請方法を教えてください。") > cosine(
        encoder, asked, "粗大ごみの申込方法を教えてください。") + 0.2


def test_half_width_and_full_width_read_the_same(encoder):
    """Text is NFKC-normalised first: half-width katakana means what full-width means."""
    assert cosine(encoder, "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ", "マイナンバーカード") == pytest.approx(1.0, abs=1e-6)


def test_index_texts_are_remembered_and_questions_are_not():
    """An index's texts are kept for the next build; a resident's question is not kept."""
    encoder = SentenceEncoder()
    sentence_encoder().encode(["モデルの読み込み"])
    encoder._model = sentence_encoder()._model  # the loaded model, not a second copy of it
    encoder.encode(["住民票の写しを取りたい"], remember=True)
    encoder.encode(["夫の扶養に入っていますが手当はありますか"])
    assert list(encoder._memo) == ["住民票の写しを取りたい"]
