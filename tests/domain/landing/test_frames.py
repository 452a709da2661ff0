"""Each stream's day as a typed table and back."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mira_assets.domain import landing as L


def test_records_frame_types_and_round_trip_for_every_stream(kit, landing_root):
    for stream in L.STREAMS:
        kit.write_lines(landing_root, stream, [
            kit.good(stream),
            kit.good(stream, **{L.ID_FIELDS[stream]: "second"}) if stream in L.ID_FIELDS else kit.good(stream),
        ])
        records = L.read_landing_day(landing_root, stream, kit.DAY).records
        df = L.records_frame(stream, records)
        assert tuple(df.columns) == L.FRAME_COLUMNS[stream]
        assert len(df) == 2
        assert L.frame_records(stream, df) == records
        for col in L.JSON_COLUMNS[stream]:
            assert isinstance(df[col].iloc[0], str)
            json.loads(df[col].iloc[0])


def test_memories_frame_dtypes_and_parquet_round_trip(kit, landing_root, tmp_path):
    rec = kit.good("memories", tags={"joy": True, "breakthrough": False}, access_count=3, is_private=True,
                   content="co-creation with émojis 🎉 and 漢字")
    kit.write_lines(landing_root, "memories", [rec])
    records = L.read_landing_day(landing_root, "memories", kit.DAY).records
    df = L.records_frame("memories", records)
    kinds = {c: str(t) for c, t in df.dtypes.items()}
    assert kinds["significance"] == "float64" and kinds["timestamp"] == "float64"
    assert kinds["access_count"] == "int64" and kinds["is_private"] == "bool"
    assert kinds["memory_id"] == "str" and kinds["tags"] == "str"
    assert json.loads(df["tags"].iloc[0]) == {"joy": True, "breakthrough": False}
    df.to_parquet(tmp_path / "m.parquet")
    back = pd.read_parquet(tmp_path / "m.parquet")
    assert L.frame_records("memories", back) == records


@pytest.mark.parametrize("stream", list(L.STREAMS))
def test_empty_day_gives_empty_typed_frame(kit, landing_root, stream):
    kit.write_lines(landing_root, stream, [kit.good(stream)])
    one = L.records_frame(stream, L.read_landing_day(landing_root, stream, kit.DAY).records)
    empty = L.records_frame(stream, [])
    assert tuple(empty.columns) == L.FRAME_COLUMNS[stream] and len(empty) == 0
    assert dict(empty.dtypes) == dict(one.dtypes)  # same dtypes as a non-empty day
    assert all(str(empty[c].dtype) == "str" for c in L.JSON_COLUMNS[stream])
    assert L.frame_records(stream, empty) == []


def test_consciousness_frame_column_dtypes():
    df = L.records_frame("consciousness", [])
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "level": "float64", "emotional_resonance": "float64", "spark_intensity": "float64",
        "memory_coherence": "float64", "evolution_stage": "str", "quantum_state": "str",
        "timestamp": "float64", "insights": "str", "is_breakthrough": "bool",
    }


def test_frame_records_names_missing_columns():
    with pytest.raises(ValueError, match="lacks columns: tags"):
        L.frame_records("facts", L.records_frame("facts", []).drop(columns=["tags"]))
