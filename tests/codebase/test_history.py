"""Backfills never rewrite codebase history: a past day of a git tree is its commit's tree, a plain
folder stands only for today and yesterday, and a past day's snapshot is never replaced."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import tarfile
from pathlib import Path

import dagster as dg
import pytest

from pipeline.helpers import assets_named
from resources.codebase import archiver, checker
from resources.codebase.config import CodebaseSpec
from resources.codebase.daily import KEPT, NOT_CAPTURED, UNCHANGED, WRITTEN, snapshot_day
from resources.codebase.restorer import restore
from resources.codebase_resource import CodebasesResource
from resources.data_root_resource import DataRootResource
from resources.vault_resource import VaultResource


def _ts(moment: str) -> float:
    return dt.datetime.fromisoformat(moment).replace(tzinfo=dt.timezone.utc).timestamp()


def _git(repo: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{when} +0000"
    return subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True).stdout.strip()


def _commit(repo: Path, when: str, files: dict[str, str | None]) -> str:
    for rel, text in files.items():
        path = repo / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"at {when}", when=when)
    return _git(repo, "rev-parse", "HEAD")


def _committed_tree(repo: Path, commit: str, dest: Path, excludes=()) -> dict[bytes, tuple]:
    """What `git archive` says the commit holds: path -> (exec bit, content) or ("link", target)."""
    tar = dest.with_suffix(".tar")
    _git(repo, "archive", "-o", str(tar), commit)
    out = {}
    with tarfile.open(tar) as tf:
        for m in tf.getmembers():
            if any(m.name == x or m.name.startswith(x + "/") for x in excludes):
                continue
            if m.isfile():
                out[m.name.encode()] = (bool(m.mode & 0o100), tf.extractfile(m).read())
            elif m.issym():
                out[m.name.encode()] = ("link", m.linkname.encode())
    return out


def _restored_tree(root: Path) -> dict[bytes, tuple]:
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix().encode()
        if p.is_symlink():
            out[rel] = ("link", os.readlink(p).encode())
        elif p.is_file():
            out[rel] = (bool(p.stat().st_mode & 0o100), p.read_bytes())
    return out


def _files(root: Path) -> dict:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file() and p.name != ".lock"}


@pytest.fixture
def repo(tmp_path):
    """A git repository with commits on 2026-10-02, 10-04 and 10-05 (the last one second of the day),
    one just after midnight on 10-06, an ignored file, and uncommitted work in the working tree."""
    repo = tmp_path / "proj"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    commits = {
        "2026-10-02": _commit(repo, "2026-10-02 09:00:00", {".gitignore": "*.log\n", "app.py": "print(1)\n",
                                                            "secret/notes.txt": "excluded by config\n"}),
        "2026-10-04": _commit(repo, "2026-10-04 15:30:00", {"app.py": "print(2)\n", "lib/util.py": "X = 1\n"}),
        "2026-10-05": _commit(repo, "2026-10-05 23:59:59", {"lib/util.py": None, "run.sh": "#!/bin/sh\n"}),
    }
    os.chmod(repo / "run.sh", 0o755)
    os.symlink("app.py", repo / "main.py")
    commits["2026-10-05"] = _commit(repo, "2026-10-05 23:59:59", {"run.sh": "#!/bin/sh\necho run\n"})
    commits["2026-10-06"] = _commit(repo, "2026-10-06 00:00:00", {"late.py": "after midnight\n"})
    (repo / "app.py").write_text("print('uncommitted work')\n")  # live tree differs from every commit
    (repo / "debug.log").write_text("ignored\n")
    return repo, commits


def _asset_run(vault, vault_key, spec: dict, day: str, now: str):
    resources = {"vault": VaultResource(data_root=DataRootResource(root=str(vault.root.parent.parent)), root=str(vault.root),
                                        key=vault_key),
                 "codebases": CodebasesResource(codebases=[spec], now_utc=now)}
    result = dg.materialize(assets_named("codebase_snapshots"), resources=resources, partition_key=day,
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    meta = {k: v.value for k, v in result.asset_materializations_for_node("codebase_snapshots")[0].metadata.items()}
    (check,) = result.get_asset_check_evaluations()
    return meta, check


def test_git_backfill_writes_each_day_at_its_commit(repo, store, vault, vault_key, tmp_path):
    repo, commits = repo
    status_before = _git(repo, "status", "--porcelain")  # (git status itself may refresh the index)
    index_before = (repo / ".git" / "index").read_bytes(), (repo / ".git" / "index").stat().st_mtime_ns
    spec = {"name": "proj", "path": str(repo), "excludes": ["secret/"]}
    days = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05"]
    metas = {}
    for day in days:  # a backfill run on 2026-10-07 (every day is past)
        metas[day], check = _asset_run(vault, vault_key, spec, day, now="2026-10-07T02:00:00")
        assert check.passed
    assert metas["2026-10-01"]["not_captured"] == 1 and metas["2026-10-01"]["snapshot_ids"] == ""  # before the first commit
    expected = {"2026-10-02": commits["2026-10-02"], "2026-10-03": commits["2026-10-02"],
                "2026-10-04": commits["2026-10-04"], "2026-10-05": commits["2026-10-05"]}  # not the 00:00:00 one
    for day, commit in expected.items():
        assert metas[day]["written_snapshots"] == 1 and commit[:12] in metas[day]["snapshots"]
        info = store.get(f"proj_{day}")
        assert info.meta["capture"] == "git" and info.meta["commit"] == commit
        out = tmp_path / f"out_{day}"
        restore(store, info.snapshot_id, out)
        assert _restored_tree(out) == _committed_tree(repo, commit, tmp_path / day, excludes=["secret"])
    assert (tmp_path / "out_2026-10-05" / "run.sh").stat().st_mode & 0o111  # exec bit from git
    assert not (tmp_path / "out_2026-10-05" / "late.py").exists()
    # the next day reads only the blobs it has not seen: 10-03 reads nothing, 10-04 the two new files
    assert store.get("proj_2026-10-03").meta["read_bytes"] == 0
    assert store.get("proj_2026-10-04").meta["read_bytes"] == len("print(2)\n") + len("X = 1\n")
    # the user's index and working tree were not touched
    assert ((repo / ".git" / "index").read_bytes(), (repo / ".git" / "index").stat().st_mtime_ns) == index_before
    assert _git(repo, "status", "--porcelain") == status_before
    assert (repo / "app.py").read_text() == "print('uncommitted work')\n"
    assert checker.verify(store) == []


def test_plain_folder_backfill_of_30_days_writes_only_today_and_yesterday(store, vault, vault_key, tmp_path):
    src = tmp_path / "plain"
    src.mkdir()
    (src / "notes.md").write_text("the folder as it is now\n")
    spec = CodebaseSpec(name="plain", path=src)
    now = _ts("2026-10-30T02:00:00")  # the nightly run's moment
    days = [(dt.date(2026, 10, 1) + dt.timedelta(days=i)).isoformat() for i in range(30)]
    states = {day: snapshot_day(store, spec, day, now=now).state for day in days}
    assert {d for d, s in states.items() if s == WRITTEN} == {"2026-10-29", "2026-10-30"}
    assert {d for d, s in states.items() if s == NOT_CAPTURED} == set(days[:28])
    assert [s.snapshot_id for s in store.list_snapshots()] == ["plain_2026-10-29", "plain_2026-10-30"]
    assert all(s.meta["capture"] == "live" for s in store.list_snapshots())
    # through the asset: an old day is reported, not written, and its check does not fail
    meta, check = _asset_run(vault, vault_key, {"name": "plain", "path": str(src)}, "2026-10-12",
                             now="2026-10-30T02:00:00")
    assert meta["not_captured"] == 1 and meta["written_snapshots"] == 0 and meta["snapshot_ids"] == ""
    assert "not_captured" in meta["snapshots"] and check.passed and check.metadata["not_captured"].value == 1
    assert not list(store.root.glob("2026-10/plain_2026-10-12.*"))


def test_rerunning_an_old_day_never_replaces_its_snapshot(repo, store, vault, vault_key, tmp_path):
    repo, commits = repo
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.txt").write_text("yesterday's state\n")
    git_spec = CodebaseSpec(name="proj", path=repo)
    plain_spec = CodebaseSpec(name="plain", path=plain)
    now = _ts("2026-10-07T02:00:00")
    assert snapshot_day(store, git_spec, "2026-10-04", now=now).state == WRITTEN
    assert snapshot_day(store, plain_spec, "2026-10-06", now=now).state == WRITTEN
    before = _files(store.root)

    # same history: a no-op; the plain folder changed: yesterday's snapshot is kept as it was
    (plain / "a.txt").write_text("edited today\n")
    assert snapshot_day(store, git_spec, "2026-10-04", now=now).state == UNCHANGED
    assert snapshot_day(store, plain_spec, "2026-10-06", now=now).state == KEPT
    # history rewritten (a commit backdated into the day): the stored day is still not replaced
    _commit(repo, "2026-10-04 18:00:00", {"app.py": "print('rewritten')\n"})
    later = _ts("2026-11-20T02:00:00")
    assert snapshot_day(store, git_spec, "2026-10-04", now=later).state == KEPT
    assert snapshot_day(store, plain_spec, "2026-10-06", now=later).state == KEPT
    assert _files(store.root) == before

    # a past day written from the live tree by an older version: kept too
    old = tmp_path / "old"
    old.mkdir()
    (old / "x").write_text("live capture")
    archiver.snapshot(store, old, name="proj", snapshot_id="proj_2026-10-05", day="2026-10-05")
    before = _files(store.root)
    meta, check = _asset_run(vault, vault_key, {"name": "proj", "path": str(repo)}, "2026-10-05",
                             now="2026-10-07T02:00:00")
    assert meta["kept_snapshots"] == 1 and meta["written_snapshots"] == 0 and check.passed
    assert _files(store.root) == before
    assert [e.path for e in store.entries("proj_2026-10-05")] == [b"x"]


def test_git_subfolder_with_a_big_file_round_trips(tmp_path, store):
    """A codebase that is a subfolder of a repository; a 3 MiB blob is cut into chunks from the git pipe."""
    repo = tmp_path / "mono"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    big = random.Random(3).randbytes(3 << 20)  # seeded: cut into several chunks
    (repo / "svc" / "data").mkdir(parents=True)
    (repo / "svc" / "data" / "model.bin").write_bytes(big)
    (repo / "svc" / "main.py").write_text("main\n")
    (repo / "other.py").write_text("not in the codebase\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "one", when="2026-10-02 08:00:00")
    spec = CodebaseSpec(name="svc", path=repo / "svc")
    out = snapshot_day(store, spec, "2026-10-03", now=_ts("2026-10-09T00:00:00"))
    assert out.state == WRITTEN and out.commit == _git(repo, "rev-parse", "HEAD")
    assert len(next(e for e in store.entries("svc_2026-10-03") if e.path == b"data/model.bin").chunks) > 1
    restore(store, "svc_2026-10-03", tmp_path / "out")
    assert (tmp_path / "out" / "data" / "model.bin").read_bytes() == big
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["data", "main.py"]
    assert snapshot_day(store, spec, "2026-10-01", now=_ts("2026-10-09T00:00:00")).state == NOT_CAPTURED
