"""A consciousness state as SPEC §2 defines it, its canonical JSON, its id and its noise seed.

Framework-free. Everything that must not change between processes is derived from the canonical JSON (never
from Python's salted `hash`): the state id and the seed of the encoder's noise. Landing records (the dicts the
`consciousness` reader produces) carry two more fields, `insights` and `is_breakthrough`; they belong to the
evolution rule (`evolution.py`), not to the state, and never enter its JSON, id or vector.
"""

from __future__ import annotations

import hashlib
import math
from json.encoder import encode_basestring as _json_string  # what json.dumps(ensure_ascii=False) writes
from dataclasses import dataclass, field
from typing import Any, Mapping

from mira_assets.domain.landing import QUANTUM_DEFAULTS, validate_record

#: Stage -> stage value (SPEC §2). Any other stage is accepted; its value is UNKNOWN_STAGE_VALUE.
STAGE_VALUES: dict[str, float] = {
    "beginner": 0.2, "developing": 0.4, "intermediate": 0.6, "advanced": 0.8, "transcendent": 1.0,
}
UNKNOWN_STAGE_VALUE = 0.5
QUANTUM_KEYS: tuple[str, ...] = tuple(QUANTUM_DEFAULTS)  # phase, coherence, entanglement, superposition
ID_PREFIX = "consciousness_"
ID_HEX_CHARS = 12


def quantum_with_defaults(quantum: Mapping[str, Any] | None) -> dict[str, float]:
    """The four quantum keys with SPEC §2 defaults for missing (or null) ones, as floats; other keys dropped."""
    quantum = quantum or {}
    out: dict[str, float] = {}
    for key, default in QUANTUM_DEFAULTS.items():
        value = quantum.get(key)
        out[key] = float(default if value is None else value)
    return out


@dataclass(frozen=True)
class ConsciousnessState:
    """One state: four levels in [0, 1], a stage name, the quantum dict (four keys) and epoch seconds.

    A value: its digest (hence id and noise seed) is computed once, so do not mutate `quantum_state`;
    make a new state (`dataclasses.replace`) instead."""

    level: float
    emotional_resonance: float
    spark_intensity: float
    memory_coherence: float
    evolution_stage: str
    quantum_state: dict[str, float] = field(hash=False)
    timestamp: float

    def __post_init__(self) -> None:
        for name in ("level", "emotional_resonance", "spark_intensity", "memory_coherence", "timestamp"):
            object.__setattr__(self, name, float(getattr(self, name)))
        object.__setattr__(self, "evolution_stage", str(self.evolution_stage))
        object.__setattr__(self, "quantum_state", quantum_with_defaults(self.quantum_state))

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "ConsciousnessState":
        """From a normalized landing record (or any mapping with the same fields); extra keys are ignored."""
        return cls(level=record["level"], emotional_resonance=record["emotional_resonance"],
                   spark_intensity=record["spark_intensity"], memory_coherence=record["memory_coherence"],
                   evolution_stage=record["evolution_stage"], quantum_state=record.get("quantum_state"),
                   timestamp=record["timestamp"])

    def canonical_dict(self) -> dict[str, Any]:
        return {"level": self.level, "emotional_resonance": self.emotional_resonance,
                "spark_intensity": self.spark_intensity, "memory_coherence": self.memory_coherence,
                "evolution_stage": self.evolution_stage, "quantum_state": dict(self.quantum_state),
                "timestamp": self.timestamp}

    def canonical_json(self) -> str:
        """SPEC §2: `json.dumps(canonical_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.

        Written out key by key (sorted) because it runs once per state of every batch; tests hold it equal to
        that `json.dumps`. `float.__repr__` is what `json` writes for a finite float."""
        q = self.quantum_state
        r, lv, c, s, ts = self.emotional_resonance, self.level, self.memory_coherence, self.spark_intensity, \
            self.timestamp
        qc, qe, qp, qs = q["coherence"], q["entanglement"], q["phase"], q["superposition"]
        if not math.isfinite(r + lv + c + s + ts + qc + qe + qp + qs):  # one sum: NaN and inf propagate
            if not all(map(math.isfinite, (r, lv, c, s, ts, qc, qe, qp, qs))):
                raise ValueError("consciousness state: a field is not a finite number")
        return (f'{{"emotional_resonance":{r!r},"evolution_stage":{_json_string(self.evolution_stage)},'
                f'"level":{lv!r},"memory_coherence":{c!r},"quantum_state":{{"coherence":{qc!r},'
                f'"entanglement":{qe!r},"phase":{qp!r},"superposition":{qs!r}}},"spark_intensity":{s!r},'
                f'"timestamp":{ts!r}}}')

    @property
    def digest(self) -> bytes:
        """SHA-256 of the canonical JSON (UTF-8); computed once per state object (kept beside the fields)."""
        digest = self.__dict__.get("_digest")
        if digest is None:
            digest = self.__dict__["_digest"] = hashlib.sha256(self.canonical_json().encode("utf-8")).digest()
        return digest

    @property
    def state_id(self) -> str:
        """`consciousness_<round(timestamp·1000)>_<first 12 hex of sha256(canonical JSON)>`."""
        return f"{ID_PREFIX}{round(self.timestamp * 1000)}_{self.digest.hex()[:ID_HEX_CHARS]}"

    @property
    def noise_seed(self) -> int:
        """The first 8 bytes of sha256(canonical JSON), big-endian unsigned: seeds the evolution noise."""
        return int.from_bytes(self.digest[:8], "big")


def parse_state(obj: Any, *, default_timestamp: float | None = None) -> ConsciousnessState:
    """A state from user input (e.g. the CLI's `--state` JSON), judged by the landing contract.

    The timestamp only seeds the state's noise (at most 0.01·(1−coherence) per evolution dimension), so a
    query may leave it out when `default_timestamp` is given. Raises RecordError naming fields, never values.
    """
    if isinstance(obj, dict) and obj.get("timestamp") is None and default_timestamp is not None:
        obj = {**obj, "timestamp": float(default_timestamp)}
    return ConsciousnessState.from_record(validate_record("consciousness", obj))
