"""The codebase snapshot store: deduplicated, encrypted, restorable trees.

Layout under the vault root (SPEC §5 keeps the seed's names)::

    codebase_copies/
      .lock                               flock: snapshots share it; forget, prune, rotate take it alone
      packs/<2 hex>/<pack id>.pack        sealed chunks (kind "codebase_chunk", id = chunk name), back to back
      packs/<2 hex>/<pack id>.idx         sealed index of the pack (kind "codebase_pack_index")
      YYYY-MM/<snapshot_id>.enc           sealed manifest (kind "codebase_manifest"): the tree chunk list
      YYYY-MM/<snapshot_id>.meta          plain JSON: counts, sizes, timings (nothing secret)

Write order makes every crash safe: packs (content and tree chunks) are committed, index
last, before the manifest that references them; the manifest and its .meta are written
atomically after that. An interrupted snapshot therefore leaves at most committed but
unreferenced chunks (reused by the next run, which completes the work) and temps (swept).
See docs/codebase.md.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from resources.codebase import manifest as mf
from resources.codebase.chunking import NAMING_PURPOSE, ChunkNamer, cut_tree, iter_chunks
from resources.codebase.packs import (PACK_DIR, PACK_KIND, ChunkLoc, PackWriter, decode_index, iter_pack_ids,
                                      pack_paths, remove_pack)
from resources.codebase.selection import DIR, FILE, LINK, WalkStats, walk_tree
from resources.vault.atomic import AtomicBatch, sweep_stale_temps
from resources.vault.envelope import VaultError, VaultIntegrityError
from resources.vault.ids import id_problem
from resources.vault.store import HostedStore

CHUNK_KIND = "codebase_chunk"
MANIFEST_KIND = "codebase_manifest"
STORE_DIR = "codebase_copies"
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
NAME_RESERVED_BYTES = len("_YYYYmmddTHHMMSSZ_abcdef")  # a name becomes <name>_<stamp>_<6 hex> or <name>_<day>
WINDOW = 64

Progress = Callable[[int], None]


class CodebaseError(Exception):
    """A problem a person can act on; the message is one line and names no secret."""


class SnapshotNotFound(CodebaseError):
    pass


@dataclass(frozen=True)
class Problem:
    """A store file that failed verification, and the tree paths that depend on it."""

    path: str  # relative to the vault root
    reason: str
    files: tuple[str, ...] = ()

    def __str__(self) -> str:
        used = f" (used by {', '.join(self.files[:3])}{', ...' if len(self.files) > 3 else ''})" if self.files else ""
        return f"{self.path}: {self.reason}{used}"


class CodebaseIntegrityError(CodebaseError):
    def __init__(self, what: str, problems: Sequence[Problem]):
        self.problems = list(problems)
        first = "; ".join(str(p) for p in self.problems[:3])
        more = f"; and {len(self.problems) - 3} more" if len(self.problems) > 3 else ""
        super().__init__(f"{what}: {len(self.problems)} problem(s): {first}{more}")


@dataclass(frozen=True)
class SnapshotInfo:
    """A snapshot's plain .meta record."""

    snapshot_id: str
    name: str
    timestamp: float
    day: str
    meta: dict
    meta_path: Path
    enc_path: Path

    @property
    def file_count(self) -> int:
        return int(self.meta.get("file_count", 0))

    @property
    def total_size(self) -> int:
        return int(self.meta.get("total_size", 0))


@dataclass
class SnapshotResult:
    info: SnapshotInfo
    unchanged: bool  # True: an identical snapshot with this id was already stored (no write)
    stats: WalkStats = field(default_factory=WalkStats)


@dataclass
class RestoreResult:
    files: int = 0
    dirs: int = 0
    links: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class DiffItem:
    status: str  # "A" added, "D" removed, "M" content, "T" type, "P" permissions only
    path: str


@dataclass
class PruneResult:
    deleted_chunks: int = 0
    deleted_bytes: int = 0
    kept_chunks: int = 0
    removed_temps: int = 0


def safe_name(value: str, what: str, reserved_bytes: int = 0) -> str:
    """``value`` when the vault can use it in a file name (the project's one id rule), else CodebaseError."""
    problem = id_problem(value, reserved_bytes=reserved_bytes)
    if problem:
        raise CodebaseError(f"invalid {what}: {problem}")
    return value


def default_name(path: Path | str) -> str:
    base = os.path.basename(os.path.abspath(str(path))) or "root"
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip("._-") or "root"
    return cleaned[:100]


class _ChunkWriter:
    """Dedup bookkeeping for one snapshot run, in front of a PackWriter."""

    def __init__(self, store: "CodebaseStore", sync: str):
        self.store = store
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.packs = PackWriter(store.root, store.vault, store.namer, sync=sync)
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

    def flush(self) -> None:
        self.packs.flush()
        self.store.index().update(self.packs.written)

    def abort(self) -> None:
        self.packs.abort()


