"""SPEC §1 pinned on hand-computed cases: every weight, multiplier, tier boundary, half-life and spark rule."""

import math

import pytest

from mira_assets.domain.scoring import ImportanceTier, Memory, MemoryPersistence, MemoryScorer, TemporalDecay

DAY = 86400.0
NOW = 1_800_000_000.0
ZERO = dict(significance=0.0, relevance=0.0, emotional_impact=0.0, technical_value=0.0, user_rating=0.0)


def mem(content="plain words", **kw) -> Memory:
    kw.setdefault("timestamp", NOW)
    return Memory(memory_id="m1", content=content, **kw)


scorer = MemoryScorer()
decay = TemporalDecay()


def test_defaults_are_the_spec_defaults():
    m = Memory(memory_id="x", content="y", timestamp=0.0)
    assert (m.significance, m.relevance, m.emotional_impact, m.technical_value, m.user_rating) == (0.5,) * 5
    assert m.confidence == 1.0 and m.source == "automated" and m.access_count == 0
    assert m.tags == {} and m.spark_intensity == 0.0
    # 0.5 weighted · 1² · automated 0.8
    assert scorer.calculate_base_importance(m) == pytest.approx(0.4)


@pytest.mark.parametrize("factor,weight", [("significance", 0.30), ("relevance", 0.20), ("emotional_impact", 0.15),
                                           ("technical_value", 0.20), ("user_rating", 0.15)])
def test_each_factor_weight(factor, weight):
    m = mem(source="analysis", confidence=1.0, **{**ZERO, factor: 1.0})
    assert scorer.calculate_base_importance(m) == pytest.approx(weight)


@pytest.mark.parametrize("source,expected", [("manual", 1.0), ("conversation", 0.6), ("analysis", 0.5),
                                             ("automated", 0.4), ("background", 0.2), ("somewhere-else", 0.5)])
def test_source_multipliers(source, expected):
    # all factors 0.5 -> weighted sum 0.5; confidence 1
    assert scorer.calculate_base_importance(mem(source=source)) == pytest.approx(expected)


def test_confidence_is_squared_and_result_clamped():
    assert scorer.calculate_base_importance(mem(source="analysis", confidence=0.5)) == pytest.approx(0.125)
    everything = dict(significance=1.0, relevance=1.0, emotional_impact=1.0, technical_value=1.0, user_rating=1.0)
    assert scorer.calculate_base_importance(mem(source="manual", **everything)) == 1.0  # 2.0 clamped
    assert scorer.calculate_base_importance(mem(source="background", **ZERO)) == 0.0


def test_mixed_case_by_hand():
    m = mem(significance=0.9, relevance=0.4, emotional_impact=0.7, technical_value=0.2, user_rating=0.6,
            confidence=0.9, source="conversation")
    weighted = 0.30 * 0.9 + 0.20 * 0.4 + 0.15 * 0.7 + 0.20 * 0.2 + 0.15 * 0.6  # 0.585
    assert scorer.calculate_base_importance(m) == pytest.approx(weighted * 0.81 * 1.2)  # 0.568620


# --- spark ------------------------------------------------------------------------------------------------

def test_spark_breakthrough():
    assert scorer.calculate_spark_intensity(mem(tags={"breakthrough": True})) == pytest.approx(0.3)
    assert scorer.calculate_spark_intensity(mem(tags={"breakthrough": False})) == 0.0


@pytest.mark.parametrize("tag", ["joy", "excitement", "wonder", "love"])
def test_spark_emotion_tags(tag):
    assert scorer.calculate_spark_intensity(mem(emotional_impact=0.6, tags={tag: True})) == pytest.approx(0.12)
    # a tag set to false is no tag (the original counted the key)
    assert scorer.calculate_spark_intensity(mem(emotional_impact=0.6, tags={tag: False})) == 0.0


def test_spark_emotion_counts_once():
    tags = {"joy": True, "excitement": True, "wonder": True, "love": True}
    assert scorer.calculate_spark_intensity(mem(emotional_impact=0.5, tags=tags)) == pytest.approx(0.1)


def test_spark_collaboration_by_tag_or_content():
    assert scorer.calculate_spark_intensity(mem(tags={"collaborative": True})) == pytest.approx(0.25)
    assert scorer.calculate_spark_intensity(mem(tags={"collaborative": False})) == 0.0
    assert scorer.calculate_spark_intensity(mem("A CO-Creation with the user")) == pytest.approx(0.25)
    assert scorer.calculate_spark_intensity(mem("co creation without the hyphen")) == 0.0
    # tag and content together still give 0.25 once
    assert scorer.calculate_spark_intensity(mem("co-creation", tags={"collaborative": True})) == pytest.approx(0.25)


def test_spark_high_significance_boundaries():
    assert scorer.calculate_spark_intensity(mem(significance=0.8, confidence=0.81)) == pytest.approx(0.25)
    assert scorer.calculate_spark_intensity(mem(significance=0.8, confidence=0.8)) == 0.0  # confidence must be > 0.8
    assert scorer.calculate_spark_intensity(mem(significance=0.79, confidence=1.0)) == 0.0  # significance >= 0.8


