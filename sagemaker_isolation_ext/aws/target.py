"""Which SageMaker domain, Region and credentials a check is about.

Sources, in order of precedence (explicit arguments always win):

1. explicit arguments (CLI flags or the server's config traits);
2. Studio's app metadata file ``/opt/ml/metadata/resource-metadata.json`` (AWS doc
   "Get App Metadata", https://docs.aws.amazon.com/sagemaker/latest/dg/notebooks-run-and-manage-metadata.html:
   ``AppType``, ``DomainId``, ``UserProfileName``, ``ResourceArn``, ``ResourceName``; newer images
   add ``SpaceName`` and ``ExecutionRoleArn``);
3. for the Region: ``AWS_REGION`` (Studio sets it), ``AWS_DEFAULT_REGION``, boto3's own chain
   (``boto3.Session(profile_name=...).region_name``, i.e. the AWS config file), and last the
   Region in the metadata's ``ResourceArn``.

A notebook instance writes the same file with only ``ResourceArn``/``ResourceName`` (AWS doc
"Access Notebook Instance Metadata", doc_source/nbi-metadata.md): it belongs to no domain, so
without an explicit domain id that is a :class:`ContextError`.

Where the check runs (``AwsContext.environment``, see :func:`detect_environment`):

- ``studio-classic``: a Studio Classic app, ``AppType`` ``JupyterServer`` (the JupyterLab 3 UI
  server) or ``KernelGateway`` (an image's kernels); the AWS doc's isolation procedure is written
  for domains whose default experience is Studio Classic;
- ``studio-space``: a Studio (new experience) space app, ``AppType`` ``JupyterLab`` or
  ``CodeEditor``, identified by ``SpaceName`` and, in newer images, ``ExecutionRoleArn``. Those
  images also set the environment variable ``SAGEMAKER_APP_TYPE`` (``JupyterLab``,
  ``CodeEditor``; and ``SAGEMAKER_APP_TYPE_LOWERCASE``, as the SageMaker Distribution image's
  start-up script reads it), used when the metadata has no ``AppType``;
- ``studio``: Studio metadata with an app type we do not know (kept as written);
- ``notebook-instance``: a notebook instance (not in any domain; only with an explicit domain);
- ``local``: no Studio metadata: a laptop, a CI runner, a plain server. Profile and Region come
  from the flags, ``AWS_PROFILE``/``AWS_REGION`` and the AWS config file (boto3's chain).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sagemaker_isolation_ext.aws.errors import ContextError
from sagemaker_isolation_ext.sagemaker import patterns

__all__ = [
    "DEFAULT_METADATA_PATH",
    "AwsContext",
    "ContextError",
    "resolve_context",
    "detect_environment",
    "ENVIRONMENTS",
]

#: Values of ``AwsContext.environment`` (see the module docstring).
ENVIRONMENTS = ("studio-classic", "studio-space", "studio", "notebook-instance", "local")

# AppType values (SageMaker API reference, CreateApp AppType enum) by the experience they belong to.
_CLASSIC_APP_TYPES = {"jupyterserver": "JupyterServer", "kernelgateway": "KernelGateway"}
_SPACE_APP_TYPES = {"jupyterlab": "JupyterLab", "codeeditor": "CodeEditor"}
_APP_TYPE_LABEL = {
    "JupyterServer": "Studio Classic JupyterServer app (JupyterLab 3)",
    "KernelGateway": "Studio Classic KernelGateway app",
    "JupyterLab": "Studio JupyterLab space",
    "CodeEditor": "Studio Code Editor space",
}

DEFAULT_METADATA_PATH = "/opt/ml/metadata/resource-metadata.json"


@dataclass(frozen=True)
class AwsContext:
    """The resolved target of a check.

    Fields:
        domain_id: ``d-...`` SageMaker domain id.
        region: AWS Region name, e.g. ``"us-east-1"``.
        profile: AWS config profile name or None (boto3's default chain).
        endpoint_url: explicit endpoint URL for every client or None (boto3 still honours
            ``AWS_ENDPOINT_URL`` by itself).
        source: where the domain id came from: ``"studio-metadata"``, ``"config"``, ``"cli"``.
        detail: one human-readable line: file/flags used and where the Region came from.
        user_profile_name, space_name, execution_role_arn, app_type: from Studio's metadata when
            it describes an app of this same domain, else None.
        resource_arn: the metadata's ``ResourceArn`` (the app ARN) when it belongs to this domain.
        environment: where the check runs, one of :data:`ENVIRONMENTS` (``studio-classic``,
            ``studio-space``, ``studio``, ``notebook-instance``, ``local``); None only when
            built by hand.
        environment_detail: one human-readable line about it (e.g. ``"Studio JupyterLab space
            'alice-space'"``, ``"local machine: no Studio metadata"``).
    """

    domain_id: str
    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    source: str = "cli"
    detail: str = ""
    user_profile_name: str | None = None
    space_name: str | None = None
    execution_role_arn: str | None = None
    app_type: str | None = None
    resource_arn: str | None = None
    environment: str | None = None
    environment_detail: str | None = None

    def to_json(self) -> dict:
        """Plain dict of all fields (what the server's ``context`` route returns)."""
        return asdict(self)


def _read_metadata(path: str | os.PathLike | None) -> tuple[dict | None, str | None]:
    """Return ``(metadata, problem)``: the parsed file or None, and why it could not be used."""
    if path is None:
        return None, None
    p = Path(path)
    if not p.exists():
        return None, None
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        return None, f"cannot read {p}: {e.strerror or e}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return None, f"{p} is not valid JSON ({e.msg} at line {e.lineno} column {e.colno})"
    if not isinstance(data, dict):
        return None, f"{p} holds a JSON {type(data).__name__}, expected an object"
    return data, None


def _str_field(meta: Mapping, key: str) -> str | None:
    value = meta.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _region_from_arn(arn: str | None) -> str | None:
    """Region of ``arn:<partition>:<service>:<region>:...`` when it looks like a Region name."""
    if not arn:
        return None
    parts = arn.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and patterns.is_region(parts[3]):
        return parts[3]
    return None


def _is_notebook_instance(meta: Mapping) -> bool:
    """Metadata of a notebook instance: no DomainId, only ResourceArn/ResourceName keys, or an ARN
    whose resource type is ``notebook-instance``."""
    if _str_field(meta, "DomainId"):
        return False
    arn = _str_field(meta, "ResourceArn") or ""
    if ":notebook-instance/" in arn:
        return True
    keys = {k for k in meta if meta.get(k) not in (None, "")}
    return bool(keys) and keys <= {"ResourceArn", "ResourceName", "AppImageVersion"}


def _canonical_app_type(value: str | None) -> str | None:
    """``"jupyterlab"`` / ``"JupyterLab"`` -> ``"JupyterLab"``; unknown values kept as written."""
    if not value:
        return None
    key = value.strip().lower().replace("-", "").replace("_", "")
    return _CLASSIC_APP_TYPES.get(key) or _SPACE_APP_TYPES.get(key) or value.strip()


def _env_app_type(environ: Mapping[str, str]) -> str | None:
    """The app type Studio's newer images put in the environment, canonicalised, or None."""
    for var in ("SAGEMAKER_APP_TYPE", "SAGEMAKER_APP_TYPE_LOWERCASE"):
        value = environ.get(var)
        if isinstance(value, str) and value.strip():
            return _canonical_app_type(value)
    return None


def detect_environment(
    meta: Mapping | None, environ: Mapping[str, str] = os.environ
) -> tuple[str, str, str | None]:
    """Where this process runs, from Studio's metadata (already parsed) and the environment.

    Args:
        meta: the parsed ``resource-metadata.json`` object, or None when there is none.
        environ: the environment (``SAGEMAKER_APP_TYPE``, ``SAGEMAKER_APP_TYPE_LOWERCASE``,
            ``AWS_PROFILE``).

    Returns:
        ``(environment, detail, app_type)``: one of :data:`ENVIRONMENTS`, one line saying why,
        and the canonical app type (``JupyterServer``, ``KernelGateway``, ``JupyterLab``,
        ``CodeEditor``, or the metadata's own value) or None. The metadata's ``AppType`` wins
        over the environment's; a disagreement is named in the detail.
    """
    env_type = _env_app_type(environ)
    if meta is None:
        if env_type:
            return (
                "local",
                f"SAGEMAKER_APP_TYPE says {env_type} but there is no Studio metadata file: "
                "treated as outside Studio (pass the domain id)",
                env_type,
            )
        profile = environ.get("AWS_PROFILE")
        where = f"profile {profile!r} (AWS_PROFILE)" if profile else "the default AWS profile"
        return "local", f"local machine (no Studio metadata); credentials from {where}", None
    if _is_notebook_instance(meta):
        arn = _str_field(meta, "ResourceArn") or "?"
        return "notebook-instance", f"SageMaker notebook instance {arn} (not in a domain)", None
    meta_type = _canonical_app_type(_str_field(meta, "AppType"))
    app_type = meta_type or env_type
    note = ""
    if meta_type and env_type and meta_type != env_type:
        note = f" (SAGEMAKER_APP_TYPE says {env_type}; the metadata's AppType is used)"
    space = _str_field(meta, "SpaceName")
    profile = _str_field(meta, "UserProfileName")
    owner = f"space {space!r}" if space else (f"user profile {profile!r}" if profile else None)
    if app_type in _CLASSIC_APP_TYPES.values():
        label = _APP_TYPE_LABEL[app_type] + (f" of {owner}" if owner else "")
        return "studio-classic", label + note, app_type
    if app_type in _SPACE_APP_TYPES.values():
        label = _APP_TYPE_LABEL[app_type] + (f" {space!r}" if space else "")
        if profile and not space:
            label += f" of user profile {profile!r}"
        return "studio-space", label + note, app_type
    if app_type:
        return (
            "studio",
            f"Studio app of type {app_type!r}" + (f" ({owner})" if owner else ""),
            (app_type),
        )
    return (
        "studio",
        "Studio app (no AppType in the metadata)" + (f" ({owner})" if owner else ""),
        None,
    )


def _boto3_region(profile: str | None) -> str | None:
    """boto3's own Region chain (env, AWS config file for the profile). Imported lazily."""
    try:
        import boto3  # noqa: PLC0415  (lazy: keeps context importable without boto3 work)
        from botocore.exceptions import BotoCoreError  # noqa: PLC0415
    except ImportError:  # pragma: no cover - boto3 is a runtime dependency
        return None
    try:
        return boto3.Session(profile_name=profile).region_name
    except BotoCoreError as e:  # ProfileNotFound and friends
        raise ContextError(
            f"AWS profile {profile!r} cannot be used: {e}. Check ~/.aws/config or pass --profile.",
            reason="bad-profile",
        ) from None


def _resolve_domain(
    domain_id: str | None,
    meta: Any,
    meta_domain: str | None,
    problem: str | None,
    metadata_path: Any,
    explicit_source: str,
    notes: list[str],
) -> tuple[str, str]:
    """The domain id and its source (explicit, else Studio's metadata); appends to ``notes``.

    Raises:
        ContextError: as :func:`resolve_context` says.
    """
    if domain_id is not None:
        domain_id = str(domain_id).strip()
        if not patterns.is_domain_id(domain_id):
            raise ContextError(
                f"{domain_id!r} is not a SageMaker domain id (expected 'd-' followed by lowercase "
                "letters and digits, e.g. d-abcd1234efgh).",
                reason="bad-domain-id",
            )
        source = explicit_source
        notes.append(f"domain id from {explicit_source}")
        if problem:
            notes.append(f"metadata ignored: {problem}")
        elif meta is not None and meta_domain and meta_domain != domain_id:
            notes.append(f"metadata names another domain ({meta_domain}); its app fields ignored")
    else:
        if problem:
            raise ContextError(
                f"Studio metadata unusable: {problem}. Pass a domain id (--domain-id).",
                reason="bad-metadata",
            )
        if meta is None:
            where = f"{metadata_path}" if metadata_path is not None else "no metadata file"
            raise ContextError(
                "No SageMaker domain: not running in SageMaker Studio "
                f"({where} not found) and no domain id given. Pass --domain-id "
                "(CLI) or set c.SageMakerIsolationApp.domain_id (server).",
                reason="no-domain",
            )
        if _is_notebook_instance(meta):
            arn = _str_field(meta, "ResourceArn") or "?"
            raise ContextError(
                f"This is a SageMaker notebook instance ({arn}), not a Studio app: notebook "
                "instances do not belong to a domain, so there is no domain isolation to check. "
                "Pass the domain to check with --domain-id.",
                reason="notebook-instance",
            )
        if not meta_domain:
            raise ContextError(
                f"{metadata_path} has no DomainId. Pass a domain id (--domain-id).",
                reason="bad-metadata",
            )
        if not patterns.is_domain_id(meta_domain):
            raise ContextError(
                f"{metadata_path} names DomainId {meta_domain!r}, which is not a SageMaker domain "
                "id (expected d-...). Pass a domain id (--domain-id).",
                reason="bad-domain-id",
            )
        domain_id = meta_domain
        source = "studio-metadata"
        notes.append(f"domain id from {metadata_path}")
    return domain_id, source


def _app_fields(
    meta: Any, same_domain: bool, detected_app_type: str | None, notes: list[str]
) -> dict[str, str | None]:
    """The app fields of the metadata (user profile, space, role, app type, ARN) when it is the
    checked domain's."""
    app_fields: dict[str, str | None] = {
        "user_profile_name": None,
        "space_name": None,
        "execution_role_arn": None,
        "app_type": None,
        "resource_arn": None,
    }
    if same_domain:
        assert meta is not None
        app_fields["user_profile_name"] = _str_field(meta, "UserProfileName")
        app_fields["space_name"] = _str_field(meta, "SpaceName")
        app_fields["app_type"] = _str_field(meta, "AppType") or detected_app_type
        arn = _str_field(meta, "ResourceArn")
        app_fields["resource_arn"] = arn if arn and arn.startswith("arn:") else None
        role = _str_field(meta, "ExecutionRoleArn")
        if role and patterns.is_role_arn(role):
            app_fields["execution_role_arn"] = role
        elif role:
            notes.append(f"ExecutionRoleArn {role!r} is not an IAM role ARN; ignored")
        who = []
        if app_fields["app_type"]:
            who.append(f"{app_fields['app_type']} app")
        if app_fields["space_name"]:
            who.append(f"space {app_fields['space_name']!r}")
        if app_fields["user_profile_name"]:
            who.append(f"user profile {app_fields['user_profile_name']!r}")
        if who:
            notes.append(", ".join(who))
    return app_fields


def _resolve_region(
    region: str | None,
    environ: Mapping[str, str],
    profile: str | None,
    meta: Any,
    same_domain: bool,
    notes: list[str],
) -> str:
    """The Region: explicit, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, boto3's chain, the
    metadata's ARN.

    Raises:
        ContextError: no Region found, or a malformed one.
    """
    # Region: explicit, AWS_REGION, AWS_DEFAULT_REGION, boto3 chain, metadata ResourceArn.
    region_source = None
    if region is not None:
        region = str(region).strip()
        region_source = "explicit"
    elif environ.get("AWS_REGION"):
        region, region_source = environ["AWS_REGION"].strip(), "AWS_REGION"
    elif environ.get("AWS_DEFAULT_REGION"):
        region, region_source = environ["AWS_DEFAULT_REGION"].strip(), "AWS_DEFAULT_REGION"
    else:
        chain = _boto3_region(profile)
        if chain:
            region, region_source = chain, "AWS config (boto3)"
        elif same_domain and meta is not None:
            arn_region = _region_from_arn(_str_field(meta, "ResourceArn"))
            if arn_region:
                region, region_source = arn_region, "metadata ResourceArn"
    if not region:
        raise ContextError(
            "No AWS Region: set AWS_REGION, configure a default Region (aws configure) or pass "
            "--region.",
            reason="no-region",
        )
    if not patterns.is_region(region):
        raise ContextError(
            f"{region!r} is not an AWS Region name (expected e.g. us-east-1).",
            reason="bad-region",
        )
    notes.append(
        f"Region {region} as given"
        if region_source == "explicit"
        else f"Region {region} from {region_source}"
    )
    return region


def resolve_context(
    domain_id: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    metadata_path: str | os.PathLike | None = DEFAULT_METADATA_PATH,
    environ: Mapping[str, str] = os.environ,
    explicit_source: str = "cli",
) -> AwsContext:
    """Resolve the domain, Region, profile and endpoint of a check.

    Args:
        domain_id: explicit domain id (wins over the metadata file). Must be a domain id
            (``patterns.is_domain_id``).
        region: explicit Region (wins over everything).
        profile: AWS config profile name, or None.
        endpoint_url: explicit endpoint URL, or None.
        metadata_path: Studio's metadata file; None skips it. A missing file is not an error.
        environ: environment to read ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` from.
        explicit_source: the ``source`` to report when the domain id is explicit (``"cli"`` or
            ``"config"``).

    Returns:
        :class:`AwsContext`. Metadata fields (user profile, space, role, app type) are kept only
        when the metadata's DomainId is the resolved domain.

    Raises:
        ContextError: no domain id (outside Studio, none given), the metadata is a notebook
            instance's, the metadata file is unreadable and no domain id was given, a domain id or
            Region is malformed, or no Region can be found.
    """
    meta, problem = _read_metadata(metadata_path)
    notes: list[str] = []
    environment, environment_detail, detected_app_type = detect_environment(
        meta if isinstance(meta, Mapping) else None, environ
    )
    if problem:  # a metadata file exists (so some SageMaker app) but cannot be read
        environment, environment_detail = "studio", f"SageMaker metadata unusable: {problem}"

    meta_domain = _str_field(meta, "DomainId") if meta is not None else None

    domain_id, source = _resolve_domain(
        domain_id, meta, meta_domain, problem, metadata_path, explicit_source, notes
    )
    same_domain = meta is not None and meta_domain == domain_id
    app_fields = _app_fields(meta, same_domain, detected_app_type, notes)
    region = _resolve_region(region, environ, profile, meta, same_domain, notes)
    if endpoint_url:
        notes.append(f"endpoint {endpoint_url}")

    return AwsContext(
        domain_id=domain_id,
        region=region,
        profile=profile or None,
        endpoint_url=endpoint_url or None,
        source=source,
        detail="; ".join(notes),
        environment=environment,
        environment_detail=environment_detail,
        **app_fields,
    )
