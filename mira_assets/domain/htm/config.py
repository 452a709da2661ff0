"""HTM parameters (SPEC §3) and the per-level values derived from them.

Permanences are kept as integer hundredths (0.21 -> 21): every SPEC permanence is a multiple
of 0.01, so learning is exact integer arithmetic and a state is bit-identical wherever it
is computed.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

PERMANENCE_SCALE = 100  # permanence units per 1.0


def permanence_units(value: float, name: str) -> int:
    """`value` in hundredths; refuses values that are not a whole number of hundredths."""
    units = round(value * PERMANENCE_SCALE)
    if abs(units - value * PERMANENCE_SCALE) > 1e-6 or not 0 <= units <= PERMANENCE_SCALE:
        raise ValueError(f"HTM {name}={value}: permanences must be multiples of 0.01 in [0, 1]")
    return units


@dataclass(frozen=True)
class HTMConfig:
    """The hierarchy's parameters. Defaults are SPEC §3 (exact) plus the engine's own knobs."""

    input_dim: int = 384
    columns: int = 2048
    cells_per_column: int = 32
    activation_threshold: int = 8
    initial_permanence: float = 0.21
    permanence_increment: float = 0.05
    permanence_decrement: float = 0.01
    connected_permanence: float = 0.5
    sparsity: float = 0.05
    min_threshold: int = 5
    max_new_synapses: int = 20
    hierarchy_columns: tuple[int, ...] = (2048, 512, 128)
    abstraction_dim: int = 32
    # Engine knobs (not in the seed).
    flyhash_inputs_per_bit: int = 32        # inputs summed by each SDR bit (Dasgupta et al.: ~10 %)
    sp_potential_fraction: float = 0.5      # share of a level's inputs in each column's potential pool
    sp_initial_spread: float = 0.1          # SP permanences start uniform in connected ± this
    sp_duty_cycle_period: int = 1000
    sp_boost_strength: float = 2.0          # boost = exp(strength * (target density - duty cycle))
    tm_predicted_segment_decrement: float = 0.01  # punishment of a segment that predicted wrongly
    tm_max_synapses_per_segment: int = 32
    tm_max_segments_per_column: int = 128   # beyond it a new segment replaces the column's least recently used
    tm_initial_segments_per_column: int = 4  # storage starts here and doubles as columns fill
    likelihood_learning_period: int = 288   # steps of raw scores before the likelihood is estimated
    likelihood_estimation_samples: int = 100
    likelihood_window: int = 8640           # raw scores the distribution is estimated from
    likelihood_averaging_window: int = 10   # short-term mean of the raw score

    def __post_init__(self) -> None:
        if len(self.hierarchy_columns) < 1 or self.hierarchy_columns[0] != self.columns:
            raise ValueError(f"hierarchy_columns must start with columns={self.columns}: {self.hierarchy_columns}")
        if not 1 <= self.cells_per_column <= 127:
            raise ValueError("cells_per_column must be in 1..127")
        if self.tm_max_synapses_per_segment < self.max_new_synapses:
            raise ValueError("tm_max_synapses_per_segment must be at least max_new_synapses")
        for name in ("initial_permanence", "permanence_increment", "permanence_decrement",
                     "connected_permanence", "sp_initial_spread", "tm_predicted_segment_decrement"):
            permanence_units(getattr(self, name), name)
        if any(c < 1 for c in self.hierarchy_columns) or self.input_dim < 1:
            raise ValueError("column counts and input_dim must be positive")
        if not 1 <= self.tm_initial_segments_per_column or self.tm_max_segments_per_column < 1:
            raise ValueError("segments per column must be at least 1")
        if max(self.hierarchy_columns) * self.tm_max_segments_per_column * self.tm_max_synapses_per_segment >= 2 ** 31:
            raise ValueError("columns x segments per column x synapses per segment must stay below 2**31")
        if self.sdr_active_bits * self.cells_per_column >= 2 ** 16:
            raise ValueError("active columns x cells per column must stay below 65,536 (winner cells per step)")

    def levels(self) -> list["LevelConfig"]:
        """One LevelConfig per hierarchy level; level l reads level l-1's columns (level 0 the SDR)."""
        out, inputs = [], self.columns
        for index, cols in enumerate(self.hierarchy_columns):
            k = max(1, round(cols * self.sparsity))
            out.append(LevelConfig(
                index=index,
                inputs=inputs,
                columns=cols,
                cells_per_column=self.cells_per_column,
                active_columns=k,
                activation_threshold=min(self.activation_threshold, math.ceil(k / 2)),
                min_threshold=min(self.min_threshold, math.ceil(0.3 * k)),
                max_new_synapses=min(self.max_new_synapses, k),
            ))
            inputs = cols
        return out

    @property
    def sdr_active_bits(self) -> int:
        return max(1, round(self.columns * self.sparsity))

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "HTMConfig":
        data = json.loads(text)
        data["hierarchy_columns"] = tuple(data["hierarchy_columns"])
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"HTM config has unknown fields {sorted(unknown)}")
        return cls(**data)


@dataclass(frozen=True)
class LevelConfig:
    """One level's sizes and thresholds (SPEC §3 per-level rule: 8/5/20, 8/5/20, 3/2/6 at MIRA's sizes)."""

    index: int
    inputs: int
    columns: int
    cells_per_column: int
    active_columns: int
    activation_threshold: int
    min_threshold: int
    max_new_synapses: int

    @property
    def cells(self) -> int:
        return self.columns * self.cells_per_column
