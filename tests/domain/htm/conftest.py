"""Shared helpers for the HTM tests: a small configuration for algorithm checks and vector streams."""

import pytest

from mira_assets.domain.htm import HTMConfig


@pytest.fixture
def small_config() -> HTMConfig:
    """A hierarchy of 512 -> 128 -> 64 columns over 64-d vectors: the same code paths, a fraction of the cost."""
    return HTMConfig(input_dim=64, columns=512, hierarchy_columns=(512, 128, 64), flyhash_inputs_per_bit=8,
                     likelihood_learning_period=50, likelihood_estimation_samples=20, likelihood_window=2000)

