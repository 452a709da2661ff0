"""The project's executor reaches into Dagster internals: these tests pin what it relies on.

A step waiting for a pool slot must sleep between looks (Dagster's own loop spins, issue 9) and stop waiting
when SIGINT/SIGTERM was captured; everything else is Dagster's in-process executor.
"""

from __future__ import annotations

import os
import signal

import dagster as dg
import pytest
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._utils.interrupts import capture_interrupts

from mira_assets.operations.executor import (MAX_WAIT_S, MIN_WAIT_S, InterruptibleConcurrencyContext,
                                             executor_for, interruptible_in_process_executor)


def test_dagster_is_the_version_the_executor_was_written_for():
    # executor.py subclasses InstanceConcurrencyContext and rebuilds InProcessExecutor.execute (dagster 1.13.27):
    # on an upgrade, re-read both in the new release and run tests/operations/test_dead_runs.py.
    assert dg.__version__ == "1.13.27"


@pytest.fixture
def blocked(tmp_path):
    """A run of ours whose step waits for the `chroma` slot another run holds."""
    with dg.DagsterInstance.local_temp(str(tmp_path), overrides={
            "concurrency": {"pools": {"default_limit": 1, "granularity": "op"}}}) as instance:
        holder = instance.add_run(dg.DagsterRun(job_name="holder", status=dg.DagsterRunStatus.STARTED))
        ours = instance.add_run(dg.DagsterRun(job_name="ours", status=dg.DagsterRunStatus.STARTED))
        instance.event_log_storage.initialize_concurrency_limit_to_default("chroma")
        assert instance.event_log_storage.claim_concurrency_slot("chroma", holder.run_id, "held").is_claimed
        with InterruptibleConcurrencyContext(instance, ours) as context:
            assert not context.claim("chroma", "stored_memories")
            yield context


def test_a_step_waiting_for_a_pool_slot_sleeps_between_looks(blocked):
    assert blocked.has_pending_claims()
    assert MIN_WAIT_S <= blocked.interval_to_next_pending_claim_check() <= MAX_WAIT_S


def test_a_captured_interrupt_ends_the_wait(blocked):
    with capture_interrupts():
        os.kill(os.getpid(), signal.SIGINT)  # captured: becomes a flag, as in a run worker
        with pytest.raises(DagsterExecutionInterruptedError, match="waiting for a pool slot"):
            blocked.interval_to_next_pending_claim_check()


def test_the_executor_is_chosen_when_the_code_location_loads():
    assert executor_for({}) is interruptible_in_process_executor
    assert executor_for({"MIRA_EXECUTOR": "celery"}).name == "celery"
    with pytest.raises(ValueError, match="MIRA_EXECUTOR must be in_process or celery, got 'dask'"):
        executor_for({"MIRA_EXECUTOR": "dask"})
