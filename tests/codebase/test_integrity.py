"""Tampering is detected and named (restore, store verify, `mira vault verify`); interrupted snapshots leave a consistent store."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from resources.codebase import archiver, checker
from resources.codebase import prune as pruner
from resources.codebase.packs import pack_paths
from resources.codebase.restorer import restore
from resources.codebase.store import CodebaseIntegrityError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def snap(store, tmp_path, helpers):
    src = helpers.make_special_tree(tmp_path / "src", tmp_path)
    return src, archiver.snapshot(store, src, name="t").info


def _flip(path: Path, at: int = -5) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _chunk_of(store, sid, rel: bytes) -> str:
    return next(e for e in store.entries(sid) if e.path == rel).chunks[0][0]


def test_flipped_chunk_byte_named_by_restore_and_verify(store, vault, snap, tmp_path, helpers):
    src, info = snap
    name = _chunk_of(store, info.snapshot_id, b"src/main.py")
    pack = helpers.flip_chunk_byte(store, name)
    with pytest.raises(CodebaseIntegrityError) as exc:
        restore(store, info.snapshot_id, tmp_path / "out")
    assert pack in str(exc.value) and name in str(exc.value) and "src/main.py" in str(exc.value)
    assert not (tmp_path / "out" / "src" / "main.py").exists()  # a bad file is never written
    assert (tmp_path / "out" / "bin" / "run.sh").read_bytes() == (src / "bin" / "run.sh").read_bytes()
    problems = checker.verify_snapshot(store, info.snapshot_id)
    assert [p.path for p in problems] == [pack] and name in problems[0].reason and problems[0].files == ("src/main.py",)
    problems = checker.verify(store)
    assert [p.path for p in problems] == [pack] and name in problems[0].reason
    vault_problems = vault.verify()
    assert [p.path for p in vault_problems] == [pack] and name in vault_problems[0].reason


def test_tampered_manifest_named(store, vault, snap, tmp_path):
    _, info = snap
    _flip(info.enc_path, at=40)
    rel = store.rel(info.enc_path)
    with pytest.raises(CodebaseIntegrityError, match=rel):
        restore(store, info.snapshot_id, tmp_path / "out")
    assert rel in [p.path for p in vault.verify()]
    assert rel in [p.path for p in checker.verify(store)]


def test_tampered_tree_chunk_named(store, vault, snap, tmp_path, helpers):
    _, info = snap
    header = store.read_manifest(info)[0]
    pack = helpers.flip_chunk_byte(store, header["tree"][0][0])
    with pytest.raises(CodebaseIntegrityError, match=pack):
        restore(store, info.snapshot_id, tmp_path / "out")
    assert pack in [p.path for p in vault.verify()]


def test_tampered_pack_index_named(store, vault, snap, tmp_path):
    _, info = snap
    (pack_id,) = {loc.pack for loc in store.index(reload=True).values()}
    idx = pack_paths(store.root, pack_id)[1]
    _flip(idx)
    assert store.rel(idx) in [p.path for p in vault.verify()]
    assert store.rel(idx) in [p.path for p in checker.verify(store)]
    with pytest.raises(CodebaseIntegrityError):
        restore(store, info.snapshot_id, tmp_path / "out")


def test_swapped_and_missing_packs_named(store, vault, snap, tmp_path):
    src, info = snap
    (src / "new.txt").write_text("a second pack\n" * 100)
    second = archiver.snapshot(store, src, name="t").info
    packs = sorted({loc.pack for loc in store.index(reload=True).values()})
    assert len(packs) == 2
    a, b = (pack_paths(store.root, p)[0] for p in packs)
    da, db = a.read_bytes(), b.read_bytes()
    a.write_bytes(db)
    b.write_bytes(da)
    bad = {p.path for p in vault.verify()}
    assert {store.rel(a), store.rel(b)} <= bad
    a.write_bytes(da)
    b.unlink()
    problems = checker.verify_snapshot(store, second.snapshot_id)
    assert any(p.path == store.rel(b) and "missing" in p.reason for p in problems)
    assert store.rel(pack_paths(store.root, packs[1])[1]) in {p.path for p in vault.verify()}


def test_wrong_key_cannot_restore(store, snap, tmp_path):
    from resources.codebase.store import CodebaseError, CodebaseStore
    from resources.vault.envelope import VaultError
    from resources.vault.keyring import Keyring, generate_key_b64
    from resources.vault.store import Vault

    _, info = snap
    with pytest.raises((VaultError, CodebaseError)):
        other = CodebaseStore(Vault(store.vault_root, Keyring.load(key_b64=generate_key_b64())))
        restore(other, info.snapshot_id, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_interrupted_snapshot_is_consistent_and_next_run_completes(store, vault, tmp_path, helpers, vault_key):
    """A process killed hard (os._exit) in the middle of a snapshot: no snapshot listed, no bad file, rerun completes."""
    src = helpers.copy_stdlib_subset(tmp_path / "tree", packages=("email", "json", "unittest"))
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        sys.path.insert(0, {str(REPO)!r})
        from resources.codebase import archiver, packs, store as st
        from resources.vault.keyring import Keyring
        from resources.vault.store import Vault
        packs.PACK_TARGET = 20_000     # commit small packs
        vault = Vault(Path({str(store.vault_root)!r}), Keyring.from_env())
        s = st.CodebaseStore(vault)
        calls = [0]
        real = vault.seal
        def dying_seal(*a, **k):
            calls[0] += 1
            if calls[0] == 45:
                os._exit(9)            # like SIGKILL: no cleanup, no finally
            return real(*a, **k)
        vault.seal = dying_seal
        archiver.snapshot(s, Path({str(src)!r}), name="t", snapshot_id="t_killed", day="2026-11-01")
    """)
    proc = subprocess.run([sys.executable, "-c", script], env={**os.environ, "MIRA_VAULT_KEY": vault_key})
    assert proc.returncode == 9
    assert store.list_snapshots() == []
    assert checker.verify(store) == [] and vault.verify() == []
    assert len(store.chunk_names()) >= 10  # committed packs survived
    res = archiver.snapshot(store, src, name="t", snapshot_id="t_killed", day="2026-11-01")
    assert res.info.meta["new_chunks"] < res.info.meta["chunk_count"]  # reused what the killed run wrote
    restore(store, "t_killed", tmp_path / "out")
    helpers.assert_same_tree(src, tmp_path / "out")
    assert checker.verify(store) == []
    pruner.prune(store)
    assert not [p for p in store.pack_root.rglob(".*") if p.is_file()]
    assert checker.verify(store) == [] and checker.verify_snapshot(store, "t_killed") == []


