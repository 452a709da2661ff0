"""Prototype (e), part 1: reproduce issue 9 item 1 with a real kill -9, then find out why the rerun spins.

1. `mira materialize --start D --days 1` (today's code: execute_in_process) runs in a subprocess; as soon as
   a step of the `chroma` pool holds the pool's only slot, the subprocess gets SIGKILL.
2. The dead run stays STARTED and keeps the slot (ConcurrencyKeyInfo.claimed_slots names it).
3. A rerun of the day blocks on the pool: its CPU use is sampled for a few seconds (a busy loop shows ~100 %),
   then SIGINT and SIGTERM are sent; the process ignores both (it is still alive after each).
4. Reporting the dead run failed does not free the slot; free_concurrency_slots_for_run does; the (still
   spinning) rerun then proceeds and finishes.

Why (dagster 1.13.28 source):
 - InstanceConcurrencyContext.interval_to_next_pending_claim_check returns
   `min([0, *[ready_at - now ...]])`: never above 0, so ActiveExecution.sleep_til_ready never sleeps and the
   in-process executor's loop (execute_plan.inner_plan_execution_iterator) polls get_next_step flat out.
 - That loop never looks at captured interrupts: ExecuteRunWithPlanIterable runs it inside
   capture_interrupts(), which turns SIGINT into a flag (and setup_interrupt_handlers maps SIGTERM to the
   same handler); only step bodies (raise_execution_interrupts) and the multiprocess/step-delegating
   executors' loops (active_execution.check_for_interrupts) ever read the flag. A blocked run has no
   step body running, so nothing reads it.

Usage: .venv/bin/python scratch/e_kill_chroma_step.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DAYS, ROOT, Timer, expect, fresh_env  # noqa: E402


def slot_holders(instance) -> list[tuple[str, str]]:
    info = instance.event_log_storage.get_concurrency_info("chroma")
    return [(s.run_id, s.step_key) for s in info.claimed_slots]


def start_materialize(day: str) -> subprocess.Popen:
    return subprocess.Popen([str(ROOT / ".venv/bin/mira"), "materialize", "--start", day, "--days", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill_during_chroma_step(instance, day: str, timeout_s: float = 240) -> tuple[str, str]:
    proc = start_materialize(day)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        holders = slot_holders(instance)
        if holders:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return holders[0]
        if proc.poll() is not None:
            raise RuntimeError("materialize finished before any chroma step held the slot")
        time.sleep(0.02)
    proc.kill()
    raise TimeoutError("no chroma step started")


def wait_until_only_blocked(instance, run_id: str, timeout_s: float = 300, quiet_s: float = 15) -> None:
    """Until every step the rerun could start has finished and none started for quiet_s: the rest waits."""
    import dagster as dg

    def steps():
        started = {r.step_key for r in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)}
        ended = {r.step_key for r in instance.all_logs(run_id, of_type={dg.DagsterEventType.STEP_SUCCESS,
                                                                        dg.DagsterEventType.STEP_FAILURE})}
        return started, ended

    deadline = time.time() + timeout_s
    last, quiet_since = None, time.time()
    while time.time() < deadline:
        now = steps()
        if now != last:
            last, quiet_since = now, time.time()
        elif now[0] == now[1] and time.time() - quiet_since > quiet_s:
            print(f"   rerun finished {len(now[1])} steps and started none for {quiet_s:.0f} s: the rest wait on the pool")
            return
        time.sleep(0.5)
    raise TimeoutError("the rerun kept starting steps")


def cpu_share(pid: int, seconds: float = 5.0) -> float:
    import psutil

    process = psutil.Process(pid)
    before = process.cpu_times()
    time.sleep(seconds)
    after = process.cpu_times()
    return (after.user + after.system - before.user - before.system) / seconds


def main() -> None:
    import dagster as dg

    base = fresh_env(days=1)
    print(f"instance and data under {base}")
    instance = dg.DagsterInstance.get()
    day = DAYS[0]
    with Timer("start mira materialize, kill -9 when a chroma step holds the slot"):
        run_id, step = kill_during_chroma_step(instance, day)
    print(f"   killed run {run_id[:8]} while {step} held the chroma slot")
    dead = instance.get_run_by_id(run_id)
    expect(dead.status == dg.DagsterRunStatus.STARTED, "the dead run is still STARTED")
    expect(slot_holders(instance) == [(run_id, step)], "the dead run still holds the chroma slot")

    rerun = start_materialize(day)
    # wait until the rerun's own step is pending on the pool (the dead run keeps a pending entry of its own)
    deadline = time.time() + 240
    pending = []
    while time.time() < deadline and not pending:
        pending = [p for p in instance.event_log_storage.get_concurrency_info("chroma").pending_steps
                   if p.run_id != run_id]
        time.sleep(0.2)
    expect(bool(pending), f"the rerun is blocked on the pool ({pending[0].step_key if pending else '-'})")
    rerun_id = pending[0].run_id
    try:
        blocked_rerun_checks(instance, rerun, rerun_id, run_id, step)
    finally:
        if rerun.poll() is None:
            rerun.kill()


def blocked_rerun_checks(instance, rerun, rerun_id, run_id, step) -> None:
    import dagster as dg

    dead = instance.get_run_by_id(run_id)
    wait_until_only_blocked(instance, rerun_id)
    share = cpu_share(rerun.pid)
    print(f"   blocked rerun, nothing else left to run, uses {share:.0%} of a core (load avg {os.getloadavg()[0]:.1f})")
    expect(share > 0.25, "the blocked rerun busy-spins (an idle wait would use ~0 %)")
    rerun.send_signal(signal.SIGINT)
    time.sleep(5)
    expect(rerun.poll() is None, "SIGINT is ignored by the blocked rerun (still alive after 5 s)")
    rerun.send_signal(signal.SIGTERM)
    time.sleep(5)
    expect(rerun.poll() is None, "SIGTERM is ignored too (still alive after 5 s)")

    instance.report_run_failed(dead)
    time.sleep(1)
    expect(slot_holders(instance) == [(run_id, step)], "marking the dead run failed does not free its slot")
    freed = instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    print(f"   free_concurrency_slots_for_run freed {freed}")
    # The rerun's SIGINT flag is still set: the first step body that starts raises the interrupt.
    try:
        rerun.wait(120)
    except subprocess.TimeoutExpired:
        rerun.kill()
    print("   runs:", [(r.run_id[:8], r.status.value) for r in instance.get_runs()])
    expect(rerun.returncode is not None, f"once the slot is free the rerun ends (exit {rerun.returncode}: the "
                                         "captured SIGINT fires in its next step)")


if __name__ == "__main__":
    main()
