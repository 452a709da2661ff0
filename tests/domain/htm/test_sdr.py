"""A 384-d memory vector becomes a 2048-bit SDR with 102 active bits; similar vectors share bits."""

import numpy as np
import pytest

from mira_assets.domain.htm.sdr import FlyHash


@pytest.fixture
def flyhash() -> FlyHash:
    return FlyHash.fresh(384, 2048, 102, 32, np.random.default_rng(5))


def _overlap(a: np.ndarray, b: np.ndarray) -> int:
    return len(np.intersect1d(a, b))


def test_an_sdr_has_exactly_five_percent_active_bits(flyhash):
    for v in np.random.default_rng(0).standard_normal((20, 384)):
        sdr = flyhash.encode(v)
        assert sdr.size == 102 and np.all(np.diff(sdr) > 0) and sdr.min() >= 0 and sdr.max() < 2048


def test_similar_memories_share_most_bits_and_unrelated_ones_share_few(flyhash):
    rng = np.random.default_rng(1)
    base = rng.standard_normal(384)
    base /= np.linalg.norm(base)
    noise = rng.standard_normal(384)
    near = base + 0.2 * noise / np.linalg.norm(noise)  # cosine ~0.98
    far = rng.standard_normal(384)
    assert _overlap(flyhash.encode(base), flyhash.encode(near)) >= 60
    assert _overlap(flyhash.encode(base), flyhash.encode(far)) <= 20  # chance level is ~5 bits


def test_the_sdr_does_not_depend_on_the_vector_scale_or_dtype(flyhash):
    v = np.random.default_rng(2).standard_normal(384)
    assert np.array_equal(flyhash.encode(v), flyhash.encode((v * 3).astype(np.float32)))


@pytest.mark.parametrize("vector, reason", [
    (np.zeros(384), "all zeros"),
    (np.full(384, np.nan), "NaN"),
    (np.ones(100), "384 numbers"),
    (np.array(["a"] * 384), "numbers"),
])
def test_a_vector_that_cannot_be_encoded_is_refused_with_the_reason(flyhash, vector, reason):
    with pytest.raises(ValueError, match=reason):
        flyhash.encode(vector)
