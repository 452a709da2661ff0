"""Dagster wrapper around the framework-free ChromaStore: embedded by default, a Chroma server by configuration."""

from __future__ import annotations

from typing import Optional

import dagster as dg

from resources.chroma import ChromaStore, default_chroma_path


class ChromaResource(dg.ConfigurableResource):
    """ChromaDB. `path` (default `$MIRA_DATA/databases/chromadb`) for the embedded PersistentClient, or
    `host` (+ `port`) for an HttpClient to a Chroma server. The embedded client is safe for one writing process
    only: writers are in the Dagster pool `chroma` (limit 1); use a server for parallel runs."""

    path: str = ""
    host: Optional[str] = None
    port: int = 8000

    def get_store(self) -> ChromaStore:
        return ChromaStore(path=self.path or default_chroma_path(), host=self.host or None, port=self.port)
