"""An inverted index of connected TM synapses by presynaptic column (derived, never saved).

A segment is active when at least `activation_threshold` of its connected synapses come from
active cells. Evaluating every segment that could be active costs its whole row; the index
instead lists, per presynaptic column, the flat slot ids of the connected synapses from that
column's cells, so a step reads only the buckets of its ~5 % active columns. Every connected
synapse has exactly one entry (`pos` maps a slot to its place in the bucket, -1 when none);
holes left by removed entries are squeezed out when a bucket fills, and buckets double in
width when a squeezed bucket is still full. The index is rebuilt from the synapse arrays when
they are loaded or change shape, so it never needs to be stored.
"""

from __future__ import annotations

import numpy as np


class ConnectedIndex:
    def __init__(self, pre: np.ndarray, perm: np.ndarray, connected: int, cells_per_column: int,
                 columns: int, sentinel: int):
        self.connected, self.cpc, self.columns, self.sentinel = connected, cells_per_column, columns, sentinel
        self.rebuild(pre, perm)

    def rebuild(self, pre: np.ndarray, perm: np.ndarray) -> None:
        pre_flat, perm_flat = pre.reshape(-1), perm.reshape(-1)
        slots = np.flatnonzero((perm_flat >= self.connected) & (pre_flat != self.sentinel))
        cols = pre_flat[slots] // self.cpc
        order = np.argsort(cols, kind="stable")
        slots, cols = slots[order], cols[order]
        counts = np.bincount(cols, minlength=self.columns)
        width = 16
        while width < 2 * int(counts.max(initial=0)):
            width *= 2
        self.bucket = np.full((self.columns, width), -1, np.int32)
        self.bucket_cell = np.full((self.columns, width), self.sentinel, np.int32)
        self.fill = counts.astype(np.int64)
        place = np.arange(slots.size) - (np.cumsum(counts) - counts)[cols]
        self.bucket[cols, place] = slots
        self.bucket_cell[cols, place] = pre_flat[slots]
        self.pos = np.full(pre_flat.size, -1, np.int32)
        self.pos[slots] = place

    def update(self, slots: np.ndarray, old_pre: np.ndarray, old_perm: np.ndarray,
               new_pre: np.ndarray, new_perm: np.ndarray) -> None:
        """Rows of flat slot ids `slots` changed from (old_pre, old_perm) to (new_pre, new_perm)."""
        old_on = (old_perm >= self.connected) & (old_pre != self.sentinel)
        new_on = (new_perm >= self.connected) & (new_pre != self.sentinel)
        same = old_pre == new_pre
        gone = old_on & ~(new_on & same)
        if gone.any():
            s = slots[gone]
            at = (old_pre[gone] // self.cpc, self.pos[s])
            self.bucket[at] = -1
            self.bucket_cell[at] = self.sentinel
            self.pos[s] = -1
        came = new_on & ~(old_on & same)
        if came.any():
            self._add(slots[came], new_pre[came].astype(np.int64))

    def _add(self, slots: np.ndarray, cells: np.ndarray) -> None:
        cols = cells // self.cpc
        order = np.argsort(cols, kind="stable")
        slots, cols, cells = slots[order], cols[order], cells[order]
        first = np.flatnonzero(np.concatenate([[True], cols[1:] != cols[:-1]]))
        counts = np.diff(np.append(first, cols.size))
        uniq = cols[first]
        rank = np.arange(cols.size) - np.repeat(first, counts)
        if (self.fill[uniq] + counts > self.bucket.shape[1]).any():
            self._squeeze(uniq[self.fill[uniq] + counts > self.bucket.shape[1]])
            need = int((self.fill[uniq] + counts).max())
            if need > self.bucket.shape[1]:
                width = self.bucket.shape[1]
                while width < need:
                    width *= 2
                extra = width - self.bucket.shape[1]
                self.bucket = np.concatenate([self.bucket, np.full((self.columns, extra), -1, np.int32)], 1)
                self.bucket_cell = np.concatenate(
                    [self.bucket_cell, np.full((self.columns, extra), self.sentinel, np.int32)], 1)
        place = self.fill[cols] + rank
        self.bucket[cols, place] = slots
        self.bucket_cell[cols, place] = cells
        self.pos[slots] = place
        self.fill[uniq] += counts

    def _squeeze(self, cols: np.ndarray) -> None:
        """Move the live entries of these buckets to their front, in order."""
        rows = self.bucket[cols]
        live = rows >= 0
        order = np.argsort(~live, axis=1, kind="stable")
        rows = np.take_along_axis(rows, order, 1)
        self.bucket[cols] = rows
        self.bucket_cell[cols] = np.take_along_axis(self.bucket_cell[cols], order, 1)
        self.fill[cols] = live.sum(1)
        r, c = np.nonzero(rows >= 0)
        self.pos[rows[r, c]] = c

    def active_segments(self, active_cols: np.ndarray, active_cells: np.ndarray, synapses_per_segment: int,
                        threshold: int) -> np.ndarray:
        """Sorted flat ids of segments with >= threshold connected synapses from active cells (a mask
        over cells, False at the sentinel, so holes drop out with inactive cells)."""
        if active_cols.size == 0:
            return np.zeros(0, np.int64)
        width = int(self.fill[active_cols].max())
        on = active_cells[self.bucket_cell[active_cols, :width]]
        segs = self.bucket[active_cols, :width][on] // synapses_per_segment
        if segs.size < 4096:
            segs, counts = np.unique(segs, return_counts=True)
            return segs[counts >= threshold].astype(np.int64)
        return np.flatnonzero(np.bincount(segs) >= threshold)
