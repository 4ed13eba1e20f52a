"""The nearest-shelter search equals measuring every shelter (haversine), on random places around 千歳."""

from __future__ import annotations

import random

import pytest

from disaster.nearest import NearestIndex
from disaster.nearest import brute_force_nearest
from disaster.nearest import haversine_m

CHITOSE = (42.8210, 141.6509)


def around(rng: random.Random, spread: float) -> tuple[float, float]:
    return CHITOSE[0] + rng.uniform(-spread, spread), CHITOSE[1] + rng.uniform(-spread, spread)


@pytest.mark.parametrize("seed", range(5))
def test_the_index_finds_what_brute_force_finds(seed):
    """For 200 random places, the 3 nearest of 2,000 random shelters are those brute force finds, in order."""
    rng = random.Random(seed)
    points = [(*around(rng, 0.3), n) for n in range(2000)]
    index = NearestIndex(points)
    for _ in range(200):
        latitude, longitude = around(rng, 0.5)
        assert index.nearest(latitude, longitude, 3) == brute_force_nearest(points, latitude, longitude, 3)


def test_fewer_shelters_than_asked_for_are_all_returned():
    index = NearestIndex([(42.82, 141.65, "a"), (42.83, 141.66, "b")])
    assert [item for _d, item in index.nearest(*CHITOSE, 3)] == ["a", "b"]


def test_an_empty_index_finds_nothing():
    assert NearestIndex([]).nearest(*CHITOSE, 3) == []


def test_one_degree_along_a_meridian_is_the_earths_radius_times_pi_over_180():
    """About 111.2 km: the mean radius 6,371,008.8 m × π / 180."""
    assert haversine_m(42.0, 141.65, 43.0, 141.65) == pytest.approx(111_195.08, abs=0.1)
