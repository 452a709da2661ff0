"""A realistic demo day (``mira demo-data --scale realistic``): the volume a busy MIRA runtime lands in a day.

Per day: 2,000 conversations of about 20 messages, 20,000 memories (15 % private), 2,000 facts, 1,440
consciousness states (one a minute, with every route of the evolution rule: flagged breakthroughs, spark
above 0.9, silent breakthroughs, the 0.9 edge, ordinary states with public insights) and 300 private
thoughts, plus two malformed lines per stream as in the small demo. Texts are composed from the pools in
demo_phrases.py, so nearly every memory is a different sentence and the embeddings and HTM inputs spread as
real notes do. Records are generated in timestamp order and streamed to ``<stream>/<day>/part-000.jsonl``
(a few seconds a day); the same seed writes byte-identical files. Framework-free.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

from mira_assets.domain import demo_phrases as P
from mira_assets.domain.demo_content import SOURCES, STAGES, SYSTEM_LINES, TOOL_LINES, USER_LINES
from mira_assets.domain.demo_data import (MALFORMED_PER_STREAM_PER_DAY, day_start, demo_rng, evolution_route,
                                          iso_or_epoch, json_line, malformed_lines, memory_scores, unit, write_demo_days,
                                          write_jsonl)

SECONDS_PER_DAY = 24 * 3600


@dataclass(frozen=True)
class DayScale:
    """How many records of each stream one day has."""

    conversations: int = 2_000
    turns: tuple[int, int] = (6, 14)  # user/assistant pairs per conversation: about 20 messages
    memories: int = 20_000
    private_share: float = 0.15
    facts: int = 2_000
    states: int = 1_440  # one a minute
    thoughts: int = 300


REALISTIC = DayScale()


# --------------------------------------------------------------------------- texts


def _memory_text(rng: random.Random) -> tuple[str, tuple[str, ...], str | None]:
    """(content, tags, fixed source or None) of one public memory."""
    c = rng.choice
    pick = rng.random()
    if pick < 0.36:
        return (f"{c(P.TECH_VERBS)} {c(P.TECH_PROBLEMS)} in the {c(P.SYSTEMS)} {c(P.TECH_WHEN)}: "
                f"{c(P.TECH_FINDINGS)}.", ("technical",), None)
    if pick < 0.60:
        return (f"Spent {c(P.SPEND_TIMES)} {c(P.ACTIVITIES)} {c(P.PLACES)}; {c(P.DETAILS)}.",
                c(((), ("joy",), ("wonder",), ("joy", "wonder"))), None)
    if pick < 0.88:
        return (f"Talked with the user {c(P.CHANNELS)} about {c(P.TALK_TOPICS)}; {c(P.TALK_OUTCOMES)}. "
                f"{c(P.TALK_MOODS)}".rstrip(), c(((), ("collaborative",), ("love",))), "conversation")
    if pick < 0.94:
        return (f"Co-created {c(P.ARTIFACTS)} with the user {c(P.CHANNELS)}: {c(P.CO_DETAILS)}.",
                ("collaborative", "joy"), "conversation")
    return (f"Read about {c(P.LEARN_FIELDS)} {c(P.LEARN_SOURCES)} {c(P.LEARN_REACTIONS)}.",
            c(((), ("wonder",), ("breakthrough",))), "analysis")


def _private_text(rng: random.Random) -> str:
    c = rng.choice
    return f"{c(P.PRIVATE_OPENERS)} {c(P.PRIVATE_SUBJECTS)} {c(P.PRIVATE_DETAILS)} ({c(P.PRIVATE_WHEN)})."


def _fill(rng: random.Random, template: str) -> str:
    problem = rng.choice(P.TECH_PROBLEMS)
    return template.format(topic=rng.choice(P.TALK_TOPICS), problem=problem, problem_cap=problem[0].upper() + problem[1:],
                           system=rng.choice(P.SYSTEMS), artifact=rng.choice(P.ARTIFACTS))


def _fact_text(rng: random.Random) -> tuple[str, list[str]]:
    template = rng.choice(P.FACT_TEMPLATES)
    values = dict(system=rng.choice(P.SYSTEMS), port=rng.randint(1024, 65535), team=rng.choice(P.TEAMS),
                  hours=rng.choice((2, 4, 6, 12, 24)), person=rng.choice(P.PEOPLE), preference=rng.choice(P.PREFERENCES),
                  city=rng.choice(P.CITIES), hour=rng.randint(7, 10), minute=rng.choice((0, 15, 30, 45)),
                  month=rng.choice(P.MONTHS), dom=rng.randint(1, 28), days=rng.choice((7, 14, 30, 90, 365)),
                  major=rng.randint(1, 9), minor=rng.randint(0, 30))
    tags = sorted({k for k in ("system", "person", "team", "city") if "{" + k in template})
    return template.format(**values), tags


# --------------------------------------------------------------------------- streams


def _moments(rng: random.Random, n: int, latest: int = SECONDS_PER_DAY) -> list[float]:
    """n sorted instants of the day, as seconds with milliseconds, before `latest`."""
    return sorted(rng.randrange(latest * 1000) / 1000 for _ in range(n))


def _memories(rng: random.Random, day: date, scale: DayScale) -> Iterator[dict]:
    start = day_start(day)
    for k, second in enumerate(_moments(rng, scale.memories)):
        private = rng.random() < scale.private_share
        if private:
            content, tags, source = _private_text(rng), rng.choice(((), ("love",), ("joy",))), rng.choice(SOURCES)
        else:
            content, tags, source = _memory_text(rng)
        yield {
            "memory_id": f"mem-{day:%Y%m%d}-{k:05d}",
            "content": content,
            "timestamp": iso_or_epoch(start + timedelta(seconds=second), rng),
            **memory_scores(rng, tags),
            "source": source or rng.choice(SOURCES),
            "access_count": rng.choice((0, 0, 0, 1, 2, 3, 5, 8)),
            "tags": {t: True for t in tags},
            "spark_intensity": unit(rng.random() * 0.6),
            "is_private": private,
        }


def _message(rng: random.Random, role: str, moment, text: str) -> dict:
    return {"role": role, "content": text, "timestamp": iso_or_epoch(moment, rng)}


def _conversations(rng: random.Random, day: date, scale: DayScale) -> Iterator[dict]:
    start = day_start(day)
    for k, second in enumerate(_moments(rng, scale.conversations, latest=22 * 3600)):
        moment = start + timedelta(seconds=second)
        messages = []
        if rng.random() < 0.2:
            messages.append(_message(rng, "system", moment, rng.choice(SYSTEM_LINES)))
        for _turn in range(rng.randint(*scale.turns)):
            moment += timedelta(seconds=rng.randint(5, 90))
            if rng.random() < 0.08:  # now and then another language or an emoji-only line
                question = rng.choice(USER_LINES)
            else:
                question = rng.choice(P.USER_OPENERS) + _fill(rng, rng.choice(P.USER_QUESTIONS))
            messages.append(_message(rng, "user", moment, question))
            if rng.random() < 0.05:
                moment += timedelta(seconds=rng.randint(1, 5))
                messages.append(_message(rng, "tool", moment, rng.choice(TOOL_LINES)))
            moment += timedelta(seconds=rng.randint(2, 40))
            answer = f"{rng.choice(P.ASSISTANT_OPENERS)} {_fill(rng, rng.choice(P.ASSISTANT_POINTS))}"
            if rng.random() < 0.4:
                answer += " " + _fill(rng, rng.choice(P.ASSISTANT_POINTS))
            messages.append(_message(rng, "assistant", moment, answer))
        context = {"channel": rng.choice(("cli", "web", "voice", "mobile")),
                   "language": rng.choice(("en", "en", "en", "de", "ja", "fr")), "session": f"s-{day:%Y%m%d}-{k:04d}"}
        yield {"conversation_id": f"conv-{day:%Y%m%d}-{k:04d}", "messages": messages, "context": context}


def _facts(rng: random.Random, day: date, scale: DayScale) -> Iterator[dict]:
    start = day_start(day)
    for k, second in enumerate(_moments(rng, scale.facts)):
        content, tags = _fact_text(rng)
        yield {"id": f"fact-{day:%Y%m%d}-{k:04d}", "content": content,
               "source": rng.choice(("conversation", "analysis", "user", "calendar", "wiki")),
               "confidence": unit(rng.uniform(0.6, 1.0)), "timestamp": iso_or_epoch(start + timedelta(seconds=second), rng),
               "tags": tags}


def _thoughts(rng: random.Random, day: date, scale: DayScale) -> Iterator[dict]:
    start = day_start(day)
    for second in _moments(rng, scale.thoughts):
        yield {"thought": f"{rng.choice(P.THOUGHT_OPENERS)} {rng.choice(P.THOUGHT_SUBJECTS)} {rng.choice(P.THOUGHT_TAILS)}",
               "timestamp": iso_or_epoch(start + timedelta(seconds=second), rng),
               "metadata": {"kind": rng.choice(("reflection", "observation", "question", "gratitude")),
                            "intensity": unit(rng.random()), "related_conversations": rng.randint(0, 5)}}


def _consciousness(rng: random.Random, day: date, day_index: int, scale: DayScale) -> Iterator[dict]:
    """One state a minute; a few special minutes take each route of the evolution rule, and about one
    ordinary state in ten has public insights."""
    start = day_start(day)
    routes = ["flagged"] * 6 + ["spark"] * 5 + ["silent"] * 3 + ["edge"] * 4
    special = dict(zip(rng.sample(range(scale.states), min(len(routes), scale.states)), routes))
    per_stage = max(1, math.ceil(scale.states / len(STAGES)))
    for minute in range(scale.states):
        spark, breakthrough, insights = evolution_route(rng, minute, special)
        if minute not in special and rng.random() > 0.1:
            insights = []
        phase = minute / scale.states * 2 * math.pi
        yield {
            "level": unit(0.3 + 0.5 * (0.5 + 0.5 * math.sin(phase)) + rng.uniform(-0.08, 0.08)),
            "emotional_resonance": unit(rng.uniform(0.2, 0.95)),
            "spark_intensity": unit(spark),
            "memory_coherence": unit(rng.uniform(0.3, 0.95)),
            "evolution_stage": STAGES[(minute // per_stage + day_index) % len(STAGES)],
            "quantum_state": {"phase": round(rng.uniform(0, 2 * math.pi), 4), "coherence": unit(rng.uniform(0.2, 0.9)),
                              "entanglement": unit(rng.uniform(0.1, 0.6)), "superposition": unit(rng.uniform(0.05, 0.5))},
            "timestamp": iso_or_epoch(start + timedelta(minutes=minute, seconds=rng.randint(0, 20)), rng),
            "insights": insights,
            "is_breakthrough": breakthrough,
        }


def _records(stream: str, rng: random.Random, day: date, day_index: int, scale: DayScale) -> Iterator[dict]:
    if stream == "conversations":
        return _conversations(rng, day, scale)
    if stream == "private_thoughts":
        return _thoughts(rng, day, scale)
    if stream == "memories":
        return _memories(rng, day, scale)
    if stream == "facts":
        return _facts(rng, day, scale)
    if stream == "consciousness":
        return _consciousness(rng, day, day_index, scale)
    raise ValueError(f"unknown landing stream {stream!r}")


def _count(stream: str, scale: DayScale) -> int:
    return {"conversations": scale.conversations, "private_thoughts": scale.thoughts, "memories": scale.memories,
            "facts": scale.facts, "consciousness": scale.states}[stream]


class _DayLines:
    """The lines of one stream's day: the valid records with the malformed ones woven in at random places,
    counted as they stream by."""

    def __init__(self, stream: str, day: date, day_index: int, seed: int, scale: DayScale):
        self.records = _records(stream, demo_rng(seed, stream, day), day, day_index, scale)
        bad_rng = demo_rng(seed, f"{stream}:malformed", day)
        last = max(1, _count(stream, scale))
        self.bad_at = sorted(bad_rng.randint(1, last) for _ in range(MALFORMED_PER_STREAM_PER_DAY))
        self.bad_rng, self.stream, self.day, self.day_index = bad_rng, stream, day, day_index
        self.valid = self.malformed = self.messages = self.private = 0

    def __iter__(self) -> Iterator[str]:
        pending: list[str] = []
        for k, record in enumerate(self.records, start=1):
            if k == 1:  # broken copies of the first record
                pending = malformed_lines(self.stream, self.bad_rng, self.day, self.day_index, [record])
            yield json_line(record)
            self.valid += 1
            self.messages += len(record.get("messages", ()))
            self.private += bool(record.get("is_private", False))
            while pending and self.bad_at and self.bad_at[0] == k:
                self.bad_at.pop(0)
                self.malformed += 1
                yield pending.pop(0)
        self.malformed += len(pending)  # a day shorter than planned: the rest go last
        yield from pending


def generate_realistic_data(out: Path, start: date, days: int, seed: int,
                            scale: DayScale = REALISTIC) -> dict[str, int]:
    """Write ``out/<stream>/<YYYY-MM-DD>/part-000.jsonl`` for each stream and day at `scale`.

    Returns what ``generate_demo_data`` returns (valid records per stream, ``"malformed"``) plus
    ``"messages"`` (of all conversations) and ``"private_memories"``."""
    def write(path: Path, stream: str, day: date, day_index: int) -> dict[str, int]:
        lines = _DayLines(stream, day, day_index, seed, scale)
        write_jsonl(path, lines)
        return {stream: lines.valid, "malformed": lines.malformed, "messages": lines.messages,
                "private_memories": lines.private}

    return write_demo_days(out, start, days, write)
