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
import torch

_MIN_SIGMA = 0.02  # a stream of identical scores still gives a finite z


class AnomalyLikelihood:
    """A ring of recent raw scores and the count of scores seen; `update` returns L."""

    TENSORS = ("scores", "seen")

    def __init__(self, learning_period: int, estimation_samples: int, window: int, averaging: int,
                 tensors: dict[str, torch.Tensor]):
        if window < averaging or averaging < 1:
            raise ValueError("the likelihood window must hold at least the averaging window (>= 1)")
        self.learning_period, self.estimation_samples = learning_period, estimation_samples
        self.window, self.averaging = window, averaging
        scores, seen = tensors["scores"], tensors["seen"]
        if tuple(scores.shape) != (window,) or scores.dtype != torch.float64:
            raise ValueError(f"likelihood scores have shape {tuple(scores.shape)} {scores.dtype}, expected ({window},) float64")
        self._scores = scores.cpu().numpy().copy()
        self._seen = int(seen.reshape(-1)[0])

    @classmethod
    def fresh(cls, learning_period: int, estimation_samples: int, window: int, averaging: int) -> "AnomalyLikelihood":
        tensors = {"scores": torch.zeros(window, dtype=torch.float64), "seen": torch.zeros(1, dtype=torch.int64)}
        return cls(learning_period, estimation_samples, window, averaging, tensors)

    def tensors(self) -> dict[str, torch.Tensor]:
        return {"scores": torch.from_numpy(self._scores.copy()), "seen": torch.tensor([self._seen], dtype=torch.int64)}

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