class CodebaseStore:
    """Snapshots of source trees inside a vault. Needs `vault.root`, `seal`, `unseal`, `naming_key`."""

    def __init__(self, vault, *, workers: int | None = None, sync: str = "auto"):
        self.vault = vault
        self.vault_root = Path(vault.root)
        self.root = self.vault_root / STORE_DIR
        self.pack_root = self.root / PACK_DIR
        self._index: dict[str, ChunkLoc] | None = None
        self._index_problems: list[Problem] = []
        self._fds: dict[str, int] = {}
        self._fd_lock = threading.Lock()
        self.namer = ChunkNamer(vault.naming_key(NAMING_PURPOSE))
        # One thread per core: zstd, hashing and file I/O release the GIL, but more threads than
        # cores only add GIL hand-offs (measured on 2 cores: snapshot -8 %, restore -7 % vs 4 threads).
        self.workers = workers or max(2, min(8, os.cpu_count() or 2))
        self.sync = sync

    # ------------------------------------------------------------------ paths
    def index(self, reload: bool = False) -> dict[str, ChunkLoc]:
        """Chunk name -> where it is, from every pack index (loaded once per store object)."""
        if self._index is None or reload:
            index: dict[str, ChunkLoc] = {}
            problems: list[Problem] = []
            for pack_id in iter_pack_ids(self.root):
                pack_path, idx_path = pack_paths(self.root, pack_id)
                try:
                    plain = self.vault.unseal(idx_path.read_bytes(), kind=PACK_KIND, record_id=pack_id)
                    _, entries = decode_index(plain, pack_id)
                except (VaultError, ValueError, KeyError, TypeError) as e:
                    problems.append(Problem(self.rel(idx_path), getattr(e, "reason", f"pack index unreadable ({type(e).__name__})")))
                    continue
                except OSError:
                    continue
                for name, off, length, plain_len in entries:
                    index.setdefault(name, ChunkLoc(pack_id, off, length, plain_len))
            self._index, self._index_problems = index, problems
        return self._index

    def chunk_where(self, name: str) -> str:
        """Where a chunk is, for messages: the pack file (relative to the vault root)."""
        loc = self.index().get(name)
        if loc is None:
            return f"{STORE_DIR}/{PACK_DIR}: chunk {name}"
        return f"{self.rel(pack_paths(self.root, loc.pack)[0])} (chunk {name[:16]}…)"

    def chunk_names(self) -> set[str]:
        return set(self.index(reload=True))

    def rel(self, path: Path) -> str:
        try:
            return str(Path(path).relative_to(self.vault_root))
        except ValueError:
            return str(path)

    def _month(self, day: str) -> str:
        return day[:7]

    def _paths(self, snapshot_id: str, day: str) -> tuple[Path, Path]:
        folder = self.root / self._month(day)
        return folder / f"{snapshot_id}.enc", folder / f"{snapshot_id}.meta"

    @contextlib.contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # ---------------------------------------------------------------- listing
    def list_snapshots(self, name: str | None = None) -> list[SnapshotInfo]:
        """All snapshots (with a .meta), oldest first: by day, then timestamp, then id."""
        out = []
        if not self.root.is_dir():
            return out
        for month in sorted(os.listdir(self.root)):
            folder = self.root / month
            if not MONTH_RE.match(month) or not folder.is_dir():
                continue
            for fname in sorted(os.listdir(folder)):
                if not fname.endswith(".meta") or fname.startswith("."):
                    continue
                meta_path = folder / fname
                try:
                    meta = json.loads(meta_path.read_text("utf-8"))
                    info = SnapshotInfo(
                        snapshot_id=str(meta["snapshot_id"]), name=str(meta.get("name", "")),
                        timestamp=float(meta["timestamp"]),
                        day=str(meta.get("day") or _utc_day(float(meta["timestamp"]))),
                        meta=meta, meta_path=meta_path, enc_path=meta_path.with_suffix(".enc"))
                except (OSError, ValueError, KeyError, TypeError):
                    continue  # an unreadable .meta is reported by verify
                if name is None or info.name == name:
                    out.append(info)
        out.sort(key=lambda i: (i.day, i.timestamp, i.snapshot_id))
        return out

    def get(self, snapshot_id: str) -> SnapshotInfo:
        for info in self.list_snapshots():
            if info.snapshot_id == snapshot_id:
                return info
        raise SnapshotNotFound(f"no codebase snapshot {snapshot_id!r} under {self.root}")

    def find(self, snapshot_id: str) -> SnapshotInfo | None:
        try:
            return self.get(snapshot_id)
        except SnapshotNotFound:
            return None

    # --------------------------------------------------------------- manifest
    def read_manifest(self, info: SnapshotInfo) -> tuple[dict, list[mf.Entry]]:
        try:
            blob = info.enc_path.read_bytes()
        except FileNotFoundError:
            raise CodebaseIntegrityError(f"snapshot {info.snapshot_id}", [Problem(self.rel(info.enc_path), "manifest missing")]) from None
        return self.decode_manifest_blob(blob, info.snapshot_id, info.enc_path)

    def decode_manifest_blob(self, blob: bytes, snapshot_id: str, path: Path) -> tuple[dict, list[mf.Entry]]:
        """Unseal a manifest, read its tree chunks (verified) and parse the entries."""
        try:
            header = mf.decode_header(self.vault.unseal(blob, kind=MANIFEST_KIND, record_id=snapshot_id))
            tree = mf.tree_chunks(header)
        except (VaultError, ValueError, KeyError, TypeError) as e:
            reason = e.reason if isinstance(e, VaultIntegrityError) else f"manifest unreadable ({type(e).__name__})"
            raise CodebaseIntegrityError(f"snapshot {snapshot_id}", [Problem(self.rel(path), reason)]) from None
        try:
            body = b"".join(self.read_chunk(name, length) for name, length in tree)
        except _ChunkProblem as cp:
            p = cp.problem
            raise CodebaseIntegrityError(f"snapshot {snapshot_id}",
                                         [Problem(p.path, p.reason, (f"tree of {snapshot_id}",))]) from None
        try:
            return header, list(mf.decode_entries(body))
        except (ValueError, KeyError, TypeError) as e:
            raise CodebaseIntegrityError(f"snapshot {snapshot_id}",
                                         [Problem(self.rel(path), f"tree does not parse ({type(e).__name__})")]) from None

    def entries(self, snapshot_id: str) -> list[mf.Entry]:
        try:
            return self.read_manifest(self.get(snapshot_id))[1]
        finally:
            self.close()

    # ---------------------------------------------------------------- snapshot
    def snapshot(
        self,
        source: Path | str,
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
        """Snapshot the tree at `source`.

        Without `snapshot_id` a new id `<name>_<YYYYmmddTHHMMSSZ>_<6 hex>` is made. With an
        id that exists: an identical tree is a no-op (`unchanged=True`), a different
        tree replaces it. `day` (default: today, UTC) decides the YYYY-MM folder.
        `parent` (default: the newest snapshot of the same name) lets unchanged files
        (same size, mtime, ctime, inode) reuse their chunk list without being read;
        `use_cache=False` reads every file.
        """
        started = time.perf_counter()
        source = Path(source)
        if not source.is_dir():
            raise CodebaseError(f"not a directory: {source}")
        name = safe_name(name or default_name(source), "codebase name", NAME_RESERVED_BYTES)
        now = time.time() if now is None else now
        day_s = (day.isoformat() if isinstance(day, dt.date) else str(day)) if day else _utc_day(now)
        dt.date.fromisoformat(day_s)
        if snapshot_id is None:
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
            snapshot_id = f"{name}_{stamp}_{secrets.token_hex(3)}"
        safe_name(snapshot_id, "snapshot id")

        self.close()
        excludes = list(excludes)
        try:  # never snapshot the vault into itself
            inside = self.vault_root.resolve().relative_to(source.resolve())
            excludes.append("/" + inside.as_posix().replace("[", "\\[") + "/")
        except ValueError:
            pass
        with self._lock(exclusive=False):
            self.index(reload=True)
            existing = self.find(snapshot_id)
            parent_info = self.find(parent) if parent else self._latest(name)
            cache = self._file_cache(parent_info) if use_cache else {}
            writer = _ChunkWriter(self, self.sync)
            stats = WalkStats()
            try:
                body, counts = self._build_manifest(source, excludes, stats, cache, writer, progress)
                data_new = (writer.new_chunks, writer.new_bytes, writer.new_plain)
                tree_chunks = []
                for piece in cut_tree(body):
                    cname = self.namer.chunk_name(piece)
                    if writer.claim(cname):
                        writer.put(cname, self.vault.seal(piece, kind=CHUNK_KIND, record_id=cname), len(piece))
                    tree_chunks.append((cname, len(piece)))
                writer.flush()
            except BaseException:
                writer.abort()
                raise
            tree = self.namer.tree_hasher()
            tree.update(body)
            tree_hash = tree.hexdigest()
            self.close()
            if existing is not None and existing.meta.get("tree_hash") == tree_hash and existing.enc_path.exists():
                return SnapshotResult(info=existing, unchanged=True, stats=stats)

            plain = mf.encode_header({"snapshot_id": snapshot_id, "name": name, "day": day_s,
                                      "tree": [[n, length] for n, length in tree_chunks]})
            blob = self.vault.seal(plain, kind=MANIFEST_KIND, record_id=snapshot_id)
            enc_path, meta_path = self._paths(snapshot_id, day_s)
            unique_stored = self._stored_size(counts["unique"])
            tree_stored = self._stored_size(dict(tree_chunks))
            meta = {
                "snapshot_id": snapshot_id,
                "name": name,
                "timestamp": now,
                "day": day_s,
                "source": str(source.resolve()),
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
            if existing is not None and existing.enc_path != enc_path:
                for p in (existing.meta_path, existing.enc_path):
                    with contextlib.suppress(FileNotFoundError):
                        p.unlink()
            with AtomicBatch(sync=self.sync) as batch:
                batch.write(enc_path, blob)
                batch.write(meta_path, (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode("utf-8"))
            info = SnapshotInfo(snapshot_id, name, now, day_s, meta, meta_path, enc_path)
            return SnapshotResult(info=info, unchanged=False, stats=stats)

    def _latest(self, name: str) -> SnapshotInfo | None:
        snaps = self.list_snapshots(name)
        return snaps[-1] if snaps else None

    def _file_cache(self, parent: SnapshotInfo | None) -> dict[bytes, mf.Entry]:
        if parent is None:
            return {}
        try:
            _, entries = self.read_manifest(parent)
        except CodebaseError:
            return {}  # an unreadable parent only costs speed
        return {e.path: e for e in entries if e.kind == FILE}

    def _stored_size(self, unique: dict[str, int]) -> int:
        index = self.index()
        return sum(index[name].length for name in unique if name in index)

    def _build_manifest(self, source, excludes, stats, cache, writer, progress) -> tuple[bytes, dict]:
        parts: list[bytes] = []
        counts = {"files": 0, "dirs": 0, "links": 0, "total": 0, "read": 0, "unique": {}}
        pending: deque = deque()

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

        def drain(block: bool) -> None:
            while pending and (block or len(pending) > WINDOW or pending[0][1] is None or pending[0][1].done()):
                entry, fut = pending.popleft()
                if fut is not None:
                    try:
                        entry.chunks, entry.size, read = fut.result()
                    except _Vanished:  # deleted between the walk and the read: not in the snapshot
                        continue
                    counts["read"] += read
                    if progress:
                        progress(entry.size)
                emit(entry)

        with cf.ThreadPoolExecutor(self.workers, thread_name_prefix="mira-chunk") as pool:
            for w in walk_tree(source, excludes, stats):
                st = w.st
                entry = mf.Entry(path=w.rel, kind=w.kind, mode=stat.S_IMODE(st.st_mode), mtime_ns=st.st_mtime_ns)
                fut = None
                if w.kind == FILE:
                    entry.size, entry.ino, entry.ctime_ns = st.st_size, st.st_ino, st.st_ctime_ns
                    old = cache.get(w.rel)
                    if old is not None and self._cache_hit(old, st):
                        entry.chunks = list(old.chunks)
                        if progress:
                            progress(entry.size)
                    else:
                        fut = pool.submit(self._store_file, w.abs, st.st_size, writer)
                elif w.kind == LINK:
                    entry.target = os.readlink(w.abs)
                pending.append((entry, fut))
                drain(block=False)
            drain(block=True)
        return b"".join(parts), counts

    def _cache_hit(self, old: mf.Entry, st: os.stat_result) -> bool:
        if (old.size, old.mtime_ns, old.ctime_ns, old.ino) != (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino):
            return False
        index = self.index()
        return all(name in index for name, _ in old.chunks)

    def _store_file(self, path: bytes, size: int, writer: _ChunkWriter) -> tuple[list[tuple[str, int]], int, int]:
        chunks: list[tuple[str, int]] = []
        total = 0
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise _Vanished() from None
        except OSError as e:
            raise CodebaseError(f"cannot read {os.fsdecode(path)}: {e.strerror}") from None
        with os.fdopen(fd, "rb", buffering=0) as fh:
            for data in iter_chunks(fh, size):
                cname = self.namer.chunk_name(data)
                if writer.claim(cname):
                    writer.put(cname, self.vault.seal(data, kind=CHUNK_KIND, record_id=cname), len(data))
                chunks.append((cname, len(data)))
                total += len(data)
        return chunks, total, total

    # ----------------------------------------------------------------- chunks
    def read_chunk(self, name: str, length: int | None = None) -> bytes:
        """The verified plaintext of a chunk; CodebaseIntegrityError naming the file otherwise."""
        loc = self.index().get(name)
        if loc is None:  # written since the index was loaded?
            loc = self.index(reload=True).get(name)
        if loc is None:
            raise _ChunkProblem(Problem(f"{STORE_DIR}/{PACK_DIR}: chunk {name}", "chunk missing (no pack index lists it)"))
        def where() -> str:  # only errors name the pack: building its path per chunk cost a restore ~5 %
            return self.rel(pack_paths(self.root, loc.pack)[0])

        try:
            blob = os.pread(self._pack_fd(loc.pack), loc.length, loc.offset)
        except FileNotFoundError:
            raise _ChunkProblem(Problem(where(), f"pack missing (holds chunk {name})")) from None
        if len(blob) != loc.length:
            raise _ChunkProblem(Problem(where(), f"pack truncated at chunk {name} (offset {loc.offset})"))
        try:
            data = self.vault.unseal(blob, kind=CHUNK_KIND, record_id=name)
        except VaultError as e:
            raise _ChunkProblem(Problem(where(), f"chunk {name} at offset {loc.offset}: "
                                                 f"{getattr(e, 'reason', type(e).__name__)}")) from None
        if self.namer.chunk_name(data) != name:
            raise _ChunkProblem(Problem(where(), f"chunk {name} at offset {loc.offset}: content does not match its name"))
        if length is not None and len(data) != length:
            raise _ChunkProblem(Problem(where(), f"chunk {name}: length {len(data)} != {length} in manifest"))
        return data

    def _pack_fd(self, pack_id: str) -> int:
        """An open read-only descriptor of a pack, shared by threads (pread is positionless)."""
        fd = self._fds.get(pack_id)
        if fd is None:
            with self._fd_lock:
                fd = self._fds.get(pack_id)
                if fd is None:
                    fd = os.open(pack_paths(self.root, pack_id)[0], os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
                    self._fds[pack_id] = fd
        return fd

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def close(self) -> None:
        """Close the pack descriptors kept open for reading."""
        with self._fd_lock:
            for fd in self._fds.values():
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._fds = {}

    # ---------------------------------------------------------------- restore
    def restore(self, snapshot_id: str, dest: Path | str, *, force: bool = False, progress: Progress | None = None) -> RestoreResult:
        """Write the snapshot's tree into `dest`, verifying every chunk. Byte-exact."""
        info = self.get(snapshot_id)
        self.close()
        self.index(reload=True)
        _, entries = self.read_manifest(info)
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

        with cf.ThreadPoolExecutor(self.workers, thread_name_prefix="mira-restore") as pool:
            futures = deque()
            for e in entries:
                target = os.path.join(dest_b, e.path)
                if e.kind == DIR:
                    _make_dir(target)
                    dirs.append(e)
                    result.dirs += 1
                elif e.kind == LINK:
                    links.append(e)
                else:
                    futures.append((e, pool.submit(self._restore_file, e, target)))
                    while len(futures) > WINDOW * 4:
                        self._collect(futures.popleft(), problems, result, progress)
            while futures:
                self._collect(futures.popleft(), problems, result, progress)

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
        self.close()
        if problems:
            raise CodebaseIntegrityError(f"restore of {snapshot_id}", list(problems.values()))
        return result

    def _collect(self, item, problems: dict[str, Problem], result: RestoreResult, progress: Progress | None) -> None:
        entry, fut = item
        try:
            fut.result()
        except _ChunkProblem as cp:
            p = cp.problem
            old = problems.get(p.path)
            problems[p.path] = Problem(p.path, p.reason, (old.files if old else ()) + (entry.display,))
            return
        result.files += 1
        result.bytes += entry.size
        if progress:
            progress(entry.size)

    def _restore_file(self, e: mf.Entry, target: bytes) -> None:
        """Write one file. A file of one chunk is verified before it is created; a bigger one
        goes to a temp name and is renamed only when complete. Never a bad or partial file."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        if len(e.chunks) <= 1:
            data = self.read_chunk(*e.chunks[0]) if e.chunks else b""
            try:
                fd = os.open(target, flags, 0o600)
            except FileExistsError:  # --force over an existing path: replace it atomically below
                pass
            else:
                self._fill(fd, e, [data], target)
                return
        parent, base = os.path.split(target)
        tmp = os.path.join(parent, b"." + base + b".mira-restore." + secrets.token_hex(4).encode() + b".tmp")
        fd = os.open(tmp, flags, 0o600)
        self._fill(fd, e, (self.read_chunk(name, length) for name, length in e.chunks), tmp)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        os.replace(tmp, target)

    def _fill(self, fd: int, e: mf.Entry, pieces, path: bytes) -> None:
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

    # ------------------------------------------------------------------- diff
    def diff(self, id1: str, id2: str) -> list[DiffItem]:
        try:
            _, a = self.read_manifest(self.get(id1))
            _, b = self.read_manifest(self.get(id2))
        finally:
            self.close()
        return diff_entries(a, b)

    # ----------------------------------------------------------------- verify
    def verify_snapshot(self, snapshot_id: str, progress: Progress | None = None) -> list[Problem]:
        """Problems with the snapshot's manifest or any chunk it references (each decrypted)."""
        self.close()
        self.index(reload=True)
        try:
            info = self.get(snapshot_id)
            _, entries = self.read_manifest(info)
        except CodebaseIntegrityError as e:
            return e.problems
        users: dict[str, list[str]] = {}
        lengths: dict[str, int] = {}
        header = self.read_manifest(info)[0]
        for cname, length in mf.tree_chunks(header):
            users.setdefault(cname, []).append(f"tree of {snapshot_id}")
            lengths[cname] = length
        for e in entries:
            for cname, length in e.chunks:
                users.setdefault(cname, []).append(e.display)
                lengths[cname] = length
        try:
            return self._check_chunks(lengths, users, progress)
        finally:
            self.close()

    def _check_chunks(self, lengths: dict[str, int | None], users: dict[str, list[str]], progress: Progress | None) -> list[Problem]:
        problems: list[Problem] = []

        def check(cname: str) -> Problem | None:
            try:
                self.read_chunk(cname, lengths[cname])
            except _ChunkProblem as cp:
                return Problem(cp.problem.path, cp.problem.reason, tuple(users.get(cname, ())))
            return None

        with cf.ThreadPoolExecutor(self.workers, thread_name_prefix="mira-verify") as pool:
            for p in pool.map(check, sorted(lengths)):
                if p is not None:
                    problems.append(p)
                if progress:
                    progress(1)
        return problems

    def verify(self, progress: Progress | None = None) -> list[Problem]:
        """Every manifest and every chunk file of the store: decrypts, matches its name, present when referenced."""
        self.close()
        self.index(reload=True)
        problems: list[Problem] = []
        referenced: dict[str, list[str]] = {}
        for enc in self._manifest_files():
            sid = enc.stem
            try:
                header, entries = self.decode_manifest_blob(enc.read_bytes(), sid, enc)
                for cname, _ in mf.tree_chunks(header):
                    referenced.setdefault(cname, []).append(f"tree of {sid}")
                for e in entries:
                    for cname, _ in e.chunks:
                        referenced.setdefault(cname, []).append(f"{sid}:{e.display}")
            except CodebaseIntegrityError as e:
                problems += [p for p in e.problems if "/chunks/" not in p.path]  # chunk problems come below
                if all("/chunks/" in p.path for p in e.problems):
                    problems.append(Problem(self.rel(enc), "tree unreadable: " + "; ".join(str(p) for p in e.problems)))
            except OSError as e:
                problems.append(Problem(self.rel(enc), f"unreadable ({e.strerror})"))
            meta = enc.with_suffix(".meta")
            try:
                json.loads(meta.read_text("utf-8"))["snapshot_id"]
            except FileNotFoundError:
                problems.append(Problem(self.rel(meta), "meta file missing (snapshot not listed)"))
            except (ValueError, KeyError, TypeError, OSError):
                problems.append(Problem(self.rel(meta), "meta file unreadable"))
        index = self.index(reload=True)
        problems += self._index_problems
        for pack_id in iter_pack_ids(self.root):
            problems += self._check_pack(pack_id, referenced)
            if progress:
                progress(1)
        for cname in sorted(set(referenced) - set(index)):
            problems.append(Problem(f"{STORE_DIR}/{PACK_DIR}: chunk {cname}", "chunk missing (no pack index lists it)",
                                    tuple(referenced[cname][:5])))
        return problems

    def _pack_entries(self, pack_id: str) -> tuple[int, list[tuple[str, int, int, int]]]:
        idx_path = pack_paths(self.root, pack_id)[1]
        plain = self.vault.unseal(idx_path.read_bytes(), kind=PACK_KIND, record_id=pack_id)
        return decode_index(plain, pack_id)

    def _check_pack(self, pack_id: str, users: dict[str, list[str]] | None = None) -> list[Problem]:
        """Every chunk a pack's index lists: present, authentic, matching its name."""
        pack_path, idx_path = pack_paths(self.root, pack_id)
        where = self.rel(pack_path)
        try:
            size, entries = self._pack_entries(pack_id)
        except (VaultError, ValueError, KeyError, TypeError) as e:
            return [Problem(self.rel(idx_path), getattr(e, "reason", f"pack index unreadable ({type(e).__name__})"))]
        try:
            data = pack_path.read_bytes()
        except FileNotFoundError:
            return [Problem(where, f"pack missing (its index lists {len(entries)} chunk(s))")]
        problems = []
        if len(data) != size:
            problems.append(Problem(where, f"pack is {len(data)} bytes, its index says {size}"))
        for name, off, length, plain_len in entries:
            files = tuple((users or {}).get(name, ())[:5])
            blob = data[off:off + length]
            try:
                if len(blob) != length:
                    raise VaultIntegrityError("truncated")
                plain = self.vault.unseal(blob, kind=CHUNK_KIND, record_id=name)
                if self.namer.chunk_name(plain) != name or len(plain) != plain_len:
                    raise VaultIntegrityError("content does not match its name")
            except VaultError as e:
                problems.append(Problem(where, f"chunk {name} at offset {off}: {getattr(e, 'reason', type(e).__name__)}", files))
        return problems

    def _manifest_files(self) -> list[Path]:
        out = []
        if not self.root.is_dir():
            return out
        for month in sorted(os.listdir(self.root)):
            folder = self.root / month
            if MONTH_RE.match(month) and folder.is_dir():
                out += [folder / f for f in sorted(os.listdir(folder)) if f.endswith(".enc") and not f.startswith(".")]
        return out

    # ------------------------------------------------------------ forget/prune
    def forget(self, *, keep_daily: int = 0, keep_weekly: int = 0, keep_monthly: int = 0, keep_last: int = 0,
               name: str | None = None, dry_run: bool = False) -> tuple[list[SnapshotInfo], list[SnapshotInfo]]:
        """Drop snapshots the policy does not keep (per codebase name). Returns (kept, removed)."""
        from resources.codebase.policy import apply_policy

        if keep_daily + keep_weekly + keep_monthly + keep_last <= 0:
            raise CodebaseError("refusing to forget every snapshot: give at least one --keep-* above 0")
        with self._lock(exclusive=True):
            snaps = self.list_snapshots(name)
            keep_ids = apply_policy(snaps, keep_daily=keep_daily, keep_weekly=keep_weekly,
                                    keep_monthly=keep_monthly, keep_last=keep_last)
            kept = [s for s in snaps if s.snapshot_id in keep_ids]
            removed = [s for s in snaps if s.snapshot_id not in keep_ids]
            if not dry_run:
                for s in removed:
                    for p in (s.meta_path, s.enc_path):
                        with contextlib.suppress(FileNotFoundError):
                            p.unlink()
        return kept, removed

    def prune(self, progress: Progress | None = None, dry_run: bool = False) -> PruneResult:
        """Delete chunks that no manifest on disk references. Aborts if any manifest is unreadable."""
        result = PruneResult()
        self.close()
        with self._lock(exclusive=True):
            self.index(reload=True)
            referenced: set[str] = set()
            bad = []
            for enc in self._manifest_files():
                try:
                    header, entries = self.decode_manifest_blob(enc.read_bytes(), enc.stem, enc)
                    referenced.update(c for c, _ in mf.tree_chunks(header))
                    for e in entries:
                        referenced.update(c for c, _ in e.chunks)
                except CodebaseIntegrityError as e:
                    bad += e.problems
                except OSError as e:
                    bad.append(Problem(self.rel(enc), f"unreadable ({e.strerror})"))
            if bad:
                raise CodebaseIntegrityError("prune refused (cannot tell which chunks are in use)", bad)
            index = self.index(reload=True)
            if self._index_problems:
                raise CodebaseIntegrityError("prune refused (a pack index is unreadable)", self._index_problems)
            writer = PackWriter(self.root, self.vault, self.namer, sync=self.sync)
            drop: list[str] = []
            for pack_id in list(iter_pack_ids(self.root)):
                _, entries = self._pack_entries(pack_id)
                used = [e for e in entries if e[0] in referenced and index[e[0]].pack == pack_id]
                result.kept_chunks += len(used)
                unused = [e for e in entries if e not in used]
                result.deleted_chunks += len(unused)
                result.deleted_bytes += sum(e[2] for e in unused)
                if not unused:
                    continue
                if used and not dry_run:  # repack the chunks still in use, checking each one
                    pack_path = pack_paths(self.root, pack_id)[0]
                    data = pack_path.read_bytes()
                    for name, off, length, plain_len in used:
                        blob = data[off:off + length]
                        plain = self.vault.unseal(blob, kind=CHUNK_KIND, record_id=name)
                        if self.namer.chunk_name(plain) != name:
                            raise CodebaseIntegrityError("prune refused", [Problem(self.rel(pack_path), f"chunk {name}: content does not match its name")])
                        writer.add(name, blob, plain_len)
                drop.append(pack_id)
                if progress:
                    progress(1)
            if not dry_run:
                writer.flush()  # the new packs are durable before any old one goes
                for pack_id in drop:
                    remove_pack(self.root, pack_id)
                indexed = set(iter_pack_ids(self.root))
                for pack_id in list(iter_pack_ids(self.root, ".pack")):
                    if pack_id not in indexed:  # left by an interrupted run
                        remove_pack(self.root, pack_id)
                if self.pack_root.is_dir():
                    result.removed_temps += sweep_stale_temps(self.pack_root)
                    for sub in os.listdir(self.pack_root):
                        if (self.pack_root / sub).is_dir():
                            result.removed_temps += sweep_stale_temps(self.pack_root / sub)
                self.index(reload=True)
        return result


class _Vanished(Exception):
    pass


class _ChunkProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def diff_entries(a: Iterable[mf.Entry], b: Iterable[mf.Entry]) -> list[DiffItem]:
    """Differences from tree `a` to tree `b`, sorted by path."""
    old = {e.path: e for e in a}
    new = {e.path: e for e in b}
    out = []
    for path in sorted(old.keys() | new.keys()):
        x, y = old.get(path), new.get(path)
        if x is None:
            out.append(DiffItem("A", y.display))
        elif y is None:
            out.append(DiffItem("D", x.display))
        elif x.kind != y.kind:
            out.append(DiffItem("T", y.display))
        elif x.content_key() != y.content_key():
            out.append(DiffItem("M", y.display))
        elif x.mode != y.mode:
            out.append(DiffItem("P", y.display))
    return out


def _utc_day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).date().isoformat()


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


# ---------------------------------------------------------------------------------------------
# For `mira vault verify` / `mira vault rotate`: they walk every file under the vault root and hand
# the ones under codebase_copies/ to these functions (VAULT_HOSTED below).
def _classify(vault, path: Path) -> tuple[str, str]:
    """("pack"|"index"|"manifest"|"meta"|"other", id) of a file under codebase_copies/."""
    rel = Path(path).relative_to(Path(vault.root) / STORE_DIR).parts
    if len(rel) == 3 and rel[0] == PACK_DIR and rel[2][:2] == rel[1]:
        if rel[2].endswith(".pack"):
            return "pack", rel[2][:-5]
        if rel[2].endswith(".idx"):
            return "index", rel[2][:-4]
    if len(rel) == 2 and MONTH_RE.match(rel[0]):
        if rel[1].endswith(".enc"):
            return "manifest", rel[1][:-4]
        if rel[1].endswith(".meta"):
            return "meta", rel[1][:-5]
    return "other", ""


def verify_file(vault, path: Path) -> None:
    """Raise VaultIntegrityError (reason only) if one file of the codebase store is bad."""
    what, rid = _classify(vault, path)
    store = CodebaseStore(vault)
    if what == "pack":
        if not pack_paths(store.root, rid)[1].exists():
            return  # no index: left by an interrupted run, unused; prune removes it
        problems = [p for p in store._check_pack(rid) if p.path == store.rel(path)]
        if problems:
            raise VaultIntegrityError("; ".join(p.reason for p in problems[:3])
                                      + (f"; and {len(problems) - 3} more" if len(problems) > 3 else ""))
    elif what == "index":
        size, entries = decode_index(vault.unseal(Path(path).read_bytes(), kind=PACK_KIND, record_id=rid), rid)
        pack = pack_paths(store.root, rid)[0]
        if not pack.exists():
            raise VaultIntegrityError(f"its pack {pack.name} is missing ({len(entries)} chunk(s))")
        if pack.stat().st_size != size:
            raise VaultIntegrityError(f"its pack is {pack.stat().st_size} bytes, the index says {size}")
    elif what == "manifest":
        vault.unseal(Path(path).read_bytes(), kind=MANIFEST_KIND, record_id=rid)  # raises naming the reason
        try:
            header, entries = store.decode_manifest_blob(Path(path).read_bytes(), rid, Path(path))
        except CodebaseIntegrityError as e:
            raise VaultIntegrityError("; ".join(str(p) for p in e.problems[:3])) from None
        index = store.index()
        missing = [n for n in mf.unique_chunks(entries) if n not in index]
        if missing:
            raise VaultIntegrityError(f"manifest references {len(missing)} missing chunk(s), e.g. {missing[0]}")
    elif what == "meta":
        try:
            meta = json.loads(Path(path).read_text("utf-8"))
            if meta["snapshot_id"] != rid:
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise VaultIntegrityError("snapshot .meta is not valid JSON naming this snapshot") from None
        if not Path(path).with_suffix(".enc").exists():
            raise VaultIntegrityError("snapshot .meta has no manifest (.enc)")
    else:
        raise VaultIntegrityError("unexpected file in codebase_copies")


def rotate_file(vault, path: Path) -> bool:
    """Re-seal a manifest, pack index or pack under the active key; True if anything changed."""
    from resources.vault.atomic import atomic_write
    from resources.vault.envelope import record_key_id

    what, rid = _classify(vault, path)
    path = Path(path)
    if not path.exists():
        return False  # a pack rotated a moment ago took its index with it
    active = vault.keyring.active_id
    if what in ("manifest", "index"):
        kind = MANIFEST_KIND if what == "manifest" else PACK_KIND
        blob = path.read_bytes()
        if record_key_id(blob) == active:
            return False
        return atomic_write(path, vault.seal(vault.unseal(blob, kind=kind, record_id=rid), kind=kind, record_id=rid))
    if what == "pack":
        store = CodebaseStore(vault)
        if not pack_paths(store.root, rid)[1].exists():
            return False
        _, entries = store._pack_entries(rid)
        data = path.read_bytes()
        if all(record_key_id(data[o:o + ln]) == active for _, o, ln, _ in entries):
            return False
        with store._lock(exclusive=True):
            writer = PackWriter(store.root, vault, store.namer, sync=store.sync)
            for name, off, length, plain_len in entries:
                plain = vault.unseal(data[off:off + length], kind=CHUNK_KIND, record_id=name)
                writer.add(name, vault.seal(plain, kind=CHUNK_KIND, record_id=name), plain_len)
            writer.flush()
            remove_pack(store.root, rid)
        return True
    return False


# The vault hands its files under codebase_copies/ to these (passed explicitly: resources/hosted_stores.py).
VAULT_HOSTED = HostedStore(STORE_DIR + "/", verify_file, rotate_file)
