"""Similar-state search over `consciousness_states`: the seed's `find_similar_consciousness_states`, done right.

Framework-free. The query is the state's 1536-d vector (a state given by its fields is encoded; a stored state
is looked up by id and its stored vector used). As in the seed, Chroma filters `consciousness_level` to
[max(0, L − 0.2), min(1, L + 0.2)]; unlike the seed, the query asks Chroma for the stored embeddings, which the
resonance and distance need (the seed's query omits them, so its resonance step would fail). Rows come back
best first by cosine similarity; a stored state searched by id is not its own neighbour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from mira_assets.domain.consciousness.encoder import ConsciousnessVectorEncoder
from mira_assets.domain.consciousness.metrics import consciousness_distance, cosine_similarity, resonance_score
from mira_assets.domain.consciousness.records import STATES_COLLECTION
from mira_assets.domain.consciousness.state import ConsciousnessState

LEVEL_WINDOW = 0.2


class SimilarStateError(ValueError):
    """A similar-state search that cannot be answered (no collection, unknown state id, bad n)."""


@dataclass(frozen=True)
class SimilarState:
    rank: int
    state_id: str
    description: str
    metadata: dict[str, Any]
    similarity: float  # cosine similarity of the query vector and the stored one
    resonance_score: float  # ((similarity + 1) / 2) ** 0.7
    consciousness_distance: float  # slice-weighted Euclidean distance (SPEC §2)

    def to_dict(self) -> dict[str, Any]:
        return {"state_id": self.state_id, "description": self.description, "metadata": dict(self.metadata),
                "similarity": self.similarity, "resonance_score": self.resonance_score,
                "consciousness_distance": self.consciousness_distance}


def level_where(level: float) -> dict:
    """Chroma `where` for consciousness_level within ±0.2 of `level`, clipped to [0, 1]."""
    low, high = max(0.0, float(level) - LEVEL_WINDOW), min(1.0, float(level) + LEVEL_WINDOW)
    return {"$and": [{"consciousness_level": {"$gte": low}}, {"consciousness_level": {"$lte": high}}]}


def _require_collection(store) -> None:
    """Searching never creates the collection: a missing one is a clear error."""
    if store.existing(STATES_COLLECTION) is None:
        raise SimilarStateError(f"collection {STATES_COLLECTION!r} does not exist in {store.describe()}: "
                                "materialize consciousness_states first")


def _stored(store, state_id: str) -> tuple[np.ndarray, float]:
    got = store.get_ids(STATES_COLLECTION, [state_id], include=("embeddings", "metadatas"))
    if not got["ids"]:
        raise SimilarStateError(f"no state {state_id!r} in {STATES_COLLECTION!r}")
    level = (got["metadatas"][0] or {}).get("consciousness_level")
    if level is None:
        raise SimilarStateError(f"state {state_id!r} in {STATES_COLLECTION!r} has no consciousness_level")
    return np.asarray(got["embeddings"][0], dtype=np.float64), float(level)


def find_similar_states(store, state: Optional[ConsciousnessState] = None, *,
                        state_id: Optional[str] = None, n: int = 5,
                        encoder: Optional[ConsciousnessVectorEncoder] = None) -> list[SimilarState]:
    """The `n` stored states closest to `state` (or to the stored state `state_id`) within its level window.

    `store` is a `resources.chroma.ChromaStore` (anything with `existing`, `get_ids`, `query` and `describe`)."""
    if (state is None) == (state_id is None):
        raise SimilarStateError("give either a state or a state id")
    if n < 1:
        raise SimilarStateError("n must be at least 1")
    _require_collection(store)
    if state is not None:
        vector, level = (encoder or ConsciousnessVectorEncoder()).encode(state), state.level
    else:
        vector, level = _stored(store, state_id)
    result = store.query(STATES_COLLECTION, vector, n=n + (state_id is not None), where=level_where(level),
                         include=("documents", "metadatas", "embeddings"))
    ids = result["ids"][0] if result.get("ids") else []
    keep = [k for k, rid in enumerate(ids) if rid != state_id]
    if not keep:
        return []
    stored = np.asarray(result["embeddings"][0], dtype=np.float64)[keep]
    similarity = cosine_similarity(vector, stored)
    resonance = resonance_score(vector, stored)
    distance = consciousness_distance(vector, stored)
    rows = [(float(similarity[j]), ids[k], j, k) for j, k in enumerate(keep)]
    rows.sort(key=lambda row: (-row[0], row[1]))
    return [SimilarState(rank=rank, state_id=rid, description=result["documents"][0][k] or "",
                         metadata=dict(result["metadatas"][0][k] or {}), similarity=sim,
                         resonance_score=float(resonance[j]), consciousness_distance=float(distance[j]))
            for rank, (sim, rid, j, k) in enumerate(rows[:n], start=1)]
