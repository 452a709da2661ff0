"""Deduplication: an unchanged tree costs a manifest; changing 1% of files costs about their compressed size."""

from __future__ import annotations

import os

import pytest

from resources.codebase import archiver, sources


@pytest.fixture
def tree(tmp_path, helpers):
    return helpers.copy_stdlib_subset(tmp_path / "tree")


@pytest.mark.parametrize("use_cache", [True, False], ids=["files-cache", "re-read"])
def test_second_snapshot_of_unchanged_tree_adds_under_one_percent(store, tree, use_cache):
    first = archiver.snapshot(store, tree, name="t").info.meta
    second = archiver.snapshot(store, tree, name="t", use_cache=use_cache).info.meta
    assert second["new_chunks"] == 0
    assert second["new_bytes"] < 0.01 * first["new_bytes"]
    assert second["total_size"] == first["total_size"] and second["file_count"] == first["file_count"]
    assert second["read_bytes"] == (0 if use_cache else first["total_size"])


def test_changing_one_percent_of_files_adds_about_their_compressed_size(store, vault, tree):
    first = archiver.snapshot(store, tree, name="t").info.meta
    files = sorted(p for p in tree.rglob("*.py") if p.stat().st_size > 2000)
    changed = files[:: 100]
    assert len(changed) >= 3
    expected = 0
    for p in changed:
        with open(p, "a") as fh:
            fh.write("# changed for the dedup test\n")
        data = p.read_bytes()
        expected += len(vault.seal(data, kind="codebase_chunk", record_id="x" * 64))
    second = archiver.snapshot(store, tree, name="t").info.meta
    assert second["new_chunks"] == len(changed)
    chunk_bytes = second["new_data_bytes"]
    assert 0.9 * expected <= chunk_bytes <= 1.1 * expected
    assert second["new_bytes"] < 0.05 * first["new_bytes"]
    assert second["read_bytes"] == sum(p.stat().st_size for p in changed)


def test_identical_files_stored_once(store, tmp_path):
    root = tmp_path / "dups"
    root.mkdir()
    payload = os.urandom(50_000)
    for i in range(20):
        (root / f"copy{i}.bin").write_bytes(payload)
    meta = archiver.snapshot(store, root, name="dups").info.meta
    assert meta["chunk_count"] == 1 and meta["new_chunks"] == 1
    assert meta["total_size"] == 20 * len(payload)
    assert len(store.chunk_names()) == 1 + meta["tree_chunks"]


def test_chunk_names_are_keyed(store, vault, tmp_path, vault_key):
    import hashlib

    from resources.codebase.store import CodebaseStore
    from resources.vault.keyring import Keyring, generate_key_b64
    from resources.vault.store import Vault

    root = tmp_path / "one"
    root.mkdir()
    (root / "f.txt").write_bytes(b"known content\n")
    sid = archiver.snapshot(store, root, name="one").info.snapshot_id
    (name, _), = store.entries(sid)[0].chunks
    for h in ("sha256", "sha1", "md5", "blake2b"):
        assert hashlib.new(h, b"known content\n").hexdigest() != name
    other = CodebaseStore(Vault(tmp_path / "other_vault", Keyring.load(key_b64=generate_key_b64())))
    sid2 = archiver.snapshot(other, root, name="one").info.snapshot_id
    assert other.entries(sid2)[0].chunks[0][0] != name


def test_memory_does_not_grow_with_file_or_tree_size(store, tmp_path):
    """A 64 MiB file and 2,000 small files: peak Python memory stays at a few chunks in flight
    (at most 4 MiB each, compressed and sealed copies included), well under the file's size."""
    import random
    import tracemalloc

    root = tmp_path / "big"
    (root / "many").mkdir(parents=True)
    rng = random.Random(5)  # fixed bytes: the same chunk boundaries on every run
    with open(root / "big.bin", "wb") as fh:
        for _ in range(64):
            fh.write(rng.randbytes(1 << 20))
    for i in range(2000):
        (root / "many" / f"f{i:04}.txt").write_text(f"small file {i}\n" * 20)
    tracemalloc.start()
    try:
        meta = archiver.snapshot(store, root, name="big").info.meta
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert meta["total_size"] > 64 << 20
    assert peak < 40 << 20, f"peak {peak / 2**20:.1f} MiB"


def test_file_deleted_during_snapshot_is_left_out(store, tmp_path, monkeypatch):

    root = tmp_path / "t"
    root.mkdir()
    (root / "stays.txt").write_text("stays")
    (root / "goes.txt").write_text("goes")
    real = sources.walk_tree

    def walk_then_delete(*a, **k):
        for entry in real(*a, **k):
            if entry.rel == b"goes.txt":
                os.unlink(entry.abs)
            yield entry

    monkeypatch.setattr(sources, "walk_tree", walk_then_delete)
    info = archiver.snapshot(store, root, name="t").info
    assert [e.path for e in store.entries(info.snapshot_id)] == [b"stays.txt"]
