"""`mira search TEXT` / `mira search --like MEMORY_ID`: search the ChromaDB collections.

TEXT is embedded (stored memories, identified facts); `--like` starts from a stored memory's own vector,
and is how `htm_patterns` is searched: the memories whose HTM pattern is closest to that memory's.

Heavy imports (torch, sentence-transformers, chromadb) happen inside the command only.
"""

from __future__ import annotations

import json
from typing import Optional

import typer

from mira_assets.cli.failure import fail
from resources.data_root import DataLayout

app = typer.Typer(help="Semantic search over the ChromaDB collections.", no_args_is_help=True)


def open_store(chroma_path: Optional[str], chroma_host: Optional[str], chroma_port: int):
    from resources.chroma import ChromaStore

    if chroma_host:
        return ChromaStore(host=chroma_host, port=chroma_port)
    return ChromaStore(path=chroma_path or DataLayout.from_env().chromadb)


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_hits(hits, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False))
        return
    if not hits:
        typer.echo("no results")
        return
    typer.echo(f"{'#':>3}  {'similarity':>10}  {'importance':>10}  {'spark':>5}  {'date':16}  id / text")
    for h in hits:
        imp = f"{h.importance:.3f}" if h.importance is not None else "-"
        spark = f"{h.spark:.2f}" if h.spark is not None else "-"
        typer.echo(f"{h.rank:>3}  {h.similarity:>10.3f}  {imp:>10}  {spark:>5}  {h.date:16}  {h.id}")
        typer.echo(f"{'':>3}  {_short(h.document)}")


@app.command("search")
def search(
    text: Optional[str] = typer.Argument(None, help="What to look for, in plain words (or use --like)."),
    like: Optional[str] = typer.Option(None, "--like", metavar="MEMORY_ID",
                                       help="Records closest to this memory's own record instead of a text "
                                            "(htm_patterns: the memories whose HTM pattern is closest)."),
    collection: str = typer.Option("stored_memories", "--collection", "-c",
                                   help="stored_memories, identified_facts or htm_patterns (with --like)."),
    n: int = typer.Option(10, "-n", "--n", help="Number of results."),
    where: Optional[str] = typer.Option(None, "--where", help='Chroma where filter as JSON, e.g. \'{"source": "manual"}\'.'),
    min_importance: Optional[float] = typer.Option(None, "--min-importance", help="Only memories with importance ≥ X."),
    since: Optional[str] = typer.Option(None, "--since", help="Only records on or after this date (YYYY-MM-DD, UTC)."),
    as_json: bool = typer.Option(False, "--json", help="Print results as one JSON array."),
    chroma_path: Optional[str] = typer.Option(None, "--chroma-path", help="Embedded Chroma folder (default $MIRA_DATA/databases/chromadb)."),
    chroma_host: Optional[str] = typer.Option(None, "--chroma-host", envvar="MIRA_CHROMA_HOST", help="Chroma server host (instead of the embedded folder)."),
    chroma_port: int = typer.Option(8000, "--chroma-port", envvar="MIRA_CHROMA_PORT"),
    device: str = typer.Option("cpu", "--device", help="Embedding device: cpu, cuda or auto."),
) -> None:
    """Rank records by similarity (1 − cosine distance) to TEXT, or to the record of --like MEMORY_ID;
    prints similarity, importance, spark and date."""
    from mira_assets.domain.search import COLLECTIONS, SearchError, build_where, check_text_search, similar_to
    from mira_assets.domain.search import search as run_search

    if collection not in COLLECTIONS:
        fail(f"unknown collection {collection!r}: use one of {', '.join(COLLECTIONS)}")
    if (text is None) == (like is None):
        fail("give either TEXT or --like MEMORY_ID (one of them)")
    try:
        where_obj = json.loads(where) if where else None
    except json.JSONDecodeError as exc:
        fail(f"--where is not valid JSON ({exc.msg} at column {exc.colno})")
    try:
        build_where(where_obj, collection=collection, min_importance=min_importance, since=since)  # validate early
        if text is not None:
            check_text_search(collection, n)
        store = open_store(chroma_path, chroma_host, chroma_port)
        if store.existing(collection) is None:
            fail(f"collection {collection!r} does not exist in {store.describe()}: materialize it first")
        if like is not None:
            hits = similar_to(store, like, collection=collection, n=n, where=where_obj,
                              min_importance=min_importance, since=since)
        else:
            from resources.embedder import Embedder

            embedder = Embedder(device=device)
            hits = run_search(store, embedder, text, collection=collection, n=n, where=where_obj,
                              min_importance=min_importance, since=since)
    except typer.Exit:
        raise
    except SearchError as exc:
        fail(str(exc))
    except Exception as exc:  # a clear one-line message, no traceback
        fail(f"{type(exc).__name__}: {exc}")
    print_hits(hits, as_json)
