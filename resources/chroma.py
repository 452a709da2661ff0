"""ChromaDB collections of mira-storage: embedded PersistentClient by default, HttpClient for a server.

Framework-free. Collections are created in cosine space (`configuration={"hnsw": {"space": "cosine"}}`, which
cannot be changed later) with metadata recording the embedding model and the real dimension. Chroma's default
embedding function is never used: collections are opened with `embedding_function=None` and every write and
query passes our own vectors, so nothing is downloaded.

Writes replace a whole partition (metadata `partition` = the day): afterwards the day holds exactly the given
records. Unchanged records stay in place; new ones are added and changed ones (and a record of another day that
carries one of the incoming ids) upserted, in batches of `client.get_max_batch_size()`; the day's stale ids are
deleted last, so a crash part-way never leaves the day without its records.
The embedded client is NOT safe for several writing processes at once: the Dagster assets that write here share
the pool `chroma` (size 1); use a Chroma server (host/port) for parallel runs.

chromadb is imported inside methods only (the CLI must start fast).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

PARTITION_KEY = "partition"
COSINE_CONFIGURATION = {"hnsw": {"space": "cosine"}}


class ChromaStoreError(RuntimeError):
    """A collection is missing or incompatible (e.g. created with another dimension or space)."""


@dataclass(frozen=True)
class WriteStats:
    collection: str
    partition: str
    deleted: int  # stale records of the partition (ids the day no longer has) removed, after the writes
    added: int  # new, changed or moved-here records written (added or upserted)
    unchanged: int  # records already there exactly as given: left in place
    batches: int
    batch_size: int
    seconds: float


# Chroma re-normalizes vectors in cosine space, so a stored vector may differ from ours in the last bit.
SAME_VECTOR_ATOL = 1e-6


def _same_vector(stored, given: np.ndarray) -> bool:
    stored = np.asarray(stored, dtype=np.float64)
    return stored.shape == given.shape and bool(np.abs(stored - given).max(initial=0.0) <= SAME_VECTOR_ATOL)


# Chroma's metadata floats come back with the last bit rounded sometimes (seen in chromadb 1.5).
SAME_FLOAT_REL = 1e-12


def _same_metadata(stored: Optional[dict], given: dict) -> bool:
    stored = stored or {}
    if stored.keys() != given.keys():
        return False
    for key, value in given.items():
        other = stored[key]
        if isinstance(value, float) and isinstance(other, (float, int)) and not isinstance(other, bool):
            if not math.isclose(value, float(other), rel_tol=SAME_FLOAT_REL, abs_tol=1e-300):
                return False
        elif type(value) is not type(other) or value != other:
            return False
    return True


# A Chroma server (1.5) sometimes fails a read of a collection another client is writing for the first time
# ("Error creating hnsw segment reader: Nothing found on disk"); the same read a moment later succeeds.
TRANSIENT_READ_ERROR = "Error creating hnsw segment reader"
READ_RETRIES_S = (0.2, 0.5, 1.0, 2.0)


def _read(get, **kwargs):
    """``get(**kwargs)``, retried a few times on the server's transient segment-reader error."""
    from chromadb.errors import InternalError

    for wait in (*READ_RETRIES_S, None):
        try:
            return get(**kwargs)
        except InternalError as exc:
            if wait is None or TRANSIENT_READ_ERROR not in str(exc):
                raise
            time.sleep(wait)


def _chunks(n: int, size: int):
    for start in range(0, n, size):
        yield start, min(n, start + size)


