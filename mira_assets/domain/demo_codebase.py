"""A small demo git repository with history on the demo days, for `codebase_snapshots` to capture.

A past day of a git codebase is snapshotted from its last commit that day (docs/codebase.md), so a demo on
days before any real commit needs a repository whose history covers them: ``make_demo_codebase(path, start,
days)`` builds ``tidewatch``, a toy Python project of about 40 files, with two commits on every demo day
(09:30 and 16:10 UTC): the first day creates it, later days edit, add, rename and delete files, so each
day's snapshot has a commit id and changed paths. Commits use a fixed identity and dates and ignore the
user's git configuration, so the same arguments give the same commit ids on any machine (also as root,
without a global git config). An existing repository holding that history is reused, a shorter demo is
extended, anything else is refused, never overwritten. Framework-free; needs the `git` command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

IDENTITY = ("MIRA Demo", "demo@mira.invalid")
COMMIT_TIMES = ((9, 30), (16, 10))  # UTC, two commits a day
PROJECT = "tidewatch"
MODULES = ("gauges", "harmonics", "units", "stations", "forecast", "alerts", "storage", "plotting_legacy",
           "calendar", "moon")
STATIONS = ("brest", "cuxhaven", "dover", "galway", "hamburg", "lisbon", "oslo", "reykjavik", "vigo")


class DemoCodebaseError(RuntimeError):
    """The demo repository cannot be built, or a different folder is in its place."""


@dataclass(frozen=True)
class DemoCodebase:
    path: Path
    head: str  # the last commit's id
    commits: int
    files: int
    created: bool  # False: an identical repository was already there


def _module(name: str, version: int) -> str:
    lines = [f'"""{PROJECT}.{name}: part of the tide-gauge demo project (revision {version})."""', "",
             "from __future__ import annotations", "", "import math", ""]
    for k in range(version + 2):
        lines += [f"def {name}_step_{k}(value: float, hours: float = {k + 1}.0) -> float:",
                  f'    """Step {k} of the {name} pipeline: a smooth function of time, for tests."""',
                  f"    return value * math.cos(hours / {12.42 + k:.2f} * 2 * math.pi) + {k * 0.1:.1f}", ""]
    return "\n".join(lines) + "\n"


def _test(name: str, version: int) -> str:
    body = [f"from {PROJECT}.{name} import {name}_step_0", "", "",
            f"def test_{name}_step_0_is_finite():", f"    assert abs({name}_step_0(1.0)) <= 1.0 + {version}", ""]
    return "\n".join(body)


def _station(name: str, rows: int, offset: int) -> str:
    lines = ["timestamp,height_m"]
    for k in range(rows):
        lines.append(f"2026-10-{1 + k % 28:02d}T{(k * 3 + offset) % 24:02d}:00:00Z,{1.5 + ((k * 7 + offset) % 23) / 10:.2f}")
    return "\n".join(lines) + "\n"


def _initial_tree() -> dict[str, str]:
    files = {
        "README.md": f"# {PROJECT}\n\nTide-gauge readings, harmonic forecasts and alerts (a demo codebase for MIRA).\n",
        ".gitignore": "__pycache__/\n*.pyc\n/build/\n.venv/\n",
        "pyproject.toml": f'[project]\nname = "{PROJECT}"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n',
        "CHANGELOG.md": "# Changelog\n\n## 0.1.0\n- first version\n",
        f"src/{PROJECT}/__init__.py": '"""Tide-gauge toolkit."""\n__version__ = "0.1.0"\n',
        "docs/index.md": "# Documentation\n\n- [stations](stations.md)\n- [forecast](forecast.md)\n",
        "docs/stations.md": "# Stations\n\n" + "".join(f"- {s}\n" for s in STATIONS[:6]),
        "docs/forecast.md": "# Forecast\n\nSum of harmonic constituents M2, S2, N2, K1 and O1.\n",
        "scripts/fetch.sh": "#!/bin/sh\nset -eu\necho \"fetching gauges into data/stations\"\n",
    }
    for name in MODULES:
        files[f"src/{PROJECT}/{name}.py"] = _module(name, 0)
        files[f"tests/test_{name}.py"] = _test(name, 0)
    for k, station in enumerate(STATIONS[:6]):
        files[f"data/stations/{station}.csv"] = _station(station, 40, k)
    return files


def _changes(day_index: int) -> list[tuple[str, dict[str, str | None], tuple[str, ...]]]:
    """The day's commits: (message, {path: new content or None to delete}, paths to make executable)."""
    if day_index == 0:
        tree = _initial_tree()
        return [("Initial project layout", tree, ("scripts/fetch.sh",)),
                ("Harmonics: add the N2 constituent", {f"src/{PROJECT}/harmonics.py": _module("harmonics", 1),
                                                       "tests/test_harmonics.py": _test("harmonics", 1)}, ())]
    if day_index == 1:
        return [("Gauges: parse timezone offsets", {f"src/{PROJECT}/gauges.py": _module("gauges", 1),
                                                    "tests/test_gauges.py": _test("gauges", 1)}, ()),
                ("Stations: add Oslo and Reykjavik",
                 {"docs/stations.md": "# Stations\n\n" + "".join(f"- {s}\n" for s in STATIONS[:8]),
                  "data/stations/oslo.csv": _station("oslo", 40, 6),
                  "data/stations/reykjavik.csv": _station("reykjavik", 40, 7)}, ())]
    if day_index == 2:
        return [("Remove the legacy plotting module", {f"src/{PROJECT}/plotting_legacy.py": None,
                                                       "tests/test_plotting_legacy.py": None,
                                                       "README.md": f"# {PROJECT}\n\nTide-gauge readings, harmonic "
                                                       "forecasts and alerts. Plots moved to the notebook.\n"}, ()),
                ("Alerts: storm-surge threshold per station", {f"src/{PROJECT}/alerts.py": _module("alerts", 1),
                                                               "docs/forecast.md": "# Forecast\n\nHarmonics plus a "
                                                               "storm-surge margin per station.\n"}, ())]
    module = MODULES[day_index % len(MODULES)]
    if module == "plotting_legacy":
        module = "moon"
    return [(f"{module.capitalize()}: revision {day_index}",
             {f"src/{PROJECT}/{module}.py": _module(module, day_index)}, ()),
            (f"Changelog for day {day_index + 1}",
             {"CHANGELOG.md": "# Changelog\n\n" + "".join(f"- day {k + 1}\n" for k in range(day_index + 1))}, ())]


