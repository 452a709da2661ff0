"""Consciousness states (SPEC §2, §5), framework-free.

- `state`: the state, its canonical JSON, id and noise seed;
- `encoder` (+ `noise`): the seed's 1536-d encoder, vectorised and deterministic;
- `metrics`: cosine similarity, resonance, consciousness distance;
- `vectors_table`: a day's encoded states and the `consciousness_vectors` table;
- `records`: the `consciousness_states` Chroma records;
- `similar`: similar-state search.

The breakthrough rule that routes a state's insights lives beside this package, in `mira_assets.domain.evolution`.
"""

from mira_assets.domain.consciousness.encoder import DIMENSION, ENCODER_NAME, ConsciousnessVectorEncoder
from mira_assets.domain.consciousness.metrics import consciousness_distance, cosine_similarity, resonance_score
from mira_assets.domain.consciousness.records import STATES_COLLECTION, encoded_batch, state_batch
from mira_assets.domain.consciousness.similar import SimilarState, SimilarStateError, find_similar_states
from mira_assets.domain.consciousness.state import ConsciousnessState, parse_state
from mira_assets.domain.consciousness.vectors_table import EncodedStates, encode_states, frame_encoded, vectors_frame

__all__ = [
    "DIMENSION", "ENCODER_NAME", "ConsciousnessVectorEncoder",
    "consciousness_distance", "cosine_similarity", "resonance_score", "STATES_COLLECTION", "encoded_batch",
    "state_batch", "SimilarState", "SimilarStateError", "find_similar_states", "ConsciousnessState",
    "parse_state", "EncodedStates", "encode_states", "frame_encoded", "vectors_frame",
]
