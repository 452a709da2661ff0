"""An in-process executor whose wait for a pool slot sleeps and can be interrupted (dagster 1.13.28).

Dagster's own in-process loop spins while a step waits for a pool slot and never reads a captured
SIGINT/SIGTERM there (see scratch/e_kill_chroma_step.py for the reproduction and the two lines at fault:
InstanceConcurrencyContext.interval_to_next_pending_claim_check returns min(0, ...) so the loop never
sleeps; inner_plan_execution_iterator never checks interrupts). This executor is Dagster's in-process
executor with one change: its concurrency context returns a real, short wait and raises the interrupt
when one was captured. Everything else (events, retries, step order, slot release) is Dagster's.
"""

from __future__ import annotations

import time

import dagster as dg
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._core.execution.api import ExecuteRunWithPlanIterable
from dagster._core.execution.context_creation_job import PlanExecutionContextManager
from dagster._core.execution.plan.execute_plan import inner_plan_execution_iterator
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext
from dagster._core.execution.retries import RetryMode
from dagster._core.execution.step_dependency_config import StepDependencyConfig
from dagster._core.executor.in_process import InProcessExecutor
from dagster._core.definitions.executor_definition import IN_PROC_CONFIG
from dagster._utils.interrupts import pop_captured_interrupt

# Longest sleep between two looks at the pool (and at a captured interrupt).
MAX_WAIT_S = 0.5


class InterruptibleConcurrencyContext(InstanceConcurrencyContext):
    def interval_to_next_pending_claim_check(self) -> float:
        if pop_captured_interrupt():
            raise DagsterExecutionInterruptedError("interrupted while waiting for a pool slot")
        if not self.has_pending_claims():
            return 0.0
        now = time.time()
        waits = [ready_at - now for ready_at in self._pending_timeouts.values()]
        return min(MAX_WAIT_S, max(0.05, min(waits, default=MAX_WAIT_S)))


def _iterator(job_context, execution_plan, instance_concurrency_context=None):
    with InterruptibleConcurrencyContext(job_context.instance, job_context.dagster_run) as context:
        yield from inner_plan_execution_iterator(job_context, execution_plan, context)


class InterruptibleInProcessExecutor(InProcessExecutor):
    def execute(self, plan_context, execution_plan):
        import os

        from dagster._core.events import DagsterEvent, EngineEventData

        yield DagsterEvent.engine_event(
            plan_context, f"Executing steps in process (pid: {os.getpid()})",
            event_specific_data=EngineEventData.in_process(os.getpid(), execution_plan.step_keys_to_execute),
        )
        yield from iter(ExecuteRunWithPlanIterable(
            execution_plan=plan_context.execution_plan,
            iterator=_iterator,
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
