"""Steps: a pipeline whose steps, once done, are skipped by the next executions of the same workflow id.

Done steps are S3 objects ``<STEP_BUCKET>/<workflow id>/steps/<step name>``; create the bucket
first (``STEP_BUCKET`` sets its name, default ``step_bucket``; docs/steps.md says how on a local
endpoint), then run it twice:

    simpleflow workflow.start --local examples.steps.PipelineWorkflow --workflow-id nightly --input '{}'
    simpleflow workflow.start --local examples.steps.PipelineWorkflow --workflow-id nightly \\
        --input '{"force_steps": ["transform"]}'

The first run plays every step; the second skips ``extract`` and ``load`` and replays
``transform.clean`` and ``transform.enrich`` (forcing ``transform`` forces what is under it).
Each run returns ``{step: "played" | "skipped"}``.
"""

from __future__ import annotations

from simpleflow import Workflow, activity, futures
from simpleflow.canvas import Chain, Group
from simpleflow.step.workflow import WorkflowStepMixin


@activity.with_attributes(task_list="example", version="example", idempotent=True)
def extract(source):
    return [f"{source}-{i}" for i in range(3)]


@activity.with_attributes(task_list="example", version="example", idempotent=True)
def clean(name):
    return name.strip().lower()


@activity.with_attributes(task_list="example", version="example", idempotent=True)
def load(target):
    return f"loaded into {target}"


class PipelineWorkflow(Workflow, WorkflowStepMixin):
    name = "steps_pipeline"
    version = "example"
    task_list = "example"

    def run(self, force_steps=None, skip_steps=None):
        if force_steps:
            self.add_forced_steps(force_steps, reason="asked at start")
        if skip_steps:
            self.add_skipped_steps(skip_steps, reason="asked at start")
        steps = [
            # Playing extract forces the transform steps after it: their input changed.
            self.step("extract", Group((extract, "db")), force_steps_if_executed=["transform"]),
            self.step("transform.clean", Chain((clean, "A"), (clean, "B"))),
            self.step("transform.enrich", Group((clean, "C"))),
            self.step("load", Group((load, "warehouse")), emit_signal=True),
        ]
        for step in steps:
            futures.wait(self.submit(step))  # one after the other: forcing is decided in order
        return {
            marker.details["step"]: "skipped" if marker.details["status"] == "skipped" else "played"
            for marker in self.list_markers(all=True)
            if marker.name == "log.step"
        }
