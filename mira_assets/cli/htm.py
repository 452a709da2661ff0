"""`mira htm replay VECTORS.npy`: run 384-d vectors through the HTM hierarchy, learning.

For people tuning HTM and for checks: per-step surprise and likelihood, the time per step,
and the sha256 of the resulting state. Heavy imports (numpy, torch) happen inside the
command only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from mira_assets.cli.failure import fail

app = typer.Typer(help="Hierarchical temporal memory: replay vectors through the hierarchy.", no_args_is_help=True)


def _load_vectors(path: Path, input_dim: int):
    import numpy as np

    try:
        vectors = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except (OSError, ValueError) as exc:
        fail(f"{path}: not a numpy .npy array ({exc})")
    if vectors.ndim != 2 or vectors.shape[1] != input_dim:
        fail(f"{path}: expected an (N, {input_dim}) array, got shape {vectors.shape}")
    if not np.issubdtype(vectors.dtype, np.number) or np.issubdtype(vectors.dtype, np.complexfloating):
        fail(f"{path}: expected real numbers, got dtype {vectors.dtype}")
    return vectors


@app.command("replay")
def replay(
    vectors_path: Path = typer.Argument(..., metavar="VECTORS.npy", help="An (N, 384) float array, one vector per step."),
    state_in: Optional[Path] = typer.Option(None, "--state-in", help="Start from this saved state (safetensors); "
                                            "default: a fresh state."),
    state_out: Optional[Path] = typer.Option(None, "--state-out", help="Save the state after the replay here."),
    device: str = typer.Option("cpu", "--device", envvar="MIRA_HTM_DEVICE", help="cpu or cuda."),
    seed: int = typer.Option(0, "--seed", help="Seed of a fresh state (ignored with --state-in)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON line per step, then one summary line."),
) -> None:
    """Feed each row of VECTORS.npy to the hierarchy in order, learning; report surprise per step.

    With --json: per step {"step", "surprise_level", "surprise_per_level" (levels 1 to 3),
    "likelihood"} ("step" counts from the state's first step ever), then
    {"steps", "ms_per_step_median", "state_sha256"} (sha256 of the saved state's bytes).
    """
    import hashlib

    from mira_assets.domain.htm import HTMConfig, HTMDeviceError, HTMState, HTMStateError, run_day, summarize

    try:
        if state_in is not None:
            try:
                data = state_in.read_bytes()
            except OSError as exc:
                fail(f"{state_in}: cannot read the state ({exc.strerror})")
            state = HTMState.from_bytes(data, device=device)
        else:
            state = HTMState.fresh(seed, HTMConfig(), device=device)
    except HTMDeviceError as exc:
        fail(str(exc))
    except HTMStateError as exc:
        fail(f"{state_in}: {exc}")
    vectors = _load_vectors(vectors_path, state.config.input_dim)

    def emit(result) -> None:
        if as_json:
            typer.echo(json.dumps({"step": result.step, "surprise_level": result.surprise_level,
                                   "surprise_per_level": result.surprise_per_level,
                                   "likelihood": result.likelihood}))

    try:
        state, results = run_day(state, vectors, copy=False, on_step=emit)
    except ValueError as exc:
        fail(f"{vectors_path}: {exc}")
    data = state.to_bytes()
    if state_out is not None:
        from resources.vault.atomic import atomic_write

        atomic_write(state_out, data)
    sha = hashlib.sha256(data).hexdigest()
    summary = summarize(results)
    median_ms = summary.get("ms_per_step_median", 0.0)
    if as_json:
        typer.echo(json.dumps({"steps": len(results), "ms_per_step_median": median_ms, "state_sha256": sha}))
        return
    typer.echo(f"steps: {len(results)}  (state now at step {state.steps})")
    typer.echo(f"ms per step (median): {median_ms:.2f}")
    if results:
        for level in range(len(state.levels)):
            typer.echo(f"level {level + 1} surprise mean: {summary[f'surprise_l{level + 1}_mean']:.3f}, "
                       f"p95: {summary[f'surprise_l{level + 1}_p95']:.3f}")
        typer.echo(f"likelihood: last {results[-1].likelihood:.3f}, highest {summary['likelihood_max']:.3f}")
    for stats in state.statistics():
        typer.echo(f"level {stats['level']}: {stats['segments']} segments, {stats['synapses']} synapses "
                   f"({stats['connected_synapses']} connected)")
    typer.echo(f"state: {len(data)} bytes, sha256 {sha}" + (f", saved to {state_out}" if state_out else ""))
