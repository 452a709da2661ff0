"""Reading a landing day, quarantining bad lines (sealed for sensitive streams), and typed frames."""

from __future__ import annotations

import base64
import json
import os
from datetime import date

import pandas as pd
import pytest

from mira_assets.domain.landing import contract as L

SECRET = "pineapple-moon-🦄-秘密"


def test_bad_lines_are_quarantined_with_line_numbers_and_the_rest_continue(kit, landing_root):
    lines = [
        kit.good("private_thoughts", thought="first " + SECRET),
        "",  # blank lines are skipped but still counted for line numbers
        "{not json " + SECRET,
        kit.good("private_thoughts", thought="second"),
        kit.good("private_thoughts", thought=SECRET, timestamp="whenever"),
        "   ",
        kit.good("private_thoughts", thought="third"),
    ]
    kit.write_lines(landing_root, "private_thoughts", lines)
    day = L.read_landing_day(landing_root, "private_thoughts", kit.DAY)
    assert [r["thought"] for r in day.records] == ["first " + SECRET, "second", "third"]
    assert [(q.line_number, q.reason.split(":")[0]) for q in day.quarantined] == [(3, "line"), (5, "timestamp")]
    assert all(q.source_file == "private_thoughts/2026-11-01/part-000.jsonl" for q in day.quarantined)
    assert day.lines_read == 5 == len(day.records) + len(day.quarantined)
    assert day.files == ["private_thoughts/2026-11-01/part-000.jsonl"]
    assert SECRET not in repr(day.quarantined[0])  # raw is kept out of repr


def test_files_read_in_sorted_order_non_jsonl_and_hidden_ignored(kit, landing_root):
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="b")], name="part-010.jsonl")
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="a")], name="part-002.jsonl")
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="z")], name="notes.txt")
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="y")], name=".part-003.jsonl.tmp")
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="c")], name="other-day.jsonl", day=date(2026, 11, 2))
    day = L.read_landing_day(landing_root, "facts", "2026-11-01")
    assert [r["id"] for r in day.records] == ["a", "b"]
    assert day.files == ["facts/2026-11-01/part-002.jsonl", "facts/2026-11-01/part-010.jsonl"]


def test_crlf_and_bom_are_tolerated(kit, landing_root):
    folder = L.landing_day_path(landing_root, "facts", kit.DAY)
    folder.mkdir(parents=True)
    a, b = (json.dumps(kit.good("facts", id=i)).encode() for i in ("a", "b"))
    (folder / "part-000.jsonl").write_bytes(b"\xef\xbb\xbf" + a + b"\r\n" + b + b"\r\n")
    assert [r["id"] for r in L.read_landing_day(landing_root, "facts", kit.DAY).records] == ["a", "b"]


def test_missing_day_is_an_empty_day(landing_root, tmp_path):
    day = L.read_landing_day(landing_root, "memories", date(2026, 1, 1))
    assert (day.records, day.quarantined, day.files, day.lines_read) == ([], [], [], 0)
    assert L.write_quarantine(tmp_path / "q", day, seal=lambda b: b) is None
    assert not (tmp_path / "q").exists()


def test_layout_helpers(tmp_path):
    assert L.landing_day_path(tmp_path, "memories", date(2026, 11, 1)) == tmp_path / "memories" / "2026-11-01"
    assert L.quarantine_path(tmp_path, "facts", "2026-11-01") == tmp_path / "facts" / "2026-11-01.jsonl"


def _day_with_bad_lines(kit, landing_root, stream):
    kit.write_lines(landing_root, stream, [
        kit.good(stream),
        "{broken " + SECRET,
        b"\xff\xfe not utf-8 " + SECRET.encode(),
        kit.good(stream),  # a duplicate id for streams with ids, else just another good line
    ])
    return L.read_landing_day(landing_root, stream, kit.DAY)


@pytest.mark.parametrize("stream", sorted(L.SENSITIVE_STREAMS))
def test_sensitive_quarantine_is_sealed_never_plaintext(kit, landing_root, tmp_path, stream):
    day = _day_with_bad_lines(kit, landing_root, stream)
    assert len(day.quarantined) >= 2
    qroot = tmp_path / "quarantine"
    path = L.write_quarantine(qroot, day, seal=kit.seal)
    assert path == qroot / stream / "2026-11-01.jsonl"
    data = path.read_bytes()
    for needle in (SECRET, "pineapple", "broken", "not utf-8", "hello there", "quiet secret", "memory leak"):
        assert needle.encode() not in data
    entries = [json.loads(x) for x in data.decode().splitlines()]
    assert [e["line_number"] for e in entries] == [q.line_number for q in day.quarantined]
    for entry, q in zip(entries, day.quarantined):
        assert set(entry) == {"source_file", "line_number", "reason", "raw_sealed"}
        assert entry["source_file"] == q.source_file and entry["reason"] == q.reason
        assert kit.unseal(base64.b64decode(entry["raw_sealed"])) == q.raw.encode("utf-8", "surrogateescape")
    back = L.read_quarantine(path, unseal=kit.unseal)
    assert back[0]["raw"] == "{broken " + SECRET
    assert back[1]["raw"].encode("utf-8", "surrogateescape").startswith(b"\xff\xfe not utf-8")


@pytest.mark.parametrize("stream", sorted(L.SENSITIVE_STREAMS))
def test_sensitive_quarantine_without_seal_is_refused(kit, landing_root, tmp_path, stream):
    day = _day_with_bad_lines(kit, landing_root, stream)
    with pytest.raises(ValueError, match="seal"):
        L.write_quarantine(tmp_path / "q", day, seal=None)
    assert not (tmp_path / "q").exists()


@pytest.mark.parametrize("stream", sorted(set(L.STREAMS) - L.SENSITIVE_STREAMS))
def test_public_quarantine_keeps_raw_text(kit, landing_root, tmp_path, stream):
    day = _day_with_bad_lines(kit, landing_root, stream)
    path = L.write_quarantine(tmp_path / "q", day, seal=None)
    entries = L.read_quarantine(path)
    assert entries[0]["raw"] == "{broken " + SECRET
    assert "raw_b64" in json.loads(path.read_text().splitlines()[1])  # non-UTF-8 bytes kept exactly
    assert entries[1]["raw"].encode("utf-8", "surrogateescape") == b"\xff\xfe not utf-8 " + SECRET.encode()


def test_quarantine_rewrite_is_idempotent_atomic_and_removed_when_clean(kit, landing_root, tmp_path):
    day = _day_with_bad_lines(kit, landing_root, "memories")
    qroot = tmp_path / "q"
    path = L.write_quarantine(qroot, day, seal=kit.seal)
    first = path.read_bytes()
    mtime = os.stat(path).st_mtime_ns
    again = L.read_landing_day(landing_root, "memories", kit.DAY)
    assert L.write_quarantine(qroot, again, seal=kit.seal) == path
    assert path.read_bytes() == first
    assert os.stat(path).st_mtime_ns == mtime  # identical content: not rewritten
    assert sorted(p.name for p in path.parent.iterdir()) == ["2026-11-01.jsonl"]  # no temp files left
    # the runtime fixes its landing file: the next run removes the quarantine file
    kit.write_lines(landing_root, "memories", [kit.good("memories")])
    fixed = L.read_landing_day(landing_root, "memories", kit.DAY)
    assert L.write_quarantine(qroot, fixed, seal=kit.seal) is None
    assert not path.exists()


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
