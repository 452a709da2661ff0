"""Similar-state search against a real embedded ChromaDB: the right neighbours, only inside the level window."""

import numpy as np
import pytest

from domain.consciousness.helpers import random_records, state_record
from mira_assets.domain.consciousness.encoder import ConsciousnessVectorEncoder
from mira_assets.domain.consciousness.metrics import consciousness_distance, resonance_score
from mira_assets.domain.consciousness.records import (
    STATES_COLLECTION, STATES_DESCRIPTION, STATES_DIMENSION, STATES_MODEL, encoded_batch)
from mira_assets.domain.consciousness.similar import SimilarStateError, find_similar_states
from mira_assets.domain.consciousness.state import ConsciousnessState
from mira_assets.domain.consciousness.vectors_table import encode_states
from resources.chroma import ChromaStore

DAYS = ("2026-11-01", "2026-11-02", "2026-11-03")


def store_days(store: ChromaStore, days: dict[str, list[dict]]) -> dict[str, np.ndarray]:
    """Write each day as the consciousness_states asset will; returns id -> vector as stored (float32)."""
    stored = {}
    for day, records in days.items():
        encoded = encode_states(records)
        batch, vectors = encoded_batch(encoded)
        store.replace_partition(STATES_COLLECTION, day, batch.ids, vectors, batch.documents, batch.metadatas,
                                model=STATES_MODEL, dimension=STATES_DIMENSION, description=STATES_DESCRIPTION)
        stored.update(zip(batch.ids, vectors.astype(np.float32)))
    return stored


@pytest.fixture(scope="module")
def three_days(tmp_path_factory):
    path = tmp_path_factory.mktemp("similar") / "chroma"
    records = random_records(240, seed=21)
    days = {day: records[k * 80:(k + 1) * 80] for k, day in enumerate(DAYS)}
    store = ChromaStore(path=path)
    stored = store_days(store, days)
    levels = {ConsciousnessState.from_record(r).state_id: r["level"] for r in records}
    return path, store, stored, levels


def brute_force(query: np.ndarray, stored: dict, levels: dict, level: float, n: int, exclude=None) -> list[str]:
    low, high = max(0.0, level - 0.2), min(1.0, level + 0.2)
    ids = [i for i in stored if low <= levels[i] <= high and i != exclude]
    sims = [float(np.asarray(stored[i], np.float64) @ query) / np.linalg.norm(stored[i]) for i in ids]
    return [ids[k] for k in np.argsort(sims)[::-1][:n]]


def test_a_state_finds_its_nearest_stored_states_inside_its_level_window(three_days):
    _, store, stored, levels = three_days
    query_record = state_record(level=0.55, spark_intensity=0.7, evolution_stage="intermediate")
    query = ConsciousnessState.from_record(query_record)
    hits = find_similar_states(store, query, n=5)
    vector = ConsciousnessVectorEncoder().encode(query)
    assert [h.state_id for h in hits] == brute_force(vector, stored, levels, 0.55, 5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert all(0.35 <= h.metadata["consciousness_level"] <= 0.75 for h in hits)
    sims = [h.similarity for h in hits]
    assert sims == sorted(sims, reverse=True)
    for h in hits:  # the SPEC §2 metrics against the stored vector (Chroma keeps float32, re-normalised)
        stored_vector = stored[h.state_id].astype(np.float64)
        assert h.resonance_score == pytest.approx(resonance_score(vector, stored_vector), abs=1e-6)
        assert h.consciousness_distance == pytest.approx(consciousness_distance(vector, stored_vector), abs=1e-6)
        assert h.description.startswith("Consciousness state at ") and h.metadata["partition"] in DAYS
    assert set(hits[0].to_dict()) == {"state_id", "description", "metadata", "similarity", "resonance_score",
                                      "consciousness_distance"}


def test_a_stored_state_is_searched_by_id_and_is_not_its_own_neighbour(three_days):
    _, store, stored, levels = three_days
    target = sorted(stored)[17]
    hits = find_similar_states(store, state_id=target, n=4)
    query = stored[target].astype(np.float64)
    assert target not in [h.state_id for h in hits]
    assert [h.state_id for h in hits] == brute_force(query, stored, levels, levels[target], 4, exclude=target)


def test_the_same_state_is_found_first_with_similarity_one(three_days):
    path, store, stored, levels = three_days
    record = random_records(240, seed=21)[100]
    hits = find_similar_states(store, ConsciousnessState.from_record(record), n=3)
    assert hits[0].state_id == ConsciousnessState.from_record(record).state_id
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-6) and hits[0].consciousness_distance < 1e-6


def test_the_closest_vector_outside_the_window_is_never_returned(tmp_path):
    store = ChromaStore(path=tmp_path / "chroma")
    twin_low = state_record(level=0.05, spark_intensity=0.8, timestamp=1.0)
    twin_high = state_record(level=0.30, spark_intensity=0.8, timestamp=2.0)  # same but for level: outside ±0.2
    far = state_record(level=0.2, spark_intensity=0.0, emotional_resonance=0.0, evolution_stage="beginner",
                       quantum_state={"phase": 3.0}, timestamp=3.0)
    store_days(store, {DAYS[0]: [twin_high, far]})
    hits = find_similar_states(store, ConsciousnessState.from_record(twin_low), n=5)
    assert [h.state_id for h in hits] == [ConsciousnessState.from_record(far).state_id]
    # the window is clipped to [0, 1]: a level-1.0 query reaches down to 0.8 only
    assert find_similar_states(store, ConsciousnessState.from_record(state_record(level=1.0)), n=5) == []


def test_a_plain_chromadb_client_reads_the_collection(three_days, plain_dump):
    path, _, stored, _ = three_days
    dump = plain_dump(path, STATES_COLLECTION)
    assert dump["count"] == 240 and dump["dims"] == [1536]
    assert dump["configuration"]["hnsw"]["space"] == "cosine"
    assert dump["metadata"]["embedding_model"] == STATES_MODEL and dump["metadata"]["vector_dimensions"] == 1536
    assert dump["metadata"]["description"] == STATES_DESCRIPTION
    assert set(dump["ids"]) == set(stored)
    assert {tuple(sorted(m)) for m in dump["metadatas"]} == {tuple(sorted(
        ["consciousness_level", "emotional_resonance", "spark_intensity", "memory_coherence", "evolution_stage",
         "quantum_coherence", "quantum_phase", "timestamp", "partition"]))}


def test_a_store_over_the_callers_own_client_searches_the_same(three_days):
    _, store, stored, _ = three_days
    theirs = ChromaStore(client=store.client)  # e.g. an HttpClient the caller already holds
    target = sorted(stored)[3]
    assert [h.state_id for h in find_similar_states(theirs, state_id=target, n=3)] == \
        [h.state_id for h in find_similar_states(store, state_id=target, n=3)]


def test_questions_that_cannot_be_answered_say_why(tmp_path, three_days):
    _, store, _, _ = three_days
    state = ConsciousnessState.from_record(state_record())
    with pytest.raises(SimilarStateError, match="does not exist"):
        find_similar_states(ChromaStore(path=tmp_path / "empty"), state)
    with pytest.raises(SimilarStateError, match="no state 'consciousness_1_000000000000'"):
        find_similar_states(store, state_id="consciousness_1_000000000000")
    with pytest.raises(SimilarStateError, match="either a state or a state id"):
        find_similar_states(store)
    with pytest.raises(SimilarStateError, match="at least 1"):
        find_similar_states(store, state, n=0)
    assert not (tmp_path / "empty").exists()  # looking never creates a database
