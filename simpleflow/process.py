"""simpleflow 0.36's ``simpleflow.process``: ``Supervisor``, ``NamedMixin``, ``with_state``, ``reset_signal_handlers``.

The code is :mod:`simpleflow.swf.supervisor`.
"""

from __future__ import annotations

from simpleflow.swf.supervisor import NamedMixin, Supervisor, reset_signal_handlers, with_state

__all__ = ["NamedMixin", "Supervisor", "reset_signal_handlers", "with_state"]
