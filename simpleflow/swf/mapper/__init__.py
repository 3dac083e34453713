"""The names of simpleflow's SWF object mapper that workflow code imports (see ``models.decision``)."""
