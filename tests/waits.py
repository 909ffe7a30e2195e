"""How long a test waits for a background job (a check, a tag scan, an overview, an applied
change) before it calls the job hung.

The bound is a hang guard, not a speed goal (speed goals live in scripts/bench_*.py): CI may run
on a machine slower or busier than a developer's, where a check's analysis takes tens of seconds
(three busy loops on two cores made 20 and 60 s bounds fail). A job that never finishes still fails
the test, after ``JOB_WAIT_S`` seconds.
"""

from __future__ import annotations

#: Seconds to wait for a background job to leave its running state (wall clock).
JOB_WAIT_S = 300.0

#: Wall seconds of analysis per role in test processes (tests/conftest.py, the ui-tests servers'
#: configs), instead of the product's 30 s: a role here needs at most ~3 s on an idle machine, and
#: several checks share one GIL in a Jupyter server, so a slow machine could reach 30 s and say
#: "unknown" where the test expects a verdict. The states budget (deterministic) is unchanged.
ANALYSIS_SECONDS = 600.0
