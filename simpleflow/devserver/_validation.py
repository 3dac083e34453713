"""Requests checked as SWF checks them before it acts, from botocore's own model of SWF.

moto checks the types of a few parameters and nothing else: a 300-character workflow id, six tags, a
40,000-character input or a workflow id with ``:`` are taken, where SWF answers ``ValidationException``.
Each request is walked here against its operation's input shape in botocore's SWF service model, which
carries what the API reference states of every member: the length of strings (``min``/``max``), the
size of lists, the range of integers, enums, required members. Two rules the reference states in words
are read from the members' documentation, so that they apply to the members it names:

- names and ids: "The specified string must not contain a ``:`` (colon), ``/`` (slash), ``|`` (vertical
  bar), or any control characters (``\\u0000-\\u001f`` | ``\\u007f-\\u009f``). Also, it must not be the
  literal string ``arn``", and for some "must not start or end with whitespace";
- durations: "The duration is specified in seconds, an integer greater than or equal to 0. You can use
  NONE to specify unlimited duration", but not where the member says "you cannot specify a value of
  "NONE"" (an execution's start-to-close timeout), nor where it does not mention NONE (a timer);
- an execution's start-to-close timeout (StartWorkflowExecution's, RegisterWorkflowType's default): "there
  is a one-year max limit on the time that a workflow execution can run", and the developer guide
  (Registering a Workflow Type): "If you specify a value for defaultExecutionStartToCloseTimeout that is
  greater than one year, the registration will fail" (a year taken as 365 days);
- task priorities: "Valid values are integers that range from Java's Integer.MIN_VALUE (-2147483648) to
  Integer.MAX_VALUE (2147483647)" (the model types them as strings);
- a domain's retention (RegisterDomain's ``workflowExecutionRetentionPeriodInDays``): "If you pass the
  value NONE or 0 (zero), then the workflow execution history isn't retained", and "The maximum workflow
  execution retention period is 90 days" (the model only bounds its length: 1 to 8 characters). The
  reference has a request whose "parameter values fall outside the specified constraints" fail.

A decision's durations and priorities are not refused here: the reference has a decision whose "parameter
values fall outside the specified constraints" fail on its own (see :func:`bad_value`).

The answer has the shape of SWF's: ``1 validation error detected: Value '...' at 'workflowId' failed to
satisfy constraint: Member must have length less than or equal to 256``, a member of a list named by its
position from 1 (``decisions.1.member.startTimerDecisionAttributes.timerId``).
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from typing import Any

from simpleflow.format import breaks_id_rule, duration

_TAG = re.compile(r"<[^>]+>")
_NAME_RULE = "must not contain a : (colon), / (slash), | (vertical bar), or any control characters"
_EDGE_RULE = "must not start or end with whitespace"
_NO_NONE = re.compile(r"cannot (?:use|specify)[^.]*\bNONE\b")
_DURATION_SHAPES = ("DurationInSeconds", "DurationInSecondsOptional")
_MAX_DAYS = re.compile(r"maximum workflow execution retention period is (\d+) days")
_PRIORITY_RULE = re.compile(r"Integer\.MIN_VALUE \((-?\d+)\) to Integer\.MAX_VALUE \((\d+)\)")
_PRIORITY_TEXT = re.compile(r"[+-]?[0-9]+")
_ONE_YEAR_RULE = "one-year max limit"
ONE_YEAR = 365 * 24 * 3600  # seconds
_SHOWN = 128  # characters of a value shown in a message


@dataclass(slots=True)
class Rule:
    """What a member's value must satisfy (compiled once from the model)."""

    kind: str  # structure, list, string, integer (anything else is not checked)
    min: int | None = None
    max: int | None = None
    enum: tuple[str, ...] = ()
    members: dict[str, Rule] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    item: Rule | None = None
    name_rule: bool = False  # no ':', '/', '|', control character, nor 'arn'
    edge_rule: bool = False  # no whitespace at either end
    duration: bool | None = None  # a duration: whether NONE is taken; None when not a duration
    max_days: int | None = None  # a retention in days: NONE or 0 to this; None when not one
    max_seconds: int | None = None  # a duration of at most this many seconds; None: no such bound
    priority: tuple[int, int] | None = None  # a task priority: an integer in this range; None when not one


@functools.cache
def _model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("swf")


def _text(documentation: str | None) -> str:
    return " ".join(html.unescape(_TAG.sub("", documentation or "")).split())


