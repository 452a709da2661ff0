"""The code location's graph is pinned: what a UI user sees (assets, their groups and lineage, checks,
jobs, schedules, sensors, resources) changes only when a test says so.

When the graph changes on purpose, update `definitions_snapshot.json` in the same commit, e.g.
`MIRA_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/pipeline/test_definitions_snapshot.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from pipeline.helpers import load_defs

PINNED = Path(__file__).with_name("definitions_snapshot.json")


def definitions_snapshot(defs: dg.Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    repo = defs.get_repository_def()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        partitions = node.partitions_def
        assets_def = node.assets_def
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
            "checks": sorted(check.name for check in node.check_keys),
            # every check records its result per day (the asset's own partitions)
            "checks_per_partition": all(spec.partitions_def == partitions for spec in assets_def.check_specs
                                        if spec.asset_key == key),
            "partitions": str(partitions) if partitions is not None else None,
            "kinds": sorted(node.kinds),
            "pool": sorted(node.pools) if node.pools else None,
            "io_manager": assets_def.get_io_manager_key_for_asset_key(key),
            "resources": sorted(assets_def.required_resource_keys - {"io_manager", "private_io_manager"}),
        }
    jobs = {}
    for job in sorted(repo.get_all_jobs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue  # Dagster's implicit asset job
        jobs[job.name] = {"partitioned": job.partitions_def is not None}
    schedules = {
        s.name: {"job": s.job_name, "cron": s.cron_schedule, "timezone": s.execution_timezone}
        for s in repo.schedule_defs
    }
    sensors = sorted(s.name for s in repo.sensor_defs)
    return {
        "assets": assets,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
        "resources": sorted(defs.resources or {}),
    }


def test_the_code_location_offers_exactly_the_pinned_graph(mira_data, settings):
    current = definitions_snapshot(load_defs(settings))
    if os.environ.get("MIRA_UPDATE_SNAPSHOT"):
        PINNED.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert current == json.loads(PINNED.read_text())
