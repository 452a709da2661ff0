"""How alike two consciousness vectors are (SPEC §2): cosine similarity, resonance, consciousness distance.

Framework-free, float64. Each metric takes one vector against one vector, or one vector against the rows of a
matrix (what similar-state search does with the stored vectors Chroma returns).
"""

from __future__ import annotations

import numpy as np

from mira_assets.domain.consciousness.encoder import DIMENSION, SLICES

#: Weight of each slice in the consciousness distance (SPEC §2).
SLICE_WEIGHTS: dict[str, float] = {
    "spark_intensity": 1.5,
    "emotional_resonance": 1.2,
    "memory_coherence": 1.0,
    "quantum_state": 0.8,
    "consciousness_level": 1.3,
    "evolution_patterns": 0.7,
}
RESONANCE_EXPONENT = 0.7


def distance_weights() -> np.ndarray:
    """The 1536 per-dimension weights of the consciousness distance."""
    weights = np.ones(DIMENSION, dtype=np.float64)
    for name, part in SLICES.items():
        weights[part] = SLICE_WEIGHTS[name]
    return weights


def _as_rows(vectors) -> tuple[np.ndarray, bool]:
    array = np.asarray(vectors, dtype=np.float64)
    if array.ndim not in (1, 2):
        raise ValueError(f"expected a vector or a matrix of vectors, got an array of {array.ndim} dimensions")
    return np.atleast_2d(array), array.ndim == 1


def cosine_similarity(a, b) -> float | np.ndarray:
    """a·b / (|a||b|), 0 where a norm is 0 (the seed's rule); `b` may be a matrix (one value per row)."""
    a = np.asarray(a, dtype=np.float64)
    rows, single = _as_rows(b)
    if rows.shape[1] != a.shape[-1]:
        raise ValueError(f"vectors of {a.shape[-1]} and {rows.shape[1]} dimensions cannot be compared")
    norms = np.linalg.norm(rows, axis=1) * np.linalg.norm(a)
    dots = rows @ a
    safe = np.where(norms > 0, norms, 1.0)
    similarity = np.where(norms > 0, dots / safe, 0.0)
    return float(similarity[0]) if single else similarity


def resonance_score(a, b) -> float | np.ndarray:
    """((cos + 1) / 2) ** 0.7, in [0, 1]; cos is clipped to [−1, 1] first (rounding can step just outside)."""
    cos = np.clip(cosine_similarity(a, b), -1.0, 1.0)
    score = ((cos + 1.0) / 2.0) ** RESONANCE_EXPONENT
    return float(score) if np.ndim(score) == 0 else score


def consciousness_distance(a, b) -> float | np.ndarray:
    """|(a − b)·w| with the slice weights of SPEC §2; `b` may be a matrix (one distance per row)."""
    a = np.asarray(a, dtype=np.float64)
    rows, single = _as_rows(b)
    if rows.shape[1] != DIMENSION or a.shape[-1] != DIMENSION:
        raise ValueError(f"consciousness distance needs {DIMENSION}-d vectors")
    distance = np.linalg.norm((rows - a) * distance_weights(), axis=1)
    return float(distance[0]) if single else distance
