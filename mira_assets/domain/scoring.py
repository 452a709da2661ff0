"""Memory scoring of SPEC §1 (exact): base importance, spark intensity, temporal decay, persistence.

Framework-free. Every number below is part of the user's contract and pinned by tests/memories/test_scoring.py.

Decisions where the spec is silent:
- a tag counts only when its value is truthy (the original counted a key even when set to false);
- the spark rules use the *calculated* spark intensity; a memory's own `spark_intensity` field (the landing
  record's) is kept for reference but does not enter the persistence score, as in the seed's `store_memory`;
- a memory dated in the future has age 0 (its temporal score is 1.0, never above).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping

FACTOR_WEIGHTS: dict[str, float] = {
    "significance": 0.30,
    "relevance": 0.20,
    "emotional_impact": 0.15,
    "technical_value": 0.20,
    "user_rating": 0.15,
}
SOURCE_MULTIPLIERS: dict[str, float] = {
    "manual": 2.0,
    "conversation": 1.2,
    "analysis": 1.0,
    "automated": 0.8,
    "background": 0.4,
}
UNKNOWN_SOURCE_MULTIPLIER = 1.0

SPARK_BREAKTHROUGH = 0.3
SPARK_EMOTION_WEIGHT = 0.2
SPARK_EMOTION_TAGS = ("joy", "excitement", "wonder", "love")
SPARK_COLLABORATION = 0.25
SPARK_COLLABORATION_PHRASE = "co-creation"
SPARK_HIGH_SIGNIFICANCE = 0.25
SPARK_SIGNIFICANCE_MIN = 0.8  # significance >= this
SPARK_CONFIDENCE_ABOVE = 0.8  # and confidence > this

PERSISTENCE_WEIGHTS = {"importance": 0.4, "temporal": 0.3, "spark": 0.3}
PERSISTENCE_THRESHOLD = 0.7
CONSOLIDATION_RATE = 0.1
SECONDS_PER_DAY = 86400.0

# The six factors, in the order the seed writes them to ChromaDB metadata.
FACTOR_NAMES = ("significance", "relevance", "emotional_impact", "technical_value", "user_rating", "confidence")


class ImportanceTier(Enum):
    """Decay tier by base importance; the value is the half-life in days."""

    CRITICAL = 730
    HIGH = 182
    MEDIUM = 30
    LOW = 7

    @property
    def half_life_days(self) -> float:
        return float(self.value)


# Lower bounds (inclusive), checked from the top.
TIER_BOUNDS = ((0.8, ImportanceTier.CRITICAL), (0.6, ImportanceTier.HIGH), (0.4, ImportanceTier.MEDIUM))


@dataclass
class Memory:
    """One memory as SPEC §1 defines it. `timestamp` is epoch seconds, UTC."""

    memory_id: str
    content: str
    timestamp: float
    significance: float = 0.5
    relevance: float = 0.5
    emotional_impact: float = 0.5
    technical_value: float = 0.5
    user_rating: float = 0.5
    confidence: float = 1.0
    source: str = "automated"
    access_count: int = 0
    tags: dict[str, bool] = field(default_factory=dict)
    spark_intensity: float = 0.0

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "Memory":
        """Build from a normalized landing record (extra keys such as `is_private` are ignored)."""
        kwargs: dict[str, Any] = {"memory_id": str(record["memory_id"]), "content": str(record["content"]),
                                  "timestamp": float(record["timestamp"])}
        for name in FACTOR_NAMES:
            if record.get(name) is not None:
                kwargs[name] = float(record[name])
        if record.get("source") is not None:
            kwargs["source"] = str(record["source"])
        if record.get("access_count") is not None:
            kwargs["access_count"] = int(record["access_count"])
        if record.get("spark_intensity") is not None:
            kwargs["spark_intensity"] = float(record["spark_intensity"])
        kwargs["tags"] = {str(k): bool(v) for k, v in dict(record.get("tags") or {}).items()}
        return cls(**kwargs)

    def has_tag(self, name: str) -> bool:
        """True only when the tag is present and set to true."""
        return bool(self.tags.get(name, False))


def _clamp01(x: float) -> float:
    return min(1.0, max(0.0, x))


class MemoryScorer:
    """Base importance and spark intensity (SPEC §1)."""

    def source_multiplier(self, source: str) -> float:
        return SOURCE_MULTIPLIERS.get(source, UNKNOWN_SOURCE_MULTIPLIER)

    def calculate_base_importance(self, memory: Memory) -> float:
        weighted = sum(weight * getattr(memory, name) for name, weight in FACTOR_WEIGHTS.items())
        return _clamp01(weighted * memory.confidence ** 2 * self.source_multiplier(memory.source))

    def calculate_spark_intensity(self, memory: Memory) -> float:
        spark = 0.0
        if memory.has_tag("breakthrough"):
            spark += SPARK_BREAKTHROUGH
        if any(memory.has_tag(t) for t in SPARK_EMOTION_TAGS):
            spark += SPARK_EMOTION_WEIGHT * memory.emotional_impact
        if memory.has_tag("collaborative") or SPARK_COLLABORATION_PHRASE in memory.content.lower():
            spark += SPARK_COLLABORATION
        if memory.significance >= SPARK_SIGNIFICANCE_MIN and memory.confidence > SPARK_CONFIDENCE_ABOVE:
            spark += SPARK_HIGH_SIGNIFICANCE
        return min(spark, 1.0)


class TemporalDecay:
    """Half-life decay by importance tier, with consolidation by access count."""

    def tier(self, importance: float) -> ImportanceTier:
        for bound, tier in TIER_BOUNDS:
            if importance >= bound:
                return tier
        return ImportanceTier.LOW

    def half_life_days(self, importance: float) -> float:
        return self.tier(importance).half_life_days

    def temporal_score(self, importance: float, age_days: float) -> float:
        age = max(0.0, age_days)
        return math.exp(-math.log(2) / self.half_life_days(importance) * age)

    def consolidate(self, temporal: float, access_count: int) -> float:
        if access_count > 0:
            return min(1.0, temporal * (1.0 + CONSOLIDATION_RATE * math.log(1 + access_count)))
        return temporal


@dataclass(frozen=True)
class PersistenceScore:
    importance: float
    spark: float
    tier: ImportanceTier
    age_days: float
    temporal: float
    consolidated: float
    persistence: float
    persists: bool


class MemoryPersistence:
    """Persistence = 0.4·importance + 0.3·consolidated temporal + 0.3·spark; persists at >= threshold."""

    def __init__(self, threshold: float = PERSISTENCE_THRESHOLD, scorer: MemoryScorer | None = None,
                 decay: TemporalDecay | None = None):
        self.threshold = threshold
        self.scorer = scorer or MemoryScorer()
        self.decay = decay or TemporalDecay()

    def score(self, memory: Memory, now: float | None = None) -> PersistenceScore:
        now = time.time() if now is None else float(now)
        importance = self.scorer.calculate_base_importance(memory)
        spark = self.scorer.calculate_spark_intensity(memory)
        age_days = max(0.0, (now - memory.timestamp) / SECONDS_PER_DAY)
        temporal = self.decay.temporal_score(importance, age_days)
        consolidated = self.decay.consolidate(temporal, memory.access_count)
        w = PERSISTENCE_WEIGHTS
        persistence = w["importance"] * importance + w["temporal"] * consolidated + w["spark"] * spark
        return PersistenceScore(importance=importance, spark=spark, tier=self.decay.tier(importance),
                                age_days=age_days, temporal=temporal, consolidated=consolidated,
                                persistence=persistence, persists=persistence >= self.threshold)

    def persistence_score(self, memory: Memory, now: float | None = None) -> float:
        return self.score(memory, now).persistence

    def should_persist(self, memory: Memory, now: float | None = None) -> bool:
        return self.score(memory, now).persists
