"""Each stream's day as a typed table (pandas), and back: the tables the reader assets hand downstream.

Nested fields become JSON text columns of the same name. Framework-free; pandas is imported when a
frame is built, so `mira demo-data` starts without it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

from mira_assets.domain.landing.contract import check_stream

if TYPE_CHECKING:
    import pandas as pd


# Frame layout: column -> kind ("float" | "int" | "bool" | "str" | "json"), in record order.
_SCHEMAS: dict[str, dict[str, str]] = {
    "conversations": {"conversation_id": "str", "messages": "json", "context": "json", "timestamp": "float"},
    "private_thoughts": {"thought": "str", "timestamp": "float", "metadata": "json"},
    "memories": {
        "memory_id": "str", "content": "str", "timestamp": "float",
        "significance": "float", "relevance": "float", "emotional_impact": "float",
        "technical_value": "float", "user_rating": "float", "confidence": "float",
        "source": "str", "access_count": "int", "tags": "json", "spark_intensity": "float",
        "is_private": "bool",
    },
    "facts": {
        "id": "str", "content": "str", "source": "str", "confidence": "float",
        "timestamp": "float", "tags": "json",
    },
    "consciousness": {
        "level": "float", "emotional_resonance": "float", "spark_intensity": "float",
        "memory_coherence": "float", "evolution_stage": "str", "quantum_state": "json",
        "timestamp": "float", "insights": "json", "is_breakthrough": "bool",
    },
}
_DTYPES = {"float": "float64", "int": "int64", "bool": "bool", "str": "str", "json": "str"}

#: Column names of ``records_frame(stream, ...)``, per stream, in order.
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {s: tuple(cols) for s, cols in _SCHEMAS.items()}
#: Columns holding JSON text (nested values) per stream.
JSON_COLUMNS: dict[str, tuple[str, ...]] = {
    s: tuple(c for c, k in cols.items() if k == "json") for s, cols in _SCHEMAS.items()
}


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def records_frame(stream: str, records: list[dict]) -> pd.DataFrame:
    """Typed table of normalized records; nested fields become JSON text columns of the same name."""
    import pandas as pd

    check_stream(stream)
    schema = _SCHEMAS[stream]
    columns: dict[str, pd.Series] = {}
    for name, kind in schema.items():
        values = [r[name] for r in records]
        if kind == "json":
            values = [_json_text(v) for v in values]
        columns[name] = pd.Series(values, dtype=_DTYPES[kind])
    return pd.DataFrame(columns, columns=list(schema))


def frame_records(stream: str, df: pd.DataFrame) -> list[dict]:
    """Inverse of :func:`records_frame`: plain Python record dicts (JSON columns decoded)."""
    check_stream(stream)
    schema = _SCHEMAS[stream]
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise ValueError(f"{stream} frame lacks columns: {', '.join(missing)}")
    convert: dict[str, Callable[[Any], Any]] = {
        "float": float, "int": int, "bool": bool, "str": str, "json": json.loads,
    }
    cols = {name: [convert[kind](v) for v in df[name].tolist()] for name, kind in schema.items()}
    return [{name: cols[name][i] for name in schema} for i in range(len(df))]

