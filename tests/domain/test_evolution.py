"""The breakthrough rule (SPEC §5): breakthrough insights go private, ordinary insights become public memories."""

import hashlib
import json

import pytest

from domain.consciousness.helpers import state_record
from mira_assets.domain.collection_records import memory_batch
from mira_assets.domain.evolution import BREAKTHROUGH_KIND, evolution_checkpoints
from mira_assets.domain.consciousness.state import ConsciousnessState
from mira_assets.domain.landing import FRAME_COLUMNS, validate_record

SECRET = "the secret shape of the breakthrough"


def state_id(record):
    return ConsciousnessState.from_record(record).state_id


@pytest.mark.parametrize("spark, private", [(0.9, False), (0.9000001, True), (0.89, False), (1.0, True)])
def test_spark_above_0_9_strictly_makes_a_breakthrough(spark, private):
    routed = evolution_checkpoints([state_record(spark_intensity=spark, insights=["an insight"])])
    assert (len(routed.breakthroughs), len(routed.public_insights)) == ((1, 0) if private else (0, 1))


def test_a_flagged_breakthrough_with_low_spark_goes_private_with_its_numbers():
    record = state_record(spark_intensity=0.2, level=0.95, is_breakthrough=True, insights=[SECRET, "second"])
    routed = evolution_checkpoints([record])
    assert routed.public_insights == [] and len(routed.breakthroughs) == 1
    item = routed.breakthroughs[0]
    assert item.kind == BREAKTHROUGH_KIND and item.timestamp == record["timestamp"]
    assert item.payload == {"state_id": state_id(record), "insights": [SECRET, "second"], "breakthrough": True,
                            "consciousness_level": 0.95, "spark_intensity": 0.2, "timestamp": record["timestamp"]}
    # what the vault keeps in the clear (its index) says what and how high, never what was seen
    assert item.metadata == {"type": BREAKTHROUGH_KIND, "consciousness_level": 0.95, "is_breakthrough": True}
    assert routed.counts() == {"states": 1, "breakthroughs": 1, "private_insights": 2, "public_insights": 0}


def test_a_breakthrough_without_insights_is_still_one_private_record():
    routed = evolution_checkpoints([state_record(spark_intensity=0.95, insights=[])])
    assert len(routed.breakthroughs) == 1 and routed.public_insights == []
    assert routed.breakthroughs[0].payload["insights"] == [] and routed.breakthroughs[0].payload["breakthrough"] is False


def test_an_ordinary_state_without_insights_gives_nothing():
    routed = evolution_checkpoints([state_record(spark_intensity=0.3, insights=[])])
    assert routed.breakthroughs == [] and routed.public_insights == []
    assert routed.counts() == {"states": 1, "breakthroughs": 0, "private_insights": 0, "public_insights": 0}


def test_ordinary_insights_become_landing_shaped_public_memories():
    record = state_record(spark_intensity=0.4, insights=["Patterns repeat at every scale", "Joy is shared"])
    routed = evolution_checkpoints([record])
    sid = state_id(record)
    first = routed.public_insights[0]
    digest = hashlib.sha256("Patterns repeat at every scale".encode("utf-8")).hexdigest()[:12]
    assert first == {"memory_id": f"insight_{sid}_{digest}", "content": "Patterns repeat at every scale",
                     "timestamp": record["timestamp"], "significance": 0.6, "relevance": 0.5, "emotional_impact": 0.5,
                     "technical_value": 0.5, "user_rating": 0.5, "confidence": 1.0,
                     "source": "consciousness_evolution", "access_count": 0, "tags": {}, "spark_intensity": 0.0,
                     "is_private": False}
    # exactly a record the landing reader would produce, so the memory path takes it unchanged
    for memory in routed.public_insights:
        assert list(memory) == list(FRAME_COLUMNS["memories"])
        assert validate_record("memories", memory) == memory
    batch = memory_batch(routed.public_insights)
    assert batch.ids == [m["memory_id"] for m in routed.public_insights]
    assert batch.metadatas[0]["source"] == "consciousness_evolution" and batch.metadatas[0]["significance"] == 0.6


def test_a_repeated_record_is_routed_once_and_ids_are_stable():
    ordinary = state_record(spark_intensity=0.4, insights=["Same thought", "Same thought"])
    breakthrough = state_record(spark_intensity=0.99, insights=[SECRET], timestamp=1793577700.0)
    routed = evolution_checkpoints([ordinary, dict(ordinary), breakthrough, dict(breakthrough)])
    assert len(routed.public_insights) == 1 and len(routed.breakthroughs) == 1
    assert routed.counts()["states"] == 4 and routed.counts()["private_insights"] == 1
    again = evolution_checkpoints([ordinary, breakthrough])
    assert again.public_insights == routed.public_insights
    assert [b.payload for b in again.breakthroughs] == [b.payload for b in routed.breakthroughs]
    # the same insight in another state is another memory (its id names the state)
    other = evolution_checkpoints([state_record(spark_intensity=0.4, level=0.1, insights=["Same thought"])])
    assert other.public_insights[0]["memory_id"] != routed.public_insights[0]["memory_id"]


def test_the_routing_result_never_shows_an_insight():
    routed = evolution_checkpoints([state_record(spark_intensity=0.99, insights=[SECRET]),
                                    state_record(spark_intensity=0.1, insights=["public but not for logs"])])
    assert SECRET not in repr(routed) and "public but not for logs" not in repr(routed)
    assert SECRET not in json.dumps(routed.counts())
    assert SECRET not in json.dumps([b.metadata for b in routed.breakthroughs])
