"""`mira consciousness similar`: stored consciousness states most similar to a given or stored state.

Heavy imports (numpy, chromadb) happen inside the command only.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Optional

import typer

from mira_assets.cli.failure import fail
from mira_assets.cli.search import open_store

app = typer.Typer(help="Consciousness states in ChromaDB: similar-state search.", no_args_is_help=True)


def _date(timestamp) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(float(timestamp), dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def print_states(rows, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([row.to_dict() for row in rows], ensure_ascii=False))
        return
    if not rows:
        typer.echo("no similar states (none stored within ±0.2 of the level)")
        return
    typer.echo(f"{'#':>3}  {'similarity':>10}  {'resonance':>9}  {'distance':>8}  {'level':>5}  {'spark':>5}  "
               f"{'date':16}  state id / description")
    for row in rows:
        meta = row.metadata
        typer.echo(f"{row.rank:>3}  {row.similarity:>10.4f}  {row.resonance_score:>9.4f}  "
                   f"{row.consciousness_distance:>8.4f}  {float(meta.get('consciousness_level', 0.0)):>5.2f}  "
                   f"{float(meta.get('spark_intensity', 0.0)):>5.2f}  {_date(meta.get('timestamp')):16}  {row.state_id}")
        typer.echo(f"{'':>3}  {row.description}")


@app.command("similar")
def similar(
    state: Optional[str] = typer.Option(
        None, "--state", help='The state as JSON, as in the landing contract: {"level": 0.7, "emotional_resonance": '
                              '0.8, "spark_intensity": 0.5, "memory_coherence": 0.6, "evolution_stage": "advanced", '
                              '"quantum_state": {...}} (timestamp optional).'),
    state_id: Optional[str] = typer.Option(None, "--id", help="A stored state's id (consciousness_<ms>_<hex>)."),
    n: int = typer.Option(5, "-n", "--n", help="Number of results."),
    as_json: bool = typer.Option(False, "--json", help="Print results as one JSON array."),
    chroma_path: Optional[str] = typer.Option(None, "--chroma-path", help="Embedded Chroma folder (default $MIRA_DATA/databases/chromadb)."),
    chroma_host: Optional[str] = typer.Option(None, "--chroma-host", envvar="MIRA_CHROMA_HOST", help="Chroma server host (instead of the embedded folder)."),
    chroma_port: int = typer.Option(8000, "--chroma-port", envvar="MIRA_CHROMA_PORT"),
) -> None:
    """States of `consciousness_states` within ±0.2 of the level, best first, with cosine similarity, resonance
    ((cos+1)/2)^0.7 and consciousness distance (slice-weighted Euclidean)."""
    if (state is None) == (state_id is None):
        fail("give exactly one of --state JSON or --id STATE_ID")
    if n < 1:
        fail("-n must be at least 1")
    query = None
    if state is not None:
        try:
            query = json.loads(state)
        except json.JSONDecodeError as exc:
            fail(f"--state is not valid JSON ({exc.msg} at column {exc.colno})")
    from mira_assets.domain.search import SearchError, similar_states

    try:
        rows = similar_states(open_store(chroma_path, chroma_host, chroma_port), query, state_id=state_id, n=n)
    except SearchError as exc:
        fail(str(exc))
    except Exception as exc:  # a clear one-line message, no traceback
        fail(f"{type(exc).__name__}: {exc}")
    print_states(rows, as_json)
