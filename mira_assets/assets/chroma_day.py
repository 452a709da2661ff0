"""What the embedding and Chroma-writing assets share: run the domain code, report.

An embeddings asset embeds one day's public texts into `$MIRA_DATA/tables/<asset>/<day>.parquet` (reusing
vectors already there). A collection asset replaces the day's records in a Chroma collection, reads them
back for its checks (exactly the partition's ids; for each, the day's vector: as the embeddings table holds it,
where there is one, copied before the write) and reports counts, the score distribution and timings. Never content.
`store_partition` takes the day's MiniLM vectors from an embeddings table (memories, facts);
`replace_collection_partition` takes vectors the asset brings (HTM patterns, 32-d; consciousness states, 1536-d).
"""

from __future__ import annotations

import time
from typing import Sequence

import dagster as dg
import numpy as np

from mira_assets.assets.checks import partitioned_check_spec
from mira_assets.domain.collection_records import (VECTOR_ATOL, CollectionBatch, check_partition,
                                                   distribution_markdown)
from mira_assets.domain.embedding_tables import embed_day, embedding_table_path, read_embedding_table
from resources.chroma_resource import ChromaResource
from resources.data_root import DataLayout
from resources.embedder import DIMENSION, MODEL_NAME, WEIGHTS_SHA256
from resources.embedder_resource import EmbedderResource

IDS_CHECK = "collection_holds_exactly_partition_ids"


def vectors_check_name(dimension: int) -> str:
    """The vectors check is named for the collection's dimension (`vectors_are_384d_and_finite`, ...)."""
    return f"vectors_are_{int(dimension)}d_and_finite"


VECTORS_CHECK = vectors_check_name(DIMENSION)  # the MiniLM collections' (stored_memories, identified_facts)


def collection_check_specs(asset: str, partitions: dg.PartitionsDefinition,
                           dimension: int = DIMENSION) -> list[dg.AssetCheckSpec]:
    return [
        partitioned_check_spec(IDS_CHECK, asset, partitions,
                               description="The collection's records of this partition are exactly the day's ids."),
        partitioned_check_spec(vectors_check_name(dimension), asset, partitions,
                               description=f"Chroma holds, for every id of the day, the day's vector (its table's, "
                                           f"where it has one): {dimension} dimensions, finite, equal within "
                                           f"{VECTOR_ATOL:g}."),
    ]


def embed_partition(context: dg.AssetExecutionContext, *, asset: str, layout: DataLayout,
                    embedder: EmbedderResource, ids: Sequence[str], texts: Sequence[str],
                    extra_metadata: dict | None = None) -> dg.MaterializeResult:
    started = time.perf_counter()
    day = context.partition_key
    path = embedding_table_path(layout.tables, asset, day)
    model_holder: dict = {}

    def encode(batch: list[str]):
        model = model_holder.setdefault("m", embedder.get_embedder())
        return model.encode(batch)

    # Every load verifies the weights against the pinned sha256, so the pin names the vectors' model exactly.
    table, stats = embed_day(path, ids, texts, encode, model=MODEL_NAME, weights_sha256=WEIGHTS_SHA256,
                             dimension=DIMENSION)
    seconds = time.perf_counter() - started
    metadata = {
        "records": stats.records,
        "embedded": stats.embedded,
        "reused": stats.reused,
        "file_changed": stats.written,
        "model": MODEL_NAME,
        "dimension": DIMENSION,
        "device": embedder.device,
        "table_path": dg.MetadataValue.path(str(path)),
        "duration_s": round(seconds, 3),
        "texts_per_s": round(stats.embedded / seconds, 1) if stats.embedded and seconds > 0 else 0.0,
        **(extra_metadata or {}),
    }
    context.log.info(f"{asset} {day}: {stats.embedded} embedded, {stats.reused} reused")
    return dg.MaterializeResult(metadata=metadata)


def load_vectors(layout: DataLayout, asset: str, day: str, ids: Sequence[str]):
    path = embedding_table_path(layout.tables, asset, day)
    if not path.exists():
        raise FileNotFoundError(f"embeddings of {asset} for {day} are missing at {path}: materialize {asset} first")
    table = read_embedding_table(path)
    if table.model != MODEL_NAME or table.dimension != DIMENSION:
        raise ValueError(f"{path} holds {table.model} {table.dimension}-d vectors; expected {MODEL_NAME} {DIMENSION}-d")
    return table.vectors_for(list(ids))


def store_partition(context: dg.AssetExecutionContext, *, collection: str, description: str,
                    embeddings_asset: str, layout: DataLayout, chroma: ChromaResource, batch: CollectionBatch,
                    extra_metadata: dict | None = None) -> dg.MaterializeResult:
    """Replace the day's records with `batch`, its MiniLM vectors read from the day's embeddings table."""
    vectors = load_vectors(layout, embeddings_asset, context.partition_key, batch.ids)
    return replace_collection_partition(context, collection=collection, description=description, chroma=chroma,
                                        batch=batch, vectors=vectors, model=MODEL_NAME, dimension=DIMENSION,
                                        extra_metadata=extra_metadata)


def replace_collection_partition(context: dg.AssetExecutionContext, *, collection: str, description: str,
                                 chroma: ChromaResource, batch: CollectionBatch, vectors, model: str, dimension: int,
                                 extra_metadata: dict | None = None) -> dg.MaterializeResult:
    """Make the collection hold exactly `batch` (with `vectors`, row k for `batch.ids[k]`, as the day's table
    holds them) for the day, read it back for the checks, and report counts, the distribution of `batch.extra`
    and timings. The vector check compares what Chroma then holds with a copy of `vectors` taken before the
    write, so nothing the writer does to the array it is handed can make the check agree with it."""
    started = time.perf_counter()
    day = context.partition_key
    store = chroma.get_store()
    expected = np.array(vectors, copy=True)
    stats = store.replace_partition(collection, day, batch.ids, vectors, batch.documents, batch.metadatas,
                                    model=model, dimension=dimension, description=description)
    check = check_partition(store, collection, day, batch.ids, expected, dimension)
    metadata = {
        "records": len(batch.ids),
        "written": stats.added,
        "unchanged": stats.unchanged,
        "deleted": stats.deleted,
        "batches": stats.batches,
        "batch_size": stats.batch_size,
        "collection": collection,
        "chroma": store.describe(),
        "write_s": round(stats.seconds, 3),
        "duration_s": round(time.perf_counter() - started, 3),
        "distribution": dg.MetadataValue.md(distribution_markdown(batch.extra)),
        **(extra_metadata or {}),
    }
    context.log.info(f"{collection} {day}: {stats.added} written, {stats.unchanged} unchanged, {stats.deleted} deleted")
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(check_name=IDS_CHECK, passed=check.ids_ok, metadata=check.metadata()),
            dg.AssetCheckResult(check_name=vectors_check_name(dimension), passed=check.vectors_ok,
                                metadata={"dimensions": check.metadata()["dimensions"], "finite": check.finite_ok,
                                          "differing_from_table": check.differing,
                                          "max_abs_diff": float(f"{check.max_abs_diff:.3g}")
                                          if np.isfinite(check.max_abs_diff) else -1.0}),
        ],
    )
