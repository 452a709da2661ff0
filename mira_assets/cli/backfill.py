"""`mira backfill`: an asset backfill of a range of days through the instance, optionally waited for.

The same thing as Materialize -> date range on the asset graph: partition mappings are followed, so htm_state's
days run in order. With --wait the command shows progress and exits non-zero naming the failed partitions; it
drives the backfill itself unless a Dagster daemon (`dagster dev`, `dagster-daemon run`) does, in which case it
watches (mira_assets/operations/backfills.py).
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from typing import Optional

import typer

from mira_assets.cli.failure import fail
from mira_assets.cli.operations import open_for_runs


def days_between(start: str, end: str) -> list[str]:
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        fail(f"--start and --end must be days like 2026-11-01, got {start!r} and {end!r}")
    if last < first:
        fail(f"--end {end} is before --start {start}")
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def span_of(days: list[str]) -> str:
    return days[0] if len(days) == 1 else f"{days[0]} .. {days[-1]} ({len(days)} days)"


def check_days_are_partitions(days: list[str], keys: list[str], of: str = "") -> None:
    """Fail naming the days that are not among the (sorted) partition keys, and the range there is."""
    known = set(keys)
    outside = [day for day in days if day not in known]
    if outside:
        span = f"{keys[0]} to {keys[-1]}" if keys else "none yet"
        fail(f"{span_of(outside)}: not a partition{of} (partitions: {span}; the first day is "
             f"MIRA_PARTITION_START, the last is yesterday, UTC)")


def selected_keys(graph, select: Optional[str]) -> list:
    import dagster as dg

    try:
        selection = dg.AssetSelection.from_string(select) if select else dg.AssetSelection.all()
        keys = sorted(selection.resolve(graph), key=lambda key: key.to_user_string())
    except Exception as exc:  # Dagster raises several kinds for a bad selection string or an unknown key
        fail(f"--select {select!r}: {str(exc).splitlines()[0]}")
    if not keys:
        fail(f"--select {select!r} selects no asset")
    return keys


def backfill(
    start: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    end: str = typer.Option(..., help="Last day, YYYY-MM-DD (inclusive)."),
    select: Optional[str] = typer.Option(None, help="Dagster asset selection, e.g. '+key:htm_state' (htm_state "
                                                    "and everything upstream of it), 'key:htm_state+' (it and "
                                                    "everything downstream) or 'group:memories' (default: all)."),
    wait: bool = typer.Option(False, "--wait", help="Wait for the backfill: show progress, exit 1 naming the "
                                                    "failed partitions. Drives it when no daemon runs."),
    log_level: str = typer.Option("WARNING", help="Console log level of the backfill's runs (the event log "
                                                  "keeps every event)."),
) -> None:
    """Launch an asset backfill of the days START..END (every asset, or --select) through the instance."""
    from dagster._core.workspace.context import WorkspaceProcessContext

    from mira_assets.operations.backfills import daemon_drives_backfills, launch_asset_backfill
    from mira_assets.operations.location_runs import location_target

    days = days_between(start, end)
    instance = open_for_runs()
    with WorkspaceProcessContext(instance, location_target(), code_server_log_level="WARNING") as context:
        graph = context.create_request_context().asset_graph
        keys = selected_keys(graph, select)
        partitions = graph.get(keys[0]).partitions_def
        check_days_are_partitions(days, list(partitions.get_partition_keys()) if partitions is not None else [])
        backfill_id = launch_asset_backfill(instance, graph, days, keys, title=f"mira backfill {start} to {end}",
                                            tags={"mira/launched_by": "mira backfill"},
                                            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}})
        typer.echo(f"asset backfill {backfill_id}: {len(keys)} asset(s) x {len(days)} day(s) ({start} to {end}); "
                   f"in the UI: Overview -> Backfills")
        if not wait:
            if not daemon_drives_backfills(instance):
                typer.echo("no Dagster daemon runs now: the backfill starts when one does (`make ui` or "
                           "`dagster-daemon run`); `mira backfill ... --wait` runs it now", err=True)
            return
        progress = wait_with_progress(context, backfill_id)
    if not progress.succeeded:
        typer.echo(f"backfill {backfill_id} ended {progress.status}; failed partitions "
                   f"(or downstream of a failure):", err=True)
        for line in progress.failure_lines() or ["(none recorded)"]:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(1)
    typer.echo(f"backfill {backfill_id}: {progress.materialized} of {progress.total} asset partitions materialized")


def wait_with_progress(context, backfill_id: str):
    from tqdm import tqdm

    from mira_assets.operations.backfills import BackfillInterrupted, daemon_drives_backfills, wait_for_backfill

    typer.echo("a Dagster daemon runs backfills on this instance: waiting for it" if daemon_drives_backfills(
        context.instance) else "no Dagster daemon runs: running the backfill here", err=True)
    bar = tqdm(desc="backfill", unit="partition", file=sys.stderr, disable=None)

    def show(progress, driving: bool) -> None:
        bar.total = progress.total
        bar.n = progress.materialized + progress.failed
        bar.set_postfix_str(f"{progress.status.lower()}, {'driven here' if driving else 'daemon'}"
                            f"{f', {progress.failed} failed' if progress.failed else ''}", refresh=False)
        bar.refresh()

    try:
        return wait_for_backfill(context, backfill_id, on_progress=show)
    except BackfillInterrupted as exc:
        bar.close()
        typer.echo(f"{exc}; the backfill stays requested: a daemon resumes it, or cancel it in the UI "
                   f"(Overview -> Backfills)", err=True)
        raise typer.Exit(130) from None
    finally:
        bar.close()
