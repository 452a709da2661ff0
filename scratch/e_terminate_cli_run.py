"""Prototype (e), part 4: the UI's Terminate stops a run that `mira materialize` executes in its own process.

Terminate calls instance.run_launcher.terminate(run_id): DefaultRunLauncher marks the run CANCELING and,
finding no gRPC server for it, stops there. The runner (scratch/e_runner.py) runs Dagster's run
cancellation thread (dagster._core.execution.run_cancellation_thread.start_run_cancellation_thread), which
sees CANCELING and interrupts the main thread: the run ends CANCELED and the runner exits.

Usage: .venv/bin/python scratch/e_terminate_cli_run.py
"""

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DAYS, ROOT, expect, fresh_env  # noqa: E402


def main() -> None:
    import dagster as dg

    fresh_env(days=1)
    instance = dg.DagsterInstance.get()
    runner = subprocess.Popen([sys.executable, str(ROOT / "scratch" / "e_runner.py"), DAYS[0]],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 300
    run_id = None
    while time.time() < deadline:
        runs = instance.get_runs()
        if runs and instance.all_logs(runs[0].run_id, of_type=dg.DagsterEventType.STEP_SUCCESS):
            run_id = runs[0].run_id
            break
        time.sleep(0.2)
    expect(run_id is not None, "the CLI run got past its first step")
    asked = time.perf_counter()
    instance.run_launcher.terminate(run_id)  # what the UI's Terminate button calls
    out, _ = runner.communicate(timeout=120)
    status = instance.get_run_by_id(run_id).status
    print(f"   runner exited {runner.returncode} {time.perf_counter() - asked:.1f} s after Terminate; run {status.value}")
    expect(status == dg.DagsterRunStatus.CANCELED, "the run ends CANCELED")


if __name__ == "__main__":
    main()
