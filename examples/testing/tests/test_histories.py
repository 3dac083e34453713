"""Executions recorded with ``--record`` (or ``simpleflow workflow.history``) still replay on today's code."""

from pathlib import Path

from shop.workflows import OrderWorkflow

from simpleflow.testing import replay_tests

test_recorded_orders = replay_tests(OrderWorkflow, Path(__file__).parent.parent / "histories")
