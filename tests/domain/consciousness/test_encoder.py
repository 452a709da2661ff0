"""The 1536-d encoder: the seed's vectors (its loops, with SPEC §2's pins) to 1e-12, the same bits everywhere."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from domain.consciousness.helpers import STAGES, random_records, state_record
from domain.consciousness.seed_loop_encoder import SeedLoopEncoder
from mira_assets.domain.consciousness.encoder import DIMENSION, ConsciousnessVectorEncoder
from mira_assets.domain.consciousness.noise import StateNoise, seed_sequence_words
from mira_assets.domain.consciousness.state import ConsciousnessState

REPO = Path(__file__).resolve().parents[2]

CASES = {
    **{stage: state_record(evolution_stage=stage) for stage in STAGES},
    "unknown stage": state_record(evolution_stage="stargazer"),
    "no quantum state": state_record(quantum_state={}),
    "partial quantum state": state_record(quantum_state={"coherence": 0.9, "mood": 3}),
    "integer inputs": state_record(level=1, emotional_resonance=0, spark_intensity=1, memory_coherence=0,
                                   quantum_state={"phase": 3, "coherence": 0, "entanglement": 1, "superposition": 0},
                                   timestamp=1793577600),
    "zero noise": state_record(quantum_state={"phase": 0.5, "coherence": 1.0}),
    "all zero": state_record(level=0.0, emotional_resonance=0.0, spark_intensity=0.0, memory_coherence=0.0,
                             evolution_stage="beginner"),
}


@pytest.fixture(scope="module")
def encoder():
    return ConsciousnessVectorEncoder()


def states(records):
    return [ConsciousnessState.from_record(r) for r in records]


@pytest.mark.parametrize("name", list(CASES))
def test_vector_equals_the_seeds_loops(encoder, name):
    record = CASES[name]
    vector = encoder.encode(ConsciousnessState.from_record(record))
    expected = SeedLoopEncoder().encode(record)
    assert vector.shape == (DIMENSION,) and vector.dtype == np.float64
    assert np.abs(vector - expected).max() <= 1e-12
    assert abs(np.linalg.norm(vector) - 1.0) <= 1e-12


def test_a_mixed_batch_equals_the_seeds_loops_row_by_row(encoder):
    records = random_records(100, seed=11)
    vectors = encoder.encode_batch(states(records))
    expected = np.stack([SeedLoopEncoder().encode(r) for r in records])
    assert np.abs(vectors - expected).max() <= 1e-12


def test_coherence_one_means_no_noise_and_less_coherence_some(encoder):
    calm = [state_record(quantum_state={"coherence": 1.0}, timestamp=t) for t in (1.0, 2.0)]
    a, b = encoder.encode_batch(states(calm))
    assert np.array_equal(a, b)  # only the noise depends on the time
    noisy = [state_record(quantum_state={"coherence": 0.2}, timestamp=t) for t in (1.0, 2.0)]
    c, d = encoder.encode_batch(states(noisy))
    assert not np.array_equal(c, d) and float(c @ d) > 0.99


def test_a_state_gets_the_same_bits_alone_in_a_batch_in_any_order_and_on_threads(encoder):
    batch = states(random_records(150, seed=5))
    together = encoder.encode_batch(batch, workers=1)
    alone = np.stack([encoder.encode(s) for s in batch[:40]])
    reversed_batch = encoder.encode_batch(batch[::-1], workers=1)[::-1]
    threaded = encoder.encode_batch(batch, workers=2)
    assert np.array_equal(alone, together[:40])
    assert np.array_equal(reversed_batch, together)
    assert np.array_equal(threaded, together)
    assert np.array_equal(ConsciousnessVectorEncoder().encode_batch(batch), together)


def _digest_in_subprocess(env_extra: dict) -> str:
    script = (
        "import hashlib, json, sys\n"
        "from domain.consciousness.helpers import random_records\n"
        "from mira_assets.domain.consciousness.encoder import ConsciousnessVectorEncoder\n"
        "from mira_assets.domain.consciousness.state import ConsciousnessState\n"
        "v = ConsciousnessVectorEncoder().encode_batch([ConsciousnessState.from_record(r) "
        "for r in random_records(80, seed=9)])\n"
        "print(hashlib.sha256(v.tobytes()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'tests'}", **env_extra}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]


def test_the_same_states_give_the_same_bits_in_other_processes(encoder):
    here = hashlib.sha256(encoder.encode_batch(states(random_records(80, seed=9))).tobytes()).hexdigest()
    assert _digest_in_subprocess({"PYTHONHASHSEED": "1", "OPENBLAS_NUM_THREADS": "1"}) == here
    assert _digest_in_subprocess({"PYTHONHASHSEED": "2", "OPENBLAS_NUM_THREADS": "2"}) == here


def test_noise_is_numpys_default_rng_seed_by_seed():
    rng = np.random.default_rng(42)
    seeds = [0, 1, 2**32 - 1, 2**32, 2**63, 2**64 - 1] + [int(s) for s in rng.integers(0, 2**64, 500, dtype=np.uint64)]
    expected = np.stack([np.random.default_rng(s).standard_normal(1236) for s in seeds])
    assert np.array_equal(seed_sequence_words(seeds),
                          np.stack([np.random.SeedSequence(s).generate_state(4, np.uint64) for s in seeds]))
    noise = StateNoise()
    assert noise.fast
    got = np.empty_like(expected)
    noise.fill(seeds, got)
    assert np.array_equal(got, expected)
    # the fallback (if numpy ever disagreed) is default_rng itself; rows not drawn are zero
    noise.fast = False
    draw = [k % 3 != 0 for k in range(len(seeds))]
    noise.fill(seeds, got, draw=draw)
    assert np.array_equal(got[draw], expected[draw]) and not got[~np.array(draw)].any()
    # and the pinned expression is what the draws scale to
    assert np.array_equal(0.01 * (1 - 0.3) * expected[7],
                          np.random.default_rng(seeds[7]).normal(0.0, 0.01 * (1 - 0.3), 1236))


def test_a_field_out_of_range_is_refused_naming_the_state_and_field(encoder):
    good = states(random_records(40, seed=1))
    bad = ConsciousnessState.from_record(state_record(spark_intensity=1.5))
    with pytest.raises(ValueError, match=r"consciousness state #37 \(consciousness_\d+_[0-9a-f]{12}\): "
                                         r"spark_intensity: out of range"):
        encoder.encode_batch(good[:37] + [bad] + good[37:])
    nan_phase = ConsciousnessState.from_record(state_record(quantum_state={"phase": float("nan")}))
    with pytest.raises(ValueError, match=r"#0 \(without id\): quantum_state.phase: not a finite number"):
        encoder.encode(nan_phase)


def test_the_sacred_constants_are_the_seeds_to_the_last_digit():
    from mira_assets.domain.consciousness import encoder as module

    assert (module.PHI, module.PI, module.E, module.SQRT2, module.SQRT5) == \
        (1.618033988749895, 3.141592653589793, 2.718281828459045, 1.4142135623730951, 2.23606797749979)


def test_an_empty_batch_is_an_empty_matrix(encoder):
    assert encoder.encode_batch([]).shape == (0, DIMENSION)