class ChromaStore:
    """Thin adapter over a chromadb client: collections, replace-partition writes, reads, queries."""

    def __init__(self, path: Optional[str | Path] = None, host: Optional[str] = None, port: int = 8000,
                 client: Any = None):
        self.host = host or None
        if not path and not self.host and client is None:
            raise ValueError("ChromaStore needs a folder (path) for the embedded client or a server (host)")
        self.path = Path(path) if path else None
        self.port = int(port)
        self._client = client

    # -- client -------------------------------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False, allow_reset=False)
            if self.host:
                self._client = chromadb.HttpClient(host=self.host, port=self.port, settings=settings)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self.path), settings=settings)
        return self._client

    def describe(self) -> str:
        return f"http://{self.host}:{self.port}" if self.host else str(self.path)

    def max_batch_size(self) -> int:
        return int(self.client.get_max_batch_size())

    # -- collections --------------------------------------------------------------------------------------
    def collection(self, name: str, *, model: str, dimension: int, description: str = ""):
        """Get or create `name` in cosine space; fail if an existing one records another model/dimension."""
        metadata = {"embedding_model": model, "vector_dimensions": int(dimension), "space": "cosine"}
        if description:
            metadata["description"] = description
        col = self.client.get_or_create_collection(
            name=name, configuration=COSINE_CONFIGURATION, metadata=metadata, embedding_function=None)
        self._check_compatible(col, model, dimension)
        return col

    def existing(self, name: str):
        """The collection if it exists, else None (never creates)."""
        if not self.host and self._client is None and not self.path.exists():
            return None  # nothing there yet: do not create an empty database just by looking
        from chromadb.errors import NotFoundError

        try:
            return self.client.get_collection(name=name, embedding_function=None)
        except (NotFoundError, ValueError):
            return None

    def _check_compatible(self, col, model: str, dimension: int) -> None:
        meta = col.metadata or {}
        if str(meta.get("vector_dimensions")) != str(dimension) or meta.get("embedding_model") != model:
            raise ChromaStoreError(
                f"collection {col.name!r} records model {meta.get('embedding_model')!r} with "
                f"{meta.get('vector_dimensions')!r} dimensions; expected {model!r} with {dimension}")
        space = ((col.configuration or {}).get("hnsw") or {}).get("space")
        if space not in (None, "cosine"):
            raise ChromaStoreError(f"collection {col.name!r} is in {space!r} space, expected cosine")

    # -- writes -------------------------------------------------------------------------------------------
    def add_batched(self, col, ids: Sequence[str], embeddings: np.ndarray, documents: Sequence[str],
                    metadatas: Sequence[dict], batch_size: Optional[int] = None, *, upsert: bool = False) -> int:
        """`col.add` (or `col.upsert`) in batches of the client's maximum batch size; returns the number of batches."""
        size = int(batch_size or self.max_batch_size())
        embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        write = col.upsert if upsert else col.add
        batches = 0
        for a, b in _chunks(len(ids), size):
            write(ids=list(ids[a:b]), embeddings=embeddings[a:b], documents=list(documents[a:b]),
                  metadatas=list(metadatas[a:b]))
            batches += 1
        return batches

    def replace_partition(self, name: str, partition: str, ids: Sequence[str], embeddings: np.ndarray,
                          documents: Sequence[str], metadatas: Sequence[dict], *, model: str, dimension: int,
                          description: str = "") -> WriteStats:
        """Make the collection hold exactly these records for `partition` (ids must be unique).

        Every metadata dict gets `partition` set. The day's current records are read back first: a record
        whose document, metadata and vector are unchanged stays in place (so an unchanged rerun writes
        nothing: rewriting costs chroma 2-3x a fresh add, its HNSW index keeps the tombstones). Then, in this
        order: new ids are added, changed ones (and an id another partition holds: it moves here, the latest
        write of an id wins) are upserted, and only then are the day's stale ids deleted. A crash part-way
        leaves every record of the day present (old or new version), never a day without its records; the
        rerun finishes the job."""
        t0 = time.perf_counter()
        ids = [str(i) for i in ids]
        if len(set(ids)) != len(ids):
            raise ChromaStoreError(f"{name}/{partition}: duplicate ids in one write")
        embeddings = np.asarray(embeddings, dtype=np.float32).reshape(len(ids), -1) if len(ids) else \
            np.zeros((0, dimension), dtype=np.float32)
        if embeddings.shape[1] != dimension:
            raise ChromaStoreError(f"{name}/{partition}: vectors have {embeddings.shape[1]} dimensions, expected {dimension}")
        if not np.isfinite(embeddings).all():
            raise ChromaStoreError(f"{name}/{partition}: non-finite values in vectors")
        metadatas = [{**m, PARTITION_KEY: partition} for m in metadatas]
        documents = list(documents)
        col = self.collection(name, model=model, dimension=dimension, description=description)
        size = self.max_batch_size()

        current = self._get_paged(col, {PARTITION_KEY: partition}, ("documents", "metadatas", "embeddings"), size)
        position = {rid: k for k, rid in enumerate(ids)}
        unchanged: set[str] = set()
        for k, rid in enumerate(current["ids"]):
            j = position.get(rid)
            if j is not None and current["documents"][k] == documents[j] \
                    and _same_metadata(current["metadatas"][k], metadatas[j]) \
                    and _same_vector(current["embeddings"][k], embeddings[j]):
                unchanged.add(rid)
        in_partition = set(current["ids"])
        # `add` of an id another partition holds would be a silent no-op: find those, they are upserted.
        outside = [rid for rid in ids if rid not in in_partition]
        elsewhere: set[str] = set()
        for a, b in _chunks(len(outside), size):
            elsewhere.update(_read(col.get, ids=outside[a:b], include=[])["ids"])
        new = [j for j, rid in enumerate(ids) if rid not in in_partition and rid not in elsewhere]
        rewrite = [j for j, rid in enumerate(ids) if rid not in unchanged and (rid in in_partition or rid in elsewhere)]
        batches = 0
        for upsert, rows in ((False, new), (True, rewrite)):
            if rows:
                every = len(rows) == len(ids)
                batches += self.add_batched(
                    col, ids if every else [ids[j] for j in rows], embeddings if every else embeddings[rows],
                    documents if every else [documents[j] for j in rows],
                    metadatas if every else [metadatas[j] for j in rows], batch_size=size, upsert=upsert)
        stale = [rid for rid in current["ids"] if rid not in position]
        for a, b in _chunks(len(stale), size):
            col.delete(ids=stale[a:b])
        return WriteStats(collection=name, partition=partition, deleted=len(stale), added=len(new) + len(rewrite),
                          unchanged=len(unchanged), batches=batches, batch_size=size,
                          seconds=time.perf_counter() - t0)

    def delete_ids(self, name: str, ids: Sequence[str]) -> int:
        col = self.existing(name)
        if col is None or not ids:
            return 0
        size = self.max_batch_size()
        for a, b in _chunks(len(ids), size):
            col.delete(ids=list(ids[a:b]))
        return len(ids)

    # -- reads --------------------------------------------------------------------------------------------
    def _get_paged(self, col, where: Optional[dict], include: Sequence[str], page: Optional[int] = None) -> dict:
        """`col.get` in pages (one large get fails with "too many SQL variables"); embeddings as one array."""
        page = int(page or self.max_batch_size())
        out: dict[str, list] = {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
        offset = 0
        while True:
            r = _read(col.get, where=where, include=list(include), limit=page, offset=offset)
            out["ids"].extend(r["ids"])
            for key in ("documents", "metadatas"):
                if key in include:
                    out[key].extend(r[key])
            if "embeddings" in include and len(r["ids"]):
                out["embeddings"].append(np.asarray(r["embeddings"], dtype=np.float32))
            if len(r["ids"]) < page:
                break
            offset += page
        if "embeddings" in include:
            out["embeddings"] = np.concatenate(out["embeddings"]) if out["embeddings"] else \
                np.zeros((0, 0), dtype=np.float32)
        return out

    def get_partition(self, name: str, partition: str, include: Sequence[str] = ("metadatas",)) -> dict:
        """Every record of one partition (paged)."""
        col = self.existing(name)
        if col is None:
            return {"ids": [], "metadatas": [], "documents": [], "embeddings": np.zeros((0, 0), np.float32)}
        return self._get_paged(col, {PARTITION_KEY: partition}, include)

    def get_all(self, name: str, include: Sequence[str] = ("metadatas", "documents")) -> dict:
        """Every record of the collection (paged), as {ids, metadatas, documents[, embeddings]}."""
        col = self.existing(name)
        if col is None:
            return {"ids": [], "metadatas": [], "documents": [], "embeddings": np.zeros((0, 0), np.float32)}
        return self._get_paged(col, None, include)

    def get_ids(self, name: str, ids: Sequence[str], include: Sequence[str] = ("metadatas",)) -> dict:
        """The records with these ids (those that exist; none when the collection does not)."""
        col = self.existing(name)
        if col is None or not ids:
            return {"ids": [], "metadatas": [], "documents": [], "embeddings": np.zeros((0, 0), np.float32)}
        got = col.get(ids=list(ids), include=list(include))
        out = {"ids": list(got["ids"]), "metadatas": list(got.get("metadatas") or []),
               "documents": list(got.get("documents") or [])}
        out["embeddings"] = np.asarray(got["embeddings"], dtype=np.float32) if "embeddings" in include and \
            len(got["ids"]) else np.zeros((0, 0), np.float32)
        return out

    def query(self, name: str, vector: np.ndarray, n: int = 10, where: Optional[dict] = None,
              include: Sequence[str] = ("documents", "metadatas", "distances")) -> dict:
        """Chroma's `query` for one vector; add "embeddings" to `include` to get the stored vectors back."""
        col = self.existing(name)
        if col is None:
            raise ChromaStoreError(f"collection {name!r} does not exist in {self.describe()}")
        return col.query(query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1), n_results=n,
                         where=where or None, include=list(include))
