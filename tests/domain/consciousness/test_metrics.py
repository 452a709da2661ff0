"""Cosine similarity, resonance and consciousness distance on cases worked out by hand (SPEC §2)."""

import math

import numpy as np
import pytest

from mira_assets.domain.consciousness.metrics import (
    consciousness_distance, cosine_similarity, distance_weights, resonance_score)


def unit(*dims, size=1536):
    v = np.zeros(size)
    for d in dims:
        v[d] = 1.0
    return v


def test_cosine_similarity_by_hand():
    assert cosine_similarity(unit(0), unit(0)) == pytest.approx(1.0)
    assert cosine_similarity(unit(0), unit(0, 1)) == pytest.approx(1 / math.sqrt(2))
    assert cosine_similarity(unit(0), -unit(0)) == pytest.approx(-1.0)
    assert cosine_similarity(unit(0), unit(1)) == 0.0
    assert cosine_similarity(np.zeros(1536), unit(3)) == 0.0  # the seed's rule for a zero norm
    rows = np.stack([unit(0), unit(0, 1), np.zeros(1536)])
    assert np.allclose(cosine_similarity(unit(0), rows), [1.0, 1 / math.sqrt(2), 0.0])


def test_resonance_maps_cosine_to_0_1_with_exponent_0_7():
    assert resonance_score(unit(0), unit(0)) == pytest.approx(1.0)
    assert resonance_score(unit(0), unit(1)) == pytest.approx(0.5 ** 0.7)  # 0.6155722066724582
    assert resonance_score(unit(0), -unit(0)) == 0.0
    assert resonance_score(unit(0), unit(0, 1)) == pytest.approx(((1 / math.sqrt(2) + 1) / 2) ** 0.7)
    # rounding may put cos a hair above 1: the score stays a number in [0, 1]
    v = np.random.default_rng(0).normal(size=1536)
    assert 0.0 <= resonance_score(v, v * 3.0) <= 1.0


def test_consciousness_distance_weights_each_slice():
    weights = distance_weights()
    assert [weights[i] for i in (0, 9, 10, 49, 50, 99, 100, 199, 200, 299, 300, 1535)] == \
        [1.5, 1.5, 1.2, 1.2, 1.0, 1.0, 0.8, 0.8, 1.3, 1.3, 0.7, 0.7]
    zero = np.zeros(1536)
    assert consciousness_distance(unit(0), zero) == pytest.approx(1.5)
    assert consciousness_distance(unit(300), zero) == pytest.approx(0.7)
    assert consciousness_distance(unit(0, 300), zero) == pytest.approx(math.sqrt(1.5**2 + 0.7**2))
    assert consciousness_distance(unit(20), unit(150)) == pytest.approx(math.sqrt(1.2**2 + 0.8**2))
    rows = np.stack([unit(0), unit(250), zero])
    assert np.allclose(consciousness_distance(zero, rows), [1.5, 1.3, 0.0])


def test_vectors_of_other_sizes_are_refused():
    with pytest.raises(ValueError, match="1536-d"):
        consciousness_distance(np.ones(10), np.ones(10))
    with pytest.raises(ValueError, match="cannot be compared"):
        cosine_similarity(np.ones(3), np.ones(4))
