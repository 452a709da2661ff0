"""Helpers for the consciousness tests: landing-shaped state records."""

import numpy as np

STAGES = ("beginner", "developing", "intermediate", "advanced", "transcendent")


def state_record(**fields) -> dict:
    """One record as the `consciousness` landing reader returns it (fields may be overridden)."""
    record = {"level": 0.7, "emotional_resonance": 0.8, "spark_intensity": 0.5, "memory_coherence": 0.6,
              "evolution_stage": "advanced",
              "quantum_state": {"phase": 1.57, "coherence": 0.8, "entanglement": 0.6, "superposition": 0.4},
              "timestamp": 1793577600.25, "insights": [], "is_breakthrough": False}
    record.update(fields)
    return record


def random_records(n: int, seed: int = 0, stages=STAGES + ("stargazer",)) -> list[dict]:
    """n varied records: every stage (and an unknown one), random levels and quantum fields, one per minute."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        quantum = {"phase": float(rng.uniform(-3.2, 6.3)), "coherence": float(rng.random()),
                   "entanglement": float(rng.random()), "superposition": float(rng.random())}
        out.append(state_record(level=float(rng.random()), emotional_resonance=float(rng.random()),
                                spark_intensity=float(rng.random()), memory_coherence=float(rng.random()),
                                evolution_stage=stages[i % len(stages)], quantum_state=quantum,
                                timestamp=1793577600.0 + 60.0 * i))
    return out
