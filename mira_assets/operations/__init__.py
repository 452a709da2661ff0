"""The Dagster-facing runtime of mira-storage: how runs are created, executed, watched and cleaned up.

No domain rules here. `instance_home` opens (and once sets up) the Dagster home, `location_runs` creates runs
through the code location and executes them in this process, `executor` is the in-process executor whose
wait for a pool slot sleeps and can be interrupted, `dead_runs` finds runs whose process is gone and frees
their pool slots, `run_launcher` gives the daemon the same health check, `backfills` launches asset
backfills and drives or watches them, `termination` lets the UI's Terminate stop a run executed here.
"""
