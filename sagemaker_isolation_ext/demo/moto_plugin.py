"""A small moto plugin adding the SageMaker Studio APIs moto 5.2.5 lacks.

moto 5.2.5 implements SageMaker domains but not user profiles, spaces, apps or ``UpdateDomain``
(against its server they answer HTTP 500; TOOLCHAIN.md §11). This module adds, in-process:

- ``CreateUserProfile`` / ``DescribeUserProfile`` / ``ListUserProfiles`` / ``UpdateUserProfile`` /
  ``DeleteUserProfile``;
- ``CreateSpace`` / ``DescribeSpace`` / ``ListSpaces`` / ``DeleteSpace``;
- ``CreateApp`` / ``DescribeApp`` / ``ListApps`` / ``DeleteApp``;
- ``UpdateDomain`` (DefaultUserSettings and DefaultSpaceSettings);
- ``ListFeatureGroups`` over moto's own feature groups (the tag scan lists them; without it moto
  answers HTTP 500 and prints a traceback);
- tags (``AddTags`` / ``ListTags`` / ``DeleteTags``) on user-profile, space and app ARNs;
- STS ``AssumeRole`` refused (``AccessDenied``) into the accounts of :data:`REFUSED_ACCOUNTS`
  (moto's own AssumeRole never fails; the account overview's demo shows an account that
  refuses entry as an error row);
- IAM ``SimulatePrincipalPolicy`` / ``SimulateCustomPolicy`` answered with a clean
  ``NotImplemented`` error (moto has no policy simulator; unpatched, its server answers HTTP 500
  with a traceback in the log, and botocore retries it), so the check's AWS confirmation
  (``aws/confirm.py``) notes "cannot confirm" once, quietly.

How: moto's ``SageMakerResponse.call_action`` dispatches an action ``CreateUserProfile`` to the
method ``create_user_profile`` if the class has one (``moto/core/responses.py``), and serialises
an ``ActionResult`` with the botocore output shape. We add such methods to ``SageMakerResponse``
and storage methods to ``SageMakerModelBackend``. Shapes follow the SageMaker API reference
(botocore ``sagemaker`` service model). Used by the demo and tests only, never by the check path.
"""

from __future__ import annotations

import warnings
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.iam.exceptions import IAMException
from moto.iam.responses import IamResponse
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter

__all__ = ["install_studio_plugin", "is_installed", "AnswerUnsupportedServices",
           "REFUSED_ACCOUNTS"]

_INSTALLED = False

#: Account ids into which ``sts:AssumeRole`` is refused with ``AccessDenied`` (the demo seeds
#: one; tests add and remove ids). A plain set, read at each call.
REFUSED_ACCOUNTS: set[str] = set()


class _StudioResource:
    """A user profile, space or app: its describe fields and a tag list."""

    def __init__(self, arn: str, fields: dict[str, Any], tags: list[dict] | None) -> None:
        now = utcnow()
        self.arn = arn
        self.fields = dict(fields)
        self.fields.setdefault("Status", "InService")
        self.fields["CreationTime"] = now
        self.fields["LastModifiedTime"] = now
        self.tags: list[dict] = list(tags or [])


def _store(backend: SageMakerModelBackend) -> dict[str, dict]:
    """The plugin's per-backend storage, created on first use."""
    store = getattr(backend, "_studio_plugin_store", None)
    if store is None:
        store = {"user_profiles": {}, "spaces": {}, "apps": {}}
        backend._studio_plugin_store = store  # type: ignore[attr-defined]
    return store


def _require_domain(backend: SageMakerModelBackend, domain_id: str) -> Any:
    if domain_id not in backend.domains:
        raise ResourceNotFound(message=f"Domain {domain_id} not found")
    return backend.domains[domain_id]


def _page(items: list, max_results: Any, next_token: Any) -> tuple[list, str | None]:
    start = int(next_token) if next_token else 0
    size = int(max_results) if max_results else 50
    page = items[start:start + size]
    token = str(start + size) if start + size < len(items) else None
    return page, token


# ---- backend -----------------------------------------------------------------------------


def _create_user_profile(self, domain_id, name, user_settings, tags):
    _require_domain(self, domain_id)
    profiles = _store(self)["user_profiles"]
    if (domain_id, name) in profiles:
        raise ResourceInUseException(message=f"User profile {name} already exists")
    arn = arn_formatter("user-profile", f"{domain_id}/{name}", self.account_id, self.region_name)
    profiles[(domain_id, name)] = _StudioResource(arn, {
        "DomainId": domain_id,
        "UserProfileArn": arn,
        "UserProfileName": name,
        "HomeEfsFileSystemUid": "200001",
        "UserSettings": user_settings or {},
    }, tags)
    return arn


