"""One day of memories through `htm_state`'s domain path: load the sealed state, order, learn, save sealed.

    python tests/benchmarks/bench_htm_day.py [--memories 20000] [--prior 2000] [--private 0.1] [--device cpu]

Input: `--memories` memory-like 384-d unit vectors (bench_htm.memory_stream: topics that persist, recurring
routines, exact repeats), with shuffled timestamps over one day and a share `--private` of private memories.
Day d−1's state is a fresh state (seed 7) that has learned `--prior` such steps, sealed in a temporary vault
as htm_state does. Timed, as the asset does it: read and unseal d−1's state, load it, order the memories by
timestamp then id, run them all (learning), save the state and seal it atomically into the vault, write
the public results table and the sealed private patterns. Private memories' MiniLM embeddings are given
precomputed here (the embedder's own rate is in bench_memories.py): the figure is the HTM's part of the
asset. Goal: <= 120 s for 20,000 memories. The CPU time of the process is printed beside the wall time: on a
loaded machine it is the steadier figure. Prints a table, then ONE JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

GOAL_S = 120.0
DAY = dt.date(2026, 11, 2)


def memories_of_day(n: int, private_share: float, seed: int = 1) -> tuple[list[dict], dict[str, np.ndarray]]:
    from bench_htm import memory_stream

    rng = np.random.default_rng(seed)
    vectors = memory_stream(n, seed=seed)
    start = dt.datetime(DAY.year, DAY.month, DAY.day, tzinfo=dt.timezone.utc).timestamp()
    # the stream's order is the day's order; ids are unrelated to it, so ordering has real work to do
    stamps = np.sort(rng.uniform(start, start + 86_400, n))
    ids = [f"mem-{k:06d}-{rng.integers(1 << 30):08x}" for k in rng.permutation(n)]
    memories = [{"memory_id": ids[k], "timestamp": float(stamps[k]), "content": f"memory {ids[k]}",
                 "is_private": bool(rng.random() < private_share)} for k in range(n)]
    by_key = {m["memory_id"]: vectors[k] for k, m in enumerate(memories)}
    by_key.update({m["content"]: vectors[k] for k, m in enumerate(memories) if m["is_private"]})
    shuffled = [memories[k] for k in rng.permutation(n)]  # the landing table is not in time order
    return shuffled, by_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memories", type=int, default=20_000)
    parser.add_argument("--prior", type=int, default=2_000, help="steps day d-1's state has learned")
    parser.add_argument("--private", type=float, default=0.1, help="share of private memories")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    from bench_htm import memory_stream
    from mira_assets.domain.htm import HTMState, run_day
    from mira_assets.domain.htm.days import state_to_continue
    from mira_assets.domain.htm.memory_day import learn_memories
    from mira_assets.domain.htm.step_tables import write_private_patterns, write_public_steps
    from resources.hosted_stores import hosted_stores
    from resources.vault.htm_states import HTMStateFiles
    from resources.vault.keyring import Keyring, generate_key_b64
    from resources.vault.store import Vault

    memories, vectors = memories_of_day(args.memories, args.private)
    with tempfile.TemporaryDirectory() as tmp:
        vault = Vault(Path(tmp) / "lightning_vidmem", Keyring.load(key_b64=generate_key_b64()), hosted=hosted_stores())
        files = HTMStateFiles(vault)
        prior, _ = run_day(HTMState.fresh(7), memory_stream(args.prior, seed=99), copy=False)
        files.write(DAY - dt.timedelta(days=1), prior.to_bytes())
        del prior

        t0, cpu0 = time.perf_counter(), time.process_time()
        previous = state_to_continue(files.days(), DAY)
        state = HTMState.from_bytes(files.read(previous), device=args.device)
        t_load = time.perf_counter()
        run = learn_memories(state, memories, public_vectors=lambda ids: np.stack([vectors[i] for i in ids]),
                             private_vectors=lambda contents: np.stack([vectors[c] for c in contents]))
        t_run = time.perf_counter()
        data = state.to_bytes()
        files.write(DAY, data)
        t_save = time.perf_counter()
        write_public_steps(Path(tmp) / "tables", DAY.isoformat(), run.public)
        write_private_patterns(vault, Path(tmp) / "tables", DAY.isoformat(), run.private)
        t_tables, cpu_total = time.perf_counter(), time.process_time() - cpu0
        sealed = files.path(DAY).stat().st_size
        levels = state.statistics()

    total = t_tables - t0
    steps = len(run.results)
    rows = [
        ("load d-1 (read, unseal, from_bytes)", t_load - t0),
        ("order + learn (run_day)", t_run - t_load),
        ("save d (to_bytes, seal, atomic write)", t_save - t_run),
        ("result tables (plain + sealed)", t_tables - t_save),
        ("total", total),
        ("total, CPU time of this process", cpu_total),
    ]
    print(f"input: {steps} memory-like vectors ({args.private:.0%} private), d-1 state after {args.prior} steps, "
          f"device {args.device}")
    print(f"{'stage':44} {'seconds':>10}")
    for name, seconds in rows:
        print(f"{name:44} {seconds:10.2f}")
    print(f"{'ms per step (learn only)':44} {(t_run - t_load) / steps * 1e3:10.2f}")
    print(f"{'state bytes / sealed bytes':44} {len(data):,} / {sealed:,}")
    print(f"{'goal: total seconds':44} {GOAL_S:10.0f}")
    print(json.dumps({
        "input": "memory_stream", "memories": steps, "private_share": args.private, "prior_steps": args.prior,
        "device": args.device, "load_s": round(t_load - t0, 3), "learn_s": round(t_run - t_load, 3),
        "save_s": round(t_save - t_run, 3), "tables_s": round(t_tables - t_save, 3), "total_s": round(total, 3), "total_cpu_s": round(cpu_total, 3),
        "ms_per_step": round((t_run - t_load) / steps * 1e3, 3), "state_bytes": len(data), "sealed_bytes": sealed,
        "segments_per_level": [lv["segments"] for lv in levels], "goal_s": GOAL_S,
    }))


if __name__ == "__main__":
    main()
