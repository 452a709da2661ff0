"""Opening the Dagster instance at DAGSTER_HOME, setting a brand-new home up exactly once.

Dagster creates its SQLite databases (runs, event logs, schedules) on the first open of a home; two
processes doing that at the same moment race ("table runs already exists"). The first open therefore
happens under a file lock in the home, and a marker file records that the set-up is done, so later opens
(every mira command, the code server, run workers) pay nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from filelock import FileLock

LOCK_NAME = ".instance-setup.lock"
DONE_NAME = ".instance-setup.done"


def open_instance(timeout_s: float = 120) -> dg.DagsterInstance:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise RuntimeError("DAGSTER_HOME is not set: point it at the Dagster home (make instance creates one)")
    done = Path(home) / DONE_NAME
    if done.exists():
        return dg.DagsterInstance.get()
    with FileLock(str(Path(home) / LOCK_NAME), timeout=timeout_s):
        instance = dg.DagsterInstance.get()
        instance.get_runs(limit=1)  # storages are created lazily: touch them while holding the lock
        instance.event_log_storage.get_concurrency_keys()
        instance.schedule_storage.all_instigator_state() if instance.schedule_storage else None
        done.touch()
        return instance
