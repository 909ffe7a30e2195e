"""How long a test waits for a background job (a check, a tag scan, an overview, an applied
change) before it calls the job hung.

The bound is a hang guard, not a speed goal (speed goals live in scripts/bench_*.py): CI may run
on a machine slower or busier than a developer's, where a check's analysis takes tens of seconds
(two busy loops on two cores made 20 and 60 s bounds fail). A job that never finishes still fails
the test, after ``JOB_WAIT_S`` seconds.
"""

from __future__ import annotations

#: Seconds to wait for a background job to leave its running state (wall clock).
JOB_WAIT_S = 300.0
