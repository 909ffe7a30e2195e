"""sagemaker-isolation: check, explain and fix SageMaker domain resource isolation.

The package is a Jupyter server extension (see :mod:`sagemaker_isolation_ext.server.app`) plus a
prebuilt JupyterLab 4 labextension, and a CLI (:mod:`sagemaker_isolation_ext.cli.entry`).
"""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "0.0.0+unknown"


def _jupyter_labextension_paths():
    """Where the prebuilt labextension lives (JupyterLab's discovery hook)."""
    return [{"src": "labextension", "dest": "sagemaker-isolation-ext"}]


def _jupyter_server_extension_points():
    """The server extension entry point (jupyter_server's discovery hook)."""
    from .server.app import SageMakerIsolationApp

    return [{"module": "sagemaker_isolation_ext", "app": SageMakerIsolationApp}]


def load_ipython_extension(ipython):
    """``%load_ext sagemaker_isolation_ext``: registers the ``%isolation`` magic (magics.py)."""
    from .notebook.magics import load_ipython_extension as _load

    _load(ipython)
