"""Anomaly likelihood (Ahmad, Lavin, Purdy, Agha, Neurocomputing 2017).

The raw anomaly score (here the hierarchy's surprise) is noisy; the likelihood asks how
unusual the recent scores are for this stream. Over a long window of W raw scores the sample
mean mu and standard deviation sigma are estimated; the short-term mean m of the last W'
scores gives L = 1 - Q((m - mu) / sigma), Q the Gaussian tail. L near 1 means the stream has
become less predictable than usual; L is 0.5 while there is too little history
(a learning period plus a few estimation samples). The window is part of the carried state.
"""

from __future__ import annotations

import math

import numpy as np

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
        if scores.shape != (window,) or scores.dtype != np.float64:
            raise ValueError(f"likelihood scores have shape {scores.shape} {scores.dtype}, expected ({window},) float64")
        if seen.shape != (1,) or seen.dtype != np.int64:
            raise ValueError(f"likelihood count has shape {seen.shape} {seen.dtype}, expected (1,) int64")
        self._scores = scores.copy()
        self._seen = int(seen[0])

    @classmethod
    def fresh(cls, learning_period: int, estimation_samples: int, window: int, averaging: int) -> "AnomalyLikelihood":
        arrays = {"scores": np.zeros(window, np.float64), "seen": np.zeros(1, np.int64)}
        return cls(learning_period, estimation_samples, window, averaging, arrays)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"scores": self._scores, "seen": np.array([self._seen], np.int64)}

    def _last(self, n: int) -> np.ndarray:
        """The last n scores in the order they came."""
        end = self._seen % self.window
        idx = (np.arange(end - n, end)) % self.window
        return self._scores[idx]

    def update(self, raw: float) -> float:
        self._scores[self._seen % self.window] = raw
        self._seen += 1
        usable = self._seen - self.learning_period
        if usable < self.estimation_samples:
            return 0.5
        history = self._last(min(usable, self.window))
        mu = float(history.mean())
        sigma = max(float(history.std()), _MIN_SIGMA)
        recent = float(self._last(min(self.averaging, self._seen)).mean())
        z = (recent - mu) / sigma
        return 1.0 - 0.5 * math.erfc(z / math.sqrt(2.0))
