"""Where daily tables between assets live: Parquet per asset and day, sealed when it holds secrets.

Tables of public data (facts, public memories' embeddings index) are plain Parquet that any tool
can read. Tables that carry conversation or private text are sealed with the vault envelope
before they touch the disk, so Dagster's storage never holds that text in the clear.
"""


from pathlib import Path

import dagster as dg
import pandas as pd

from resources.data_root_resource import DataRootResource
from resources.parquet import parquet_bytes, read_parquet_bytes
from resources.vault.atomic import atomic_write
from resources.vault.sealed_tables import SEALED_SUFFIX, seal_table, unseal_table
from resources.vault_resource import VaultResource


class ParquetTableIOManager(dg.ConfigurableIOManager):
    """Plain Parquet at `<data root>/tables/<asset>/<partition>.parquet`."""

    data_root: DataRootResource
    suffix: str = ".parquet"

    def _tables_root(self) -> Path:
        return self.data_root.layout().tables

    def _path(self, asset_key: dg.AssetKey, partition: str) -> Path:
        return self._tables_root().joinpath(*asset_key.path) / f"{partition}{self.suffix}"

    def _encode(self, path: Path, data: bytes) -> bytes:
        return data

    def _decode(self, path: Path, data: bytes) -> bytes:
        return data

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        if obj is None:
            return
        partition = context.partition_key if context.has_partition_key else "all"
        path = self._path(context.asset_key, partition)
        atomic_write(path, self._encode(path, parquet_bytes(obj)))
        context.add_output_metadata({"table_path": dg.MetadataValue.path(str(path)), "rows": len(obj)})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        asset_key = context.asset_key
        partitions = list(context.asset_partition_keys) if context.has_asset_partitions else ["all"]
        frames = []
        for partition in partitions:
            path = self._path(asset_key, partition)
            if not path.exists():
                raise FileNotFoundError(
                    f"table {asset_key.to_user_string()} for {partition} is missing at {path}: materialize it first"
                )
            frames.append(read_parquet_bytes(self._decode(path, path.read_bytes())).to_pandas())
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


class SealedParquetTableIOManager(ParquetTableIOManager):
    """Parquet sealed by the vault at `<data root>/tables/<asset>/<partition>.parquet.enc`."""

    suffix: str = SEALED_SUFFIX
    vault: VaultResource

    def _encode(self, path: Path, data: bytes) -> bytes:
        return seal_table(self.vault.get_vault(), self._tables_root(), path, data)

    def _decode(self, path: Path, data: bytes) -> bytes:
        return unseal_table(self.vault.get_vault(), self._tables_root(), path, data)
