"""What `mira materialize --start D` becomes (prototype): reap dead runs, then run each day through the code
location, in order, in this process. Usage: e_runner.py DAY [DAYS]"""

import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dagster as dg  # noqa: E402

from ops_lib.dead_runs import reap_dead_runs  # noqa: E402
from ops_lib.location_runs import LocationRunner  # noqa: E402

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def main() -> int:
    first, days = date.fromisoformat(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1
    instance = dg.DagsterInstance.get()
    reap_dead_runs(instance, log=lambda m: print(m, flush=True))
    runner = LocationRunner(instance, str(Path(__file__).with_name("e_workspace.yaml")))
    failed = []
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        run = runner.create_run("daily_storage_job", day, QUIET)
        print(f"run {run.run_id} for {day}", flush=True)
        started = time.perf_counter()
        # The UI's Terminate marks the run CANCELING; this thread turns that into an interrupt here.
        from dagster._core.execution.run_cancellation_thread import start_run_cancellation_thread

        thread, stop = start_run_cancellation_thread(instance, run.run_id)
        try:
            finished = runner.execute(run)
        finally:
            stop.set()
            thread.join(10)
        print(f"{day}: {finished.status.value} in {time.perf_counter() - started:.1f} s", flush=True)
        if finished.status != dg.DagsterRunStatus.SUCCESS:
            failed.append(day)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
