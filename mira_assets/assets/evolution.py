"""Evolution checkpoints: the seed's breakthrough rule (SPEC §5) applied to each of the day's states.

A breakthrough (flagged, or spark > 0.9) becomes one private `breakthrough_insight` record, sealed into the
vault day folder by `private_memories` (its one writer); every insight of any other state becomes a public
memory that `memory_embeddings` embeds and `stored_memories` stores beside the day's landing memories. The
routing table holds breakthrough insights, so it is sealed; metadata reports counts only.
"""

import dagster as dg
import pandas as pd

from mira_assets.domain import evolution as rule
from mira_assets.domain.landing.frames import frame_records

GROUP = "evolution"


def build_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(partitions_def=partitions, group_name=GROUP, io_manager_key="private_io_manager",
              kinds={"pandas", "parquet"})
    def evolution_checkpoints(context: dg.AssetExecutionContext, consciousness: pd.DataFrame) -> dg.Output:
        """Where each state's insights go: private breakthrough records (for `private_memories`) and public
        insight memories (for `memory_embeddings` and `stored_memories`). Sealed table: breakthrough insights
        are private."""
        routed = rule.evolution_checkpoints(frame_records("consciousness", consciousness))
        counts = routed.counts()
        metadata = {**counts, **routed.breakthrough_reasons()}
        context.log.info(f"evolution_checkpoints {context.partition_key}: {counts['states']} states, "
                         f"{counts['breakthroughs']} breakthroughs, {counts['public_insights']} public insights")
        return dg.Output(rule.checkpoints_frame(routed), metadata=metadata)

    return [evolution_checkpoints]
