"""`mira materialize`: run the daily storage job for a range of days, as runs of the code location, in order.

Used by `make demo`. Each day is one run created through the code location (mira_assets/operations/
location_runs.py): the Dagster UI lists it on the job's page and the Overview timeline, Re-execute works, and
Terminate stops it. Runs execute here, one day after the other (htm_state learns day by day). Before the first
run, runs of this machine whose process is gone are marked failed and their pool slots freed. Dagster is
imported only when the command runs.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

import typer

from mira_assets.cli.backfill import check_days_are_partitions
from mira_assets.cli.failure import fail
from mira_assets.cli.operations import open_for_runs

LAUNCHED_BY = {"mira/launched_by": "mira materialize"}


def materialize(
    start: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    days: int = typer.Option(1, min=1, help="How many consecutive days."),
    job: str = typer.Option("daily_storage_job", help="Partitioned job to run."),
    log_level: str = typer.Option("WARNING", help="Console log level for the runs (DEBUG shows every event)."),
) -> None:
    """Materialize every storage asset for each day, in order, as runs of the code location."""
    try:
        first = date.fromisoformat(start)
    except ValueError:
        fail(f"--start must be a day like 2026-11-01, got {start!r}")
    instance = open_for_runs()
    from mira_assets.operations.location_runs import LocationRunner

    runner = LocationRunner(instance)  # loads the code location here, configured from the environment
    wanted = [(first + timedelta(days=offset)).isoformat() for offset in range(days)]
    check_partitions(runner, job, wanted)
    failed = []
    for day in wanted:
        outcome = run_day(runner, job, day, log_level)
        typer.echo(outcome.summary_line())
        if outcome.evolution:
            typer.echo(f"  {outcome.evolution}")
        if outcome.stopped:
            typer.echo(f"run {outcome.run_id} was {outcome.stopped}: the days after {day} were not run", err=True)
            raise typer.Exit(130 if outcome.stopped == "interrupted" else 1)
        if not outcome.success:
            failed.append(day)
    if failed:
        typer.echo(f"failed days: {', '.join(failed)}", err=True)
        raise typer.Exit(1)


def check_partitions(runner, job: str, days: list[str]) -> None:
    """Every day must be a partition of the job: a clear error naming the range otherwise."""
    sets = [ps for ps in runner.repo.get_partition_sets() if ps.job_name == job and ps.has_partitions_definition()]
    if not sets:
        fail(f"{job} is not a partitioned job of the code location")
    check_days_are_partitions(days, list(sets[0].get_partition_names(runner.instance)), of=f" of {job}")


class DayOutcome:
    def __init__(self, day: str, run_id: str):
        self.day, self.run_id = day, run_id
        self.success, self.stopped = False, ""
        self.checks: list[tuple[str, bool]] = []
        self.evolution = ""

    def summary_line(self) -> str:
        warned = [name for name, passed in self.checks if not passed]
        status = "ok" if self.success else "FAILED"
        return (f"{self.day}: {status}, run {self.run_id}, {len(self.checks)} checks, {len(warned)} warned: "
                f"{', '.join(warned) or '-'}")


def run_day(runner, job: str, day: str, log_level: str) -> DayOutcome:
    import dagster as dg
    from dagster._core.storage.tags import RUN_FAILURE_REASON_TAG

    from mira_assets.operations.location_runs import execute_here, step_keys

    instance = runner.instance
    run = runner.create_run(job, day, run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
                            tags=LAUNCHED_BY)
    outcome = DayOutcome(day, run.run_id)
    bar = progress_bar(len(step_keys(instance, run)), day)

    def on_event(event) -> None:
        if event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE,
                                dg.DagsterEventType.STEP_SKIPPED):
            bar.update(1)
            bar.set_postfix_str(event.step_key, refresh=False)
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            outcome.checks.append((f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}",
                                   evaluation.passed))
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            if materialization.asset_key == dg.AssetKey("evolution_checkpoints"):
                outcome.evolution = evolution_summary({k: v.value for k, v in materialization.metadata.items()})

    try:
        finished = execute_here(instance, run, on_event)
    finally:
        bar.close()
    outcome.success = finished.status == dg.DagsterRunStatus.SUCCESS
    if finished.status == dg.DagsterRunStatus.CANCELED:
        outcome.stopped = "terminated"
    elif finished.tags.get(RUN_FAILURE_REASON_TAG) == "UNEXPECTED_TERMINATION":
        outcome.stopped = "interrupted"
    return outcome


def progress_bar(total: int, day: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=day, unit="step", file=sys.stderr, disable=None, leave=False)


def evolution_summary(meta: dict) -> str:
    """One line on where the day's consciousness states went (counts only)."""
    return (f"consciousness: {meta.get('states', 0)} states -> consciousness_states; "
            f"{meta.get('breakthroughs', 0)} breakthroughs sealed in the vault "
            f"({meta.get('flagged_breakthroughs', 0)} flagged, {meta.get('spark_breakthroughs', 0)} by spark > 0.9); "
            f"{meta.get('public_insights', 0)} public insights -> stored_memories")
