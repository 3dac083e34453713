"""What simpleflow's ``pytest11`` entry point loads: it registers ``simpleflow.testing.plugin`` under that
module's own name, unless a ``-p simpleflow.testing.plugin`` or a conftest's ``pytest_plugins`` got there first.

(Pointing the entry point at the plugin itself would register one module under two names, the entry
point's and the module's, which pytest refuses: ``Plugin already registered under a different name``.)
``pytest -p no:simpleflow`` blocks this module, and with it the plugin.
"""

from __future__ import annotations

PLUGIN = "simpleflow.testing.plugin"


def pytest_addhooks(pluginmanager) -> None:
    if not pluginmanager.has_plugin(PLUGIN):
        pluginmanager.import_plugin(PLUGIN)
