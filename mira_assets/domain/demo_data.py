"""Deterministic demo landing data for all five streams (``mira demo-data``).

``generate_demo_data(out, start, days, seed)`` writes ``out/<stream>/<YYYY-MM-DD>/part-000.jsonl``.
The same seed gives byte-identical files. Every stream gets valid records plus two malformed
lines per day on purpose (invalid JSON, a missing field, an out-of-range value, a path-traversal
id, ...), so the quarantine path is exercised.

Every consciousness day has all three paths of the evolution rule (SPEC §5): a flagged breakthrough with
moderate spark, an unflagged state with spark > 0.9 (both private: their insights come from
``BREAKTHROUGH_INSIGHTS`` only), a flagged breakthrough without insights, an ordinary state at spark exactly
0.9 (public: the rule is strict) and ordinary states whose insights (``INSIGHTS``) become public memories.

Memories and facts come from fixed pools (``DEMO_MEMORY_TOPICS``, ``DEMO_FACTS`` in demo_content.py): every topic
appears once per day with id ``mem-<YYYYMMDD>-<key>`` (facts: ``fact-<YYYYMMDD>-<key>``), so a
search test can paraphrase a topic and check that the best hit's id ends with its key. Topics
marked private are always ``is_private`` (they never reach ChromaDB); pick public ones for search.
Each day also has a routine (``DEMO_ROUTINE``): the same four public memories in the same order, five times a
day at fixed hours (ids ``mem-<YYYYMMDD>-routine<pass>-<key>``), with no topic memory in between, so the HTM
learns the sequence: its surprise falls for the routine over the days while the shuffled topics stay novel.

Framework-free: no dagster/torch/chromadb.
"""

from __future__ import annotations

import filecmp
import json
import math
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from mira_assets.domain.demo_content import (ASSISTANT_LINES, BREAKTHROUGH_INSIGHTS, DEMO_FACTS, DEMO_MEMORY_TOPICS,
                                             DEMO_ROUTINE, FACT_SOURCES, FALSE_TAGS, INSIGHTS, ROUTINE_PASS_STARTS,
                                             ROUTINE_STEP_MINUTES, SOURCES, STAGES, SUFFIXES, SYSTEM_LINES,
                                             THOUGHTS, TOOL_LINES, USER_LINES)
from mira_assets.domain.landing.contract import STREAMS

PART_NAME = "part-000.jsonl"
MALFORMED_PER_STREAM_PER_DAY = 2


# --------------------------------------------------------------------------- helpers


def demo_rng(seed: int, stream: str, day: date) -> random.Random:
    return random.Random(f"mira-demo:{seed}:{stream}:{day.isoformat()}")


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def iso_or_epoch(moment: datetime, rng: random.Random) -> str | float:
    """Mostly ISO with Z, sometimes an explicit offset or epoch seconds: the contract allows all."""
    pick = rng.random()
    if pick < 0.7:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if pick < 0.85:
        offset = timezone(timedelta(hours=2))
        return moment.astimezone(offset).isoformat()
    return round(moment.timestamp(), 3)


def unit(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 4)


def json_line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def _bad_timestamp_line(obj: dict) -> str:
    obj = dict(obj)
    obj["timestamp"] = "yesterday at noon"
    return json_line(obj)


# --------------------------------------------------------------------------- streams


def _conversations(rng: random.Random, day: date) -> list[dict]:
    out = []
    start = day_start(day)
    count = rng.randint(8, 12)
    minutes = sorted(rng.sample(range(0, 22 * 60), count))
    for i, minute in enumerate(minutes):
        moment = start + timedelta(minutes=minute)
        messages = []
        if rng.random() < 0.25:
            messages.append({"role": "system", "content": rng.choice(SYSTEM_LINES), "timestamp": iso_or_epoch(moment, rng)})
        for _turn in range(rng.randint(1, 6)):
            k = rng.randrange(len(USER_LINES))
            moment += timedelta(seconds=rng.randint(5, 240))
            messages.append({"role": "user", "content": USER_LINES[k], "timestamp": iso_or_epoch(moment, rng)})
            if rng.random() < 0.15:
                moment += timedelta(seconds=rng.randint(1, 5))
                messages.append({"role": "tool", "content": rng.choice(TOOL_LINES), "timestamp": iso_or_epoch(moment, rng)})
            moment += timedelta(seconds=rng.randint(2, 60))
            reply = ASSISTANT_LINES[k]
            if rng.random() < 0.3:
                reply = reply + " " + rng.choice(ASSISTANT_LINES)
            messages.append({"role": "assistant", "content": reply, "timestamp": iso_or_epoch(moment, rng)})
        context = {
            "channel": rng.choice(["cli", "web", "voice"]),
            "language": rng.choice(["en", "de", "ja", "fr", "zh", "ru"]),
            "session": f"s-{day:%Y%m%d}-{i:02d}",
        }
        if rng.random() < 0.3:
            context["mood"] = rng.choice(["curious", "tired", "playful", "focused"])
        out.append({"conversation_id": f"conv-{day:%Y%m%d}-{i:03d}", "messages": messages, "context": context})
    return out


