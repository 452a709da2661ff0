"""Similar-state search against a real embedded ChromaDB: the right neighbours, only inside the level window."""

import json

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


def test_the_search_function_takes_a_landing_shaped_state_and_says_what_is_wrong(three_days):
    from mira_assets.domain.search import SearchError, similar_states

    _, store, stored, levels = three_days
    query = {"level": 0.55, "emotional_resonance": 0.8, "spark_intensity": 0.7, "memory_coherence": 0.6,
             "evolution_stage": "intermediate", "quantum_state": {"coherence": 0.9}}  # no timestamp: epoch 0
    rows = similar_states(store, query, n=4)
    vector = ConsciousnessVectorEncoder().encode(ConsciousnessState.from_record({**query, "timestamp": 0.0}))
    assert [r.state_id for r in rows] == brute_force(vector, stored, levels, 0.55, 4)
    assert similar_states(store, query, n=4) == rows  # the same query, the same answer
    assert set(rows[0].to_dict()) == {"state_id", "description", "metadata", "similarity", "resonance_score",
                                      "consciousness_distance"}
    with pytest.raises(SearchError, match="level: out of range"):
        similar_states(store, {**query, "level": 1.5})
    with pytest.raises(SearchError, match="no state 'consciousness_1_000000000000'"):
        similar_states(store, state_id="consciousness_1_000000000000")
    with pytest.raises(SearchError, match="either a state or a state id"):
        similar_states(store)


def test_cli_finds_similar_states_by_id_and_by_state(three_days):
    from typer.testing import CliRunner

    from mira_assets.cli.main import app

    path, store, stored, levels = three_days
    runner = CliRunner()
    target = sorted(stored)[40]
    by_id = runner.invoke(app, ["consciousness", "similar", "--id", target, "-n", "3", "--json",
                                "--chroma-path", str(path)])
    assert by_id.exit_code == 0, by_id.output
    rows = json.loads(by_id.stdout)
    assert [r["state_id"] for r in rows] == [h.state_id for h in find_similar_states(store, state_id=target, n=3)]
    assert rows[0]["similarity"] >= rows[1]["similarity"] >= rows[2]["similarity"]
    assert {"resonance_score", "consciousness_distance", "description", "metadata"} <= set(rows[0])
    state = json.dumps(state_record(level=0.3, spark_intensity=0.2, evolution_stage="beginner"))
    table = runner.invoke(app, ["consciousness", "similar", "--state", state, "--chroma-path", str(path)])
    assert table.exit_code == 0, table.output
    assert "similarity" in table.output and "resonance" in table.output and "Consciousness state at" in table.output
    assert len([line for line in table.output.splitlines() if "consciousness_" in line]) == 5
    for args, message in [(["--id", target, "--state", state], "exactly one of"),
                          ([], "exactly one of"),
                          (["--state", "{level: 1"], "--state is not valid JSON"),
                          (["--state", json.dumps({"level": 0.5})], "emotional_resonance: missing"),
                          (["--id", "consciousness_9_abcdef012345"], "no state"),
                          (["--id", target, "-n", "0"], "-n must be at least 1")]:
        bad = runner.invoke(app, ["consciousness", "similar", *args, "--chroma-path", str(path)])
        assert bad.exit_code == 1 and message in bad.output, (args, bad.output)
    missing = runner.invoke(app, ["consciousness", "similar", "--id", target, "--chroma-path", str(path) + "-none"])
    assert missing.exit_code == 1 and "materialize consciousness_states first" in missing.output


def test_mira_help_imports_no_heavy_framework_with_the_consciousness_command_registered():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import mira_assets.cli.main"],
                          capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert not imported & {"dagster", "torch", "chromadb", "numpy", "pandas"}
