"""Every check result belongs to its day: two days materialized leave one resolved result per day and check,
and no "Skipped" twin (a planned evaluation that never resolves)."""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from pipeline.helpers import DAYS, run_day

CHECKS = {
    dg.AssetCheckKey(dg.AssetKey("conversation_backups"), "records_decrypt_and_match_manifest"):
        AssetCheckExecutionRecordStatus.SUCCEEDED,
    # the demo data holds malformed lines on purpose: the quarantine check warns, every day
    dg.AssetCheckKey(dg.AssetKey("conversations"), "quarantine_is_empty"): AssetCheckExecutionRecordStatus.FAILED,
}


def test_each_day_has_its_own_check_result(settings, instance):
    for day in DAYS[:2]:
        run_day(settings, day, instance, selection=["conversations", "conversation_backups"])
    for key, status in CHECKS.items():
        history = instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
        assert sorted(record.partition for record in history) == DAYS[:2], key
        assert {record.status for record in history} == {status}, f"{key}: every record resolved, none planned"
    [warned] = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(dg.AssetKey("conversations"), "quarantine_is_empty"), limit=1)
    description = warned.event.dagster_event.event_specific_data.description
    assert description.startswith(f"2 line(s) of conversations {DAYS[1]} are in quarantine")
