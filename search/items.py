"""Names of things (garbage items, facilities) as matcher documents, with their bracketed variants as aliases.

Open garbage data writes conditions and other names inside brackets: 「傘（３０㎝以上）」,
「アルミホイル（アルミ箔）」, 「カップ（ガラス）」. Residents type 「傘」 or 「アルミ箔」: the bare name becomes an
alias (an exact hit), the bracketed words are searchable text but not aliases, because they are as often
a material or a condition (ガラス) as another name. The displayed name is never changed.
"""

from __future__ import annotations

import re

from search.docs import FaqDoc

_BRACKETED = re.compile(r"[（(［\[【「]([^（）()［］\[\]【】「」]*)[）)］\]】」]")


def bare_name(name: str) -> str:
    """The name with every bracketed part removed (「傘（３０㎝以上）」 → 「傘」)."""
    return " ".join(_BRACKETED.sub(" ", name).split())


def bracketed(name: str) -> list[str]:
    """The bracketed parts of a name (「電気カーペット（電気毛布）」 → 「電気毛布」), in order."""
    return [part.strip() for part in _BRACKETED.findall(name) if part.strip()]


def item_doc(doc_id: str, name: str, description: str = "") -> FaqDoc:
    """A matcher document for an item: the name as written, its bare name as an alias, notes as text."""
    bare = bare_name(name)
    aliases = (bare,) if bare and bare != name else ()
    return FaqDoc(doc_id, name, aliases, description)
