"""boto3 sessions and clients with the retry and timeout settings every AWS call uses.

Retries use botocore's ``adaptive`` mode (client-side rate limiting on top of the ``standard``
mode's retry of throttling, 5xx and connection errors; botocore docs "Retries",
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html).
``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` are honoured by boto3 itself; an explicit
``endpoint_url`` wins over them.
"""

from __future__ import annotations

import boto3
from botocore.config import Config
from botocore.exceptions import ProfileNotFound

from sagemaker_isolation_ext.aws.errors import AwsUnreachable
from sagemaker_isolation_ext.aws.target import AwsContext

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "make_session",
    "client",
    "client_config",
]

DEFAULT_MAX_ATTEMPTS = 5
"""Total attempts per call, first one included (botocore ``total_max_attempts``; botocore's own
``max_attempts`` key counts retries only)."""
DEFAULT_CONNECT_TIMEOUT = 5.0
"""Seconds to open a connection."""
DEFAULT_READ_TIMEOUT = 20.0
"""Seconds to wait for a response once connected."""


def make_session(ctx: AwsContext) -> boto3.Session:
    """A boto3 Session for ``ctx.profile`` (None: boto3's default chain) and ``ctx.region``.

    Raises:
        AwsUnreachable: reason ``"profile-not-found"`` when the profile is not configured.
    """
    try:
        return boto3.Session(profile_name=ctx.profile, region_name=ctx.region)
    except ProfileNotFound as e:
        raise AwsUnreachable(
            f"AWS profile {ctx.profile!r} is not configured ({e}). Run `aws configure --profile "
            f"{ctx.profile}` or pass another --profile.",
            reason="profile-not-found",
        ) from None


#: botocore's credential provider methods, in words (botocore/credentials.py provider METHODs).
CREDENTIAL_SOURCES = {
    "env": "environment variables (AWS_ACCESS_KEY_ID)",
    "shared-credentials-file": "the shared credentials file (~/.aws/credentials)",
    "config-file": "the AWS config file (~/.aws/config)",
    "custom-process": "a credential_process command",
    "assume-role": "an assumed role (profile role_arn)",
    "assume-role-with-web-identity": "a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)",
    "sso": "IAM Identity Center (SSO)",
    "container-role": "the container's role (Studio / ECS task role)",
    "iam-role": "the instance's role (instance metadata)",
    "boto-config": "the boto config file",
}


def credential_source(ctx: AwsContext) -> dict:
    """Which credentials boto3 would use for ``ctx``, without calling AWS.

    Resolving may read local files, the container credential endpoint or instance metadata
    (with botocore's own short timeouts): call it off the event loop.

    Returns:
        ``{"method": botocore's method name or None, "words": str}``; ``method`` is None when no
        credentials are found (or the profile is not configured).
    """
    try:
        creds = make_session(ctx).get_credentials()
    except AwsUnreachable as exc:
        return {"method": None, "words": exc.message}
    except Exception as exc:  # botocore raises many kinds while resolving providers
        return {"method": None, "words": f"credentials could not be resolved ({exc})"}
    if creds is None:
        return {"method": None, "words": "no AWS credentials were found"}
    method = getattr(creds, "method", None)
    words = CREDENTIAL_SOURCES.get(method or "", method or "unknown provider")
    if ctx.profile:
        words += f", profile {ctx.profile}"
    return {"method": method, "words": words}


def client_config(
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> Config:
    """The botocore ``Config``: adaptive retries, ``max_attempts`` total attempts (first one
    included, >= 1), timeouts in seconds."""
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max(1, int(max_attempts))},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


def client(
    session: boto3.Session,
    service: str,
    endpoint_url: str | None = None,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
):
    """A low-level boto3 client for ``service`` (``"sagemaker"``, ``"iam"``, ``"sts"``).

    Args:
        session: from :func:`make_session`; its Region is used (IAM is global; boto3 routes it).
        service: boto3 service name.
        endpoint_url: explicit endpoint, or None for boto3's own resolution (which includes
            ``AWS_ENDPOINT_URL``).
        max_attempts, connect_timeout, read_timeout: see :func:`client_config`.

    Returns:
        ``botocore.client.BaseClient``.
    """
    kwargs = {"config": client_config(max_attempts, connect_timeout, read_timeout)}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    return session.client(service, **kwargs)
