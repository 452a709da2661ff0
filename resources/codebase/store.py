"""The codebase repository: where snapshots, packs and their indexes live, and how to read them.

Layout under the vault root (SPEC §5 keeps the seed's names)::

    codebase_copies/
      .lock                               flock: snapshots share it; forget, prune, rotate take it alone
      packs/<2 hex>/<pack id>.pack        sealed chunks (kind "codebase_chunk", id = chunk name), back to back
      packs/<2 hex>/<pack id>.idx         sealed index of the pack (kind "codebase_pack_index")
      YYYY-MM/<snapshot_id>.enc           sealed manifest (kind "codebase_manifest"): the tree chunk list
      YYYY-MM/<snapshot_id>.meta          plain JSON: counts, sizes, timings (nothing secret)

This module is the repository only (like restic's `repository` package): the chunk index,
verified chunk reads from packs, manifests, the snapshot list and the lock. Taking a
snapshot is `archiver`, restoring `restorer`, checking `checker`, forget/prune `prune`,
what `mira vault verify/rotate` do with its files `vault_hosted`. See docs/codebase.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from resources.codebase import dictionary as zd
from resources.codebase import manifest as mf
from resources.codebase.chunking import NAMING_PURPOSE, ChunkNamer
from resources.codebase.dictionary import CHUNK_DICT_KIND, DICT_MAX_CHUNK, Dictionary, DictionaryError
from resources.codebase.packs import PACK_DIR, PACK_KIND, ChunkLoc, Entry, decode_index, iter_pack_ids, pack_paths
from resources.vault.atomic import AtomicBatch
from resources.vault.envelope import VaultError, VaultIntegrityError
from resources.vault.ids import id_problem

CHUNK_KIND = "codebase_chunk"
MANIFEST_KIND = "codebase_manifest"
STORE_DIR = "codebase_copies"
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
NAME_RESERVED_BYTES = len("_YYYYmmddTHHMMSSZ_abcdef")  # a name becomes <name>_<stamp>_<6 hex> or <name>_<day>
# zstd level of new chunks (with the dictionary or not). 3 (the vault's default) keeps a first snapshot
# at ~0.74x restic's CPU; on the benchmark tree 5 stores 4 % less for ~1.5x the first snapshot's CPU,
# 6 stores 7 % less for ~1.75x (docs/codebase.md, "Performance").
DEFAULT_ZSTD_LEVEL = 3

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


class ChunkProblem(Exception):
    """One chunk could not be read back (raised by `read_chunk`; callers add the tree paths)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


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


def utc_day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).date().isoformat()


# What reading a pack index raises when it does not open: the vault's errors, or a sealed index that is no index.
INDEX_ERRORS = (VaultError, ValueError, KeyError, TypeError)


