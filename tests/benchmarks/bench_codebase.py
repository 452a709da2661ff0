"""Codebase snapshots against restic, on the same tree of at least 4,000 files.

    python tests/benchmarks/bench_codebase.py [--repeat N] [--keep]

Installs restic from the distribution's packages if it is missing (apt-get). The tree: a
copy of the running interpreter's standard library (without site-packages and __pycache__;
2,450 files, 102 MB for CPython 3.11.7) plus, to pass 4,000 files, the `dagster` and `numpy`
packages of this project's environment (without __pycache__; their versions are printed).
Then times, for our CLI (`mira codebase ...`) and for restic (password from RESTIC_PASSWORD,
repository in a temp folder): the first snapshot, a snapshot of the unchanged tree, a snapshot after
appending a line to every 100th file, and a full restore of the last snapshot; then
compares the store size (bytes of all files under codebase_copies/ vs. the restic
repository). Each round starts from an empty store and repository; times are the median of
N rounds (default 3), wall time and CPU time (user + system) of each command. Each ratio is
ours / restic (goal: <= 0.9). Prints a table, then ONE JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


MIN_FILES = 4000
EXTRA_PACKAGES = ("dagster", "numpy")


def build_tree(dest: Path) -> str:
    """stdlib/ (the interpreter's standard library) + site-packages/<pkg> for EXTRA_PACKAGES; returns a description."""
    import importlib.metadata

    ignore = shutil.ignore_patterns("site-packages", "__pycache__")
    shutil.copytree(Path(sysconfig.get_paths()["stdlib"]), dest / "stdlib", symlinks=True, ignore=ignore)
    parts = [f"stdlib of Python {sys.version.split()[0]}"]
    for name in EXTRA_PACKAGES:
        pkg = Path(sysconfig.get_paths()["purelib"]) / name
        shutil.copytree(pkg, dest / "site-packages" / name, symlinks=True, ignore=ignore)
        parts.append(f"{name} {importlib.metadata.version(name)}")
    return " + ".join(parts)


def ensure_restic() -> str:
    found = shutil.which("restic")
    if found:
        return found
    print("restic not found: installing it with apt-get", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "restic"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    found = shutil.which("restic")
    if not found:
        sys.exit("restic could not be installed")
    return found


def our_cli() -> list[str]:
    mira = Path(sys.executable).with_name("mira")
    if mira.exists() and subprocess.run([str(mira), "codebase", "--help"], capture_output=True).returncode == 0:
        return [str(mira), "codebase"]
    return [sys.executable, "-m", "mira_assets.cli.codebase"]


def tree_bytes(root: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                total += os.lstat(p).st_size
    return total


def du_bytes(root: Path) -> int:
    return int(subprocess.run(["du", "-sb", "--apparent-size", str(root)], capture_output=True, text=True,
                              check=True).stdout.split()[0])


def timed(cmd: list[str], env: dict) -> tuple[tuple[float, float], str]:
    """(wall s, CPU s = user + system of the command), stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (elapsed, cpu), proc.stdout


def run_once(restic: str, src: Path, files: list[Path], work: Path, cli: list[str],
             round_no: int = 0) -> tuple[list, int, int, int]:
    """One full round on a fresh store and a fresh restic repository; the tree is restored afterwards."""
    from resources.vault.keyring import generate_key_b64

    for d in ("mira_data", "restic-repo", "restic-cache", "restore-ours", "restore-restic"):
        shutil.rmtree(work / d, ignore_errors=True)
    data = work / "mira_data"
    ours_env = {**os.environ, "MIRA_DATA": str(data), "MIRA_VAULT_KEY": generate_key_b64()}
    ours_env.pop("MIRA_VAULT_KEY_FILE", None)
    ours_env["PYTHONPATH"] = str(REPO) + os.pathsep + ours_env.get("PYTHONPATH", "")
    repo = work / "restic-repo"
    restic_env = {**os.environ, "RESTIC_PASSWORD": "bench-password", "RESTIC_REPOSITORY": str(repo),
                  "RESTIC_CACHE_DIR": str(work / "restic-cache")}
    subprocess.run([restic, "init"], env=restic_env, check=True, capture_output=True)
    rows = []

    def step(label, ours_cmd, restic_cmd):
        # Who goes first alternates between rounds: on a busy disk the first of two restores
        # meets the inodes freed a moment ago (ext4 skips recently deleted inodes, a cost that
        # dominated both restores here), and page-cache state favours the second reader.
        if round_no % 2 == 0:
            t_ours, out = timed(ours_cmd, ours_env)
            t_restic, _ = timed(restic_cmd, restic_env)
        else:
            t_restic, _ = timed(restic_cmd, restic_env)
            t_ours, out = timed(ours_cmd, ours_env)
        rows.append((label, t_ours, t_restic))
        return out

    originals = {p: p.read_bytes() for p in files[::100]}
    try:
        step("first snapshot", cli + ["snapshot", str(src), "--name", "stdlib"], [restic, "backup", "-q", str(src)])
        step("no-change snapshot", cli + ["snapshot", str(src), "--name", "stdlib"], [restic, "backup", "-q", str(src)])
        for p in originals:
            with open(p, "ab") as fh:
                fh.write(b"\n# appended by bench_codebase\n")
        out = step("1% files changed", cli + ["snapshot", str(src), "--name", "stdlib"], [restic, "backup", "-q", str(src)])
        last_id = out.split()[0]
        ours_dest, restic_dest = work / "restore-ours", work / "restore-restic"
        step("full restore", cli + ["restore", last_id, str(ours_dest)],
             [restic, "restore", "-q", "latest", "--target", str(restic_dest)])
        assert tree_bytes(ours_dest) == tree_bytes(src), "our restore differs in size"
    finally:
        for p, data_ in originals.items():
            p.write_bytes(data_)
    ours_store = du_bytes(data / "databases" / "lightning_vidmem" / "codebase_copies")
    return rows, ours_store, du_bytes(repo), len(originals)


def main() -> None:
    keep = "--keep" in sys.argv
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    restic = ensure_restic()
    version = subprocess.run([restic, "version"], capture_output=True, text=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="bench_codebase_"))
    try:
        src = work / "tree"
        tree_name = build_tree(src)
        files = sorted(p for p in src.rglob("*") if p.is_file() and not p.is_symlink())
        if len(files) < MIN_FILES:
            sys.exit(f"the benchmark tree has {len(files)} files, fewer than {MIN_FILES}")
        size = tree_bytes(src)
        cli = our_cli()
        rounds = [run_once(restic, src, files, work, cli, i) for i in range(repeat)]
        ours_store, restic_store, changed = rounds[-1][1], rounds[-1][2], rounds[-1][3]
        labels = [label for label, _, _ in rounds[0][0]]

        def median(i: int, tool: int, what: int) -> float:
            return statistics.median(r[0][i][tool][what] for r in rounds)

        rows = [(label, median(i, 1, 0), median(i, 2, 0), median(i, 1, 1), median(i, 2, 1)) for i, label in enumerate(labels)]

        print(f"\ncodebase snapshots vs {version}")
        print(f"tree: {len(files)} files, {size / 1e6:.1f} MB ({tree_name}); "
              f"{changed} files changed; {os.cpu_count()} CPUs; median of {repeat} rounds; "
              f"ours via: {' '.join(Path(c).name for c in cli)}\n")
        print(f"{'step':<22}{'ours':>10}{'restic':>10}{'ours/restic':>13}{'CPU ours':>10}{'restic':>9}{'ratio':>7}")
        figures = {}
        for label, a, b, ca, cb in rows:
            print(f"{label:<22}{a:>9.2f}s{b:>9.2f}s{a / b:>13.2f}{ca:>9.2f}s{cb:>8.2f}s{ca / cb:>7.2f}")
            key = label.replace(" ", "_").replace("%", "pct").replace("-", "_")
            figures[f"{key}_s"] = {"ours": round(a, 3), "restic": round(b, 3), "ratio": round(a / b, 3),
                                   "cpu_ours": round(ca, 3), "cpu_restic": round(cb, 3), "cpu_ratio": round(ca / cb, 3)}
        print(f"{'store size':<22}{ours_store / 1e6:>8.2f}MB{restic_store / 1e6:>8.2f}MB{ours_store / restic_store:>13.2f}")
        figures["store_bytes"] = {"ours": ours_store, "restic": restic_store, "ratio": round(ours_store / restic_store, 3)}
        ratios = [v["ratio"] for v in figures.values() if isinstance(v, dict)]
        figures.update({"files": len(files), "tree_bytes": size, "tree": tree_name, "changed_files": changed, "restic": version,
                        "rounds": repeat, "load_avg_1m": round(os.getloadavg()[0], 2),
                        "all_ratios_le_1": all(r <= 1.0 for r in ratios), "all_ratios_le_0_9": all(r <= 0.9 for r in ratios)})
        print(json.dumps(figures, sort_keys=True))
    finally:
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
