"""The memories and facts assets, materialized in-process on three days of demo data.

A backfill of three days leaves the union of the three days in each collection (for memories: the public
landing memories and the public insights of the day's ordinary consciousness states), re-running a day leaves
the collection identical and embeds nothing again, private memories never reach ChromaDB or the embeddings,
and a plain chromadb client reads what we wrote.
"""

import json

import dagster as dg
import numpy as np
import pytest
from typer.testing import CliRunner

from mira_assets.definitions import storage_resources
from mira_assets.domain.collection_records import FACTS_COLLECTION, MEMORIES_COLLECTION
from mira_assets.domain.embedding_tables import read_embedding_table
from mira_assets.domain.evolution import evolution_checkpoints
from mira_assets.domain.landing.reader import read_landing_day
from mira_assets.domain.scoring import FACTOR_NAMES, Memory, MemoryScorer
from pipeline.helpers import assets_named
from resources.chroma import ChromaStore

DAYS = ("2026-11-01", "2026-11-02", "2026-11-03")
ASSETS = assets_named("consciousness", "evolution_checkpoints", "memories", "memory_embeddings", "stored_memories",
                      "facts", "fact_embeddings", "identified_facts")


def resources(root):
    """The code location's resources, configured explicitly: this data root, the key file beside it."""
    return storage_resources(data_root=str(root), vault_key_file=str(root.parent / "vault.key"))


def materialize(root, day, instance, selection=None):
    result = dg.materialize(ASSETS, resources=resources(root), partition_key=day, instance=instance,
                            selection=selection)
    assert result.success
    return result


def collection_state(root, name):
    col = ChromaStore(path=root / "databases" / "chromadb").existing(name)
    r = col.get(include=["documents", "metadatas", "embeddings"])
    order = np.argsort(r["ids"])
    return ([r["ids"][i] for i in order], [r["documents"][i] for i in order], [r["metadatas"][i] for i in order],
            np.asarray(r["embeddings"])[order])


def mat_metadata(result, key):
    mats = [m for m in result.get_asset_materialization_events() if m.asset_key == dg.AssetKey(key)]
    return {k: v.value for k, v in mats[0].materialization.metadata.items()}


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory, demo_landing):
    """Materialize the three demo days once for this module (the expensive part), then hand out the root."""
    from resources.vault.keyring import generate_key_b64

    root = tmp_path_factory.mktemp("assets") / "mira_data"
    root.mkdir()
    (root / "landing").symlink_to(demo_landing, target_is_directory=True)
    (root.parent / "vault.key").write_text(generate_key_b64() + "\n")
    instance = dg.DagsterInstance.ephemeral()
    results = {day: materialize(root, day, instance) for day in DAYS}
    return root, instance, results


def test_backfill_leaves_the_union_of_three_days(backfilled, demo_landing):
    root, _, _ = backfilled
    ids, docs, metas, vectors = collection_state(root, MEMORIES_COLLECTION)
    expected, insights = set(), set()
    for day in DAYS:
        expected |= {m["memory_id"] for m in read_landing_day(demo_landing, "memories", day).records
                     if not m["is_private"]}
        states = read_landing_day(demo_landing, "consciousness", day).records
        insights |= {m["memory_id"] for m in evolution_checkpoints(states).public_insights}
    assert insights and not insights & expected
    assert set(ids) == expected | insights and len(ids) == len(expected | insights)
    assert {m["partition"] for m in metas} == set(DAYS)
    assert vectors.shape == (len(ids), 384) and np.isfinite(vectors).all()
    fact_ids = collection_state(root, FACTS_COLLECTION)[0]
    expected_facts = {f["id"] for day in DAYS for f in read_landing_day(demo_landing, "facts", day).records}
    assert set(fact_ids) == expected_facts


def test_metadata_is_exactly_the_seeds_plus_partition(backfilled, demo_landing):
    root, _, _ = backfilled
    ids, docs, metas, _ = collection_state(root, MEMORIES_COLLECTION)
    records = {m["memory_id"]: m for day in DAYS for m in read_landing_day(demo_landing, "memories", day).records}
    records.update({m["memory_id"]: m for day in DAYS for m in evolution_checkpoints(
        read_landing_day(demo_landing, "consciousness", day).records).public_insights})
    scorer = MemoryScorer()
    for rid, doc, meta in zip(ids, docs, metas):
        memory = Memory.from_record(records[rid])
        expected = {name: getattr(memory, name) for name in FACTOR_NAMES}
        expected.update(source=memory.source, importance_score=scorer.calculate_base_importance(memory),
                        spark_intensity=scorer.calculate_spark_intensity(memory), timestamp=memory.timestamp,
                        access_count=memory.access_count, partition=meta["partition"])
        expected.update({f"tag_{t}": v for t, v in memory.tags.items()})
        assert set(meta) == set(expected), rid
        for key, value in expected.items():
            assert meta[key] == pytest.approx(value) if isinstance(value, float) else meta[key] == value, (rid, key)
        assert doc == memory.content


