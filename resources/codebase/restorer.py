"""Restoring a snapshot (restic's restorer): byte-exact, every chunk verified, never a bad or partial file.

Folders first (mode 0700 while filling), files by a thread pool (a file of one chunk is
verified before it is created; a bigger one goes to a temp name and is renamed only when
complete), symlinks last (so nothing is written through them), then folder modes and
mtimes deepest first. Errors are collected and reported together, each naming the pack
file, the chunk and the tree paths that use it.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import secrets
import shutil
import stat
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from resources.codebase import manifest as mf
from resources.codebase.selection import DIR, LINK
from resources.codebase.store import (ChunkProblem, CodebaseError, CodebaseIntegrityError, CodebaseStore, Problem,
                                      Progress)

WINDOW = 8  # batches in flight at most
BATCH_FILES = 32  # files per worker job
BATCH_BYTES = 4 << 20  # or this much content


@dataclass
class RestoreResult:
    files: int = 0
    dirs: int = 0
    links: int = 0
    bytes: int = 0


def restore(store: CodebaseStore, snapshot_id: str, dest: Path | str, *, force: bool = False,
            progress: Progress | None = None) -> RestoreResult:
    """Write the snapshot's tree into `dest`, verifying every chunk. Byte-exact."""
    info = store.get(snapshot_id)
    store.close()
    store.index(reload=True)
    _, entries = store.read_manifest(info)
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        if not dest.is_dir() or dest.is_symlink():
            raise CodebaseError(f"destination exists and is not a directory: {dest}")
        if not force and any(os.scandir(dest)):
            raise CodebaseError(f"destination is not empty: {dest} (use --force to write into it)")
    dest.mkdir(parents=True, exist_ok=True)
    dest_b = os.fsencode(str(dest.resolve()))
    result = RestoreResult()
    problems: dict[str, Problem] = {}
    dirs: list[mf.Entry] = []
    links: list[mf.Entry] = []
    for e in entries:
        mf.check_rel_path(e.path)

    with cf.ThreadPoolExecutor(store.workers, thread_name_prefix="mira-restore") as pool:
        futures: deque = deque()
        batch: list[tuple[mf.Entry, bytes]] = []
        batch_bytes = 0
        for e in entries:
            target = os.path.join(dest_b, e.path)
            if e.kind == DIR:
                _make_dir(target)  # before any file inside it is queued
                dirs.append(e)
                result.dirs += 1
            elif e.kind == LINK:
                links.append(e)
            else:
                batch.append((e, target))
                batch_bytes += e.size
                if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                    futures.append(pool.submit(_restore_batch, store, batch))
                    batch, batch_bytes = [], 0
                    while len(futures) > WINDOW:
                        _collect(futures.popleft().result(), problems, result, progress)
        if batch:
            futures.append(pool.submit(_restore_batch, store, batch))
        while futures:
            _collect(futures.popleft().result(), problems, result, progress)

    for e in links:
        target = os.path.join(dest_b, e.path)
        _remove_any(target)
        os.symlink(e.target, target)
        with contextlib.suppress(OSError, NotImplementedError):
            os.utime(target, ns=(e.mtime_ns, e.mtime_ns), follow_symlinks=False)
        result.links += 1
    for e in reversed(dirs):
        target = os.path.join(dest_b, e.path)
        os.chmod(target, e.mode)
        os.utime(target, ns=(e.mtime_ns, e.mtime_ns))
    store.close()
    if problems:
        raise CodebaseIntegrityError(f"restore of {snapshot_id}", list(problems.values()))
    return result


def _collect(done: list[tuple[mf.Entry, Problem | None]], problems: dict[str, Problem], result: RestoreResult,
             progress: Progress | None) -> None:
    size = 0
    for entry, p in done:
        if p is not None:
            old = problems.get(p.path)
            problems[p.path] = Problem(p.path, p.reason, (old.files if old else ()) + (entry.display,))
            continue
        result.files += 1
        size += entry.size
    result.bytes += size
    if progress:
        progress(size)


def _restore_batch(store: CodebaseStore, batch: list[tuple[mf.Entry, bytes]]) -> list[tuple[mf.Entry, Problem | None]]:
    """Restore a run of files in one worker: one hand-off per batch, not per file (thread
    hand-offs, futex calls under the GIL, were the per-file cost: 15 per file)."""
    out = []
    for entry, target in batch:
        try:
            _restore_file(store, entry, target)
        except ChunkProblem as cp:
            out.append((entry, cp.problem))
        else:
            out.append((entry, None))
    return out


def _restore_file(store: CodebaseStore, e: mf.Entry, target: bytes) -> None:
    """Write one file. A file of one chunk is verified before it is created; a bigger one
    goes to a temp name and is renamed only when complete. Never a bad or partial file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    if len(e.chunks) <= 1:
        data = store.read_chunk(*e.chunks[0]) if e.chunks else b""
        try:
            fd = os.open(target, flags, 0o600)
        except FileExistsError:  # --force over an existing path: replace it atomically below
            pass
        else:
            _fill(fd, e, [data], target)
            return
    parent, base = os.path.split(target)
    tmp = os.path.join(parent, b"." + base + b".mira-restore." + secrets.token_hex(4).encode() + b".tmp")
    fd = os.open(tmp, flags, 0o600)
    _fill(fd, e, (store.read_chunk(name, length) for name, length in e.chunks), tmp)
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    os.replace(tmp, target)


def _fill(fd: int, e: mf.Entry, pieces, path: bytes) -> None:
    ok = False
    try:
        for piece in pieces:
            view = memoryview(piece)
            while view:
                view = view[os.write(fd, view):]
        os.fchmod(fd, e.mode)
        os.utime(fd, ns=(e.mtime_ns, e.mtime_ns))
        ok = True
    finally:
        os.close(fd)
        if not ok:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


def _remove_any(path: bytes) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _make_dir(path: bytes) -> None:
    try:
        os.mkdir(path, 0o700)
        return
    except FileExistsError:
        pass
    st = os.lstat(path)
    if stat.S_ISDIR(st.st_mode):
        os.chmod(path, stat.S_IMODE(st.st_mode) | 0o700)
        return
    os.unlink(path)  # a file or a link where the snapshot has a directory (--force)
    os.mkdir(path, 0o700)