def _private_thoughts(rng: random.Random, day: date) -> list[dict]:
    out = []
    start = day_start(day)
    count = rng.randint(8, 12)
    for minute in sorted(rng.sample(range(0, 24 * 60), count)):
        thought = rng.choice(THOUGHTS)
        if rng.random() < 0.3:
            thought = thought + " " + rng.choice(THOUGHTS)
        out.append({
            "thought": thought,
            "timestamp": iso_or_epoch(start + timedelta(minutes=minute, seconds=rng.randint(0, 59)), rng),
            "metadata": {
                "kind": rng.choice(["reflection", "observation", "question", "gratitude"]),
                "intensity": unit(rng.random()),
                "related_conversations": rng.randint(0, 3),
            },
        })
    return out


def _routine_windows(day: date) -> list[tuple[datetime, datetime]]:
    """The minutes each routine pass occupies (a minute of margin either side): no topic memory falls inside."""
    start = day_start(day)
    span = timedelta(minutes=ROUTINE_STEP_MINUTES * (len(DEMO_ROUTINE) - 1) + 1)
    return [(start + timedelta(hours=h, minutes=m - 1), start + timedelta(hours=h, minutes=m) + span)
            for h, m in ROUTINE_PASS_STARTS]


def _topic_moment(rng: random.Random, day: date, windows: list[tuple[datetime, datetime]]) -> datetime:
    start = day_start(day)
    while True:
        moment = start + timedelta(seconds=rng.randrange(24 * 3600))
        if not any(lo <= moment <= hi for lo, hi in windows):
            return moment


def memory_scores(rng: random.Random, tags: tuple[str, ...]) -> dict[str, Any]:
    return {
        "significance": unit(rng.betavariate(2, 2) + (0.3 if "breakthrough" in tags else 0.0)),
        "relevance": unit(rng.random()),
        "emotional_impact": unit(rng.betavariate(2, 3) + 0.2 * bool(set(tags) & {"joy", "love", "wonder"})),
        "technical_value": unit(rng.betavariate(4, 2) if "technical" in tags else rng.betavariate(1.5, 4)),
        "user_rating": unit(rng.random()),
        "confidence": unit(rng.uniform(0.6, 1.0)),
    }


def _routine(rng: random.Random, day: date) -> list[dict]:
    """Every pass of the day's routine: the same contents in the same order (see DEMO_ROUTINE)."""
    out = []
    for number, (lo, _hi) in enumerate(_routine_windows(day), start=1):
        for step, (key, content) in enumerate(DEMO_ROUTINE):
            moment = lo + timedelta(minutes=1 + ROUTINE_STEP_MINUTES * step, seconds=rng.randint(0, 30))
            out.append({
                "memory_id": f"mem-{day:%Y%m%d}-routine{number}-{key}",
                "content": content,
                "timestamp": iso_or_epoch(moment, rng),
                **memory_scores(rng, ()),
                "source": "background",
                "access_count": number - 1,
                "tags": {"routine": True},
                "spark_intensity": unit(rng.random() * 0.2),
                "is_private": False,
            })
    return out


def _memories(rng: random.Random, day: date) -> list[dict]:
    """One memory per topic (shuffled, at random moments outside the routine's windows), then the routine."""
    out = []
    windows = _routine_windows(day)
    topics = list(DEMO_MEMORY_TOPICS)
    rng.shuffle(topics)
    for topic in topics:
        tags: dict[str, bool] = {t: True for t in topic.tags}
        for t in rng.sample(FALSE_TAGS, 2):
            tags.setdefault(t, False)  # a tag set to false is no tag (SPEC §1)
        rec: dict[str, Any] = {
            "memory_id": f"mem-{day:%Y%m%d}-{topic.key}",
            "content": topic.content + rng.choice(SUFFIXES),
            "timestamp": iso_or_epoch(_topic_moment(rng, day, windows), rng),
            **memory_scores(rng, topic.tags),
            "source": topic.source or rng.choice(SOURCES),
            "access_count": rng.choice([0, 0, 0, 1, 2, 3, 5, 8, 13]),
            "tags": tags,
            "spark_intensity": unit(rng.random() * 0.6),
            "is_private": topic.private,
        }
        if rng.random() < 0.15:  # defaults are allowed: leave a few optional fields out
            for name in ("relevance", "user_rating", "access_count"):
                rec.pop(name)
        out.append(rec)
    return out + _routine(rng, day)


