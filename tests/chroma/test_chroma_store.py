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
    assert (stats.deleted, stats.added, stats.unchanged) == (0, 3, 47)  # changed records are upserted in place
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


def partition_ids(store, name, partition):
    return sorted(store.get_partition(name, partition, include=())["ids"])


def test_a_crash_in_the_middle_of_a_replace_never_leaves_the_day_without_its_records(tmp_path, monkeypatch):
    """Writes come first and stale ids go last: a crash before the writes finish leaves the old versions, a
    crash before the stale ids are gone leaves the new ones plus the stale; the rerun leaves exactly the day."""
    store = ChromaStore(path=tmp_path / "chroma")
    ids, v, docs, metas = records(50, "d1", seed=1)
    store.replace_partition("coll", "2026-11-01", ids, v, docs, metas, model=MODEL, dimension=384)
    v2 = v.copy()
    v2[:3] = -v2[:3]  # three changed records; the last five are dropped from the day
    day = (ids[:45], v2[:45], docs[:45], metas[:45])

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    with monkeypatch.context() as m:
        m.setattr(ChromaStore, "add_batched", crash)
        with pytest.raises(RuntimeError):
            store.replace_partition("coll", "2026-11-01", *day, model=MODEL, dimension=384)
    assert partition_ids(store, "coll", "2026-11-01") == ids  # nothing deleted before the writes

    col_type = type(store.existing("coll"))
    with monkeypatch.context() as m:
        m.setattr(col_type, "delete", crash)
        with pytest.raises(RuntimeError):
            store.replace_partition("coll", "2026-11-01", *day, model=MODEL, dimension=384)
    assert partition_ids(store, "coll", "2026-11-01") == ids  # the new versions in, the stale not yet out
    held = store.existing("coll").get(ids=ids[:3], include=["embeddings"])
    assert np.allclose(np.asarray(held["embeddings"])[np.argsort(held["ids"])], v2[:3], atol=1e-6)

    stats = store.replace_partition("coll", "2026-11-01", *day, model=MODEL, dimension=384)
    assert (stats.deleted, stats.added, stats.unchanged) == (5, 0, 45)
    assert partition_ids(store, "coll", "2026-11-01") == ids[:45]


def test_a_day_below_the_sync_threshold_is_found_by_a_new_process_after_the_writer_exits(tmp_path):
    """chroma#6975: below hnsw:sync_threshold (1000) the index is not flushed when the writer exits. A writer
    process stores 30 records with our code and exits; a new process with a bare chromadb client queries them."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "chroma"
    ids, v, docs, metas = records(30, "s", seed=3)
    np.save(tmp_path / "v.npy", v)
    repo = Path(__file__).resolve().parents[2]
    writer = (
        "import sys, numpy as np\n"
        f"sys.path.insert(0, {str(repo)!r})\n"
        "from resources.chroma import ChromaStore\n"
        "v = np.load(sys.argv[2])\n"
        "ids = [f's-{i:05d}' for i in range(len(v))]\n"
        f"ChromaStore(path=sys.argv[1]).replace_partition('small', '2026-11-01', ids, v, [f'doc {{i}}' for i in ids],"
        f" [{{'k': i}} for i in range(len(v))], model={MODEL!r}, dimension=384)\n"
    )
    done = subprocess.run([sys.executable, "-c", writer, str(path), str(tmp_path / "v.npy")], capture_output=True,
                          text=True, timeout=180, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]
    reader = (
        "import json, sys, numpy as np, chromadb\n"
        "col = chromadb.PersistentClient(path=sys.argv[1]).get_collection('small')\n"
        "v = np.load(sys.argv[2])\n"
        "r = col.query(query_embeddings=v[[0, 17, 29]], n_results=1, include=['distances'])\n"
        "print(json.dumps({'count': col.count(), 'ids': [x[0] for x in r['ids']],"
        " 'distances': [x[0] for x in r['distances']]}))\n"
    )
    found = subprocess.run([sys.executable, "-c", reader, str(path), str(tmp_path / "v.npy")], capture_output=True,
                           text=True, timeout=180, cwd="/")
    assert found.returncode == 0, found.stderr[-2000:]
    answer = json.loads(found.stdout.strip().splitlines()[-1])
    assert answer["count"] == 30
    assert answer["ids"] == [ids[0], ids[17], ids[29]]
    assert all(d < 1e-4 for d in answer["distances"])


def test_the_vector_check_compares_what_chroma_holds_with_the_embedding_table(tmp_path):
    from mira_assets.domain.collection_records import check_partition

    store = ChromaStore(path=tmp_path / "chroma")
    ids, v, docs, metas = records(20, "t", seed=4)
    store.replace_partition("coll", "2026-11-01", ids, v, docs, metas, model=MODEL, dimension=384)
    assert check_partition(store, "coll", "2026-11-01", ids, v, 384).vectors_ok
    table = v.copy()
    table[7] = records(1, "other", seed=9)[1][0]  # the table says otherwise for one id
    check = check_partition(store, "coll", "2026-11-01", ids, table, 384)
    assert not check.vectors_ok and check.differing == 1 and check.ids_ok and check.max_abs_diff > 0.01


def test_a_read_the_server_fails_for_a_moment_is_retried_and_other_errors_are_not(monkeypatch):
    """Chroma server 1.5 sometimes fails a read of a collection another client writes for the first time
    ("Error creating hnsw segment reader: Nothing found on disk", seen with two days written at once)."""
    from chromadb.errors import InternalError

    from resources import chroma

    monkeypatch.setattr(chroma, "READ_RETRIES_S", (0.0, 0.0))
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise InternalError("Error executing plan: Internal error: Error creating hnsw segment reader: "
                                "Nothing found on disk")
        return {"ids": ["a"]}

    assert chroma._read(flaky, ids=["a"]) == {"ids": ["a"]} and len(calls) == 2

    def broken(**kwargs):
        raise InternalError("Error executing plan: something else")

    with pytest.raises(InternalError, match="something else"):
        chroma._read(broken)