def test_private_memories_never_reach_chroma_or_embeddings(backfilled, demo_landing):
    root, _, _ = backfilled
    ids, docs, _, _ = collection_state(root, MEMORIES_COLLECTION)
    private = [m for day in DAYS for m in read_landing_day(demo_landing, "memories", day).records if m["is_private"]]
    assert private
    private_ids = {m["memory_id"] for m in private}
    assert not private_ids & set(ids)
    all_docs = "\n".join(docs)
    assert not any(m["content"] in all_docs for m in private)
    for day in DAYS:
        table = read_embedding_table(root / "tables" / "memory_embeddings" / f"{day}.parquet")
        assert not private_ids & set(table.ids)
    # nothing under the Chroma folder holds private text in the clear
    blob = b"".join(p.read_bytes() for p in (root / "databases" / "chromadb").rglob("*") if p.is_file())
    for m in private:
        assert m["content"].encode() not in blob


def test_plain_chromadb_client_reads_our_collections(backfilled, plain_dump):
    root, _, _ = backfilled
    for name in (MEMORIES_COLLECTION, FACTS_COLLECTION):
        dump = plain_dump(root / "databases" / "chromadb", name)
        assert dump["count"] > 0 and dump["dims"] == [384]
        assert dump["metadata"]["vector_dimensions"] == 384
        assert dump["metadata"]["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"
        assert dump["configuration"]["hnsw"]["space"] == "cosine"
        assert all(d for d in dump["documents"]) and all(m["partition"] in DAYS for m in dump["metadatas"])
    memories = plain_dump(root / "databases" / "chromadb", MEMORIES_COLLECTION)
    assert all({"importance_score", "spark_intensity", "timestamp", "access_count"} <= set(m)
               for m in memories["metadatas"])


def test_checks_pass_and_metadata_describes_the_day(backfilled):
    _, _, results = backfilled
    result = results[DAYS[0]]
    checks = {(e.asset_key.to_user_string(), e.check_name): e.passed
              for e in result.get_asset_check_evaluations()}
    assert checks[("stored_memories", "collection_holds_exactly_partition_ids")]
    assert checks[("stored_memories", "vectors_are_384d_and_finite")]
    assert checks[("identified_facts", "collection_holds_exactly_partition_ids")]
    assert checks[("identified_facts", "vectors_are_384d_and_finite")]
    # the demo data has malformed lines on purpose: the reader's check warns
    assert checks[("memories", "quarantine_is_empty")] is False
    meta = mat_metadata(result, "stored_memories")
    assert meta["records"] > 0 and meta["private_skipped"] > 0 and "| range |" in meta["distribution"]
    assert "duration_s" in meta
    emb = mat_metadata(result, "memory_embeddings")
    assert emb["embedded"] == meta["records"] and emb["reused"] == 0 and emb["dimension"] == 384


def test_rerun_of_a_day_leaves_the_collection_identical_and_embeds_nothing(backfilled):
    root, instance, _ = backfilled
    before = {name: collection_state(root, name) for name in (MEMORIES_COLLECTION, FACTS_COLLECTION)}
    table_before = (root / "tables" / "memory_embeddings" / f"{DAYS[1]}.parquet").read_bytes()
    result = materialize(root, DAYS[1], instance)
    for name, (ids, docs, metas, vectors) in before.items():
        ids2, docs2, metas2, vectors2 = collection_state(root, name)
        assert (ids, docs, metas) == (ids2, docs2, metas2) and np.array_equal(vectors, vectors2)
    assert mat_metadata(result, "memory_embeddings")["embedded"] == 0
    stored = mat_metadata(result, "stored_memories")
    assert stored["written"] == 0 and stored["deleted"] == 0 and stored["unchanged"] == stored["records"] > 0
    assert mat_metadata(result, "fact_embeddings")["embedded"] == 0
    assert (root / "tables" / "memory_embeddings" / f"{DAYS[1]}.parquet").read_bytes() == table_before


def test_cli_top_and_forget(backfilled):
    from mira_assets.cli.memories import app

    root, _, _ = backfilled
    chroma = str(root / "databases" / "chromadb")
    runner = CliRunner()
    now = "1793750400"  # 2026-11-04T00:00Z
    top = runner.invoke(app, ["top", "-n", "5", "--json", "--now", now, "--chroma-path", chroma])
    assert top.exit_code == 0, top.output
    rows = json.loads(top.stdout)
    assert len(rows) == 5 and [r["persistence"] for r in rows] == sorted((r["persistence"] for r in rows), reverse=True)
    total = ChromaStore(path=chroma).existing(MEMORIES_COLLECTION).count()
    dry = runner.invoke(app, ["forget", "--below", "0.5", "--dry-run", "--json", "--now", now, "--chroma-path", chroma])
    assert dry.exit_code == 0, dry.output
    doomed = json.loads(dry.stdout)
    assert doomed and all(r["persistence"] < 0.5 for r in doomed) and len(doomed) < total
    assert ChromaStore(path=chroma).existing(MEMORIES_COLLECTION).count() == total  # dry run deletes nothing


def test_cli_forget_deletes_and_search_prints(tmp_path, backfilled):
    import shutil

    from mira_assets.cli.memories import app as memories_app
    from mira_assets.cli.search import app as search_app

    root, _, _ = backfilled
    chroma = tmp_path / "chroma_copy"
    shutil.copytree(root / "databases" / "chromadb", chroma)
    runner = CliRunner()
    now = "1793750400"
    before = ChromaStore(path=chroma).existing(MEMORIES_COLLECTION).count()
    out = runner.invoke(memories_app, ["forget", "--below", "0.5", "--json", "--now", now, "--chroma-path", str(chroma)])
    assert out.exit_code == 0, out.output
    gone = {r["id"] for r in json.loads(out.stdout)}
    left = ChromaStore(path=chroma).existing(MEMORIES_COLLECTION).get(include=[])["ids"]
    assert len(left) == before - len(gone) and not gone & set(left)

    res = runner.invoke(search_app, ["a poem written together about lighthouses", "-n", "3", "--json",
                                     "--chroma-path", str(root / "databases" / "chromadb")])
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert hits[0]["id"].endswith("co-creation-poem") and {"similarity", "importance", "spark", "date"} <= set(hits[0])
    res = runner.invoke(search_app, ["x", "--where", "{not json", "--chroma-path", str(chroma)])
    assert res.exit_code == 1 and "--where is not valid JSON" in res.output
    res = runner.invoke(search_app, ["x", "--chroma-path", str(tmp_path / "empty")])
    assert res.exit_code == 1 and "does not exist" in res.output


def test_a_day_without_landing_data_materializes_empty(backfilled):
    root, instance, _ = backfilled
    result = materialize(root, "2026-10-01", instance)
    meta = mat_metadata(result, "stored_memories")
    assert meta["records"] == 0 and meta["written"] == 0
    assert all(e.passed for e in result.get_asset_check_evaluations()
               if e.asset_key.to_user_string() in ("stored_memories", "identified_facts"))
    assert ChromaStore(path=root / "databases" / "chromadb").get_partition(MEMORIES_COLLECTION, "2026-10-01")["ids"] == []


def test_the_vector_check_fails_when_chroma_holds_other_vectors_than_the_embedding_table(tmp_path, demo_landing,
                                                                                        monkeypatch):
    """The check compares Chroma with the day's embedding table, not with what the writer was handed: a writer
    that stores something else (simulated here) fails it, naming how many ids differ; a clean rerun heals it."""
    from resources.vault.keyring import generate_key_b64

    root = tmp_path / "mira_data"
    (root / "landing" / "facts").mkdir(parents=True)
    (root / "landing" / "facts" / DAYS[0]).symlink_to(demo_landing / "facts" / DAYS[0], target_is_directory=True)
    (root.parent / "vault.key").write_text(generate_key_b64() + "\n")
    selection = assets_named("facts", "fact_embeddings", "identified_facts")
    real_add = ChromaStore.add_batched

    def skewed_add(self, col, ids, embeddings, *args, **kwargs):
        return real_add(self, col, ids, -np.asarray(embeddings), *args, **kwargs)

    def vector_check(result):
        [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == "vectors_are_384d_and_finite"]
        return evaluation.passed, evaluation.metadata["differing_from_table"].value

    instance = dg.DagsterInstance.ephemeral()
    with monkeypatch.context() as m:
        m.setattr(ChromaStore, "add_batched", skewed_add)
        skewed = dg.materialize(selection, resources=resources(root), partition_key=DAYS[0], instance=instance)
    written = mat_metadata(skewed, "identified_facts")["records"]
    assert written > 0 and vector_check(skewed) == (False, written)

    healed = dg.materialize(selection, resources=resources(root), partition_key=DAYS[0], instance=instance)
    assert vector_check(healed) == (True, 0)
    assert mat_metadata(healed, "identified_facts")["written"] == written  # every held vector was rewritten
