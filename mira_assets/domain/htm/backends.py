"""Where the big HTM arrays live and the few heavy operations on them.

The algorithms (spatial_pooler, temporal_memory) are written once, in numpy, on small
per-step arrays. The large arrays (SP permanences, TM synapses) and the operations that touch
many of their elements sit behind the two classes here, in two implementations with the same
integer results:

- numpy on the CPU (fastest there: a small numpy operation costs about a microsecond,
  a torch one several, and a step is a few hundred of them);
- torch on any device (`cuda`), moving only the step's small index arrays across; torch is
  imported only when this backend is used, so the CPU path starts without it.

Tests run both implementations on the CPU and compare the states bit for bit.
"""

from __future__ import annotations

import numpy as np

from mira_assets.domain.htm.connected_index import ConnectedIndex

BACKENDS = ("numpy", "torch")


def default_backend(device: str) -> str:
    return "numpy" if device == "cpu" else "torch"


def count_rows(mask: np.ndarray) -> np.ndarray:
    """Per-row count of True in a C-contiguous bool array [..., S] -> int32 [...]."""
    width = mask.shape[-1]
    if width % 8 or width > 255 or mask.size == 0:
        return mask.sum(-1, dtype=np.int32)
    words = np.ascontiguousarray(mask).reshape(-1, width).view(np.uint64).sum(1, dtype=np.uint64)
    bytesum = (words * np.uint64(0x0101010101010101)) >> np.uint64(56)  # each byte lane holds <= S/8
    return bytesum.astype(np.int32).reshape(mask.shape[:-1])


def _connected_int8(x, threshold: int):
    """1 where x >= threshold else 0, as int8 (torch compares on int8 are slow; arithmetic is not)."""
    return (x - (threshold - 1)).clamp(0, 1)


# --------------------------------------------------------------------- spatial pooler


class NumpyPermanences:
    """SP permanences [columns, inputs] int8 (-1 outside the potential pool) and the derived
    transposed connected map [inputs, columns] that makes the overlap a sum of a few rows."""

    def __init__(self, perm: np.ndarray, connected: int):
        self.perm = np.ascontiguousarray(perm, dtype=np.int8)
        self.connected = connected
        self.conn_t = np.ascontiguousarray((self.perm >= connected).T)

    def overlap(self, active_inputs: np.ndarray) -> np.ndarray:
        return self.conn_t[active_inputs].sum(0, dtype=np.int32)

    def learn(self, winners: np.ndarray, delta: np.ndarray) -> None:
        """Hebbian update of the winners' potential synapses by `delta` (per input, int8), clipped to 0..100."""
        old = self.perm[winners]
        pot = np.clip(old + np.int8(1), 0, 1)  # 1 inside the potential pool, 0 outside
        new = pot * np.clip(old + delta, 0, 100) + pot - np.int8(1)
        new_c = new >= self.connected
        changed = np.flatnonzero((old >= self.connected) != new_c)
        rows, inputs = np.divmod(changed, self.perm.shape[1])
        self.conn_t[inputs, winners[rows]] = new_c.reshape(-1)[changed]
        self.perm[winners] = new

    def connected_count(self) -> int:
        return int(np.count_nonzero(self.conn_t))

    def array(self) -> np.ndarray:
        return self.perm


