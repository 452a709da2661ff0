"""The breakthrough rule (SPEC §5): breakthrough insights go private, ordinary insights become public memories."""

import hashlib
import json

import pytest

from domain.consciousness.helpers import state_record
from mira_assets.domain.collection_records import memory_batch, stored_memory_records
from mira_assets.domain.evolution import BREAKTHROUGH_KIND, checkpoints_frame, evolution_checkpoints, frame_checkpoints
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


def test_a_breakthrough_record_never_shows_its_insights_in_a_repr():
    item = evolution_checkpoints([state_record(spark_intensity=0.99, insights=[SECRET])]).breakthroughs[0]
    assert SECRET not in repr(item) and SECRET not in str(item) and SECRET not in repr([item])
    assert "breakthrough_insight" in repr(item)  # what and when stay visible


def test_the_routing_survives_its_sealed_table_round_trip(tmp_path):
    import pyarrow.parquet as pq

    from resources.parquet import parquet_bytes

    records = [state_record(spark_intensity=0.99, insights=[SECRET, "ünïcode ✨"], is_breakthrough=True),
               state_record(spark_intensity=0.95, insights=[], timestamp=1793577601.5),
               state_record(spark_intensity=0.9, insights=["edge insight"], timestamp=1793577602.0),
               state_record(spark_intensity=0.1, insights=[], timestamp=1793577603.0)]
    routed = evolution_checkpoints(records)
    path = tmp_path / "checkpoints.parquet"
    path.write_bytes(parquet_bytes(checkpoints_frame(routed)))
    back = frame_checkpoints(pq.read_table(path).to_pandas())
    assert [(b.kind, b.timestamp, b.payload, b.metadata) for b in back.breakthroughs] == \
        [(b.kind, b.timestamp, b.payload, b.metadata) for b in routed.breakthroughs]
    assert back.public_insights == routed.public_insights
    assert back.private_insights == 2 and back.states == 3  # the three states that gave a row
    empty = frame_checkpoints(pq.read_table(_write(tmp_path, checkpoints_frame(evolution_checkpoints([])))).to_pandas())
    assert (empty.breakthroughs, empty.public_insights) == ([], [])


def _write(tmp_path, frame):
    from resources.parquet import parquet_bytes

    path = tmp_path / "empty.parquet"
    path.write_bytes(parquet_bytes(frame))
    return path


def test_a_damaged_table_is_refused_without_quoting_it():
    frame = checkpoints_frame(evolution_checkpoints([state_record(spark_intensity=0.99, insights=[SECRET])]))
    frame.loc[0, "payload"] = frame.loc[0, "payload"][:-5]  # cut: no longer JSON
    with pytest.raises(ValueError, match="row 0") as err:
        frame_checkpoints(frame)
    assert SECRET not in str(err.value) and SECRET not in repr(err.value)
    # a traceback shows neither the JSON error's document nor its message
    assert err.value.__suppress_context__ and SECRET not in str(err.value.__context__)


def test_an_insight_id_already_used_by_a_landing_memory_is_refused_by_name():
    routed = evolution_checkpoints([state_record(spark_intensity=0.2, insights=["public insight"])])
    clash = {**routed.public_insights[0], "content": "a landing memory that took the insight's id"}
    with pytest.raises(ValueError, match=routed.public_insights[0]["memory_id"]):
        stored_memory_records([clash], routed.public_insights)
    landing = [{**clash, "memory_id": "mem-1"}, {**clash, "memory_id": "mem-2", "is_private": True}]
    assert [m["memory_id"] for m in stored_memory_records(landing, routed.public_insights)] == \
        ["mem-1", routed.public_insights[0]["memory_id"]]
