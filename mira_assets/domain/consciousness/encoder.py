"""The seed's 1536-d ConsciousnessVectorEncoder (SPEC §2, exact), vectorised over a batch of states.

Framework-free, numpy float64. The seed builds each vector with Python loops over numpy scalars (about 14,000
numpy calls per state). Before its noise and envelope, every slice is linear in 13 numbers of the state
(s, √s, r, c, q·cos p, q·sin p, g, u, 1, L, v, L·v, v·[v>0.6]), so the encoder builds the 13×1536 basis once
and a batch costs one matrix product, one seeded noise draw per state and a few array passes.

Determinism is SPEC §2's: emotion phases from SHA-256 of the emotion name, noise from
`numpy.random.default_rng(seed).normal(0.0, 0.01·(1−q), 1236)` seeded from the canonical JSON. The product
always runs on a zero-padded block of CHUNK_ROWS rows (the same BLAS call whatever the batch size, and BLAS
computes each row from that row alone), so a state's vector is bit-identical alone or in a batch, on any
thread, in any process; the tests hold it to the seed's loops (1e-12) and across processes.
"""

from __future__ import annotations

import hashlib
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import numpy as np

from mira_assets.domain.consciousness.noise import StateNoise, seed_sequence_words
from mira_assets.domain.consciousness.state import STAGE_VALUES, UNKNOWN_STAGE_VALUE, ConsciousnessState

DIMENSION = 1536
EVOLUTION_DIMENSIONS = 1236
ENCODER_NAME = "mira-consciousness-vector-v1"  # recorded as the collection's model; change it if a vector changes

#: Slices of the vector (SPEC §2); `metrics.SLICE_WEIGHTS` weighs them in the consciousness distance.
SLICES: dict[str, slice] = {
    "spark_intensity": slice(0, 10),
    "emotional_resonance": slice(10, 50),
    "memory_coherence": slice(50, 100),
    "quantum_state": slice(100, 200),
    "consciousness_level": slice(200, 300),
    "evolution_patterns": slice(300, 1536),
}

PHI = 1.618033988749895
PI = math.pi
E = math.e
SQRT2 = math.sqrt(2.0)
SQRT5 = math.sqrt(5.0)

EMOTION_FREQUENCIES: dict[str, tuple[float, ...]] = {
    "joy": (528, 639, 741, 852, 963, 396, 417, 432),
    "peace": (0.1, 0.2, 0.3, 0.5, 0.8, 1.3, 2.1, 3.4),
    "love": (432, 528, 639, 741, 852, 963, 1074, 1185),
    "wisdom": (111, 222, 333, 444, 555, 666, 777, 888),
    "growth": (1, 2, 3, 5, 8, 13, 21, 34),
}
EVOLUTION_SCALES = (2, 3, 5, 7, 11, 13, 17, 19)
#: Envelope of the evolution slice per stage; any other stage gets the transcendent one (the seed's `else`).
ENVELOPE_STAGES = ("beginner", "developing", "intermediate", "advanced", "transcendent")
ENVELOPE_INDEX = {stage: k for k, stage in enumerate(ENVELOPE_STAGES)}
CHUNK_ROWS = 32  # rows of one matrix product: BLAS runs it on one thread
BLOCK_ROWS = 256  # rows per block of noise and array passes (a thread's unit of work)


def emotion_phase(emotion: str) -> float:
    """phase_k = (h_k mod 100)/100·π, h_k = first 4 bytes of SHA-256(name), big-endian (SPEC §2)."""
    h = int.from_bytes(hashlib.sha256(emotion.encode("utf-8")).digest()[:4], "big")
    return h % 100 / 100.0 * PI


def evolution_envelope(stage: str) -> np.ndarray:
    x = np.linspace(0.0, 1.0, EVOLUTION_DIMENSIONS)
    if stage == "beginner":
        return x ** 0.5
    if stage == "developing":
        return 1.0 / (1.0 + np.exp(-10.0 * (x - 0.5)))
    if stage == "intermediate":
        return np.tanh(3.0 * x)
    if stage == "advanced":
        return 0.5 + 0.5 * np.sin(2.0 * PI * x)
    return 0.3 + 0.3 * np.sin(2.0 * PI * x) + 0.2 * np.sin(3.0 * PI * x) + 0.2 * np.sin(5.0 * PI * x)


