"""Prototype (e), part 2: the fix, proven with a real kill -9 and a real live slot holder.

The runner is scratch/e_runner.py (runs through the code location, reaps dead runs first) on
scratch/e_defs.py (the real definitions + the interruptible in-process executor).

1. Runner A is killed with SIGKILL while a chroma-pool step holds the slot.
2. Runner B on the same day logs that A's run is dead, marks it failed, frees its slot, and succeeds.
3. A live process holds the chroma slot (a STARTED run whose worker pid is a sleeping process). Runner C
   blocks on the pool: it uses almost no CPU, and SIGINT ends it within seconds; its run is finished and
   it leaves no pending claim behind. The live holder is NOT reaped.
4. The holder's process ends; runner D reaps the holder's run and succeeds.

Usage: .venv/bin/python scratch/e_dead_runs_fixed.py
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DAYS, ROOT, Timer, expect, fresh_env  # noqa: E402
from e_kill_chroma_step import cpu_share, slot_holders, wait_until_only_blocked  # noqa: E402

RUNNER = [sys.executable, str(ROOT / "scratch" / "e_runner.py")]


def start_runner(day: str) -> subprocess.Popen:
    return subprocess.Popen([*RUNNER, day], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)


def fake_live_holder(instance) -> tuple[str, subprocess.Popen]:
    import dagster as dg
    from dagster._core.events import EngineEventData
    from dagster._core.utils import make_new_run_id

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    time.sleep(0.5)
    run = dg.DagsterRun(job_name="holder", run_id=make_new_run_id(), status=dg.DagsterRunStatus.STARTED,
                        tags={"mira/host": socket.gethostname()})
    instance.add_run(run)
    instance.report_engine_event(f"Executing steps in process (pid: {sleeper.pid})", run,
                                 EngineEventData.in_process(sleeper.pid))
    claimed = instance.event_log_storage.claim_concurrency_slot("chroma", run.run_id, "holder_step")
    assert claimed.is_claimed, claimed
    return run.run_id, sleeper


def main() -> None:
    import dagster as dg

    base = fresh_env(days=1)
    print(f"instance and data under {base}")
    instance = dg.DagsterInstance.get()
    day = DAYS[0]

    print("1. runner A killed with SIGKILL during a chroma step")
    a = start_runner(day)
    deadline = time.time() + 300
    while not slot_holders(instance) and time.time() < deadline:
        if a.poll() is not None:
            raise RuntimeError(f"runner A ended before a chroma step: {a.stdout.read()}")
        time.sleep(0.02)
    a_run, a_step = slot_holders(instance)[0]
    os.kill(a.pid, signal.SIGKILL)
    a.wait()
    print(f"   killed run {a_run[:8]} during {a_step}")

    print("2. runner B on the same day")
    with Timer("runner B"):
        b = start_runner(day)
        out_b, _ = b.communicate(timeout=600)
    print("   " + out_b.strip().replace("\n", "\n   "))
    expect(f"dead run {a_run}" in out_b and "freed 1 pool slot" in out_b, "B names A's run as dead and frees its slot")
    expect(instance.get_run_by_id(a_run).status == dg.DagsterRunStatus.FAILURE, "A's run is marked FAILURE")
    expect(b.returncode == 0 and "SUCCESS" in out_b, "B's run succeeds")

    print("3. a live process holds the chroma slot; runner C waits, then gets SIGINT")
    holder_run, sleeper = fake_live_holder(instance)
    try:
        c = start_runner(day)
        deadline = time.time() + 300
        pending = []
        while time.time() < deadline and not pending:
            pending = [p for p in instance.event_log_storage.get_concurrency_info("chroma").pending_steps
                       if p.run_id != holder_run]
            time.sleep(0.2)
        expect(bool(pending), f"C is blocked on the pool ({pending[0].step_key if pending else '-'})")
        c_run = pending[0].run_id
        wait_until_only_blocked(instance, c_run, quiet_s=5)
        share = cpu_share(c.pid)
        print(f"   blocked runner C uses {share:.1%} of a core (load avg {os.getloadavg()[0]:.1f})")
        expect(share < 0.1, "a blocked step sleeps (under 10 % of a core)")
        expect(instance.get_run_by_id(holder_run).status == dg.DagsterRunStatus.STARTED,
               "the live holder's run is not reaped")
        started = time.perf_counter()
        c.send_signal(signal.SIGINT)
        out_c, _ = c.communicate(timeout=30)
        print(f"   C exited {c.returncode} {time.perf_counter() - started:.1f} s after SIGINT")
        expect(time.perf_counter() - started < 10, "SIGINT ends the blocked run within seconds")
        status = instance.get_run_by_id(c_run).status
        expect(status in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED), f"C's run is finished ({status.value})")
        leftover = [p for p in instance.event_log_storage.get_concurrency_info("chroma").pending_steps if p.run_id == c_run]
        expect(not leftover, "C leaves no pending claim on the pool")
    finally:
        sleeper.kill()
        sleeper.wait()

    print("4. the holder's process is gone; runner D")
    with Timer("runner D"):
        d = start_runner(day)
        out_d, _ = d.communicate(timeout=600)
    print("   " + out_d.strip().replace("\n", "\n   "))
    expect(f"dead run {holder_run}" in out_d, "D reaps the holder's run")
    expect(d.returncode == 0, "D's run succeeds")


if __name__ == "__main__":
    main()
