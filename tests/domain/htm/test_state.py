"""The HTM state is carried as safetensors bytes: exact round trips, the same bytes in any process."""

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from mira_assets.domain.htm import HTMDeviceError, HTMState, HTMStateError, run_day
from mira_assets.domain.htm.connected_index import ConnectedIndex

from domain.htm.streams import unit_vectors


def _sha(state: HTMState) -> str:
    return hashlib.sha256(state.to_bytes()).hexdigest()


def test_a_saved_state_loads_and_saves_to_the_same_bytes():
    state, _ = run_day(HTMState.fresh(31), unit_vectors(40, 384, seed=32))
    data = state.to_bytes()
    again = HTMState.from_bytes(data)
    assert again.to_bytes() == data
    assert again.steps == 40 and again.seed == 31


def test_a_loaded_state_continues_exactly_as_the_original_would(small_config):
    vectors = unit_vectors(120, 64, seed=33)
    straight, _ = run_day(HTMState.fresh(34, small_config), vectors)
    half, _ = run_day(HTMState.fresh(34, small_config), vectors[:60])
    resumed, results = run_day(HTMState.from_bytes(half.to_bytes()), vectors[60:])
    assert resumed.to_bytes() == straight.to_bytes()
    assert results[0].step == 60


def test_run_day_leaves_the_callers_state_untouched_and_names_a_bad_vector(small_config):
    state = HTMState.fresh(35, small_config)
    before = state.to_bytes()
    vectors = unit_vectors(5, 64, seed=36)
    vectors[3] = np.nan
    with pytest.raises(ValueError, match="vector 3: .*NaN"):
        run_day(state, vectors)
    assert state.to_bytes() == before
    new, results = run_day(state, vectors[:3])
    assert state.to_bytes() == before and new.steps == 3 and len(results) == 3


_CHILD = textwrap.dedent("""
    import hashlib, sys
    import numpy as np
    from mira_assets.domain.htm import HTMState, run_day
    x = np.random.default_rng(41).standard_normal((150, 384))
    seq = np.tile(x[:10], (5, 1))
    state, results = run_day(HTMState.fresh(40), np.concatenate([seq, x[10:]]))
    print(hashlib.sha256(state.to_bytes()).hexdigest(), results[-1].surprise_level)
""")


def test_two_processes_with_different_hash_seeds_compute_bit_identical_states():
    outputs = []
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2024")]
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        outputs.append(out)
    assert outputs[0] == outputs[1] and len(outputs[0].split()[0]) == 64


def test_the_torch_code_for_accelerators_computes_the_same_state_as_the_cpu_code(small_config):
    """The torch backend (used on cuda) runs here on the CPU; states must match bit for bit."""
    vectors = np.concatenate([np.tile(unit_vectors(8, 64, seed=50), (12, 1)), unit_vectors(60, 64, seed=51)])
    cpu, cpu_results = run_day(HTMState.fresh(52, small_config), vectors)
    torch_state, torch_results = run_day(HTMState.fresh(52, small_config, backend="torch"), vectors)
    assert torch_state.backend == "torch" and cpu.backend == "numpy"
    assert _sha(torch_state) == _sha(cpu)
    assert [r.surprise_per_level for r in torch_results] == [r.surprise_per_level for r in cpu_results]
    assert min(r.surprise_level for r in cpu_results) < 0.5  # the run did learn something


def test_segment_storage_grows_by_doubling_and_keeps_the_state_exact(small_config):
    state, _ = run_day(HTMState.fresh(53, small_config), unit_vectors(300, 64, seed=54))
    caps = [level.tm.capacity for level in state.levels]
    assert caps[0] > small_config.tm_initial_segments_per_column
    assert all(c & (c - 1) == 0 for c in caps)  # powers of two: doubled, not grown per step
    assert HTMState.from_bytes(state.to_bytes()).to_bytes() == state.to_bytes()


def test_the_connected_synapse_index_matches_one_rebuilt_from_scratch(small_config):
    state, _ = run_day(HTMState.fresh(55, small_config),
                       np.concatenate([np.tile(unit_vectors(6, 64, seed=56), (20, 1)), unit_vectors(100, 64, 57)]))
    for level in state.levels:
        syn = level.tm.syn
        fresh = ConnectedIndex(syn.pre, syn.perm, syn.connected, syn.cpc, syn.pre.shape[0], syn.sentinel)

        def entries(index):
            live = index.bucket >= 0
            return sorted(zip(index.bucket[live].tolist(), index.bucket_cell[live].tolist()))

        assert entries(syn.index) == entries(fresh) and len(entries(fresh)) > 0
        live = syn.index.bucket >= 0
        assert np.array_equal(syn.index.pos[syn.index.bucket[live]], np.nonzero(live)[1])


def test_statistics_count_segments_and_synapses_per_level(small_config):
    state, _ = run_day(HTMState.fresh(58, small_config), unit_vectors(50, 64, seed=59))
    stats = state.statistics()
    assert [s["level"] for s in stats] == [1, 2, 3]
    for s, level in zip(stats, state.levels):
        assert s["segments"] == int((level.tm.seg_cell >= 0).sum()) > 0
        assert s["synapses"] >= s["segments"] and s["connected_synapses"] <= s["synapses"]
    json.dumps(stats)  # plain ints: ready for metadata


@pytest.mark.parametrize("data, reason", [
    (b"", "too short"),
    (b"\x10\x00\x00\x00\x00\x00\x00\x00{}", "truncated"),
    (b"\x02\x00\x00\x00\x00\x00\x00\x00{}", "not an HTM state"),
])
def test_bytes_that_are_not_a_state_are_refused(data, reason):
    with pytest.raises(HTMStateError, match=reason):
        HTMState.from_bytes(data)


def test_a_state_of_another_format_version_is_refused(small_config):
    data = HTMState.fresh(60, small_config).to_bytes()
    length = int.from_bytes(data[:8], "little")
    header = data[8:8 + length].replace(b'\\"version\\":1', b'\\"version\\":9')
    assert len(header) == length
    with pytest.raises(HTMStateError, match="version 9 is not supported"):
        HTMState.from_bytes(data[:8] + header + data[8 + length:])


def test_cuda_asked_for_on_a_machine_without_it_is_a_clear_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(HTMDeviceError, match="no CUDA device"):
        HTMState.fresh(1, device="cuda")