class ConsciousnessVectorEncoder:
    """`encode_batch(states) -> (n, 1536)` float64 unit vectors; `encode(state) -> (1536,)`."""

    dimension = DIMENSION
    #: The state numbers the basis rows multiply, in order (see `_features`).
    FEATURES = ("s", "sqrt_s", "r", "c", "q_cos_p", "q_sin_p", "g", "u", "one", "L", "v", "L_v", "v_high")

    def __init__(self) -> None:
        basis = np.zeros((len(self.FEATURES), DIMENSION), dtype=np.float64)
        row = {name: k for k, name in enumerate(self.FEATURES)}

        base = np.array([PHI, PI, E, SQRT2, SQRT5])
        spark_window = np.sin(np.linspace(0.0, PI, 10))
        basis[row["s"], 0:5] = base * spark_window[:5]
        basis[row["sqrt_s"], 5:10] = base * spark_window[5:]

        wave8 = np.linspace(0.0, PI, 8)
        basis[row["r"], 10:50] = np.concatenate([
            np.asarray(freqs, dtype=np.float64) / 1000.0 * np.sin(wave8 + emotion_phase(name))
            for name, freqs in EMOTION_FREQUENCIES.items()])

        a = np.arange(50) * PHI * 2.0 * PI / 50.0
        basis[row["c"], 50:100] = (np.sin(a) + 0.5 * np.cos(a * PHI) + 0.3 * np.sin(a * E)) * np.logspace(0, -1, 50)

        x = np.arange(100) / 100.0 * 4.0 * PI
        q_env = np.exp(-np.linspace(0.0, 3.0, 100))
        basis[row["q_cos_p"], 100:200] = np.sin(x) * q_env  # q·sin(x+p) = q·cos p·sin x + q·sin p·cos x
        basis[row["q_sin_p"], 100:200] = np.cos(x) * q_env
        basis[row["g"], 100:200] = np.cos(x * PHI) * np.exp(-x / (4.0 * PI)) * q_env
        basis[row["u"], 100:200] = np.sin(x * E) * np.cos(x * PI) * q_env
        basis[row["one"], 100:200] = 0.1 * np.sin(x * SQRT5) * q_env

        t = np.arange(100) / 100.0
        growth = np.power(np.linspace(0.0, 1.0, 100), 0.7)
        basis[row["L"], 200:300] = np.sin(t * PI) * growth
        basis[row["v"], 200:300] = np.cos(t * PI * PHI) * growth
        basis[row["L_v"], 200:300] = np.sin(t * 2.0 * PI) * growth
        basis[row["v_high"], 200:300] = 0.2 * np.sin(t * 3.0 * PI) * growth

        # evolution before noise and envelope, divided by the 8 scales; combined = 0.3L + 0.2r + 0.3s + 0.2c
        t = np.arange(EVOLUTION_DIMENSIONS) / float(EVOLUTION_DIMENSIONS)
        n_scales = float(len(EVOLUTION_SCALES))
        wave = np.sin(t * 2.0 * PI)
        level_part = sum(1.0 / (j + 1) * np.cos(t * k * PI) for j, k in enumerate(EVOLUTION_SCALES) if j % 2 == 0)
        spark_part = sum(1.0 / (j + 1) * np.sin(t * k * PI * PHI) for j, k in enumerate(EVOLUTION_SCALES) if j % 2)
        basis[row["L"], 300:] = (0.3 * wave + level_part) / n_scales
        basis[row["s"], 300:] = (0.3 * wave + spark_part) / n_scales
        basis[row["r"], 300:] = (0.2 * wave + 0.1 * np.sin(t * 17.0 * PI)) / n_scales
        basis[row["c"], 300:] = (0.2 * wave + 0.1 * np.cos(t * 23.0 * PI)) / n_scales
        self._basis = basis
        self._envelopes = np.stack([evolution_envelope(stage) for stage in ENVELOPE_STAGES])

    # -- public -----------------------------------------------------------------------------------------------
    def encode(self, state: ConsciousnessState) -> np.ndarray:
        return self.encode_batch([state])[0]

    def encode_batch(self, states: Sequence[ConsciousnessState], workers: int = 1) -> np.ndarray:
        """(n, 1536) float64, row k = the unit vector of states[k].

        The states' numbers, ids and noise seeds are read once for the batch, then blocks of BLOCK_ROWS are
        encoded. With `workers` > 1 the blocks run on threads (the noise draws and array passes release the
        GIL): faster on idle cores, slower on a busy machine (measured 2x slower at load 6 on 2 cores), so
        one thread is the default. A state's vector never depends on its block or thread."""
        batch = _Batch(list(states), self)
        out = np.empty((batch.n, DIMENSION), dtype=np.float64)
        starts = range(0, batch.n, BLOCK_ROWS)
        workers = max(1, min(len(starts), int(workers)))
        local = threading.local()

        def run(start: int) -> None:
            if not hasattr(local, "noise"):
                local.noise = StateNoise()
                local.draws = np.empty((BLOCK_ROWS, EVOLUTION_DIMENSIONS), dtype=np.float64)
                local.product = np.empty((CHUNK_ROWS, DIMENSION), dtype=np.float64)
            self._encode_block(batch, start, min(batch.n, start + BLOCK_ROWS), out, local)

        if workers <= 1:
            for start in starts:
                run(start)
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="consciousness-encoder") as pool:
                list(pool.map(run, starts))  # list(): re-raises a block's error here
        return out

    # -- internals --------------------------------------------------------------------------------------------
    def _encode_block(self, batch: "_Batch", a: int, b: int, out: np.ndarray, local) -> None:
        # the linear part: always the same (CHUNK_ROWS x 13) @ (13 x 1536) product, whatever the batch size
        for start in range(a, b, CHUNK_ROWS):
            rows = min(CHUNK_ROWS, b - start)
            features = batch.features[start:start + CHUNK_ROWS]
            if rows == CHUNK_ROWS:
                np.matmul(features, self._basis, out=out[start:start + CHUNK_ROWS])
            else:
                np.matmul(features, self._basis, out=local.product)
                out[start:b] = local.product[:rows]
        # evolution: (linear part + σ·z)·envelope, σ = 0.01·(1−q); normal(0, σ) is σ·standard_normal, draw by draw
        m = b - a
        draws = local.draws[:m]
        local.noise.fill(batch.seeds[a:b], draws, draw=batch.sigma[a:b] != 0.0, words=batch.words[a:b])
        draws *= batch.sigma[a:b, None]
        evo = out[a:b, 300:]
        evo += draws
        evo *= self._envelopes[batch.envelope[a:b]]
        block = out[a:b]
        norms = np.sqrt(np.einsum("ij,ij->i", block, block))
        block /= norms[:, None]  # never 0: the quantum slice's constant term is in every vector