def test_exception_mid_snapshot_leaves_no_temps(store, tmp_path, helpers):
    src = helpers.copy_stdlib_subset(tmp_path / "tree", packages=("email",))
    calls = [0]

    def boom(n):
        calls[0] += 1
        if calls[0] == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        archiver.snapshot(store, src, name="t", progress=boom)
    assert store.list_snapshots() == []
    assert not [p for p in store.root.rglob(".*.tmp")]
    assert checker.verify(store) == []
    info = archiver.snapshot(store, src, name="t").info
    restore(store, info.snapshot_id, tmp_path / "out")
    helpers.assert_same_tree(src, tmp_path / "out")


def test_rotation_reseals_packs_and_manifests(store, vault, snap, tmp_path, helpers, vault_key):
    from resources.codebase.store import CodebaseStore
    from resources.vault.keyring import Keyring, generate_key_b64
    from resources.vault.store import Vault

    src, info = snap
    new_key = generate_key_b64()
    rotated = Vault(vault.root, Keyring(Keyring.load(key_b64=new_key).active()[1], [Keyring.load(key_b64=vault_key).active()[1]]),
                    hosted=vault.hosted)
    assert rotated.rotate() > 0
    only_new = CodebaseStore(Vault(vault.root, Keyring.load(key_b64=new_key)))
    restore(only_new, info.snapshot_id, tmp_path / "out")
    helpers.assert_same_tree(src, tmp_path / "out")
    assert checker.verify(only_new) == []
