"""Which snapshots a forget policy keeps (restic's rules, per codebase name).

keep-last N: the N newest snapshots. keep-daily N: for the N newest days that
have a snapshot, the newest snapshot of that day; keep-weekly N: the same per ISO
week; keep-monthly N: per calendar month. A snapshot kept by any rule is kept.
Days are the snapshot's `day` (the partition date for asset snapshots, the UTC
date of the timestamp for CLI snapshots).
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable


def _buckets(snaps: list, n: int, key: Callable) -> set[str]:
    kept: set[str] = set()
    seen: set = set()
    for s in snaps:  # newest first
        if len(seen) >= n:
            break
        k = key(s)
        if k in seen:
            continue
        seen.add(k)
        kept.add(s.snapshot_id)
    return kept


def apply_policy(snapshots: Iterable, *, keep_daily: int = 0, keep_weekly: int = 0, keep_monthly: int = 0,
                 keep_last: int = 0) -> set[str]:
    """Ids to keep among `snapshots` (objects with snapshot_id, name, day, timestamp)."""
    groups: dict[str, list] = {}
    for s in snapshots:
        groups.setdefault(s.name, []).append(s)
    keep: set[str] = set()
    for snaps in groups.values():
        snaps = sorted(snaps, key=lambda s: (s.day, s.timestamp, s.snapshot_id), reverse=True)
        keep |= {s.snapshot_id for s in snaps[: max(keep_last, 0)]}
        keep |= _buckets(snaps, keep_daily, lambda s: s.day)
        keep |= _buckets(snaps, keep_weekly, lambda s: dt.date.fromisoformat(s.day).isocalendar()[:2])
        keep |= _buckets(snaps, keep_monthly, lambda s: s.day[:7])
    return keep
