"""The HTM hierarchy step (SDR -> 2048 -> 512 -> 128 columns -> 32-d abstraction) and a day's run.

Each level's spatial pooler reads the previous level's active columns (level 1 reads the
FlyHash SDR of the 384-d vector); each level's temporal memory learns the sequence of its
columns. Surprise per level is the share of active columns that were not predicted at the
previous step; `surprise_level` is their mean; the anomaly likelihood is computed on it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from mira_assets.domain.htm.random import step_seed
from mira_assets.domain.htm.state import HTMState


@dataclass
class StepResult:
    """One step's output: the seed's contract plus per-level surprise and the likelihood.

    Column and cell ids are sorted int64 numpy arrays, one per level; `predicted_*` are the
    predictions this step makes for the next one.
    """

    step: int
    active_columns: list[np.ndarray]
    predicted_columns: list[np.ndarray]
    predicted_cells: list[np.ndarray]
    surprise_per_level: list[float]
    surprise_level: float
    likelihood: float
    final_representation: np.ndarray
    seconds: float = field(default=0.0, compare=False)

    @property
    def activations(self) -> list[np.ndarray]:
        return self.active_columns

    @property
    def predictions(self) -> list[np.ndarray]:
        return self.predicted_cells

    @property
    def abstractions(self) -> list[np.ndarray]:
        return [self.final_representation]

    def to_record(self) -> dict:
        """Plain JSON-ready numbers: the pattern of this step (e.g. a private memory's HTM record)."""
        return {
            "step": self.step,
            "active_columns": [a.tolist() for a in self.active_columns],
            "predicted_columns": [p.tolist() for p in self.predicted_columns],
            "abstraction": [float(x) for x in self.final_representation],
            "surprise_level": self.surprise_level,
            "surprise_per_level": list(self.surprise_per_level),
            "likelihood": self.likelihood,
        }

    def contract(self) -> dict:
        """The seed's output dictionary (`activations`, `predictions`, `abstractions`, ...)."""
        return {
            "activations": self.activations,
            "predictions": self.predictions,
            "abstractions": self.abstractions,
            "surprise_level": self.surprise_level,
            "final_representation": self.final_representation,
            "surprise_per_level": self.surprise_per_level,
            "likelihood": self.likelihood,
        }


class Hierarchy:
    """Runs steps on a state (mutating it): `Hierarchy(state).step(vector)`."""

    def __init__(self, state: HTMState):
        self.state = state

    def step(self, vector: np.ndarray, learn: bool = True) -> StepResult:
        """Feed one 384-d vector through all levels; ValueError when the vector cannot be encoded."""
        started = time.perf_counter()
        return self.step_sdr(self.state.flyhash.encode(vector), learn=learn, started=started)

    def step_sdr(self, sdr: np.ndarray, learn: bool = True, started: float | None = None) -> StepResult:
        """One step from an already encoded SDR (sorted active bit indices)."""
        started = time.perf_counter() if started is None else started
        st = self.state
        current = sdr
        actives, predicted_cols, predicted_cells, surprises = [], [], [], []
        for index, level in enumerate(st.levels):
            columns = level.sp.compute(current, learn=learn)
            out = level.tm.compute(columns, st.steps, step_seed(st.seed, st.steps, index), learn=learn)
            actives.append(columns)
            predicted_cols.append(out.predicted_columns)
            predicted_cells.append(out.predictive_cells)
            surprises.append(out.anomaly)
            current = columns
        final = np.tanh(st.abstraction[current].sum(0, dtype=np.float32))
        surprise = float(sum(surprises) / len(surprises))
        likelihood = st.likelihood.update(surprise)
        result = StepResult(
            step=st.steps,
            active_columns=actives,
            predicted_columns=predicted_cols,
            predicted_cells=predicted_cells,
            surprise_per_level=[float(s) for s in surprises],
            surprise_level=surprise,
            likelihood=likelihood,
            final_representation=final,
        )
        st.steps += 1
        result.seconds = time.perf_counter() - started
        return result


def run_day(state: HTMState, vectors: Iterable[np.ndarray] | np.ndarray, learn: bool = True, copy: bool = True,
            on_step: Callable[[StepResult], None] | None = None) -> tuple[HTMState, list[StepResult]]:
    """Feed `vectors` in order; returns the state after them (a copy unless copy=False) and each step's result.

    A vector that cannot be encoded raises ValueError naming its position; the state is then
    left as it was before that vector (when copy=True, the caller's state is never touched).
    """
    state = state.clone() if copy else state
    hierarchy = Hierarchy(state)
    results = []
    for position, vector in enumerate(vectors):
        started = time.perf_counter()
        try:
            sdr = state.flyhash.encode(vector)
        except ValueError as exc:
            raise ValueError(f"vector {position}: {exc}") from None
        result = hierarchy.step_sdr(sdr, learn=learn, started=started)
        results.append(result)
        if on_step is not None:
            on_step(result)
    return state, results


def summarize(results: list[StepResult]) -> dict[str, float]:
    """Numbers for a day's metadata: steps, surprise mean and p95 (overall and per level),
    the highest likelihood and the median time per step."""
    out: dict[str, float] = {"steps": len(results)}
    if not results:
        return out
    per_level = np.asarray([r.surprise_per_level for r in results], dtype=np.float64)
    overall = np.asarray([r.surprise_level for r in results], dtype=np.float64)
    out["surprise_mean"] = float(overall.mean())
    out["surprise_p95"] = float(np.percentile(overall, 95))
    for level in range(per_level.shape[1]):
        out[f"surprise_l{level + 1}_mean"] = float(per_level[:, level].mean())
        out[f"surprise_l{level + 1}_p95"] = float(np.percentile(per_level[:, level], 95))
    out["likelihood_max"] = float(max(r.likelihood for r in results))
    out["ms_per_step_median"] = float(np.median([r.seconds for r in results]) * 1e3)
    return out