class TorchPermanences:
    """The same as NumpyPermanences, as torch tensors on `device`."""

    def __init__(self, perm: np.ndarray, connected: int, device: str):
        import torch

        self.torch, self.device = torch, torch.device(device)
        self.perm = self._t(perm.astype(np.int8, copy=False))
        self.connected = connected
        self.conn_t = _connected_int8(self.perm, connected).t().contiguous()

    def _t(self, array: np.ndarray):
        return self.torch.from_numpy(np.ascontiguousarray(array)).to(self.device)

    def overlap(self, active_inputs: np.ndarray) -> np.ndarray:
        return self.conn_t.index_select(0, self._t(active_inputs)).sum(0, dtype=self.torch.int32).cpu().numpy()

    def learn(self, winners: np.ndarray, delta: np.ndarray) -> None:
        win, d = self._t(winners), self._t(delta)
        old = self.perm.index_select(0, win)
        pot = (old + 1).clamp(0, 1)
        new = pot * (old + d).clamp(0, 100) + pot - 1
        new_c = _connected_int8(new, self.connected)
        changed = self.torch.nonzero((new_c - _connected_int8(old, self.connected)).view(-1)).squeeze(1)
        inputs = self.perm.shape[1]
        rows, cols_in = changed // inputs, changed % inputs
        self.conn_t.view(-1)[cols_in * self.perm.shape[0] + win[rows]] = new_c.view(-1)[changed]
        self.perm.index_copy_(0, win, new)

    def connected_count(self) -> int:
        return int(self.conn_t.sum())

    def array(self) -> np.ndarray:
        return self.perm.cpu().numpy()


def permanences(perm: np.ndarray, connected: int, device: str, backend: str):
    """SP permanences in the chosen backend ("numpy": CPU arrays; "torch": tensors on `device`)."""
    if backend == "numpy":
        return NumpyPermanences(perm, connected)
    return TorchPermanences(perm, connected, device)


# --------------------------------------------------------------------- temporal memory


