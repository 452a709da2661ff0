"""A partition day's snapshot of a codebase: what it is taken from, and when it is written at all.

History is never rewritten. With `today` = the UTC date of `now` (injectable):

- **today**: the folder as it is now (git or not); a rerun replaces today's snapshot when the
  tree changed (the day is still running). Dagster's daily partitions end at the last
  complete day, so through the asset this only happens with an injected `now`.
- **a past day** (any day before today) **that already has a snapshot**: never written again.
  For a git working tree the state is `unchanged` when the snapshot was taken from the commit
  that history names for that day now, else `kept` (e.g. an old live capture, or history
  rewritten since); a plain folder's is `kept`.
- **a past day of a git working tree**: the tree of the newest commit on HEAD's first-parent
  line with committer time at or before 23:59:59 UTC that day, read from git objects
  (`gittree`); `not_captured` when there is no such commit or the folder is not in it.
- **a past day of a plain folder**: yesterday is taken from the folder as it is now (the
  nightly run at 02:00 UTC snapshots yesterday); older days are `not_captured`: the folder's
  past is unknown, and nothing is written.
- **a future day**: `not_captured`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from resources.codebase import archiver, gittree
from resources.codebase.config import CodebaseSpec
from resources.codebase.store import CodebaseStore, Progress, SnapshotInfo

WRITTEN, UNCHANGED, KEPT, NOT_CAPTURED = "written", "unchanged", "kept", "not_captured"


@dataclass
class DayOutcome:
    """What happened to one codebase's snapshot for one day."""

    snapshot_id: str
    state: str  # WRITTEN, UNCHANGED, KEPT or NOT_CAPTURED
    reason: str  # one line for people
    info: SnapshotInfo | None = None  # the day's snapshot, when there is one
    commit: str | None = None


def snapshot_id_for(name: str, day: str) -> str:
    """The id of a codebase's snapshot for one partition day."""
    return f"{name}_{day}"


def snapshot_day(store: CodebaseStore, spec: CodebaseSpec, day: str | dt.date, *, now: float,
                 progress: Progress | None = None) -> DayOutcome:
    """Take (or decline to take) `spec`'s snapshot for `day`, following the rules above."""
    day_d = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
    day_s = day_d.isoformat()
    today = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
    sid = snapshot_id_for(spec.name, day_s)
    existing = store.find(sid)
    if day_d > today:
        return DayOutcome(sid, NOT_CAPTURED, f"{day_s} has not begun (today is {today.isoformat()} UTC)", existing)

    def take(source, commit: str | None = None) -> DayOutcome:
        res = archiver.snapshot(store, source, name=spec.name, snapshot_id=sid, day=day_s, excludes=spec.excludes,
                                progress=progress, now=now)
        state = UNCHANGED if res.unchanged else WRITTEN
        what = f"commit {commit[:12]}" if commit else "the folder as it is now"
        return DayOutcome(sid, state, f"{state} from {what}", res.info, commit=commit)

    if day_d == today:
        return take(spec.path)
    if not spec.path.is_dir():
        return DayOutcome(sid, NOT_CAPTURED, f"{spec.path} is not a folder", existing)
    repo = gittree.work_tree(spec.path)
    if repo is None:
        if existing is not None:
            return DayOutcome(sid, KEPT, "a past day's snapshot is never replaced", existing)
        if day_d == today - dt.timedelta(days=1):
            return take(spec.path)
        return DayOutcome(sid, NOT_CAPTURED, "not a git working tree: a past day other than yesterday cannot be "
                                             "recovered from the folder as it is now", None)
    commit = gittree.commit_on_or_before(repo.toplevel, gittree.end_of_day(day_d))
    if existing is not None:
        if commit is not None and existing.meta.get("commit") == commit.id:
            return DayOutcome(sid, UNCHANGED, f"already taken from commit {commit.id[:12]}", existing,
                              commit=commit.id)
        return DayOutcome(sid, KEPT, "a past day's snapshot is never replaced", existing)
    if commit is None:
        return DayOutcome(sid, NOT_CAPTURED, f"no commit on HEAD on or before {day_s} 23:59:59 UTC", None)
    if not gittree.tree_exists(repo.toplevel, commit, repo.prefix):
        return DayOutcome(sid, NOT_CAPTURED, f"{repo.prefix or '/'} is not in commit {commit.id[:12]}", None,
                          commit=commit.id)
    return take(gittree.GitTree(repo.toplevel, commit, repo.prefix, spec.excludes), commit.id)
