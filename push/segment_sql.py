"""A segment as one SQL condition on a ``resident`` row, shaped so that the database counts it fast.

``push.segments`` turns each node of a parsed segment into a ``Condition`` here: a test of the resident row
itself (``OnResident``: area, own birth date), or whether the resident has a row in another table that meets a
test (``Has``: a child of a stage, a push category), combined with ``all_of``, ``any_of`` and ``negated``.
``Condition.clause`` writes the SQLAlchemy expression. Two rewrites keep the query cheap for a million
residents, without changing which residents it holds:

* negations are pushed down to the tests (``not (a or b)`` → ``not a and not b``), so that a ``NOT EXISTS``
  ends up among the conditions of the ``WHERE`` that the database runs as an anti-join (one pass over the
  table) rather than as a probe of the index per resident;
* tests of the same table are merged where that is exact: ``EXISTS (x) OR EXISTS (y)`` is ``EXISTS (x OR y)``,
  and ``NOT EXISTS (x) AND NOT EXISTS (y)`` is ``NOT EXISTS (x OR y)`` (``category:ごみ or category:防災``
  reads the categories once).

Every condition is two-valued (never NULL), so ``NOT`` is exact: a resident without an area is not in
``area:大町`` and is in ``not area:大町``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import replace

import sqlalchemy as sa

from residents.models import Child
from residents.models import Resident
from residents.models import Subscription

Related = type[Child] | type[Subscription]  # a table whose rows belong to a resident (``resident_id``)


class Condition:
    """A test of one resident, to be written as a SQL condition on the ``resident`` table."""

    def negated(self) -> Condition:  # pragma: no cover - abstract
        """The condition that holds exactly when this one does not."""
        raise NotImplementedError

    def clause(self) -> sa.ColumnElement[bool]:  # pragma: no cover - abstract
        """The SQL condition on a ``Resident`` row."""
        raise NotImplementedError


# The dataclasses below hold SQL expressions, whose ``==`` builds SQL: they compare by identity (``eq=False``).
@dataclass(frozen=True, eq=False)
class OnResident(Condition):
    """A test of the resident row's own columns; ``test`` must never be NULL."""

    test: sa.ColumnElement[bool]

    def negated(self) -> Condition:
        return OnResident(sa.not_(self.test))

    def clause(self) -> sa.ColumnElement[bool]:
        return self.test


@dataclass(frozen=True, eq=False)
class Has(Condition):
    """The resident has (``negative``: has no) row in ``table`` meeting ``test`` (NULL there: not met)."""

    table: Related
    test: sa.ColumnElement[bool]
    negative: bool = False

    def negated(self) -> Condition:
        return replace(self, negative=not self.negative)

    def clause(self) -> sa.ColumnElement[bool]:
        found = sa.exists().where(self.table.resident_id == Resident.id, self.test)
        return sa.not_(found) if self.negative else found


@dataclass(frozen=True, eq=False)
class _Junction(Condition):
    """Several conditions joined with AND (``every``) or OR; build it with ``all_of`` or ``any_of``."""

    every: bool
    parts: tuple[Condition, ...]

    def negated(self) -> Condition:
        return _joined(not self.every, (part.negated() for part in self.parts))

    def clause(self) -> sa.ColumnElement[bool]:
        return (sa.and_ if self.every else sa.or_)(*(part.clause() for part in self.parts))


EVERYONE = OnResident(sa.true())
NOBODY = OnResident(sa.false())


def all_of(parts: Iterable[Condition]) -> Condition:
    """Every one of ``parts`` holds."""
    return _joined(True, parts)


def any_of(parts: Iterable[Condition]) -> Condition:
    """At least one of ``parts`` holds."""
    return _joined(False, parts)


def _joined(every: bool, parts: Iterable[Condition]) -> Condition:
    """``parts`` joined with AND (``every``) or OR, nested joins of the same kind flattened, the tests of the
    resident row joined into one, and the tests of another table merged where exact: under OR those that
    look for a row (any of them found), under AND those that look for none (none of them found)."""
    flat: list[Condition] = []
    for part in parts:
        flat += part.parts if isinstance(part, _Junction) and part.every == every else [part]
    merged: list[Condition] = []
    on_resident: list[sa.ColumnElement[bool]] = []
    by_table: dict[Related, list[sa.ColumnElement[bool]]] = {}
    for part in flat:
        if isinstance(part, OnResident):
            if not on_resident:
                merged.append(part)  # a placeholder: replaced below by all of them joined
            on_resident.append(part.test)
        elif isinstance(part, Has) and part.negative == every:
            if part.table not in by_table:
                merged.append(part)  # a placeholder, as above
                by_table[part.table] = []
            by_table[part.table].append(part.test)
        else:
            merged.append(part)
    result: list[Condition] = []
    for part in merged:
        if isinstance(part, OnResident):
            result.append(OnResident((sa.and_ if every else sa.or_)(*on_resident)))
        elif isinstance(part, Has) and part.negative == every:
            result.append(Has(part.table, sa.or_(*by_table[part.table]), part.negative))
        else:
            result.append(part)
    return result[0] if len(result) == 1 else _Junction(every, tuple(result))
