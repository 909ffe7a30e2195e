"""Shared fixtures: fake AWS credentials and a local AWS (moto) seeded with the demo account.

- ``aws_env``: fake credentials, ``AWS_REGION=us-east-1``, no profile / endpoint / config file from
  the machine (so no test can reach real AWS). Returns the variables set.
- ``moto_server``: endpoint URL (``http://127.0.0.1:<free port>``) of one ``ThreadedMotoServer``
  for the whole session, with the Studio plugin (user profiles, spaces, apps, UpdateDomain)
  installed. moto's state is process-wide and shared by every test: use ``demo_account`` (which
  resets it) when a test needs a known state.
- ``demo_account``: resets moto, seeds the two-domain demo account
  (``sagemaker_isolation_ext.demo.seed.seed_demo_account``) and returns its dict of ids and ARNs
  (``["domains"]["ml-research"]["id"]``, ``["roles"][name]``, ``["policies"][name]``, ...).
  Depends on ``aws_env``.
"""

from __future__ import annotations

import pytest

from sagemaker_isolation_ext.sagemaker.analysis import set_budget_limits
from tests.waits import ANALYSIS_SECONDS

# The verdicts tests expect must not depend on the machine's speed: the analysis's wall-clock
# budget (30 s per role, the product's guard for huge accounts) could turn an expected verdict into
# "unknown" on a slow or loaded machine. The work budget (states) is kept: it is deterministic,
# and the tests of the budget itself set it.
set_budget_limits(seconds=ANALYSIS_SECONDS)

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}

_DROPPED_AWS_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@pytest.fixture
def aws_env(monkeypatch, tmp_path) -> dict:
    """Fake AWS credentials and Region for one test; the machine's AWS config is hidden."""
    for key in _DROPPED_AWS_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for key, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(key, value)
    return dict(FAKE_AWS_ENV)


@pytest.fixture(scope="session")
def moto_server():
    """Endpoint URL of a session-wide moto server on 127.0.0.1 with the Studio plugin."""
    from sagemaker_isolation_ext.demo.server import start_local_aws

    server, url = start_local_aws()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def demo_account(moto_server, aws_env) -> dict:
    """A freshly reset moto seeded with the demo account; returns ``seed_demo_account``'s dict."""
    from sagemaker_isolation_ext.demo.seed import seed_demo_account
    from sagemaker_isolation_ext.demo.server import reset_local_aws

    reset_local_aws(moto_server)
    return seed_demo_account(moto_server, region="us-east-1")


@pytest.fixture
def overview_fleet(demo_account, moto_server) -> tuple[dict, dict]:
    """``demo_account`` plus ``seed_overview_extras`` (a domain in us-west-2, a second account
    entered with AssumeRole, one refusing entry): ``(demo dict, extras dict)``. The refusing
    account is forgotten by the plugin afterwards."""
    from sagemaker_isolation_ext.demo.moto_plugin import REFUSED_ACCOUNTS
    from sagemaker_isolation_ext.demo.seed import seed_overview_extras

    extras = seed_overview_extras(moto_server)
    try:
        yield demo_account, extras
    finally:
        REFUSED_ACCOUNTS.discard(extras["refusing_account"])
