"""The code location loads and offers what the UI user expects: assets, checks, jobs, a schedule."""

from __future__ import annotations

from datetime import datetime, timezone

import dagster as dg

from pipeline.helpers import load_defs


def test_definitions_load_with_every_storage_asset_daily_partitioned(mira_data, settings):
    defs = load_defs(settings)
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"conversations", "conversation_backups", "private_thoughts", "private_memories", "consciousness"} <= keys
    for key in graph.get_all_asset_keys():
        assert graph.get(key).partitions_def is not None, f"{key} is not partitioned"


def test_nightly_schedule_runs_the_daily_job_for_yesterday(mira_data, settings):
    defs = load_defs(settings)
    schedule = defs.resolve_schedule_def("nightly_storage_schedule")
    assert schedule.job_name == "daily_storage_job"
    assert schedule.cron_schedule == "0 2 * * *"
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc))
    run_requests = list(schedule.evaluate_tick(context).run_requests)
    assert [r.partition_key for r in run_requests] == ["2026-11-25"]


def test_maintenance_jobs_are_offered(mira_data, settings):
    defs = load_defs(settings)
    for name in ("verify_vault_job", "rotate_vault_key_job", "import_legacy_vault_job"):
        assert defs.resolve_job_def(name) is not None


def test_instance_config_turns_telemetry_off_and_limits_the_chroma_pool():
    from pathlib import Path

    import yaml

    config = yaml.safe_load((Path(__file__).parents[2] / "config" / "dagster.yaml").read_text())
    assert config["telemetry"]["enabled"] is False
    assert config["concurrency"]["pools"]["default_limit"] == 1


def test_the_code_location_reads_settings_through_env_vars_only_when_it_loads(monkeypatch, tmp_path):
    from mira_assets.definitions import defs, resources_from_environment
    from resources.vault.keyring import generate_key_b64

    key = generate_key_b64()
    environ = {"MIRA_DATA": str(tmp_path), "MIRA_VAULT_KEY": key, "MIRA_CHROMA_PORT": "8001",
               "MIRA_EMBEDDER_DEVICE": "auto", "MIRA_HTM_DEVICE": "cuda"}
    resources = resources_from_environment(environ)
    vault = resources["vault"]
    assert isinstance(vault.key, dg.EnvVar) and vault.key.env_var_name == "MIRA_VAULT_KEY"
    assert vault.key_file is None  # unset variables leave the resource's default
    assert resources["data_root"].root.env_var_name == "MIRA_DATA"
    assert resources["htm"].device.env_var_name == "MIRA_HTM_DEVICE"
    assert vault.data_root is resources["data_root"] and resources["chroma"].data_root is resources["data_root"]
    assert key not in repr(resources)
    # Nothing is read at import: the loader reads the environment when Dagster calls it.
    for name in environ:
        monkeypatch.delenv(name, raising=False)
    loaded = defs()
    assert loaded.resources["data_root"].root == "mira_data" and loaded.resources["vault"].key is None
    assert loaded.resources["htm"].device == "cpu"
    monkeypatch.setenv("MIRA_VAULT_KEY", key)
    assert defs().resources["vault"].key.env_var_name == "MIRA_VAULT_KEY"


def test_the_partition_range_starts_where_mira_partition_start_says_when_the_location_loads(monkeypatch):
    from mira_assets.definitions import defs

    monkeypatch.setenv("MIRA_PARTITION_START", "2026-11-01")
    loaded = defs()
    graph = loaded.resolve_asset_graph()
    starts = {graph.get(key).partitions_def.get_first_partition_key() for key in graph.get_all_asset_keys()}
    assert starts == {"2026-11-01"}
    checks = {spec.partitions_def.get_first_partition_key() for node in graph.asset_nodes
              for spec in node.assets_def.check_specs}
    assert checks == {"2026-11-01"}, "the checks are recorded over the same days"
    job = loaded.resolve_job_def("daily_storage_job")
    assert job.partitions_def.get_first_partition_key() == "2026-11-01"
    monkeypatch.delenv("MIRA_PARTITION_START")
    assert defs().resolve_job_def("daily_storage_job").partitions_def.get_first_partition_key() == "2026-01-01"


def test_a_partition_start_that_is_no_day_is_named_when_the_location_loads(monkeypatch):
    import pytest

    from mira_assets.definitions import defs

    monkeypatch.setenv("MIRA_PARTITION_START", "1 Nov 2026")
    with pytest.raises(ValueError, match="MIRA_PARTITION_START must be a day like 2026-11-01, got '1 Nov 2026'"):
        defs()
