"""ChromaStore: cosine collections that record model and dimension, batched replace-partition writes."""

import numpy as np
import pytest

from resources.chroma import ChromaStore, ChromaStoreError

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def records(n, prefix, seed=0, dim=384):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    ids = [f"{prefix}-{i:05d}" for i in range(n)]
    return ids, v, [f"doc {i}" for i in ids], [{"k": i} for i in range(n)]


def snapshot(store, name):
    col = store.existing(name)
    r = col.get(include=["documents", "metadatas", "embeddings"])
    order = np.argsort(r["ids"])
    return ([r["ids"][i] for i in order], [r["documents"][i] for i in order], [r["metadatas"][i] for i in order],
            np.asarray(r["embeddings"])[order])


def test_collection_is_cosine_and_records_model_and_dimension(tmp_path, plain_dump):
    store = ChromaStore(path=tmp_path / "chroma")
    ids, v, docs, metas = records(3, "a")
    store.replace_partition("test_coll", "2026-11-01", ids, v, docs, metas, model=MODEL, dimension=384)
    dump = plain_dump(tmp_path / "chroma", "test_coll")
    assert dump["configuration"]["hnsw"]["space"] == "cosine"
    assert dump["metadata"]["embedding_model"] == MODEL and dump["metadata"]["vector_dimensions"] == 384
    assert dump["configuration"]["embedding_function"] is None
    assert dump["dims"] == [384] and sorted(dump["ids"]) == ids
    assert all(m["partition"] == "2026-11-01" for m in dump["metadatas"])
    # an existing collection with another dimension is refused, not silently mixed
    with pytest.raises(ChromaStoreError, match="dimensions"):
        store.collection("test_coll", model=MODEL, dimension=768)


def test_replace_partition_is_idempotent_and_leaves_other_days(tmp_path):
    store = ChromaStore(path=tmp_path / "chroma")
    d1 = records(50, "d1", seed=1)
    d2 = records(40, "d2", seed=2)
    store.replace_partition("coll", "2026-11-01", *d1, model=MODEL, dimension=384)
    store.replace_partition("coll", "2026-11-02", *d2, model=MODEL, dimension=384)
    before = snapshot(store, "coll")
    stats = store.replace_partition("coll", "2026-11-01", *d1, model=MODEL, dimension=384)
    assert (stats.deleted, stats.added, stats.unchanged) == (0, 0, 50)  # an unchanged rerun writes nothing
    after = snapshot(store, "coll")
    assert before[:3] == after[:3] and np.array_equal(before[3], after[3])
    # a changed document, metadata value or vector is rewritten; the rest stays
    ids, v, docs, metas = d1
    v2 = v.copy()
    v2[3] = -v2[3]
    changed = (ids, v2, ["new text" if i == 1 else d for i, d in enumerate(docs)],
               [{"k": 99} if i == 2 else m for i, m in enumerate(metas)])
    stats = store.replace_partition("coll", "2026-11-01", *changed, model=MODEL, dimension=384)
    assert (stats.deleted, stats.added, stats.unchanged) == (3, 3, 47)
    got = store.existing("coll").get(ids=[ids[1], ids[2], ids[3]], include=["documents", "metadatas", "embeddings"])
    by_id = dict(zip(got["ids"], range(3)))
    assert got["documents"][by_id[ids[1]]] == "new text" and got["metadatas"][by_id[ids[2]]]["k"] == 99
    assert np.allclose(got["embeddings"][by_id[ids[3]]], v2[3])
    store.replace_partition("coll", "2026-11-01", *d1, model=MODEL, dimension=384)
    after = snapshot(store, "coll")
    assert before[:3] == after[:3] and np.array_equal(before[3], after[3])
    # a smaller rerun drops the stale rows of that day only
    ids, v, docs, metas = d1
    store.replace_partition("coll", "2026-11-01", ids[:10], v[:10], docs[:10], metas[:10], model=MODEL, dimension=384)
    assert store.existing("coll").count() == 10 + 40
    # an id written by another day moves (the add would otherwise be a silent no-op)
    moved = ([d2[0][0]], d2[1][:1], ["moved"], [{"k": -1}])
    store.replace_partition("coll", "2026-11-03", *moved, model=MODEL, dimension=384)
    got = store.existing("coll").get(ids=[d2[0][0]], include=["documents", "metadatas"])
    assert got["documents"] == ["moved"] and got["metadatas"][0]["partition"] == "2026-11-03"
    assert store.existing("coll").count() == 50


def test_writes_are_batched_at_the_client_maximum(tmp_path):
    store = ChromaStore(path=tmp_path / "chroma")
    size = store.max_batch_size()
    n = size + 7
    stats = store.replace_partition("big_coll", "2026-11-01", *records(n, "x"), model=MODEL, dimension=384)
    assert stats.batch_size == size and stats.batches == 2 and store.existing("big_coll").count() == n


def test_rejects_bad_vectors_and_duplicate_ids(tmp_path):
    store = ChromaStore(path=tmp_path / "chroma")
    ids, v, docs, metas = records(3, "a")
    v[1, 5] = np.nan
    with pytest.raises(ChromaStoreError, match="non-finite"):
        store.replace_partition("coll", "d", ids, v, docs, metas, model=MODEL, dimension=384)
    with pytest.raises(ChromaStoreError, match="duplicate"):
        store.replace_partition("coll", "d", ["a", "a"], np.zeros((2, 384)), ["x", "y"], [{}, {}], model=MODEL,
                                dimension=384)
    with pytest.raises(ChromaStoreError, match="dimensions"):
        store.replace_partition("coll", "d", ["a"], np.zeros((1, 12)), ["x"], [{}], model=MODEL, dimension=384)
