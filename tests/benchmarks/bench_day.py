"""Benchmark: one realistic day through the whole daily graph, the way a user runs it.

    python tests/benchmarks/bench_day.py [--day 2026-11-01] [--seed 7] [--device cpu|cuda] [--keep DIR]

In a fresh temp data root (a new vault key file, a Dagster home with telemetry off from config/dagster.yaml,
MIRA_CODEBASES naming only the demo git repository that `mira demo-data` builds, with commits on that day):

1. the generator behind `mira demo-data --scale realistic` writes the day (timed apart): 2,000 conversations
   (about 20 messages each), 20,000 memories (15 % private), 2,000 facts, 1,440 consciousness states, 300
   private thoughts, and the demo git repository with two commits that day;
2. `mira materialize --start DAY --days 1` runs `daily_storage_job` for that day in a subprocess, as `make
   demo` does; its wall time is `wall_s`. Meanwhile the process tree's resident memory is sampled (psutil,
   every 0.2 s, the sum over the tree); `peak_rss_mb` is the larger of that peak and the kernel's peak of the
   largest child (`RUSAGE_CHILDREN.ru_maxrss`), so a short spike between two samples is not missed;
3. per-step seconds come from the Dagster instance's event log (STEP_START to STEP_SUCCESS/STEP_FAILURE of
   each step key, i.e. each asset), however the run was launched; per-step CPU seconds from the same samples
   of the tree (so a step slowed by other people's jobs shows as fewer cores used, not as more work).

Goal (issue 12): wall_s <= 300 and peak_rss_mb <= 3072 on the 2-core CPU. `--device cuda` sets
MIRA_EMBEDDER_DEVICE and MIRA_HTM_DEVICE. Prints the assets slowest first, then one JSON line of the figures
(inputs, load average before and after: the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import numpy
import psutil

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

GOAL_WALL_S = 300.0
GOAL_RSS_MB = 3072.0
#: Numbers from the materializations worth showing next to the step times (when the asset reports them).
METADATA_KEYS = ("records", "embedded", "texts_per_s", "written", "write_s", "steps", "ms_per_step", "run_s",
                 "private_embed_s", "load_s", "save_s", "files", "written_snapshots", "breakthroughs", "vault_files")


class TreeSampler:
    """Samples a process tree until stopped: the summed RSS (its peak) and the CPU seconds used so far
    (live processes plus the children they have waited for), so each step's CPU time can be read off."""

    def __init__(self, pid: int, every_s: float = 0.2):
        self.root, self.every_s, self.peak, self.peak_processes = pid, every_s, 0, 0
        self.cpu: list[tuple[float, float]] = []  # (epoch seconds, CPU seconds of the tree)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.root)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        rss = cpu = 0.0
        for p in procs:
            try:
                with p.oneshot():
                    rss += p.memory_info().rss
                    t = p.cpu_times()
                    cpu += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
        self.cpu.append((time.time(), cpu))
        if rss > self.peak:
            self.peak, self.peak_processes = int(rss), len(procs)

    def cpu_between(self, start: float, end: float) -> float:
        if len(self.cpu) < 2:
            return float("nan")
        times, used = zip(*self.cpu)
        return float(numpy.interp(end, times, used) - numpy.interp(start, times, used))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every_s)

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def step_times(home: Path) -> tuple[dict[str, list[tuple[float, float]]], dict[str, dict], list[str], float]:
    """(start and end instants per step key, numeric metadata per asset, failed step keys, run seconds) from the
    instance's event log."""
    import dagster as dg
    from dagster import DagsterEventType as E

    instance = dg.DagsterInstance.from_config(str(home))
    intervals: dict[str, list[tuple[float, float]]] = {}
    metadata: dict[str, dict] = {}
    failed: list[str] = []
    run_s = 0.0
    kinds = {E.STEP_START, E.STEP_SUCCESS, E.STEP_FAILURE, E.ASSET_MATERIALIZATION, E.RUN_START, E.RUN_SUCCESS,
             E.RUN_FAILURE}
    for run in instance.get_runs():
        started: dict[str, float] = {}
        run_start = run_end = None
        for entry in instance.all_logs(run.run_id, of_type=kinds):
            kind = entry.dagster_event.event_type
            if kind == E.RUN_START:
                run_start = entry.timestamp
            elif kind in (E.RUN_SUCCESS, E.RUN_FAILURE):
                run_end = entry.timestamp
            elif kind == E.STEP_START:
                started[entry.step_key] = entry.timestamp
            elif kind in (E.STEP_SUCCESS, E.STEP_FAILURE) and entry.step_key in started:
                intervals.setdefault(entry.step_key, []).append((started[entry.step_key], entry.timestamp))
                if kind == E.STEP_FAILURE:
                    failed.append(entry.step_key)
            elif kind == E.ASSET_MATERIALIZATION:
                mat = entry.dagster_event.event_specific_data.materialization
                values = {k: v.value for k, v in mat.metadata.items() if k in METADATA_KEYS
                          and isinstance(v.value, (int, float)) and not isinstance(v.value, bool)}
                metadata[mat.asset_key.to_user_string()] = values
        if run_start is not None and run_end is not None:
            run_s += run_end - run_start
    return intervals, metadata, failed, run_s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--day", default="2026-11-01")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda (MIRA_EMBEDDER_DEVICE and MIRA_HTM_DEVICE)")
    ap.add_argument("--keep", type=Path, help="build the data root here and keep it (default: a temp dir, removed)")
    args = ap.parse_args()

    from mira_assets.domain.demo_codebase import make_demo_codebase
    from mira_assets.domain.demo_realistic import generate_realistic_data
    from resources.vault.keyring import generate_key_b64

    base = args.keep or Path(tempfile.mkdtemp(prefix="bench_day_"))
    data = base / "mira_data"
    home = data / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config" / "dagster.yaml", home / "dagster.yaml")
    key_file = data / "bench-vault.key"
    key_file.write_text(generate_key_b64() + "\n")
    key_file.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIRA_", "DAGSTER_"))}
    env.update(MIRA_DATA=str(data), DAGSTER_HOME=str(home), MIRA_VAULT_KEY_FILE=str(key_file),
               MIRA_CODEBASES=json.dumps([{"name": "demo-codebase", "path": str(data / "demo_codebase")}]))
    if args.device != "cpu":
        env.update(MIRA_EMBEDDER_DEVICE=args.device, MIRA_HTM_DEVICE=args.device)
    load_before = os.getloadavg()
    try:
        t0 = time.perf_counter()
        inputs = generate_realistic_data(data / "landing", args.day, 1, args.seed)
        generate_s = time.perf_counter() - t0
        codebase = make_demo_codebase(data / "demo_codebase", date.fromisoformat(args.day), 1)
        inputs.update(codebase_files=codebase.files, codebase_commits=codebase.commits)
        print(f"realistic day {args.day} in {generate_s:.1f} s: " + ", ".join(f"{k} {v}" for k, v in inputs.items()))

        t0 = time.perf_counter()
        proc = subprocess.Popen([str(Path(sys.executable).with_name("mira")), "materialize", "--start", args.day,
                                 "--days", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with TreeSampler(proc.pid) as tree:
            output, _ = proc.communicate()
        wall_s = time.perf_counter() - t0
        load_after = os.getloadavg()
        kernel_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(output.rstrip()[-3000:])
        intervals, metadata, failed, run_s = step_times(home)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)

    peak_rss_mb = max(tree.peak / 2**20, kernel_peak_mb)
    seconds = {k: sum(b - a for a, b in v) for k, v in intervals.items()}
    cpu = {k: sum(tree.cpu_between(a, b) for a, b in v) for k, v in intervals.items()}
    total = sum(seconds.values())
    print(f"\n{'asset (step)':<24}{'wall s':>8}{'share':>7}{'cpu s':>8}{'cores':>6}  numbers from its metadata")
    for step, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        numbers = ", ".join(f"{k}={v}" for k, v in metadata.get(step, {}).items())
        cores = cpu[step] / s if s > 0 else 0.0
        print(f"{step:<24}{s:>8.1f}{s / wall_s:>7.0%}{cpu[step]:>8.1f}{cores:>6.2f}  {numbers}")
    print(f"{'sum of steps':<24}{total:>8.1f}{total / wall_s:>7.0%}{sum(cpu.values()):>8.1f}")
    print(f"{'wall (mira materialize)':<24}{wall_s:>8.1f}   run {run_s:.1f} s; start-up and Dagster outside steps "
          f"{wall_s - total:.1f} s; CPU of the whole tree {tree.cpu[-1][1] if tree.cpu else float('nan'):.1f} s")
    print(f"peak RSS {peak_rss_mb:.0f} MB (tree sampled {tree.peak / 2**20:.0f} MB over {tree.peak_processes} "
          f"processes, largest child {kernel_peak_mb:.0f} MB); load {load_before[0]:.1f} -> {load_after[0]:.1f}")
    figures = {
        "bench": "day", "day": args.day, "seed": args.seed, "device": args.device, "cpus": os.cpu_count(),
        "wall_s": round(wall_s, 1), "peak_rss_mb": round(peak_rss_mb), "run_s": round(run_s, 1),
        "steps_total_s": round(total, 1), "generate_s": round(generate_s, 1),
        "asset_s": {k: round(v, 2) for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])},
        "asset_cpu_s": {k: round(cpu[k], 2) for k in sorted(seconds, key=lambda k: -seconds[k])},
        "asset_metadata": metadata, "failed_steps": failed, "returncode": proc.returncode,
        "inputs": inputs, "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "goal": {"wall_s": GOAL_WALL_S, "peak_rss_mb": GOAL_RSS_MB},
        "goal_met": wall_s <= GOAL_WALL_S and peak_rss_mb <= GOAL_RSS_MB and proc.returncode == 0,
    }
    print(json.dumps(figures))
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
