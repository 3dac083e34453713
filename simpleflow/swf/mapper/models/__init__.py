"""simpleflow's ``simpleflow.swf.mapper.models`` names kept for imports (``models.decision``)."""