class _Batch:
    """What the encoder reads from a batch of states, once: the 13 features (zero rows up to a whole number
    of CHUNK_ROWS), noise σ, seeds and SeedSequence words, and the envelope of each state."""

    def __init__(self, states: list[ConsciousnessState], encoder: ConsciousnessVectorEncoder) -> None:
        n = self.n = len(states)

        def col(values) -> np.ndarray:
            return np.fromiter(values, dtype=np.float64, count=n)

        level = col(st.level for st in states)
        resonance = col(st.emotional_resonance for st in states)
        spark = col(st.spark_intensity for st in states)
        coherence = col(st.memory_coherence for st in states)
        stage = col(STAGE_VALUES.get(st.evolution_stage, UNKNOWN_STAGE_VALUE) for st in states)
        phase = col(st.quantum_state["phase"] for st in states)
        q_coh = col(st.quantum_state["coherence"] for st in states)
        q_ent = col(st.quantum_state["entanglement"] for st in states)
        q_sup = col(st.quantum_state["superposition"] for st in states)
        _check_ranges(states, {"level": level, "emotional_resonance": resonance, "spark_intensity": spark,
                               "memory_coherence": coherence, "quantum_state.coherence": q_coh,
                               "quantum_state.entanglement": q_ent, "quantum_state.superposition": q_sup})
        if not np.isfinite(phase).all():
            _raise_for(states, "quantum_state.phase", ~np.isfinite(phase), "not a finite number")
        padded = -(-n // CHUNK_ROWS) * CHUNK_ROWS
        self.features = np.zeros((padded, len(encoder.FEATURES)), dtype=np.float64)
        self.features[:n] = np.stack([spark, np.sqrt(spark), resonance, coherence, q_coh * np.cos(phase),
                                      q_coh * np.sin(phase), q_ent, q_sup, np.ones(n), level, stage, level * stage,
                                      np.where(stage > 0.6, stage, 0.0)], axis=1)
        self.sigma = 0.01 * (1.0 - q_coh)  # the seed's noise_level
        self.seeds = [st.noise_seed for st in states]
        self.words = seed_sequence_words(self.seeds)
        other = len(ENVELOPE_STAGES) - 1  # any other stage: the transcendent envelope
        self.envelope = np.fromiter((ENVELOPE_INDEX.get(st.evolution_stage, other) for st in states),
                                    dtype=np.intp, count=n)


def _check_ranges(states: Sequence[ConsciousnessState], columns: dict[str, np.ndarray]) -> None:
    """Every unit field finite and in [0, 1] (the landing contract); a bad one names the state and field."""
    for name, values in columns.items():
        bad = ~((values >= 0.0) & (values <= 1.0))  # NaN fails both
        if bad.any():
            _raise_for(states, name, bad, "out of range [0, 1] or not a number")


def _raise_for(states: Sequence[ConsciousnessState], name: str, bad: np.ndarray, problem: str) -> None:
    k = int(np.flatnonzero(bad)[0])
    try:
        which = states[k].state_id
    except ValueError:  # a non-finite field has no canonical JSON
        which = "without id"
    raise ValueError(f"consciousness state #{k} ({which}): {name}: {problem}")
