"""HTM hierarchy step time and state size at the MIRA configuration, beside the seed's HTM.

    python tests/benchmarks/bench_htm.py [--steps 10000] [--measure 200] [--seed-steps 30]
                                         [--input memories|random] [--device cpu|cuda] [--quick]

Input: 384-d unit vectors standing in for MiniLM memory embeddings. `memories` (default):
64 topic centres; each memory is its topic's centre plus noise of 0.8 times its norm, then
normalised (cosine ~0.6 between memories of one topic, ~0 across topics); the topic stays the
same with probability 0.6 per step; with probability 0.02 per step one of 20 fixed 8-memory
"routines" is replayed whole (recurring sequences); with probability 0.05 a memory of the
last 500 recurs. `random`: independent Gaussian vectors (no structure: the worst case for
the temporal memory, every column bursts).

Ours: one fresh state (seed 7), learning on; the median time of the `--measure` steps that
follow 1,000 and `--steps` learned steps (all three levels, SDR encoding included), the mean
over the whole run, and the state's size (safetensors bytes, and zstd level 3 as the vault
would store it) after `--steps` steps. Seed: its code copied verbatim with two patches
(seed_htm.py), fed the same first vectors, median of `--seed-steps` steps (it slows down as
it learns, so this flatters it). Prints a table, then ONE JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

GOAL_MS = 5.0
GOAL_STATE_BYTES = 200 * 1000 * 1000


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def memory_stream(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
    """Memory-like vectors: topics that persist, recurring routines, occasional exact repeats."""
    rng = np.random.default_rng(seed)
    centres = _unit(rng.standard_normal((64, dim)))

    def memory(topic: int) -> np.ndarray:
        noise = _unit(rng.standard_normal(dim))
        return _unit(centres[topic] + 0.8 * noise)

    routines = [[memory(int(rng.integers(64))) for _ in range(8)] for _ in range(20)]
    out: list[np.ndarray] = []
    topic = int(rng.integers(64))
    while len(out) < n:
        u = rng.random()
        if u < 0.02:
            out.extend(routines[int(rng.integers(20))])
        elif u < 0.07 and out:
            out.append(out[int(rng.integers(max(0, len(out) - 500), len(out)))])
        else:
            if rng.random() >= 0.6:
                topic = int(rng.integers(64))
            out.append(memory(topic))
    return np.asarray(out[:n], dtype=np.float32)


def random_stream(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def run_ours(vectors: np.ndarray, checkpoints: list[int], measure: int, device: str) -> dict:
    from mira_assets.domain.htm import Hierarchy, HTMState

    state = HTMState.fresh(7, device=device)
    hierarchy = Hierarchy(state)
    seconds, cpu_seconds, surprise = [], [], []
    started = time.perf_counter()
    for vector in vectors:
        cpu = time.thread_time()
        result = hierarchy.step(vector)
        cpu_seconds.append(time.thread_time() - cpu)
        seconds.append(result.seconds)
        surprise.append(result.surprise_per_level)
    total = time.perf_counter() - started
    windows = {c: statistics.median(seconds[c:c + measure]) * 1e3 for c in checkpoints}
    cpu_windows = {c: statistics.median(cpu_seconds[c:c + measure]) * 1e3 for c in checkpoints}
    t = time.perf_counter()
    data = state.to_bytes()
    save_s = time.perf_counter() - t
    import zstandard

    packed = len(zstandard.ZstdCompressor(level=3).compress(data))
    levels = state.statistics()
    last = np.asarray(surprise[-1000:])
    return {"ms_after": windows, "cpu_ms_after": cpu_windows, "ms_mean": total / len(vectors) * 1e3, "state_bytes": len(data),
            "state_bytes_zstd": packed, "save_s": save_s, "levels": levels,
            "surprise_last_1000": [float(x) for x in last.mean(0)]}


def run_seed(vectors: np.ndarray, steps: int) -> dict:
    import torch

    import seed_htm

    torch.manual_seed(0)
    np.random.seed(0)
    t = time.perf_counter()
    htm = seed_htm.HTMHierarchy(input_dim=vectors.shape[1], config=seed_htm.HTMConfig())
    build_s = time.perf_counter() - t
    seconds = []
    with torch.no_grad():
        for vector in vectors[:steps]:
            t = time.perf_counter()
            htm(torch.from_numpy(vector), learn=True)
            seconds.append(time.perf_counter() - t)
    return {"ms_median": statistics.median(seconds) * 1e3, "build_s": build_s, "steps": len(seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="learned steps before the second timing window")
    parser.add_argument("--measure", type=int, default=200, help="steps timed after each checkpoint")
    parser.add_argument("--seed-steps", type=int, default=30, help="steps of the seed's HTM to time")
    parser.add_argument("--input", choices=("memories", "random"), default="memories")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (ours; the seed runs on the CPU)")
    parser.add_argument("--quick", action="store_true", help="2,000 steps, 100 timed, 8 seed steps")
    args = parser.parse_args()
    if args.quick:
        args.steps, args.measure, args.seed_steps = 2_000, 100, 8
    checkpoints = sorted({min(1_000, args.steps), args.steps})
    total = args.steps + args.measure
    make = memory_stream if args.input == "memories" else random_stream
    vectors = make(total)

    ours = run_ours(vectors, checkpoints, args.measure, args.device)
    seed = run_seed(vectors, args.seed_steps) if args.seed_steps > 0 else None

    print(f"input: {args.input} vectors (384-d), device {args.device}, {total} steps learned")
    print(f"{'figure':44} {'value':>14}")
    for c, ms in ours["ms_after"].items():
        print(f"{f'ours ms/step, median of {args.measure} after {c}':44} {ms:14.2f}")
        print(f"{'  CPU time of this thread':44} {ours['cpu_ms_after'][c]:14.2f}")
    print(f"{'ours ms/step, mean over the whole run':44} {ours['ms_mean']:14.2f}")
    if seed:
        label = f"seed ms/step, median of its first {seed['steps']}"
        print(f"{label:44} {seed['ms_median']:14.1f}")
        for c, ms in ours["ms_after"].items():
            print(f"{f'speed-up vs seed (ours after {c})':44} {seed['ms_median'] / ms:14.1f}")
    print(f"{f'state bytes after {total} steps':44} {ours['state_bytes']:14,d}")
    print(f"{'  zstd level 3':44} {ours['state_bytes_zstd']:14,d}")
    for lv in ours["levels"]:
        label = f"level {lv['level']} segments / synapses"
        print(f"{label:44} {lv['segments']:>14,d} / {lv['synapses']:,d}")
    print(f"{'surprise per level, mean of the last 1000':44} {ours['surprise_last_1000']}")
    figures = {
        "input": args.input, "device": args.device, "steps": total,
        **{f"ms_per_step_after_{c}": round(ms, 3) for c, ms in ours["ms_after"].items()},
        **{f"cpu_ms_per_step_after_{c}": round(ms, 3) for c, ms in ours["cpu_ms_after"].items()},
        "ms_per_step_mean": round(ours["ms_mean"], 3),
        "seed_ms_per_step": round(seed["ms_median"], 1) if seed else None,
        "seed_steps": seed["steps"] if seed else 0,
        **({f"speedup_after_{c}": round(seed["ms_median"] / ms, 1) for c, ms in ours["ms_after"].items()}
           if seed else {}),
        "state_bytes": ours["state_bytes"], "state_bytes_zstd": ours["state_bytes_zstd"],
        "goal_ms": GOAL_MS, "goal_state_bytes": GOAL_STATE_BYTES,
        "segments_per_level": [lv["segments"] for lv in ours["levels"]],
        "synapses_per_level": [lv["synapses"] for lv in ours["levels"]],
        "surprise_last_1000": [round(x, 3) for x in ours["surprise_last_1000"]],
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
