"""`mira demo-data`: write deterministic demo landing data for all five streams.

Fast start: only the framework-free demo generator is imported, when the command runs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Demo landing data for MIRA's five streams.", no_args_is_help=True)


def demo_data(
    out: Annotated[Path, typer.Option("--out", help="Landing root to write into (e.g. $MIRA_DATA/landing).")],
    start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD.")],
    days: Annotated[int, typer.Option("--days", help="Number of consecutive days.")] = 3,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed writes identical files.")] = 7,
) -> None:
    """Write OUT/<stream>/<YYYY-MM-DD>/part-000.jsonl for conversations, private_thoughts,
    memories, facts and consciousness, including a few malformed lines on purpose."""
    try:
        first = date.fromisoformat(start)
    except ValueError:
        typer.echo("error: --start must be a date like 2026-11-01", err=True)
        raise typer.Exit(1)
    if days < 1:
        typer.echo("error: --days must be at least 1", err=True)
        raise typer.Exit(1)
    from mira_assets.domain.demo_data import generate_demo_data
    from mira_assets.domain.landing.complete import DEMO_NOTE, DEMO_PRODUCER, mark_day_complete
    from mira_assets.domain.landing.contract import STREAMS

    try:
        counts = generate_demo_data(out, first, days, seed)
        for day in range(days):  # as MIRA's runtime does when a day is done (docs/landing.md)
            mark_day_complete(out, date.fromordinal(first.toordinal() + day), producer=DEMO_PRODUCER, note=DEMO_NOTE)
    except OSError as exc:
        typer.echo(f"error: cannot write demo data under {out}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1)
    last = date.fromordinal(first.toordinal() + days - 1)
    typer.echo(f"demo landing data in {out} for {first} .. {last} (seed {seed}):")
    for stream in STREAMS:
        typer.echo(f"  {stream:<17} {counts[stream]:>6} valid records")
    typer.echo(f"  {'malformed':<17} {counts['malformed']:>6} lines broken on purpose (they go to quarantine)")


app.command("demo-data")(demo_data)
