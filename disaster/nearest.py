"""The nearest points to a place on the Earth: a k-d tree over unit vectors, exact by great-circle distance.

Points are kept as 3-D unit vectors; the straight-line (chord) distance between two of them grows with the
great-circle distance, so the k nearest by chord, which scipy's k-d tree finds in microseconds, are the k
nearest by haversine. Distances are then computed by haversine for the ones found.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Generic
from typing import TypeVar

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)

T = TypeVar("T")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _unit_vectors(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(latitudes), np.radians(longitudes)
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


class NearestIndex(Generic[T]):
    """Items at points (latitude, longitude in degrees), searched for the nearest to a place."""

    def __init__(self, points: Sequence[tuple[float, float, T]]) -> None:
        self._items = [item for _lat, _lon, item in points]
        self._latitudes = np.array([lat for lat, _lon, _item in points], dtype=float)
        self._longitudes = np.array([lon for _lat, lon, _item in points], dtype=float)
        self._tree = cKDTree(_unit_vectors(self._latitudes, self._longitudes)) if points else None

    def __len__(self) -> int:
        return len(self._items)

    def nearest(self, latitude: float, longitude: float, k: int = 3) -> list[tuple[float, T]]:
        """The ``k`` nearest items with their distances in metres, nearest first (equal ones in input order)."""
        if self._tree is None or k <= 0:
            return []
        k = min(k, len(self._items))
        # One more than asked for, so that a tie at the k-th place is settled by input order, as brute force does.
        wanted = min(k + 1, len(self._items))
        _chords, found = self._tree.query(_unit_vectors(np.array([latitude]), np.array([longitude]))[0], k=wanted)
        found = np.atleast_1d(found)
        ranked = sorted((haversine_m(latitude, longitude, float(self._latitudes[i]), float(self._longitudes[i])),
                         int(i)) for i in found)
        return [(distance, self._items[i]) for distance, i in ranked[:k]]


def brute_force_nearest(points: Sequence[tuple[float, float, T]], latitude: float, longitude: float, k: int = 3
                        ) -> list[tuple[float, T]]:
    """The same answer as ``NearestIndex.nearest`` by measuring every point (the baseline of tests and the
    benchmark)."""
    ranked = sorted((haversine_m(latitude, longitude, lat, lon), n) for n, (lat, lon, _item) in enumerate(points))
    return [(distance, points[n][2]) for distance, n in ranked[:k]]
