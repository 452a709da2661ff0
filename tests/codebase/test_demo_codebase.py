"""The demo git repository: history on the demo days, so the demo's codebase days are captured, not skipped."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from typer.testing import CliRunner

from mira_assets.domain.demo_codebase import COMMIT_TIMES, DemoCodebaseError, make_demo_codebase
from resources.codebase.config import CodebaseSpec
from resources.codebase.daily import WRITTEN, snapshot_day
from resources.codebase.diff import diff

DAYS = ("2026-11-01", "2026-11-02", "2026-11-03")
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc).timestamp()  # the demo days are in the past


def git_log(path) -> list[tuple[str, str, str]]:
    out = subprocess.run(["git", "-C", str(path), "log", "--format=%H %cI %an <%ae>"], capture_output=True, text=True,
                         check=True).stdout
    return [tuple(line.split(" ", 2)) for line in out.splitlines()]


def test_two_commits_on_each_demo_day_with_a_fixed_identity_and_the_same_ids_anywhere(tmp_path, monkeypatch):
    # no usable user configuration at all: an empty HOME, as root in CI
    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    made = make_demo_codebase(tmp_path / "a" / "demo_codebase", dt.date(2026, 11, 1), 3)
    assert made.created and made.commits == 2 * len(DAYS) and 30 <= made.files <= 60
    log = git_log(made.path)
    assert len(log) == 6 and log[0][0] == made.head
    days = sorted({stamp[:10] for _, stamp, _ in log})
    assert days == list(DAYS)
    assert {stamp[11:16] for _, stamp, _ in log} == {f"{h:02d}:{m:02d}" for h, m in COMMIT_TIMES}
    assert {who for _, _, who in log} == {"MIRA Demo <demo@mira.invalid>"}
    assert subprocess.run(["git", "-C", str(made.path), "status", "--porcelain"], capture_output=True, text=True,
                          check=True).stdout == ""
    again = make_demo_codebase(tmp_path / "b" / "demo_codebase", "2026-11-01", 3)
    assert again.head == made.head  # deterministic: the same commit ids in another folder


def test_a_second_run_reuses_it_a_longer_demo_extends_it_and_a_foreign_folder_is_refused(tmp_path):
    path = tmp_path / "demo_codebase"
    first = make_demo_codebase(path, dt.date(2026, 11, 1), 2)
    marker = (path / ".git" / "HEAD").stat().st_mtime_ns
    again = make_demo_codebase(path, dt.date(2026, 11, 1), 2)
    assert not again.created and again.head == first.head and (path / ".git" / "HEAD").stat().st_mtime_ns == marker
    longer = make_demo_codebase(path, dt.date(2026, 11, 1), 3)
    assert longer.created and longer.commits == 6
    assert not make_demo_codebase(path, dt.date(2026, 11, 1), 2).created  # a shorter request: already holds it
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("my own work\n")
    with pytest.raises(DemoCodebaseError, match="not this demo repository"):
        make_demo_codebase(foreign, dt.date(2026, 11, 1), 1)
    assert (foreign / "notes.txt").read_text() == "my own work\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo_codebase", "mine"]  # no scratch folder left


def test_each_demo_day_is_snapshotted_at_its_commit_with_changed_paths(tmp_path, store):
    made = make_demo_codebase(tmp_path / "demo_codebase", dt.date(2026, 11, 1), 3)
    spec = CodebaseSpec(name="demo-codebase", path=made.path)
    outcomes = [snapshot_day(store, spec, day, now=NOW) for day in DAYS]
    assert [o.state for o in outcomes] == [WRITTEN] * 3
    commits = [o.commit for o in outcomes]
    assert len(set(commits)) == 3 and commits[-1] == made.head
    changes = [diff(store, a.snapshot_id, b.snapshot_id) for a, b in zip(outcomes, outcomes[1:])]
    assert all(changes)
    assert {c.status for c in changes[1]} >= {"D", "M"}  # day 3 removes the legacy module and edits others
    assert any(c.status == "A" for c in changes[0])  # day 2 adds station files


def test_cli_builds_it_beside_the_landing_data_and_says_when_it_reuses_it(tmp_path):
    from mira_assets.cli.main import app

    runner = CliRunner()
    args = ["demo-data", "--out", str(tmp_path / "landing"), "--start", "2026-11-01", "--days", "1"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "created" in first.output and (tmp_path / "demo_codebase" / ".git").is_dir()
    second = runner.invoke(app, ["demo-codebase", "--out", str(tmp_path / "demo_codebase"), "--start", "2026-11-01",
                                 "--days", "1"])
    assert second.exit_code == 0 and "reusing" in second.output
    bare = runner.invoke(app, [*args[:2], str(tmp_path / "other" / "landing"), *args[3:], "--no-codebase"])
    assert bare.exit_code == 0 and not (tmp_path / "other" / "demo_codebase").exists()
