"""A day's HTM continues the day before: first day fresh, a gap refused by name, memories fed in time order."""

import datetime as dt

import numpy as np
import pytest

from mira_assets.domain.htm import HTMState
from mira_assets.domain.htm.days import HTMDayOrderError, feed_order, later_days, state_to_continue
from mira_assets.domain.htm.memory_day import learn_memories, surprise_by_hour_markdown
from mira_assets.domain.htm.step_tables import PublicSteps

from domain.htm.streams import unit_vectors

D = dt.date


def test_the_first_day_ever_starts_fresh_and_later_days_continue_the_day_before():
    assert state_to_continue([], D(2026, 11, 1)) is None
    assert state_to_continue([D(2026, 11, 5)], D(2026, 11, 1)) is None  # only later states: still the first
    assert state_to_continue([D(2026, 11, 1)], D(2026, 11, 2)) == D(2026, 11, 1)
    # A rerun of a day continues the same previous day, whatever is saved after it.
    saved = [D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3)]
    assert state_to_continue(saved, D(2026, 11, 2)) == D(2026, 11, 1)
    assert later_days(saved, D(2026, 11, 2)) == [D(2026, 11, 3)]


def test_a_missing_previous_day_is_refused_naming_the_days_to_backfill_in_order():
    with pytest.raises(HTMDayOrderError) as one:
        state_to_continue([D(2026, 11, 1)], D(2026, 11, 3))
    message = str(one.value)
    assert "2026-11-02, which is missing" in message and "materialize htm_state for 2026-11-02 first" in message
    assert "in order" in message and "asset backfill" in message
    with pytest.raises(HTMDayOrderError, match="for 2026-10-30 to 2026-11-02 first"):
        state_to_continue([D(2026, 10, 29)], D(2026, 11, 3))


def test_a_later_day_cannot_start_fresh_while_an_earlier_day_with_memories_has_no_state():
    """Two days run side by side (a job backfill): the later one must not learn before the first."""
    with pytest.raises(HTMDayOrderError) as refused:
        state_to_continue([], D(2026, 11, 2), input_days=[D(2026, 11, 1), D(2026, 11, 2)])
    assert "2026-11-01 has memories and no state yet" in str(refused.value)
    assert "from 2026-11-01 on, in order" in str(refused.value)
    # the first day with memories starts fresh; days without memories before it do not count
    assert state_to_continue([], D(2026, 11, 1), input_days=[D(2026, 11, 1), D(2026, 11, 2)]) is None
    assert state_to_continue([], D(2026, 11, 3), input_days=[D(2026, 11, 3)]) is None


def test_memories_are_fed_by_timestamp_then_id():
    memories = [{"memory_id": "b", "timestamp": 5.0}, {"memory_id": "c", "timestamp": 1.0},
                {"memory_id": "a", "timestamp": 5.0}]
    assert [m["memory_id"] for m in feed_order(memories)] == ["c", "a", "b"]


def _memories(n: int, private_every: int = 3) -> list[dict]:
    return [{"memory_id": f"m{k:03d}", "timestamp": 1793500000.0 + 600 * (n - k), "content": f"text {k}",
             "is_private": k % private_every == 0} for k in range(n)]


def test_learn_memories_splits_results_into_public_numbers_and_private_patterns():
    memories = _memories(9)
    vectors = {m["memory_id"]: v for m, v in zip(memories, unit_vectors(9, 384, seed=5))}
    by_content = {m["content"]: vectors[m["memory_id"]] for m in memories}
    asked = {}

    def public(ids):
        asked["public"] = ids
        return np.stack([vectors[i] for i in ids])

    def private(contents):
        asked["private"] = contents
        return np.stack([by_content[c] for c in contents])

    day = learn_memories(HTMState.fresh(3), memories, public, private)
    order = [m["memory_id"] for m in feed_order(memories)]
    assert [m["memory_id"] for m in day.memories] == order and day.state.steps == 9
    assert asked["private"] == [f"text {k}" for k in (6, 3, 0)]  # contents, in feed order
    assert day.public.memory_ids == [i for i in order if int(i[1:]) % 3] == asked["public"]
    assert day.public.representations.shape == (6, 32) and day.public.surprise_per_level.shape == (6, 3)
    assert [p["memory_id"] for p in day.private] == ["m006", "m003", "m000"]
    pattern = day.private[0]
    assert [len(c) for c in pattern["active_columns"]] == [102, 26, 6] and len(pattern["abstraction"]) == 32
    assert len(pattern["predicted_columns"]) == 3
    # the public table survives Parquet exactly
    again = PublicSteps.from_arrow(day.public.to_arrow())
    assert again.memory_ids == day.public.memory_ids
    assert np.array_equal(again.representations, day.public.representations)
    assert np.array_equal(again.surprise_per_level, day.public.surprise_per_level)
    assert "| hour (UTC) | memories |" in surprise_by_hour_markdown(day)


def test_a_memory_whose_vector_cannot_be_encoded_is_named_and_nothing_is_learned():
    memories = [dict(m, is_private=False) for m in _memories(4)]
    state = HTMState.fresh(4)
    before = state.to_bytes()

    def public(ids):
        out = unit_vectors(len(ids), 384, seed=6)
        out[ids.index("m002")] = 0.0
        return out

    with pytest.raises(ValueError, match="memory m002: its vector is all zeros"):
        learn_memories(state, memories, public, lambda contents: np.zeros((0, 384)))
    assert state.to_bytes() == before
