"""Registration statuses and the age that reaches every execution SWF still lists."""

from __future__ import annotations

REGISTERED = "REGISTERED"
DEPRECATED = "DEPRECATED"

# In days. An execution lasts at most a year and SWF keeps a closed one at most 90 days: an
# oldest start date this far back lists every execution a domain still has.
MAX_WORKFLOW_AGE = 366 + 90 + 1
