"""The Celery executor: with MIRA_EXECUTOR=celery, `mira materialize` orchestrates a demo day whose steps run on two
Celery workers over Redis (both on loopback), on the real definitions."""

from __future__ import annotations

import contextlib
import time

import dagster as dg
import psutil
import pytest

from operations.helpers import BIN, DAYS, ROOT, new_site, runs_of, wait_until
from operations.servers import in_own_session


@contextlib.contextmanager
def celery_worker(name: str, env: dict, log):
    args = [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
            "-y", str(ROOT / "config" / "celery-worker.yaml"), "-n", name, "-l", "INFO", "--", "--concurrency=1"]
    with in_own_session(args, {**env, "PATH": f"{BIN}:{env['PATH']}"}, log, cwd=ROOT) as process:
        yield process


def family(pid: int) -> set[int]:
    process = psutil.Process(pid)
    return {pid} | {child.pid for child in process.children(recursive=True)}


@pytest.mark.slow
def test_a_day_runs_its_steps_on_two_celery_workers(tmp_path, redis_url):
    site = new_site(tmp_path, days=1, extra_env={
        "MIRA_EXECUTOR": "celery", "MIRA_CELERY_BROKER": redis_url,
        "MIRA_CELERY_BACKEND": redis_url.rsplit("/", 1)[0] + "/1"})
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    with celery_worker("w1@%h", site.env, logs[0]) as one, celery_worker("w2@%h", site.env, logs[1]) as two:
        wait_until(lambda: all(" ready." in log.read_text() for log in logs if log.exists()) and
                   all(log.exists() for log in logs), 120, "both Celery workers ready", every_s=0.5)
        workers = family(one.pid) | family(two.pid)
        started = time.time()
        out = site.mira("materialize", "--start", DAYS[0])
        print(f"one demo day on two Celery workers: {time.time() - started:.0f} s")
    assert f"{DAYS[0]}: ok" in out.stdout, out.stderr[-3000:]
    with site.instance() as instance:
        [run] = runs_of(instance, **{"mira/launched_by": "mira materialize"})
        starts = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_START)
    step_pids = {record.dagster_event.pid for record in starts}
    print(f"{len(starts)} steps in worker processes {sorted(step_pids)}")
    assert len(starts) == 17 and run.status == dg.DagsterRunStatus.SUCCESS
    assert int(run.tags["mira/pid"]) not in step_pids, "no step ran in the process that orchestrated the run"
    assert step_pids <= workers, "every step ran in a Celery worker's process"
