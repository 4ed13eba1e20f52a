"""The sorting dictionary a page at a time, for staff to look through: filtered by a word in SQL, never loaded whole.

A city's dictionary has thousands of rows; ``item_page`` counts and reads only the rows of one page. The
word is looked for as typed, width-folded (ＰＥＴ → PET) and with hiragana turned to katakana (ぺっと →
ペット), in the item's name, its notice, its list index row (あ, い…) and its category's name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from garbage.models import GarbageCategory
from garbage.models import GarbageItem
from garbage.store import StoredItem

_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


@dataclass(frozen=True)
class ItemPage:
    """One page of the dictionary's rows that hold a word, and how many rows hold it in all."""

    total: int
    items: tuple[StoredItem, ...]


def spellings(word: str) -> tuple[str, ...]:
    """The ways ``word`` is looked for: as typed, width-folded, and with its hiragana as katakana."""
    folded = unicodedata.normalize("NFKC", word)
    return tuple(dict.fromkeys(form for form in (word, folded, folded.translate(_HIRAGANA_TO_KATAKANA)) if form))


def item_page(session: Session, word: str = "", *, category: str = "", offset: int = 0,
              limit: int = 50) -> ItemPage:
    """The rows holding ``word`` (every row when empty), of ``category`` only when given, in file order:
    ``limit`` of them from ``offset``."""
    condition = sa.true()
    if word.strip():
        condition = sa.or_(*(column.icontains(form, autoescape=True) for form in spellings(word.strip())
                             for column in (GarbageItem.name, GarbageItem.notice, GarbageItem.kana,
                                            GarbageCategory.name)))
    if category:
        condition = sa.and_(condition, GarbageCategory.name == category)
    joined = sa.select(GarbageItem.id).join(GarbageCategory, GarbageItem.category_id == GarbageCategory.id)
    total = session.scalar(sa.select(sa.func.count()).select_from(joined.where(condition).subquery()))
    rows = session.execute(
        sa.select(GarbageItem.name, GarbageItem.notice, GarbageItem.kana, GarbageCategory.name,
                  GarbageCategory.collected, GarbageCategory.takeaway)
        .join(GarbageCategory, GarbageItem.category_id == GarbageCategory.id)
        .where(condition).order_by(GarbageItem.id).offset(max(0, offset)).limit(limit)
    )
    return ItemPage(total or 0, tuple(StoredItem(name, category_name, notice, collected, takeaway, kana)
                                      for name, notice, kana, category_name, collected, takeaway in rows))
