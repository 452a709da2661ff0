"""The tree manifest of one snapshot: what it holds and how it is encoded.

The tree body is JSON Lines (UTF-8), one line per entry in walk order (parents
before children, names sorted as bytes). It is cut with content-defined chunking
into "tree chunks" stored in the chunk store like file content, so an unchanged
tree (or an unchanged stretch of it) costs nothing the next day. The sealed
manifest record (kind `codebase_manifest`, record id = snapshot id) is one JSON
object: format, version, snapshot id, name, day and the list of tree chunks.
See docs/codebase.md for every field.
"""

from __future__ import annotations

import base64
import json
from json.encoder import encode_basestring as _json_str  # what json.dumps(ensure_ascii=False) uses for strings
from dataclasses import dataclass, field
from typing import Iterable, Iterator

FORMAT = "mira-codebase-manifest"
VERSION = 1


@dataclass
class Entry:
    """One entry of a snapshot. `chunks` is a list of (chunk name, plaintext length)."""

    path: bytes
    kind: str  # "f" file, "d" directory, "l" symlink
    mode: int  # permission bits (st_mode & 0o7777)
    mtime_ns: int
    size: int = 0
    chunks: list[tuple[str, int]] = field(default_factory=list)
    target: bytes = b""  # symlink target, as stored by the OS
    ino: int = 0
    ctime_ns: int = 0
    oid: str = ""  # git blob id of a file taken from a commit (the files cache key of git snapshots)

    @property
    def display(self) -> str:
        """The path for people: undecodable bytes shown as \\xNN escapes."""
        return self.path.decode("utf-8", "backslashreplace")

    def content_key(self) -> tuple:
        """Equal for two entries exactly when their content (or link target) is equal."""
        if self.kind == "f":
            return ("f", tuple(name for name, _ in self.chunks))
        if self.kind == "l":
            return ("l", self.target)
        return ("d",)


def _put_bytes(obj: dict, key: str, value: bytes) -> None:
    try:
        obj[key] = value.decode("utf-8")
    except UnicodeDecodeError:
        obj[key + "b"] = base64.b64encode(value).decode("ascii")


def _get_bytes(obj: dict, key: str) -> bytes:
    if key in obj:
        return obj[key].encode("utf-8")
    if key + "b" in obj:
        return base64.b64decode(obj[key + "b"])
    return b""


def _json_bytes_field(key: str, value: bytes) -> str:
    """`"key":"<utf-8 text>"`, or `"keyb":"<base64>"` when the bytes are not UTF-8 (as _put_bytes)."""
    try:
        return f'"{key}":{_json_str(value.decode("utf-8"))}'
    except UnicodeDecodeError:
        return f'"{key}b":"{base64.b64encode(value).decode("ascii")}"'


def encode_entry(entry: Entry) -> bytes:
    """One JSON line, byte-identical to `json.dumps(obj, separators=(",", ":"), ensure_ascii=False)`
    of the entry's object, built directly: json.dumps per entry was a per-file cost."""
    line = f'{{"t":{_json_str(entry.kind)},{_json_bytes_field("p", entry.path)},"m":{int(entry.mode)},"mt":{int(entry.mtime_ns)}'
    if entry.kind == "f":
        chunks = ",".join(f"[{_json_str(name)},{int(length)}]" for name, length in entry.chunks)
        line += f',"s":{int(entry.size)},"c":[{chunks}],"i":{int(entry.ino)},"ct":{int(entry.ctime_ns)}'
        if entry.oid:
            line += f',"o":{_json_str(entry.oid)}'
    elif entry.kind == "l":
        line += "," + _json_bytes_field("l", entry.target)
    return (line + "}\n").encode("utf-8")


def decode_entry(obj: dict) -> Entry:
    kind = obj["t"]
    if kind not in ("f", "d", "l"):
        raise ValueError(f"unknown entry type {kind!r}")
    return Entry(
        path=_get_bytes(obj, "p"),
        kind=kind,
        mode=int(obj.get("m", 0)),
        mtime_ns=int(obj.get("mt", 0)),
        size=int(obj.get("s", 0)),
        chunks=[(str(name), int(length)) for name, length in obj.get("c", [])],
        target=_get_bytes(obj, "l"),
        ino=int(obj.get("i", 0)),
        ctime_ns=int(obj.get("ct", 0)),
        oid=str(obj.get("o", "")),
    )


def encode_header(header: dict) -> bytes:
    return json.dumps({"format": FORMAT, "version": VERSION, **header}, separators=(",", ":"), sort_keys=True).encode("utf-8") + b"\n"


def decode_header(data: bytes) -> dict:
    """Parse the sealed manifest record (one JSON object) and check its format."""
    header = json.loads(data)
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != VERSION:
        raise ValueError(f"not a {FORMAT} v{VERSION} manifest")
    if not isinstance(header.get("tree"), list):
        raise ValueError("manifest has no tree chunk list")
    return header


def tree_chunks(header: dict) -> list[tuple[str, int]]:
    return [(str(name), int(length)) for name, length in header["tree"]]


def decode_entries(body: bytes) -> Iterator[Entry]:
    """Parse the tree body (JSON Lines, one entry per line), all lines in one json.loads call
    (a call per line cost more than the entries themselves)."""
    docs = json.loads(b"[" + b",".join(line for line in body.split(b"\n") if line) + b"]")
    for obj in docs:
        if not isinstance(obj, dict):
            raise ValueError("tree entry is not a JSON object")
        yield decode_entry(obj)


def check_rel_path(path: bytes) -> None:
    """Refuse paths that could leave the restore destination."""
    if not path or path.startswith(b"/") or b"\x00" in path:
        raise ValueError(f"unsafe path in manifest: {path!r}")
    for part in path.split(b"/"):
        if part in (b"", b".", b".."):
            raise ValueError(f"unsafe path in manifest: {path!r}")


def unique_chunks(entries: Iterable[Entry]) -> dict[str, int]:
    """Chunk name -> plaintext length over all entries."""
    out: dict[str, int] = {}
    for entry in entries:
        for name, length in entry.chunks:
            out[name] = length
    return out
