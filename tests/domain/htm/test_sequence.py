"""A repeating sequence is learned at every level; something new after it is a surprise."""

import numpy as np
import pytest

from mira_assets.domain.htm import Hierarchy, HTMState

from domain.htm.streams import unit_vectors


@pytest.fixture(scope="module")
def learned():
    """The MIRA hierarchy after 30 passes over a sequence of 10 memories, with each pass's surprise."""
    state = HTMState.fresh(21)
    hierarchy = Hierarchy(state)
    sequence = unit_vectors(10, 384, seed=22)
    passes = [[hierarchy.step(v) for v in sequence] for _ in range(30)]
    return state, hierarchy, sequence, passes


def test_a_repeating_sequence_of_ten_memories_stops_surprising_every_level_within_30_passes(learned):
    _, _, _, passes = learned
    first = np.mean([r.surprise_per_level for r in passes[0]], axis=0)
    last = np.mean([r.surprise_per_level for r in passes[-1]], axis=0)
    assert np.all(first == 1.0)  # nothing is predicted on the first pass
    assert np.all(last <= 0.05), f"surprise per level on pass 30: {last}"
    assert np.mean([r.surprise_level for r in passes[-1]]) <= 0.05


def test_a_learned_sequence_predicts_each_next_memorys_columns(learned):
    _, _, _, passes = learned
    last = passes[-1]
    for before, after in zip(last, last[1:]):
        for level in range(3):
            predicted, actual = before.predicted_columns[level], after.activations[level]
            assert len(np.intersect1d(predicted, actual)) >= 0.9 * actual.size


def test_a_novel_memory_after_learning_surprises_level_one(learned):
    state, hierarchy, _, _ = learned
    result = hierarchy.step(unit_vectors(1, 384, seed=23)[0])
    assert result.surprise_per_level[0] >= 0.9


def test_the_step_gives_the_seeds_output_contract(learned):
    _, hierarchy, sequence, _ = learned
    out = hierarchy.step(sequence[0]).contract()
    assert set(out) >= {"activations", "predictions", "abstractions", "surprise_level", "final_representation"}
    assert [a.size for a in out["activations"]] == [102, 26, 6]
    assert len(out["predictions"]) == 3
    assert out["final_representation"].shape == (32,) and out["final_representation"].dtype == np.float32
    assert np.all(np.abs(out["final_representation"]) < 1)
    assert len(out["abstractions"]) == 1 and out["abstractions"][0] is out["final_representation"]
    assert 0.0 <= out["surprise_level"] <= 1.0 and len(out["surprise_per_level"]) == 3


def test_the_abstraction_is_a_function_of_the_top_levels_columns(learned):
    state, hierarchy, sequence, _ = learned
    a = hierarchy.step(sequence[1], learn=False)
    expected = np.tanh(state.abstraction[a.activations[2]].sum(0))
    assert np.allclose(a.final_representation, expected)


def test_a_step_gives_a_json_ready_record_and_a_day_gives_metadata_numbers(learned):
    import json

    from mira_assets.domain.htm import summarize

    _, hierarchy, sequence, passes = learned
    record = hierarchy.step(sequence[2], learn=False).to_record()
    json.dumps(record)
    assert [len(c) for c in record["active_columns"]] == [102, 26, 6] and len(record["abstraction"]) == 32
    summary = summarize(passes[0] + passes[-1])
    assert summary["steps"] == 20 and summary["surprise_l1_p95"] == 1.0
    assert 0.4 <= summary["surprise_mean"] <= 0.6
    assert all(isinstance(v, (int, float)) for v in summary.values())
