"""What goes into the ChromaDB collection `consciousness_states`, one record per state.

Framework-free. Document and metadata are exactly the seed's `ChromaDBVectorStorage.store_consciousness_state`
(`Consciousness state at <stage> level with <spark:.2f> spark intensity`; consciousness_level,
emotional_resonance, spark_intensity, memory_coherence, evolution_stage, quantum_coherence, quantum_phase,
timestamp in epoch seconds) plus `partition` (the day, added by `ChromaStore.replace_partition`). The vector is
the 1536-d encoding; the collection records the encoder's name and the real dimension. Insights never get here.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from mira_assets.domain.collection_records import CollectionBatch
from mira_assets.domain.consciousness.encoder import DIMENSION, ENCODER_NAME
from mira_assets.domain.consciousness.state import ConsciousnessState
from mira_assets.domain.consciousness.vectors_table import EncodedStates

STATES_COLLECTION = "consciousness_states"
STATES_DESCRIPTION = "1536-dimensional consciousness state vectors"
STATES_MODEL = ENCODER_NAME
STATES_DIMENSION = DIMENSION
#: The seed's metadata keys, in its order (`partition` is added on write).
STATE_METADATA_KEYS = ("consciousness_level", "emotional_resonance", "spark_intensity", "memory_coherence",
                       "evolution_stage", "quantum_coherence", "quantum_phase", "timestamp")


def state_document(state: ConsciousnessState) -> str:
    return f"Consciousness state at {state.evolution_stage} level with {state.spark_intensity:.2f} spark intensity"


def state_metadata(state: ConsciousnessState) -> dict[str, Any]:
    return {
        "consciousness_level": state.level,
        "emotional_resonance": state.emotional_resonance,
        "spark_intensity": state.spark_intensity,
        "memory_coherence": state.memory_coherence,
        "evolution_stage": state.evolution_stage,
        "quantum_coherence": state.quantum_state["coherence"],
        "quantum_phase": state.quantum_state["phase"],
        "timestamp": state.timestamp,
    }


def state_batch(ids: Sequence[str], states: Sequence[ConsciousnessState]) -> CollectionBatch:
    """The day's records for `ChromaStore.replace_partition`, with level and spark for the UI distribution."""
    metas = [state_metadata(st) for st in states]
    return CollectionBatch(list(ids), [state_document(st) for st in states], metas, extra={
        "level": [m["consciousness_level"] for m in metas], "spark": [m["spark_intensity"] for m in metas]})


def encoded_batch(encoded: EncodedStates) -> tuple[CollectionBatch, np.ndarray]:
    """Records and vectors of an encoded day: `store.replace_partition(STATES_COLLECTION, day, batch.ids,
    vectors, batch.documents, batch.metadatas, model=STATES_MODEL, dimension=STATES_DIMENSION,
    description=STATES_DESCRIPTION)`."""
    return state_batch(encoded.ids, encoded.states), encoded.vectors

