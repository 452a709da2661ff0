"""`mira instance init` and what every command that runs or drives runs does first.

`open_for_runs` opens the Dagster instance at DAGSTER_HOME (setting a new home up once, under a lock) and
marks this machine's dead runs failed, freeing their pool slots, with one line each on stderr: after a crash
the next `mira materialize`, `mira backfill` or `make ui` goes on instead of waiting for a slot forever.
"""

from __future__ import annotations

from typing import Optional

import typer

from mira_assets.cli.failure import fail

app = typer.Typer(help="The Dagster instance (DAGSTER_HOME): set it up, with profiles.", no_args_is_help=True)


def open_for_runs():
    """The instance, with this machine's dead runs reaped."""
    from mira_assets.operations.dead_runs import reap_dead_runs
    from mira_assets.operations.instance_home import InstanceHomeError, open_instance

    try:
        instance = open_instance()
    except InstanceHomeError as exc:
        fail(str(exc))
    reap_dead_runs(instance, log=lambda line: typer.echo(line, err=True))
    return instance


@app.command("init")
def init(
    profile: Optional[list[str]] = typer.Option(
        None, "--profile", help="Profile of config/profiles merged over config/dagster.yaml (repeatable), e.g. "
                                "postgres. Without it, the profiles the home was set up with are kept."),
    no_profiles: bool = typer.Option(False, "--no-profiles", help="Drop the profiles the home was set up with."),
) -> None:
    """Write DAGSTER_HOME/dagster.yaml from config/dagster.yaml (and profiles), set the home up once, and mark
    this machine's dead runs failed. Run it before `dagster dev`, `dagster-daemon run` or Celery workers."""
    from mira_assets.operations.instance_home import InstanceHomeError, dagster_home, profiles_of, write_instance_yaml

    try:
        home = dagster_home()
        profile = [] if no_profiles else (profile or profiles_of(home) or [])
        path = write_instance_yaml(home, profile)
    except InstanceHomeError as exc:
        fail(str(exc))
    instance = open_for_runs()
    storage = type(instance.run_storage).__name__
    instance.dispose()
    typer.echo(f"Dagster instance at {path.parent} ({storage}; profiles: {', '.join(profile or ()) or 'none'})")
