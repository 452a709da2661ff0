"""Each stream's validation: good records normalize with defaults, each bad field gets a named reason."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from mira_assets.domain import landing as L

SECRET = "SECRET-VALUE-🦄"
EPOCH = datetime(2026, 11, 1, 10, tzinfo=timezone.utc).timestamp()


def run_one(kit, landing_root, stream, record_or_line):
    kit.write_lines(landing_root, stream, [record_or_line])
    day = L.read_landing_day(landing_root, stream, kit.DAY)
    assert day.lines_read == 1
    return day


def reason_for(kit, landing_root, stream, **overrides):
    day = run_one(kit, landing_root, stream, kit.good(stream, **overrides))
    assert not day.records, "expected the record to be quarantined"
    (q,) = day.quarantined
    return q.reason


def test_minimal_records_normalize_with_defaults(kit, landing_root):
    for stream in L.STREAMS:
        kit.write_lines(landing_root, stream, [kit.good(stream)])
    mem = L.read_landing_day(landing_root, "memories", kit.DAY).records[0]
    assert mem == {
        "memory_id": "mem-1", "content": "debugging a memory leak", "timestamp": EPOCH,
        "significance": 0.5, "relevance": 0.5, "emotional_impact": 0.5, "technical_value": 0.5,
        "user_rating": 0.5, "confidence": 1.0, "source": "automated", "access_count": 0, "tags": {},
        "spark_intensity": 0.0, "is_private": False,
    }
    conv = L.read_landing_day(landing_root, "conversations", kit.DAY).records[0]
    assert conv["timestamp"] == EPOCH + 5  # the last message's
    assert [m["role"] for m in conv["messages"]] == ["user", "assistant"]
    assert all(isinstance(m["timestamp"], float) for m in conv["messages"])
    cons = L.read_landing_day(landing_root, "consciousness", kit.DAY).records[0]
    assert cons["quantum_state"] == {"phase": 0.0, "coherence": 0.5, "entanglement": 0.3, "superposition": 0.2}
    assert cons["insights"] == [] and cons["is_breakthrough"] is False
    fact = L.read_landing_day(landing_root, "facts", kit.DAY).records[0]
    assert fact["tags"] == ["physics"] and fact["confidence"] == 0.9
    thought = L.read_landing_day(landing_root, "private_thoughts", kit.DAY).records[0]
    assert thought["timestamp"] == EPOCH and thought["metadata"] == {"kind": "reflection"}


@pytest.mark.parametrize("value, expected", [
    ("2026-11-01T10:00:00Z", EPOCH),
    ("2026-11-01T12:00:00+02:00", EPOCH),
    ("2026-11-01T10:00:00", EPOCH),  # naive = UTC
    ("2026-11-01T10:00:00.250Z", EPOCH + 0.25),
    (EPOCH, EPOCH),
    (int(EPOCH), EPOCH),
])
def test_timestamps_normalize_to_epoch_utc(value, expected):
    assert L.parse_timestamp(value) == pytest.approx(expected)
    assert isinstance(L.parse_timestamp(value), float)


@pytest.mark.parametrize("value", ["yesterday", "1793527200", True, [1], {"t": 1}, ""])
def test_bad_timestamps_rejected(value):
    with pytest.raises(ValueError):
        L.parse_timestamp(value)


CASES = [
    # (stream, overrides, expected reason fragment)
    ("memories", {"memory_id": "DROP"}, "memory_id: missing"),
    ("memories", {"memory_id": "../etc/" + SECRET}, "memory_id: contains a path separator"),
    ("memories", {"memory_id": "a\\b" + SECRET}, "memory_id: contains a path separator"),
    ("memories", {"memory_id": ".." + SECRET}, "memory_id: contains '..'"),
    ("memories", {"memory_id": "ab\x07" + SECRET}, "memory_id: contains a control character"),
    ("memories", {"memory_id": "x" * 201}, "memory_id: longer than 200"),
    ("memories", {"memory_id": 12}, "memory_id: must be a string"),
    ("memories", {"content": "DROP"}, "content: missing"),
    ("memories", {"content": "   "}, "content: empty"),
    ("memories", {"significance": 1.5}, "significance: out of range [0, 1]"),
    ("memories", {"relevance": -0.1}, "relevance: out of range [0, 1]"),
    ("memories", {"emotional_impact": "high"}, "emotional_impact: must be a number, got string"),
    ("memories", {"technical_value": True}, "technical_value: must be a number, got boolean"),
    ("memories", {"confidence": 2}, "confidence: out of range [0, 1]"),
    ("memories", {"user_rating": [0.5]}, "user_rating: must be a number, got array"),
    ("memories", {"spark_intensity": 1.2}, "spark_intensity: out of range [0, 1]"),
    ("memories", {"access_count": -1}, "access_count: must be >= 0"),
    ("memories", {"access_count": 1.5}, "access_count: must be an integer"),
    ("memories", {"access_count": True}, "access_count: must be an integer, got boolean"),
    ("memories", {"access_count": 2**64}, "access_count: too large"),
    ("memories", {"significance": 10**400}, "significance: not a finite number"),
    ("memories", {"timestamp": 10**400}, "timestamp: out of range (1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z)"),
    ("memories", {"timestamp": 1e200}, "timestamp: out of range (1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z)"),
    ("memories", {"timestamp": -0.5}, "timestamp: out of range (1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z)"),
    ("memories", {"timestamp": "1969-12-31T23:59:59Z"}, "timestamp: out of range"),
    ("memories", {"timestamp": "9999-12-31T23:59:59-01:00"}, "timestamp: out of range"),
    ("memories", {"tags": ["joy"]}, "tags: must be an object, got array"),
    ("memories", {"tags": {"joy": "yes"}}, "tags: values must be booleans"),
    ("memories", {"is_private": 1}, "is_private: must be a boolean, got number"),
    ("memories", {"source": 3}, "source: must be a string"),
    ("memories", {"timestamp": "DROP"}, "timestamp: missing"),
    ("memories", {"timestamp": SECRET}, "timestamp: not an ISO-8601 timestamp"),
    ("memories", {"timestamp": None}, "timestamp: null"),
    ("conversations", {"conversation_id": "DROP"}, "conversation_id: missing"),
    ("conversations", {"conversation_id": "../" + SECRET}, "conversation_id: contains a path separator"),
    ("conversations", {"messages": "DROP"}, "messages: missing"),
    ("conversations", {"messages": []}, "messages: empty"),
    ("conversations", {"messages": {"role": "user"}}, "messages: must be an array, got object"),
    ("conversations", {"messages": [SECRET]}, "messages[0]: must be an object, got string"),
    ("conversations", {"messages": [{"role": SECRET, "content": "x", "timestamp": 1.0}]},
     "messages[0].role: must be one of assistant, system, tool, user"),
    ("conversations", {"messages": [{"content": "x", "timestamp": 1.0}]}, "messages[0].role: missing"),
    ("conversations", {"messages": [{"role": "user", "timestamp": 1.0}]}, "messages[0].content: missing"),
    ("conversations", {"messages": [{"role": "user", "content": 5, "timestamp": 1.0}]},
     "messages[0].content: must be a string, got number"),
    ("conversations", {"messages": [{"role": "user", "content": "x"}]}, "messages[0].timestamp: missing"),
    ("conversations", {"messages": [{"role": "user", "content": "x", "timestamp": SECRET}]},
     "messages[0].timestamp: not an ISO-8601"),
    ("conversations", {"context": [SECRET]}, "context: must be an object, got array"),
    ("private_thoughts", {"thought": "DROP"}, "thought: missing"),
    ("private_thoughts", {"thought": ""}, "thought: empty"),
    ("private_thoughts", {"thought": 42}, "thought: must be a string, got number"),
    ("private_thoughts", {"timestamp": "DROP"}, "timestamp: missing"),
    ("private_thoughts", {"metadata": SECRET}, "metadata: must be an object, got string"),
    ("facts", {"id": "DROP"}, "id: missing"),
    ("facts", {"id": "facts/../" + SECRET}, "id: contains a path separator"),
    ("facts", {"content": "DROP"}, "content: missing"),
    ("facts", {"confidence": 1.01}, "confidence: out of range [0, 1]"),
    ("facts", {"tags": SECRET}, "tags: must be an array of strings, got string"),
    ("facts", {"tags": ["ok", 3]}, "tags[1]: must be a string, got number"),
    ("facts", {"source": ""}, "source: empty"),
    ("consciousness", {"level": "DROP"}, "level: missing"),
    ("consciousness", {"level": 1.5}, "level: out of range [0, 1]"),
    ("consciousness", {"emotional_resonance": -1}, "emotional_resonance: out of range"),
    ("consciousness", {"spark_intensity": False}, "spark_intensity: must be a number, got boolean"),
    ("consciousness", {"memory_coherence": "DROP"}, "memory_coherence: missing"),
    ("consciousness", {"evolution_stage": "DROP"}, "evolution_stage: missing"),
    ("consciousness", {"evolution_stage": ""}, "evolution_stage: empty"),
    ("consciousness", {"evolution_stage": 3}, "evolution_stage: must be a string, got number"),
    ("consciousness", {"quantum_state": [1]}, "quantum_state: must be an object, got array"),
    ("consciousness", {"quantum_state": {"coherence": 1.5}}, "quantum_state.coherence: out of range [0, 1]"),
    ("consciousness", {"quantum_state": {"phase": "pi"}}, "quantum_state.phase: must be a number"),
    ("consciousness", {"insights": [SECRET, 1]}, "insights[1]: must be a string"),
    ("consciousness", {"is_breakthrough": "yes"}, "is_breakthrough: must be a boolean, got string"),
]


@pytest.mark.parametrize("stream, overrides, expected", CASES,
                         ids=[f"{s}-{e.split(':')[0]}-{i}" for i, (s, _, e) in enumerate(CASES)])
def test_each_bad_field_is_quarantined_with_its_reason(kit, landing_root, stream, overrides, expected):
    overrides = {k: (kit.DROP if v == "DROP" else v) for k, v in overrides.items()}
    reason = reason_for(kit, landing_root, stream, **overrides)
    assert expected in reason
    assert "SECRET" not in reason and "🦄" not in reason  # reasons never carry values


# Ids the vault would refuse as file names: quarantined by the reader, never a failed backup later.
VAULT_REFUSED_IDS = [
    ("x" * 190, "conversation_id: its backup name conv_<id>_<epoch s> is longer than 200 bytes"),
    (".hidden-conversation", "conversation_id: starts with '.'"),
    ("conv\u200b-zero-width", "conversation_id: contains an invisible or format character (U+200B)"),
    ("会" * 90, "conversation_id: longer than 200 bytes (270 bytes in UTF-8)"),
]


@pytest.mark.parametrize("bad_id, expected", VAULT_REFUSED_IDS, ids=["190-chars", "leading-dot", "zero-width", "90-cjk"])
def test_an_id_the_vault_would_refuse_is_quarantined_and_the_good_records_go_on(kit, landing_root, bad_id, expected):
    kit.write_lines(landing_root, "conversations", [
        kit.good("conversations", conversation_id="before"),
        kit.good("conversations", conversation_id=bad_id),
        kit.good("conversations", conversation_id="after"),
    ])
    day = L.read_landing_day(landing_root, "conversations", kit.DAY)
    assert [r["conversation_id"] for r in day.records] == ["before", "after"]
    (q,) = day.quarantined
    assert q.line_number == 2 and expected in q.reason
    assert bad_id not in q.reason


def test_the_longest_conversation_id_the_vault_accepts_is_accepted(kit, landing_root):
    longest = "y" * (200 - len("conv__1793527205"))  # the backup name conv_<id>_<epoch s> is exactly 200 bytes
    kit.write_lines(landing_root, "conversations", [kit.good("conversations", conversation_id=longest),
                                                    kit.good("conversations", conversation_id=longest + "y")])
    day = L.read_landing_day(landing_root, "conversations", kit.DAY)
    assert [r["conversation_id"] for r in day.records] == [longest]
    assert "its backup name conv_<id>_<epoch s> is longer than 200 bytes (201 bytes" in day.quarantined[0].reason


@pytest.mark.parametrize("stream, field", [("memories", "memory_id"), ("facts", "id")])
def test_every_id_field_follows_the_same_rule(kit, landing_root, stream, field):
    for bad, expected in [(".dot", "starts with '.'"), ("a\u2060b", "U+2060"), ("é" * 101, "longer than 200 bytes")]:
        assert f"{field}: " in reason_for(kit, landing_root, stream, **{field: bad})
        assert expected in reason_for(kit, landing_root, stream, **{field: bad})


def test_unknown_evolution_stage_and_source_are_accepted(kit, landing_root):
    kit.write_lines(landing_root, "consciousness", [kit.good("consciousness", evolution_stage="cosmic")])
    kit.write_lines(landing_root, "memories", [kit.good("memories", source="dream")])
    assert L.read_landing_day(landing_root, "consciousness", kit.DAY).records[0]["evolution_stage"] == "cosmic"
    assert L.read_landing_day(landing_root, "memories", kit.DAY).records[0]["source"] == "dream"


def test_several_problems_are_all_named(kit, landing_root):
    reason = reason_for(kit, landing_root, "memories", memory_id="a/b", significance=3, content=kit.DROP)
    assert "memory_id:" in reason and "significance:" in reason and "content: missing" in reason


@pytest.mark.parametrize("line, expected", [
    ('{"memory_id": "m", "content": "' + SECRET, "line: invalid JSON"),
    ("[1, 2, 3]", "line: not a JSON object (got array)"),
    ('"just a string"', "line: not a JSON object (got string)"),
    ("42", "line: not a JSON object (got number)"),
    ('{"memory_id": "m", "content": "x", "timestamp": 1, "significance": NaN}', "non-standard JSON constant NaN"),
    ('{"memory_id": "m", "content": "x", "timestamp": 1, "significance": Infinity}', "non-standard JSON constant"),
    ('{"memory_id": "m", "content": "x", "timestamp": 1e999}', "number out of float range"),
    ("[" * 100_000 + "]" * 100_000, "line: invalid JSON"),
    ('{"memory_id": "m", "content": "x", "timestamp": ' + "9" * 5000 + "}", "line: invalid JSON"),
    (b'{"memory_id": "m", "content": "caf\xe9 ' + SECRET.encode() + b'", "timestamp": 1}', "line: not valid UTF-8"),
])
def test_unparseable_lines(kit, landing_root, line, expected):
    day = run_one(kit, landing_root, "memories", line)
    (q,) = day.quarantined
    assert expected in q.reason
    assert "SECRET" not in q.reason


def test_extra_fields_are_ignored_and_null_optional_takes_default(kit, landing_root):
    rec = kit.good("memories", significance=None, extra_field={"anything": 1})
    kit.write_lines(landing_root, "memories", [rec])
    (mem,) = L.read_landing_day(landing_root, "memories", kit.DAY).records
    assert mem["significance"] == 0.5 and "extra_field" not in mem


@pytest.mark.parametrize("stream, id_field", sorted(L.ID_FIELDS.items()))
def test_duplicate_ids_within_a_day_quarantine_the_later_one(kit, landing_root, stream, id_field):
    first = kit.good(stream)
    later = kit.good(stream)
    kit.write_lines(landing_root, stream, [first, kit.good(stream, **{id_field: "other"})])
    kit.write_lines(landing_root, stream, [later], name="part-001.jsonl")
    day = L.read_landing_day(landing_root, stream, kit.DAY)
    assert [r[id_field] for r in day.records] == [first[id_field], "other"]
    (q,) = day.quarantined
    assert q.reason.startswith(f"{id_field}: duplicate")
    assert q.source_file == f"{stream}/2026-11-01/part-001.jsonl" and q.line_number == 1
    assert "part-000.jsonl line 1" in q.reason


def test_ids_are_path_safe_checks():
    assert L.path_safe_problem("mem-20261101-rust-memory-leak") is None
    assert L.path_safe_problem("日本語-ok") is None
    for bad in ["", ".", "..", "a/b", "a\\b", "a..b", "a\nb", "a\x00b", "a\x7fb", "x" * 201, None, 5,
                ".hidden", "a\u200bb", "a\u202eb", "会" * 67]:
        assert L.path_safe_problem(bad) is not None


def test_unknown_stream_is_refused(landing_root):
    with pytest.raises(ValueError, match="unknown landing stream"):
        L.read_landing_day(landing_root, "dreams", "2026-11-01")
    with pytest.raises(ValueError):
        L.records_frame("dreams", [])


def test_finite_numbers_only():
    assert not math.isnan(L.parse_timestamp(0))
    with pytest.raises(ValueError):
        L.parse_timestamp(float("nan"))
