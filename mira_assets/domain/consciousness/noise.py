"""The encoder's per-state noise: `numpy.random.default_rng(seed)` draws, for a whole batch at a time.

Framework-free. SPEC §2 pins the noise of a state to `default_rng(seed).normal(0.0, σ, 1236)`. Building a
generator per state costs more than the draws (`default_rng` runs numpy's SeedSequence hash in Python-level
code, ~9 µs); here the SeedSequence hash runs once over the batch as numpy uint32 arithmetic, PCG64's seeding
step is done on Python ints, and one reused generator is set to each state in turn. numpy documents both
algorithms as stable (its streams are reproducible across versions); a self-check against `default_rng` on
every `StateNoise` falls back to `default_rng` per state if this numpy ever disagreed.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

# numpy.random.SeedSequence (bit_generator.pyx): pool of 4 uint32 words, hashmix/mix constants.
_POOL_SIZE = 4
_INIT_A = 0x43B0D7E5
_MULT_A = 0x931E8875
_INIT_B = 0x8B51F9DD
_MULT_B = 0x58F38DED
_MIX_MULT_L = np.uint32(0xCA01F9DD)
_MIX_MULT_R = np.uint32(0x4973F715)
_XSHIFT = np.uint32(16)
_MASK32 = 0xFFFFFFFF
# PCG64 (pcg64.h): 128-bit LCG multiplier; seeding = pcg_setseq_128_srandom_r.
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
_MASK128 = (1 << 128) - 1
_CHECK_SEEDS = (0, 1, 2**32 - 1, 2**32, 0x9E3779B97F4A7C15, 2**64 - 1)


def seed_sequence_words(seeds: Sequence[int]) -> np.ndarray:
    """`SeedSequence(seed).generate_state(4, np.uint64)` for every seed < 2**64, as an (n, 4) uint64 array."""
    seeds = np.asarray(seeds, dtype=np.uint64).reshape(-1)
    entropy = [(seeds & np.uint64(_MASK32)).astype(np.uint32), (seeds >> np.uint64(32)).astype(np.uint32)]
    hash_const = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal hash_const
        value = value ^ np.uint32(hash_const)
        hash_const = (hash_const * _MULT_A) & _MASK32
        value = value * np.uint32(hash_const)
        return value ^ (value >> _XSHIFT)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = _MIX_MULT_L * x - _MIX_MULT_R * y
        return result ^ (result >> _XSHIFT)

    zeros = np.zeros_like(entropy[0])
    # a seed below 2**32 has one entropy word; a missing word mixes as 0, so two words cover every seed
    pool = [hashmix(entropy[i] if i < len(entropy) else zeros) for i in range(_POOL_SIZE)]
    for i_src in range(_POOL_SIZE):
        for i_dst in range(_POOL_SIZE):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hashmix(pool[i_src]))
    hash_const = _INIT_B
    words = []
    for i_dst in range(2 * 4):
        value = pool[i_dst % _POOL_SIZE] ^ np.uint32(hash_const)
        hash_const = (hash_const * _MULT_B) & _MASK32
        value = value * np.uint32(hash_const)
        words.append(value ^ (value >> _XSHIFT))
    return np.stack(words, axis=1).astype("<u4").view("<u8").astype(np.uint64)


def _pcg64_state_dict(w0: int, w1: int, w2: int, w3: int) -> dict:
    """`PCG64.state` after seeding with SeedSequence words: initstate = (w0, w1), initseq = (w2, w3), then
    pcg_setseq_128_srandom_r: inc = 2·initseq + 1; state = 0 → step → + initstate → step."""
    inc = (((w2 << 64) | w3) << 1 | 1) & _MASK128
    state = ((inc + ((w0 << 64) | w1)) * _PCG_MULT + inc) & _MASK128
    return {"bit_generator": "PCG64", "state": {"state": state, "inc": inc}, "has_uint32": 0, "uinteger": 0}


class StateNoise:
    """Fills rows with `default_rng(seed).standard_normal(width)`, seed by seed. One per batch (not thread-safe)."""

    def __init__(self) -> None:
        self._bit_generator = np.random.PCG64(0)
        self._generator = np.random.Generator(self._bit_generator)
        self.fast = self._agrees_with_numpy()

    def fill(self, seeds: Sequence[int], out: np.ndarray, draw: Sequence[bool] | None = None,
             words: np.ndarray | None = None) -> None:
        """out[k] = default_rng(seeds[k]).standard_normal(out.shape[1]); rows with draw[k] False get zeros.

        `words` = `seed_sequence_words(seeds)` when the caller has them already (one pass for a whole batch)."""
        draws = [True] * len(seeds) if draw is None else np.asarray(draw, dtype=bool).tolist()
        if not self.fast:
            for row, seed, wanted in zip(out, seeds, draws):
                if wanted:
                    np.random.default_rng(seed).standard_normal(out=row)
                else:
                    row[:] = 0.0
            return
        words = seed_sequence_words(seeds) if words is None else words
        bit_generator, normal = self._bit_generator, self._generator.standard_normal
        for row, (w0, w1, w2, w3), wanted in zip(out, np.asarray(words).tolist(), draws):
            if wanted:
                bit_generator.state = _pcg64_state_dict(w0, w1, w2, w3)
                normal(out=row)
            else:
                row[:] = 0.0

    def _agrees_with_numpy(self) -> bool:
        probe = np.empty(8)
        words = seed_sequence_words(_CHECK_SEEDS)
        for seed, w in zip(_CHECK_SEEDS, words.tolist()):
            self._bit_generator.state = _pcg64_state_dict(*w)
            self._generator.standard_normal(out=probe)
            if not np.array_equal(probe, np.random.default_rng(seed).standard_normal(8)):
                return False
        return True
