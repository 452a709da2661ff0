"""Fixtures for the codebase snapshot store: a vault in tmp_path, trees to snapshot, tree comparison."""

from __future__ import annotations

import os
import random
import shutil
import stat
import sysconfig
from pathlib import Path
from types import SimpleNamespace

import pytest

from resources.codebase.store import CodebaseStore
from resources.hosted_stores import hosted_stores
from resources.vault.keyring import Keyring
from resources.vault.store import Vault

STDLIB = Path(sysconfig.get_paths()["stdlib"])
STDLIB_EXCLUDES = ["__pycache__/", "site-packages/", "*.pyc"]


@pytest.fixture
def data_root(tmp_path, monkeypatch, vault_key) -> Path:
    root = tmp_path / "mira_data"
    monkeypatch.setenv("MIRA_DATA", str(root))
    return root


@pytest.fixture
def vault(data_root, vault_key) -> Vault:
    return Vault(data_root / "databases" / "lightning_vidmem", Keyring.load(key_b64=vault_key), hosted=hosted_stores())


@pytest.fixture
def store(vault) -> CodebaseStore:
    return CodebaseStore(vault)


def tree_listing(root: Path, skip=(b".git",)) -> dict[bytes, tuple]:
    """diff -r semantics plus modes and links: relpath -> (type, mode, content or link target)."""
    root_b = os.fsencode(str(root))
    out: dict[bytes, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root_b):
        dirnames[:] = [d for d in dirnames if d not in skip]
        rel_dir = os.path.relpath(dirpath, root_b)
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", stat.S_IMODE(st.st_mode))
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as fh:
                    out[rel] = ("f", stat.S_IMODE(st.st_mode), fh.read())
    return out


def assert_same_tree(a: Path, b: Path, only: set[bytes] | None = None) -> int:
    la, lb = tree_listing(a), tree_listing(b)
    if only is not None:
        la = {k: v for k, v in la.items() if k in only}
    missing = sorted(set(la) - set(lb))[:5]
    extra = sorted(set(lb) - set(la))[:5]
    assert not missing and not extra, f"missing in restore: {missing}; extra: {extra}"
    bad = [k for k in la if la[k] != lb[k]][:5]
    assert not bad, f"differ (type/mode/content/link): {bad}"
    return len(la)


def copy_stdlib_subset(dest: Path, packages=("test", "email", "json", "encodings", "idlelib", "unittest", "asyncio")) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for pkg in packages:
        shutil.copytree(STDLIB / pkg, dest / pkg, ignore=shutil.ignore_patterns("__pycache__"), symlinks=True)
    for f in sorted(STDLIB.glob("*.py"))[:60]:
        shutil.copy2(f, dest / f.name)
    return dest


def make_special_tree(root: Path, outside: Path) -> Path:
    """Binary, empty, executable, read-only, symlinks (in, out, dangling, to a dir), empty dirs, non-UTF-8 names."""
    root.mkdir(parents=True)
    (root / "src").mkdir()
    (root / "src" / "main.py").write_text("print('hello')\n")
    (root / "src" / "empty.txt").write_bytes(b"")
    (root / "bin").mkdir()
    (root / "bin" / "run.sh").write_text("#!/bin/sh\necho run\n")
    os.chmod(root / "bin" / "run.sh", 0o755)
    (root / "readonly.txt").write_text("do not touch\n")
    os.chmod(root / "readonly.txt", 0o444)
    (root / "blob.bin").write_bytes(bytes(range(256)) * 64 + os.urandom(3000))
    (root / "big.bin").write_bytes(random.Random(3).randbytes(3 << 20))  # seeded: this one is cut into several chunks
    (root / "empty_dir").mkdir()
    (root / "nested" / "deeper" / "emptier").mkdir(parents=True)
    (root / "private_dir").mkdir(mode=0o700)
    (root / "private_dir" / "x").write_text("x")
    os.chmod(root / "private_dir", 0o750)
    os.symlink("src/main.py", root / "link_in")
    os.symlink("src", root / "link_dir")
    os.symlink(str(outside), root / "link_out")
    os.symlink("does/not/exist", root / "dangling")
    bad_name = os.path.join(os.fsencode(str(root)), b"caf\xe9-\xff.txt")
    with open(bad_name, "wb") as fh:
        fh.write(b"latin-1 name\n")
    os.mkdir(os.path.join(os.fsencode(str(root)), b"dir-\xfe"))
    (root / "unicodé ✓.md").write_text("ünïcödé\n", encoding="utf-8")
    return root


def flip_chunk_byte(store, name: str) -> str:
    """Flip one byte inside a stored chunk (in its pack); returns the pack's path relative to the vault root."""
    from resources.codebase.packs import pack_paths

    loc = store.index(reload=True)[name]
    pack = pack_paths(store.root, loc.pack)[0]
    data = bytearray(pack.read_bytes())
    data[loc.offset + loc.length - 5] ^= 0x01
    pack.write_bytes(bytes(data))
    return store.rel(pack)


def snapshot_peak_memory(store, root: Path, name: str) -> tuple[dict, int]:
    """(.meta, peak bytes of Python memory) of a snapshot of `root`."""
    import tracemalloc

    from resources.codebase import archiver

    tracemalloc.start()
    try:
        meta = archiver.snapshot(store, root, name=name).info.meta
        return meta, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def helpers():
    return SimpleNamespace(tree_listing=tree_listing, assert_same_tree=assert_same_tree,
                           copy_stdlib_subset=copy_stdlib_subset, make_special_tree=make_special_tree, flip_chunk_byte=flip_chunk_byte,
                           snapshot_peak_memory=snapshot_peak_memory, STDLIB=STDLIB, STDLIB_EXCLUDES=STDLIB_EXCLUDES)
