"""Isolation policy templates for one domain: the AWS doc's Allow policy and our Deny variant.

- ``"allow"``: the policy of the AWS doc "Isolate domain resources" (packaged copy:
  ``data/isolation_policies/aws-docs-studio-domain-resource-isolation.json``) rendered for one
  domain: its ARNs in the domain's partition, Region and account, the ``domain-arn`` placeholder
  replaced by the domain ARN, and ``app/domain-id/*/jupyterserver/default`` by the domain's id.
  It only *adds* Allows, so a broad Allow on the same role (``AmazonSageMakerFullAccess``) still
  reaches other domains' resources.
- ``"deny"``: one Deny that stays correct beside broad Allows. It denies every ``sagemaker:``
  action on a resource whose ``aws:ResourceTag/sagemaker:domain-arn`` is *present and different*
  from this domain's ARN. The ``Null: false`` guard is what keeps it from denying untagged
  resources Studio needs: AWS evaluates ``StringNotEquals`` on a missing key as true, which is why
  the aiops-modules deny policy had to carve out ``app/*``, ``space/*``, ``image/*``,
  ``image-version/*/*`` and ``app-image-config/*`` one incident at a time (history in
  ``data/isolation_policies/SOURCES.md``); the admin-workshop deny-only policy
  (``StringNotEqualsIfExists``) denies untagged resources for the same reason. With the guard,
  every never-tagged resource (the ``default`` app, image versions, model-card export jobs, ...)
  is left to the role's other policies, and creation is unaffected (a resource being created
  carries no ``aws:ResourceTag``). Untagged resources stay reachable: backfill their tags.

Source of the ARN facts: IAM ARNs have an empty Region (``arn:aws:iam::<account>:policy/<name>``,
IAM User Guide "IAM identifiers"); the doc's CLI step writes ``arn:aws:iam:account-id:policy/...``,
which is wrong.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from importlib import resources

VARIANTS = ("allow", "deny")

#: Name prefix the AWS doc gives the policy.
POLICY_NAME_PREFIX = "StudioDomainResourceIsolationPolicy-"

_DOMAIN_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)"
    r":sagemaker:(?P<region>[a-z]{2,4}(?:-[a-z]+)+-\d+):(?P<account>\d{12})"
    r":domain/(?P<domain_id>d-(?:-*[a-z0-9]){1,61})$"
)
# SageMaker API Reference, DescribeDomain: DomainId pattern ``d-(-*[a-z0-9]){1,61}``.
_DOMAIN_ID = re.compile(r"^d-(?:-*[a-z0-9]){1,61}$")
_ACCOUNT = re.compile(r"^\d{12}$")

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
    m = _DOMAIN_ARN.match(domain_arn.strip())
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
        ValueError: ``domain_id`` does not match the API's pattern ``d-(-*[a-z0-9]){1,61}``.
    """
    if not isinstance(domain_id, str) or not _DOMAIN_ID.match(domain_id):
        raise ValueError(f"not a SageMaker domain id: {domain_id!r} (expected d-<id>)")
    return POLICY_NAME_PREFIX + domain_id


def policy_arn(account: str, domain_id: str, partition: str = "aws") -> str:
    """The IAM ARN the policy will have: ``arn:<partition>:iam::<account>:policy/<name>``.

    Note the empty Region field (IAM is global); the AWS doc's CLI step omits it wrongly.

    Raises:
        ValueError: bad account (not 12 digits) or domain id.
    """
    if not isinstance(account, str) or not _ACCOUNT.match(account):
        raise ValueError(f"not an AWS account id: {account!r} (expected 12 digits)")
    return f"arn:{partition}:iam::{account}:policy/{policy_name(domain_id)}"


def _doc_policy() -> dict:
    text = (
        resources.files("sagemaker_isolation_ext")
        .joinpath("data", "isolation_policies", _DOC_POLICY_FILE)
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


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


def _render_deny(d: DomainArn) -> dict:
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
            }
        ],
    }


def render(domain_arn: str, variant: str) -> dict:
    """Render an isolation policy document for one domain.

    Args:
        domain_arn: the domain's ARN (see ``parse_domain_arn``).
        variant: ``"allow"`` (the AWS doc policy) or ``"deny"`` (our Deny variant; see the module
            docstring for why it is shaped as it is).

    Returns:
        the bare IAM policy document (dict, JSON-serialisable), usable with
        ``aws iam create-policy --policy-document``.

    Raises:
        ValueError: the domain ARN does not parse, or ``variant`` is not one of ``VARIANTS``.
    """
    d = parse_domain_arn(domain_arn)
    if variant == "allow":
        return _render_allow(d)
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
