"""Benchmark: MiniLM on the CPU, one sentence-transformers call with torch's threads vs `Embedder.encode` (the same
batches side by side on one thread each), on a realistic day's public memories (bench_day.py's biggest step).

    python tests/benchmarks/bench_embedding_batches.py [--memories 20000] [--rounds 1]

Variants, each timed in the same run (CPU and wall seconds, best of --rounds):
- `one call` (the baseline): one sentence-transformers call (it sorts the texts by length and cuts batches of
  64), with torch's intra-op threads (2 on this VM);
- `side by side`: `Embedder.encode`, which runs exactly those batches `workers` at a time, one torch thread each;
- `token-sorted`: batches of 64 cut after sorting by token count instead of characters (less padding), one
  call per batch with torch's threads.
For each: rows whose vector differs from `one call`, and the largest difference. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mira_assets.domain import landing as L  # noqa: E402
from mira_assets.domain.demo_realistic import DayScale, generate_realistic_data  # noqa: E402
from resources.embedder import DIMENSION, Embedder  # noqa: E402

DAY = date(2026, 11, 1)


def public_memories(n: int) -> list[str]:
    root = Path(tempfile.mkdtemp(prefix="bench_embed_")) / "landing"
    generate_realistic_data(root, DAY, 1, seed=7, scale=DayScale(conversations=1, memories=n, facts=1, thoughts=1))
    return [m["content"] for m in L.read_landing_day(root, "memories", DAY).records if not m["is_private"]]


def run_batches(embedder: Embedder, texts: list[str], batches: list[np.ndarray]) -> np.ndarray:
    out = np.empty((len(texts), DIMENSION), dtype=np.float32)

    def one(idx: np.ndarray) -> None:
        out[idx] = embedder.model.encode([texts[i] for i in idx], batch_size=len(idx), normalize_embeddings=True,
                                         convert_to_numpy=True, show_progress_bar=False)

    for idx in batches:
        one(idx)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--memories", type=int, default=20_000, help="memories of the generated day (85 %% are public)")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    import torch

    texts = public_memories(args.memories)
    embedder = Embedder()
    embedder.encode(texts[:64])  # warm up
    bs, workers = embedder.batch_size, torch.get_num_threads()
    by_tokens = np.argsort([-len(embedder.model.tokenizer(t)["input_ids"]) for t in texts], kind="stable")

    def cut(order: np.ndarray) -> list[np.ndarray]:
        return [order[a:a + bs] for a in range(0, len(texts), bs)]

    variants = {
        "one call": lambda: embedder.model.encode(texts, batch_size=bs, normalize_embeddings=True,
                                                  convert_to_numpy=True, show_progress_bar=False),
        "side by side": lambda: embedder.encode(texts),
        "token-sorted": lambda: run_batches(embedder, texts, cut(by_tokens)),
    }
    load_before = os.getloadavg()
    best: dict[str, tuple[float, float]] = {}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for name, fn in variants.items():
            cpu, wall = time.process_time(), time.perf_counter()
            vectors[name] = fn()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            old = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(old[0], cpu), min(old[1], wall))
    base = vectors["one call"]
    figures = {"bench": "embedding_batches", "texts": len(texts), "batch_size": bs, "torch_threads": workers,
               "load_before": round(load_before[0], 2), "load_after": round(os.getloadavg()[0], 2), "variants": {}}
    print(f"{len(texts)} public memories of a realistic day, batches of {bs}, {workers} torch threads, "
          f"load {load_before[0]:.1f}")
    print(f"{'variant':<14}{'cpu s':>8}{'wall s':>8}{'texts/cpu-s':>13}{'texts/s':>9}{'rows differing':>16}{'max |dv|':>10}")
    for name, (cpu, wall) in best.items():
        differ = int((~(vectors[name] == base).all(axis=1)).sum())
        dv = float(np.abs(vectors[name] - base).max())
        print(f"{name:<14}{cpu:>8.1f}{wall:>8.1f}{len(texts) / cpu:>13.1f}{len(texts) / wall:>9.1f}{differ:>16}{dv:>10.1e}")
        figures["variants"][name] = {"cpu_s": round(cpu, 2), "wall_s": round(wall, 2), "rows_differing": differ,
                                     "max_abs_diff": dv}
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