def _facts(rng: random.Random, day: date) -> list[dict]:
    out = []
    start = day_start(day)
    for key, content in DEMO_FACTS:
        words = [w.strip(".,:").lower() for w in content.split() if len(w) > 6]
        tags = sorted(set(rng.sample(words, min(2, len(words))))) if words else []
        out.append({
            "id": f"fact-{day:%Y%m%d}-{key}",
            "content": content,
            "source": rng.choice(FACT_SOURCES),
            "confidence": unit(rng.uniform(0.7, 1.0)),
            "timestamp": iso_or_epoch(start + timedelta(seconds=rng.randrange(24 * 3600)), rng),
            "tags": tags,
        })
    return out


def evolution_route(rng: random.Random, slot: int, special: dict[int, str]) -> tuple[float, bool, list[str]]:
    """(spark, is_breakthrough, insights) of one state: the day's special slots (hours) show each path."""
    route = special.get(slot, "ordinary")
    if route == "flagged":  # flagged by the runtime, spark not above 0.9: private all the same
        return rng.uniform(0.6, 0.88), True, rng.sample(BREAKTHROUGH_INSIGHTS, rng.randint(1, 2))
    if route == "spark":  # not flagged, spark above 0.9: private
        return rng.uniform(0.91, 0.99), False, rng.sample(BREAKTHROUGH_INSIGHTS, rng.randint(1, 2))
    if route == "silent":  # a breakthrough without insights: still one private record
        return rng.uniform(0.92, 0.99), True, []
    if route == "edge":  # spark exactly 0.9 is not above 0.9: public
        return 0.9, False, rng.sample(INSIGHTS, 1)
    return rng.uniform(0.1, 0.85), False, rng.sample(INSIGHTS, rng.randint(0, 3))


def _consciousness(rng: random.Random, day: date, day_index: int) -> list[dict]:
    out = []
    start = day_start(day)
    special = dict(zip(rng.sample(range(24), 4), ("flagged", "spark", "silent", "edge")))
    for hour in range(24):
        stage = STAGES[(hour + day_index) % len(STAGES)]
        spark, breakthrough, insights = evolution_route(rng, hour, special)
        out.append({
            "level": unit(0.3 + 0.5 * (0.5 + 0.5 * math.sin(hour / 24 * 2 * math.pi)) + rng.uniform(-0.1, 0.1)),
            "emotional_resonance": unit(rng.uniform(0.2, 0.95)),
            "spark_intensity": unit(spark),
            "memory_coherence": unit(rng.uniform(0.3, 0.95)),
            "evolution_stage": stage,
            "quantum_state": {
                "phase": round(rng.uniform(0, 2 * math.pi), 4),
                "coherence": unit(rng.uniform(0.2, 0.9)),
                "entanglement": unit(rng.uniform(0.1, 0.6)),
                "superposition": unit(rng.uniform(0.05, 0.5)),
            },
            "timestamp": iso_or_epoch(start + timedelta(hours=hour, minutes=rng.randint(0, 4)), rng),
            "insights": insights,
            "is_breakthrough": breakthrough,
        })
    return out