def _get_user_profile(self, domain_id, name):
    try:
        return _store(self)["user_profiles"][(domain_id, name)]
    except KeyError:
        raise ResourceNotFound(message=f"User profile {name} in domain {domain_id} not found") \
            from None


def _create_space(self, domain_id, name, fields, tags):
    _require_domain(self, domain_id)
    spaces = _store(self)["spaces"]
    if (domain_id, name) in spaces:
        raise ResourceInUseException(message=f"Space {name} already exists")
    arn = arn_formatter("space", f"{domain_id}/{name}", self.account_id, self.region_name)
    spaces[(domain_id, name)] = _StudioResource(arn, {
        "DomainId": domain_id, "SpaceArn": arn, "SpaceName": name, **fields,
    }, tags)
    return arn


def _get_space(self, domain_id, name):
    try:
        return _store(self)["spaces"][(domain_id, name)]
    except KeyError:
        raise ResourceNotFound(message=f"Space {name} in domain {domain_id} not found") from None


def _get_resource_from_arn(self, arn):
    store = _store(self)
    for kind in ("user_profiles", "spaces", "apps"):
        for res in store[kind].values():
            if res.arn == arn:
                return res
    resource = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    if resource.split("/", 1)[0] in ("user-profile", "space", "app"):
        # moto's own lookup cannot parse these ARNs (a traceback and HTTP 500); an unknown one is
        # simply not found, as SageMaker says.
        raise ResourceNotFound(message=f"Resource {arn} not found")
    return _ORIGINAL_GET_RESOURCE(self, arn)


# ---- responses ---------------------------------------------------------------------------


def r_create_user_profile(self):
    arn = self.sagemaker_backend._studio_create_user_profile(
        self._get_param("DomainId"), self._get_param("UserProfileName"),
        self._get_param("UserSettings"), self._get_param("Tags"),
    )
    return ActionResult({"UserProfileArn": arn})


def r_describe_user_profile(self):
    res = self.sagemaker_backend._studio_get_user_profile(
        self._get_param("DomainId"), self._get_param("UserProfileName"))
    return ActionResult(dict(res.fields))


def r_update_user_profile(self):
    res = self.sagemaker_backend._studio_get_user_profile(
        self._get_param("DomainId"), self._get_param("UserProfileName"))
    settings = self._get_param("UserSettings")
    if settings:
        res.fields["UserSettings"] = {**res.fields.get("UserSettings", {}), **settings}
    res.fields["LastModifiedTime"] = utcnow()
    return ActionResult({"UserProfileArn": res.arn})


def r_delete_user_profile(self):
    key = (self._get_param("DomainId"), self._get_param("UserProfileName"))
    self.sagemaker_backend._studio_get_user_profile(*key)
    del _store(self.sagemaker_backend)["user_profiles"][key]
    return EmptyResult()


def r_list_user_profiles(self):
    domain = self._get_param("DomainIdEquals")
    contains = self._get_param("UserProfileNameContains")
    items = [
        r for (d, n), r in sorted(_store(self.sagemaker_backend)["user_profiles"].items())
        if (not domain or d == domain) and (not contains or contains in n)
    ]
    page, token = _page(items, self._get_param("MaxResults"), self._get_param("NextToken"))
    out = [{k: r.fields[k] for k in ("DomainId", "UserProfileName", "Status", "CreationTime",
                                     "LastModifiedTime")} for r in page]
    return ActionResult({"UserProfiles": out, "NextToken": token})


def r_create_space(self):
    fields = {}
    for key in ("SpaceSettings", "OwnershipSettings", "SpaceSharingSettings", "SpaceDisplayName"):
        value = self._get_param(key)
        if value is not None:
            fields[key] = value
    arn = self.sagemaker_backend._studio_create_space(
        self._get_param("DomainId"), self._get_param("SpaceName"), fields, self._get_param("Tags"))
    return ActionResult({"SpaceArn": arn})


def r_describe_space(self):
    res = self.sagemaker_backend._studio_get_space(
        self._get_param("DomainId"), self._get_param("SpaceName"))
    return ActionResult(dict(res.fields))


def r_delete_space(self):
    key = (self._get_param("DomainId"), self._get_param("SpaceName"))
    self.sagemaker_backend._studio_get_space(*key)
    del _store(self.sagemaker_backend)["spaces"][key]
    return EmptyResult()


