"""`mira demo-data` and `mira demo-codebase`: deterministic demo landing data and a demo git repository.

Fast start: only the framework-free demo generators are imported, when a command runs.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(help="Demo landing data for MIRA's five streams.", no_args_is_help=True)


class Scale(str, Enum):
    small = "small"
    realistic = "realistic"


def _first_day(start: str, days: int) -> date:
    try:
        first = date.fromisoformat(start)
    except ValueError:
        typer.echo("error: --start must be a date like 2026-11-01", err=True)
        raise typer.Exit(1)
    if days < 1:
        typer.echo("error: --days must be at least 1", err=True)
        raise typer.Exit(1)
    return first


def _make_codebase(path: Path, first: date, days: int) -> None:
    from mira_assets.domain.demo_codebase import DemoCodebaseError, make_demo_codebase

    try:
        made = make_demo_codebase(path, first, days)
    except (DemoCodebaseError, OSError) as exc:
        typer.echo(f"error: demo codebase: {exc}", err=True)
        raise typer.Exit(1)
    span = f"{first} .. {date.fromordinal(first.toordinal() + days - 1)}"
    if made.created:
        typer.echo(f"demo codebase: created {made.path}, a git repository of {made.files} files with "
                   f"{made.commits} commits dated {span}, HEAD {made.head[:12]}")
    else:
        typer.echo(f"demo codebase: reusing {made.path} (HEAD {made.head[:12]}, {made.commits} commits, "
                   f"{made.files} files): it holds the commits for {span}")


def demo_data(
    out: Annotated[Path, typer.Option("--out", help="Landing root to write into (e.g. $MIRA_DATA/landing).")],
    start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD.")],
    days: Annotated[int, typer.Option("--days", help="Number of consecutive days.")] = 3,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed writes identical files.")] = 7,
    scale: Annotated[Scale, typer.Option("--scale", help="small: about 60 memories a day (the demo); realistic: "
                                         "2,000 conversations, 20,000 memories, 2,000 facts, 1,440 states and 300 "
                                         "thoughts a day.")] = Scale.small,
    codebase: Annotated[Optional[Path], typer.Option(
        "--codebase", help="Where to build the demo git repository with commits on these days "
                           "(default: demo_codebase beside OUT, e.g. $MIRA_DATA/demo_codebase).")] = None,
    no_codebase: Annotated[bool, typer.Option("--no-codebase", help="Write landing data only.")] = False,
) -> None:
    """Write OUT/<stream>/<YYYY-MM-DD>/part-000.jsonl for conversations, private_thoughts,
    memories, facts and consciousness, including a few malformed lines on purpose, and a small demo git
    repository whose history covers those days (for codebase_snapshots)."""
    first = _first_day(start, days)
    from mira_assets.domain.landing.complete import DEMO_NOTE, DEMO_PRODUCER, mark_day_complete
    from mira_assets.domain.landing.contract import STREAMS

    try:
        if scale is Scale.realistic:
            from mira_assets.domain.demo_realistic import generate_realistic_data

            counts = generate_realistic_data(out, first, days, seed)
        else:
            from mira_assets.domain.demo_data import generate_demo_data

            counts = generate_demo_data(out, first, days, seed)
        for day in range(days):  # as MIRA's runtime does when a day is done (docs/landing.md)
            mark_day_complete(out, date.fromordinal(first.toordinal() + day), producer=DEMO_PRODUCER, note=DEMO_NOTE)
    except OSError as exc:
        typer.echo(f"error: cannot write demo data under {out}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1)
    last = date.fromordinal(first.toordinal() + days - 1)
    typer.echo(f"demo landing data ({scale.value}) in {out} for {first} .. {last} (seed {seed}):")
    for stream in STREAMS:
        typer.echo(f"  {stream:<17} {counts[stream]:>6} valid records")
    if "messages" in counts:
        typer.echo(f"  {'':<17} {counts['messages']:>6} messages in the conversations, "
                   f"{counts['private_memories']} private memories")
    typer.echo(f"  {'malformed':<17} {counts['malformed']:>6} lines broken on purpose (they go to quarantine)")
    if not no_codebase:
        _make_codebase(codebase or Path(out).parent / "demo_codebase", first, days)


def demo_codebase(
    out: Annotated[Path, typer.Option("--out", help="Folder of the demo git repository (e.g. $MIRA_DATA/demo_codebase).")],
    start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD.")],
    days: Annotated[int, typer.Option("--days", help="Number of consecutive days with commits.")] = 3,
) -> None:
    """Build (or reuse, when it is already there) a small git repository with two commits dated on each day,
    so codebase_snapshots has a commit to capture for those past days. Set MIRA_CODEBASES to snapshot it."""
    _make_codebase(out, _first_day(start, days), days)


app.command("demo-data")(demo_data)
app.command("demo-codebase")(demo_codebase)
