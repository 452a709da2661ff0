"""Atomic writes: a reader never sees a partial file, even when the writer dies mid-batch."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from resources.vault.atomic import AtomicBatch, atomic_write, is_temp_name, sweep_stale_temps

REPO = Path(__file__).resolve().parents[2]


def _temps(d: Path) -> list[str]:
    return [p.name for p in d.iterdir() if is_temp_name(p.name)]


def test_atomic_write_and_noop(tmp_path):
    p = tmp_path / "a" / "b.bin"
    assert atomic_write(p, b"one") is True
    assert p.read_bytes() == b"one"
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    mtime = p.stat().st_mtime_ns
    assert atomic_write(p, b"one") is False  # identical bytes: no-op
    assert p.stat().st_mtime_ns == mtime
    assert atomic_write(p, b"two") is True and p.read_bytes() == b"two"
    assert _temps(p.parent) == []


@pytest.mark.parametrize("sync", ["auto", "fsync", "none"])
def test_batch_writes_all_and_skips_identical(tmp_path, sync):
    files = {tmp_path / f"d{i % 3}" / f"f{i}.bin": f"data {i}".encode() for i in range(50)}
    with AtomicBatch(sync=sync) as b:
        for p, data in files.items():
            assert b.write(p, data) is True
    assert all(p.read_bytes() == d for p, d in files.items())
    assert b.written == 50
    with AtomicBatch(sync=sync) as b:
        for p, data in files.items():
            assert b.write(p, data) is False
    assert b.unchanged == 50 and b.written == 0
    assert all(_temps(tmp_path / f"d{i}") == [] for i in range(3))


def test_batch_exception_leaves_nothing(tmp_path):
    existing = tmp_path / "keep.bin"
    existing.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with AtomicBatch() as b:
            b.write(existing, b"new")
            for i in range(20):
                b.write(tmp_path / f"f{i}.bin", b"x" * 100)
                b.write(tmp_path / "new" / f"f{i}.bin", b"x" * 100)
            raise RuntimeError("crash mid-batch")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.bin"]
    assert existing.read_bytes() == b"old"


@pytest.mark.parametrize("dir_exists", [True, False])
def test_killed_writer_leaves_no_partial_file(tmp_path, dir_exists):
    """A process killed (SIGKILL) while its batch is staged leaves only temps (or a hidden
    staging directory), which readers ignore and the next write there sweeps away."""
    target = tmp_path / "out"
    if dir_exists:
        target.mkdir()
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from resources.vault.atomic import AtomicBatch
        d = Path({str(target)!r})
        with AtomicBatch() as b:
            for i in range(200):
                b.write(d / f"f{{i}}.bin", b"x" * 4096)
            print("staged", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout.readline().strip() == b"staged"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    if dir_exists:
        names = [p.name for p in target.iterdir()]
        assert len(names) == 200 and all(is_temp_name(n) for n in names)  # only temps, no final file
    else:
        assert not target.exists()
        assert [is_temp_name(p.name) and p.is_dir() for p in tmp_path.iterdir()] == [True]
    atomic_write(target / "next.bin", b"later write")      # sweeps the dead writer's leftovers
    assert [p.name for p in target.iterdir()] == ["next.bin"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_batch_into_new_directory_appears_whole(tmp_path):
    d = tmp_path / "2026" / "03" / "01"
    with AtomicBatch() as b:
        for i in range(10):
            b.write(d / f"f{i}.bin", b"%d" % i)
        b.write(d / "f0.bin", b"again")  # same file twice in one batch: last wins
        assert not d.exists()             # nothing visible before commit
    assert sorted(p.name for p in d.iterdir()) == [f"f{i}.bin" for i in range(10)]
    assert (d / "f0.bin").read_bytes() == b"again"
    assert [p.name for p in d.parent.iterdir()] == ["01"]
    assert b.written == 10


def test_sweep_keeps_live_temps(tmp_path):
    live = tmp_path / f".x.bin.{os.getpid()}.abcd.tmp"
    dead = tmp_path / ".y.bin.999999999.abcd.tmp"
    live.write_bytes(b"1")
    dead.write_bytes(b"2")
    assert sweep_stale_temps(tmp_path) == 1
    assert live.exists() and not dead.exists()
