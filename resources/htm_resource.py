"""Dagster configuration of the HTM hierarchy: where it runs, and the seed of its very first state."""

from __future__ import annotations

import dagster as dg


class HTMResource(dg.ConfigurableResource):
    """`device`: "cpu" (default), "cuda" or "cuda:N" (a run fails clearly when CUDA is absent); in the code
    location bound to `dg.EnvVar("MIRA_HTM_DEVICE")`. The state's bytes do not depend on the device.

    `seed` draws the random structure of a fresh state (SDR projection, potential pools, abstraction); it is
    used once, when no earlier day has a state, and is kept in the state from then on."""

    device: str = "cpu"
    seed: int = 0
