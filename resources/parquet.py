"""Parquet bytes: the one way the project turns a table into the content of a Parquet file.

zstd-compressed, no pandas index, nothing time-dependent in the file, so the same table always gives the
same bytes and a rerun that writes them through the atomic writer changes nothing. Framework-free.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Optional

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    import pandas as pd


def parquet_bytes(table: "pa.Table | pd.DataFrame", schema: Optional[pa.Schema] = None) -> bytes:
    """The Parquet file of ``table`` (an Arrow table, or a DataFrame converted with ``schema`` when given)."""
    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(table, schema=schema, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def read_parquet_bytes(data: bytes, schema: Optional[pa.Schema] = None) -> pa.Table:
    return pq.read_table(io.BytesIO(data), schema=schema)
