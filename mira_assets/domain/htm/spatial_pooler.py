"""Spatial pooler (BAMI, "Spatial Pooling Algorithm") with global inhibition.

Each column has a potential pool (a random share of the level's inputs); its permanences
(integer hundredths, -1 outside the pool) start uniformly around the connected threshold, so
about half the potential synapses are connected from the first step. A step: overlap =
connected synapses onto active inputs; boosted by the column's active duty cycle; the k best
columns win (ties to the lower column index); the winners learn Hebbian-wise (active inputs
+increment, other potential inputs -decrement); duty cycles and boost factors follow
(boost = exp(strength * (target density - duty cycle)), Cui, Ahmad, Hawkins 2017).
"""

from __future__ import annotations

import numpy as np

from mira_assets.domain.htm.backends import permanences
from mira_assets.domain.htm.config import HTMConfig, LevelConfig, permanence_units
from mira_assets.domain.htm.sdr import top_k


class SpatialPooler:
    """One level's spatial pooler: permanences (in a backend), duty cycles, boost factors, the step."""

    def __init__(self, config: HTMConfig, level: LevelConfig, arrays: dict[str, np.ndarray], device, backend: str):
        self.level = level
        self.increment = permanence_units(config.permanence_increment, "permanence_increment")
        self.decrement = permanence_units(config.permanence_decrement, "permanence_decrement")
        self.connected = permanence_units(config.connected_permanence, "connected_permanence")
        self.period = np.float32(config.sp_duty_cycle_period)
        self.strength = np.float32(config.sp_boost_strength)
        self.target = np.float32(level.active_columns / level.columns)
        missing = [n for n in ("perm", "duty") if n not in arrays]
        if missing:
            raise ValueError(f"spatial pooler of level {level.index + 1} lacks arrays {missing}")
        perm, duty = arrays["perm"], arrays["duty"]
        if perm.shape != (level.columns, level.inputs) or perm.dtype != np.int8:
            raise ValueError(f"level {level.index + 1} SP permanences: shape {perm.shape} {perm.dtype}, "
                             f"expected ({level.columns}, {level.inputs}) int8")
        if duty.shape != (level.columns,) or duty.dtype != np.float32:
            raise ValueError(f"level {level.index + 1} SP duty cycles: shape {duty.shape} {duty.dtype}")
        self.perm = permanences(perm, self.connected, device, backend)
        self.duty = duty.copy()
        self.boost = self._boost()

    @classmethod
    def fresh(cls, config: HTMConfig, level: LevelConfig, rng: np.random.Generator, device,
              backend: str) -> "SpatialPooler":
        connected = permanence_units(config.connected_permanence, "connected_permanence")
        spread = permanence_units(config.sp_initial_spread, "sp_initial_spread")
        shape = (level.columns, level.inputs)
        pool = min(level.inputs, max(1, round(level.inputs * config.sp_potential_fraction)))
        in_pool = np.zeros(shape, np.bool_)
        chosen = np.argpartition(rng.random(shape), pool - 1, axis=1)[:, :pool]
        np.put_along_axis(in_pool, chosen, True, axis=1)
        values = rng.integers(connected - spread, connected + spread, shape)
        arrays = {
            "perm": np.where(in_pool, values, -1).astype(np.int8),
            "duty": np.full(level.columns, level.active_columns / level.columns, np.float32),
        }
        return cls(config, level, arrays, device, backend)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"perm": self.perm.array(), "duty": self.duty}

    def _boost(self) -> np.ndarray:
        return np.exp((self.target - self.duty) * self.strength).astype(np.float32)

    def compute(self, active_inputs: np.ndarray, learn: bool = True) -> np.ndarray:
        """The k winning columns (sorted int64) for the active input bits `active_inputs` (sorted int64)."""
        score = self.perm.overlap(active_inputs).astype(np.float32) * self.boost
        winners = top_k(score, self.level.active_columns)
        if learn:
            delta = np.full(self.level.inputs, -self.decrement, np.int8)
            delta[active_inputs] = self.increment
            self.perm.learn(winners, delta)
            active = np.zeros(self.level.columns, np.float32)
            active[winners] = 1.0
            self.duty += (active - self.duty) / self.period
            self.boost = self._boost()
        return winners

    def connected_synapses(self) -> int:
        return self.perm.connected_count()

