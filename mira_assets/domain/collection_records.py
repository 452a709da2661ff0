"""What goes into the ChromaDB collections `stored_memories` and `identified_facts`, and how we check it.

Framework-free. Memory metadata is exactly the seed's `ChromaDBVectorStorage.store_memory` (six factors,
source, importance_score, spark_intensity, timestamp in epoch seconds, access_count, one `tag_<name>` per tag)
plus `partition` (the day, added by the store). Private memories never get here: `public_memories` drops them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from mira_assets.domain.scoring import FACTOR_NAMES, Memory, MemoryScorer
from resources.chroma import ChromaStore

MEMORIES_COLLECTION = "stored_memories"
FACTS_COLLECTION = "identified_facts"
MEMORIES_DESCRIPTION = "Searchable consciousness memories"
FACTS_DESCRIPTION = "Extracted facts and knowledge"
TAG_PREFIX = "tag_"


def public_memories(records: Iterable[dict]) -> list[dict]:
    """Memories that may be searchable: everything not marked private."""
    return [r for r in records if not r.get("is_private", False)]


def stored_memory_records(landing_records: Iterable[dict], public_insights: Iterable[dict] = ()) -> list[dict]:
    """A day's records of `stored_memories`: its public landing memories, then its public insights (landing-
    shaped memories from `mira_assets.domain.evolution`). Both the embeddings and the collection take exactly
    these, so nothing is embedded or written twice. An insight id that a landing memory already uses is an error
    (ids are public; the day is refused rather than one of the two silently lost)."""
    records = public_memories(landing_records)
    seen = {r["memory_id"] for r in records}
    for insight in public_insights:
        if insight["memory_id"] in seen:
            raise ValueError(f"memory id {insight['memory_id']!r} is used by a landing memory and by a public "
                             "insight of the same day")
        seen.add(insight["memory_id"])
        records.append(insight)
    return records


def memory_metadata(memory: Memory, scorer: MemoryScorer | None = None) -> dict[str, Any]:
    scorer = scorer or MemoryScorer()
    meta: dict[str, Any] = {name: float(getattr(memory, name)) for name in FACTOR_NAMES}
    meta["source"] = memory.source
    meta["importance_score"] = scorer.calculate_base_importance(memory)
    meta["spark_intensity"] = scorer.calculate_spark_intensity(memory)
    meta["timestamp"] = float(memory.timestamp)
    meta["access_count"] = int(memory.access_count)
    for tag, value in memory.tags.items():
        meta[f"{TAG_PREFIX}{tag}"] = bool(value)
    return meta


def memory_from_chroma(memory_id: str, document: str, metadata: dict) -> Memory:
    """Rebuild a Memory from a `stored_memories` record (inverse of `memory_metadata`)."""
    tags = {k[len(TAG_PREFIX):]: bool(v) for k, v in metadata.items() if k.startswith(TAG_PREFIX)}
    kwargs = {name: float(metadata[name]) for name in FACTOR_NAMES if name in metadata}
    return Memory(memory_id=memory_id, content=document or "", timestamp=float(metadata.get("timestamp", 0.0)),
                  source=str(metadata.get("source", "automated")), access_count=int(metadata.get("access_count", 0)),
                  tags=tags, **kwargs)


def fact_metadata(fact: dict) -> dict[str, Any]:
    meta: dict[str, Any] = {"source": str(fact["source"]), "confidence": float(fact["confidence"]),
                            "timestamp": float(fact["timestamp"])}
    for tag in fact.get("tags") or []:
        meta[f"{TAG_PREFIX}{tag}"] = True
    return meta


@dataclass
class CollectionBatch:
    """The records of one collection partition, ready for `ChromaStore.replace_partition`."""

    ids: list[str]
    documents: list[str]
    metadatas: list[dict]
    extra: dict[str, list[float]] = field(default_factory=dict)  # score columns for the UI distribution


def memory_batch(records: Sequence[dict]) -> CollectionBatch:
    scorer = MemoryScorer()
    ids, docs, metas = [], [], []
    for r in public_memories(records):
        memory = Memory.from_record(r)
        ids.append(memory.memory_id)
        docs.append(memory.content)
        metas.append(memory_metadata(memory, scorer))
    return CollectionBatch(ids, docs, metas, extra={
        "importance": [m["importance_score"] for m in metas], "spark": [m["spark_intensity"] for m in metas]})


def fact_batch(records: Sequence[dict]) -> CollectionBatch:
    ids = [str(f["id"]) for f in records]
    metas = [fact_metadata(f) for f in records]
    return CollectionBatch(ids, [str(f["content"]) for f in records], metas,
                           extra={"confidence": [m["confidence"] for m in metas]})


BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def distribution_markdown(columns: dict[str, Sequence[float]]) -> str:
    """A small Markdown histogram: one row per fifth of [0, 1], one count column per score."""
    names = list(columns)
    lines = ["| range | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for k in range(len(BINS) - 1):
        lo, hi = BINS[k], BINS[k + 1]
        last = k == len(BINS) - 2
        label = f"[{lo:.1f}, {hi:.1f}{']' if last else ')'}"
        counts = [sum(1 for v in columns[n] if lo <= v < hi or (last and v == hi)) for n in names]
        lines.append(f"| {label} | " + " | ".join(str(c) for c in counts) + " |")
    stats = []
    for n in names:
        vals = list(columns[n])
        stats.append(f"{np.mean(vals):.3f}" if vals else "-")
    lines.append("| mean | " + " | ".join(stats) + " |")
    return "\n".join(lines)


#: How far a vector Chroma holds may be from the embedding table's (Chroma re-normalizes in cosine space).
VECTOR_ATOL = 1e-5


@dataclass(frozen=True)
class PartitionCheck:
    expected: int
    found: int
    missing: int  # expected ids not in the collection
    unexpected: int  # ids of the partition that should not be there
    dimension_ok: bool
    finite_ok: bool
    dimensions: tuple[int, ...]
    differing: int = 0  # expected ids whose vector in Chroma is not the embedding table's (within VECTOR_ATOL)
    max_abs_diff: float = 0.0  # largest difference of a held vector from the table's, over the ids found

    @property
    def ids_ok(self) -> bool:
        return self.missing == 0 and self.unexpected == 0

    @property
    def vectors_ok(self) -> bool:
        """Every expected id is held with the table's vector: the right dimension, finite, the same values."""
        return self.dimension_ok and self.finite_ok and self.missing == 0 and self.differing == 0

    def metadata(self) -> dict[str, Any]:
        return {"expected": self.expected, "found": self.found, "missing": self.missing,
                "unexpected": self.unexpected, "dimensions": ",".join(str(d) for d in self.dimensions) or "-"}


