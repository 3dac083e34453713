"""A replacement given to ``override`` is checked when it is given: a callable that cannot take every call of the
activity (its required arguments, its optional ones or not) is refused in one line
naming both signatures, rather than failing each attempt of the activity (retried by its retry policy) once a
call it cannot take comes. Every replacement form still works."""

from __future__ import annotations

import pytest

from simpleflow import Workflow, activity
from simpleflow.exceptions import UsageError
from simpleflow.testing import WorkflowEnv

TASK_LIST = "kit-override"


@activity.with_attributes(task_list=TASK_LIST, version="1", retry=3)
def price_plan(plan, seats):
    raise RuntimeError("the real pricing service was called")


@activity.with_attributes(task_list=TASK_LIST, version="1")
def greet(who, greeting="hello", *, punctuation="!"):
    return f"{greeting}, {who}{punctuation}"


@activity.with_attributes(task_list=TASK_LIST, version="1")
class Quote:
    def __init__(self, plan, seats=1):
        self.plan, self.seats = plan, seats

    def execute(self):
        raise RuntimeError("the real quote was computed")


@activity.with_attributes(task_list=TASK_LIST, version="1", idempotent=True)
def lookup(plan):
    raise RuntimeError("the real lookup ran")


def _with_context(plan, context=None):
    raise RuntimeError("the real activity ran")


_with_context.add_context_in_kwargs = True
with_context = activity.with_attributes(task_list=TASK_LIST, version="1")(_with_context)


class Pricing(Workflow):
    name = "kit.pricing"
    version = "1"
    task_list = TASK_LIST

    def run(self, plan):
        return [
            self.submit(price_plan, plan, 3).result,
            self.submit(greet, plan).result,
            self.submit(Quote, plan).result,
            self.submit(lookup, plan).result,
            self.submit(with_context, plan).result,
        ]


@pytest.fixture
def env():
    with WorkflowEnv() as environment:
        yield environment


@pytest.mark.parametrize(
    ("target", "replacement", "signatures"),
    [
        (price_plan, lambda plan: "x", r"<lambda>\(plan\) cannot take the arguments of \S+price_plan\(plan, seats\)"),
        ("tests.testing.test_override_checks.price_plan", lambda: "x", r"<lambda>\(\) cannot take .*\(plan, seats\)"),
        (price_plan, lambda plan, seats, tier: 1, r"<lambda>\(plan, seats, tier\) cannot take"),
        (greet, lambda: 1, r"<lambda>\(\) cannot take the arguments of \S+greet\(who, greeting='hello', \*, punct"),
        (greet, lambda who, *, tone: 1, r"<lambda>\(who, \*, tone\) cannot take .*greet.*'tone'"),
        (Quote, lambda: 1, r"<lambda>\(\) cannot take the arguments of \S+Quote\(plan, seats=1\)"),
        (lookup, lambda plan, seats: 1, r"<lambda>\(plan, seats\) cannot take .*lookup\(plan\)"),
        (with_context, lambda: 1, r"<lambda>\(\) cannot take the arguments of \S+_with_context\(plan\)"),
        # A call of the activity may give its optional parameters, or leave them out.
        (Quote, lambda plan: "x", r"<lambda>\(plan\) cannot take .*\(it has no parameter for 'seats'\)$"),
        (greet, lambda who, greeting: 1, r".* \(it requires 'greeting', which a call may leave out\)$"),
        (greet, lambda who, greeting="", *, punctuation: 1, r".* \(it requires 'punctuation', which a call may leave"),
        (greet, lambda who, *, punctuation="": 1, r".* \(it has no parameter for 'greeting'\)$"),
    ],
)
def test_a_replacement_that_cannot_take_the_activitys_arguments_is_refused_at_once(
    env, target, replacement, signatures
):
    with pytest.raises(UsageError, match=r"^override: replacement " + signatures) as refused:
        env.override(target, replacement)
    assert "\n" not in str(refused.value)


def test_every_replacement_form_still_answers(env):
    env.override(price_plan, lambda plan, seats: plan * seats)
    env.override(greet, lambda who, greeting="hi", *, punctuation=".": f"{greeting} {who}{punctuation}")
    env.override(Quote, lambda plan, seats=1: {"quote": plan})
    env.override(lookup, "found")  # a value
    env.override(with_context, lambda plan: "no context needed")  # the context is the worker's, not the task's
    assert env.run(Pricing, "ab").result == ["ababab", "hi ab.", {"quote": "ab"}, "found", "no context needed"]


@pytest.mark.parametrize(
    ("target", "replacement"),
    [
        (Quote, lambda *args, **kwargs: "x"),  # takes anything
        (Quote, lambda plan, **kwargs: "x"),
        (Quote, lambda plan, seats=2, more=None: "x"),  # optional parameters of its own
        (greet, lambda who, greeting=None, punctuation=None, *, tone=None: "x"),  # punctuation by name too
        (price_plan, lambda name, count: "x"),  # its own names: a call by position fits
        (Quote, max),  # no signature to inspect
        (Quote, ValueError),  # an exception class: raised, not called
        (Quote, ValueError("no quote")),
        (Quote, "a value"),
    ],
)
def test_replacements_that_can_take_a_call_of_the_activity_are_accepted(env, target, replacement):
    env.override(target, replacement)
