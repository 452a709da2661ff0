"""`mira codebase ...` through typer's CliRunner; the CLI module must not import dagster, torch or chromadb."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from mira_assets.cli.codebase import app

runner = CliRunner()


def _ok(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_snapshot_list_restore_diff_forget(data_root, tmp_path, helpers):
    src = helpers.make_special_tree(tmp_path / "src", tmp_path)
    first = _ok("snapshot", src, "--name", "proj").stdout.split()[0]
    (src / "src" / "main.py").write_text("print('v2')\n")
    (src / "readonly.txt").unlink()
    second = _ok("snapshot", src, "--name", "proj").stdout.split()[0]
    assert first != second and first.startswith("proj_")

    listed = json.loads(_ok("list", "--json").stdout)
    assert [s["snapshot_id"] for s in listed] == [first, second]  # newest last
    assert {"snapshot_id", "name", "timestamp", "file_count", "total_size"} <= set(listed[0])
    assert json.loads(_ok("list", "--name", "other", "--json").stdout) == []
    assert second in _ok("list").stdout

    diff = _ok("diff", first, second).stdout.splitlines()
    assert sorted(diff) == ["D readonly.txt", "M src/main.py"]

    dest = tmp_path / "out"
    _ok("restore", first, dest)
    assert (dest / "src" / "main.py").read_text() == "print('hello')\n"
    refused = runner.invoke(app, ["restore", second, str(dest)])
    assert refused.exit_code == 1 and "not empty" in refused.output and "Traceback" not in refused.output
    _ok("restore", second, dest, "--force")
    assert (dest / "src" / "main.py").read_text() == "print('v2')\n"

    assert _ok("verify").stdout.strip() == "ok"
    out = _ok("forget", "--keep-daily", "0", "--keep-weekly", "0", "--keep-monthly", "0", "--keep-last", "1", "--prune").stdout
    assert f"removed {first}" in out and "prune: removed" in out
    assert [s["snapshot_id"] for s in json.loads(_ok("list", "--json").stdout)] == [second]
    _ok("verify", second)


def test_errors_are_one_line_exit_1(data_root, tmp_path, monkeypatch):
    result = runner.invoke(app, ["restore", "nope", str(tmp_path / "x")])
    assert result.exit_code == 1 and "no codebase snapshot 'nope'" in result.output
    monkeypatch.delenv("MIRA_VAULT_KEY")
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 1 and "no vault key configured" in result.output
    result = runner.invoke(app, ["forget", "--prune"], env={"MIRA_VAULT_KEY": "x"})
    assert result.exit_code == 1


def test_cli_imports_no_heavy_frameworks():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "import mira_assets.cli.codebase, resources.codebase.store, resources.codebase.config, "
                           "resources.codebase.archiver, resources.codebase.restorer, resources.codebase.checker, "
                           "resources.codebase.prune, resources.codebase.diff, resources.codebase.vault_hosted"],
                          capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert not imported & {"dagster", "torch", "chromadb"}
