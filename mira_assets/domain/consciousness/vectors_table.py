"""The day's encoded states: state ids, the states' fields and their 1536-d vectors (the `consciousness_vectors` table).

Framework-free. Built from the landing records of the `consciousness` stream; `insights` and `is_breakthrough`
are left behind (a breakthrough's insights are private, SPEC §5), so the table is safe as plain Parquet. Two
records of one day with the same state (same fields and timestamp) are one state: the first is kept and the
repeat counted. Reading the table back recomputes every state id from its fields, so a table edited or
damaged on disk fails loudly instead of feeding wrong vectors to ChromaDB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np

from mira_assets.domain.consciousness.encoder import DIMENSION, ConsciousnessVectorEncoder
from mira_assets.domain.consciousness.state import QUANTUM_KEYS, ConsciousnessState

if TYPE_CHECKING:  # pandas is imported when a frame is built
    import pandas as pd

LEVEL_COLUMNS = ("level", "emotional_resonance", "spark_intensity", "memory_coherence")
QUANTUM_COLUMNS = tuple(f"quantum_{key}" for key in QUANTUM_KEYS)
#: Columns of `vectors_frame`, in order.
VECTOR_TABLE_COLUMNS = ("state_id", *LEVEL_COLUMNS, "evolution_stage", *QUANTUM_COLUMNS, "timestamp", "vector")


@dataclass
class EncodedStates:
    """States of one day, their ids and vectors (row k of `vectors` belongs to `ids[k]`)."""

    ids: list[str]
    states: list[ConsciousnessState]
    vectors: np.ndarray = field(repr=False)  # float64 (n, 1536)
    duplicates: int = 0  # records dropped because an earlier record of the day was the same state

    def __len__(self) -> int:
        return len(self.ids)

    def day_numbers(self) -> dict[str, float | int]:
        """Per-day numbers for metadata that Dagster plots across partitions (0.0 for a day without states)."""
        levels = [st.level for st in self.states]
        sparks = [st.spark_intensity for st in self.states]
        return {
            "states": len(self.states),
            "duplicate_states": self.duplicates,
            "mean_consciousness_level": round(sum(levels) / len(levels), 6) if levels else 0.0,
            "max_spark_intensity": float(max(sparks)) if sparks else 0.0,
        }


def unique_states(records: Iterable[Mapping]) -> tuple[list[str], list[ConsciousnessState], int]:
    """(ids, states, repeats): the distinct states of the records, first occurrence first."""
    ids: list[str] = []
    states: list[ConsciousnessState] = []
    seen: set[str] = set()
    repeats = 0
    for record in records:
        state = ConsciousnessState.from_record(record)
        state_id = state.state_id
        if state_id in seen:
            repeats += 1
            continue
        seen.add(state_id)
        ids.append(state_id)
        states.append(state)
    return ids, states, repeats


def encode_states(records: Iterable[Mapping], encoder: ConsciousnessVectorEncoder | None = None) -> EncodedStates:
    """Encode the day's landing records (what `frame_records("consciousness", ...)` returns)."""
    ids, states, repeats = unique_states(records)
    vectors = (encoder or ConsciousnessVectorEncoder()).encode_batch(states)
    return EncodedStates(ids=ids, states=states, vectors=vectors, duplicates=repeats)


def vectors_frame(encoded: EncodedStates) -> "pd.DataFrame":
    """One row per state: id, its fields (quantum flattened) and its vector (a float64 array per cell)."""
    import pandas as pd

    states = encoded.states
    columns: dict[str, object] = {"state_id": pd.Series(encoded.ids, dtype="str")}
    for name in LEVEL_COLUMNS:
        columns[name] = pd.Series([getattr(st, name) for st in states], dtype="float64")
    columns["evolution_stage"] = pd.Series([st.evolution_stage for st in states], dtype="str")
    for key, name in zip(QUANTUM_KEYS, QUANTUM_COLUMNS):
        columns[name] = pd.Series([st.quantum_state[key] for st in states], dtype="float64")
    columns["timestamp"] = pd.Series([st.timestamp for st in states], dtype="float64")
    columns["vector"] = pd.Series(list(np.asarray(encoded.vectors, dtype=np.float64)), dtype="object")
    return pd.DataFrame(columns, columns=list(VECTOR_TABLE_COLUMNS))


def frame_encoded(frame: "pd.DataFrame") -> EncodedStates:
    """Inverse of `vectors_frame` (also after a Parquet round trip); checks every id against its fields."""
    missing = [c for c in VECTOR_TABLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"consciousness vectors table lacks columns: {', '.join(missing)}")
    ids = [str(i) for i in frame["state_id"].tolist()]
    states = [_row_state(row) for row in frame[list(VECTOR_TABLE_COLUMNS[1:-1])].itertuples(index=False)]
    for k, (state_id, state) in enumerate(zip(ids, states)):
        if state.state_id != state_id:
            raise ValueError(f"consciousness vectors table row {k} ({state_id}): the id does not match the "
                             "row's fields (the table was changed after it was written)")
    vectors = _vectors(frame["vector"].tolist())
    return EncodedStates(ids=ids, states=states, vectors=vectors)


def _row_state(row: Sequence) -> ConsciousnessState:
    level, resonance, spark, coherence, stage, *quantum, timestamp = row
    return ConsciousnessState(level=level, emotional_resonance=resonance, spark_intensity=spark,
                              memory_coherence=coherence, evolution_stage=stage,
                              quantum_state=dict(zip(QUANTUM_KEYS, quantum)), timestamp=timestamp)


def _vectors(cells: list) -> np.ndarray:
    if not cells:
        return np.zeros((0, DIMENSION), dtype=np.float64)
    rows = [np.asarray(cell, dtype=np.float64) for cell in cells]
    for k, row in enumerate(rows):
        if row.shape != (DIMENSION,):
            raise ValueError(f"consciousness vectors table row {k}: a vector of shape {row.shape}, expected ({DIMENSION},)")
    return np.stack(rows)
