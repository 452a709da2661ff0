"""Memories: the day's validated memories, their embeddings, and the searchable `stored_memories` collection.

Private memories (is_private) stay in the sealed `memories` table and go to the vault through
`private_memories`; they never reach the embeddings table or ChromaDB. The public insights of the day's
ordinary consciousness states (`evolution_checkpoints`) are memories too: the one embeddings table and the one
collection writer take the day's public landing memories plus those insights, so a day's records in
`stored_memories` are exactly both, and a rerun embeds nothing it already embedded.
"""


import dagster as dg
import pandas as pd

from mira_assets.assets.chroma_day import collection_check_specs, embed_partition, store_partition
from mira_assets.assets.landing_reader import landing_asset
from mira_assets.domain.collection_records import (MEMORIES_COLLECTION, MEMORIES_DESCRIPTION, memory_batch,
                                                   stored_memory_records)
from mira_assets.domain.evolution import frame_checkpoints
from mira_assets.domain.landing.frames import frame_records
from resources.chroma_resource import ChromaResource
from resources.data_root_resource import DataRootResource
from resources.embedder_resource import EmbedderResource

GROUP = "memories"


def day_memories(memories: pd.DataFrame, evolution_checkpoints: pd.DataFrame) -> tuple[list[dict], int, int]:
    """(the day's stored_memories records, private memories skipped, public insights among the records)."""
    records = frame_records("memories", memories)
    insights = frame_checkpoints(evolution_checkpoints).public_insights
    stored = stored_memory_records(records, insights)
    return stored, len(records) - (len(stored) - len(insights)), len(insights)


def build_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    memories = landing_asset(
        "memories", partitions,
        group_name=GROUP,
        description="The day's memories from landing, validated (sealed table: private memories' content is secret).",
    )

    @dg.asset(partitions_def=partitions, group_name=GROUP, kinds={"pytorch", "parquet"})
    def memory_embeddings(context: dg.AssetExecutionContext, memories: pd.DataFrame,
                          evolution_checkpoints: pd.DataFrame, embedder: EmbedderResource,
                          data_root: DataRootResource) -> dg.MaterializeResult:
        """all-MiniLM-L6-v2 vectors (384-d, normalized) of the day's public memories and public insights, kept as
        Parquet so reruns and downstream assets never embed twice."""
        stored, private_skipped, insights = day_memories(memories, evolution_checkpoints)
        return embed_partition(context, asset="memory_embeddings", layout=data_root.layout(), embedder=embedder,
                               ids=[m["memory_id"] for m in stored], texts=[m["content"] for m in stored],
                               extra_metadata={"private_skipped": private_skipped, "public_insights": insights})

    @dg.asset(partitions_def=partitions, group_name=GROUP, deps=[memory_embeddings], pool="chroma",
              check_specs=collection_check_specs("stored_memories", partitions), kinds={"chromadb"})
    def stored_memories(context: dg.AssetExecutionContext, memories: pd.DataFrame,
                        evolution_checkpoints: pd.DataFrame, chroma: ChromaResource,
                        data_root: DataRootResource) -> dg.MaterializeResult:
        """The day's public memories and public insights in the ChromaDB collection `stored_memories` (cosine
        space), with the seed's scoring metadata and `partition`; a rerun replaces the day's records."""
        stored, private_skipped, insights = day_memories(memories, evolution_checkpoints)
        batch = memory_batch(stored)
        return store_partition(context, collection=MEMORIES_COLLECTION, description=MEMORIES_DESCRIPTION,
                               embeddings_asset="memory_embeddings", layout=data_root.layout(), chroma=chroma,
                               batch=batch, extra_metadata={"private_skipped": private_skipped,
                                                            "public_insights": insights})

    return [memories, memory_embeddings, stored_memories]
