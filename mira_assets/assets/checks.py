"""Asset checks recorded per day.

A check without a partitions definition on a daily asset records, for every run, a planned evaluation WITH the
partition and a result WITHOUT one: the UI then shows every result beside a "Skipped" twin and no day's
status. Declaring the check over the asset's own partitions gives one record per day (the check's Partitions
tab, each day SUCCEEDED or FAILED). Dagster 1.13 marks partitioned checks as a preview; the warning is
silenced here, where every check of the project is declared.
"""

from __future__ import annotations

import warnings

import dagster as dg


def partitioned_check_spec(name: str, asset: str, partitions: dg.PartitionsDefinition, *,
                           description: str) -> dg.AssetCheckSpec:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return dg.AssetCheckSpec(name, asset=asset, partitions_def=partitions, description=description)
