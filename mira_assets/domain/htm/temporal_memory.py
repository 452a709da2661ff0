"""Temporal memory (BAMI, "Temporal Memory Algorithm") over fixed-capacity, column-blocked arrays.

Every column owns `capacity` segment slots, each with `max_synapses_per_segment` synapse
slots (presynaptic cell, permanence in hundredths); the synapses live in a backend
(backends.py), the small per-segment bookkeeping here in numpy. The work of a step grows with
the active columns, not with the whole memory:

- matching segments are only needed in bursting columns (best match, BAMI), so they are
  counted there, from the previous step's active-cell mask;
- an active segment needs `activation_threshold` connected synapses, so only segments with that
  many connected synapses (`seg_nconn`) are evaluated against the active cells;
- capacity doubles when a column fills, up to `max_segments_per_column`; beyond it a new
  segment replaces the column's least recently used one.

Departures from BAMI, both so that sequences are learned across a burst:
- a learning segment grows synapses to the previous winner cells it does not reach yet, up to
  `max_new_synapses` synapses onto winners (BAMI subtracts all active potential synapses, so a
  segment that matched a bursting column never learns that column's winner cell, and a
  repeating sequence keeps bursting one step later on each pass);
- punishment (predicted-segment decrement) applies to the segments that predicted a column
  which then stayed inactive (the active segments), the ones that made the wrong prediction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mira_assets.domain.htm.backends import count_rows
from mira_assets.domain.htm.backends import synapses as make_synapses
from mira_assets.domain.htm.config import PERMANENCE_SCALE, HTMConfig, LevelConfig, permanence_units
from mira_assets.domain.htm.random import random_bits

_TIE_SALT, _GROW_SALT = 1, 2


@dataclass
class TMOutput:
    """What one step of one level produced (sorted int64 cell and column ids)."""

    anomaly: float
    active_cells: np.ndarray
    winner_cells: np.ndarray
    predictive_cells: np.ndarray
    predicted_columns: np.ndarray


@dataclass(frozen=True)
class TMParams:
    """Integer parameters of one level (permanences in hundredths)."""

    level: LevelConfig
    initial: int
    increment: int
    decrement: int
    connected: int
    punish: int
    max_synapses: int
    max_segments_per_column: int
    initial_segments_per_column: int

    @classmethod
    def of(cls, config: HTMConfig, level: LevelConfig) -> "TMParams":
        return cls(
            level=level,
            initial=permanence_units(config.initial_permanence, "initial_permanence"),
            increment=permanence_units(config.permanence_increment, "permanence_increment"),
            decrement=permanence_units(config.permanence_decrement, "permanence_decrement"),
            connected=permanence_units(config.connected_permanence, "connected_permanence"),
            punish=permanence_units(config.tm_predicted_segment_decrement, "tm_predicted_segment_decrement"),
            max_synapses=config.tm_max_synapses_per_segment,
            max_segments_per_column=config.tm_max_segments_per_column,
            initial_segments_per_column=min(config.tm_initial_segments_per_column, config.tm_max_segments_per_column),
        )


class TemporalMemory:
    """One level's temporal memory: its arrays (the carried state) and the step that updates them."""

    SMALL = {"seg_cell": np.int8, "seg_used": np.int64, "seg_nconn": np.int16, "cell_nseg": np.int16,
             "prev_active": np.bool_, "prev_winner": np.int64, "active_seg": np.int64}

    def __init__(self, params: TMParams, arrays: dict[str, np.ndarray], device, backend: str):
        self.p = params
        lv = params.level
        missing = [n for n in (*self.SMALL, "syn_pre", "syn_perm") if n not in arrays]
        if missing:
            raise ValueError(f"temporal memory of level {lv.index + 1} lacks arrays {missing}")
        for name, dtype in {**self.SMALL, "syn_pre": np.int32, "syn_perm": np.int8}.items():
            if arrays[name].dtype != dtype:
                raise ValueError(f"level {lv.index + 1} array {name} has dtype {arrays[name].dtype}")
        for name in self.SMALL:
            setattr(self, name, arrays[name].copy())
        cap = self.seg_cell.shape[1] if self.seg_cell.ndim == 2 else -1
        expected = {"seg_cell": (lv.columns, cap), "seg_used": (lv.columns, cap), "seg_nconn": (lv.columns, cap),
                    "cell_nseg": (lv.columns, lv.cells_per_column), "prev_active": (lv.cells + 1,),
                    "syn_pre": (lv.columns, cap, params.max_synapses), "syn_perm": (lv.columns, cap, params.max_synapses)}
        for name, shape in expected.items():
            if arrays[name].shape != shape:
                raise ValueError(f"level {lv.index + 1} array {name} has shape {arrays[name].shape}, "
                                 f"expected {shape}")
        if not 1 <= cap <= params.max_segments_per_column:
            raise ValueError(f"level {lv.index + 1} segment capacity {cap} outside 1..{params.max_segments_per_column}")
        self.syn = make_synapses(arrays["syn_pre"], arrays["syn_perm"], lv.cells, params.connected,
                                 lv.cells_per_column, device, backend)

    @classmethod
    def fresh(cls, params: TMParams, device, backend: str) -> "TemporalMemory":
        lv = params.level
        cols, cap, syn = lv.columns, params.initial_segments_per_column, params.max_synapses
        arrays = {
            "seg_cell": np.full((cols, cap), -1, np.int8),
            "seg_used": np.zeros((cols, cap), np.int64),
            "seg_nconn": np.zeros((cols, cap), np.int16),
            "cell_nseg": np.zeros((cols, lv.cells_per_column), np.int16),
            "prev_active": np.zeros(lv.cells + 1, np.bool_),
            "prev_winner": np.zeros(0, np.int64),
            "active_seg": np.zeros(0, np.int64),
            "syn_pre": np.full((cols, cap, syn), lv.cells, np.int32),
            "syn_perm": np.zeros((cols, cap, syn), np.int8),
        }
        return cls(params, arrays, device, backend)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {name: getattr(self, name) for name in self.SMALL}
        out.update(self.syn.arrays())
        return out

    @property
    def capacity(self) -> int:
        return self.seg_cell.shape[1]

    # ------------------------------------------------------------------ the step

    def compute(self, active_cols: np.ndarray, step: int, seed: int, learn: bool = True) -> TMOutput:
        """Activate cells for `active_cols` (sorted int64), learn, and predict the next step."""
        lv = self.p.level
        cols, cpc = lv.columns, lv.cells_per_column
        n_active = active_cols.size

        # Columns predicted at the previous step; the unpredicted active ones burst.
        cap = self.capacity
        predicted = np.zeros(cols, np.bool_)
        predicted[self.active_seg // cap] = True
        burst = active_cols[~predicted[active_cols]]
        anomaly = burst.size / n_active if n_active else 0.0
        if learn and burst.size and cap < self.p.max_segments_per_column:
            if (self.seg_cell[burst] >= 0).all(1).any():
                self._grow_capacity()
                cap = self.capacity

        a_seg = self.active_seg
        a_col = a_seg // cap
        col_on = np.zeros(cols, np.bool_)
        col_on[active_cols] = True
        ok = col_on[a_col]
        seg_cell = self.seg_cell.reshape(-1)
        good_seg, bad_seg = a_seg[ok], a_seg[~ok]
        good_cells = np.unique(a_col[ok] * cpc + seg_cell[good_seg])

        # Bursting columns: the best matching segment (most active potential synapses, lowest slot on ties).
        counts = self.syn.burst_counts(burst, self.prev_active, self.seg_cell[burst] >= 0)
        best_slot = counts.argmax(1) if burst.size else np.zeros(0, np.int64)
        best = counts[np.arange(burst.size), best_slot]
        match = best >= lv.min_threshold
        m_cols, m_slot = burst[match], best_slot[match]
        m_seg = m_cols * cap + m_slot
        m_cells = m_cols * cpc + self.seg_cell[m_cols, m_slot]

        # No match: the least used cell wins (random among equals); when learning it grows a new
        # segment in a free slot, or in the slot of the column's least recently used segment.
        n_cols = burst[~match]
        uses = self.cell_nseg[n_cols].astype(np.int64)
        new_seg = np.zeros(0, np.int64)
        create = learn and n_cols.size > 0 and self.prev_winner.size > 0
        if create:
            free = self.seg_cell[n_cols] < 0
            slot = np.where(free.any(1), free.argmax(1), self.seg_used[n_cols].argmin(1))
            new_seg = n_cols * cap + slot
            evicted = seg_cell[new_seg].astype(np.int64)
            gone = np.flatnonzero(evicted >= 0)
            uses[gone, evicted[gone]] -= 1
        ties = random_bits(seed ^ _TIE_SALT, uses.size, 20).reshape(uses.shape)
        n_win = ((uses << 20) | ties).argmin(1) if n_cols.size else np.zeros(0, np.int64)
        n_cells = n_cols * cpc + n_win
        if create:
            nseg = self.cell_nseg.reshape(-1)
            nseg[n_cols[gone] * cpc + evicted[gone]] -= 1
            nseg[n_cells] += 1
            seg_cell[new_seg] = n_win

        burst_cells = (burst[:, None] * cpc + np.arange(cpc)).reshape(-1)
        active_cells = np.sort(np.concatenate([good_cells, burst_cells]))
        winner_cells = np.sort(np.concatenate([good_cells, m_cells, n_cells]))

        if learn:
            self._learn(step, seed, np.concatenate([good_seg, m_seg]), new_seg, bad_seg)
        return self._predict(active_cols, active_cells, winner_cells, step, learn, anomaly)

    # ------------------------------------------------------------------ learning

    def _learn(self, step: int, seed: int, reinforce: np.ndarray, new_seg: np.ndarray, punish: np.ndarray) -> None:
        """Adapt and grow the learning segments, punish the wrong predictions: one batch of rows."""
        p, lv = self.p, self.p.level
        sentinel = lv.cells
        ids = np.concatenate([reinforce, new_seg, punish])
        if ids.size == 0:
            return
        learning = reinforce.size + new_seg.size
        old_pre, old_perm = self.syn.rows(ids)
        pre, perm = old_pre.copy(), old_perm.astype(np.int16)
        pre[reinforce.size:learning] = sentinel  # a new segment starts empty (its slot may have been evicted)
        perm[reinforce.size:learning] = 0
        inc = np.full((ids.size, 1), p.increment, np.int16)
        dec = np.full((ids.size, 1), -p.decrement, np.int16)
        inc[learning:], dec[learning:] = -p.punish, 0
        was_active = np.take(self.prev_active, pre)
        perm = np.clip(perm + np.where(was_active, inc, dec), 0, PERMANENCE_SCALE)
        perm[pre == sentinel] = 0
        pre[perm == 0] = sentinel  # a synapse at zero permanence is destroyed
        if self.prev_winner.size and learning:
            self._grow(pre, perm, learning, seed)
        self.syn.set_rows(ids, pre, perm.astype(np.int8), old_pre, old_perm)
        self.seg_nconn.reshape(-1)[ids] = count_rows(perm >= p.connected)
        self.seg_used.reshape(-1)[ids[:learning]] = step
        empty = ids[(pre == sentinel).all(1)]
        if empty.size:  # a segment whose synapses all decayed is destroyed
            seg_cell = self.seg_cell.reshape(-1)
            owner = (empty // self.capacity) * lv.cells_per_column + seg_cell[empty]
            np.subtract.at(self.cell_nseg.reshape(-1), owner, 1)
            seg_cell[empty] = -1
            self.seg_nconn.reshape(-1)[empty] = 0

    def _grow(self, pre: np.ndarray, perm: np.ndarray, learning: int, seed: int) -> None:
        """In place: rows [:learning] grow synapses to previous winner cells they do not reach yet.

        Up to max_new_synapses synapses onto winners per row; candidates drawn at random (seeded);
        new synapses fill empty slots first, then replace the weakest (lowest permanence, then slot).
        """
        p, lv = self.p, self.p.level
        winners = self.prev_winner
        nw, syn = winners.size, p.max_synapses
        head = pre[:learning]
        winner_of = np.full(lv.cells + 1, -1, np.int32)  # cell -> its index among the winners
        winner_of[winners] = np.arange(nw, dtype=np.int32)
        pos = np.take(winner_of, head)
        reached = pos >= 0
        n_reached = count_rows(reached)
        want = np.minimum(lv.max_new_synapses - n_reached, nw - n_reached)
        rows = np.flatnonzero(want > 0)
        if rows.size == 0:
            return
        already = np.zeros((rows.size, nw + 1), np.bool_)
        already[np.arange(rows.size)[:, None], np.where(reached[rows], pos[rows], nw)] = True
        keys = (random_bits(seed ^ _GROW_SALT, rows.size * nw, 40).reshape(rows.size, nw) << 16) | np.arange(nw)
        keys[already[:, :nw]] = np.iinfo(np.int64).max
        take = min(lv.max_new_synapses, nw)
        choice = _smallest(keys, take)
        valid = np.arange(take) < want[rows, None]
        slot_ids = np.arange(syn)
        slot_key = np.where(pre[rows] != lv.cells, syn + perm[rows].astype(np.int64) * syn + slot_ids, slot_ids)
        target = np.argsort(slot_key, axis=1)[:, :take]
        r = rows[:, None]
        pre[r, target] = np.where(valid, winners[choice], pre[r, target])
        perm[r, target] = np.where(valid, p.initial, perm[r, target])

    # ------------------------------------------------------------------ prediction

    def _predict(self, active_cols, active_cells, winner_cells, step, learn, anomaly) -> TMOutput:
        """Segments active for this step's cells: they predict the next step's columns."""
        lv = self.p.level
        current = np.zeros(lv.cells + 1, np.bool_)
        current[active_cells] = True
        self.active_seg = self.syn.active_segments(active_cols, current, self.seg_nconn.reshape(-1),
                                                   lv.activation_threshold)
        if learn:
            self.seg_used.reshape(-1)[self.active_seg] = step
        self.prev_active = current
        self.prev_winner = winner_cells
        seg_col = self.active_seg // self.capacity
        predictive = np.unique(seg_col * lv.cells_per_column + self.seg_cell.reshape(-1)[self.active_seg])
        return TMOutput(anomaly, active_cells, winner_cells, predictive, np.unique(seg_col))

    # ------------------------------------------------------------------ storage

    def _grow_capacity(self) -> None:
        """Double every column's segment slots (up to the maximum); segment ids are remapped."""
        old = self.capacity
        new = min(2 * old, self.p.max_segments_per_column)
        cols, extra = self.p.level.columns, new - old
        self.seg_cell = np.concatenate([self.seg_cell, np.full((cols, extra), -1, np.int8)], 1)
        self.seg_used = np.concatenate([self.seg_used, np.zeros((cols, extra), np.int64)], 1)
        self.seg_nconn = np.concatenate([self.seg_nconn, np.zeros((cols, extra), np.int16)], 1)
        self.syn.grow(new)
        self.active_seg = (self.active_seg // old) * new + self.active_seg % old

    def statistics(self) -> dict[str, int]:
        """Counts for metadata: segments, synapses, connected synapses, slot capacity per column."""
        synapses, connected = self.syn.counts()
        return {"segments": int(np.count_nonzero(self.seg_cell >= 0)), "synapses": synapses,
                "connected_synapses": connected, "segment_capacity_per_column": self.capacity}


def _smallest(keys: np.ndarray, k: int) -> np.ndarray:
    """Per row, the indices of the k smallest keys in increasing key order (keys are unique per row)."""
    if k >= keys.shape[1]:
        return np.argsort(keys, axis=1)
    part = np.argpartition(keys, k - 1, axis=1)[:, :k]
    return np.take_along_axis(part, np.argsort(np.take_along_axis(keys, part, 1), axis=1), 1)
