"""What HTM stores: htm_patterns records with the seed's factors; private patterns as sealed vault items."""

import numpy as np
import pytest

from mira_assets.domain.htm.patterns import (HTM_DIMENSION, HTM_MODEL, HTM_PATTERN_KIND, htm_pattern_items,
                                             pattern_batch, pattern_metadata)
from mira_assets.domain.htm.step_tables import PublicSteps
from mira_assets.domain.scoring import Memory, MemoryScorer


@pytest.mark.parametrize("surprise", [0.0, 0.25, 0.6, 1.0])
def test_pattern_metadata_follows_the_seed_formulas(surprise):
    meta = pattern_metadata("mem-1", "some content", 1793500000.0, surprise, [surprise, surprise, surprise], 0.42)
    assert meta["memory_id"] == "mem-1" and meta["timestamp"] == 1793500000.0 and meta["likelihood"] == 0.42
    assert meta["surprise_level"] == surprise
    assert [meta["surprise_l1"], meta["surprise_l2"], meta["surprise_l3"]] == [surprise] * 3
    assert meta["significance"] == pytest.approx(min(0.5 + 0.5 * surprise, 1.0))
    assert meta["technical_value"] == 0.8 and meta["confidence"] == pytest.approx(1.0 - surprise)
    # SPEC §1 on those factors, the others at their defaults, source automated (0.8)
    base = (0.30 * meta["significance"] + 0.20 * 0.5 + 0.15 * 0.5 + 0.20 * 0.8 + 0.15 * 0.5)
    assert meta["importance_score"] == pytest.approx(min(1.0, base * (1.0 - surprise) ** 2 * 0.8))
    memory = Memory(memory_id="x", content="", timestamp=0.0, significance=meta["significance"],
                    technical_value=0.8, confidence=meta["confidence"])
    assert meta["importance_score"] == MemoryScorer().calculate_base_importance(memory)


def test_pattern_batch_links_each_record_to_its_public_memory():
    steps = PublicSteps(memory_ids=["a", "b"], timestamps=np.array([1.0, 2.0]), steps=np.array([7, 9]),
                        surprise=np.array([0.5, 0.0]), surprise_per_level=np.array([[1.0, 0.5, 0.0], [0, 0, 0]]),
                        likelihood=np.array([0.5, 0.5]), representations=np.ones((2, 32), np.float32))
    batch, vectors = pattern_batch(steps, {"a": "content a", "b": "content b", "c": "not run"})
    assert batch.ids == ["htm_a", "htm_b"] and batch.documents == ["content a", "content b"]
    assert [m["memory_id"] for m in batch.metadatas] == ["a", "b"] and vectors.shape == (2, HTM_DIMENSION)
    assert batch.metadatas[0]["surprise_l1"] == 1.0 and batch.metadatas[1]["confidence"] == 1.0
    with pytest.raises(KeyError, match="materialize htm_state for the day again"):
        pattern_batch(steps, {"a": "content a"})
    assert HTM_MODEL == "mira-htm/2048-512-128/abstraction-32" and HTM_DIMENSION == 32


def test_private_patterns_become_vault_items_naming_only_their_parent_record_in_clear():
    patterns = [{"memory_id": "secret-topic-id", "timestamp": 5.0, "step": 3, "active_columns": [[1, 2], [3], [4]],
                 "predicted_columns": [[], [], []], "abstraction": [0.5] * 32, "surprise_level": 1.0,
                 "surprise_per_level": [1.0, 1.0, 1.0], "likelihood": 0.5}]
    [item] = htm_pattern_items(patterns, {"secret-topic-id": "private_5000_0123abcd"})
    assert item.kind == HTM_PATTERN_KIND == "htm_pattern" and item.timestamp == 5.0
    assert item.metadata == {"type": "htm_pattern", "parent_memory": "private_5000_0123abcd"}
    assert item.payload["parent_memory"] == "private_5000_0123abcd"
    assert item.payload["active_columns"] == [[1, 2], [3], [4]] and item.payload["memory_id"] == "secret-topic-id"
    for stale in ({}, {"secret-topic-id": "private_5000_0123abcd", "other": "private_6000_0123abcd"}):
        with pytest.raises(ValueError, match="materialize htm_state for the day again") as err:
            htm_pattern_items(patterns, stale)
        assert "secret-topic-id" not in str(err.value)
