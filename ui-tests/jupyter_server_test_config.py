"""JupyterLab server configuration for the Galata tests.

Starts the demo's local AWS (moto server on 127.0.0.1, a free port, with the Studio-API plugin),
seeds it with the demo account (two domains; the research domain's default role has
AmazonSageMakerFullAccess beside the isolation policy, so it is ``not_isolated``) and points the
extension at it with fake credentials. Nothing here reaches real AWS.

Run by ``jlpm start`` (playwright.config.js ``webServer``); never imported by the package.
"""

import os

from jupyterlab.galata import configure_jupyter_server

from sagemaker_isolation_ext.demo.launcher import serve_demo_in_process
from sagemaker_isolation_ext.sagemaker.analysis import set_budget_limits

configure_jupyter_server(c)  # noqa: F821 (``c`` is the config object Jupyter passes in)

# UI_TESTS_PORT (default 8888, Galata's) lets a second run on the same machine use another port;
# playwright.config.js reads the same variable.
c.ServerApp.port = int(os.environ.get("UI_TESTS_PORT", "8888"))  # noqa: F821

# CI runs as root (TOOLCHAIN.md pitfall 5).
c.ServerApp.allow_root = True  # noqa: F821

# The local AWS lives in a thread of this server process for the whole test run; fake
# credentials, and the extension pointed at the demo's research domain.
# Verdicts must not depend on the machine's speed: 600 wall seconds of analysis per role instead
# of 30 (the states budget is unchanged; tests/waits.py ANALYSIS_SECONDS says why).
set_budget_limits(seconds=600)
_seeded = serve_demo_in_process(c)  # noqa: F821

# Admin issue (ui-tests/tests/admin.spec.ts): the admin routes exist, and their change records go
# to a throw-away directory, never the user's own audit directory.
c.SageMakerIsolationApp.admin_actions_enabled = True  # noqa: F821
c.SageMakerIsolationApp.audit_dir = __import__("tempfile").mkdtemp(prefix="smiso-audit-")  # noqa: F821
