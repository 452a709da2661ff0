"""An in-process executor whose wait for a pool slot sleeps and can be interrupted; the executor a run uses.

Dagster's own in-process loop (1.13.27) spins while a step waits for a pool slot and never reads a captured
SIGINT/SIGTERM there: `InstanceConcurrencyContext.interval_to_next_pending_claim_check` returns
`min(0, ...)`, so `ActiveExecution.sleep_til_ready` never sleeps, and `inner_plan_execution_iterator` never
checks for interrupts. A run blocked behind a dead run's `chroma` slot then burns a core and ignores Ctrl-C
(issue 9). This executor is Dagster's in-process executor with one change: its concurrency context returns a
real, short wait and raises the interrupt when one was captured. Events, retries, step order and slot release
stay Dagster's. It reaches into Dagster internals: dagster is pinned exactly, and
tests/operations/test_executor.py pins the behaviour this relies on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

import dagster as dg
from dagster._core.definitions.executor_definition import IN_PROC_CONFIG
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.execution.api import ExecuteRunWithPlanIterable
from dagster._core.execution.context_creation_job import PlanExecutionContextManager
from dagster._core.execution.plan.execute_plan import inner_plan_execution_iterator
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext
from dagster._core.execution.retries import RetryMode
from dagster._core.execution.step_dependency_config import StepDependencyConfig
from dagster._core.executor.in_process import InProcessExecutor
from dagster._utils.interrupts import pop_captured_interrupt

EXECUTOR_VARIABLE = "MIRA_EXECUTOR"
# Longest sleep between two looks at the pool (and at a captured interrupt), and the shortest.
MAX_WAIT_S = 0.5
MIN_WAIT_S = 0.05


class InterruptibleConcurrencyContext(InstanceConcurrencyContext):
    """Waits for a pool slot by sleeping (0.05-0.5 s) and stops waiting when SIGINT/SIGTERM was captured."""

    def interval_to_next_pending_claim_check(self) -> float:
        if pop_captured_interrupt():
            raise DagsterExecutionInterruptedError("interrupted while waiting for a pool slot")
        if not self.has_pending_claims():
            return 0.0
        now = time.time()
        waits = [ready_at - now for ready_at in self._pending_timeouts.values()]
        return min(MAX_WAIT_S, max(MIN_WAIT_S, min(waits, default=MAX_WAIT_S)))


def _plan_iterator(job_context, execution_plan, instance_concurrency_context=None):
    with InterruptibleConcurrencyContext(job_context.instance, job_context.dagster_run) as context:
        yield from inner_plan_execution_iterator(job_context, execution_plan, context)


class InterruptibleInProcessExecutor(InProcessExecutor):
    def execute(self, plan_context, execution_plan):
        pid = os.getpid()
        # The dead-run check reads this pid (dead_runs.worker_pid) to tell whether the run still has a process.
        yield DagsterEvent.engine_event(
            plan_context, f"Executing steps in process (pid: {pid})",
            event_specific_data=EngineEventData.in_process(pid, execution_plan.step_keys_to_execute),
        )
        yield from iter(ExecuteRunWithPlanIterable(
            execution_plan=plan_context.execution_plan,
            iterator=_plan_iterator,
            execution_context_manager=PlanExecutionContextManager(
                job=plan_context.job, retry_mode=plan_context.retry_mode,
                execution_plan=plan_context.execution_plan, run_config=plan_context.run_config,
                dagster_run=plan_context.dagster_run, instance=plan_context.instance,
                raise_on_error=plan_context.raise_on_error, output_capture=plan_context.output_capture,
                step_dependency_config=self.step_dependency_config,
            ),
        ))


@dg.executor(name="in_process", config_schema=IN_PROC_CONFIG)
def interruptible_in_process_executor(init_context: dg.InitExecutorContext):
    """Dagster's in-process executor, but a step waiting for a pool slot sleeps and obeys SIGINT/SIGTERM."""
    config = init_context.executor_config
    return InterruptibleInProcessExecutor(
        retries=RetryMode.from_config(config["retries"]),
        step_dependency_config=StepDependencyConfig.from_config(config.get("step_dependency_config")),
    )


def executor_for(environ: Mapping[str, str]) -> dg.ExecutorDefinition:
    """The executor named by MIRA_EXECUTOR: `in_process` (default; parallelism comes from separate runs) or
    `celery` (steps on Celery workers; broker and result backend from MIRA_CELERY_BROKER / MIRA_CELERY_BACKEND)."""
    name = (environ.get(EXECUTOR_VARIABLE) or "in_process").strip()
    if name == "in_process":
        return interruptible_in_process_executor
    if name == "celery":
        try:
            from dagster_celery import celery_executor
        except ImportError:
            raise ValueError(f"{EXECUTOR_VARIABLE}=celery needs dagster-celery: "
                             f"pip install 'mira-storage[ops]'") from None
        return celery_executor.configured({"broker": {"env": "MIRA_CELERY_BROKER"},
                                           "backend": {"env": "MIRA_CELERY_BACKEND"}})
    raise ValueError(f"{EXECUTOR_VARIABLE} must be in_process or celery, got {name!r}")
