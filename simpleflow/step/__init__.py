"""Steps: groups of activities recorded as done in S3, skipped by later executions unless forced.

``from simpleflow.step.workflow import WorkflowStepMixin`` and
``from simpleflow.step.submittable import Step``, as in simpleflow.
"""
