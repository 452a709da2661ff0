"""`mira materialize`: run the daily storage job for a range of days, recorded in the instance.

Used by `make demo`; the Dagster UI shows these runs afterwards because they are written to
the instance at `DAGSTER_HOME`. Dagster is imported only when the command runs.
"""

from __future__ import annotations

from datetime import date, timedelta

import typer


def materialize(
    start: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    days: int = typer.Option(1, min=1, help="How many consecutive days."),
    job: str = typer.Option("daily_storage_job", help="Partitioned job to run."),
    log_level: str = typer.Option("WARNING", help="Console log level for the runs (DEBUG shows every event)."),
) -> None:
    """Materialize every storage asset for each day, in order, as Dagster runs."""
    import dagster as dg

    from mira_assets.definitions import defs

    first = date.fromisoformat(start)
    instance = dg.DagsterInstance.get()
    job_def = defs().resolve_job_def(job)  # configured from the environment, as `dagster dev` would
    failed = []
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        typer.echo(f"materializing {day} …", err=True)
        result = job_def.execute_in_process(
            partition_key=day,
            instance=instance,
            raise_on_error=False,
            # The instance's event log keeps every event for the UI; the terminal shows warnings only.
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
        checks = result.get_asset_check_evaluations()
        failed_checks = [f"{c.asset_key.to_user_string()}:{c.check_name}" for c in checks if not c.passed]
        status = "ok" if result.success else "FAILED"
        typer.echo(f"{day}: {status}, run {result.run_id}, {len(checks)} checks, {len(failed_checks)} warned: {', '.join(failed_checks) or '-'}")
        routed = evolution_summary(result)
        if routed:
            typer.echo(f"  {routed}")
        if not result.success:
            failed.append(day)
    if failed:
        typer.echo(f"failed days: {', '.join(failed)}", err=True)
        raise typer.Exit(1)


def evolution_summary(result) -> str:
    """One line on where the day's consciousness states went (counts only), or "" when the run had no routing."""
    try:
        events = result.asset_materializations_for_node("evolution_checkpoints")
    except Exception:  # not part of this job
        return ""
    if not events:
        return ""
    meta = {key: value.value for key, value in events[0].metadata.items()}
    return (f"consciousness: {meta.get('states', 0)} states -> consciousness_states; "
            f"{meta.get('breakthroughs', 0)} breakthroughs sealed in the vault "
            f"({meta.get('flagged_breakthroughs', 0)} flagged, {meta.get('spark_breakthroughs', 0)} by spark > 0.9); "
            f"{meta.get('public_insights', 0)} public insights -> stored_memories")
