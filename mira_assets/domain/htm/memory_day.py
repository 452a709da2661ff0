"""One day of memories through the hierarchy: what `htm_state` computes, framework-free.

The day's memories, public and private, are fed in order of timestamp then id (the seed's
`process_and_store`, one call per memory). Public memories' vectors come from the day's embedding table;
private ones' are computed in memory by the caller's encoder and never leave this process in the clear.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from mira_assets.domain.htm.days import feed_order
from mira_assets.domain.htm.hierarchy import StepResult, run_day, summarize
from mira_assets.domain.htm.state import HTMState
from mira_assets.domain.htm.step_tables import PublicSteps, private_patterns

Vectors = Callable[[list[str]], np.ndarray]  # ids (public) or contents (private) -> (n, 384) float32


@dataclass
class MemoryDay:
    """The state after the day, and what each memory gave, split by who may see it."""

    state: HTMState
    memories: list[dict]            # every memory of the day, in feed order
    results: list[StepResult]       # one per memory, same order
    public: PublicSteps             # public memories' numbers and 32-d representations
    private: list[dict] = field(repr=False)  # private memories' patterns: secret, sealed by the caller
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, float]:
        """Numbers for the day's metadata: steps, surprise (mean, p95; per level), likelihood, ms/step."""
        return summarize(self.results)


def _vectors(encode: Vectors, keys: list[str], dim: int, what: str) -> np.ndarray:
    if not keys:
        return np.zeros((0, dim), dtype=np.float32)
    vectors = np.asarray(encode(keys), dtype=np.float32)
    if vectors.shape != (len(keys), dim):
        raise ValueError(f"{what}: expected {len(keys)} vectors of {dim} dimensions, got shape {vectors.shape}")
    return vectors


def learn_memories(state: HTMState, memories: Sequence[dict], public_vectors: Vectors,
                   private_vectors: Vectors) -> MemoryDay:
    """Feed the day's memories to `state` (changed in place) and collect each memory's result.

    `public_vectors(ids)` gives the embedding-table vectors of public memories; `private_vectors(contents)`
    embeds private memories' contents (in memory only). A memory whose vector cannot be encoded (all zeros,
    not finite) raises ValueError naming its memory id, before anything is learned."""
    ordered = feed_order(memories)
    dim = state.config.input_dim
    public_rows = [k for k, m in enumerate(ordered) if not m.get("is_private", False)]
    private_rows = [k for k, m in enumerate(ordered) if m.get("is_private", False)]
    started = time.perf_counter()
    vectors = np.empty((len(ordered), dim), dtype=np.float32)
    vectors[public_rows] = _vectors(public_vectors, [ordered[k]["memory_id"] for k in public_rows], dim,
                                    "public memories' embeddings")
    vectors_at = time.perf_counter()
    vectors[private_rows] = _vectors(private_vectors, [ordered[k]["content"] for k in private_rows], dim,
                                     "private memories' embeddings")
    embedded_at = time.perf_counter()
    bad = ~np.isfinite(vectors).all(axis=1) | ~(np.abs(vectors) > 0).any(axis=1)
    if bad.any():
        ids = [str(ordered[k]["memory_id"]) for k in np.flatnonzero(bad)]
        raise ValueError(f"memory {ids[0]}: its vector is all zeros or not finite, the HTM cannot encode it "
                         f"({len(ids)} such memories this day)")
    state, results = run_day(state, vectors, copy=False)
    ran_at = time.perf_counter()
    levels, dimension = len(state.levels), state.config.abstraction_dim
    public = PublicSteps.of([ordered[k] for k in public_rows], [results[k] for k in public_rows], levels, dimension)
    private = private_patterns([ordered[k] for k in private_rows], [results[k] for k in private_rows])
    return MemoryDay(state=state, memories=ordered, results=results, public=public, private=private,
                     seconds={"public_vectors_s": vectors_at - started, "private_embed_s": embedded_at - vectors_at,
                              "run_s": ran_at - embedded_at})


def surprise_by_hour_markdown(day: MemoryDay) -> str:
    """A small Markdown table of the day: per UTC hour, memories and mean surprise per level (all memories)."""
    if not day.results:
        return "no memories this day"
    levels = len(day.results[0].surprise_per_level)
    hours: dict[int, list[StepResult]] = {}
    for memory, result in zip(day.memories, day.results):
        hour = dt.datetime.fromtimestamp(float(memory["timestamp"]), dt.timezone.utc).hour
        hours.setdefault(hour, []).append(result)
    head = "| hour (UTC) | memories | " + " | ".join(f"surprise L{k + 1}" for k in range(levels)) + " | likelihood max |"
    lines = [head, "|---|---|" + "---|" * levels + "---|"]
    for hour in sorted(hours):
        rs = hours[hour]
        means = np.asarray([r.surprise_per_level for r in rs], dtype=np.float64).mean(axis=0)
        cells = " | ".join(f"{m:.3f}" for m in means)
        lines.append(f"| {hour:02d} | {len(rs)} | {cells} | {max(r.likelihood for r in rs):.3f} |")
    return "\n".join(lines)
