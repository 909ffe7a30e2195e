"""Start a local AWS (moto's threaded server) with the Studio plugin installed."""

from __future__ import annotations

import logging
import urllib.request

from moto.server import ThreadedMotoServer

from sagemaker_isolation_ext.demo.moto_plugin import (
    AnswerUnsupportedServices,
    install_studio_plugin,
)

__all__ = ["start_local_aws", "reset_local_aws"]


def start_local_aws(port: int = 0) -> tuple[ThreadedMotoServer, str]:
    """Start ``ThreadedMotoServer`` on 127.0.0.1 (``port=0``: a free port chosen by the OS).

    Returns:
        ``(server, endpoint_url)``, e.g. ``(<server>, "http://127.0.0.1:50123")``. Stop it with
        ``server.stop()``. The server runs in a thread of this process, so the Studio plugin
        (:func:`install_studio_plugin`) applies to it.

    Raises:
        OSError: the port cannot be bound.
    """
    install_studio_plugin()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no per-request access log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # Services moto lacks get an AWS-shaped 501 instead of a 500 and a traceback.
    server._server.app = AnswerUnsupportedServices(server._server.app)
    host, bound_port = server.get_host_and_port()
    return server, f"http://{host}:{bound_port}"


def reset_local_aws(endpoint_url: str) -> None:
    """Drop every resource of the moto server at ``endpoint_url`` (``POST /moto-api/reset``).

    moto's backends are process-wide: this resets every moto server and ``mock_aws`` of this
    process. The Studio plugin's storage lives on the backends, so it is reset too.

    Raises:
        urllib.error.URLError: the server cannot be reached.
    """
    req = urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()