def r_list_spaces(self):
    domain = self._get_param("DomainIdEquals")
    items = [r for (d, _), r in sorted(_store(self.sagemaker_backend)["spaces"].items())
             if not domain or d == domain]
    page, token = _page(items, self._get_param("MaxResults"), self._get_param("NextToken"))
    out = []
    for r in page:
        item = {k: r.fields[k] for k in ("DomainId", "SpaceName", "Status", "CreationTime",
                                         "LastModifiedTime")}
        if "SpaceDisplayName" in r.fields:
            item["SpaceDisplayName"] = r.fields["SpaceDisplayName"]
        owner = (r.fields.get("OwnershipSettings") or {}).get("OwnerUserProfileName")
        if owner:
            item["OwnershipSettingsSummary"] = {"OwnerUserProfileName": owner}
        sharing = (r.fields.get("SpaceSharingSettings") or {}).get("SharingType")
        if sharing:
            item["SpaceSharingSettingsSummary"] = {"SharingType": sharing}
        out.append(item)
    return ActionResult({"Spaces": out, "NextToken": token})


def _app_key(self):
    owner = self._get_param("UserProfileName") or self._get_param("SpaceName")
    if not owner:
        raise ValidationError(message="UserProfileName or SpaceName is required")
    return (self._get_param("DomainId"), owner, self._get_param("AppType"),
            self._get_param("AppName"))


def r_create_app(self):
    backend = self.sagemaker_backend
    domain_id, owner, app_type, app_name = key = _app_key(self)
    _require_domain(backend, domain_id)
    apps = _store(backend)["apps"]
    if key in apps:
        raise ResourceInUseException(message=f"App {app_name} already exists")
    arn = arn_formatter("app", f"{domain_id}/{owner}/{str(app_type).lower()}/{app_name}",
                        backend.account_id, backend.region_name)
    fields = {"AppArn": arn, "AppType": app_type, "AppName": app_name, "DomainId": domain_id}
    if self._get_param("UserProfileName"):
        fields["UserProfileName"] = owner
    else:
        fields["SpaceName"] = owner
    if self._get_param("ResourceSpec"):
        fields["ResourceSpec"] = self._get_param("ResourceSpec")
    apps[key] = _StudioResource(arn, fields, self._get_param("Tags"))
    return ActionResult({"AppArn": arn})


def r_describe_app(self):
    key = _app_key(self)
    try:
        res = _store(self.sagemaker_backend)["apps"][key]
    except KeyError:
        raise ResourceNotFound(message=f"App {key[3]} not found") from None
    return ActionResult(dict(res.fields))


def r_delete_app(self):
    key = _app_key(self)
    apps = _store(self.sagemaker_backend)["apps"]
    if key not in apps:
        raise ResourceNotFound(message=f"App {key[3]} not found")
    apps[key].fields["Status"] = "Deleted"
    return EmptyResult()


def r_list_apps(self):
    domain = self._get_param("DomainIdEquals")
    profile = self._get_param("UserProfileNameEquals")
    space = self._get_param("SpaceNameEquals")
    items = [
        r for k, r in sorted(_store(self.sagemaker_backend)["apps"].items())
        if (not domain or k[0] == domain)
        and (not profile or r.fields.get("UserProfileName") == profile)
        and (not space or r.fields.get("SpaceName") == space)
    ]
    page, token = _page(items, self._get_param("MaxResults"), self._get_param("NextToken"))
    keys = ("DomainId", "UserProfileName", "SpaceName", "AppType", "AppName", "Status",
            "CreationTime", "ResourceSpec")
    return ActionResult({"Apps": [{k: r.fields[k] for k in keys if k in r.fields} for r in page],
                         "NextToken": token})


def r_update_domain(self):
    backend = self.sagemaker_backend
    domain = _require_domain(backend, self._get_param("DomainId"))
    user = self._get_param("DefaultUserSettings")
    if user:
        domain.default_user_settings = {**(domain.default_user_settings or {}), **user}
    space = self._get_param("DefaultSpaceSettings")
    if space:
        domain.default_space_settings = {**(domain.default_space_settings or {}), **space}
    domain.last_modified_time = utcnow()
    return ActionResult({"DomainArn": domain.arn})


def r_list_feature_groups(self):
    """``ListFeatureGroups`` (SageMaker API reference): moto's feature groups, by name."""
    groups = sorted(self.sagemaker_backend.feature_groups.values(),
                    key=lambda g: g.feature_group_name)
    contains = self._get_param("NameContains")
    if contains:
        groups = [g for g in groups if contains in g.feature_group_name]
    page, token = _page(groups, self._get_param("MaxResults"), self._get_param("NextToken"))
    out = [{"FeatureGroupName": g.feature_group_name, "FeatureGroupArn": g.arn,
            "CreationTime": g.creation_time, "FeatureGroupStatus": "Created"} for g in page]
    return ActionResult({"FeatureGroupSummaries": out, "NextToken": token})


def r_simulator_not_implemented(self):
    raise IAMException(
        "NotImplemented",
        "The local AWS (moto) does not implement IAM's policy simulator.",
    )


