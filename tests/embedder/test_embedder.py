"""The embedder: offline packaged all-MiniLM-L6-v2, verified weights, normalized 384-d vectors, order kept."""

import numpy as np
import pytest

from resources.embedder import DIMENSION, WEIGHTS_SHA256, Embedder, EmbedderError, packaged_model_dir, verify_weights


def test_vectors_are_normalized_384d_and_in_input_order(embedder):
    texts = ["short", "a much longer sentence about sourdough starters and rye flour " * 3, "", "médium ünïcode ✓"]
    v = embedder.encode(texts)
    assert v.shape == (4, DIMENSION) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # sorting by length inside must not reorder the output
    direct = embedder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(v, direct, atol=1e-5)
    assert embedder.encode([]).shape == (0, DIMENSION)


def test_paraphrases_are_closer_than_unrelated_text(embedder):
    a, b, c = embedder.encode(["The cat sleeps on the sofa.", "A kitten is napping on the couch.",
                               "Quarterly tax filing deadlines"])
    assert float(a @ b) > 0.6 > float(a @ c)


def test_weights_are_verified(tmp_path):
    assert verify_weights(packaged_model_dir()) == WEIGHTS_SHA256
    with pytest.raises(EmbedderError, match="sha256"):
        Embedder(expected_sha256="0" * 64)
    with pytest.raises(EmbedderError, match="not found"):
        verify_weights(tmp_path)


def test_unavailable_or_unknown_device_fails_clearly():
    import torch

    from resources.embedder import resolve_device

    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(EmbedderError, match="unsupported"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(EmbedderError, match="CUDA is not available"):
            resolve_device("cuda")


def test_progress_chunks_give_the_same_vectors(embedder):
    texts = [f"sentence number {i} " + "word " * (i % 17) for i in range(150)]
    seen = []
    chunked = embedder.encode(texts, progress=seen.append)
    assert sum(seen) == 150
    assert np.allclose(chunked, embedder.encode(texts), atol=1e-5)


def test_a_texts_vector_does_not_depend_on_how_many_batches_run_at_once(embedder):
    """Batches run side by side on one torch thread each, so one core or many give the same bits, and the
    caller's torch thread setting is left as it was."""
    import torch

    from resources.embedder import cached_embedder

    texts = [f"memory {i}: " + "notes on the nightly backup " * (i % 9) for i in range(300)]
    threads = torch.get_num_threads()
    side_by_side = embedder.encode(texts)
    one_at_a_time = Embedder(workers=1).encode(texts)
    assert embedder.workers >= 1 and cached_embedder("cpu", 64) is embedder
    assert np.array_equal(side_by_side, one_at_a_time)
    assert torch.get_num_threads() == threads
    direct = embedder.model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(side_by_side, direct, atol=1e-6)
