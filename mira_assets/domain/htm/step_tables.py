"""A day's HTM step results, kept between assets: public memories' as plain Parquet, private ones' sealed.

`htm_state` writes, per day, beside its state in the vault:

    tables/htm_state/<day>.parquet              one row per public memory, in feed order: memory_id, timestamp,
                                                step, surprise_level, surprise_l1..l3, likelihood and the 32-d
                                                final representation. Ids and numbers, never content.
    tables/htm_state/<day>.private.parquet.enc  one row per private memory: the same numbers and its pattern
                                                (active and predicted columns per level, the abstraction),
                                                sealed by the vault as a `table` record like every sealed table
                                                (so `mira vault verify` and `rotate` cover it).

`htm_patterns` reads the first, `private_memories` the second: neither reruns the day's HTM (which needs
the previous day's state and minutes of CPU). Framework-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pyarrow as pa

from mira_assets.domain.htm.hierarchy import StepResult
from resources.parquet import parquet_bytes, read_parquet_bytes
from resources.vault.atomic import atomic_write
from resources.vault.sealed_tables import SEALED_SUFFIX, seal_table, unseal_table
from resources.vault.store import Vault

TABLE_DIR = "htm_state"


def public_steps_path(tables_root: Path, day: str) -> Path:
    return Path(tables_root) / TABLE_DIR / f"{day}.parquet"


def private_patterns_path(tables_root: Path, day: str) -> Path:
    return Path(tables_root) / TABLE_DIR / f"{day}.private{SEALED_SUFFIX}"


@dataclass
class PublicSteps:
    """The HTM's reading of a day's public memories, row k for `memory_ids[k]`."""

    memory_ids: list[str]
    timestamps: np.ndarray        # float64 (n,), epoch seconds
    steps: np.ndarray             # int64 (n,), the state's step counter at each memory
    surprise: np.ndarray          # float64 (n,), surprise_level
    surprise_per_level: np.ndarray  # float64 (n, levels)
    likelihood: np.ndarray        # float64 (n,)
    representations: np.ndarray   # float32 (n, dimension)

    @classmethod
    def of(cls, memories: Sequence[dict], results: Sequence[StepResult], levels: int, dimension: int) -> "PublicSteps":
        """From the public memories and their step results (same order)."""
        if len(memories) != len(results):
            raise ValueError(f"{len(memories)} public memories but {len(results)} step results")
        return cls(
            memory_ids=[str(m["memory_id"]) for m in memories],
            timestamps=np.asarray([float(m["timestamp"]) for m in memories], dtype=np.float64),
            steps=np.asarray([r.step for r in results], dtype=np.int64),
            surprise=np.asarray([r.surprise_level for r in results], dtype=np.float64),
            surprise_per_level=np.asarray([r.surprise_per_level for r in results],
                                          dtype=np.float64).reshape(len(results), levels),
            likelihood=np.asarray([r.likelihood for r in results], dtype=np.float64),
            representations=np.asarray([r.final_representation for r in results],
                                       dtype=np.float32).reshape(len(results), dimension),
        )

    def to_arrow(self) -> pa.Table:
        n, dim = self.representations.shape
        columns = {
            "memory_id": pa.array(self.memory_ids, pa.string()),
            "timestamp": pa.array(self.timestamps, pa.float64()),
            "step": pa.array(self.steps, pa.int64()),
            "surprise_level": pa.array(self.surprise, pa.float64()),
        }
        for level in range(self.surprise_per_level.shape[1]):
            columns[f"surprise_l{level + 1}"] = pa.array(self.surprise_per_level[:, level], pa.float64())
        columns["likelihood"] = pa.array(self.likelihood, pa.float64())
        flat = pa.array(np.ascontiguousarray(self.representations).reshape(-1), pa.float32())
        columns["representation"] = pa.FixedSizeListArray.from_arrays(flat, dim)
        table = pa.table(columns)
        return table.replace_schema_metadata({"dimension": str(dim), "levels": str(self.surprise_per_level.shape[1])})

    @classmethod
    def from_arrow(cls, table: pa.Table) -> "PublicSteps":
        meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
        dim, levels = int(meta["dimension"]), int(meta["levels"])
        n = table.num_rows
        flat = table.column("representation").combine_chunks().flatten().to_numpy(zero_copy_only=False)
        per_level = [table.column(f"surprise_l{k + 1}").to_numpy() for k in range(levels)]
        return cls(
            memory_ids=table.column("memory_id").to_pylist(),
            timestamps=table.column("timestamp").to_numpy().astype(np.float64),
            steps=table.column("step").to_numpy().astype(np.int64),
            surprise=table.column("surprise_level").to_numpy().astype(np.float64),
            surprise_per_level=np.stack(per_level, axis=1).astype(np.float64) if levels else np.zeros((n, 0)),
            likelihood=table.column("likelihood").to_numpy().astype(np.float64),
            representations=np.asarray(flat, dtype=np.float32).reshape(n, dim),
        )


def write_public_steps(tables_root: Path, day: str, steps: PublicSteps) -> bool:
    """Atomically (re)write the day's public table; False when the identical file was already there."""
    return atomic_write(public_steps_path(tables_root, day), parquet_bytes(steps.to_arrow()))


def read_public_steps(tables_root: Path, day: str) -> PublicSteps:
    path = public_steps_path(tables_root, day)
    if not path.exists():
        raise FileNotFoundError(f"HTM results of {day} are missing at {path}: materialize htm_state for {day} first")
    return PublicSteps.from_arrow(read_parquet_bytes(path.read_bytes()))


_PRIVATE_SCHEMA = pa.schema([
    ("memory_id", pa.string()), ("timestamp", pa.float64()), ("step", pa.int64()),
    ("surprise_level", pa.float64()), ("surprise_per_level", pa.list_(pa.float64())),
    ("likelihood", pa.float64()), ("abstraction", pa.list_(pa.float32())),
    ("active_columns", pa.list_(pa.list_(pa.int32()))), ("predicted_columns", pa.list_(pa.list_(pa.int32()))),
])


def private_patterns(memories: Sequence[dict], results: Sequence[StepResult]) -> list[dict]:
    """One pattern per private memory (same order): its id, time and the step's record (StepResult.to_record)."""
    if len(memories) != len(results):
        raise ValueError(f"{len(memories)} private memories but {len(results)} step results")
    out = []
    for memory, result in zip(memories, results):
        record = result.to_record()
        out.append({"memory_id": str(memory["memory_id"]), "timestamp": float(memory["timestamp"]),
                    **{name: record[name] for name in _PRIVATE_SCHEMA.names if name in record}})
    return out


def write_private_patterns(vault: Vault, tables_root: Path, day: str, patterns: Sequence[dict]) -> bool:
    """Seal and atomically (re)write the day's private patterns; False when the identical file was there."""
    path = private_patterns_path(tables_root, day)
    table = pa.Table.from_pylist(list(patterns), schema=_PRIVATE_SCHEMA)
    return atomic_write(path, seal_table(vault, Path(tables_root), path, parquet_bytes(table)))


def read_private_patterns(vault: Vault, tables_root: Path, day: str) -> list[dict]:
    path = private_patterns_path(tables_root, day)
    if not path.exists():
        raise FileNotFoundError(f"HTM patterns of {day}'s private memories are missing at {path}: "
                                f"materialize htm_state for {day} first")
    plain = unseal_table(vault, Path(tables_root), path, path.read_bytes())
    return read_parquet_bytes(plain).to_pylist()
