"""Numenta's anomaly likelihood: quiet on a learned sequence, high soon after the stream changes."""

import numpy as np

from mira_assets.domain.htm import Hierarchy, HTMState
from mira_assets.domain.htm.likelihood import AnomalyLikelihood

from domain.htm.streams import unit_vectors


def test_the_likelihood_is_neutral_until_there_is_history_to_judge_by():
    lk = AnomalyLikelihood.fresh(learning_period=20, estimation_samples=10, window=100, averaging=5)
    assert [lk.update(0.0) for _ in range(29)] == [0.5] * 29  # 20 to learn from, then 9 < 10 samples
    assert lk.update(1.0) > 0.5


def test_a_burst_of_surprise_in_a_usually_predictable_stream_is_likely_anomalous():
    lk = AnomalyLikelihood.fresh(learning_period=20, estimation_samples=10, window=500, averaging=5)
    rng = np.random.default_rng(0)
    calm = [lk.update(float(s)) for s in rng.uniform(0.0, 0.2, 300)]
    burst = [lk.update(1.0) for _ in range(5)]
    assert max(calm[-100:]) < 0.99
    assert burst[-1] > 0.999


def test_low_on_a_learned_sequence_and_high_after_a_change(small_config):
    state = HTMState.fresh(70, small_config)
    hierarchy = Hierarchy(state)
    sequence = unit_vectors(10, 64, seed=71)
    learned = [hierarchy.step(v) for _ in range(40) for v in sequence]
    assert all(r.surprise_level == 0.0 for r in learned[-10:])
    assert max(r.likelihood for r in learned[-50:]) < 0.5
    changed = [hierarchy.step(v) for v in unit_vectors(8, 64, seed=72)]
    assert changed[-1].likelihood > 0.95
    assert all(0.0 <= r.likelihood <= 1.0 for r in learned + changed)


def test_the_likelihood_window_is_part_of_the_saved_state(small_config):
    state = HTMState.fresh(73, small_config)
    hierarchy = Hierarchy(state)
    for v in unit_vectors(90, 64, seed=74):
        hierarchy.step(v)
    copy = HTMState.from_bytes(state.to_bytes())
    nxt = unit_vectors(1, 64, seed=75)[0]
    assert Hierarchy(copy).step(nxt).likelihood == hierarchy.step(nxt).likelihood


def test_the_running_window_statistics_equal_a_direct_computation():
    """Ahmad et al.: L = 1 - Q((short mean - mu) / sigma) over the scores after the learning period."""
    import math

    lk = AnomalyLikelihood.fresh(learning_period=7, estimation_samples=5, window=40, averaging=4)
    scores = np.round(np.random.default_rng(3).uniform(0, 1, 200), 6)
    for i, s in enumerate(scores):
        got = lk.update(float(s))
        history = scores[max(7, i + 1 - 40):i + 1]
        if len(history) < 5:
            assert got == 0.5
            continue
        sigma = max(history.std(), 0.02)
        z = (scores[max(0, i + 1 - 4):i + 1].mean() - history.mean()) / sigma
        assert math.isclose(got, 1 - 0.5 * math.erfc(z / math.sqrt(2)), abs_tol=1e-9)
