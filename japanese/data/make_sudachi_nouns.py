"""Derive ``sudachi_nouns.tsv`` from SudachiDict's synonyms.txt: unambiguous noun groups only.

Usage: python faq/data/make_sudachi_nouns.py PATH/TO/synonyms.txt faq/data/sudachi_nouns.tsv

A word is kept when it is a noun (体言) that may trigger expansion (flag 0) and belongs to exactly one
group; it maps to the group's first headword. The matcher uses the table on the index side only, to put
spelling variants and abbreviations of one thing on one token; nothing shown to residents is rewritten.
"""

from __future__ import annotations

import collections
import csv
import sys
import unicodedata


def main(source: str, target: str) -> None:
    groups: dict[str, list[str]] = collections.defaultdict(list)
    membership: dict[str, set[str]] = collections.defaultdict(set)
    with open(source, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 9 or not row[0]:
                continue
            group, kind, expansion, word = row[0], row[1], row[2] or "0", unicodedata.normalize("NFKC", row[8])
            if kind != "1" or expansion == "2":
                continue
            groups[group].append(word)
            if expansion == "0":
                membership[word].add(group)
    pairs = sorted(
        (word, groups[next(iter(gs))][0])
        for word, gs in membership.items()
        if len(gs) == 1 and word != groups[next(iter(gs))][0]
    )
    with open(target, "w", encoding="utf-8", newline="\n") as out:
        out.write("# word\tcanonical — derived from SudachiDict synonyms.txt (Apache-2.0); see SOURCE.md\n")
        for word, canonical in pairs:
            out.write(f"{word}\t{canonical}\n")
    print(f"{len(pairs)} words in {len({c for _, c in pairs})} groups")


if __name__ == "__main__":
    main(*sys.argv[1:3])