def _git_env(moment: datetime) -> dict[str, str]:
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S+0000")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME=IDENTITY[0], GIT_AUTHOR_EMAIL=IDENTITY[1], GIT_COMMITTER_NAME=IDENTITY[0],
               GIT_COMMITTER_EMAIL=IDENTITY[1], GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp,
               GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0")
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(repo), "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false",
                               *args], capture_output=True, text=True, env=env)
    except FileNotFoundError:
        raise DemoCodebaseError("git is not installed: the demo codebase needs the `git` command") from None
    if proc.returncode != 0:
        raise DemoCodebaseError(f"git {args[0]} failed in {repo}: {proc.stderr.strip() or proc.returncode}")
    return proc.stdout.strip()


def _head(path: Path) -> str | None:
    if not (path / ".git").exists():
        return None
    try:
        return _git(path, _git_env(datetime.now(timezone.utc)), "rev-parse", "--verify", "-q", "HEAD")
    except DemoCodebaseError:
        return None


def _build(repo: Path, start: date, days: int) -> tuple[str, int]:
    env = _git_env(datetime(start.year, start.month, start.day, tzinfo=timezone.utc))
    _git(repo, env, "init", "-q", "-b", "main")
    commits = 0
    for day_index in range(days):
        day = start + timedelta(days=day_index)
        for (hour, minute), (message, changes, executable) in zip(COMMIT_TIMES, _changes(day_index)):
            for rel, content in changes.items():
                target = repo / rel
                if content is None:
                    target.unlink()
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8", newline="\n")
                target.chmod(0o755 if rel in executable else 0o644)
            moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
            env = _git_env(moment)
            _git(repo, env, "add", "-A")
            _git(repo, env, "commit", "-q", "--no-verify", "-m", message)
            commits += 1
    return _git(repo, env, "rev-parse", "HEAD"), commits


def _contains(path: Path, commit: str) -> bool:
    """Whether the repository at `path` has `commit` on its HEAD's history."""
    env = _git_env(datetime.now(timezone.utc))
    try:
        _git(path, env, "merge-base", "--is-ancestor", commit, "HEAD")
    except DemoCodebaseError:
        return False
    return True


def make_demo_codebase(path: Path, start: date, days: int) -> DemoCodebase:
    """Build the demo repository at `path` with two commits on each of `days` days from `start`.

    Reuses a repository already there whose history holds these commits (the same demo, or one with more
    days); replaces one that is an earlier, shorter demo with a clean working tree; refuses anything else."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if isinstance(start, str):
        start = date.fromisoformat(start)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        head, commits = _build(scratch, start, days)
        files = sum(1 for p in scratch.rglob("*") if p.is_file() and ".git" not in p.relative_to(scratch).parts)
        existing = _head(path)
        if existing is not None and _contains(path, head):
            env = _git_env(datetime.now(timezone.utc))
            return DemoCodebase(path, existing, int(_git(path, env, "rev-list", "--count", "HEAD")),
                                len(_git(path, env, "ls-files").splitlines()), created=False)
        shorter = existing is not None and _contains(scratch, existing) and not _git(
            path, _git_env(datetime.now(timezone.utc)), "status", "--porcelain", "--untracked-files=all")
        if path.exists() and not shorter and (existing is not None or any(path.iterdir())):
            raise DemoCodebaseError(
                f"{path} already exists and is not this demo repository ({start} for {days} days) or has "
                "uncommitted changes: remove it or choose another folder")
        if shorter:
            shutil.rmtree(path)
        elif path.exists():
            path.rmdir()
        scratch.rename(path)
        return DemoCodebase(path, head, commits, files, created=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
