"""The realistic demo day: the volumes of a busy day, varied texts, every evolution route, deterministic, fast."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mira_assets.domain import landing as L
from mira_assets.domain.demo_content import BREAKTHROUGH_INSIGHTS, INSIGHTS
from mira_assets.domain.demo_data import MALFORMED_PER_STREAM_PER_DAY
from mira_assets.domain.demo_realistic import REALISTIC, DayScale, generate_realistic_data
from mira_assets.domain.evolution import is_breakthrough

DAY = date(2026, 11, 1)
SMALL = DayScale(conversations=200, memories=2_000, facts=200, states=1_440, thoughts=60)


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    root = tmp_path_factory.mktemp("realistic") / "landing"
    counts = generate_realistic_data(root, DAY, 1, seed=7, scale=SMALL)
    return root, counts, {s: L.read_landing_day(root, s, DAY) for s in L.STREAMS}


def test_a_full_realistic_day_has_the_volumes_of_a_busy_day_and_is_written_in_seconds(tmp_path):
    started = time.perf_counter()
    counts = generate_realistic_data(tmp_path / "landing", DAY, 1, seed=7)
    assert time.perf_counter() - started < 60  # about 1.5 s of CPU; generous for a shared machine
    assert {s: counts[s] for s in L.STREAMS} == {"conversations": 2_000, "private_thoughts": 300, "memories": 20_000,
                                                 "facts": 2_000, "consciousness": 1_440}
    assert 18 <= counts["messages"] / counts["conversations"] <= 22  # about 20 messages each
    assert 0.12 <= counts["private_memories"] / counts["memories"] <= 0.18
    assert counts["malformed"] == MALFORMED_PER_STREAM_PER_DAY * len(L.STREAMS)
    assert REALISTIC.memories == 20_000


def test_every_line_validates_except_the_malformed_ones_and_the_counts_are_true(day):
    _, counts, landed = day
    for stream, got in landed.items():
        assert len(got.records) == counts[stream]
        assert len(got.quarantined) == MALFORMED_PER_STREAM_PER_DAY, stream
        for record in got.records:
            assert datetime.fromtimestamp(record["timestamp"], timezone.utc).date() == DAY
    assert sum(len(c["messages"]) for c in landed["conversations"].records) == counts["messages"]
    assert sum(m["is_private"] for m in landed["memories"].records) == counts["private_memories"]


def test_texts_are_varied_enough_for_real_embeddings(day):
    _, _, landed = day
    memories = landed["memories"].records
    public = [m["content"] for m in memories if not m["is_private"]]
    assert len(set(public)) / len(public) > 0.9
    assert len({m["content"].split()[0] for m in memories}) >= 10  # several kinds of sentence, not one template
    words = Counter(w for text in public for w in text.lower().split())
    assert len(words) > 600  # a vocabulary of several hundred words
    assert len({m["memory_id"] for m in memories}) == len(memories)
    messages = [m["content"] for c in landed["conversations"].records for m in c["messages"]]
    assert len(set(messages)) / len(messages) > 0.5
    assert any(ord(ch) > 0x3000 for text in messages for ch in text)  # other languages now and then
    assert len({f["content"] for f in landed["facts"].records}) > 0.8 * len(landed["facts"].records)


def test_one_state_a_minute_with_every_route_of_the_evolution_rule(day):
    _, _, landed = day
    states = landed["consciousness"].records
    minutes = {int(s["timestamp"] - datetime(2026, 11, 1, tzinfo=timezone.utc).timestamp()) // 60 for s in states}
    assert len(states) == 1_440 and minutes == set(range(1_440))
    flagged = [s for s in states if s["is_breakthrough"]]
    by_spark = [s for s in states if not s["is_breakthrough"] and s["spark_intensity"] > 0.9]
    ordinary = [s for s in states if not is_breakthrough(s)]
    assert any(s["insights"] for s in flagged) and any(not s["insights"] for s in flagged) and by_spark
    assert any(s["spark_intensity"] == 0.9 and s["insights"] for s in ordinary)
    assert 50 <= sum(bool(s["insights"]) for s in ordinary) <= 250  # about one ordinary state in ten
    assert {i for s in flagged + by_spark for i in s["insights"]} <= set(BREAKTHROUGH_INSIGHTS)
    assert {i for s in ordinary for i in s["insights"]} <= set(INSIGHTS)
    assert len({s["evolution_stage"] for s in states}) == 5


def test_same_seed_same_bytes_other_seed_differs_and_a_rerun_leaves_files_alone(day, tmp_path):
    root, counts, _ = day
    again = tmp_path / "again"
    assert generate_realistic_data(again, DAY, 1, seed=7, scale=SMALL) == counts
    assert digest(again) == digest(root)
    stamps = {p: p.stat().st_mtime_ns for p in again.rglob("*.jsonl")}
    generate_realistic_data(again, DAY, 1, seed=7, scale=SMALL)
    assert {p: p.stat().st_mtime_ns for p in again.rglob("*.jsonl")} == stamps
    assert not [p for p in again.rglob("*") if p.name.startswith(".")]  # no temp file left
    other = tmp_path / "other"
    generate_realistic_data(other, DAY, 1, seed=8, scale=SMALL)
    assert digest(other) != digest(root)


def test_cli_scale_realistic(tmp_path):
    from mira_assets.cli.main import app

    result = CliRunner().invoke(app, ["demo-data", "--scale", "realistic", "--out", str(tmp_path / "landing"),
                                      "--start", "2026-11-01", "--days", "1", "--no-codebase"])
    assert result.exit_code == 0, result.output
    assert "20000 valid records" in result.output and "messages in the conversations" in result.output
    first = (tmp_path / "landing" / "memories" / "2026-11-01" / "part-000.jsonl").open().readline()
    assert json.loads(first)["memory_id"] == "mem-20261101-00000"
