"""HTM: the hierarchy's state, carried from day to day in the vault, and the searchable `htm_patterns`.

`htm_state` for day d continues day d−1's state (a self-dependent partitioned asset): it feeds the day's
memories in order of timestamp then id, public ones from `memory_embeddings`, private ones embedded in
memory only, and saves the new state sealed at `lightning_vidmem/htm_state/YYYY-MM/<day>.enc`. It keeps
each memory's result for the assets below it: public results as plain Parquet (ids and numbers), private
patterns sealed (domain/htm/step_tables.py). `htm_patterns` puts the public ones in ChromaDB;
`private_memories` seals the private ones into the vault (the one writer of a vault day folder).
"""

import time
from datetime import date

import dagster as dg
import pandas as pd

from mira_assets.assets.chroma_day import collection_check_specs, load_vectors, replace_collection_partition
from mira_assets.assets.landing_reader import partition_day
from mira_assets.domain.collection_records import public_memories
from mira_assets.domain.htm import HTMDeviceError, HTMState, resolve_device
from mira_assets.domain.htm.days import HTMDayOrderError, later_days, state_to_continue
from mira_assets.domain.htm.memory_day import learn_memories, surprise_by_hour_markdown
from mira_assets.domain.htm.patterns import HTM_COLLECTION, HTM_DESCRIPTION, HTM_DIMENSION, HTM_MODEL, pattern_batch
from mira_assets.domain.htm.step_tables import (public_steps_path, read_public_steps, write_private_patterns,
                                                write_public_steps)
from mira_assets.domain.landing.frames import frame_records
from mira_assets.domain.landing.reader import stream_days
from resources.chroma_resource import ChromaResource
from resources.data_root_resource import DataRootResource
from resources.embedder_resource import EmbedderResource
from resources.htm_resource import HTMResource
from resources.vault.htm_states import HTMStateFiles, state_rel
from resources.vault_resource import VaultResource

GROUP = "htm"
PREVIOUS_DAY = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)


def _level_metadata(state: HTMState) -> dict[str, int]:
    out: dict[str, int] = {}
    for stats in state.statistics():
        level = stats["level"]
        out[f"segments_l{level}"] = int(stats["segments"])
        out[f"synapses_l{level}"] = int(stats["synapses"])
    return out


def build_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        partitions_def=partitions,
        group_name=GROUP,
        deps=["memory_embeddings", dg.AssetDep("htm_state", partition_mapping=PREVIOUS_DAY)],
        kinds={"numpy", "vault"},
    )
    def htm_state(context: dg.AssetExecutionContext, memories: pd.DataFrame, data_root: DataRootResource,
                  vault: VaultResource, embedder: EmbedderResource, htm: HTMResource) -> dg.MaterializeResult:
        """The HTM hierarchy after the day's memories (public and private, by timestamp then id), continuing the
        previous day's state; sealed in the vault. Fresh only on the first day that has memories."""
        started = time.perf_counter()
        day = partition_day(context)
        layout = data_root.layout()
        try:
            device = resolve_device(htm.device)
        except HTMDeviceError as exc:
            raise dg.Failure(description=str(exc)) from None
        files = HTMStateFiles(vault.get_vault())
        saved = files.days()
        try:
            # Days with memories since the first partition: the first of them is where HTM starts fresh.
            first = date.fromisoformat(partitions.get_first_partition_key())
            with_memories = [d for d in stream_days(layout.landing, "memories") if d >= first]
            previous = state_to_continue(saved, day, with_memories)
        except HTMDayOrderError as exc:
            raise dg.Failure(description=str(exc)) from None
        loaded = files.read(previous) if previous is not None else None
        state = (HTMState.from_bytes(loaded, device=device) if loaded is not None
                 else HTMState.fresh(htm.seed, device=device))
        steps_before = state.steps
        loaded_at = time.perf_counter()

        records = frame_records("memories", memories)
        run = learn_memories(
            state, records,
            public_vectors=lambda ids: load_vectors(layout, "memory_embeddings", context.partition_key, ids),
            private_vectors=lambda contents: embedder.get_embedder().encode(contents))
        # A day without memories carries the state forward as it was loaded, byte for byte.
        data = state.to_bytes() if run.results or loaded is None else loaded
        saved_at = time.perf_counter()
        changed = files.write(day, data)
        write_public_steps(layout.tables, context.partition_key, run.public)
        write_private_patterns(files.vault, layout.tables, context.partition_key, run.private)
        finished = time.perf_counter()

        later = later_days(saved, day)
        if changed and later:
            context.log.warning(f"htm_state {day} changed; the states of {len(later)} later day(s) ({later[0]} to "
                                f"{later[-1]}) were built on its earlier version: rematerialize them in order")
        summary = run.summary()
        steps = len(run.results)
        metadata = {
            "steps": steps,
            "public_memories": len(run.public.memory_ids),
            "private_memories": len(run.private),
            "state_steps_total": state.steps,
            "fresh_state": loaded is None,
            "continues": previous.isoformat() if previous else "-",
            **{k: float(v) for k, v in summary.items() if k.startswith("surprise_") or k == "likelihood_max"},
            **_level_metadata(state),
            "state_bytes": len(data),
            "sealed_bytes": files.path(day).stat().st_size,
            "state_file_changed": changed,
            "ms_per_step": round((run.seconds["run_s"] / steps) * 1e3, 3) if steps else 0.0,
            "load_s": round(loaded_at - started, 3),
            "private_embed_s": round(run.seconds["private_embed_s"], 3),
            "run_s": round(run.seconds["run_s"], 3),
            "save_s": round(finished - saved_at, 3),
            "device": device,
            "state_path": dg.MetadataValue.path(str(files.path(day))),
            "surprise_by_hour": dg.MetadataValue.md(surprise_by_hour_markdown(run)),
        }
        context.log.info(f"htm_state {day}: {steps} steps from step {steps_before} "
                         f"({'fresh' if loaded is None else f'continuing {previous}'}), {state_rel(day)}")
        return dg.MaterializeResult(metadata=metadata)

    @dg.asset(partitions_def=partitions, group_name=GROUP, deps=[htm_state], pool="chroma",
              check_specs=collection_check_specs(HTM_COLLECTION, partitions, dimension=HTM_DIMENSION),
              kinds={"chromadb"})
    def htm_patterns(context: dg.AssetExecutionContext, memories: pd.DataFrame, chroma: ChromaResource,
                     data_root: DataRootResource) -> dg.MaterializeResult:
        """The day's public memories' HTM patterns in the ChromaDB collection `htm_patterns` (cosine, 32-d): the
        final representation as the vector, the seed's factors from the surprise as metadata; a rerun replaces the
        day's records. Private memories never get here."""
        layout = data_root.layout()
        steps = read_public_steps(layout.tables, context.partition_key)
        contents = {m["memory_id"]: m["content"] for m in public_memories(frame_records("memories", memories))}
        batch, vectors = pattern_batch(steps, contents)
        return replace_collection_partition(
            context, collection=HTM_COLLECTION, description=HTM_DESCRIPTION, chroma=chroma, batch=batch,
            vectors=vectors, model=HTM_MODEL, dimension=HTM_DIMENSION,
            extra_metadata={"results_table": dg.MetadataValue.path(str(public_steps_path(layout.tables,
                                                                                      context.partition_key)))})

    return [htm_state, htm_patterns]
