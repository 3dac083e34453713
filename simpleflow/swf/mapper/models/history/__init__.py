"""An execution's history as objects (``base.History``)."""

from simpleflow.swf.mapper.models.history.base import History

__all__ = ["History"]