def malformed_lines(stream: str, rng: random.Random, day: date, day_index: int, valid: list[dict]) -> list[str]:
    """Two broken lines, rotating through four kinds per stream across days."""
    base = dict(rng.choice(valid))
    kinds: list[str]
    if stream == "conversations":
        def bad_role() -> str:
            conv = dict(base)
            conv["messages"] = [dict(m) for m in conv["messages"]]
            conv["messages"][-1]["role"] = "narrator"
            conv["conversation_id"] = f"conv-{day:%Y%m%d}-badrole"
            return json_line(conv)
        makers = {
            "invalid_json": lambda: json_line(base)[: -7],
            "missing": lambda: json_line({k: v for k, v in base.items() if k != "messages"} | {"conversation_id": f"conv-{day:%Y%m%d}-nomsg"}),
            "traversal": lambda: json_line(base | {"conversation_id": "../../etc/passwd"}),
            "bad_role": bad_role,
        }
    elif stream == "private_thoughts":
        makers = {
            "invalid_json": lambda: json_line(base)[: -3],
            "missing": lambda: json_line({k: v for k, v in base.items() if k != "thought"}),
            "bad_timestamp": lambda: _bad_timestamp_line(base),
            "not_object": lambda: json.dumps([base["thought"]], ensure_ascii=False),
        }
    elif stream == "memories":
        makers = {
            "invalid_json": lambda: "{" + json_line(base)[1:].replace('"content": ', '"content" ', 1),
            "missing": lambda: json_line({k: v for k, v in base.items() if k != "content"} | {"memory_id": f"mem-{day:%Y%m%d}-nocontent"}),
            "out_of_range": lambda: json_line(base | {"memory_id": f"mem-{day:%Y%m%d}-range", "significance": 1.7}),
            "traversal": lambda: json_line(base | {"memory_id": "..\\..\\secrets"}),
        }
    elif stream == "facts":
        makers = {
            "invalid_json": lambda: json_line(base).replace("{", "{{", 1),
            "missing": lambda: json_line({k: v for k, v in base.items() if k != "id"}),
            "out_of_range": lambda: json_line(base | {"id": f"fact-{day:%Y%m%d}-range", "confidence": -0.2}),
            "traversal": lambda: json_line(base | {"id": "facts/../../x"}),
        }
    else:
        makers = {
            "invalid_json": lambda: json_line(base)[: len(json_line(base)) // 2],
            "missing": lambda: json_line({k: v for k, v in base.items() if k != "evolution_stage"}),
            "out_of_range": lambda: json_line(base | {"level": 1.5}),
            "bad_timestamp": lambda: _bad_timestamp_line(base),
        }
    kinds = list(makers)
    chosen = [kinds[(2 * day_index) % len(kinds)], kinds[(2 * day_index + 1) % len(kinds)]]
    return [makers[k]() for k in chosen]


def demo_day_lines(stream: str, day: date, seed: int, day_index: int = 0) -> tuple[list[str], int]:
    """The lines of one stream's demo day and how many of them are malformed on purpose."""
    rng = demo_rng(seed, stream, day)
    if stream == "conversations":
        valid = _conversations(rng, day)
    elif stream == "private_thoughts":
        valid = _private_thoughts(rng, day)
    elif stream == "memories":
        valid = _memories(rng, day)
    elif stream == "facts":
        valid = _facts(rng, day)
    elif stream == "consciousness":
        valid = _consciousness(rng, day, day_index)
    else:
        raise ValueError(f"unknown landing stream {stream!r}")
    lines = [json_line(r) for r in valid]
    bad = malformed_lines(stream, rng, day, day_index, valid)
    for text in bad:
        lines.insert(rng.randint(1, len(lines)), text)
    return lines, len(bad)


def write_jsonl(path: Path, lines: Iterable[str]) -> bool:
    """Write the lines to `path` through a hidden temp file (the landing reader skips names starting with
    '.'), streaming; an identical file already there is left untouched. True when the file changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line)
            f.write("\n")
    if path.is_file() and filecmp.cmp(tmp, path, shallow=False):
        tmp.unlink()
        return False
    tmp.replace(path)
    return True


def write_demo_days(out: Path, start: date | str, days: int,
                    write_stream_day: Callable[[Path, str, date, int], dict[str, int]]) -> dict[str, int]:
    """The loop every demo scale shares: `write_stream_day(path, stream, day, day_index)` writes one stream's day
    to `path` (``out/<stream>/<YYYY-MM-DD>/part-000.jsonl``) and returns what it counted; the sums come back,
    with every stream and ``"malformed"`` present."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if isinstance(start, str):
        start = date.fromisoformat(start)
    counts: dict[str, int] = {s: 0 for s in STREAMS}
    counts["malformed"] = 0
    for day_index in range(days):
        day = start + timedelta(days=day_index)
        for stream in STREAMS:
            for key, n in write_stream_day(Path(out) / stream / day.isoformat() / PART_NAME, stream, day,
                                           day_index).items():
                counts[key] = counts.get(key, 0) + n
    return counts


def generate_demo_data(out: Path, start: date, days: int, seed: int) -> dict[str, int]:
    """Write ``out/<stream>/<YYYY-MM-DD>/part-000.jsonl`` for each stream and day.

    Returns the number of valid records per stream (all days together) plus ``"malformed"``:
    the number of lines that are broken on purpose (all streams and days).
    """
    def write(path: Path, stream: str, day: date, day_index: int) -> dict[str, int]:
        lines, bad = demo_day_lines(stream, day, seed, day_index)
        write_jsonl(path, lines)
        return {stream: len(lines) - bad, "malformed": bad}

    return write_demo_days(out, start, days, write)
