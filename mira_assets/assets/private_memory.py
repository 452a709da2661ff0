"""Private memory: the day's private thoughts, private memories, their HTM patterns and breakthrough insights,
only ever stored encrypted. `private_memories` is the one writer of a vault day folder: everything private of
a day goes through it."""


import json
import time

import dagster as dg
import pandas as pd

from mira_assets.assets.landing_reader import landing_asset, partition_day
from mira_assets.assets.vault_day import integrity_check_spec, vault_day_result
from mira_assets.domain.evolution import BREAKTHROUGH_KIND, frame_checkpoints
from mira_assets.domain.htm.patterns import HTM_PATTERN_KIND, htm_pattern_items
from mira_assets.domain.htm.step_tables import read_private_patterns
from mira_assets.domain.landing.frames import frame_records
from resources.data_root_resource import DataRootResource
from resources.vault.store import PrivateItem
from resources.vault_resource import VaultResource


def private_items(thoughts: list[dict], memories: list[dict]) -> list[PrivateItem]:
    """What goes to private storage: every thought, and every memory marked private.

    The plain metadata that lands in the retrieval index says what an item is and when,
    nothing about what it says; the landing metadata travels inside the encrypted payload.
    """
    items = [
        PrivateItem(kind="thought", timestamp=t["timestamp"], payload=t, metadata={"type": "private_thought"})
        for t in thoughts
    ]
    items += [
        PrivateItem(
            kind="memory",
            timestamp=m["timestamp"],
            payload=m,
            metadata={"type": "private_memory", "source": m["source"]},
        )
        for m in memories
        if m["is_private"]
    ]
    return items


def build_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    private_thoughts = landing_asset(
        "private_thoughts", partitions,
        group_name="private_memory",
        description="The day's private thoughts from landing, validated (sealed table: holds private text).",
    )

    @dg.asset(
        partitions_def=partitions,
        group_name="private_memory",
        check_specs=[integrity_check_spec("private_memories", partitions)],
        deps=["htm_state"],
        kinds={"vault"},
    )
    def private_memories(
        context: dg.AssetExecutionContext,
        private_thoughts: pd.DataFrame,
        memories: pd.DataFrame,
        evolution_checkpoints: pd.DataFrame,
        data_root: DataRootResource,
        vault: VaultResource,
    ) -> dg.MaterializeResult:
        """Private thoughts, private memories, their HTM patterns (kind `htm_pattern`, `parent_memory` = the
        memory's vault id) and breakthrough insights (one `breakthrough_insight` record per breakthrough state),
        triple-encrypted under `private_memory/YYYY/MM/DD/`."""
        started = time.perf_counter()
        day = partition_day(context)
        items = private_items(frame_records("private_thoughts", private_thoughts), frame_records("memories", memories))
        items += frame_checkpoints(evolution_checkpoints).breakthroughs
        the_vault = vault.get_vault()
        parents = {item.payload["memory_id"]: the_vault.memory_id(item) for item in items if item.kind == "memory"}
        items += htm_pattern_items(read_private_patterns(the_vault, data_root.layout().tables, context.partition_key),
                                   parents)
        refs = the_vault.put_private_memories(items, day)
        plaintext = sum(len(json.dumps(item.payload, ensure_ascii=False).encode()) for item in items)
        kinds = pd.Series([item.kind for item in items], dtype="object").value_counts().to_dict()
        return vault_day_result(
            asset="private_memories",
            vault=the_vault,
            layout=data_root.layout(),
            day=day,
            refs=refs,
            plaintext_bytes=plaintext,
            started=started,
            extra_metadata={"thoughts": int(kinds.get("thought", 0)), "private_memories": int(kinds.get("memory", 0)),
                            "htm_patterns": int(kinds.get(HTM_PATTERN_KIND, 0)),
                            "breakthroughs": int(kinds.get(BREAKTHROUGH_KIND, 0))},
        )

    return [private_thoughts, private_memories]
