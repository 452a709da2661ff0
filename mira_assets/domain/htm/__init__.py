"""Hierarchical temporal memory for MIRA (SPEC §3), framework-free and on torch.

    state = HTMState.fresh(seed=7)                  # or HTMState.from_bytes(data)
    result = Hierarchy(state).step(vector_384)      # StepResult (the seed's output contract)
    state, results = run_day(state, vectors)        # a day's memories, in order
    data = state.to_bytes()                         # safetensors, for the vault to seal
"""

from mira_assets.domain.htm.config import HTMConfig, LevelConfig
from mira_assets.domain.htm.hierarchy import Hierarchy, StepResult, run_day
from mira_assets.domain.htm.state import HTMDeviceError, HTMState, HTMStateError, resolve_device

__all__ = ["HTMConfig", "LevelConfig", "Hierarchy", "StepResult", "run_day", "HTMState", "HTMStateError",
           "HTMDeviceError", "resolve_device"]
