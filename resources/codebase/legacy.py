"""MIRA 1.0 codebase snapshots, already decrypted, into the deduplicated store.

The seed's `store_codebase_snapshot(snapshot_id, codebase_data)` wrote
`codebase_copies/YYYY-MM/<snapshot_id>.enc`: the 1.0 triple encryption (SPEC §6, record id =
the snapshot id) of `json.dumps({path: content})`, and beside it a plain
`<snapshot_id>.meta` JSON of `snapshot_id, timestamp, file_count, total_size` (total_size =
the sum of `len(content)`: characters). `resources/vault/legacy.py` decrypts; this module
checks the tree against its .meta and stores it as snapshot `legacy_<snapshot_id>` (codebase
name `legacy`, day = the UTC date of the .meta timestamp).

Assumptions, each enforced with a clear error: contents are strings, stored as their UTF-8
bytes (`surrogateescape`, so a file read that way comes back byte-exact); paths are
`/`-separated, a leading `/` is dropped (an absolute path is restored under the destination),
`.` and empty parts are dropped, `..` is refused, two paths that become one are refused, a path
that is both a file and a folder is refused. Files get mode 0644, folders 0755, every entry
the snapshot's timestamp as mtime.
"""

from __future__ import annotations

import json
import math

from resources.codebase import archiver
from resources.codebase.sources import MemoryTree
from resources.codebase.store import ChunkProblem, CodebaseError, CodebaseStore, SnapshotInfo, safe_name, utc_day

NAME = "legacy"
ID_PREFIX = "legacy_"
IMPORTED_FROM = "mira-1.0"


class LegacySnapshotError(ValueError):
    """A 1.0 snapshot that cannot be imported as it is; the message says why (never the content)."""


def snapshot_id_for(legacy_id: str) -> str:
    """The store's id for an imported 1.0 snapshot."""
    try:
        return safe_name(ID_PREFIX + legacy_id, "snapshot id")
    except CodebaseError as e:
        raise LegacySnapshotError(f"{legacy_id[:60]!r} cannot name a snapshot in the store ({e})") from None


def read_meta(data: bytes, legacy_id: str) -> dict:
    """The .meta: a JSON object naming this snapshot, with a finite timestamp and its counts."""
    try:
        meta = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise LegacySnapshotError(".meta is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("snapshot_id") != legacy_id:
        raise LegacySnapshotError(".meta does not name this snapshot")
    ts = meta.get("timestamp")
    if isinstance(ts, bool) or not isinstance(ts, (int, float)) or not math.isfinite(ts) or not 0 <= ts < 253402300800:
        raise LegacySnapshotError(".meta has no valid timestamp")
    return meta


def _rel_path(key: str) -> bytes:
    raw = key.encode("utf-8", "surrogateescape")
    parts = [p for p in raw.split(b"/") if p not in (b"", b".")]
    if not parts or b".." in parts or any(b"\0" in p for p in parts):
        raise LegacySnapshotError(f"path {key[:80]!r} is empty or leaves the tree")
    return b"/".join(parts)


def tree_from_json(plain: bytes) -> tuple[dict[bytes, bytes], int]:
    """{relative path: content bytes} and the total of `len(content)` (as the seed counted it)."""
    try:
        doc = json.loads(plain)
    except (ValueError, UnicodeDecodeError):
        raise LegacySnapshotError("decrypted content is not JSON") from None
    if not isinstance(doc, dict):
        raise LegacySnapshotError("decrypted content is not a JSON object of path -> content")
    files: dict[bytes, bytes] = {}
    chars = 0
    for key, content in doc.items():
        if not isinstance(content, str):
            raise LegacySnapshotError(f"content of {key[:80]!r} is not text ({type(content).__name__})")
        path = _rel_path(key)
        if path in files:
            raise LegacySnapshotError(f"two paths name {path.decode('utf-8', 'backslashreplace')!r}")
        files[path] = content.encode("utf-8", "surrogateescape")
        chars += len(content)
    for path in files:
        parts = path.split(b"/")
        for i in range(1, len(parts)):
            if b"/".join(parts[:i]) in files:
                raise LegacySnapshotError(f"{b'/'.join(parts[:i]).decode('utf-8', 'backslashreplace')!r} is both a file and a folder")
    return files, chars


def import_snapshot(store: CodebaseStore, legacy_id: str, plain: bytes, meta_bytes: bytes) -> SnapshotInfo:
    """Store one decrypted 1.0 snapshot as `legacy_<legacy_id>`; read it back before returning."""
    sid = snapshot_id_for(legacy_id)
    meta = read_meta(meta_bytes, legacy_id)
    files, chars = tree_from_json(plain)
    if meta.get("file_count", len(files)) != len(files) or meta.get("total_size", chars) != chars:
        raise LegacySnapshotError(f".meta says {meta.get('file_count')} files / {meta.get('total_size')} characters, "
                                  f"the snapshot holds {len(files)} / {chars}")
    ts = float(meta["timestamp"])
    source = MemoryTree(files, int(ts * 1_000_000_000), {"imported_from": IMPORTED_FROM, "legacy_snapshot_id": legacy_id})
    res = archiver.snapshot(store, source, name=NAME, snapshot_id=sid, day=utc_day(ts), now=ts, use_cache=False)
    _read_back(store, sid, files)
    return res.info


def check_imported(store: CodebaseStore, legacy_id: str, plain: bytes) -> None:
    """CodebaseError unless snapshot `legacy_<legacy_id>` holds exactly the decrypted 1.0 tree `plain`."""
    _read_back(store, snapshot_id_for(legacy_id), tree_from_json(plain)[0])


def _read_back(store: CodebaseStore, sid: str, files: dict[bytes, bytes]) -> None:
    try:
        entries = [e for e in store.entries(sid) if e.kind == "f"]
        if {e.path for e in entries} != set(files):
            raise CodebaseError(f"snapshot {sid} does not hold the same files as the 1.0 snapshot")
        for entry in entries:
            if b"".join(store.read_chunk(n, ln) for n, ln in entry.chunks) != files[entry.path]:
                raise CodebaseError(f"snapshot {sid}: {entry.display} does not read back as imported")
    except ChunkProblem as cp:
        raise CodebaseError(f"snapshot {sid}: {cp.problem}") from None
    finally:
        store.close()
