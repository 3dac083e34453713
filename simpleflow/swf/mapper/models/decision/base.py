"""``Decision``: a decision for RespondDecisionTaskCompleted, a dict built by one of its class's actions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from simpleflow.swf.mapper.utils import decapitalize, underscore_to_camel


def decision_action(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a method as a decision action: calling it sets the decision's type (the method's name in CamelCase
    and the class's ``_base_type``: ``start`` of a timer is ``StartTimer``) and its empty attributes first."""

    @functools.wraps(fn)
    def action(self: Decision, *args: Any, **kwargs: Any) -> Any:
        self._fill_from_action(fn.__name__)
        return fn(self, *args, **kwargs)

    action.is_decision_action = True  # type: ignore[attr-defined]
    return action


class Decision(dict):
    """A decision as SWF takes it (``{"decisionType": ..., "<type>DecisionAttributes": {...}}``).

    ``SomeDecision("action", *args, **kwargs)`` calls the action; a subclass's actions are its methods
    decorated with ``decision_action``. ``type`` and ``attributes_key`` name what the action set.
    """

    _attributes_key_suffix = "DecisionAttributes"
    _base_type: str | None = None

    def __init__(self, action: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        if action is None:
            return
        method = getattr(self, action, None)
        if not getattr(method, "is_decision_action", False):
            raise ValueError(f"{type(self).__name__} action must be {_one_of(self.actions())}, not {action!r}")
        method(*args, **kwargs)

    @classmethod
    def actions(cls) -> list[str]:
        """The names of the class's decision actions, in the order they are defined."""
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            names += [n for n, v in vars(klass).items() if getattr(v, "is_decision_action", False) and n not in names]
        return names

    def _fill_from_action(self, action: str) -> None:
        self.type = underscore_to_camel(action) + (self._base_type or "")
        self.attributes_key = decapitalize(self.type + self._attributes_key_suffix)
        self.clear()
        self["decisionType"] = self.type
        self[self.attributes_key] = {}

    def update_attributes(self, data: dict[str, Any]) -> None:
        """Add *data*'s values to the decision's attributes, leaving out None (and a dict of nothing but None)."""
        if not hasattr(self, "attributes_key"):
            raise AttributeError("Can't update unset attributes_key")
        for key, value in data.items():
            if isinstance(value, dict):
                value = {k: v for k, v in value.items() if v is not None} or None
            if value is not None:
                self[self.attributes_key][key] = value


def _one_of(names: list[str]) -> str:
    quoted = [repr(name) for name in names]
    return " or ".join(quoted) if len(quoted) <= 2 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