class NumpySynapses:
    """TM synapses, column-blocked: presynaptic cell int32 [columns, capacity, S] (`sentinel`
    = empty slot) and permanence int8 (hundredths), plus the derived index of connected synapses."""

    def __init__(self, pre: np.ndarray, perm: np.ndarray, sentinel: int, connected: int, cells_per_column: int):
        self.pre = np.ascontiguousarray(pre, dtype=np.int32)
        self.perm = np.ascontiguousarray(perm, dtype=np.int8)
        self.sentinel, self.connected, self.cpc = sentinel, connected, cells_per_column
        self.index = ConnectedIndex(self.pre, self.perm, connected, cells_per_column, self.pre.shape[0], sentinel)

    def burst_counts(self, cols: np.ndarray, prev_active: np.ndarray, exists: np.ndarray) -> np.ndarray:
        """Per segment slot of `cols`: synapses whose presynaptic cell was active, int32 [n, capacity]
        (0 where `exists` [n, capacity] says the slot holds no segment; only existing rows are read)."""
        r, c = np.nonzero(exists)
        counts = np.zeros(exists.shape, np.int32)
        rows = self.pre.reshape(-1, self.pre.shape[2])[cols[r] * self.pre.shape[1] + c]
        counts[r, c] = count_rows(np.take(prev_active, rows))
        return counts

    def active_segments(self, active_cols: np.ndarray, active_cells: np.ndarray, nconn: np.ndarray,
                        threshold: int) -> np.ndarray:
        """Sorted flat ids of segments with >= threshold connected synapses from `active_cells` (a mask)."""
        return self.index.active_segments(active_cols, active_cells, self.pre.shape[2], threshold)

    def rows(self, segs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self.pre.shape[2]
        return self.pre.reshape(-1, s)[segs], self.perm.reshape(-1, s)[segs]

    def set_rows(self, segs: np.ndarray, pre: np.ndarray, perm: np.ndarray, old_pre: np.ndarray,
                 old_perm: np.ndarray) -> None:
        """Write rows `segs`; (old_pre, old_perm) are what `rows(segs)` returned before the change."""
        s = self.pre.shape[2]
        flat_pre, flat_perm = self.pre.reshape(-1, s), self.perm.reshape(-1, s)
        flat_pre[segs] = pre
        flat_perm[segs] = perm
        slots = segs[:, None] * s + np.arange(s)
        self.index.update(slots, old_pre, old_perm, pre, perm)

    def grow(self, capacity: int) -> None:
        cols, old, s = self.pre.shape
        extra = capacity - old
        self.pre = np.concatenate([self.pre, np.full((cols, extra, s), self.sentinel, np.int32)], 1)
        self.perm = np.concatenate([self.perm, np.zeros((cols, extra, s), np.int8)], 1)
        self.index.rebuild(self.pre, self.perm)

    def counts(self) -> tuple[int, int]:
        exists = self.pre != self.sentinel
        return int(np.count_nonzero(exists)), int(np.count_nonzero(exists & (self.perm >= self.connected)))

    def arrays(self) -> dict[str, np.ndarray]:
        return {"syn_pre": self.pre, "syn_perm": self.perm}


class TorchSynapses:
    """The same as NumpySynapses, as torch tensors on `device`."""

    def __init__(self, pre: np.ndarray, perm: np.ndarray, sentinel: int, connected: int, device: str):
        import torch

        self.torch, self.device = torch, torch.device(device)
        self.pre = self._t(pre.astype(np.int32, copy=False))
        self.perm = self._t(perm.astype(np.int8, copy=False))
        self.sentinel, self.connected = sentinel, connected

    def _t(self, array: np.ndarray):
        return self.torch.from_numpy(np.ascontiguousarray(array)).to(self.device)

    def burst_counts(self, cols: np.ndarray, prev_active: np.ndarray, exists: np.ndarray) -> np.ndarray:
        mask = self._t(prev_active)  # empty slots hold only the sentinel, which is never active
        return mask[self.pre.index_select(0, self._t(cols))].sum(-1, dtype=self.torch.int32).cpu().numpy()

    def active_segments(self, active_cols: np.ndarray, active_cells: np.ndarray, nconn: np.ndarray,
                        threshold: int) -> np.ndarray:
        """Evaluates every segment with >= threshold connected synapses (cheap on an accelerator)."""
        s = self.pre.shape[2]
        candidates = self._t(np.flatnonzero(nconn >= threshold))
        on = self._t(active_cells)[self.pre.view(-1, s).index_select(0, candidates)]
        conn = _connected_int8(self.perm.view(-1, s).index_select(0, candidates), self.connected).bool()
        return candidates[(on & conn).sum(1) >= threshold].cpu().numpy()

    def rows(self, segs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s, idx = self.pre.shape[2], self._t(segs)
        return (self.pre.view(-1, s).index_select(0, idx).cpu().numpy(),
                self.perm.view(-1, s).index_select(0, idx).cpu().numpy())

    def set_rows(self, segs: np.ndarray, pre: np.ndarray, perm: np.ndarray, old_pre: np.ndarray,
                 old_perm: np.ndarray) -> None:
        s, idx = self.pre.shape[2], self._t(segs)
        self.pre.view(-1, s).index_copy_(0, idx, self._t(pre))
        self.perm.view(-1, s).index_copy_(0, idx, self._t(perm))

    def grow(self, capacity: int) -> None:
        torch = self.torch
        cols, old, s = self.pre.shape
        extra = capacity - old
        self.pre = torch.cat([self.pre, torch.full((cols, extra, s), self.sentinel, dtype=torch.int32,
                                                   device=self.device)], 1)
        self.perm = torch.cat([self.perm, torch.zeros((cols, extra, s), dtype=torch.int8, device=self.device)], 1)

    def counts(self) -> tuple[int, int]:
        exists = self.pre != self.sentinel
        return int(exists.sum()), int((exists & (_connected_int8(self.perm, self.connected) > 0)).sum())

    def arrays(self) -> dict[str, np.ndarray]:
        return {"syn_pre": self.pre.cpu().numpy(), "syn_perm": self.perm.cpu().numpy()}


def synapses(pre: np.ndarray, perm: np.ndarray, sentinel: int, connected: int, cells_per_column: int,
             device: str, backend: str):
    """TM synapses in the chosen backend ("numpy": CPU arrays; "torch": tensors on `device`)."""
    if backend == "numpy":
        return NumpySynapses(pre, perm, sentinel, connected, cells_per_column)
    return TorchSynapses(pre, perm, sentinel, connected, device)
