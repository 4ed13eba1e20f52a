"""Synonyms for matching: the city's own table (from its pack) and SudachiDict's unambiguous nouns.

Both map a word to one canonical token on the index side only; nothing shown to residents changes.
The city's table also rewrites whole phrases before analysis, so that 「燃えるごみ」 and 「可燃ごみ」,
or 「ﾌｧﾐｻﾎﾟ」 and 「ファミリー・サポート・センター」, become the same words.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from japanese.normalize import to_hiragana

SUDACHI_NOUNS = Path(__file__).resolve().parent / "data" / "sudachi_nouns.tsv"


def _fold(word: str) -> str:
    return to_hiragana(unicodedata.normalize("NFKC", word).lower()).strip()


@functools.cache
def sudachi_nouns() -> Mapping[str, str]:
    """SudachiDict's unambiguous noun synonyms, folded: word → canonical word (loaded once)."""
    table = {}
    with SUDACHI_NOUNS.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or "\t" not in line:
                continue
            word, canonical = line.rstrip("\n").split("\t", 1)
            table[_fold(word)] = _fold(canonical)
    return table


@dataclass(frozen=True)
class SynonymGroup:
    """One canonical term and the words residents use for it."""

    term: str
    synonyms: tuple[str, ...]


class Synonyms:
    """Maps words and phrases to canonical terms: the city's groups first, then SudachiDict's nouns."""

    def __init__(self, groups: Iterable[SynonymGroup] = (), *, use_sudachi: bool = True):
        self.groups = tuple(groups)
        phrases: dict[str, str] = {}
        words: dict[str, str] = {}
        for group in self.groups:
            canonical = unicodedata.normalize("NFKC", group.term).strip()
            if not canonical:
                continue
            # The canonical term maps to itself, so a variant inside it (代理 in 代理人) is left alone.
            phrases[canonical.lower()] = canonical
            for word in group.synonyms:
                word = unicodedata.normalize("NFKC", word).strip()
                if not word or word == canonical:
                    continue
                words[_fold(word)] = _fold(canonical)
                # One-character words (券) are only mapped as whole tokens, never inside other words.
                if len(word) >= 2:
                    phrases.setdefault(word.lower(), canonical)
        self._phrases = phrases
        self._pattern = (
            re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)), re.IGNORECASE)
            if phrases else None
        )
        self._words = words
        self._sudachi = sudachi_nouns() if use_sudachi else {}

    def rewrite(self, text: str) -> str:
        """``text`` (NFKC) with the city's synonym phrases replaced by their canonical terms."""
        text = unicodedata.normalize("NFKC", text)
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._phrases[m.group(0).lower()], text)

    def token(self, word: str) -> str:
        """The canonical token of one folded content word."""
        return self._words.get(word) or self._sudachi.get(word, word)

    def applied(self, text: str) -> list[tuple[str, str]]:
        """Which phrases of ``text`` the city's table rewrites, as (phrase, canonical) pairs (for explain)."""
        if self._pattern is None:
            return []
        text = unicodedata.normalize("NFKC", text)
        pairs = ((m.group(0), self._phrases[m.group(0).lower()]) for m in self._pattern.finditer(text))
        return [(phrase, canonical) for phrase, canonical in pairs if phrase != canonical]
