"""The ``simpleflow`` command line, one module per job.

- ``main``: the click group, its global options (``--header``, ``--format``, ``--color``), the
  registration of every command;
- ``running``: ``decider.start``, ``worker.start``, ``standalone``;
- ``control``: ``workflow.start`` (on SWF, or ``--local``), ``.signal``, ``.cancel``, ``.terminate``,
  ``.restart``, ``.query``, ``domain.register``;
- ``inspection``: ``workflow.list``, ``.filter``, ``.info``, ``.tasks``, ``.profile``, ``.history``,
  ``.replay``, ``task.info``, ``activity.rerun``;
- ``dag``, ``schedule``, ``info``: the ``dag.*``, ``schedule.*`` and ``info`` commands;
- ``failures``: every failure as one line and an exit code; ``logs``: logging on stderr;
  ``params``: arguments and options several commands share; ``output``: tables and formats.

:mod:`simpleflow.command` is the entry point: it sets the early SIGTERM handler, then imports
``main``. Nothing is imported here, so that a module of this package loads alone.
"""
