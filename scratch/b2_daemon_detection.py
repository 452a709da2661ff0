"""Prototype (b, part 2): can `mira backfill --wait` tell that a daemon already drives backfills?

A daemon that drives backfills writes heartbeats; `instance.get_daemon_statuses([...])` says healthy or not.
The CLI must only watch when the backfill daemon is healthy (two drivers would both submit runs), and drive
the backfill in-process otherwise. Checked: before a daemon starts, while `dagster-daemon run` runs, and
after it is stopped.

Usage: .venv/bin/python scratch/b2_daemon_detection.py
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from b_asset_backfill import TOY, fresh_toy  # noqa: E402
from common import ROOT, expect  # noqa: E402


FRESH_S = 60  # two daemon heartbeat intervals (DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 30)


def backfill_daemon_healthy(instance) -> bool:
    """Dagster's own status: healthy until the heartbeat tolerance passes (a stopped daemon stays 'healthy')."""
    from dagster._daemon.daemon import BackfillDaemon

    status = instance.get_daemon_statuses([BackfillDaemon.daemon_type()])[BackfillDaemon.daemon_type()]
    return bool(status.healthy)


def backfill_daemon_alive(instance) -> bool:
    """A backfill daemon heartbeat younger than FRESH_S: someone drives backfills right now."""
    from dagster._daemon.daemon import BackfillDaemon

    beat = instance.get_daemon_heartbeats().get(BackfillDaemon.daemon_type())
    return beat is not None and time.time() - beat.timestamp < FRESH_S


def main() -> None:
    import dagster as dg

    fresh_toy()
    instance = dg.DagsterInstance.get()
    expect(not backfill_daemon_healthy(instance), "no daemon yet: not healthy (the CLI drives)")
    daemon = subprocess.Popen([str(ROOT / ".venv/bin/dagster-daemon"), "run", "-w", str(TOY / "workspace.yaml")],
                              cwd=TOY, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = time.time()
        while time.time() - started < 120 and not backfill_daemon_healthy(instance):
            time.sleep(1)
        print(f"   healthy {time.time() - started:.0f} s after the daemon started")
        expect(backfill_daemon_healthy(instance), "daemon running: healthy (the CLI only watches)")
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(30)
    time.sleep(2)
    print(f"   2 s after the daemon stopped: get_daemon_statuses healthy={backfill_daemon_healthy(instance)}, "
          f"fresh heartbeat={backfill_daemon_alive(instance)}")
    expect(backfill_daemon_alive(instance), "right after stopping, the last heartbeat is still fresh")
    stopped = time.time()
    while backfill_daemon_alive(instance) and time.time() - stopped < FRESH_S + 30:
        time.sleep(2)
    print(f"   heartbeat stale {time.time() - stopped:.0f} s after the stop; "
          f"get_daemon_statuses healthy={backfill_daemon_healthy(instance)}")
    expect(not backfill_daemon_alive(instance), f"within {FRESH_S} s the CLI sees no live daemon and drives itself")


if __name__ == "__main__":
    main()