class CodebaseStore:
    """The repository of codebase snapshots inside a vault. Needs `vault.root`, `seal`, `unseal`, `naming_key`."""

    def __init__(self, vault, *, workers: int | None = None, sync: str = "auto", zstd_level: int = DEFAULT_ZSTD_LEVEL):
        self.vault = vault
        self.vault_root = Path(vault.root)
        self.root = self.vault_root / STORE_DIR
        self.pack_root = self.root / PACK_DIR
        self._index: dict[str, ChunkLoc] | None = None
        self.index_problems: list[Problem] = []
        self._fds: dict[str, int] = {}
        self._fd_lock = threading.Lock()
        self._dicts: dict[str, Dictionary | DictionaryError] = {}
        self._dict_lock = threading.Lock()
        self.namer = ChunkNamer(vault.naming_key(NAMING_PURPOSE))
        # One thread per core: zstd, hashing and file I/O release the GIL, but more threads than
        # cores only add GIL hand-offs (measured on 2 cores: snapshot -8 %, restore -7 % vs 4 threads).
        self.workers = workers or max(2, min(8, os.cpu_count() or 2))
        self.sync = sync
        if not 1 <= zstd_level <= 19:
            raise CodebaseError(f"zstd level {zstd_level} is outside 1..19")
        self.zstd_level = zstd_level  # of new chunks; readers need not know it

    # ------------------------------------------------------------------ index
    def index(self, reload: bool = False) -> dict[str, ChunkLoc]:
        """Chunk name -> where it is, from every pack index (loaded once per store object)."""
        if self._index is None or reload:
            index: dict[str, ChunkLoc] = {}
            problems: list[Problem] = []
            for pack_id in iter_pack_ids(self.root):
                try:
                    _, entries = self.pack_entries(pack_id)
                except INDEX_ERRORS as e:
                    problems.append(self.index_problem(pack_id, e))
                    continue
                except OSError:
                    continue
                for name, off, length, plain_len, dict_id in entries:
                    index.setdefault(name, ChunkLoc(pack_id, off, length, plain_len, dict_id))
            self._index, self.index_problems = index, problems
            with self._dict_lock:  # a dictionary missing a moment ago may have been written since
                self._dicts = {k: v for k, v in self._dicts.items() if not isinstance(v, DictionaryError)}
        return self._index

    def chunk_names(self) -> set[str]:
        return set(self.index(reload=True))

    def pack_entries(self, pack_id: str) -> tuple[int, list[Entry]]:
        """(pack size, [(chunk name, offset, sealed length, plaintext length, dict id or None)]) from a pack's index."""
        idx_path = pack_paths(self.root, pack_id)[1]
        plain = self.vault.unseal(idx_path.read_bytes(), kind=PACK_KIND, record_id=pack_id)
        return decode_index(plain, pack_id)

    def index_problem(self, pack_id: str, error: Exception) -> Problem:
        """A pack index that does not open (one of INDEX_ERRORS), named by its file."""
        idx_path = pack_paths(self.root, pack_id)[1]
        return Problem(self.rel(idx_path), getattr(error, "reason", f"pack index unreadable ({type(error).__name__})"))

    def stored_size(self, unique: dict[str, int]) -> int:
        """Sealed bytes of the given chunks (those indexed)."""
        index = self.index()
        return sum(index[name].length for name in unique if name in index)

    # ------------------------------------------------------------------ paths
    def rel(self, path: Path) -> str:
        try:
            return str(Path(path).relative_to(self.vault_root))
        except ValueError:
            return str(path)

    def snapshot_paths(self, snapshot_id: str, day: str) -> tuple[Path, Path]:
        """(.enc, .meta) of a snapshot: the folder is the month of its day."""
        folder = self.root / day[:7]
        return folder / f"{snapshot_id}.enc", folder / f"{snapshot_id}.meta"

    def manifest_files(self) -> list[Path]:
        """Every `YYYY-MM/*.enc` on disk, listed or not."""
        out = []
        if not self.root.is_dir():
            return out
        for month in sorted(os.listdir(self.root)):
            folder = self.root / month
            if MONTH_RE.match(month) and folder.is_dir():
                out += [folder / f for f in sorted(os.listdir(folder)) if f.endswith(".enc") and not f.startswith(".")]
        return out

    @contextlib.contextmanager
    def lock(self, exclusive: bool) -> Iterator[None]:
        """flock(2) on `.lock`: snapshots share it; forget, prune and rotate take it alone."""
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
                        day=str(meta.get("day") or utc_day(float(meta["timestamp"]))),
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

    def latest(self, name: str) -> SnapshotInfo | None:
        snaps = self.list_snapshots(name)
        return snaps[-1] if snaps else None

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
        except ChunkProblem as cp:
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

    def commit_snapshot(self, info: SnapshotInfo, manifest_blob: bytes, replaces: SnapshotInfo | None = None) -> None:
        """Write a snapshot's sealed manifest and its .meta in one atomic batch (.enc first).

        The chunks it references must already be committed (their packs indexed). A replaced
        snapshot filed under another month is removed first."""
        if replaces is not None and replaces.enc_path != info.enc_path:
            for p in (replaces.meta_path, replaces.enc_path):
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
        with AtomicBatch(sync=self.sync) as batch:
            batch.write(info.enc_path, manifest_blob)
            batch.write(info.meta_path, (json.dumps(info.meta, indent=1, sort_keys=True) + "\n").encode("utf-8"))

    # ----------------------------------------------------------------- chunks
    def seal_chunk(self, data: bytes, name: str, dictionary: Dictionary | None = None) -> tuple[bytes, str | None]:
        """A chunk's vault record (record id = its name) and the dictionary it needs, if any.

        With a dictionary, a chunk of up to DICT_MAX_CHUNK bytes is compressed with it and sealed
        as kind "codebase_chunk_dict" (when that is smaller); any other chunk is kind
        "codebase_chunk", compressed by the envelope at `zstd_level`."""
        if dictionary is not None and len(data) <= DICT_MAX_CHUNK:
            frame = dictionary.compress(data)
            if len(frame) < len(data):
                return self.vault.seal(frame, kind=CHUNK_DICT_KIND, record_id=name, compress=False), dictionary.id
            return self.vault.seal(data, kind=CHUNK_KIND, record_id=name, compress=False), None
        return self.vault.seal(data, kind=CHUNK_KIND, record_id=name, level=self.zstd_level), None

    def open_chunk(self, blob: bytes, name: str, dict_id: str | None, plain_len: int) -> bytes:
        """The plaintext of a sealed chunk record (not yet checked against its name).
        Raises VaultError (the record) or DictionaryError (its dictionary, or decoding with it)."""
        if dict_id is None:
            return self.vault.unseal(blob, kind=CHUNK_KIND, record_id=name)
        frame = self.vault.unseal(blob, kind=CHUNK_DICT_KIND, record_id=name)
        return self.dictionary(dict_id).decompress(frame, plain_len)

    def open_verified(self, blob: bytes, name: str, dict_id: str | None, plain_len: int) -> bytes:
        """`open_chunk`, then the content checked against its name (VaultIntegrityError "content does not match
        its name"): what restore, verify and prune each need before they trust a chunk."""
        data = self.open_chunk(blob, name, dict_id, plain_len)
        if self.namer.chunk_name(data) != name:
            raise VaultIntegrityError("content does not match its name")
        return data

    def dictionary(self, dict_id: str) -> Dictionary:
        """A stored dictionary, loaded and checked once per store object; DictionaryError (with
        `dict_id`) when it is missing or damaged."""
        got = self._dicts.get(dict_id)
        if got is None:
            with self._dict_lock:
                got = self._dicts.get(dict_id)
                if got is None:
                    try:
                        got = zd.load(self.root, self.vault, self.namer, dict_id, self.zstd_level)
                    except DictionaryError as e:
                        got = e
                    self._dicts[dict_id] = got
        if isinstance(got, DictionaryError):
            raise DictionaryError(got.reason, dict_id)
        return got

    def dict_where(self, dict_id: str) -> str:
        return self.rel(zd.dict_path(self.root, dict_id))

    def read_chunk(self, name: str, length: int | None = None) -> bytes:
        """The verified plaintext of a chunk; ChunkProblem naming the pack file otherwise."""
        loc = self.index().get(name)
        if loc is None:  # written since the index was loaded?
            loc = self.index(reload=True).get(name)
        if loc is None:
            raise ChunkProblem(Problem(f"{STORE_DIR}/{PACK_DIR}: chunk {name}", "chunk missing (no pack index lists it)"))

        def where() -> str:  # only errors name the pack: building its path per chunk cost a restore ~5 %
            return self.rel(pack_paths(self.root, loc.pack)[0])

        try:
            blob = os.pread(self._pack_fd(loc.pack), loc.length, loc.offset)
        except FileNotFoundError:
            raise ChunkProblem(Problem(where(), f"pack missing (holds chunk {name})")) from None
        if len(blob) != loc.length:
            raise ChunkProblem(Problem(where(), f"pack truncated at chunk {name} (offset {loc.offset})"))
        try:
            data = self.open_verified(blob, name, loc.dict_id, loc.plain_len)
        except VaultError as e:
            raise ChunkProblem(Problem(where(), f"chunk {name} at offset {loc.offset}: "
                                                f"{getattr(e, 'reason', type(e).__name__)}")) from None
        except DictionaryError as e:
            if e.dict_id is not None:  # the dictionary itself: name its file, not the pack
                raise ChunkProblem(Problem(self.dict_where(e.dict_id), f"zstd dictionary: {e.reason}")) from None
            raise ChunkProblem(Problem(where(), f"chunk {name} at offset {loc.offset}: {e.reason}")) from None
        if length is not None and len(data) != length:
            raise ChunkProblem(Problem(where(), f"chunk {name}: length {len(data)} != {length} in manifest"))
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