def _compile(shape: Any, doc: str = "", in_decision: bool = False) -> Rule:
    """The rule of a member of *shape*, whose documentation is *doc* (the member's, not the shape's)."""
    kind = shape.type_name
    meta = shape.metadata
    rule = Rule(kind, meta.get("min"), meta.get("max"), tuple(getattr(shape, "enum", None) or ()))
    if kind == "structure":
        rule.required = tuple(meta.get("required", ()))
        decision = in_decision or shape.name == "Decision"
        for name, member in shape.members.items():
            rule.members[name] = _compile(member, _text(member.documentation), decision)
        if "name" in rule.members and _NAME_RULE in doc:
            # A task list's rule is stated on the member holding it (TaskList's own text says nothing).
            rule.members["name"].name_rule = True
            rule.members["name"].edge_rule = _EDGE_RULE in doc
    elif kind == "list":
        rule.item = _compile(shape.member, "", in_decision)
    elif kind == "string":
        rule.name_rule = _NAME_RULE in doc
        rule.edge_rule = _EDGE_RULE in doc
        if shape.name in _DURATION_SHAPES and not in_decision:
            rule.duration = _takes_none(doc)
            if _ONE_YEAR_RULE in doc:
                rule.max_seconds = ONE_YEAR
        if not in_decision:
            rule.priority = _priority_range(doc)
        days = _MAX_DAYS.search(doc)
        if days is not None:
            rule.max_days = int(days.group(1))
    return rule


def _priority_range(doc: str) -> tuple[int, int] | None:
    """The range of a task priority member, from its text; None for any other member."""
    found = _PRIORITY_RULE.search(doc)
    return (int(found.group(1)), int(found.group(2))) if found else None


def is_priority(value: Any, bounds: tuple[int, int]) -> bool:
    """Whether *value* is a task priority SWF takes: the text of an integer within *bounds*."""
    if not isinstance(value, str) or _PRIORITY_TEXT.fullmatch(value) is None:
        return False
    return bounds[0] <= int(value) <= bounds[1]


def _takes_none(doc: str) -> bool:
    """Whether a duration member's text allows NONE ("You can use NONE to specify unlimited duration")."""
    return "NONE" in doc and not _NO_NONE.search(doc)


@functools.cache
def _operation_rule(operation: str) -> Rule | None:
    model = _model()
    if operation not in model.operation_names:
        return None
    return _compile(model.operation_model(operation).input_shape)


def has_operation(operation: str) -> bool:
    """Whether SWF has *operation* (``DescribeDomain``...)."""
    return operation in _model().operation_names


def warm() -> None:
    """Load the model and compile every operation's rule (the first requests then wait for nothing)."""
    for operation in _model().operation_names:
        _operation_rule(operation)


def _shown(value: Any) -> str:
    text = "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, list) else str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _problems(rule: Rule, value: Any, where: str, out: list[str]) -> None:
    if value is None:
        return
    kind = rule.kind

    def refuse(constraint: str) -> None:
        out.append(f"Value '{_shown(value)}' at '{where}' failed to satisfy constraint: Member {constraint}")

    if kind == "structure":
        if not isinstance(value, dict):
            return  # moto's own type checks answer that
        prefix = where + "." if where else ""
        for name in rule.required:
            if value.get(name) is None:
                out.append(f"Value null at '{prefix}{name}' failed to satisfy constraint: Member must not be null")
        for name, member in value.items():
            sub = rule.members.get(name)
            if sub is not None:
                _problems(sub, member, prefix + name, out)
    elif kind == "list":
        if not isinstance(value, list):
            return
        _bounds(rule, len(value), "length", refuse)
        if rule.item is not None:
            for i, item in enumerate(value, 1):
                _problems(rule.item, item, f"{where}.{i}.member", out)
    elif kind == "string":
        if not isinstance(value, str):
            return
        _bounds(rule, len(value), "length", refuse)
        if rule.enum and value not in rule.enum:
            refuse(f"must satisfy enum value set: [{', '.join(rule.enum)}]")
        if rule.name_rule and breaks_id_rule(value):
            refuse("must not contain ':', '/', '|' or a control character, nor be the literal string 'arn'")
        if rule.edge_rule and value != value.strip():
            refuse("must not start or end with whitespace")
        if rule.duration is not None and not is_duration(value, unlimited=rule.duration):
            refuse(f"must be {_duration_text(rule.duration)}")
        elif rule.max_seconds is not None and value.isdigit() and int(value) > rule.max_seconds:
            refuse(f"must be at most one year ({rule.max_seconds} seconds)")
        if rule.priority is not None and not is_priority(value, rule.priority):
            refuse(f"must be an integer from {rule.priority[0]} to {rule.priority[1]}")
        if rule.max_days is not None and not _is_days(value, rule.max_days):
            refuse(f"must be NONE or a whole number of days from 0 to {rule.max_days}")
    elif kind in ("integer", "long") and isinstance(value, int) and not isinstance(value, bool):
        _bounds(rule, value, "value", refuse)


