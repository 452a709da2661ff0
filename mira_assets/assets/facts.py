"""Facts: the day's validated facts, their embeddings, and the searchable `identified_facts` collection.

Facts are public: their table is plain Parquet.
"""


import dagster as dg
import pandas as pd

from mira_assets.assets.chroma_day import collection_check_specs, embed_partition, store_partition
from mira_assets.assets.landing_reader import landing_asset
from mira_assets.domain.collection_records import FACTS_COLLECTION, FACTS_DESCRIPTION, fact_batch
from mira_assets.domain.landing.frames import frame_records
from resources.chroma_resource import ChromaResource
from resources.data_root_resource import DataRootResource
from resources.embedder_resource import EmbedderResource

GROUP = "facts"


def build_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    facts = landing_asset("facts", partitions, group_name=GROUP,
                          description="The day's extracted facts from landing, validated.")

    @dg.asset(partitions_def=partitions, group_name=GROUP, kinds={"pytorch", "parquet"})
    def fact_embeddings(context: dg.AssetExecutionContext, facts: pd.DataFrame, embedder: EmbedderResource,
                        data_root: DataRootResource) -> dg.MaterializeResult:
        """all-MiniLM-L6-v2 vectors (384-d, normalized) of the day's facts, kept as Parquet."""
        records = frame_records("facts", facts)
        return embed_partition(context, asset="fact_embeddings", layout=data_root.layout(), embedder=embedder,
                               ids=[f["id"] for f in records], texts=[f["content"] for f in records])

    @dg.asset(partitions_def=partitions, group_name=GROUP, deps=[fact_embeddings], pool="chroma",
              check_specs=collection_check_specs("identified_facts", partitions), kinds={"chromadb"})
    def identified_facts(context: dg.AssetExecutionContext, facts: pd.DataFrame, chroma: ChromaResource,
                         data_root: DataRootResource) -> dg.MaterializeResult:
        """The day's facts in the ChromaDB collection `identified_facts` (cosine space) with source, confidence,
        timestamp, `tag_<name>` and `partition`; a rerun replaces the day's records."""
        batch = fact_batch(frame_records("facts", facts))
        return store_partition(context, collection=FACTS_COLLECTION, description=FACTS_DESCRIPTION,
                               embeddings_asset="fact_embeddings", layout=data_root.layout(), chroma=chroma,
                               batch=batch)

    return [facts, fact_embeddings, identified_facts]