def check_partition(store: ChromaStore, collection: str, partition: str, expected_ids: Sequence[str],
                    expected_vectors: np.ndarray, dimension: int) -> PartitionCheck:
    """Read the partition back from Chroma and compare it with the day's embedding table: exactly the
    expected ids, and for each the table's vector (``expected_vectors``, in the order of ``expected_ids``):
    `dimension` long, finite, equal within VECTOR_ATOL."""
    got = store.get_partition(collection, partition, include=("embeddings",))
    ids = list(got["ids"])
    emb = got.get("embeddings")
    vectors = np.asarray(emb if emb is not None else np.zeros((0, dimension)), dtype=np.float32)
    if vectors.size == 0:
        vectors = vectors.reshape(len(ids), -1) if ids else np.zeros((0, dimension), np.float32)
    dims = tuple(sorted({int(vectors.shape[1])})) if len(ids) else ()
    expected = set(expected_ids)
    found = set(ids)
    differing, max_diff = 0, 0.0
    if vectors.shape[1:] == (dimension,):
        held = {rid: k for k, rid in enumerate(ids)}
        table = np.asarray(expected_vectors, dtype=np.float32)
        table = table.reshape(len(expected_ids), -1) if len(expected_ids) else np.zeros((0, dimension), np.float32)
        for j, rid in enumerate(expected_ids):
            k = held.get(rid)
            if k is None:
                continue
            diff = float(np.abs(vectors[k] - table[j]).max(initial=0.0)) if table.shape[1] == dimension else np.inf
            diff = diff if np.isfinite(diff) else np.inf
            max_diff = max(max_diff, diff)
            differing += not diff <= VECTOR_ATOL
    else:
        differing = len(expected & found)
    return PartitionCheck(expected=len(expected), found=len(found), missing=len(expected - found),
                          unexpected=len(found - expected), dimension_ok=all(d == dimension for d in dims),
                          finite_ok=bool(np.isfinite(vectors).all()), dimensions=dims, differing=differing,
                          max_abs_diff=max_diff)
