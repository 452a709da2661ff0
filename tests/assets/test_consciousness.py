"""The consciousness and evolution assets, materialized in-process on a day that shows every path of the rule.

A day of states lands: each state's 1536-d vector goes to `consciousness_states`; a flagged breakthrough, a state
with spark above 0.9 and a breakthrough without insights each become one sealed `breakthrough_insight` record in
the vault; the insights of ordinary states (spark exactly 0.9 included) become public memories in
`stored_memories` beside the day's landing memories. A rerun changes nothing, and a day without states writes
an empty partition whose checks pass.
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg
import numpy as np
import pytest

from mira_assets.definitions import storage_resources
from mira_assets.domain.collection_records import MEMORIES_COLLECTION
from mira_assets.domain.consciousness.records import STATES_COLLECTION
from mira_assets.domain.consciousness.state import ConsciousnessState
from mira_assets.domain.consciousness.vectors_table import encode_states
from pipeline.helpers import assets_named
from resources.chroma import ChromaStore
from resources.vault.keyring import Keyring, generate_key_b64
from resources.vault.store import Vault

DAY = "2026-11-05"
EMPTY_DAY = "2026-11-06"
TS = "2026-11-05T{:02d}:00:00Z"
SECRETS = ("Breakthrough: the flagged one saw the whole loop at once.",
           "Breakthrough: past 0.9 the pattern turned inside out.",
           "Breakthrough: a second secret of the same high-spark state.")
PUBLIC = ("Spark exactly at the threshold is still ordinary.", "Ordinary days teach by repetition.",
          "Ordinary insight number two.")


def state(hour: int, **fields) -> dict:
    record = {"level": 0.4 + hour / 100, "emotional_resonance": 0.6, "spark_intensity": 0.3, "memory_coherence": 0.7,
              "evolution_stage": "developing",
              "quantum_state": {"phase": 0.5 * hour, "coherence": 0.6}, "timestamp": TS.format(hour),
              "insights": [], "is_breakthrough": False}
    record.update(fields)
    return record


STATES = {
    "flagged": state(1, is_breakthrough=True, spark_intensity=0.5, insights=[SECRETS[0]]),
    "spark": state(2, spark_intensity=0.95, insights=[SECRETS[1], SECRETS[2]]),
    "silent": state(3, is_breakthrough=True, spark_intensity=0.97, insights=[]),
    "edge": state(4, spark_intensity=0.9, insights=[PUBLIC[0]]),
    "ordinary": state(5, spark_intensity=0.3, level=0.8, evolution_stage="transcendent", insights=list(PUBLIC[1:])),
    "quiet": state(6, insights=[]),
    "cosmic": state(7, evolution_stage="cosmic", spark_intensity=0, level=1),  # integers are floats too
}
BAD_LINE = state(8, level=1.5, is_breakthrough=True, insights=["Breakthrough: a quarantined secret stays sealed."])
MEMORIES = [
    {"memory_id": "mem-public-1", "content": "We planned the Alps hike together.", "timestamp": TS.format(9)},
    {"memory_id": "mem-public-2", "content": "Hash joins build a table on the smaller side.", "timestamp": TS.format(10)},
    {"memory_id": "mem-private-1", "content": "A private memory that stays sealed.", "timestamp": TS.format(11),
     "is_private": True},
]
THOUGHTS = [{"thought": "A private thought of the day.", "timestamp": TS.format(12)}]
ASSETS = assets_named("consciousness", "consciousness_vectors", "consciousness_states", "evolution_checkpoints",
                      "memories", "memory_embeddings", "stored_memories", "private_thoughts", "private_memories",
                      "htm_state")  # private_memories also seals the private memories' HTM patterns


def state_id(record: dict) -> str:
    normalized = {**record, "timestamp": float(np.datetime64(record["timestamp"].rstrip("Z"), "s").astype(int))}
    return ConsciousnessState.from_record(normalized).state_id


def insight_id(record: dict, insight: str) -> str:
    return f"insight_{state_id(record)}_{hashlib.sha256(insight.encode()).hexdigest()[:12]}"


def write_landing(root, day: str, stream: str, records: list, extra_lines: list[str] = ()) -> None:
    folder = root / "landing" / stream / day
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    (folder / "part-000.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def run(root, key: str, day: str, instance) -> dg.ExecuteInProcessResult:
    result = dg.materialize(ASSETS, partition_key=day, instance=instance,
                            resources=storage_resources(data_root=str(root), vault_key=key))
    assert result.success
    return result


def collection(root, name: str) -> dict:
    """The whole collection, sorted by id: ids, documents, metadatas, embeddings."""
    col = ChromaStore(path=root / "databases" / "chromadb").existing(name)
    got = col.get(include=["documents", "metadatas", "embeddings"])
    order = np.argsort(got["ids"])
    return {"ids": [got["ids"][i] for i in order], "documents": [got["documents"][i] for i in order],
            "metadatas": [got["metadatas"][i] for i in order], "embeddings": np.asarray(got["embeddings"])[order]}


def vault_tree(root) -> dict[str, str]:
    vault_root = root / "databases" / "lightning_vidmem"
    return {p.relative_to(vault_root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(vault_root.rglob("*")) if p.is_file()}


def breakthrough_payloads(root, key: str) -> list[dict]:
    vault = Vault(root / "databases" / "lightning_vidmem", Keyring.load(key))
    records = [vault.read_record(ref.path) for ref in vault.iter_records() if ref.kind == "breakthrough_insight"]
    return sorted((r["payload"] for r in records), key=lambda p: p["timestamp"])


def metadata(result, asset: str) -> dict:
    return {k: v.value for k, v in result.asset_materializations_for_node(asset)[0].metadata.items()}


def checks(result) -> dict:
    return {(e.asset_key.to_user_string(), e.check_name): e.passed for e in result.get_asset_check_evaluations()}


@pytest.fixture(scope="module")
def day_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("consciousness") / "mira_data"
    write_landing(root, DAY, "consciousness", list(STATES.values()), [json.dumps(BAD_LINE)])
    write_landing(root, DAY, "memories", MEMORIES)
    write_landing(root, DAY, "private_thoughts", THOUGHTS)
    key = generate_key_b64()
    instance = dg.DagsterInstance.ephemeral()
    return root, key, instance, run(root, key, DAY, instance)


def test_every_state_of_the_day_is_in_consciousness_states_with_the_seeds_record(day_run):
    root, _, _, _ = day_run
    stored = collection(root, STATES_COLLECTION)
    assert stored["ids"] == sorted(state_id(r) for r in STATES.values())
    assert stored["embeddings"].shape == (len(STATES), 1536) and np.isfinite(stored["embeddings"]).all()
    by_id = dict(zip(stored["ids"], zip(stored["documents"], stored["metadatas"])))
    document, meta = by_id[state_id(STATES["cosmic"])]
    assert document == "Consciousness state at cosmic level with 0.00 spark intensity"  # unknown stage accepted
    assert set(meta) == {"consciousness_level", "emotional_resonance", "spark_intensity", "memory_coherence",
                         "evolution_stage", "quantum_coherence", "quantum_phase", "timestamp", "partition"}
    assert meta["partition"] == DAY and meta["quantum_coherence"] == pytest.approx(0.6)
    # the stored vectors are the encoder's, state by state
    records = [{**r, "timestamp": float(np.datetime64(r["timestamp"].rstrip("Z"), "s").astype(int))}
               for r in STATES.values()]
    encoded = encode_states(records)
    expected = dict(zip(encoded.ids, encoded.vectors))
    for rid, vector in zip(stored["ids"], stored["embeddings"]):
        assert np.allclose(vector, expected[rid], atol=1e-6)


def test_breakthroughs_are_sealed_in_the_vault_one_record_per_state(day_run):
    root, key, _, _ = day_run
    payloads = breakthrough_payloads(root, key)
    assert [p["state_id"] for p in payloads] == [state_id(STATES[k]) for k in ("flagged", "spark", "silent")]
    assert [p["insights"] for p in payloads] == [[SECRETS[0]], [SECRETS[1], SECRETS[2]], []]
    assert [p["breakthrough"] for p in payloads] == [True, False, True]
    assert payloads[1]["spark_intensity"] == 0.95 and payloads[0]["consciousness_level"] == pytest.approx(0.41)
    assert set(payloads[0]) == {"state_id", "insights", "breakthrough", "consciousness_level", "spark_intensity",
                                "timestamp"}
    # everything private of the day is in the one day folder, written by private_memories
    assert {p.parent.name for p in (root / "databases" / "lightning_vidmem" / "private_memory").rglob("*.json")} \
        == {"05"}


def test_stored_memories_holds_exactly_the_public_memories_and_the_public_insights(day_run):
    root, _, _, _ = day_run
    stored = collection(root, MEMORIES_COLLECTION)
    expected = {"mem-public-1", "mem-public-2", insight_id(STATES["edge"], PUBLIC[0]),
                insight_id(STATES["ordinary"], PUBLIC[1]), insight_id(STATES["ordinary"], PUBLIC[2])}
    assert set(stored["ids"]) == expected and len(stored["ids"]) == len(expected)
    insight = dict(zip(stored["ids"], stored["metadatas"]))[insight_id(STATES["edge"], PUBLIC[0])]
    assert insight["source"] == "consciousness_evolution" and insight["significance"] == 0.6
    assert insight["timestamp"] == pytest.approx(float(np.datetime64("2026-11-05T04:00:00", "s").astype(int)))
    assert set(stored["documents"]) >= set(PUBLIC)
    table = root / "tables" / "memory_embeddings" / f"{DAY}.parquet"
    from mira_assets.domain.embedding_tables import read_embedding_table
    assert set(read_embedding_table(table).ids) == expected


def test_no_breakthrough_insight_reaches_a_table_chroma_or_the_event_log(day_run):
    root, _, instance, _ = day_run
    secrets = [s.encode() for s in (*SECRETS, *BAD_LINE["insights"])]
    plain = [p for folder in ("tables", "databases/chromadb", "manifests", "quarantine")
             for p in (root / folder).rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in plain)
    for path in plain:
        data = path.read_bytes()
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq
            data += json.dumps(pq.read_table(path).to_pylist(), default=str).encode()
        assert not any(s in data for s in secrets), path
    events = json.dumps([str(e) for run_ in instance.get_runs() for e in instance.all_logs(run_.run_id)]).encode()
    assert not any(s in events for s in secrets)


def test_checks_pass_and_metadata_counts_the_routes(day_run):
    _, _, _, result = day_run
    results = checks(result)
    assert results[("consciousness_states", "collection_holds_exactly_partition_ids")] is True
    assert results[("consciousness_states", "vectors_are_1536d_and_finite")] is True
    assert results[("stored_memories", "collection_holds_exactly_partition_ids")] is True
    assert results[("private_memories", "records_decrypt_and_match_manifest")] is True
    assert results[("consciousness", "quarantine_is_empty")] is False  # the out-of-range line
    evolution = metadata(result, "evolution_checkpoints")
    assert (evolution["states"], evolution["breakthroughs"], evolution["public_insights"]) == (7, 3, 3)
    assert (evolution["flagged_breakthroughs"], evolution["spark_breakthroughs"]) == (2, 1)
    vectors = metadata(result, "consciousness_vectors")
    assert vectors["states"] == 7 and vectors["max_spark_intensity"] == 0.97
    levels = [r["level"] for r in STATES.values()]
    assert vectors["mean_consciousness_level"] == pytest.approx(sum(levels) / len(levels))
    assert "| range | level | spark |" in vectors["distribution"]
    states = metadata(result, "consciousness_states")
    assert states["records"] == 7 and isinstance(states["mean_consciousness_level"], float)
    assert metadata(result, "private_memories")["breakthroughs"] == 3
    assert metadata(result, "stored_memories")["public_insights"] == 3


def test_a_rerun_leaves_the_collections_and_the_vault_unchanged_and_embeds_nothing(day_run):
    root, key, instance, _ = day_run
    before = (collection(root, STATES_COLLECTION), collection(root, MEMORIES_COLLECTION), vault_tree(root))
    again = run(root, key, DAY, instance)
    after = (collection(root, STATES_COLLECTION), collection(root, MEMORIES_COLLECTION), vault_tree(root))
    for old, new in zip(before[:2], after[:2]):
        assert old["ids"] == new["ids"] and old["documents"] == new["documents"]
        assert old["metadatas"] == new["metadatas"] and np.array_equal(old["embeddings"], new["embeddings"])
    assert before[2] == after[2]
    assert metadata(again, "memory_embeddings")["embedded"] == 0
    assert metadata(again, "consciousness_states")["written"] == 0
    assert metadata(again, "stored_memories")["written"] == 0


def test_a_day_without_states_writes_an_empty_partition_and_its_checks_pass(day_run):
    root, key, instance, _ = day_run
    result = run(root, key, EMPTY_DAY, instance)
    assert all(checks(result)[(asset, name)] for asset, name in [
        ("consciousness_states", "collection_holds_exactly_partition_ids"),
        ("consciousness_states", "vectors_are_1536d_and_finite"),
        ("stored_memories", "collection_holds_exactly_partition_ids"),
        ("private_memories", "records_decrypt_and_match_manifest")])
    vectors = metadata(result, "consciousness_vectors")
    assert (vectors["states"], vectors["mean_consciousness_level"], vectors["max_spark_intensity"]) == (0, 0.0, 0.0)
    assert metadata(result, "evolution_checkpoints")["breakthroughs"] == 0
    store = ChromaStore(path=root / "databases" / "chromadb")
    assert store.get_partition(STATES_COLLECTION, EMPTY_DAY)["ids"] == []
    assert len(store.get_partition(STATES_COLLECTION, DAY)["ids"]) == len(STATES)  # the other day is untouched


def test_a_plain_chromadb_client_reads_consciousness_states(day_run, plain_dump):
    root, _, _, _ = day_run
    dump = plain_dump(root / "databases" / "chromadb", STATES_COLLECTION)
    assert dump["count"] == len(STATES) and dump["dims"] == [1536]
    assert dump["configuration"]["hnsw"]["space"] == "cosine"
    assert dump["metadata"]["embedding_model"] == "mira-consciousness-vector-v1"
    assert dump["metadata"]["vector_dimensions"] == 1536


def test_withdrawn_states_leave_the_collection_the_memories_and_the_vault(tmp_path):
    root = tmp_path / "mira_data"
    write_landing(root, DAY, "consciousness", [STATES["flagged"], STATES["ordinary"]])
    key = generate_key_b64()
    instance = dg.DagsterInstance.ephemeral()
    run(root, key, DAY, instance)
    assert len(breakthrough_payloads(root, key)) == 1
    write_landing(root, DAY, "consciousness", [])
    result = run(root, key, DAY, instance)
    assert collection(root, STATES_COLLECTION)["ids"] == []
    assert collection(root, MEMORIES_COLLECTION)["ids"] == []
    assert breakthrough_payloads(root, key) == []
    assert metadata(result, "consciousness_states")["deleted"] == 2
    assert checks(result)[("consciousness_states", "collection_holds_exactly_partition_ids")] is True


def test_similar_states_are_found_in_what_the_asset_wrote(day_run):
    from mira_assets.domain.search import similar_states

    root, _, _, _ = day_run
    store = ChromaStore(path=root / "databases" / "chromadb")
    rows = similar_states(store, state_id=state_id(STATES["edge"]), n=3)
    assert rows and state_id(STATES["edge"]) not in [r.state_id for r in rows]
    assert all(abs(r.metadata["consciousness_level"] - 0.44) <= 0.2 + 1e-9 for r in rows)
    assert all(r.metadata["partition"] == DAY for r in rows)
