"""Cutting file content into chunks and naming them.

Files up to `SMALL_FILE` bytes are one chunk (most source files). Larger files are
cut with FastCDC (gear hash, normalized chunking; `pyfastcdc`, compiled) into
content-defined chunks of 256 KiB..4 MiB (about 1 MiB on average), so an edit in
the middle of a big file changes one or two chunks, not the whole file. Reading is
streamed: at most one chunk of a file is in memory at a time.

A chunk's name is BLAKE2b-256 keyed with the vault's naming key for
"codebase-chunks" (hex, 64 chars): equal content gets the same name (dedup),
and without the key a name says nothing about the content.
"""

from __future__ import annotations

import hashlib
from typing import BinaryIO, Iterator

from pyfastcdc import FastCDC

SMALL_FILE = 1 << 20
AVG_CHUNK = 1 << 20
MIN_CHUNK = 256 << 10
MAX_CHUNK = 4 << 20
NAMING_PURPOSE = "codebase-chunks"
_CHUNK_PERSON = b"mira-cb-chunk"
_TREE_PERSON = b"mira-cb-tree"
_DICT_PERSON = b"mira-cb-dict"


class ChunkNamer:
    """Keyed names for chunks and manifests (BLAKE2b, key = vault naming key)."""

    def __init__(self, naming_key: bytes):
        if not naming_key:
            raise ValueError("empty naming key")
        self._key = hashlib.sha256(naming_key).digest() if len(naming_key) > 64 else bytes(naming_key)

    def chunk_name(self, data: bytes | memoryview) -> str:
        return hashlib.blake2b(data, digest_size=32, key=self._key, person=_CHUNK_PERSON).hexdigest()

    def dict_name(self, data: bytes) -> str:
        """A zstd dictionary's id (see dictionary.py)."""
        return hashlib.blake2b(data, digest_size=32, key=self._key, person=_DICT_PERSON).hexdigest()

    def tree_hasher(self):
        return hashlib.blake2b(digest_size=32, key=self._key, person=_TREE_PERSON)


def iter_chunks(fh: BinaryIO, size_hint: int) -> Iterator[bytes]:
    """Yield the chunks of an open file (streamed). An empty file yields nothing."""
    if size_hint <= SMALL_FILE:
        data = fh.read()
        if len(data) <= SMALL_FILE:
            if data:
                yield data
            return
        # grew while we read: fall back to cutting what we have plus the rest
        import io

        fh = io.BufferedReader(_Concat(data, fh))  # type: ignore[arg-type]
    cdc = FastCDC(AVG_CHUNK, min_size=MIN_CHUNK, max_size=MAX_CHUNK)
    for chunk in cdc.cut_stream(fh):
        yield bytes(chunk.data)


TREE_AVG = 64 << 10


def cut_tree(body: bytes) -> list[bytes]:
    """Content-defined pieces of a manifest body (about 64 KiB each)."""
    if len(body) <= 2 * TREE_AVG:
        return [body] if body else []
    cdc = FastCDC(TREE_AVG, min_size=16 << 10, max_size=256 << 10)
    return [bytes(c.data) for c in cdc.cut_buf(body)]


class _Concat:
    """A raw reader over `head` bytes then the rest of `tail`."""

    def __init__(self, head: bytes, tail: BinaryIO):
        self._head = memoryview(head)
        self._tail = tail

    def readable(self) -> bool:
        return True

    @property
    def closed(self) -> bool:
        return False

    def readinto(self, b) -> int:
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._tail.read(len(b))
        b[: len(data)] = data
        return len(data)
