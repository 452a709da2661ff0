"""Dagster wrapper for the list of codebases that `codebase_snapshots` snapshots each day."""

from __future__ import annotations

from typing import List

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

    def get_codebases(self) -> list[CodebaseSpec]:
        if self.codebases:
            return parse_codebases([c.model_dump() for c in self.codebases])
        return default_codebases()
