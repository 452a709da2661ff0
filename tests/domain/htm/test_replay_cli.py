"""`mira htm replay VECTORS.npy`: per-step JSON lines, a summary line, a state that can be resumed."""

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from mira_assets.cli.main import app

from domain.htm.streams import unit_vectors

runner = CliRunner()


def _replay(*args: str):
    result = runner.invoke(app, ["htm", "replay", *args])
    return result.exit_code, result.output


@pytest.fixture
def vectors(tmp_path):
    path = tmp_path / "vectors.npy"
    np.save(path, unit_vectors(12, 384, seed=80))
    return path


def test_json_output_is_one_line_per_step_then_a_summary_with_the_state_hash(tmp_path, vectors):
    out = tmp_path / "state.safetensors"
    code, output = _replay(str(vectors), "--json", "--state-out", str(out))
    assert code == 0, output
    lines = [json.loads(line) for line in output.splitlines()]
    assert len(lines) == 13
    for i, line in enumerate(lines[:12]):
        assert list(line) == ["step", "surprise_level", "surprise_per_level", "likelihood"]
        assert line["step"] == i and len(line["surprise_per_level"]) == 3
        assert 0.0 <= line["surprise_level"] <= 1.0 and 0.0 <= line["likelihood"] <= 1.0
    summary = lines[-1]
    assert list(summary) == ["steps", "ms_per_step_median", "state_sha256"]
    assert summary["steps"] == 12 and summary["ms_per_step_median"] > 0
    assert summary["state_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_a_saved_state_resumes_where_it_stopped(tmp_path):
    x = unit_vectors(16, 384, seed=81)
    first, second, whole = (tmp_path / n for n in ("a.npy", "b.npy", "all.npy"))
    np.save(first, x[:9]), np.save(second, x[9:]), np.save(whole, x)
    state = tmp_path / "state.safetensors"
    assert _replay(str(first), "--json", "--state-out", str(state))[0] == 0
    code, output = _replay(str(second), "--json", "--state-in", str(state))
    assert code == 0, output
    lines = [json.loads(line) for line in output.splitlines()]
    assert [line["step"] for line in lines[:-1]] == list(range(9, 16))
    straight = json.loads(_replay(str(whole), "--json")[1].splitlines()[-1])
    assert lines[-1]["state_sha256"] == straight["state_sha256"]


def test_the_plain_report_gives_surprise_per_level_and_the_state(vectors):
    code, output = _replay(str(vectors))
    assert code == 0, output
    assert "steps: 12" in output and "level 3 surprise mean" in output and "sha256" in output


def test_an_array_of_the_wrong_shape_is_refused_with_its_shape(tmp_path):
    path = tmp_path / "bad.npy"
    np.save(path, np.zeros((4, 100), np.float32))
    code, output = _replay(str(path))
    assert code == 1 and "expected an (N, 384) array, got shape (4, 100)" in output


def test_a_bad_vector_is_named_by_its_row(tmp_path):
    x = unit_vectors(5, 384, seed=82)
    x[2] = 0.0
    path = tmp_path / "zeros.npy"
    np.save(path, x)
    code, output = _replay(str(path), "--json")
    assert code == 1 and "vector 2: the vector is all zeros" in output


def test_a_file_that_is_not_a_state_is_refused(tmp_path, vectors):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a state at all")
    code, output = _replay(str(vectors), "--state-in", str(junk))
    assert code == 1 and "not an HTM state" in output


def test_cuda_without_a_cuda_device_is_a_clear_error(vectors):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    code, output = _replay(str(vectors), "--device", "cuda")
    assert code == 1 and "no CUDA device" in output


def test_the_command_line_starts_without_importing_torch():
    probe = ("import sys; from mira_assets.cli.main import app; "
             "from mira_assets.domain.htm import HTMState; HTMState.fresh(1); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
