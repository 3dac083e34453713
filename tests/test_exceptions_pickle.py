"""simpleflow's exceptions whose constructor takes other arguments than their message come back from pickle as they
were: users' code sends exceptions across processes so (``multiprocessing``, ``concurrent.futures``)."""

from __future__ import annotations

import pickle

import pytest

from simpleflow.cli.failures import Explained
from simpleflow.dag import SpecError
from simpleflow.exceptions import (
    AggregateException,
    DataError,
    JumboFieldInvalid,
    JumboFieldNotStored,
    JumboFieldTooLarge,
    JumboFieldUnavailable,
    NoValue,
    TaskException,
    TaskFailed,
    WorkflowFailed,
)
from simpleflow.runtime.outcome import FieldTooLarge, InvalidResult
from simpleflow.swf.client import DeprecatedDomain, UnknownDomain
from simpleflow.testing._jumbo import NoSuchKey

ERRORS = [
    UnknownDomain("orders"),
    UnknownDomain("orders", "eu-west-1", "http://127.0.0.1:4000"),
    DeprecatedDomain("orders"),
    NoValue("activity-a-1", TaskFailed("a", "ValueError: no"), "b"),
    JumboFieldTooLarge("result", 70_000, 65_536, "the result is too large"),
    DataError("not UTF-8", "input of event 1 (WorkflowExecutionStarted)"),
    JumboFieldUnavailable("simpleflow+s3://b/k 5", "b", "k", "NoSuchKey", "gone"),
    JumboFieldInvalid("simpleflow+s3://b/k 5", "b", "k", "NotUTF8", "is not UTF-8 text"),
    JumboFieldNotStored("result", "b", OSError("unreachable"), True),
    WorkflowFailed("it failed", "details", "flows.py, line 3, in run"),
    FieldTooLarge("result", 40_000, 32_768),
    InvalidResult("a", "object is not JSON serializable"),
    Explained("one line", 2),
    NoSuchKey("b", "k"),
    TaskException("activity-a-1", ValueError("no")),
    AggregateException([ValueError("no"), None]),
    SpecError(["nodes.a: no activity", "nodes.b: unknown key"]),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_an_exception_comes_back_from_pickle_with_its_message_args_and_attributes(error):
    # UnknownDomain came back as "unknown domain 'unknown domain 'orders': create it with ...': create it with ..."
    # (its message taken for its domain); the others raised TypeError (an argument missing), or lost theirs.
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert repr(back.args) == repr(error.args)
    assert repr(vars(back)) == repr(vars(error))
