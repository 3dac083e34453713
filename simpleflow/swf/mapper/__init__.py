"""The original simpleflow's object layer over SWF: models, querysets, events and history, decisions, actors.

``Domain("d").save()``, ``WorkflowExecutionQuerySet(domain).filter(status=...)``, ``execution.history()``,
``History.compile()``, ``Decider`` and ``ActivityWorker`` subclasses: the names and meanings of
simpleflow 0.36's ``simpleflow.swf.mapper``, as a view over this package's own SWF client
(``simpleflow.swf.client``: one botocore client per process, its retries, its errors, ``AWS_ENDPOINT_URL``).
Nothing in simpleflow's own hosts or command line imports it; importing this package imports nothing.
``docs/swf-layer.md`` says how it is used, ``docs/compatibility.md`` where it departs from 0.36.
"""
