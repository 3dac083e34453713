"""DAG spec examples: activities in ``activities``, specs beside them (YAML and JSON)."""
