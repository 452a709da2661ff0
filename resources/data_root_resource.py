"""Dagster wrapper for the project's data root: one resource that every other resource takes its paths from."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from resources.data_root import DataLayout

DEFAULT_ROOT = "mira_data"


class DataRootResource(dg.ConfigurableResource):
    """The data root (landing, quarantine, tables, manifests, vault, ChromaDB): `MIRA_DATA` through a `dg.EnvVar`
    in the code location, `./mira_data` when unset. Relative paths resolve against the working directory."""

    root: str = DEFAULT_ROOT

    def layout(self) -> DataLayout:
        return DataLayout(Path(self.root or DEFAULT_ROOT).resolve())
