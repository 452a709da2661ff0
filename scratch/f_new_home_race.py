"""Prototype (f): two processes on a brand-new Dagster home race on its database set-up (issue 9 item 6).

Each trial makes an empty DAGSTER_HOME holding only config/dagster.yaml, then starts N processes that wait
for the same instant and open the instance and read its runs:

  race     dg.DagsterInstance.get()                               (what every mira command does today)
  locked   open_instance(): the first open of a home happens under a file lock in the home
           (filelock.FileLock on <home>/.instance-setup.lock); later opens skip the lock once a
           marker says the set-up is done.

Usage: .venv/bin/python scratch/f_new_home_race.py [trials] [processes]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, expect  # noqa: E402

CHILD = r"""
import os, sys, time
sys.path.insert(0, {scratch!r})
start = float(sys.argv[1])
mode = sys.argv[2]
import dagster as dg
from ops_lib.instance_home import open_instance
while time.time() < start:
    time.sleep(0.001)
try:
    instance = dg.DagsterInstance.get() if mode == "race" else open_instance()
    instance.get_runs(limit=1)
    print("ok")
except Exception as error:
    print("ERROR", type(error).__name__, str(error).splitlines()[0][:160])
"""


def trial(mode: str, processes: int) -> list[str]:
    home = Path(tempfile.mkdtemp(prefix="mira-home-race-")) / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "config" / "dagster.yaml").read_text())
    start = time.time() + 4.0  # every child has imported dagster by then
    env = {"DAGSTER_HOME": str(home), "PATH": "/usr/bin:/bin"}
    children = [subprocess.Popen([sys.executable, "-c", CHILD.format(scratch=str(ROOT / "scratch")), str(start), mode],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for _ in range(processes)]
    return [c.communicate(timeout=120)[0].strip().splitlines()[-1] for c in children]


def main() -> None:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    processes = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for mode in ("race", "locked"):
        errors = []
        for _ in range(trials):
            outcome = trial(mode, processes)
            errors += [o for o in outcome if o != "ok"]
        print(f"{mode:6}: {trials} trials x {processes} processes: {len(errors)} failed {sorted(set(errors))[:3]}")
        if mode == "race":
            expect(len(errors) > 0, "without a lock, concurrent first opens of a new home fail")
        else:
            expect(not errors, "with the lock, every process opens the new home")


if __name__ == "__main__":
    main()