def _refusing_assume_role(original):
    """Wrap moto's ``TokenResponse.assume_role``: AccessDenied into :data:`REFUSED_ACCOUNTS`."""

    def assume_role(self):
        role_arn = self._get_param("RoleArn") or ""
        parts = role_arn.split(":")
        if len(parts) > 4 and parts[4] in REFUSED_ACCOUNTS:
            # STS's model has no AccessDenied shape (moto would warn and serialise it oddly):
            # answer the query-protocol error document AWS sends, HTTP 403.
            from xml.sax.saxutils import escape

            message = escape(f"User is not authorized to perform: sts:AssumeRole on "
                             f"resource: {role_arn}")
            body = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
                    f"<Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message>"
                    "</Error><RequestId>refused-by-the-demo</RequestId></ErrorResponse>")
            return body, {"status": 403, "Content-Type": "text/xml"}
        return original(self)

    assume_role._sagemaker_isolation_refusing = True  # type: ignore[attr-defined]
    return assume_role


_IAM_RESPONSE_METHODS = {
    "simulate_principal_policy": r_simulator_not_implemented,
    "simulate_custom_policy": r_simulator_not_implemented,
}

_ORIGINAL_GET_RESOURCE = SageMakerModelBackend._get_resource_from_arn

_BACKEND_METHODS = {
    "_studio_create_user_profile": _create_user_profile,
    "_studio_get_user_profile": _get_user_profile,
    "_studio_create_space": _create_space,
    "_studio_get_space": _get_space,
    "_get_resource_from_arn": _get_resource_from_arn,
}

_RESPONSE_METHODS = {
    "create_user_profile": r_create_user_profile,
    "describe_user_profile": r_describe_user_profile,
    "update_user_profile": r_update_user_profile,
    "delete_user_profile": r_delete_user_profile,
    "list_user_profiles": r_list_user_profiles,
    "create_space": r_create_space,
    "describe_space": r_describe_space,
    "delete_space": r_delete_space,
    "list_spaces": r_list_spaces,
    "create_app": r_create_app,
    "describe_app": r_describe_app,
    "delete_app": r_delete_app,
    "list_apps": r_list_apps,
    "update_domain": r_update_domain,
    "list_feature_groups": r_list_feature_groups,
}


class AnswerUnsupportedServices:
    """WSGI middleware in front of moto's server: a request for a service moto 5.2.5 has no
    backend for (IAM Access Analyzer, ``access-analyzer``, which ``apply`` calls to validate its
    documents) gets an AWS-shaped error answer, HTTP 501 ``NotImplemented`` (botocore does not
    retry it), instead of moto's HTTP 500 and a traceback on the server's stderr.

    The service is the one named in the SigV4 credential scope of the ``Authorization`` header
    (``Credential=<key>/<date>/<region>/<service>/aws4_request``).
    """

    UNSUPPORTED = frozenset({"access-analyzer"})

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/") if \
            "Credential=" in auth else []
        service = scope[3] if len(scope) > 3 else None
        if service in self.UNSUPPORTED:
            body = (f'{{"message": "the local AWS (moto) does not implement {service}"}}'
                    .encode())
            start_response("501 Not Implemented", [
                ("Content-Type", "application/json"), ("x-amzn-ErrorType", "NotImplemented"),
                ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


def is_installed() -> bool:
    """True once :func:`install_studio_plugin` has run in this process."""
    return _INSTALLED


def install_studio_plugin() -> None:
    """Add the Studio APIs above to moto's SageMaker backend and response classes.

    Idempotent; affects this process only (``ThreadedMotoServer`` and ``mock_aws`` run in it).
    Methods moto already defines under the same names (a newer moto) are left alone.
    """
    global _INSTALLED
    if _INSTALLED:
        return
    for name, fn in _BACKEND_METHODS.items():
        if name == "_get_resource_from_arn" or not hasattr(SageMakerModelBackend, name):
            setattr(SageMakerModelBackend, name, fn)
    for name, fn in _RESPONSE_METHODS.items():
        if not hasattr(SageMakerResponse, name):
            setattr(SageMakerResponse, name, fn)
    # moto warns that "NotImplemented" is not an error shape of IAM's model: expected here.
    warnings.filterwarnings(
        "ignore",
        message=r"Exception\(IAMException\) with code NotImplemented",
        category=UserWarning,
    )
    for name, fn in _IAM_RESPONSE_METHODS.items():
        if not hasattr(IamResponse, name):
            setattr(IamResponse, name, fn)
    from moto.sts.responses import TokenResponse

    if not getattr(TokenResponse.assume_role, "_sagemaker_isolation_refusing", False):
        TokenResponse.assume_role = _refusing_assume_role(TokenResponse.assume_role)
    _INSTALLED = True
