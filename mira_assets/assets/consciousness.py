"""Consciousness: the day's validated states, their exact 1536-d vectors, and the `consciousness_states` collection.

The landing table is sealed: a breakthrough state's insights belong to private storage (SPEC §5), so they must
not sit in the clear between assets. The vectors table holds ids, the states' numeric fields and vectors, no
insights, so it is plain Parquet. Where the insights go is the evolution group's business (evolution.py).
"""

import time

import dagster as dg
import pandas as pd

from mira_assets.assets.chroma_day import collection_check_specs, replace_collection_partition
from mira_assets.assets.landing_reader import landing_asset
from mira_assets.domain.collection_records import distribution_markdown
from mira_assets.domain.consciousness.records import (STATES_COLLECTION, STATES_DESCRIPTION, STATES_DIMENSION,
                                                      STATES_MODEL, encoded_batch)
from mira_assets.domain.consciousness.vectors_table import encode_states, frame_encoded, vectors_frame
from mira_assets.domain.landing.frames import frame_records
from resources.chroma_resource import ChromaResource

GROUP = "consciousness"


def build_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    consciousness = landing_asset(
        "consciousness", partitions,
        group_name=GROUP,
        description="The day's consciousness states from landing, validated (sealed table: breakthrough insights "
                    "are private).",
    )

    @dg.asset(partitions_def=partitions, group_name=GROUP, kinds={"numpy", "parquet"})
    def consciousness_vectors(context: dg.AssetExecutionContext, consciousness: pd.DataFrame) -> dg.Output:
        """The day's states encoded by the seed's 1536-d encoder (SPEC §2, bit-identical in any process): state
        id, the state's numeric fields and its vector. No insights."""
        started = time.perf_counter()
        encoded = encode_states(frame_records("consciousness", consciousness))
        seconds = time.perf_counter() - started
        frame = vectors_frame(encoded)
        levels, sparks = [st.level for st in encoded.states], [st.spark_intensity for st in encoded.states]
        metadata = {
            **encoded.day_numbers(),  # states, duplicates, mean level and max spark: plotted across days
            "distribution": dg.MetadataValue.md(distribution_markdown({"level": levels, "spark": sparks})),
            "encoder": STATES_MODEL,
            "dimension": STATES_DIMENSION,
            "encode_s": round(seconds, 3),
            "states_per_s": round(len(encoded) / seconds, 1) if len(encoded) and seconds > 0 else 0.0,
        }
        context.log.info(f"consciousness_vectors {context.partition_key}: {len(encoded)} states encoded")
        return dg.Output(frame, metadata=metadata)

    @dg.asset(partitions_def=partitions, group_name=GROUP, pool="chroma",
              check_specs=collection_check_specs("consciousness_states", partitions, dimension=STATES_DIMENSION),
              kinds={"chromadb"})
    def consciousness_states(context: dg.AssetExecutionContext, consciousness_vectors: pd.DataFrame,
                             chroma: ChromaResource) -> dg.MaterializeResult:
        """The day's states in the ChromaDB collection `consciousness_states` (cosine space, 1536-d; the
        collection records the encoder and the dimension) with the seed's document and metadata plus
        `partition`; a rerun replaces the day's records."""
        encoded = frame_encoded(consciousness_vectors)  # re-derives every id from its row: a damaged table fails
        batch, vectors = encoded_batch(encoded)
        numbers = encoded.day_numbers()
        return replace_collection_partition(
            context, collection=STATES_COLLECTION, description=STATES_DESCRIPTION, chroma=chroma, batch=batch,
            vectors=vectors, model=STATES_MODEL, dimension=STATES_DIMENSION,
            extra_metadata={key: numbers[key] for key in ("mean_consciousness_level", "max_spark_intensity")})

    return [consciousness, consciousness_vectors, consciousness_states]
