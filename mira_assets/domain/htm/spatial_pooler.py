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
import torch

from mira_assets.domain.htm.backends import permanences
from mira_assets.domain.htm.config import HTMConfig, LevelConfig, permanence_units


class SpatialPooler:
    """One level's spatial pooler: permanences (in a backend), duty cycles, boost factors, the step."""

    def __init__(self, config: HTMConfig, level: LevelConfig, tensors: dict[str, torch.Tensor],
                 device: torch.device, backend: str):
        self.level = level
        self.increment = permanence_units(config.permanence_increment, "permanence_increment")
        self.decrement = permanence_units(config.permanence_decrement, "permanence_decrement")
        self.connected = permanence_units(config.connected_permanence, "connected_permanence")
        self.period = np.float32(config.sp_duty_cycle_period)
        self.strength = np.float32(config.sp_boost_strength)
        self.target = np.float32(level.active_columns / level.columns)
        missing = [n for n in ("perm", "duty") if n not in tensors]
        if missing:
            raise ValueError(f"spatial pooler of level {level.index + 1} lacks tensors {missing}")
        perm, duty = tensors["perm"], tensors["duty"]
        if tuple(perm.shape) != (level.columns, level.inputs) or perm.dtype != torch.int8:
            raise ValueError(f"level {level.index + 1} SP permanences: shape {tuple(perm.shape)} {perm.dtype}, "
                             f"expected ({level.columns}, {level.inputs}) int8")
        if tuple(duty.shape) != (level.columns,) or duty.dtype != torch.float32:
            raise ValueError(f"level {level.index + 1} SP duty cycles: shape {tuple(duty.shape)} {duty.dtype}")
        self.perm = permanences(perm, self.connected, device, backend)
        self.duty = duty.cpu().numpy().copy()
        self.boost = self._boost()

    @classmethod
    def fresh(cls, config: HTMConfig, level: LevelConfig, gen: torch.Generator, device: torch.device,
              backend: str) -> "SpatialPooler":
        connected = permanence_units(config.connected_permanence, "connected_permanence")
        spread = permanence_units(config.sp_initial_spread, "sp_initial_spread")
        pool = max(1, round(level.inputs * config.sp_potential_fraction))
        order = torch.rand((level.columns, level.inputs), generator=gen).argsort(1)
        in_pool = torch.zeros((level.columns, level.inputs), dtype=torch.bool)
        in_pool.scatter_(1, order[:, :pool], True)
        values = torch.randint(connected - spread, connected + spread, (level.columns, level.inputs), generator=gen)
        tensors = {
            "perm": torch.where(in_pool, values, -1).to(torch.int8),
            "duty": torch.full((level.columns,), level.active_columns / level.columns, dtype=torch.float32),
        }
        return cls(config, level, tensors, device, backend)

    def tensors(self) -> dict[str, torch.Tensor]:
        return {"perm": self.perm.tensor(), "duty": torch.from_numpy(self.duty)}

    def _boost(self) -> np.ndarray:
        return np.exp((self.target - self.duty) * self.strength).astype(np.float32)

    def compute(self, active_inputs: np.ndarray, learn: bool = True) -> np.ndarray:
        """The k winning columns (sorted int64) for the active input bits `active_inputs` (sorted int64)."""
        score = self.perm.overlap(active_inputs).astype(np.float32) * self.boost
        winners = np.sort(np.argsort(-score, kind="stable")[: self.level.active_columns])
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
