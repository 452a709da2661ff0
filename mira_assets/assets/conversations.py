"""Conversations: the day's validated conversations and their encrypted backups in the vault."""


import json
import time

import dagster as dg
import pandas as pd

from mira_assets.assets.landing_reader import landing_asset, partition_day
from mira_assets.assets.vault_day import integrity_check_spec, vault_day_result
from mira_assets.domain.landing.frames import frame_records
from resources.data_root_resource import DataRootResource
from resources.vault_resource import VaultResource


def build_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    conversations = landing_asset(
        "conversations", partitions,
        group_name="conversations",
        description="The day's conversations from landing, validated (sealed table: holds conversation text).",
    )

    @dg.asset(
        partitions_def=partitions,
        group_name="conversations",
        check_specs=[integrity_check_spec("conversation_backups", partitions)],
        kinds={"vault"},
    )
    def conversation_backups(
        context: dg.AssetExecutionContext,
        conversations: pd.DataFrame,
        data_root: DataRootResource,
        vault: VaultResource,
    ) -> dg.MaterializeResult:
        """Each conversation of the day, triple-encrypted under `conversation_backups/<id[:8]>/`."""
        started = time.perf_counter()
        day = partition_day(context)
        records = frame_records("conversations", conversations)
        the_vault = vault.get_vault()
        refs = the_vault.put_conversation_backups(records, day)
        plaintext = sum(len(json.dumps(record, ensure_ascii=False).encode()) for record in records)
        messages = sum(len(record["messages"]) for record in records)
        return vault_day_result(
            asset="conversation_backups",
            vault=the_vault,
            layout=data_root.layout(),
            day=day,
            refs=refs,
            plaintext_bytes=plaintext,
            started=started,
            extra_metadata={"messages": messages},
        )

    return [conversations, conversation_backups]
