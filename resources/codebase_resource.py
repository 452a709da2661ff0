"""Dagster wrapper for the list of codebases that `codebase_snapshots` snapshots each day."""

from __future__ import annotations

import datetime as dt
import time
from typing import List, Optional

import dagster as dg

from resources.codebase.config import CodebaseSpec, default_codebases, parse_codebases


class CodebaseEntry(dg.Config):
    name: str = ""
    """Name of the codebase (letters, digits, '.', '_', '-'); default: the folder's name."""
    path: str
    """Folder to snapshot."""
    excludes: List[str] = []
    """Extra gitignore-style patterns to leave out (on top of the tree's .gitignore files)."""


class CodebasesResource(dg.ConfigurableResource):
    """The codebases to snapshot. Empty: `MIRA_CODEBASES` (JSON list), else this repository."""

    codebases: List[CodebaseEntry] = []
    zstd_level: int = 3
    """zstd level of new chunks (1..19): 3 keeps a first snapshot fast; 6 stores source trees about
    7 % smaller for about 2.8x the compression time."""
    now_utc: Optional[str] = None
    """Treat this ISO-8601 moment (UTC unless it names a zone) as now when deciding which days are
    past (tests, reproducible replays); default: the clock."""

    def get_codebases(self) -> list[CodebaseSpec]:
        if self.codebases:
            return parse_codebases([c.model_dump() for c in self.codebases])
        return default_codebases()

    def now(self) -> float:
        """Epoch seconds of "now": `now_utc` when set, else the clock."""
        if not self.now_utc:
            return time.time()
        moment = dt.datetime.fromisoformat(self.now_utc)
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).timestamp()
