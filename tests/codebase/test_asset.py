"""The daily `codebase_snapshots` asset, its check, and the restore job, materialized in-process."""

from __future__ import annotations


import dagster as dg
import pytest

from jobs.codebase_restore import restore_codebase_job
from mira_assets.assets.codebase import CHECK_NAME
from pipeline.helpers import assets_named
from resources.codebase_resource import CodebasesResource
from resources.data_root_resource import DataRootResource
from resources.vault_resource import VaultResource


@pytest.fixture
def project(tmp_path, data_root, vault, vault_key, helpers):
    src = helpers.make_special_tree(tmp_path / "code", tmp_path)
    resources = {
        "vault": VaultResource(data_root=DataRootResource(root=str(data_root)), key=vault_key),
        "codebases": CodebasesResource(codebases=[{"name": "demo", "path": str(src), "excludes": ["*.bin"]}]),
    }
    return src, resources


def _run(resources, day, now=None):
    """Materialize one day; by default the run happens during that day (UTC noon), so the
    folder as it is now stands for it and a rerun may replace it."""
    codebases = CodebasesResource(codebases=resources["codebases"].codebases, now_utc=now or f"{day}T12:00:00+00:00")
    result = dg.materialize(assets_named("codebase_snapshots"), resources={**resources, "codebases": codebases}, partition_key=day,
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    mat = result.asset_materializations_for_node("codebase_snapshots")[0]
    checks = result.get_asset_check_evaluations()
    return {k: v.value for k, v in mat.metadata.items()}, checks


def _files(root):
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file() and p.name != ".lock"}


def test_daily_snapshot_rerun_change_and_check(project, store, vault, tmp_path, helpers):
    src, resources = project
    meta, checks = _run(resources, "2026-11-01")
    assert meta["snapshot_ids"] == "demo_2026-11-01"
    assert meta["files"] == 7 and meta["new_bytes"] > 0 and meta["unchanged_snapshots"] == 0
    assert 0 <= meta["dedup_ratio"] <= 1 and meta["compression_ratio"] > 0
    assert [c.check_name for c in checks] == [CHECK_NAME] and checks[0].passed
    assert (store.root / "2026-11" / "demo_2026-11-01.enc").exists()
    assert not any(e.path.endswith(b".bin") for e in store.entries("demo_2026-11-01"))

    before = _files(store.root)
    meta, checks = _run(resources, "2026-11-01")
    assert meta["unchanged_snapshots"] == 1 and meta["new_bytes"] == 0 and checks[0].passed
    assert _files(store.root) == before  # a rerun on the same tree changes nothing

    (src / "src" / "main.py").write_text("print('changed')\n")
    meta, _ = _run(resources, "2026-11-01")  # changed tree: replaces the day's snapshot
    assert meta["unchanged_snapshots"] == 0
    assert [s.snapshot_id for s in store.list_snapshots()] == ["demo_2026-11-01"]

    (src / "src" / "new_module.py").write_text("x = 1\n")
    meta, checks = _run(resources, "2026-11-02")
    assert meta["changed_paths_count"] == 1 and "src/new_module.py" in meta["changed_paths"]
    assert [s.snapshot_id for s in store.list_snapshots()] == ["demo_2026-11-01", "demo_2026-11-02"]

    # tamper with a chunk the day uses: the check fails and names the file
    entry = next(e for e in store.entries("demo_2026-11-02") if e.path == b"src/new_module.py")
    pack = helpers.flip_chunk_byte(store, entry.chunks[0][0])
    (src / "touch.txt").write_text("make the tree differ so the day is rewritten\n")
    meta, checks = _run(resources, "2026-11-02")
    assert not checks[0].passed
    assert pack in checks[0].metadata["problems"].value and entry.chunks[0][0] in checks[0].metadata["problems"].value


def test_restore_job(project, store, tmp_path, helpers):
    src, resources = project
    _run(resources, "2026-11-03")
    dest = tmp_path / "restored"
    result = restore_codebase_job.execute_in_process(
        run_config={"ops": {"restore_codebase_snapshot": {"config": {
            "snapshot_id": "demo_2026-11-03", "dest": str(dest), "force": False}}}},
        resources={"vault": resources["vault"]},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    selected = {e.path for e in store.entries("demo_2026-11-03")}
    helpers.assert_same_tree(src, dest, only=selected)
    bad = restore_codebase_job.execute_in_process(
        run_config={"ops": {"restore_codebase_snapshot": {"config": {"snapshot_id": "demo_2026-11-03", "dest": str(dest)}}}},
        resources={"vault": resources["vault"]}, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert not bad.success  # destination not empty


def test_default_codebase_is_this_repository():
    (spec,) = CodebasesResource().get_codebases()
    assert spec.name == "mira-storage" and (spec.path / "pyproject.toml").exists()
    # MIRA_CODEBASES, bound by the code location to codebases_json
    (spec,) = CodebasesResource(codebases_json='[{"name": "x", "path": "/tmp", "excludes": ["*.log"]}]').get_codebases()
    assert spec.name == "x" and spec.excludes == ("*.log",)