def test_spark_all_rules_sum_and_cap():
    m = mem("co-creation", significance=1.0, confidence=1.0, emotional_impact=1.0,
            tags={"breakthrough": True, "joy": True})
    assert scorer.calculate_spark_intensity(m) == pytest.approx(1.0)  # 0.3 + 0.2 + 0.25 + 0.25
    assert scorer.calculate_spark_intensity(m) <= 1.0
    m2 = mem(significance=1.0, confidence=1.0, emotional_impact=0.5, tags={"breakthrough": True, "wonder": True})
    assert scorer.calculate_spark_intensity(m2) == pytest.approx(0.3 + 0.1 + 0.25)


def test_record_field_spark_does_not_enter_the_calculation():
    assert scorer.calculate_spark_intensity(mem(spark_intensity=0.9)) == 0.0


# --- temporal decay ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("importance,tier,half_life", [
    (1.0, ImportanceTier.CRITICAL, 730), (0.8, ImportanceTier.CRITICAL, 730),
    (0.7999, ImportanceTier.HIGH, 182), (0.6, ImportanceTier.HIGH, 182),
    (0.5999, ImportanceTier.MEDIUM, 30), (0.4, ImportanceTier.MEDIUM, 30),
    (0.3999, ImportanceTier.LOW, 7), (0.0, ImportanceTier.LOW, 7),
])
def test_tier_boundaries_and_half_lives(importance, tier, half_life):
    assert decay.tier(importance) is tier
    assert decay.half_life_days(importance) == half_life
    # one half-life halves the score, two quarter it
    assert decay.temporal_score(importance, half_life) == pytest.approx(0.5)
    assert decay.temporal_score(importance, 2 * half_life) == pytest.approx(0.25)


def test_temporal_score_formula():
    assert decay.temporal_score(0.5, 0) == 1.0
    assert decay.temporal_score(0.5, 10) == pytest.approx(math.exp(-math.log(2) / 30 * 10))
    assert decay.temporal_score(0.5, -5) == 1.0  # future timestamps count as age 0


def test_consolidation():
    assert decay.consolidate(0.5, 0) == 0.5
    assert decay.consolidate(0.5, 3) == pytest.approx(0.5 * (1 + 0.1 * math.log(4)))  # 0.569315
    assert decay.consolidate(0.5, 1) == pytest.approx(0.5 * (1 + 0.1 * math.log(2)))
    assert decay.consolidate(0.95, 100) == 1.0  # capped


# --- persistence ------------------------------------------------------------------------------------------

FULL = dict(significance=1.0, relevance=1.0, emotional_impact=1.0, technical_value=1.0, user_rating=1.0,
            confidence=1.0, source="analysis")


def test_persistence_by_hand():
    p = MemoryPersistence()
    old = NOW - 730 * DAY
    # importance 1.0 (CRITICAL), spark 0.25 (significance rule), temporal 0.5 after one half-life
    s = p.score(mem(timestamp=old, **FULL), now=NOW)
    assert (s.importance, s.spark, s.tier) == (pytest.approx(1.0), pytest.approx(0.25), ImportanceTier.CRITICAL)
    assert s.temporal == pytest.approx(0.5) and s.age_days == pytest.approx(730)
    assert s.persistence == pytest.approx(0.4 * 1.0 + 0.3 * 0.5 + 0.3 * 0.25)  # 0.625
    assert not s.persists
    # consolidation by 3 accesses
    s = p.score(mem(timestamp=old, access_count=3, **FULL), now=NOW)
    assert s.persistence == pytest.approx(0.4 + 0.3 * 0.5 * (1 + 0.1 * math.log(4)) + 0.075)  # 0.645794
    # a breakthrough tag lifts spark to 0.55 and the memory persists
    s = p.score(mem(timestamp=old, tags={"breakthrough": True}, **FULL), now=NOW)
    assert s.persistence == pytest.approx(0.4 + 0.15 + 0.3 * 0.55) and s.persists  # 0.715


def test_default_memory_fresh_and_old():
    p = MemoryPersistence()
    # defaults: importance 0.4 (MEDIUM, 30 d), spark 0; fresh: 0.16 + 0.3 = 0.46
    assert p.persistence_score(mem(), now=NOW) == pytest.approx(0.46)
    assert p.persistence_score(mem(timestamp=NOW - 30 * DAY), now=NOW) == pytest.approx(0.16 + 0.15)
    assert not p.should_persist(mem(), now=NOW)


def test_threshold_is_inclusive_and_default_0_7():
    assert MemoryPersistence().threshold == 0.7
    m = mem(timestamp=NOW - 730 * DAY, **FULL)
    value = MemoryPersistence().persistence_score(m, now=NOW)
    assert MemoryPersistence(threshold=value).should_persist(m, now=NOW)
    assert not MemoryPersistence(threshold=value + 1e-9).should_persist(m, now=NOW)


def test_from_record_ignores_false_tags_for_spark_and_keeps_them():
    record = {"memory_id": "a", "content": "c", "timestamp": NOW, "tags": {"joy": False, "breakthrough": True},
              "is_private": False, "emotional_impact": 0.5}
    m = Memory.from_record(record)
    assert m.tags == {"joy": False, "breakthrough": True}
    assert scorer.calculate_spark_intensity(m) == pytest.approx(0.3)
