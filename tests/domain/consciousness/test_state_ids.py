"""A consciousness state's canonical JSON and id: the same state gets the same id everywhere, another state another."""

import json

import pytest

from domain.consciousness.helpers import random_records, state_record
from mira_assets.domain.consciousness.state import ConsciousnessState, parse_state
from mira_assets.domain.landing import RecordError


def reference_json(record: dict) -> str:
    """SPEC §2 word for word: quantum defaults, other keys dropped, floats, json.dumps(sort_keys, separators)."""
    given = record.get("quantum_state") or {}
    quantum = {key: float(given[key]) if given.get(key) is not None else default
               for key, default in (("phase", 0.0), ("coherence", 0.5), ("entanglement", 0.3), ("superposition", 0.2))}
    doc = {"level": float(record["level"]), "emotional_resonance": float(record["emotional_resonance"]),
           "spark_intensity": float(record["spark_intensity"]), "memory_coherence": float(record["memory_coherence"]),
           "evolution_stage": record["evolution_stage"], "quantum_state": quantum,
           "timestamp": float(record["timestamp"])}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("record", [
    state_record(),
    state_record(quantum_state={}),
    state_record(quantum_state={"coherence": 1, "color": "blue"}),
    state_record(level=1, emotional_resonance=0, spark_intensity=1, memory_coherence=0, timestamp=1793577600),
    state_record(evolution_stage='çosmic "ünbound"\tstage\u2028'),
    state_record(timestamp=-12.5, quantum_state={"phase": -0.0}),
    *random_records(40, seed=3),
], ids=lambda r: r["evolution_stage"][:12])
def test_canonical_json_is_specs_json_dumps(record):
    state = ConsciousnessState.from_record(record)
    assert state.canonical_json() == reference_json(record)
    json.loads(state.canonical_json())  # and it is JSON


def test_integer_fields_give_the_same_state_as_floats():
    ints = ConsciousnessState.from_record(state_record(level=1, spark_intensity=0, timestamp=1793577600,
                                                       quantum_state={"coherence": 1}))
    floats = ConsciousnessState.from_record(state_record(level=1.0, spark_intensity=0.0, timestamp=1793577600.0,
                                                         quantum_state={"coherence": 1.0}))
    assert '"level":1.0' in ints.canonical_json()
    assert ints.canonical_json() == floats.canonical_json() and ints.state_id == floats.state_id


def test_state_id_is_time_in_ms_and_a_hash_of_the_canonical_json():
    import hashlib

    record = state_record(timestamp=1793577600.2506)
    state = ConsciousnessState.from_record(record)
    digest = hashlib.sha256(reference_json(record).encode("utf-8")).hexdigest()
    assert state.state_id == f"consciousness_{round(1793577600.2506 * 1000)}_{digest[:12]}"
    assert state.noise_seed == int(digest[:16], 16)


def test_states_at_the_same_moment_get_different_ids_and_a_rerun_the_same_ones():
    same_time = [state_record(level=0.5), state_record(level=0.51), state_record(evolution_stage="beginner"),
                 state_record(quantum_state={"phase": 1.57, "coherence": 0.8, "entanglement": 0.6,
                                             "superposition": 0.41})]
    ids = [ConsciousnessState.from_record(r).state_id for r in same_time]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("consciousness_1793577600250_") for i in ids)
    assert [ConsciousnessState.from_record(dict(r)).state_id for r in same_time] == ids
    # insights and the breakthrough flag are not part of the state
    assert ConsciousnessState.from_record(state_record(level=0.5, insights=["x"], is_breakthrough=True)).state_id == ids[0]


def test_a_state_is_a_value():
    state = ConsciousnessState.from_record(state_record(quantum_state={"phase": 2}))
    assert state.quantum_state == {"phase": 2.0, "coherence": 0.5, "entanglement": 0.3, "superposition": 0.2}
    assert state == ConsciousnessState.from_record(state_record(quantum_state={"phase": 2.0, "other": 1}))
    with pytest.raises(AttributeError):
        state.level = 0.1


def test_parse_state_judges_user_input_like_landing_and_names_the_field():
    assert parse_state({**state_record(), "timestamp": "2026-11-02T00:00:00Z"}).timestamp == 1793577600.0
    with pytest.raises(RecordError, match="level: out of range"):
        parse_state(state_record(level=1.5))
    with pytest.raises(RecordError, match="timestamp: missing"):
        parse_state({k: v for k, v in state_record().items() if k != "timestamp"})
    # a query may leave the time out: it only seeds the noise
    query = {k: v for k, v in state_record().items() if k != "timestamp"}
    assert parse_state(query, default_timestamp=0.0).timestamp == 0.0


def test_a_non_finite_number_has_no_canonical_json():
    for record in (state_record(level=float("nan")), state_record(timestamp=float("inf")),
                   state_record(quantum_state={"phase": float("-inf")})):
        with pytest.raises(ValueError, match="not a finite number"):
            ConsciousnessState.from_record(record).canonical_json()
    # huge but finite numbers are numbers (their sum overflowing is not a reason to refuse them)
    huge = state_record(timestamp=1.7e308, quantum_state={"phase": 1.7e308})
    assert ConsciousnessState.from_record(huge).canonical_json() == reference_json(huge)
