"""Dagster wrapper for the list of codebases that `codebase_snapshots` snapshots each day."""

from __future__ import annotations

import datetime as dt
import time
from typing import List, Optional

import dagster as dg

from resources.codebase.config import ENV_VAR, CodebaseSpec, default_codebases, parse_codebases


class CodebaseEntry(dg.Config):
    name: str = ""
    """Name of the codebase (the project's id rule: no '/', no leading '.', at most 176 bytes); default: the
    folder's name."""
    path: str
    """Folder to snapshot."""
    excludes: List[str] = []
    """Extra gitignore-style patterns to leave out (on top of the tree's .gitignore files)."""


class CodebasesResource(dg.ConfigurableResource):
    """The codebases to snapshot: `codebases`, else `codebases_json` (a JSON list of {name, path, excludes}; the
    code location binds it to `dg.EnvVar("MIRA_CODEBASES")`), else this repository."""

    codebases: List[CodebaseEntry] = []
    codebases_json: Optional[str] = None
    zstd_level: int = 3
    """zstd level of new chunks (1..19): 3 keeps a first snapshot fast; 6 stores source trees about
    7 % smaller for about 2.8x the compression time."""
    now_utc: Optional[str] = None
    """Treat this ISO-8601 moment (UTC unless it names a zone) as now when deciding which days are
    past (tests, reproducible replays); default: the clock."""

    def get_codebases(self) -> list[CodebaseSpec]:
        if self.codebases:
            return parse_codebases([c.model_dump() for c in self.codebases])
        return default_codebases({ENV_VAR: self.codebases_json} if self.codebases_json else {})

    def now(self) -> float:
        """Epoch seconds of "now": `now_utc` when set, else the clock."""
        if not self.now_utc:
            return time.time()
        moment = dt.datetime.fromisoformat(self.now_utc)
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).timestamp()
