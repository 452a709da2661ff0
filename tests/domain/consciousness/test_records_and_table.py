"""The day's vectors table and the `consciousness_states` records: the seed's shape, no insights, checked on read."""

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from domain.consciousness.helpers import random_records, state_record
from mira_assets.domain.consciousness.records import STATE_METADATA_KEYS, encoded_batch, state_document
from mira_assets.domain.consciousness.state import ConsciousnessState
from mira_assets.domain.consciousness.vectors_table import (
    VECTOR_TABLE_COLUMNS, encode_states, frame_encoded, vectors_frame)

SECRET = "insight that must stay private"


def parquet_round_trip(frame):
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return pq.read_table(io.BytesIO(buffer.getvalue())).to_pandas()


def test_the_table_holds_ids_fields_and_vectors_and_survives_parquet():
    records = random_records(30, seed=2)
    records[3] = {**records[3], "insights": [SECRET], "is_breakthrough": True}
    encoded = encode_states(records)
    frame = vectors_frame(encoded)
    assert tuple(frame.columns) == VECTOR_TABLE_COLUMNS and len(frame) == 30
    assert "insights" not in frame.columns and "is_breakthrough" not in frame.columns
    data = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), data)
    assert SECRET.encode() not in data.getvalue()
    back = frame_encoded(parquet_round_trip(frame))
    assert back.ids == encoded.ids and back.states == encoded.states
    assert np.array_equal(back.vectors, encoded.vectors)  # float64 kept exactly


def test_a_changed_row_is_caught_when_the_table_is_read():
    frame = parquet_round_trip(vectors_frame(encode_states(random_records(5, seed=4))))
    frame.loc[2, "level"] = 0.123
    with pytest.raises(ValueError, match=r"row 2 \(consciousness_\d+_[0-9a-f]{12}\): the id does not match"):
        frame_encoded(frame)


def test_a_repeated_state_is_one_row_and_counted():
    record = state_record()
    encoded = encode_states([record, dict(record, insights=["other"]), state_record(level=0.1)])
    assert len(encoded) == 2 and encoded.duplicates == 1
    numbers = encoded.day_numbers()
    assert numbers == {"states": 2, "duplicate_states": 1, "mean_consciousness_level": pytest.approx(0.4),
                       "max_spark_intensity": 0.5}


def test_an_empty_day_is_an_empty_table():
    encoded = encode_states([])
    assert encoded.vectors.shape == (0, 1536)
    back = frame_encoded(parquet_round_trip(vectors_frame(encoded)))
    assert back.ids == [] and back.vectors.shape == (0, 1536)
    assert encoded.day_numbers()["states"] == 0


def test_chroma_records_are_the_seeds_document_and_metadata():
    record = state_record(evolution_stage="transcendent", spark_intensity=0.456, insights=[SECRET],
                          quantum_state={"phase": 0.3})
    encoded = encode_states([record])
    batch, vectors = encoded_batch(encoded)
    state = ConsciousnessState.from_record(record)
    assert batch.ids == [state.state_id]
    assert batch.documents == ["Consciousness state at transcendent level with 0.46 spark intensity"]
    assert state_document(state) == batch.documents[0]
    assert tuple(batch.metadatas[0]) == STATE_METADATA_KEYS
    assert batch.metadatas[0] == {"consciousness_level": 0.7, "emotional_resonance": 0.8, "spark_intensity": 0.456,
                                  "memory_coherence": 0.6, "evolution_stage": "transcendent",
                                  "quantum_coherence": 0.5, "quantum_phase": 0.3, "timestamp": record["timestamp"]}
    assert SECRET not in repr(batch)
    assert vectors.shape == (1, 1536)
    assert batch.extra == {"level": [0.7], "spark": [0.456]}
