"""Ids and names as SWF takes them: 1 to 256 characters, and for a timer's or a child workflow's id, none of
':', '/', '|' or a control character, nor "arn" (its API reference). Anything else is refused where the
workflow's code gives it, on both hosts: SWF would refuse the whole decision task, again at every try."""

from __future__ import annotations

import pytest

from simpleflow import Workflow, format
from simpleflow.engine import replay
from tests.history_builder import HistoryBuilder


@pytest.mark.parametrize("value", ["t", "x" * 256, "a-b_c.d e", "ARN", "arn-1"])
def test_an_id_of_1_to_256_allowed_characters_is_taken_as_it_is(value):
    assert format.swf_name(value, "timer id", id_rule=True) is value


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "must have 1 to 256 characters, not 0"),
        ("x" * 257, "must have 1 to 256 characters, not 257"),
        ("a:b", "must not contain ':', '/', '|' or a control character, nor be 'arn'"),
        ("a/b", "must not contain"),
        ("a|b", "must not contain"),
        ("a\nb", "must not contain"),
        ("a\x85b", "must not contain"),
        ("arn", "nor be 'arn'"),
        (12, "must be text, not int 12"),
    ],
)
def test_an_id_swf_refuses_is_refused_saying_why(value, problem):
    with pytest.raises(ValueError, match="^timer id ") as raised:
        format.swf_name(value, "timer id", id_rule=True)
    assert problem in str(raised.value)


def test_a_name_takes_what_an_id_refuses_but_not_its_length():
    assert format.swf_name("step:1/2", "marker name") == "step:1/2"
    with pytest.raises(ValueError, match="^marker name 'mmm"):
        format.swf_name("m" * 300, "marker name")


class Child(Workflow):
    name = "names.child"
    version = "1"

    def get_workflow_id(cls, x):  # simpleflow calls it on the class, with the class first
        return f"child/{x}"

    def run(self, x):
        return x


class Names(Workflow):
    """Gives SWF the id or name its input says: ``[kind, value]``."""

    name = "names"
    version = "1"

    def run(self, kind, value):
        if kind == "timer":
            self.submit(self.start_timer(value, 1))
        elif kind == "marker":
            self.submit(self.record_marker(value))
        elif kind == "signal":
            self.submit(self.signal(value))
        elif kind == "cancel":
            self.submit(self.cancel_workflow(value))
        elif kind == "child":
            self.submit(Child, value)


def _first_decisions(kind, value):
    b = HistoryBuilder(input={"args": [kind, value], "kwargs": {}})
    b.decision_started()
    return replay(Names, b.events)


@pytest.mark.parametrize(
    ("kind", "value", "said"),
    [
        ("timer", "t" * 300, "timer id 'ttt"),
        ("timer", "every:day", "timer id 'every:day' must not contain"),
        ("marker", "", "marker name '' must have 1 to 256 characters, not 0"),
        ("signal", "s" * 257, "signal name 'sss"),
        ("cancel", "w" * 257, "workflow id 'www"),
        ("child", "x", "the workflow id Child.get_workflow_id gave 'child/x' must not contain"),
    ],
)
def test_an_id_or_name_swf_refuses_fails_the_execution_once_naming_it(kind, value, said):
    [failed] = _first_decisions(kind, value)
    assert failed["decisionType"] == "FailWorkflowExecution"
    attributes = failed["failWorkflowExecutionDecisionAttributes"]
    assert said in attributes["reason"]
    assert "test_names.py" in attributes["details"]  # the code's line


def test_names_swf_takes_go_out_as_they_are():
    timer = _first_decisions("timer", "x" * 256)[0]
    assert timer["startTimerDecisionAttributes"]["timerId"] == "x" * 256
    marker = _first_decisions("marker", "step:1/2")[0]
    assert marker["recordMarkerDecisionAttributes"]["markerName"] == "step:1/2"
