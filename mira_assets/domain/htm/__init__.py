"""Hierarchical temporal memory for MIRA (SPEC §3), framework-free.

numpy on the CPU; the large arrays on torch when a device such as `cuda` is asked for.

    state = HTMState.fresh(seed=7)                  # or HTMState.from_bytes(data)
    result = Hierarchy(state).step(vector_384)      # StepResult (the seed's output contract)
    state, results = run_day(state, vectors)        # a day's memories, in order
    summarize(results); state.statistics()          # numbers for metadata
    data = state.to_bytes()                         # safetensors, for the vault to seal
"""

from mira_assets.domain.htm.config import HTMConfig, LevelConfig
from mira_assets.domain.htm.hierarchy import Hierarchy, StepResult, run_day, summarize
from mira_assets.domain.htm.state import HTMDeviceError, HTMState, HTMStateError, resolve_device

__all__ = ["HTMConfig", "LevelConfig", "Hierarchy", "StepResult", "run_day", "summarize", "HTMState",
           "HTMStateError", "HTMDeviceError", "resolve_device"]
