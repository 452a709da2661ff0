"""Dagster wrapper for the list of codebases that `codebase_snapshots` snapshots each day."""

from __future__ import annotations

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

    def get_codebases(self) -> list[CodebaseSpec]:
        if self.codebases:
            return parse_codebases([c.model_dump() for c in self.codebases])
        return default_codebases({ENV_VAR: self.codebases_json} if self.codebases_json else {})
