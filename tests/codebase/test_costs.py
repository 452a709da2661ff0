"""What a tree of many small files costs per file (issue 9 item 8): few thread hand-offs, pack
writes in large runs, and content compressed harder than the vault's default."""

from __future__ import annotations

import concurrent.futures as cf
import os

import pytest

from resources.codebase import archiver
from resources.codebase.restorer import restore

N_FILES = 400


@pytest.fixture
def many_files(tmp_path):
    root = tmp_path / "many"
    for i in range(N_FILES):
        d = root / f"pkg{i % 20}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"mod{i}.py").write_text(f"def f{i}(x):\n    return x * {i}  # module {i}\n" * (1 + i % 7))
    return root


@pytest.fixture
def submits(monkeypatch):
    """Count the jobs handed to worker threads."""
    calls = []
    real = cf.ThreadPoolExecutor.submit

    def counting(self, fn, *args, **kwargs):
        calls.append(getattr(fn, "__name__", repr(fn)))
        return real(self, fn, *args, **kwargs)

    monkeypatch.setattr(cf.ThreadPoolExecutor, "submit", counting)
    return calls


def test_snapshot_and_restore_hand_files_to_workers_in_runs(store, many_files, tmp_path, submits, helpers):
    info = archiver.snapshot(store, many_files, name="many").info
    assert info.file_count == N_FILES
    assert len(submits) <= N_FILES // 8, f"{len(submits)} worker jobs for {N_FILES} files"
    submits.clear()
    restore(store, info.snapshot_id, tmp_path / "out")
    assert len(submits) <= N_FILES // 8, f"{len(submits)} worker jobs for {N_FILES} files"
    helpers.assert_same_tree(many_files, tmp_path / "out")


def test_pack_is_written_in_large_runs_not_per_chunk(store, many_files, monkeypatch):
    writes = []
    real = os.write

    def counting(fd, data):
        writes.append(len(data))
        return real(fd, data)

    monkeypatch.setattr(os, "write", counting)
    meta = archiver.snapshot(store, many_files, name="many").info.meta
    monkeypatch.setattr(os, "write", real)
    assert meta["new_chunks"] >= N_FILES // 2
    assert len(writes) <= 10, f"{len(writes)} write calls for {meta['new_chunks']} new chunks"


def test_a_higher_zstd_level_stores_a_source_tree_smaller(vault, tmp_path, helpers):
    """A store opened with zstd_level=6 (`--zstd-level 6`, CodebasesResource.zstd_level) keeps
    standard-library sources in at most 95 % of what the default level 3 stores, and reads back."""
    from resources.codebase.store import CodebaseStore

    store = CodebaseStore(vault, zstd_level=6)
    tree = helpers.copy_stdlib_subset(tmp_path / "tree", packages=("email", "json", "unittest"))
    sid = archiver.snapshot(store, tree, name="t").info.snapshot_id
    index = store.index(reload=True)
    chunks = {name: length for e in store.entries(sid) for name, length in e.chunks}
    stored = sum(index[name].length for name in chunks)
    at_default = sum(len(vault.seal(store.read_chunk(name, length), kind="codebase_chunk", record_id=name))
                     for name, length in chunks.items())
    assert stored <= 0.95 * at_default, f"stored {stored} bytes, {stored / at_default:.3f} of the default level's"
    restore(store, sid, tmp_path / "out")
    helpers.assert_same_tree(tree, tmp_path / "out")


def test_manifest_lines_stay_byte_identical_to_the_json_form():
    """Lines are built without json.dumps; they must equal its output, or a tree stored by an
    earlier version would no longer be recognised as unchanged (tree_hash of the body)."""
    import json
    import random

    from resources.codebase import manifest as mf

    def reference(e: mf.Entry) -> bytes:
        obj = {"t": e.kind}
        mf._put_bytes(obj, "p", e.path)
        obj["m"], obj["mt"] = e.mode, e.mtime_ns
        if e.kind == "f":
            obj.update({"s": e.size, "c": [[n, ln] for n, ln in e.chunks], "i": e.ino, "ct": e.ctime_ns})
            if e.oid:
                obj["o"] = e.oid
        elif e.kind == "l":
            mf._put_bytes(obj, "l", e.target)
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"

    rng = random.Random(7)
    paths = [b"a.py", "ünï ✓\"\\\n\t\x01\u2028".encode(), b"caf\xe9", "日本/\U0001F600".encode(), b"\x7f\x1f/x"]
    entries = [mf.Entry(path=p, kind=k, mode=rng.randrange(0o7777), mtime_ns=rng.randrange(-10**18, 10**19),
                        size=rng.randrange(10**12), chunks=[(rng.randbytes(32).hex(), rng.randrange(1 << 22))
                                                            for _ in range(rng.randrange(4))],
                        target=rng.choice(paths), ino=rng.randrange(1 << 62), ctime_ns=rng.randrange(10**19),
                        oid=rng.choice(["", rng.randbytes(20).hex()]))
               for p in paths for k in "fdl"]
    body = b"".join(mf.encode_entry(e) for e in entries)
    assert body == b"".join(reference(e) for e in entries)
    assert [mf.encode_entry(e) for e in mf.decode_entries(body)] == [reference(e) for e in entries]
