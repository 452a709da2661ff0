"""mira-storage's code location with the interruptible in-process executor (prototype (e) only):
the real definitions, unchanged, plus executor=interruptible_in_process_executor."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dagster as dg  # noqa: E402

from mira_assets.definitions import defs as _real  # noqa: E402
from ops_lib.executor import interruptible_in_process_executor  # noqa: E402

defs = dg.Definitions(
    assets=_real.assets, asset_checks=_real.asset_checks, jobs=_real.jobs, schedules=_real.schedules,
    sensors=_real.sensors, resources=_real.resources, executor=interruptible_in_process_executor,
)
