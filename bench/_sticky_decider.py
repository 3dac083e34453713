"""One decider process for bench/sticky.py: ``decider.start``'s loop, then its counts as JSON on stdout.

    python3 bench/_sticky_decider.py DOMAIN TASK_LIST

SIMPLEFLOW_DECIDER_STICKY_TIMEOUT chooses sticky on or off, as for ``decider.start``. SIGTERM ends it.
"""

from __future__ import annotations

import json
import sys

from simpleflow.runtime.loader import load_workflow
from simpleflow.swf.decider import Decider


def main(argv: list[str]) -> int:
    domain, task_list = argv
    decider = Decider(domain, task_list, [load_workflow("bench_workflows.Chain")])
    decider.run()
    print(json.dumps({"hits": decider.hits, "misses": decider.misses, "sticky": decider.sticky_tasks}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
