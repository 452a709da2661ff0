"""HTM learns across days: which saved state a day continues, and the order a day's memories are fed in.

Day d continues the state saved for day d−1. A fresh state is drawn only for the first day: no earlier day
has a state, and no earlier day has memories waiting to be learned. When earlier states exist but d−1's does
not, running d would silently skip the days in between; when an earlier day has memories but no state yet,
running d first would learn the days out of order. Both are refused with a message naming the missing day.
Dagster's asset backfills run a self-dependent asset's days in order; job backfills do not (they ignore
partition mappings, and run the days side by side), so this rule is what stops them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence


class HTMDayOrderError(RuntimeError):
    """A day's HTM state cannot be computed yet: the previous day's state is missing."""


def state_to_continue(saved_days: Iterable[dt.date], day: dt.date,
                      input_days: Iterable[dt.date] = ()) -> dt.date | None:
    """The day whose saved state `day` starts from (always `day − 1`), or None for a fresh state when no day
    before `day` has a state or memories (``input_days``: the days that have memories). Raises HTMDayOrderError
    when earlier states exist but `day − 1`'s is missing, or when no earlier state exists but an earlier day has
    memories."""
    earlier = sorted(d for d in set(saved_days) if d < day)
    if not earlier:
        unlearned = sorted(d for d in set(input_days) if d < day)
        if unlearned:
            raise HTMDayOrderError(
                f"htm_state for {day} would start a fresh HTM state, but {unlearned[0]} has memories and no state "
                f"yet: materialize htm_state from {unlearned[0]} on, in order. Backfill it as an asset backfill "
                f"(it runs the days in order); a job backfill does not keep the order.")
        return None
    previous = day - dt.timedelta(days=1)
    if earlier[-1] != previous:
        first_missing = earlier[-1] + dt.timedelta(days=1)
        gap = previous.isoformat() if first_missing == previous else f"{first_missing} to {previous}"
        raise HTMDayOrderError(
            f"htm_state for {day} continues the HTM state of {previous}, which is missing (the latest earlier "
            f"state is {earlier[-1]}): materialize htm_state for {gap} first, in order. Backfill it as an asset "
            f"backfill (it runs the days in order); a job backfill does not keep the order.")
    return previous


def feed_order(memories: Sequence[dict]) -> list[dict]:
    """The day's memories in the order the hierarchy reads them: by timestamp, then memory id."""
    return sorted(memories, key=lambda m: (float(m["timestamp"]), str(m["memory_id"])))


def later_days(saved_days: Iterable[dt.date], day: dt.date) -> list[dt.date]:
    """Days after `day` that already have a state (built on `day`'s state as it was then)."""
    return sorted(d for d in set(saved_days) if d > day)
