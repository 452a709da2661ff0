"""Dense vector -> binary SDR by FlyHash (Dasgupta, Stevens, Navlakha, Science 2017).

Each of the `bits` outputs sums a fixed random subset of the inputs (a sparse binary random
projection, drawn once from the state's seed and kept in the state); the k largest sums are
the active bits (winner-take-all). Similar vectors share most of their active bits.

The vector is first scaled so its largest component is 2**30 and rounded to integers, so the
sums are exact and the SDR does not depend on summation order, threads or device.
"""

from __future__ import annotations

import numpy as np


class FlyHash:
    """The fixed projection (`inputs` per bit, int32 indices) and the encoding step."""

    def __init__(self, input_dim: int, bits: int, active_bits: int, projection: np.ndarray):
        if projection.ndim != 2 or projection.shape[0] != bits:
            raise ValueError(f"FlyHash projection has shape {tuple(projection.shape)}, expected ({bits}, n)")
        if int(projection.min()) < 0 or int(projection.max()) >= input_dim:
            raise ValueError(f"FlyHash projection indexes outside the {input_dim} inputs")
        self.input_dim, self.bits, self.active_bits = input_dim, bits, active_bits
        self.projection = np.ascontiguousarray(projection, dtype=np.int32)
        self._index = self.projection.astype(np.int64)

    @classmethod
    def fresh(cls, input_dim: int, bits: int, active_bits: int, inputs_per_bit: int,
              rng: np.random.Generator) -> "FlyHash":
        per_bit = min(inputs_per_bit, input_dim)
        chosen = np.argpartition(rng.random((bits, input_dim)), per_bit - 1, axis=1)[:, :per_bit]
        return cls(input_dim, bits, active_bits, np.sort(chosen, axis=1).astype(np.int32))

    def encode(self, vector: np.ndarray) -> np.ndarray:
        """Active bit indices (sorted int64) of `vector`; ValueError for a vector that cannot be encoded."""
        x = np.asarray(vector)
        if x.shape != (self.input_dim,):
            raise ValueError(f"expected a vector of {self.input_dim} numbers, got shape {x.shape}")
        if not np.issubdtype(x.dtype, np.number):
            raise ValueError(f"expected numbers, got dtype {x.dtype}")
        x = x.astype(np.float64)
        if not np.all(np.isfinite(x)):
            raise ValueError("the vector holds NaN or infinite values")
        peak = float(np.max(np.abs(x)))
        if peak == 0.0:
            raise ValueError("the vector is all zeros")
        q = np.rint(x * (2.0 ** 30 / peak)).astype(np.int64)
        return top_k(q[self._index].sum(1), self.active_bits)


def top_k(score: np.ndarray, k: int) -> np.ndarray:
    """The k highest scores' indices, sorted; among equal scores the lower index wins."""
    if k >= score.size:
        return np.arange(score.size)
    kth = np.partition(score, score.size - k)[score.size - k]
    above = np.flatnonzero(score > kth)
    tied = np.flatnonzero(score == kth)[: k - above.size]
    return np.sort(np.concatenate([above, tied]))
