"""Taking a snapshot (restic's archiver): walk a tree, store new chunks in packs, commit a manifest.

Write order makes every crash safe: packs (content and tree chunks) are committed, index
last, before the manifest that references them; the manifest and its .meta are written
atomically after that. An interrupted snapshot therefore leaves at most committed but
unreferenced chunks (reused by the next run, which completes the work) and temps (swept).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import io
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Sequence

from resources.codebase import manifest as mf
from resources.codebase.chunking import SMALL_FILE, cut_tree, iter_chunks
from resources.codebase.packs import PackWriter
from resources.codebase.selection import DIR, FILE, WalkStats
from resources.codebase.sources import LiveTree, TreeSource, Vanished
from resources.codebase.store import (MANIFEST_KIND, NAME_RESERVED_BYTES, CodebaseError, CodebaseStore, Progress,
                                      SnapshotInfo, default_name, safe_name, utc_day)

WINDOW = 1024  # entries waiting at most (written in walk order); a big file at the front must not idle the other workers
BATCH_FILES = 16  # files per worker job
BATCH_BYTES = 1 << 20  # or this much content
MAX_INFLIGHT = 16 << 20  # content bytes read by the main thread and waiting for a worker


@dataclass
class SnapshotResult:
    info: SnapshotInfo
    unchanged: bool  # True: an identical snapshot with this id was already stored (no write)
    stats: WalkStats = field(default_factory=WalkStats)


class ChunkWriter:
    """Dedup bookkeeping for one snapshot run, in front of a PackWriter."""

    def __init__(self, store: CodebaseStore):
        self.store = store
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.packs = PackWriter(store.root, store.vault, store.namer, sync=store.sync)
        self.new_chunks = 0
        self.new_bytes = 0
        self.new_plain = 0

    def claim(self, name: str) -> bool:
        """True if the caller must store chunk `name` (not stored, not being stored)."""
        with self.lock:
            if name in self.seen:
                return False
            self.seen.add(name)
        return name not in self.store.index()

    def put(self, name: str, blob: bytes, plain_len: int) -> None:
        self.packs.add(name, blob, plain_len)
        with self.lock:
            self.new_chunks += 1
            self.new_bytes += len(blob)
            self.new_plain += plain_len

    def store_chunk(self, data: bytes) -> str:
        """Name a chunk and, unless the store has it, seal and pack it. Returns its name."""
        store = self.store
        cname = store.namer.chunk_name(data)
        if self.claim(cname):
            self.put(cname, store.seal_chunk(data, cname), len(data))
        return cname

    def flush(self) -> None:
        self.packs.flush()
        self.store.index().update(self.packs.written)

    def abort(self) -> None:
        self.packs.abort()


def snapshot(
    store: CodebaseStore,
    source: Path | str | TreeSource,
    *,
    name: str | None = None,
    snapshot_id: str | None = None,
    day: dt.date | str | None = None,
    excludes: Sequence[str] = (),
    parent: str | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    now: float | None = None,
) -> SnapshotResult:
    """Snapshot a tree: a folder as it is now (a path), or a source object (`sources`, `gittree`).

    Without `snapshot_id` a new id `<name>_<YYYYmmddTHHMMSSZ>_<6 hex>` is made. With an
    id that exists: an identical tree is a no-op (`unchanged=True`), a different
    tree replaces it. `day` (default: today, UTC) decides the YYYY-MM folder.
    `parent` (default: the newest snapshot of the same name) lets unchanged files
    (live: same size, mtime, ctime, inode; git: same blob) reuse their chunk list without
    being read; `use_cache=False` reads every file. `excludes` apply to a folder given as
    a path (a source object carries its own).
    """
    started = time.perf_counter()
    if isinstance(source, (str, Path)):
        source = _live_source(store, Path(source), excludes)
        name = name or default_name(source.root)
    if not name:
        raise CodebaseError("a snapshot of a git commit or an imported tree needs a codebase name")
    name = safe_name(name, "codebase name", NAME_RESERVED_BYTES)
    now = time.time() if now is None else now
    day_s = (day.isoformat() if isinstance(day, dt.date) else str(day)) if day else utc_day(now)
    dt.date.fromisoformat(day_s)
    if snapshot_id is None:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        snapshot_id = f"{name}_{stamp}_{secrets.token_hex(3)}"
    safe_name(snapshot_id, "snapshot id")

    store.close()
    with store.lock(exclusive=False):
        store.index(reload=True)
        existing = store.find(snapshot_id)
        parent_info = store.find(parent) if parent else store.latest(name)
        cache = _file_cache(store, parent_info) if use_cache else {}
        writer = ChunkWriter(store)
        stats = WalkStats()
        try:
            body, counts = _build_manifest(store, source, stats, cache, writer, progress)
            data_new = (writer.new_chunks, writer.new_bytes, writer.new_plain)
            tree_chunks = [(writer.store_chunk(piece), len(piece)) for piece in cut_tree(body)]
            writer.flush()
        except BaseException:
            writer.abort()
            raise
        finally:
            source.close()
        tree = store.namer.tree_hasher()
        tree.update(body)
        tree_hash = tree.hexdigest()
        store.close()
        if existing is not None and existing.meta.get("tree_hash") == tree_hash and existing.enc_path.exists():
            return SnapshotResult(info=existing, unchanged=True, stats=stats)

        plain = mf.encode_header({"snapshot_id": snapshot_id, "name": name, "day": day_s,
                                  "tree": [[n, length] for n, length in tree_chunks]})
        blob = store.vault.seal(plain, kind=MANIFEST_KIND, record_id=snapshot_id)
        enc_path, meta_path = store.snapshot_paths(snapshot_id, day_s)
        unique_stored = store.stored_size(counts["unique"])
        tree_stored = store.stored_size(dict(tree_chunks))
        meta = {
            "snapshot_id": snapshot_id,
            "name": name,
            "timestamp": now,
            "day": day_s,
            **source.describe(),  # source, capture ("live", "git", "import"), commit, ...
            "file_count": counts["files"],
            "dir_count": counts["dirs"],
            "symlink_count": counts["links"],
            "total_size": counts["total"],
            "chunk_count": len(counts["unique"]),
            "unique_size": sum(counts["unique"].values()),
            "stored_bytes": unique_stored + tree_stored + len(blob),
            "new_bytes": writer.new_bytes + len(blob),
            "new_chunks": data_new[0],
            "new_data_bytes": data_new[1],
            "new_plain_bytes": data_new[2],
            "new_tree_chunks": writer.new_chunks - data_new[0],
            "read_bytes": counts["read"],
            "tree_chunks": len(tree_chunks),
            "tree_bytes": len(body),
            "manifest_bytes": len(blob) + tree_stored,
            "ignored": stats.ignored,
            "skipped_special": stats.skipped_special,
            "parent": parent_info.snapshot_id if parent_info else None,
            "tree_hash": tree_hash,
            "format": mf.VERSION,
            "duration_s": round(time.perf_counter() - started, 3),
        }
        info = SnapshotInfo(snapshot_id, name, now, day_s, meta, meta_path, enc_path)
        store.commit_snapshot(info, blob, replaces=existing)
        return SnapshotResult(info=info, unchanged=False, stats=stats)


def _live_source(store: CodebaseStore, root: Path, excludes: Sequence[str]) -> LiveTree:
    if not root.is_dir():
        raise CodebaseError(f"not a directory: {root}")
    excludes = list(excludes)
    try:  # never snapshot the vault into itself
        inside = store.vault_root.resolve().relative_to(root.resolve())
        excludes.append("/" + inside.as_posix().replace("[", "\\[") + "/")
    except ValueError:
        pass
    return LiveTree(root, excludes)


def _file_cache(store: CodebaseStore, parent: SnapshotInfo | None) -> dict[bytes, mf.Entry]:
    if parent is None:
        return {}
    try:
        _, entries = store.read_manifest(parent)
    except CodebaseError:
        return {}  # an unreadable parent only costs speed
    return {e.path: e for e in entries if e.kind == FILE}


class _Job:
    """A run of files one worker stores: one thread hand-off per batch, not per file (the
    hand-offs, futex calls under the GIL, were the per-file cost: about 23 per file)."""

    __slots__ = ("items", "bytes", "future")

    def __init__(self):
        self.items: list[tuple[object, int, bool]] = []  # (handle, size, False) or (content, size, True)
        self.bytes = 0
        self.future: cf.Future | None = None


def _build_manifest(store: CodebaseStore, source: TreeSource, stats: WalkStats, cache: dict[bytes, mf.Entry],
                    writer: ChunkWriter, progress: Progress | None) -> tuple[bytes, dict]:
    parts: list[bytes] = []
    counts = {"files": 0, "dirs": 0, "links": 0, "total": 0, "read": 0, "unique": {}}
    pending: deque = deque()  # (entry, job or None, index in the job, content bytes held in memory for it)
    held = 0
    filling = _Job()

    def emit(entry: mf.Entry) -> None:
        parts.append(mf.encode_entry(entry))
        if entry.kind == FILE:
            counts["files"] += 1
            counts["total"] += entry.size
            for cname, length in entry.chunks:
                counts["unique"][cname] = length
        elif entry.kind == DIR:
            counts["dirs"] += 1
        else:
            counts["links"] += 1

    def submit() -> None:
        nonlocal filling
        if filling.items:
            filling.future = pool.submit(_run_job, source, filling.items, writer)
            filling = _Job()

    def drain(block: bool) -> None:
        nonlocal held
        while pending:
            entry, job, i, size = pending[0]
            must = block or len(pending) > WINDOW or held > MAX_INFLIGHT
            if job is not None and job.future is None:  # the front waits in the job being filled
                if not must:
                    return
                submit()
            if not (must or job is None or job.future.done()):
                return
            pending.popleft()
            held -= size
            if job is not None:
                done = job.future.result()[i]
                if done is None:  # deleted between the walk and the read: not in the snapshot
                    continue
                entry.chunks, entry.size, read = done
                counts["read"] += read
                if progress:
                    progress(entry.size)
            emit(entry)

    index = store.index()
    with cf.ThreadPoolExecutor(store.workers, thread_name_prefix="mira-chunk") as pool:
        for entry, handle in source.entries(stats):
            job, i, size = None, 0, 0
            if entry.kind == FILE:
                old = cache.get(entry.path)
                if old is not None and source.unchanged(old, entry) and all(n in index for n, _ in old.chunks):
                    entry.chunks = list(old.chunks)
                    if progress:
                        progress(entry.size)
                elif source.parallel_reads or entry.size <= SMALL_FILE:
                    if source.parallel_reads:  # the worker opens and reads the file
                        item = (handle, entry.size, False)
                    else:  # one reader (a git pipe): read here, seal in the pool
                        with source.open(handle) as fh:
                            content = fh.read()
                        item, size = (content, len(content), True), len(content)
                    job, i = filling, len(filling.items)
                    filling.items.append(item)
                    filling.bytes += entry.size
                    if len(filling.items) >= BATCH_FILES or filling.bytes >= BATCH_BYTES:
                        submit()
                else:  # a big file from the one reader: cut and sealed here, a chunk at a time
                    job, i = _Job(), 0
                    job.future = cf.Future()
                    with source.open(handle) as fh:
                        job.future.set_result([_store_stream(fh, entry.size, writer)])
            pending.append((entry, job, i, size))
            held += size
            drain(block=False)
        drain(block=True)
    return b"".join(parts), counts


def _run_job(source: TreeSource, items: list[tuple[object, int, bool]], writer: ChunkWriter) -> list:
    """Store each file of a job: [(chunks, size, bytes read)], None for a file that vanished."""
    out: list = []
    for what, size, is_content in items:
        if is_content:
            out.append(_store_bytes(what, writer))
            continue
        try:
            if size <= SMALL_FILE:
                out.append(_store_bytes(source.read(what, size), writer))
            else:
                with source.open(what) as fh:
                    out.append(_store_stream(fh, size, writer))
        except Vanished:
            out.append(None)
    return out


def _store_bytes(data: bytes, writer: ChunkWriter) -> tuple[list[tuple[str, int]], int, int]:
    if len(data) <= SMALL_FILE:
        return ([(writer.store_chunk(data), len(data))] if data else []), len(data), len(data)
    return _store_stream(io.BytesIO(data), len(data), writer)  # grew past one chunk while we read it


def _store_stream(fh: BinaryIO, size: int, writer: ChunkWriter) -> tuple[list[tuple[str, int]], int, int]:
    chunks: list[tuple[str, int]] = []
    total = 0
    for data in iter_chunks(fh, size):
        chunks.append((writer.store_chunk(data), len(data)))
        total += len(data)
    return chunks, total, total
