"""Daily embedding tables: the vectors of one day's public memories (or facts), kept so nothing embeds twice.

Framework-free. One Parquet file per asset and day at `$MIRA_DATA/tables/<asset>/<YYYY-MM-DD>.parquet`:
columns `id` (string), `content_sha256` (string, hex of the UTF-8 text), `embedding`
(fixed_size_list<float32>[dimension]); the schema metadata records the model, its weights' sha256 and the
dimension. A rerun reuses every vector whose id and content hash (and model) are unchanged and embeds only
the rest; the file is rewritten atomically (identical content = no-op).

Only public text is embedded; the table holds ids, hashes and vectors, never content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from resources.parquet import parquet_bytes
from resources.vault.atomic import atomic_write


def content_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embedding_table_path(tables_root: Path, asset: str, day: str) -> Path:
    return Path(tables_root) / asset / f"{day}.parquet"


@dataclass
class EmbeddingTable:
    ids: list[str]
    content_sha256: list[str]
    vectors: np.ndarray  # float32 (n, dimension)
    model: str
    weights_sha256: str

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    def lookup(self) -> dict[tuple[str, str], int]:
        return {(i, h): k for k, (i, h) in enumerate(zip(self.ids, self.content_sha256))}

    def vectors_for(self, ids: Sequence[str]) -> np.ndarray:
        """Vectors in the order of `ids` (KeyError naming the first missing id)."""
        pos = {i: k for k, i in enumerate(self.ids)}
        missing = [i for i in ids if i not in pos]
        if missing:
            raise KeyError(f"no embedding for id {missing[0]!r} ({len(missing)} missing): rematerialize the embeddings")
        return self.vectors[[pos[i] for i in ids]] if ids else np.zeros((0, self.dimension), np.float32)


def table_bytes(table: EmbeddingTable) -> bytes:
    n, dim = len(table.ids), table.vectors.shape[1]
    flat = pa.array(np.ascontiguousarray(table.vectors, dtype=np.float32).reshape(-1), type=pa.float32())
    schema = pa.schema(
        [("id", pa.string()), ("content_sha256", pa.string()), ("embedding", pa.list_(pa.float32(), dim))],
        metadata={"model": table.model, "weights_sha256": table.weights_sha256, "dimension": str(dim)},
    )
    arrow = pa.Table.from_arrays(
        [pa.array(table.ids, pa.string()), pa.array(table.content_sha256, pa.string()),
         pa.FixedSizeListArray.from_arrays(flat, dim)], schema=schema)
    assert arrow.num_rows == n
    return parquet_bytes(arrow)


def write_embedding_table(path: Path, table: EmbeddingTable) -> bool:
    """Atomically (re)write; False when an identical file was already there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, table_bytes(table))


def read_embedding_table(path: Path) -> EmbeddingTable:
    arrow = pq.read_table(path)
    meta = {k.decode(): v.decode() for k, v in (arrow.schema.metadata or {}).items()}
    dim = int(meta.get("dimension", "0"))
    col = arrow.column("embedding").combine_chunks()
    values = col.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    vectors = values.reshape(len(col), dim) if dim else np.zeros((len(col), 0), np.float32)
    return EmbeddingTable(ids=arrow.column("id").to_pylist(), content_sha256=arrow.column("content_sha256").to_pylist(),
                          vectors=vectors, model=meta.get("model", ""), weights_sha256=meta.get("weights_sha256", ""))


@dataclass(frozen=True)
class EmbedStats:
    records: int
    embedded: int
    reused: int
    written: bool  # False: the file on disk was already identical


def embed_day(path: Path, ids: Sequence[str], texts: Sequence[str], encode: Callable[[list[str]], np.ndarray], *,
              model: str, weights_sha256: str, dimension: int) -> tuple[EmbeddingTable, EmbedStats]:
    """Embed one day's texts into the table at `path`, reusing vectors of the previous file where the id,
    content and model are unchanged. `encode(texts) -> (n, dimension)` float32 normalized."""
    ids = [str(i) for i in ids]
    hashes = [content_sha256(t) for t in texts]
    vectors = np.zeros((len(ids), dimension), dtype=np.float32)
    todo = list(range(len(ids)))
    if path.exists():
        try:
            previous = read_embedding_table(path)
        except Exception:  # unreadable old file: embed everything again
            previous = None
        if previous is not None and previous.model == model and previous.weights_sha256 == weights_sha256 \
                and previous.dimension == dimension:
            known = previous.lookup()
            todo = []
            for k, key in enumerate(zip(ids, hashes)):
                if key in known:
                    vectors[k] = previous.vectors[known[key]]
                else:
                    todo.append(k)
    if todo:
        fresh = encode([texts[k] for k in todo])
        vectors[todo] = np.asarray(fresh, dtype=np.float32)
    table = EmbeddingTable(ids=ids, content_sha256=hashes, vectors=vectors, model=model, weights_sha256=weights_sha256)
    written = write_embedding_table(path, table)
    return table, EmbedStats(records=len(ids), embedded=len(todo), reused=len(ids) - len(todo), written=written)
