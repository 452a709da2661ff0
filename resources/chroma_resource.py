"""Dagster wrapper around the framework-free ChromaStore: embedded by default, a Chroma server by configuration."""

from __future__ import annotations

from typing import Optional

import dagster as dg

from resources.chroma import ChromaStore
from resources.data_root_resource import DataRootResource


class ChromaResource(dg.ConfigurableResource):
    """ChromaDB. The embedded PersistentClient at `<data root>/databases/chromadb` (or `path`), or with `host`
    (+ `port`) an HttpClient to a Chroma server. The embedded client is safe for one writing process only:
    writers are in the Dagster pool `chroma` (limit 1); use a server for parallel runs."""

    data_root: DataRootResource
    path: str = ""
    host: Optional[str] = None
    port: int = 8000

    def get_store(self) -> ChromaStore:
        if self.host:
            return ChromaStore(host=self.host, port=self.port)
        return ChromaStore(path=self.path or self.data_root.layout().chromadb)
