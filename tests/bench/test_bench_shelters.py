"""The shelter benchmark's numpy brute force, which checks every answer of the index (no large runs)."""

from __future__ import annotations

import random

import numpy as np

from bench.bench_shelters import numpy_nearest
from disaster.nearest import brute_force_nearest


def test_numpy_brute_force_ranks_as_plain_brute_force():
    """On 500 random points, the vectorised haversine ranks the 3 nearest as the plain Python one does."""
    rng = random.Random(3)
    points = [(42.8 + rng.uniform(-0.2, 0.2), 141.6 + rng.uniform(-0.2, 0.2), n) for n in range(500)]
    latitudes, longitudes = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    for _ in range(50):
        place = (42.8 + rng.uniform(-0.3, 0.3), 141.6 + rng.uniform(-0.3, 0.3))
        assert numpy_nearest(latitudes, longitudes, *place, 3) == [n for _d, n in brute_force_nearest(points, *place)]
