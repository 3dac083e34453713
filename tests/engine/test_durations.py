"""Durations as SWF takes them: "an integer greater than or equal to 0. You can use NONE to specify unlimited
duration" (its API reference). A whole float is sent as its integer; anything else is refused where the
workflow's code gives it, on both hosts, instead of a decision SWF would refuse."""

from __future__ import annotations

import pytest

from simpleflow import Workflow, activity, format
from simpleflow.engine import replay
from tests.history_builder import HistoryBuilder


@pytest.mark.parametrize(
    ("value", "sent"), [(30, "30"), (30.0, "30"), ("30", "30"), (" 30.0 ", "30"), (0, "0"), ("none", "NONE")]
)
def test_a_whole_number_of_seconds_or_none_is_sent_as_swf_writes_it(value, sent):
    assert format.duration(value) == sent


@pytest.mark.parametrize(
    "value", [0.5, "0.5", -1, "-5", True, None, "soon", "inf", float("nan"), "\uff11", 100_000_000, "1e12"]
)
def test_anything_else_is_refused_saying_what_a_duration_is(value):
    with pytest.raises(ValueError, match=r"must be a whole number of seconds \(0 to 99999999\) or 'NONE', not "):
        format.duration(value)


def test_a_timer_takes_no_none():
    with pytest.raises(ValueError, match=r"must be a whole number of seconds \(0 to 99999999\), not 'NONE'"):
        format.duration("NONE", unlimited=False)


def test_an_activity_with_a_fractional_timeout_is_refused_when_it_is_declared():
    with pytest.raises(ValueError) as raised:

        @activity.with_attributes(version="1", start_to_close_timeout=0.5)
        def half(x):
            return x

    assert str(raised.value) == (
        "activity 'test_an_activity_with_a_fractional_timeout_is_refused_when_it_is_declared.<locals>.half': "
        "start_to_close_timeout must be a whole number of seconds (0 to 99999999) or 'NONE', not 0.5"
    )


@activity.with_attributes(name="tests.durations.whole", version="1", start_to_close_timeout=60.0)
def whole(x):
    return x


class Timed(Workflow):
    name = "durations"
    version = "1"

    def run(self, seconds):
        self.submit(whole, 1)
        self.submit(self.start_timer("t", seconds))


def _first_decisions(seconds):
    b = HistoryBuilder(input={"args": [seconds], "kwargs": {}})
    b.decision_started()
    return replay(Timed, b.events)


def test_whole_floats_go_out_as_integers():
    schedule, timer, _ = _first_decisions(90.0)
    assert schedule["scheduleActivityTaskDecisionAttributes"]["startToCloseTimeout"] == "60"
    assert timer["startTimerDecisionAttributes"]["startToFireTimeout"] == "90"


def test_a_timer_of_a_fraction_of_a_second_fails_the_execution_naming_it():
    [failed] = _first_decisions(1.7)
    assert failed["decisionType"] == "FailWorkflowExecution"
    reason = failed["failWorkflowExecutionDecisionAttributes"]["reason"]
    assert "timer 't': its timeout must be a whole number of seconds (0 to 99999999), not 1.7" in reason
    assert "test_durations.py" in failed["failWorkflowExecutionDecisionAttributes"]["details"]  # the code's line


def test_a_timer_longer_than_swf_takes_fails_the_execution_naming_it():
    # SWF refuses a duration of more than 8 characters with the whole decision task: the execution stayed open.
    assert _first_decisions(99_999_999)[1]["startTimerDecisionAttributes"]["startToFireTimeout"] == "99999999"
    [failed] = _first_decisions(100_000_000)
    reason = failed["failWorkflowExecutionDecisionAttributes"]["reason"]
    assert "timer 't': its timeout must be a whole number of seconds (0 to 99999999), not 100000000" in reason
