"""The carried HTM state: every level's arrays, the SDR projection, the likelihood window.

Saved as safetensors (no pickle): arrays by name plus one metadata entry holding the format,
seed, step count and configuration as canonical JSON, so the same state always gives the same
bytes, whichever device computed it (torch's safetensors loader reads them as tensors too).
The vault seals these bytes; nothing here writes files.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np
from safetensors.numpy import load as load_arrays
from safetensors.numpy import save as save_arrays

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


def resolve_device(name: str | None) -> str:
    """`cpu`, `cuda` or `cuda:N` (torch is imported only for cuda); a clear error when CUDA is absent."""
    device = str(name or "cpu").strip().lower()
    if device == "cpu":
        return device
    kind, _, index = device.partition(":")
    if kind != "cuda" or (index and not index.isdigit()):
        raise HTMDeviceError(f"HTM device {name!r} is not supported: use 'cpu', 'cuda' or 'cuda:N'")
    import torch

    if not torch.cuda.is_available():
        raise HTMDeviceError(f"HTM device {name!r} requested but torch {torch.__version__} sees no CUDA "
                             "device on this machine: use device 'cpu' (MIRA_HTM_DEVICE / --device)")
    if index and int(index) >= torch.cuda.device_count():
        raise HTMDeviceError(f"HTM device {name!r} requested but only {torch.cuda.device_count()} "
                             "CUDA device(s) exist")
    return device


@dataclass
class Level:
    """One hierarchy level: its spatial pooler and temporal memory."""

    sp: SpatialPooler
    tm: TemporalMemory


class HTMState:
    """Everything the hierarchy learns and carries from one step (and one day) to the next."""

    def __init__(self, config: HTMConfig, seed: int, steps: int, device: str, backend: str,
                 flyhash: FlyHash, levels: list[Level], abstraction: np.ndarray, likelihood: AnomalyLikelihood):
        self.config, self.seed, self.steps, self.device, self.backend = config, seed, steps, device, backend
        self.flyhash, self.levels, self.abstraction, self.likelihood = flyhash, levels, abstraction, likelihood

    @classmethod
    def fresh(cls, seed: int, config: HTMConfig | None = None, device: str | None = "cpu",
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
        rng = np.random.default_rng(seed)
        flyhash = FlyHash.fresh(config.input_dim, config.columns, config.sdr_active_bits,
                                config.flyhash_inputs_per_bit, rng)
        levels = []
        for lc in config.levels():
            sp = SpatialPooler.fresh(config, lc, rng, device, backend)
            levels.append(Level(sp, TemporalMemory.fresh(TMParams.of(config, lc), device, backend)))
        top = config.levels()[-1]
        abstraction = (rng.standard_normal((top.columns, config.abstraction_dim), dtype=np.float32)
                       / np.float32(top.active_columns ** 0.5))
        likelihood = AnomalyLikelihood.fresh(config.likelihood_learning_period, config.likelihood_estimation_samples,
                                             config.likelihood_window, config.likelihood_averaging_window)
        return cls(config, seed, 0, device, backend, flyhash, levels, abstraction, likelihood)

    # ------------------------------------------------------------------ bytes

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array of the state by its saved name (host copies of device arrays)."""
        out = {"flyhash.projection": self.flyhash.projection, "abstraction.projection": self.abstraction}
        for i, level in enumerate(self.levels, start=1):
            out.update({f"level{i}.sp.{k}": v for k, v in level.sp.arrays().items()})
            out.update({f"level{i}.tm.{k}": v for k, v in level.tm.arrays().items()})
        out.update({f"likelihood.{k}": v for k, v in self.likelihood.arrays().items()})
        return out

    def to_bytes(self) -> bytes:
        """The state as safetensors bytes; equal states give equal bytes."""
        arrays = {k: np.ascontiguousarray(v) for k, v in self.arrays().items()}
        meta = json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "seed": self.seed, "steps": self.steps,
                           "config": json.loads(self.config.to_json())}, sort_keys=True, separators=(",", ":"))
        return save_arrays(arrays, metadata={_META_KEY: meta})

    @classmethod
    def from_bytes(cls, data: bytes, device: str | None = "cpu",
                   backend: str | None = None) -> "HTMState":
        device = resolve_device(device)
        backend = _backend(device, backend)
        meta = _read_metadata(data)
        try:
            config = HTMConfig.from_json(json.dumps(meta["config"]))
            seed, steps = int(meta["seed"]), int(meta["steps"])
            arrays = load_arrays(bytes(data))
        except Exception as exc:  # safetensors raises its own error type for damaged files
            raise HTMStateError(f"HTM state metadata or arrays unreadable: {exc}") from None

        def group(prefix: str) -> dict[str, np.ndarray]:
            return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}

        try:
            flyhash = FlyHash(config.input_dim, config.columns, config.sdr_active_bits, arrays["flyhash.projection"])
            levels = []
            for i, lc in enumerate(config.levels(), start=1):
                sp = SpatialPooler(config, lc, group(f"level{i}.sp."), device, backend)
                tm = TemporalMemory(TMParams.of(config, lc), group(f"level{i}.tm."), device, backend)
                levels.append(Level(sp, tm))
            lk = group("likelihood.")
            likelihood = AnomalyLikelihood(config.likelihood_learning_period, config.likelihood_estimation_samples,
                                           config.likelihood_window, config.likelihood_averaging_window, lk)
            abstraction = arrays["abstraction.projection"]
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


def _backend(device: str, backend: str | None) -> str:
    backend = backend or default_backend(device)
    if backend not in BACKENDS:
        raise ValueError(f"HTM backend {backend!r} is not one of {BACKENDS}")
    if backend == "numpy" and device != "cpu":
        raise ValueError(f"the numpy backend runs on the CPU only, not on {device}")
    return backend


def _read_metadata(data: bytes) -> dict:
    """The state's metadata from the safetensors header (8-byte length, then JSON)."""
    if len(data) < 8:
        raise HTMStateError("not an HTM state: too short to be a safetensors file")
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise HTMStateError("not an HTM state: its safetensors header is truncated")
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
