"""The carried HTM state: every level's tensors, the SDR projection, the likelihood window.

Saved as safetensors (no pickle): tensors by name plus one metadata entry holding the format,
seed, step count and configuration as canonical JSON, so the same state always gives the same
bytes. The vault seals these bytes; nothing here writes files.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from mira_assets.domain.htm.backends import BACKENDS, default_backend
from mira_assets.domain.htm.config import HTMConfig
from mira_assets.domain.htm.likelihood import AnomalyLikelihood
from mira_assets.domain.htm.sdr import FlyHash
from mira_assets.domain.htm.spatial_pooler import SpatialPooler
from mira_assets.domain.htm.temporal_memory import TemporalMemory, TMParams

FORMAT = "mira-htm-state"
FORMAT_VERSION = 1
_META_KEY = "mira_htm"


class HTMStateError(ValueError):
    """Bytes that are not a usable HTM state (wrong format, version, shapes)."""


class HTMDeviceError(RuntimeError):
    """A device was asked for that this machine does not have."""


def resolve_device(name: str | torch.device | None) -> torch.device:
    """`cpu`, `cuda` or `cuda:N`; a clear error when CUDA is asked for and absent."""
    device = torch.device(name or "cpu")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise HTMDeviceError(f"HTM device {str(device)!r} requested but torch {torch.__version__} sees no CUDA "
                                 "device on this machine: use device 'cpu' (MIRA_HTM_DEVICE / --device)")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise HTMDeviceError(f"HTM device {str(device)!r} requested but only {torch.cuda.device_count()} "
                                 "CUDA device(s) exist")
    elif device.type != "cpu":
        raise HTMDeviceError(f"HTM device {str(device)!r} is not supported: use 'cpu' or 'cuda'")
    return device


@dataclass
class Level:
    """One hierarchy level: its spatial pooler and temporal memory."""

    sp: SpatialPooler
    tm: TemporalMemory


class HTMState:
    """Everything the hierarchy learns and carries from one step (and one day) to the next."""

    def __init__(self, config: HTMConfig, seed: int, steps: int, device: torch.device, backend: str,
                 flyhash: FlyHash, levels: list[Level], abstraction: np.ndarray, likelihood: AnomalyLikelihood):
        self.config, self.seed, self.steps, self.device, self.backend = config, seed, steps, device, backend
        self.flyhash, self.levels, self.abstraction, self.likelihood = flyhash, levels, abstraction, likelihood

    @classmethod
    def fresh(cls, seed: int, config: HTMConfig | None = None, device: str | torch.device | None = "cpu",
              backend: str | None = None) -> "HTMState":
        """A new, untrained state; everything random is drawn from `seed`.

        `device` holds the large arrays; `backend` (default: numpy on the CPU, torch elsewhere)
        exists so tests can run the torch code on the CPU.
        """
        config = config or HTMConfig()
        device = resolve_device(device)
        backend = _backend(device, backend)
        if not 0 <= seed < 2 ** 63:
            raise ValueError(f"HTM seed must be in [0, 2**63): {seed}")
        gen = torch.Generator().manual_seed(seed)
        flyhash = FlyHash.fresh(config.input_dim, config.columns, config.sdr_active_bits,
                                config.flyhash_inputs_per_bit, gen)
        levels = []
        for lc in config.levels():
            sp = SpatialPooler.fresh(config, lc, gen, device, backend)
            levels.append(Level(sp, TemporalMemory.fresh(TMParams.of(config, lc), device, backend)))
        top = config.levels()[-1]
        abstraction = (torch.randn((top.columns, config.abstraction_dim), generator=gen, dtype=torch.float32)
                       / top.active_columns ** 0.5).numpy()
        likelihood = AnomalyLikelihood.fresh(config.likelihood_learning_period, config.likelihood_estimation_samples,
                                             config.likelihood_window, config.likelihood_averaging_window)
        return cls(config, seed, 0, device, backend, flyhash, levels, abstraction, likelihood)

    # ------------------------------------------------------------------ bytes

    def tensors(self) -> dict[str, torch.Tensor]:
        out = {"flyhash.projection": self.flyhash.projection,
               "abstraction.projection": torch.from_numpy(self.abstraction)}
        for i, level in enumerate(self.levels, start=1):
            out.update({f"level{i}.sp.{k}": v for k, v in level.sp.tensors().items()})
            out.update({f"level{i}.tm.{k}": v for k, v in level.tm.tensors().items()})
        out.update({f"likelihood.{k}": v for k, v in self.likelihood.tensors().items()})
        return out

    def to_bytes(self) -> bytes:
        """The state as safetensors bytes; equal states give equal bytes."""
        tensors = {k: v.detach().to("cpu").contiguous() for k, v in self.tensors().items()}
        meta = json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "seed": self.seed, "steps": self.steps,
                           "config": json.loads(self.config.to_json())}, sort_keys=True, separators=(",", ":"))
        return save_tensors(tensors, metadata={_META_KEY: meta})

    @classmethod
    def from_bytes(cls, data: bytes, device: str | torch.device | None = "cpu",
                   backend: str | None = None) -> "HTMState":
        device = resolve_device(device)
        backend = _backend(device, backend)
        meta = _read_metadata(data)
        try:
            config = HTMConfig.from_json(json.dumps(meta["config"]))
            seed, steps = int(meta["seed"]), int(meta["steps"])
            raw = load_tensors(bytes(data))
        except (KeyError, TypeError, ValueError) as exc:
            raise HTMStateError(f"HTM state metadata or tensors unreadable: {exc}") from None
        tensors = raw

        def group(prefix: str) -> dict[str, torch.Tensor]:
            return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}

        try:
            flyhash = FlyHash(config.input_dim, config.columns, config.sdr_active_bits, tensors["flyhash.projection"])
            levels = []
            for i, lc in enumerate(config.levels(), start=1):
                sp = SpatialPooler(config, lc, group(f"level{i}.sp."), device, backend)
                tm = TemporalMemory(TMParams.of(config, lc), group(f"level{i}.tm."), device, backend)
                levels.append(Level(sp, tm))
            lk = group("likelihood.")
            likelihood = AnomalyLikelihood(config.likelihood_learning_period, config.likelihood_estimation_samples,
                                           config.likelihood_window, config.likelihood_averaging_window, lk)
            abstraction = tensors["abstraction.projection"].numpy()
            top = config.levels()[-1]
            if abstraction.shape != (top.columns, config.abstraction_dim) or abstraction.dtype != np.float32:
                raise ValueError(f"abstraction projection has shape {abstraction.shape} {abstraction.dtype}")
        except (KeyError, ValueError) as exc:
            raise HTMStateError(f"HTM state does not match its configuration: {exc}") from None
        return cls(config, seed, steps, device, backend, flyhash, levels, abstraction, likelihood)

    def clone(self) -> "HTMState":
        """An independent copy (same device and backend)."""
        return HTMState.from_bytes(self.to_bytes(), self.device, self.backend)

    # ------------------------------------------------------------------ figures

    def statistics(self) -> list[dict[str, int]]:
        """Per level: columns, segments, synapses, connected synapses (TM and SP), for metadata."""
        out = []
        for i, level in enumerate(self.levels, start=1):
            stats = {"level": i, "columns": level.sp.level.columns}
            stats.update(level.tm.statistics())
            stats["sp_connected_synapses"] = level.sp.connected_synapses()
            out.append(stats)
        return out


def _backend(device: torch.device, backend: str | None) -> str:
    backend = backend or default_backend(device)
    if backend not in BACKENDS:
        raise ValueError(f"HTM backend {backend!r} is not one of {BACKENDS}")
    if backend == "numpy" and device.type != "cpu":
        raise ValueError(f"the numpy backend runs on the CPU only, not on {device}")
    return backend


def _read_metadata(data: bytes) -> dict:
    """The state's metadata from the safetensors header (8-byte length, then JSON)."""
    if len(data) < 8:
        raise HTMStateError("HTM state is too short to be a safetensors file")
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise HTMStateError("HTM state header is truncated")
    try:
        header = json.loads(data[8:8 + length])
        meta = json.loads(header["__metadata__"][_META_KEY])
    except (ValueError, KeyError, TypeError):
        raise HTMStateError("not an HTM state: no mira_htm metadata in the safetensors header") from None
    if meta.get("format") != FORMAT:
        raise HTMStateError(f"not an HTM state: format {meta.get('format')!r}")
    if meta.get("version") != FORMAT_VERSION:
        raise HTMStateError(f"HTM state format version {meta.get('version')} is not supported "
                            f"(this code reads version {FORMAT_VERSION})")
    return meta
