"""Reader assets: one per landing stream, validating a day and quarantining what fails.

Every stream is read the same way, so one factory builds them: read the day's JSONL files,
keep the good records as a typed table, write the bad lines (sealed where the stream is
sensitive) to quarantine with line number and reason, and report the count in metadata and
as a WARN-level asset check.
"""


import time
from datetime import date

import dagster as dg
import pandas as pd

from mira_assets.assets.checks import partitioned_check_spec
from mira_assets.domain.landing.complete import read_marker
from mira_assets.domain.landing.contract import SENSITIVE_STREAMS
from mira_assets.domain.landing.frames import records_frame
from mira_assets.domain.landing.quarantine import write_quarantine
from mira_assets.domain.landing.reader import read_landing_day
from resources.data_root_resource import DataRootResource
from resources.vault_resource import VaultResource

QUARANTINE_CHECK = "quarantine_is_empty"


def partition_day(context: dg.AssetExecutionContext) -> date:
    return date.fromisoformat(context.partition_key)


def seal_for_quarantine(vault: VaultResource, stream: str, day: date):
    """Seals raw lines of a sensitive stream; the record id binds them to their stream and day."""
    the_vault = vault.get_vault()
    record_id = f"{stream}/{day.isoformat()}"
    return lambda raw: the_vault.seal(raw, kind="quarantine", record_id=record_id)


def landing_asset(stream: str, partitions: dg.PartitionsDefinition, *, group_name: str,
                  description: str) -> dg.AssetsDefinition:
    """The validated-table asset of one landing stream."""
    sensitive = stream in SENSITIVE_STREAMS

    @dg.asset(
        name=stream,
        partitions_def=partitions,
        group_name=group_name,
        description=description,
        io_manager_key="private_io_manager" if sensitive else "io_manager",
        check_specs=[
            partitioned_check_spec(
                QUARANTINE_CHECK, stream, partitions,
                description="Every landing line of the day passed validation (bad lines are in quarantine, with "
                            "their line number and reason). The demo data (`mira demo-data`) holds a few "
                            "malformed lines per stream and day on purpose: on the demo this check warns.",
            )
        ],
        kinds={"pandas", "parquet"},
    )
    def _reader(context: dg.AssetExecutionContext, data_root: DataRootResource, vault: VaultResource):
        started = time.perf_counter()
        day = partition_day(context)
        layout = data_root.layout()
        landing_day = read_landing_day(layout.landing, stream, day)
        seal = seal_for_quarantine(vault, stream, day) if sensitive else None
        quarantine_file = write_quarantine(layout.quarantine, landing_day, seal)
        frame: pd.DataFrame = records_frame(stream, landing_day.records)
        bad = len(landing_day.quarantined)
        reasons = pd.Series([q.reason.split(":")[0] for q in landing_day.quarantined], dtype="object")
        metadata = {
            "records": len(frame),
            "quarantined": bad,
            "lines_read": landing_day.lines_read,
            "files": len(landing_day.files),
            "duration_s": round(time.perf_counter() - started, 3),
        }
        if quarantine_file is not None:
            metadata["quarantine_file"] = dg.MetadataValue.path(str(quarantine_file))
        warning = None
        if bad:
            # Reasons name fields and problems, never values: safe to show.
            table = reasons.value_counts().rename_axis("reason").reset_index(name="lines")
            metadata["quarantine_reasons"] = dg.MetadataValue.md(table.to_markdown(index=False))
            warning = quarantine_warning(stream, day, bad, layout.landing)
            context.log.warning(f"{warning}; see {quarantine_file}")
        yield dg.Output(frame, metadata=metadata)
        yield dg.AssetCheckResult(
            check_name=QUARANTINE_CHECK,
            passed=bad == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"quarantined": bad},
            description=warning,
        )

    return _reader


def quarantine_warning(stream: str, day: date, bad: int, landing_root) -> str:
    """What the UI and the log say about a day's quarantined lines; on demo data, that they are on purpose."""
    marker = read_marker(landing_root, day)
    text = f"{bad} line(s) of {stream} {day} are in quarantine"
    return f"{text} ({marker.note})" if marker is not None and marker.is_demo and marker.note else text
