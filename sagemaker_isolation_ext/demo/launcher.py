"""``sagemaker-isolation demo``: local AWS + seeded account + JupyterLab pointed at it."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from sagemaker_isolation_ext.demo.seed import seed_demo_account, seed_overview_extras
from sagemaker_isolation_ext.demo.server import start_local_aws

__all__ = [
    "run_demo",
    "demo_environment",
    "demo_jupyter_config",
    "free_port",
    "serve_demo_in_process",
]

DEMO_REGION = "us-east-1"
DEMO_DOMAIN = "ml-research"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_environment(endpoint_url: str, base: dict | None = None) -> dict:
    """The environment for the demo's JupyterLab: every boto3 client goes to ``endpoint_url``
    (``AWS_ENDPOINT_URL``) with fake credentials and Region ``us-east-1``; a real profile,
    session token or credentials file from the caller are dropped so nothing reaches AWS."""
    env = dict(os.environ if base is None else base)
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ROLE_ARN",
                "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        env.pop(key, None)
    env.update({
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": DEMO_REGION,
        "AWS_DEFAULT_REGION": DEMO_REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    return env


def serve_demo_in_process(c) -> dict:
    """For a Jupyter server config file (the browser tests'): start the local AWS in this
    process, seed the demo account, send this process's boto3 clients there (fake credentials;
    the caller's AWS profile and credentials are dropped from ``os.environ``), and point the
    extension at the research domain.

    Args: c: the config object Jupyter passes to a config file.
    Returns: what ``seed_demo_account`` returns (domain ids, role and policy ARNs), plus
        ``"endpoint_url"`` and ``"local_aws"`` (the moto server; it runs in a thread for as long
        as the process, or until ``.stop()``).
    """
    _local_aws, endpoint_url = start_local_aws()
    # The environment first: seeding must not see the caller's AWS profile or credentials either.
    env = demo_environment(endpoint_url)
    for key in list(os.environ):
        if key not in env:
            del os.environ[key]
    os.environ.update(env)
    seeded = seed_demo_account(endpoint_url)
    extras = seed_overview_extras(endpoint_url, region=DEMO_REGION)
    c.SageMakerIsolationApp.domain_id = seeded["research_domain_id"]
    c.SageMakerIsolationApp.region = DEMO_REGION
    c.SageMakerIsolationApp.endpoint_url = endpoint_url
    c.SageMakerIsolationApp.metadata_path = ""  # ignore a real Studio metadata file
    for name, value in overview_traits(extras).items():
        setattr(c.SageMakerIsolationApp, name, value)
    return dict(seeded, endpoint_url=endpoint_url, local_aws=_local_aws, overview=extras)


def overview_traits(extras: dict) -> dict:
    """The overview traits of the demo: both Regions, the second account and the one refusing
    entry, other accounts enabled (``seed_overview_extras``'s dict in, trait values out)."""
    return {
        "overview_other_accounts": True,
        "overview_regions": [DEMO_REGION, extras["second_region"]],
        "overview_accounts": list(extras["accounts"]),
    }


def demo_jupyter_config(domain_id: str, endpoint_url: str, port: int, token: str,
                        root_dir: str, open_browser: bool, overview: dict | None = None) -> dict:
    """The ``jupyter_server_config.json`` content of the demo: the extension's traits
    (``SageMakerIsolationApp.domain_id`` / ``.region`` / ``.endpoint_url``; ``metadata_path``
    emptied so a real Studio metadata file is not read; with ``overview``, the
    ``seed_overview_extras`` dict, the overview traits of :func:`overview_traits`) and the
    server's port, token, root."""
    server: dict = {
        "ip": "127.0.0.1",
        "port": port,
        "port_retries": 0,
        "open_browser": bool(open_browser),
        "root_dir": root_dir,
        "answer_yes": True,  # Ctrl-C stops at once, no "Shutdown this Jupyter server?" prompt
        "jpserver_extensions": {"sagemaker_isolation_ext": True, "jupyterlab": True},
    }
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        server["allow_root"] = True
    return {
        "ServerApp": server,
        "IdentityProvider": {"token": token},
        "SageMakerIsolationApp": {
            "domain_id": domain_id,
            "region": DEMO_REGION,
            "endpoint_url": endpoint_url,
            "metadata_path": "",
            **(overview_traits(overview) if overview else {}),
        },
    }


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def _stop_on_sigterm():
    """Make SIGTERM behave like Ctrl-C (so JupyterLab and moto are stopped, not orphaned).
    Returns the previous handler, or None when not in the main thread."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)


def run_demo(open_browser: bool = True, port: int | None = None,
             lab_args: Sequence[str] = (), out=None) -> int:
    """Run the demo until Ctrl-C: start moto (127.0.0.1, free port) with the Studio plugin, seed
    the three-domain account, then launch ``python -m jupyterlab`` with the extension pointed at
    domain ``ml-research``; on exit stop JupyterLab and moto.

    Args:
        open_browser: let JupyterLab open a browser tab.
        port: JupyterLab port; None picks a free one.
        lab_args: extra command-line arguments for ``jupyter lab``.
        out: text stream for messages (default ``sys.stdout``).

    Returns:
        JupyterLab's exit code (0 after Ctrl-C).
    """
    out = out or sys.stdout
    server, endpoint = start_local_aws()
    proc = None
    work: Path | None = None
    previous_term = _stop_on_sigterm()
    try:
        seeded = seed_demo_account(endpoint, region=DEMO_REGION)
        extras = seed_overview_extras(endpoint, region=DEMO_REGION)
        domain = seeded["domains"][DEMO_DOMAIN]
        port = port or free_port()
        token = secrets.token_hex(16)
        work = Path(tempfile.mkdtemp(prefix="sagemaker-isolation-demo-"))
        config_dir = work / "jupyter-config"
        root_dir = work / "notebooks"
        config_dir.mkdir()
        root_dir.mkdir()
        (config_dir / "jupyter_server_config.json").write_text(json.dumps(
            demo_jupyter_config(domain["id"], endpoint, port, token, str(root_dir),
                                open_browser, overview=extras), indent=2))
        (root_dir / "README.md").write_text(
            "# sagemaker-isolation demo\n\nA local AWS (moto) at " + endpoint + " holds three "
            "domains (the panel's *Change domain* moves between them):\n\n"
            "- `d-ml-research`: **not isolated**: AWS's isolation policy beside "
            "AmazonSageMakerFullAccess, whose Allows it cannot take back;\n"
            "- `d-ml-prod`: **not isolated**: AWS's isolation policy alone; its own CreateAPIs "
            "statement lets the role create apps inside other domains' profiles and spaces "
            "(finding aws-policy-gap, with the request that proves it);\n"
            "- `d-ml-secure`: **isolated**: AmazonSageMakerFullAccess plus the `deny` template "
            "(`sagemaker-isolation policy --variant deny`), proved over every request.\n\n"
            "Open the SageMaker isolation panel (shield icon) in the left sidebar.\n")
        env = demo_environment(endpoint)
        env["JUPYTER_CONFIG_DIR"] = str(config_dir)
        url = f"http://127.0.0.1:{port}/lab?token={token}"
        print(f"Local AWS (moto): {endpoint}", file=out)
        print(f"Domains: {', '.join(d['id'] for d in seeded['domains'].values())}; "
              f"the panel checks {domain['id']}", file=out)
        print(f"Starting JupyterLab: {url}", file=out, flush=True)
        proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", *lab_args], env=env)
        if _wait_for_port(port, proc, timeout=120):
            print(f"Demo ready: {url}  (Ctrl-C to stop)", file=out, flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        print("Stopping the demo...", file=out, flush=True)
        return 0
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        server.stop()
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
