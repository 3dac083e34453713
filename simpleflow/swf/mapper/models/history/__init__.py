"""An execution's history as objects (``base.History``)."""