def _bounds(rule: Rule, size: int, what: str, refuse: Any) -> None:
    if rule.max is not None and size > rule.max:
        refuse(f"must have {what} less than or equal to {rule.max}")
    if rule.min is not None and size < rule.min:
        refuse(f"must have {what} greater than or equal to {rule.min}")


def is_duration(value: Any, *, unlimited: bool) -> bool:
    """Whether *value* is a duration as SWF takes it on the wire: the digits of an integer >= 0, or NONE.

    simpleflow.format.duration states the rule; on the wire the text must already be in that form
    (SWF reads "30.0" or " 30" as no integer).
    """
    if not isinstance(value, str):
        return False
    try:
        return duration(value, unlimited=unlimited) == value or (value.isascii() and value.isdigit())
    except ValueError:
        return False


def _is_days(value: str, most: int) -> bool:
    """Whether *value* is a retention SWF takes: NONE, or the digits of 0 to *most* days."""
    return value == "NONE" or (value.isascii() and value.isdigit() and int(value) <= most)


def _duration_text(unlimited: bool) -> str:
    return "an integer greater than or equal to 0" + (" or NONE" if unlimited else "")


def check(operation: str, params: Any) -> str | None:
    """SWF's ValidationException message for this request (its JSON body, parsed), or None when it satisfies
    the model."""
    rule = _operation_rule(operation)
    if rule is None:
        return None
    out: list[str] = []
    _problems(rule, params, "", out)
    if not out:
        return None
    count = len(out)
    return f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(out)


def bad_value(decision_type: str, attributes: dict[str, Any]) -> str | None:
    """The first member of a decision's attributes whose duration or task priority SWF does not take; None if
    all are.

    The API reference, on each decision's attributes (e.g. ScheduleActivityTaskDecisionAttributes): "If
    the caller doesn't have sufficient permissions to invoke the action, or the parameter values fall
    outside the specified constraints, the action fails. The associated event attribute's cause parameter
    is set to OPERATION_NOT_PERMITTED"; and the developer guide (Handling Errors): "If the request that
    failed is a decision, an appropriate event will be listed in the workflow execution history. For
    example, if the StartTimer decision failed, you would see a StartTimerFailed event".
    """
    shape = _decision_shape(decision_type)
    if shape is None:
        return None
    for name, member in shape.members.items():
        value = attributes.get(name)
        if value is None:
            continue
        doc = _text(member.documentation)
        if member.name in _DURATION_SHAPES and not is_duration(value, unlimited=_takes_none(doc)):
            return name
        bounds = _priority_range(doc)
        if bounds is not None and not is_priority(value, bounds):
            return name
    return None


@functools.cache
def _decision_shape(decision_type: str) -> Any:
    name = decision_type + "DecisionAttributes"
    model = _model()
    return model.shape_for(name) if name in model.shape_names else None


def failed_event_attributes(decision_type: str, attributes: dict[str, Any], event_id: int) -> dict[str, Any]:
    """The attributes of the ``<decision type>Failed`` event of a decision refused for its parameters.

    Its members are the model's (``ScheduleActivityTaskFailedEventAttributes``...): what identifies the
    decision is copied from it (activityId, timerId, workflowId...), the cause is OPERATION_NOT_PERMITTED.
    """
    shape = _model().shape_for(decision_type + "FailedEventAttributes")
    out: dict[str, Any] = {"cause": "OPERATION_NOT_PERMITTED", "decisionTaskCompletedEventId": event_id}
    for name in shape.members:
        if name == "initiatedEventId":
            out[name] = 0  # no StartChildWorkflowExecutionInitiated event was recorded
        elif name not in out and attributes.get(name) is not None:
            out[name] = attributes[name]
    return out
