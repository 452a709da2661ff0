"""Pack files: many sealed chunks in one file, so a snapshot writes a few big files, not one per chunk.

    codebase_copies/packs/<2 hex>/<pack id>.pack   sealed chunks back to back (no header)
    codebase_copies/packs/<2 hex>/<pack id>.idx    sealed index of that pack (kind "codebase_pack_index",
                                                   record id = pack id): JSON
                                                   {"pack": id, "size": bytes, "chunks": [[name, offset, length, plain_len], ...]}

Each chunk inside a pack is its own vault record (kind "codebase_chunk", record id = chunk
name), so a chunk authenticates on its own, wherever it sits, and a chunk moved or swapped
is caught by the associated data. The pack id is a keyed BLAKE2b of the pack's bytes.

Commit order: the pack is streamed to a temp file, fsynced and renamed; then its index is
written atomically (temp, fsync, rename, fsync of the folder): the index is the commit point.
A pack without an index (a crash in between) is ignored by readers and removed by prune.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from resources.vault.atomic import atomic_write

PACK_DIR = "packs"
PACK_KIND = "codebase_pack_index"
PACK_TARGET = 16 << 20
WRITE_BUFFER = 1 << 20


@dataclass(frozen=True)
class ChunkLoc:
    pack: str
    offset: int
    length: int  # sealed bytes in the pack
    plain_len: int


def pack_paths(root: Path, pack_id: str) -> tuple[Path, Path]:
    folder = root / PACK_DIR / pack_id[:2]
    return folder / f"{pack_id}.pack", folder / f"{pack_id}.idx"


def iter_pack_ids(root: Path, suffix: str = ".idx"):
    base = root / PACK_DIR
    if not base.is_dir():
        return
    for sub in sorted(os.listdir(base)):
        folder = base / sub
        if not folder.is_dir():
            continue
        for fname in sorted(os.listdir(folder)):
            if fname.endswith(suffix) and not fname.startswith("."):
                yield fname[: -len(suffix)]


def encode_index(pack_id: str, size: int, entries: list[tuple[str, int, int, int]]) -> bytes:
    return json.dumps({"pack": pack_id, "size": size, "chunks": entries}, separators=(",", ":")).encode("utf-8")


def decode_index(plain: bytes, pack_id: str) -> tuple[int, list[tuple[str, int, int, int]]]:
    doc = json.loads(plain)
    if doc.get("pack") != pack_id:
        raise ValueError("index names another pack")
    return int(doc["size"]), [(str(n), int(o), int(ln), int(p)) for n, o, ln, p in doc["chunks"]]


class PackWriter:
    """Streams sealed chunks from many threads into packs of about PACK_TARGET bytes.

    Chunks are appended to a temp file as they come, in writes of about WRITE_BUFFER bytes
    (memory stays at that, not one pack; one write per small chunk was a system call and a
    lock hand-off per file); the pack id is hashed along the way. Commit: fsync the temp, rename it to its
    final name, then write the index atomically (temp, fsync, rename, fsync of the folder,
    which also makes the pack's rename durable): the index is the commit point.
    """

    def __init__(self, root: Path, vault, namer, sync: str = "auto", target: int | None = None):
        self.root = root
        self.vault = vault
        self.namer = namer
        self.sync = sync
        self.target = target or PACK_TARGET
        self.lock = threading.Lock()
        self.fd: int | None = None
        self.tmp: Path | None = None
        self.size = 0
        self.hasher = None
        self.entries: list[tuple[str, int, int, int]] = []
        self.buffer = bytearray()  # small chunks are written to the temp file in runs of WRITE_BUFFER bytes
        self.written: dict[str, ChunkLoc] = {}
        self.packs = 0

    def _open_locked(self) -> None:
        folder = self.root / PACK_DIR
        folder.mkdir(parents=True, exist_ok=True)
        self.tmp = folder / f".pack.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        self.fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        self.size = 0
        self.hasher = self.namer.tree_hasher()
        self.hasher.update(b"pack\0")

    def add(self, name: str, blob: bytes, plain_len: int) -> None:
        with self.lock:
            if self.fd is None:
                self._open_locked()
            self.buffer += blob
            self.hasher.update(blob)
            self.entries.append((name, self.size, len(blob), plain_len))
            self.size += len(blob)
            if self.size >= self.target:
                self._commit_locked()
            elif len(self.buffer) >= WRITE_BUFFER:
                self._write_buffer_locked()

    def _write_buffer_locked(self) -> None:
        view = memoryview(self.buffer)
        while view:
            view = view[os.write(self.fd, view):]
        view.release()
        self.buffer.clear()

    def _commit_locked(self) -> None:
        if self.fd is None:
            return
        try:
            self._write_buffer_locked()
            if self.sync != "none":
                os.fsync(self.fd)
        finally:
            os.close(self.fd)
            self.fd = None
        pack_id = self.hasher.hexdigest()
        pack_path, idx_path = pack_paths(self.root, pack_id)
        try:
            pack_path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.tmp, pack_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.tmp)
            raise
        atomic_write(idx_path, self.vault.seal(encode_index(pack_id, self.size, self.entries),
                                               kind=PACK_KIND, record_id=pack_id))
        for name, off, length, plain in self.entries:
            self.written[name] = ChunkLoc(pack_id, off, length, plain)
        self.packs += 1
        self.entries = []
        self.tmp = None

    def flush(self) -> None:
        with self.lock:
            self._commit_locked()

    def abort(self) -> None:
        with self.lock:
            if self.fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self.fd)
                self.fd = None
            if self.tmp is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.tmp)
                self.tmp = None
            self.entries = []
            self.buffer.clear()


def remove_pack(root: Path, pack_id: str) -> int:
    """Delete a pack, index first (so no reader sees an index without its pack). Returns bytes freed."""
    pack_path, idx_path = pack_paths(root, pack_id)
    freed = 0
    for p in (idx_path, pack_path):
        with contextlib.suppress(FileNotFoundError):
            freed += p.stat().st_size
            p.unlink()
    return freed
