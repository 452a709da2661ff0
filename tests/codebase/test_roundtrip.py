"""Byte-exact restore: a tree of awkward files, the running interpreter's standard library, this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from resources.codebase import archiver
from resources.codebase.restorer import restore
from resources.codebase.store import CodebaseError

REPO = Path(__file__).resolve().parents[2]


def test_special_files_round_trip(store, tmp_path, helpers):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside the tree: must never be read\n")
    src = helpers.make_special_tree(tmp_path / "src", outside)
    res = archiver.snapshot(store, src, name="special")
    entries = {e.path: e for e in store.entries(res.info.snapshot_id)}
    assert entries[b"link_out"].kind == "l" and entries[b"link_out"].target == os.fsencode(str(outside))
    assert entries[b"link_dir"].kind == "l" and not any(p.startswith(b"link_dir/") for p in entries)
    assert not any(b"secret" in p for p in entries)
    assert entries[b"caf\xe9-\xff.txt"].kind == "f" and entries[b"dir-\xfe"].kind == "d"
    assert entries[b"src/empty.txt"].size == 0 and entries[b"src/empty.txt"].chunks == []
    assert len(entries[b"big.bin"].chunks) >= 2
    assert res.info.meta["symlink_count"] == 4

    out = tmp_path / "restored"
    restore(store, res.info.snapshot_id, out)
    n = helpers.assert_same_tree(src, out)
    assert n == len(entries)
    assert os.stat(out / "bin" / "run.sh").st_mode & 0o777 == 0o755
    assert os.readlink(out / "link_out") == str(outside)
    assert (out / "empty_dir").is_dir() and not any((out / "empty_dir").iterdir())
    assert os.stat(out / "blob.bin").st_mtime_ns == os.stat(src / "blob.bin").st_mtime_ns


def test_restore_refuses_non_empty_dest_unless_forced(store, tmp_path, helpers):
    src = helpers.make_special_tree(tmp_path / "src", tmp_path)
    sid = archiver.snapshot(store, src, name="special").info.snapshot_id
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "src").write_text("a file where the snapshot has a folder")
    os.symlink("/etc", dest / "bin")
    with pytest.raises(CodebaseError, match="not empty"):
        restore(store, sid, dest)
    restore(store, sid, dest, force=True)
    helpers.assert_same_tree(src, dest)
    restore(store, sid, dest, force=True)  # twice: same tree
    helpers.assert_same_tree(src, dest)


@pytest.mark.slow
def test_stdlib_round_trip(store, tmp_path, helpers):
    """The running interpreter's standard library, byte-exact: every module, package, data file and
    extension module (lib-dynload), without site-packages, bytecode and the static libpython of config-*/."""
    res = archiver.snapshot(store, helpers.STDLIB, name="stdlib", excludes=helpers.STDLIB_EXCLUDES + ["/config-*/"])
    assert res.info.file_count > 1000
    out = tmp_path / "stdlib"
    restore(store, res.info.snapshot_id, out)
    selected = {e.path for e in store.entries(res.info.snapshot_id)}
    assert helpers.assert_same_tree(helpers.STDLIB, out, only=selected) == len(selected)
    assert set(helpers.tree_listing(out)) == selected


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_repository_round_trip_matches_git(store, tmp_path, helpers):
    """This repository: the files taken are exactly git's (tracked + untracked, not ignored), restored exactly."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, symlinks=True, ignore=shutil.ignore_patterns(".venv", "mira_data", "dagster_home"))
    res = archiver.snapshot(store, copy, name="mira-storage")
    out = tmp_path / "restored"
    restore(store, res.info.snapshot_id, out)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=copy,
                            capture_output=True, check=True).stdout
    git_files = {p for p in listed.split(b"\0") if p and os.path.lexists(os.path.join(os.fsencode(str(copy)), p))}
    ours = {e.path for e in store.entries(res.info.snapshot_id) if e.kind != "d"}
    assert ours == git_files
    selected = {e.path for e in store.entries(res.info.snapshot_id)}
    helpers.assert_same_tree(copy, out, only=selected)


def test_vault_inside_the_tree_is_left_out(tmp_path, vault_key):
    from resources.codebase.store import CodebaseStore
    from resources.vault.keyring import Keyring
    from resources.vault.store import Vault

    src = tmp_path / "proj"
    (src / "code").mkdir(parents=True)
    (src / "code" / "a.py").write_text("a = 1\n")
    store = CodebaseStore(Vault(src / "data" / "vault", Keyring.load(key_b64=vault_key)))
    archiver.snapshot(store, src, name="p")
    info = archiver.snapshot(store, src, name="p").info
    paths = {e.path for e in store.entries(info.snapshot_id)}
    assert b"code/a.py" in paths and not any(p.startswith(b"data/vault") for p in paths)
