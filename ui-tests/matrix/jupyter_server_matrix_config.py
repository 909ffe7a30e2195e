"""JupyterLab server configuration for the version-matrix smoke (scripts/test-jl-matrix.sh).

Run by the Python of one matrix virtualenv (.venv-matrix/jl-<version>), in which the built wheel
is installed: the package imported here is the installed one, not the source tree. Starts the
demo's local AWS in this process (moto, fake credentials; nothing reaches real AWS) and points the
extension at the demo's research domain, as ui-tests/jupyter_server_test_config.py does.
"""

import os

from jupyterlab.galata import configure_jupyter_server

from sagemaker_isolation_ext.demo.launcher import serve_demo_in_process

configure_jupyter_server(c)  # noqa: F821 (``c`` is the config object Jupyter passes in)
c.ServerApp.port = int(os.environ["MATRIX_PORT"])  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821  (CI runs as root)
_seeded = serve_demo_in_process(c)  # noqa: F821
