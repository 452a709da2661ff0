"""`mira memories top|forget`: stored memories ranked by persistence at the current time (SPEC §1).

Heavy imports (chromadb) happen inside the commands only.
"""

from __future__ import annotations

import json
import time
from typing import Optional

import typer

from mira_assets.cli.failure import fail
from mira_assets.cli.search import _short, open_store

app = typer.Typer(help="Public memories in ChromaDB ranked by persistence; forget what should not persist.",
                  no_args_is_help=True)

_CHROMA_PATH = typer.Option(None, "--chroma-path", help="Embedded Chroma folder (default $MIRA_DATA/databases/chromadb).")
_CHROMA_HOST = typer.Option(None, "--chroma-host", envvar="MIRA_CHROMA_HOST", help="Chroma server host.")
_CHROMA_PORT = typer.Option(8000, "--chroma-port", envvar="MIRA_CHROMA_PORT")


def _ranked(chroma_path, chroma_host, chroma_port, now: Optional[float]):
    from mira_assets.domain.collection_records import MEMORIES_COLLECTION
    from mira_assets.domain.search import rank_by_persistence

    store = open_store(chroma_path, chroma_host, chroma_port)
    if store.existing(MEMORIES_COLLECTION) is None:
        fail(f"collection {MEMORIES_COLLECTION!r} does not exist in {store.describe()}: materialize it first")
    return store, rank_by_persistence(store, now=now)


def _row(r) -> dict:
    s = r.score
    return {"id": r.id, "partition": r.partition, "persistence": s.persistence, "importance": s.importance,
            "temporal": s.consolidated, "spark": s.spark, "tier": s.tier.name, "age_days": s.age_days,
            "persists": s.persists, "document": r.document}


def _print(rows, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([_row(r) for r in rows], ensure_ascii=False))
        return
    if not rows:
        typer.echo("no memories")
        return
    typer.echo(f"{'#':>3}  {'persist':>7}  {'import':>6}  {'tempor':>6}  {'spark':>5}  {'tier':8}  {'date':10}  id / text")
    for k, r in enumerate(rows, 1):
        s = r.score
        typer.echo(f"{k:>3}  {s.persistence:>7.3f}  {s.importance:>6.3f}  {s.consolidated:>6.3f}  {s.spark:>5.2f}  "
                   f"{s.tier.name:8}  {r.partition or '':10}  {r.id}")
        typer.echo(f"{'':>3}  {_short(r.document)}")


@app.command("top")
def top(
    n: int = typer.Option(20, "-n", "--n", help="How many memories to show."),
    now: Optional[float] = typer.Option(None, "--now", help="Score at this epoch time instead of the current time."),
    as_json: bool = typer.Option(False, "--json", help="Print as one JSON array."),
    chroma_path: Optional[str] = _CHROMA_PATH,
    chroma_host: Optional[str] = _CHROMA_HOST,
    chroma_port: int = _CHROMA_PORT,
) -> None:
    """The N stored memories with the highest persistence score now."""
    try:
        _, ranked = _ranked(chroma_path, chroma_host, chroma_port, now)
    except typer.Exit:
        raise
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}")
    _print(ranked[:n], as_json)


@app.command("forget")
def forget(
    below: float = typer.Option(0.7, "--below", help="Forget memories whose persistence is below this."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would be forgotten."),
    now: Optional[float] = typer.Option(None, "--now", help="Score at this epoch time instead of the current time."),
    as_json: bool = typer.Option(False, "--json", help="Print the list as one JSON array."),
    chroma_path: Optional[str] = _CHROMA_PATH,
    chroma_host: Optional[str] = _CHROMA_HOST,
    chroma_port: int = _CHROMA_PORT,
) -> None:
    """List (--dry-run) or delete the public memories of `stored_memories` that should not persist.

    Deletes from ChromaDB only; rematerializing their day brings them back."""
    from mira_assets.domain.collection_records import MEMORIES_COLLECTION
    from mira_assets.domain.search import forget_candidates

    try:
        store, ranked = _ranked(chroma_path, chroma_host, chroma_port, now if now is not None else time.time())
        doomed = forget_candidates(ranked, below)
        _print(doomed, as_json)
        if not dry_run and doomed:
            store.delete_ids(MEMORIES_COLLECTION, [r.id for r in doomed])
    except typer.Exit:
        raise
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}")
    if not as_json:
        verb = "would forget" if dry_run else "forgot"
        typer.echo(f"{verb} {len(doomed)} of {len(ranked)} memories (persistence < {below})", err=True)
