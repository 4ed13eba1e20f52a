"""The city's shelters in memory, one ``Atlas`` per process: where they are and what they are designated for,
searched for the nearest ones for a hazard. Status is not kept here: it is read fresh for the shelters found."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy.orm import Session

from content.cache import RevisionCache
from disaster import store
from disaster.hazards import HAZARDS
from disaster.importers import EMERGENCY
from disaster.importers import EVACUATION
from disaster.nearest import NearestIndex
from disaster.store import SHELTERS

KEY = "disaster.atlas"  # its cache in the runtime
STAY = EVACUATION  # the search for a place to stay (指定避難所) rather than to flee a hazard to
MIN_NAME = 3  # characters a shelter's name needs to be found in a message (「公園」 alone says too little)


@dataclass(frozen=True)
class ShelterInfo:
    """What the search knows of a shelter (plain data)."""

    id: int
    kind: str
    name: str
    address: str
    latitude: float
    longitude: float
    hazards: int
    shares_address: bool
    accepts: str


@dataclass(frozen=True)
class Found:
    """A shelter found near a place, and how far it is (metres, as the crow flies)."""

    shelter: ShelterInfo
    distance_m: float


class Atlas:
    """Every shelter, with one nearest-search index per hazard (指定緊急避難場所 designated for it) and one for
    指定避難所 (``STAY``)."""

    def __init__(self, shelters: list[ShelterInfo], attribution: str = store.DEFAULT_ATTRIBUTION) -> None:
        self.shelters = shelters
        self.attribution = attribution
        self._indexes = {
            hazard.key: NearestIndex([(s.latitude, s.longitude, s) for s in shelters
                                      if s.kind == EMERGENCY and s.hazards & hazard.bit]) for hazard in HAZARDS}
        self._indexes[STAY] = NearestIndex([(s.latitude, s.longitude, s) for s in shelters if s.kind == EVACUATION])
        # The shelters' names (width-folded), longest first, for ``in_text``.
        self._names = sorted({name for s in shelters if len(name := unicodedata.normalize("NFKC", s.name)) >= MIN_NAME},
                             key=len, reverse=True)

    def __len__(self) -> int:
        return len(self.shelters)

    def has(self, purpose: str) -> bool:
        """Whether any shelter serves ``purpose`` (a hazard key, or ``STAY``)."""
        return len(self._indexes.get(purpose, ())) > 0

    def named(self, place: str) -> list[ShelterInfo]:
        """The shelters whose address or name holds ``place`` (width-folded), as a typed place name finds them."""
        place = unicodedata.normalize("NFKC", place)
        return [s for s in self.shelters if place in unicodedata.normalize("NFKC", s.address + s.name)]

    def in_text(self, text: str) -> tuple[list[ShelterInfo], str]:
        """The shelters whose name the text holds (the longest name found, width-folded), and the text without
        it; ([], text) when it holds none."""
        text = unicodedata.normalize("NFKC", text)
        name = next((name for name in self._names if name in text), None)
        if name is None:
            return [], text
        return [s for s in self.shelters if unicodedata.normalize("NFKC", s.name) == name], text.replace(name, " ")

    def nearest(self, latitude: float, longitude: float, purpose: str, k: int = 3) -> list[Found]:
        """The ``k`` shelters nearest to the place that serve ``purpose``, nearest first."""
        index = self._indexes.get(purpose)
        if index is None:
            return []
        return [Found(shelter, distance) for distance, shelter in index.nearest(latitude, longitude, k)]


def load_atlas(session: Session) -> Atlas:
    """The stored shelters as an Atlas (empty when the city has imported none)."""
    return Atlas([ShelterInfo(s.id, s.kind, s.name, s.address, s.latitude, s.longitude, s.hazards, s.shares_address,
                              s.accepts) for s in store.load_shelters(session)], store.load_attribution(session))


def atlas_cache() -> RevisionCache[Atlas]:
    """The atlas per process, rebuilt when the shelters change."""
    return RevisionCache((SHELTERS,), lambda session, _previous, _changed: load_atlas(session))
