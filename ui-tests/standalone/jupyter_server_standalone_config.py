"""Plain ``jupyter server`` configuration for the standalone-page browser test (no JupyterLab).

Run by ``playwright-standalone.config.js`` (``webServer``) with the Python of ``.venv-legacy``
(jupyter_server 1.x, no jupyterlab installed: what a Studio Classic / JupyterLab 3 image's server
looks like to this extension), or any Python given in ``STANDALONE_PYTHON``. Starts the demo's
local AWS (moto on 127.0.0.1 with the Studio-API plugin), seeds the two-domain demo account and
points the extension at the research domain with fake credentials; nothing reaches real AWS.
Only this server extension is enabled. Never imported by the package.
"""

import os

from sagemaker_isolation_ext.demo.launcher import serve_demo_in_process
from sagemaker_isolation_ext.sagemaker.analysis import set_budget_limits

PORT = int(os.environ.get("STANDALONE_PORT", "8890"))
TOKEN = os.environ.get("STANDALONE_TOKEN", "standalone-test-token")

c.ServerApp.port = PORT  # noqa: F821 (``c`` is the config object Jupyter passes in)
c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.token = TOKEN  # noqa: F821
c.ServerApp.open_browser = False  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821  (CI runs as root)
c.ServerApp.base_url = os.environ.get("STANDALONE_BASE_URL", "/jupyter/default/")  # noqa: F821
# Only this extension: whatever else the environment has installed stays off.
c.ServerApp.jpserver_extensions = {"sagemaker_isolation_ext": True}  # noqa: F821

# The local AWS lives in a thread of this server process for the whole test run; fake
# credentials, and the extension pointed at the demo's research domain.
# Verdicts must not depend on the machine's speed: 600 wall seconds of analysis per role instead
# of 30 (the states budget is unchanged; tests/waits.py ANALYSIS_SECONDS says why).
set_budget_limits(seconds=600)
_seeded = serve_demo_in_process(c)  # noqa: F821
