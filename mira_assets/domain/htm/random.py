"""Counter-based random numbers (splitmix64): the same seed gives the same draws in any process.

A step's draws are a pure function of (state seed, step, level, purpose), so there is no
generator state to carry, and a rerun of a day from the same state repeats every choice.
"""

from __future__ import annotations

import numpy as np

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1, _M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * _M1) & _MASK64
    z = ((z ^ (z >> 27)) * _M2) & _MASK64
    return z ^ (z >> 31)


def step_seed(seed: int, step: int, level: int) -> int:
    """A well-mixed 63-bit seed for one level at one step."""
    z = _mix((seed * _GOLDEN) & _MASK64)
    z = _mix((z + (step + 1) * _GOLDEN) & _MASK64)
    z = _mix((z + (level + 1) * _GOLDEN) & _MASK64)
    return z >> 1


def random_bits(seed: int, n: int, bits: int) -> np.ndarray:
    """n pseudo-random integers in [0, 2**bits) as int64 (bits <= 62)."""
    if not 0 < bits <= 62:
        raise ValueError("bits must be in 1..62")
    x = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(_GOLDEN) + np.uint64(seed & _MASK64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(_M1)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(_M2)
    x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(64 - bits)).astype(np.int64)
