"""Anomaly likelihood (Ahmad, Lavin, Purdy, Agha, Neurocomputing 2017).

The raw anomaly score (here the hierarchy's surprise) is noisy; the likelihood asks how
unusual the recent scores are for this stream. Over a long window of W raw scores the sample
mean mu and standard deviation sigma are estimated; the short-term mean m of the last W'
scores gives L = 1 - Q((m - mu) / sigma), Q the Gaussian tail. L near 1 means the stream has
become less predictable than usual; L is 0.5 while there is too little history (a learning
period, whose scores are not used, plus a few estimation samples).

Scores are kept as integer millionths in a ring (part of the carried state); the window's sums
are exact integers, updated per step, so the statistics cost O(1) and never drift.
"""

from __future__ import annotations

import math

import numpy as np

_UNIT = 1_000_000  # a score of 1.0
_MIN_SIGMA = 0.02  # a stream of identical scores still gives a finite z


class AnomalyLikelihood:
    """A ring of recent raw scores and the count of scores seen; `update` returns L."""

    def __init__(self, learning_period: int, estimation_samples: int, window: int, averaging: int,
                 arrays: dict[str, np.ndarray]):
        if window < averaging or averaging < 1:
            raise ValueError("the likelihood window must hold at least the averaging window (>= 1)")
        self.learning_period, self.estimation_samples = learning_period, estimation_samples
        self.window, self.averaging = window, averaging
        scores, seen = arrays["scores"], arrays["seen"]
        if scores.shape != (window,) or scores.dtype != np.int64:
            raise ValueError(f"likelihood scores have shape {scores.shape} {scores.dtype}, expected ({window},) int64")
        if seen.shape != (1,) or seen.dtype != np.int64:
            raise ValueError(f"likelihood count has shape {seen.shape} {seen.dtype}, expected (1,) int64")
        self._scores = scores.copy()
        self._seen = int(seen[0])
        history = self._last(self._history_size())
        self._sum = int(history.sum())
        self._sum_sq = sum(int(x) * int(x) for x in history.tolist())

    @classmethod
    def fresh(cls, learning_period: int, estimation_samples: int, window: int, averaging: int) -> "AnomalyLikelihood":
        arrays = {"scores": np.zeros(window, np.int64), "seen": np.zeros(1, np.int64)}
        return cls(learning_period, estimation_samples, window, averaging, arrays)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"scores": self._scores, "seen": np.array([self._seen], np.int64)}

    def _history_size(self) -> int:
        return max(0, min(self._seen - self.learning_period, self.window))

    def _last(self, n: int) -> np.ndarray:
        """The last n scores in the order they came."""
        end = self._seen % self.window
        return self._scores[np.arange(end - n, end) % self.window]

    def update(self, raw: float) -> float:
        value = int(round(min(max(raw, 0.0), 1.0) * _UNIT))
        slot = self._seen % self.window
        leaving = int(self._scores[slot])
        if self._seen - self.window >= self.learning_period:  # the overwritten score was in the history
            self._sum -= leaving
            self._sum_sq -= leaving * leaving
        self._scores[slot] = value
        self._seen += 1
        if self._seen > self.learning_period:
            self._sum += value
            self._sum_sq += value * value
        n = self._history_size()
        if n < self.estimation_samples:
            return 0.5
        mu = self._sum / n / _UNIT
        sigma = max(math.sqrt(max(n * self._sum_sq - self._sum * self._sum, 0)) / n / _UNIT, _MIN_SIGMA)
        recent = float(self._last(min(self.averaging, self._seen)).mean()) / _UNIT
        return 1.0 - 0.5 * math.erfc((recent - mu) / sigma / math.sqrt(2.0))
