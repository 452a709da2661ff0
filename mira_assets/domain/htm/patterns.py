"""What the HTM stores (SPEC §5's HTM rule): public memories' patterns in the ChromaDB collection
`htm_patterns`, private memories' patterns in the vault as records of kind `htm_pattern`.

Public: one record per public memory, id `htm_<memory_id>`, its 32-d final representation as the vector,
the memory's content as the document, and the seed's factors: significance = min(0.5 + 0.5·surprise, 1),
technical_value 0.8, confidence = 1 − surprise, the other factors at their defaults, so importance_score is
the SPEC §1 base importance of that memory (source `automated`, the seed's default). `memory_id` links it
to the memory in `stored_memories` (384-d; a 32-d vector cannot live there).

Private: the pattern (active and predicted columns per level, the abstraction, surprise, likelihood) is
sealed; in the clear only `{"type": "htm_pattern", "parent_memory": <vault id of the private memory>}`, as
the seed writes it. Framework-free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from mira_assets.domain.collection_records import CollectionBatch
from mira_assets.domain.htm.config import HTMConfig
from mira_assets.domain.htm.step_tables import PublicSteps
from mira_assets.domain.scoring import Memory, MemoryScorer
from resources.vault.records import PrivateItem

HTM_COLLECTION = "htm_patterns"
HTM_DESCRIPTION = "HTM pattern embeddings (32-d abstractions of memories) for similarity search"
HTM_PATTERN_KIND = "htm_pattern"
PATTERN_ID_PREFIX = "htm_"
HTM_TECHNICAL_VALUE = 0.8


def pattern_model(config: HTMConfig) -> str:
    """The collection's `embedding_model`: the hierarchy that computes the vectors."""
    return "mira-htm/" + "-".join(str(c) for c in config.hierarchy_columns) + f"/abstraction-{config.abstraction_dim}"


HTM_MODEL = pattern_model(HTMConfig())       # "mira-htm/2048-512-128/abstraction-32"
HTM_DIMENSION = HTMConfig().abstraction_dim  # 32 (the seed's metadata says 128: SPEC §3)


def pattern_id(memory_id: str) -> str:
    return f"{PATTERN_ID_PREFIX}{memory_id}"


def pattern_memory(memory_id: str, content: str, timestamp: float, surprise: float) -> Memory:
    """The seed's HTM memory: significance and confidence from the surprise, technical value 0.8."""
    return Memory(memory_id=pattern_id(memory_id), content=content, timestamp=float(timestamp),
                  significance=min(0.5 + 0.5 * surprise, 1.0), technical_value=HTM_TECHNICAL_VALUE,
                  confidence=1.0 - surprise)


def pattern_metadata(memory_id: str, content: str, timestamp: float, surprise: float,
                     surprise_per_level: Sequence[float], likelihood: float,
                     scorer: MemoryScorer | None = None) -> dict[str, Any]:
    """The metadata of one `htm_patterns` record (the store adds `partition`)."""
    memory = pattern_memory(memory_id, content, timestamp, surprise)
    meta: dict[str, Any] = {"memory_id": str(memory_id), "surprise_level": float(surprise)}
    for level, value in enumerate(surprise_per_level, start=1):
        meta[f"surprise_l{level}"] = float(value)
    meta.update({
        "likelihood": float(likelihood),
        "significance": memory.significance,
        "technical_value": memory.technical_value,
        "confidence": memory.confidence,
        "importance_score": (scorer or MemoryScorer()).calculate_base_importance(memory),
        "timestamp": float(timestamp),
    })
    return meta


def pattern_batch(steps: PublicSteps, contents: Mapping[str, str]) -> tuple[CollectionBatch, np.ndarray]:
    """The day's `htm_patterns` records and their vectors (row k for `batch.ids[k]`).

    `contents`: memory id -> content of the day's public memories; a step whose memory is not there
    (the memories table changed after htm_state ran) raises KeyError naming it."""
    missing = [m for m in steps.memory_ids if m not in contents]
    if missing:
        raise KeyError(f"htm_state's results name memory {missing[0]!r} ({len(missing)} in all) that is not a "
                       f"public memory of the day's table: materialize htm_state for the day again")
    scorer = MemoryScorer()
    metas = [pattern_metadata(mid, contents[mid], steps.timestamps[k], steps.surprise[k],
                              steps.surprise_per_level[k], steps.likelihood[k], scorer)
             for k, mid in enumerate(steps.memory_ids)]
    batch = CollectionBatch(
        ids=[pattern_id(m) for m in steps.memory_ids],
        documents=[contents[m] for m in steps.memory_ids],
        metadatas=metas,
        extra={"surprise": [m["surprise_level"] for m in metas], "importance": [m["importance_score"] for m in metas]},
    )
    return batch, steps.representations


def htm_pattern_items(patterns: Sequence[dict], parents: Mapping[str, str]) -> list[PrivateItem]:
    """Vault items of kind `htm_pattern`, one per private memory's pattern.

    `parents`: landing memory id -> vault id of that private memory's record (its `parent_memory`). Every
    pattern must have its private memory among the day's, and every private memory its pattern; otherwise
    the HTM results are stale and ValueError says to rerun htm_state (no id or content in the message)."""
    unmatched = sum(1 for p in patterns if p["memory_id"] not in parents)
    unpatterned = len(set(parents) - {p["memory_id"] for p in patterns})
    if unmatched or unpatterned:
        raise ValueError(f"the day's HTM patterns do not match its private memories ({unmatched} pattern(s) "
                         f"without their memory, {unpatterned} private memory(ies) without a pattern): "
                         f"materialize htm_state for the day again, then private_memories")
    items = []
    for pattern in patterns:
        parent = parents[pattern["memory_id"]]
        items.append(PrivateItem(kind=HTM_PATTERN_KIND, timestamp=float(pattern["timestamp"]),
                                 payload={**pattern, "parent_memory": parent},
                                 metadata={"type": HTM_PATTERN_KIND, "parent_memory": parent}))
    return items
