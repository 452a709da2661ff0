"""Demo landing data: deterministic, day folders, valid and malformed lines in every stream, CLI."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mira_assets.domain import landing as L
from mira_assets.domain.demo_content import DEMO_FACTS, DEMO_MEMORY_TOPICS, DEMO_ROUTINE, ROUTINE_PASS_STARTS
from mira_assets.domain.demo_data import MALFORMED_PER_STREAM_PER_DAY, generate_demo_data

START = date(2026, 11, 1)
DAYS = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("demo") / "landing"
    return root, generate_demo_data(root, START, 3, 7)


def test_writes_one_folder_per_stream_and_day(demo):
    root, _ = demo
    assert sorted(tree_digest(root)) == sorted(
        f"{s}/{d.isoformat()}/part-000.jsonl" for s in L.STREAMS for d in DAYS)


def test_same_seed_is_byte_identical_other_seed_differs(demo, tmp_path):
    root, counts = demo
    again = tmp_path / "again"
    assert generate_demo_data(again, START, 3, 7) == counts
    assert tree_digest(again) == tree_digest(root)
    assert generate_demo_data(again, START, 3, 7) == counts  # rerun in place: unchanged
    assert tree_digest(again) == tree_digest(root)
    other = tmp_path / "other"
    generate_demo_data(other, START, 3, 8)
    assert tree_digest(other) != tree_digest(root)


def test_every_stream_day_has_valid_and_malformed_lines(demo):
    root, counts = demo
    totals = {s: 0 for s in L.STREAMS}
    for stream in L.STREAMS:
        for day in DAYS:
            landed = L.read_landing_day(root, stream, day)
            assert len(landed.quarantined) == MALFORMED_PER_STREAM_PER_DAY, (stream, day)
            assert len(landed.records) >= 8
            totals[stream] += len(landed.records)
            # every record's instant lies inside its day folder's UTC day
            for rec in landed.records:
                assert datetime.fromtimestamp(rec["timestamp"], timezone.utc).date() == day
            assert L.frame_records(stream, L.records_frame(stream, landed.records)) == landed.records
    assert totals == {s: counts[s] for s in L.STREAMS}
    assert counts["malformed"] == MALFORMED_PER_STREAM_PER_DAY * len(L.STREAMS) * len(DAYS)


def test_malformed_lines_cover_the_kinds_of_mistakes(demo):
    root, _ = demo
    reasons = [q.reason for s in L.STREAMS for d in DAYS for q in L.read_landing_day(root, s, d).quarantined]
    joined = "\n".join(reasons)
    for fragment in ("invalid JSON", ": missing", "out of range", "path separator", "not a JSON object",
                     "messages[", "not an ISO-8601"):
        assert fragment in joined, fragment


def test_memories_are_plausible(demo):
    root, _ = demo
    all_mems = L.read_landing_day(root, "memories", DAYS[0]).records
    mems = [m for m in all_mems if "-routine" not in m["memory_id"]]
    assert len(mems) == len(DEMO_MEMORY_TOPICS) >= 38
    assert len(all_mems) == len(mems) + len(DEMO_ROUTINE) * len(ROUTINE_PASS_STARTS)
    assert {m["memory_id"] for m in mems} == {f"mem-20261101-{t.key}" for t in DEMO_MEMORY_TOPICS}
    assert {m["source"] for m in mems} >= {"manual", "conversation", "analysis", "automated"}
    private = [m for m in mems if m["is_private"]]
    assert 0.1 <= len(private) / len(mems) <= 0.2
    assert any(v is False for m in mems for v in m["tags"].values())
    assert any(m["tags"].get("breakthrough") for m in mems)
    assert any("co-creation" in m["content"].lower() for m in mems)
    assert len({m["content"] for m in mems}) == len(mems)
    # every topic's memory each day carries the topic text, so paraphrased search can find it
    by_key = {m["memory_id"].split("-", 2)[2]: m for m in mems}
    for topic in DEMO_MEMORY_TOPICS:
        assert by_key[topic.key]["content"].startswith(topic.content)
        assert by_key[topic.key]["is_private"] is topic.private
    ids_all_days = [m["memory_id"] for d in DAYS for m in L.read_landing_day(root, "memories", d).records]
    assert len(ids_all_days) == len(set(ids_all_days))


def test_a_routine_recurs_in_the_same_order_within_and_across_days(demo):
    """The HTM can only learn what recurs: the routine's memories come back with the same text, in the same
    order, with no other memory in between, five times a day, every day; the topics come in a new order daily."""
    from mira_assets.domain.htm.days import feed_order

    root, _ = demo
    routine = [content for _, content in DEMO_ROUTINE]
    topic_orders = []
    for day in DAYS:
        fed = feed_order(L.read_landing_day(root, "memories", day).records)
        contents = [m["content"] for m in fed]
        starts = [k for k, c in enumerate(contents) if c == routine[0]]
        assert len(starts) == len(ROUTINE_PASS_STARTS)
        for k in starts:
            assert contents[k:k + len(routine)] == routine
            assert all(not m["is_private"] and m["tags"] == {"routine": True} for m in fed[k:k + len(routine)])
        assert sum(c in routine for c in contents) == len(routine) * len(ROUTINE_PASS_STARTS)
        topic_orders.append([m["memory_id"].split("-", 2)[2] for m in fed if "-routine" not in m["memory_id"]])
    assert len({tuple(order) for order in topic_orders}) == len(DAYS)


def test_facts_conversations_consciousness_are_plausible(demo):
    root, _ = demo
    facts = L.read_landing_day(root, "facts", DAYS[0]).records
    assert len(facts) == len(DEMO_FACTS) >= 25 and len({f["content"] for f in facts}) == len(facts)
    assert all(isinstance(f["tags"], list) for f in facts)
    convs = [c for d in DAYS for c in L.read_landing_day(root, "conversations", d).records]
    roles = {m["role"] for c in convs for m in c["messages"]}
    assert {"user", "assistant"} <= roles
    lengths = {len(c["messages"]) for c in convs}
    assert len(lengths) >= 3
    text = "".join(m["content"] for c in convs for m in c["messages"])
    assert any(ord(ch) > 0x3000 for ch in text) and any(ord(ch) > 0xFFFF for ch in text)  # CJK and emoji
    assert all(isinstance(c["context"], dict) and c["context"] for c in convs)
    states = [s for d in DAYS for s in L.read_landing_day(root, "consciousness", d).records]
    assert {s["evolution_stage"] for s in states} == {"beginner", "developing", "intermediate", "advanced",
                                                      "transcendent"}
    assert any(s["insights"] for s in states)
    hours = [datetime.fromtimestamp(s["timestamp"], timezone.utc).hour
             for s in L.read_landing_day(root, "consciousness", DAYS[1]).records]
    assert len(set(hours)) >= 22  # about one per hour


def test_every_consciousness_day_shows_every_route_of_the_evolution_rule(demo):
    from mira_assets.domain.demo_content import BREAKTHROUGH_INSIGHTS, INSIGHTS

    root, _ = demo
    for day in DAYS:
        states = L.read_landing_day(root, "consciousness", day).records
        flagged = [s for s in states if s["is_breakthrough"]]
        by_spark = [s for s in states if not s["is_breakthrough"] and s["spark_intensity"] > 0.9]
        ordinary = [s for s in states if not s["is_breakthrough"] and s["spark_intensity"] <= 0.9]
        assert any(s["insights"] for s in flagged) and any(not s["insights"] for s in flagged)
        assert any(s["insights"] for s in by_spark)
        assert any(s["spark_intensity"] == 0.9 and s["insights"] for s in ordinary)  # the strict edge: public
        assert sum(len(s["insights"]) for s in ordinary) >= 5
        # private and public insights come from disjoint pools, so a leak test can tell them apart
        assert {i for s in flagged + by_spark for i in s["insights"]} <= set(BREAKTHROUGH_INSIGHTS)
        assert {i for s in ordinary for i in s["insights"]} <= set(INSIGHTS)
    assert not set(BREAKTHROUGH_INSIGHTS) & set(INSIGHTS)


def test_cli_prints_counts_and_refuses_bad_dates(tmp_path):
    from mira_assets.cli.demo import app, demo_data

    runner = CliRunner()
    result = runner.invoke(app, ["demo-data", "--out", str(tmp_path / "l"), "--start", "2026-11-01", "--days", "1",
                                 "--seed", "3", "--no-codebase"])
    assert result.exit_code == 0, result.output
    for stream in L.STREAMS:
        assert stream in result.output
    assert "malformed" in result.output and "10 lines" in result.output
    assert (tmp_path / "l" / "facts" / "2026-11-01" / "part-000.jsonl").is_file()
    bad = runner.invoke(app, ["demo-data", "--out", str(tmp_path / "l"), "--start", "11/01/2026"])
    assert bad.exit_code == 1 and "--start" in bad.output
    assert callable(demo_data)


def test_cli_module_imports_no_heavy_frameworks():
    import subprocess
    import sys

    code = ("import sys, mira_assets.cli.demo, mira_assets.domain.landing, mira_assets.domain.demo_data; "
            "print([m for m in ('dagster', 'torch', 'chromadb') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_search_queries_point_at_public_topics():
    from mira_assets.domain.demo_content import DEMO_FACT_QUERIES, DEMO_MEMORY_QUERIES

    public = {t.key for t in DEMO_MEMORY_TOPICS if not t.private}
    assert DEMO_MEMORY_QUERIES and set(DEMO_MEMORY_QUERIES) <= public
    assert DEMO_FACT_QUERIES and set(DEMO_FACT_QUERIES) <= {k for k, _ in DEMO_FACTS}
    keys = [t.key for t in DEMO_MEMORY_TOPICS] + [k for k, _ in DEMO_FACTS]
    assert len(keys) == len(set(keys)) and all(L.path_safe_problem(k) is None for k in keys)
