"""Isolation policy templates for one domain: AWS's policy verbatim (``aws-doc``), its
narrowed form (``doc_narrowed``), our isolating Allow-only policy (``allow``) and our Deny
guards (``deny``)."""

from __future__ import annotations

import json

import pytest

from sagemaker_isolation_ext.iam import parse_policy
from sagemaker_isolation_ext.sagemaker import templates as T

ARN = "arn:aws:sagemaker:eu-central-1:444455556666:domain/d-abc123def456"


def _doc() -> dict:
    return json.load(
        open(
            "sagemaker_isolation_ext/data/isolation_policies/"
            "aws-docs-studio-domain-resource-isolation.json"
        )
    )


_OWN = [
    "arn:aws:sagemaker:eu-central-1:444455556666:domain/d-abc123def456",
    "arn:aws:sagemaker:eu-central-1:444455556666:user-profile/d-abc123def456/*",
    "arn:aws:sagemaker:eu-central-1:444455556666:space/d-abc123def456/*",
    "arn:aws:sagemaker:eu-central-1:444455556666:app/d-abc123def456/*",
]
_MANAGED_POLICY_LIMIT = 6144  # IAM quota: managed policy size, characters without whitespace


def _size(doc: dict) -> int:
    return len(json.dumps(doc, separators=(",", ":")))


def test_variants():
    assert T.VARIANTS == ("aws-doc", "allow", "deny")


def test_doc_narrowed_is_the_doc_policy_for_this_domain():
    doc = T.doc_narrowed(ARN)
    src = _doc()
    assert [s["Sid"] for s in doc["Statement"]] == [s["Sid"] for s in src["Statement"]]
    by = {s["Sid"]: s for s in doc["Statement"]}
    assert by["CreateAPIs"]["NotResource"] == [
        "arn:aws:sagemaker:eu-central-1:444455556666:domain/*",
        "arn:aws:sagemaker:eu-central-1:444455556666:user-profile/*",
        "arn:aws:sagemaker:eu-central-1:444455556666:space/*",
    ]
    assert by["ResourceAccessRequireDomainTag"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": ARN}
    }
    assert by["DeleteDefaultApp"]["Resource"] == (
        "arn:aws:sagemaker:eu-central-1:444455556666:app/d-abc123def456/*/jupyterserver/default"
    )
    assert by["AllowActionsThatDontSupportTagging"] == src["Statement"][2]
    text = json.dumps(doc)
    assert "domain-id" not in text and '"domain-arn"' not in text and ":*:*:" not in text
    # the packaged doc is not modified by rendering
    assert _doc() == src
    parse_policy(doc, "doc")  # a valid document


def test_aws_doc_variant_is_the_doc_policy_verbatim():
    doc = T.render(ARN, "aws-doc")
    assert doc == T.doc_literal(ARN)
    src = _doc()
    assert [s["Sid"] for s in doc["Statement"]] == [s["Sid"] for s in src["Statement"]]
    by = {s["Sid"]: s for s in doc["Statement"]}
    # as the doc prints it: wildcard Region and account, only the two placeholders filled
    assert by["CreateAPIs"] == src["Statement"][0]
    assert by["ResourceAccessRequireDomainTag"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": ARN}
    }
    assert by["DeleteDefaultApp"]["Resource"] == (
        "arn:aws:sagemaker:*:*:app/d-abc123def456/*/jupyterserver/default"
    )
    text = json.dumps(doc)
    assert "domain-id" not in text and '"domain-arn"' not in text
    assert _doc() == src
    parse_policy(doc, "aws-doc")


def test_allow_variant_shape():
    """The isolating Allow: Create* only where they create something new, Studio resources of
    this domain only, other resources only when tagged with this domain."""
    from sagemaker_isolation_ext.sagemaker.analysis import ACCEPTED_ACTIONS
    from sagemaker_isolation_ext.sagemaker.create_reach import table

    doc = T.render(ARN, "allow")
    parse_policy(doc, "allow")
    assert all(s["Effect"] == "Allow" for s in doc["Statement"])
    assert _size(doc) < _MANAGED_POLICY_LIMIT
    by = {s["Sid"]: s for s in doc["Statement"]}
    kinds: dict = {}
    for row in table():
        kinds.setdefault(row.action, set()).add(row.kind)
    # granted on any ARN: only actions all of whose rows create a new resource
    anywhere = by["CreateNewResources"]["Action"]
    assert anywhere and by["CreateNewResources"]["Resource"] == "*"
    for action in anywhere:
        assert kinds[action] == {"new"}, action
    for sid, st in by.items():
        if sid.startswith("CreateNewResourcesOnly"):
            assert kinds[st["Action"]] != {"new"}  # also reaches existing resources
            assert all(
                r.startswith("arn:aws:sagemaker:eu-central-1:444455556666:") for r in st["Resource"]
            )
    # presigned URLs and CreateApp only on this domain's Studio resources
    own = by["OwnDomainStudioResources"]
    assert own["Resource"] == _OWN
    assert {"sagemaker:CreateApp", "sagemaker:CreatePresignedDomainUrl"} <= set(own["Action"])
    for sid, st in by.items():
        if sid != "OwnDomainStudioResources":
            acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            assert "sagemaker:CreatePresignedDomainUrl" not in acts, sid
            assert "sagemaker:CreateApp" not in acts, sid
    assert by["ResourceAccessRequireDomainTag"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": ARN}
    }
    assert set(by["AllowActionsThatDontSupportTagging"]["Action"]) == ACCEPTED_ACTIONS
    assert by["TagOnCreate"]["Action"] == "sagemaker:AddTags"
    assert by["TagOnCreate"]["Condition"] == {"Null": {"sagemaker:TaggingAction": "false"}}
    lists = by["ListActionsWithoutResourceType"]["Action"]
    assert lists and all(a.startswith("sagemaker:List") for a in lists)
    assert ":*:*:" not in json.dumps(doc) and "d-abc123def456" in json.dumps(doc)


def test_deny_variant_shape():
    doc = T.render(ARN, "deny")
    by = {s["Sid"]: s for s in doc["Statement"]}
    assert list(by) == [
        "DenyResourcesOfOtherDomains",
        "DenyStudioResourcesOfOtherDomains",
        "DenyTaggingUntaggedStudioResources",
        "DenyModelVersionsIntoAnyGroup",
    ]
    assert all(s["Effect"] == "Deny" for s in doc["Statement"])
    st = by["DenyResourcesOfOtherDomains"]
    assert st["Action"] == "sagemaker:*" and st["Resource"] == "*"
    assert st["Condition"]["StringNotEquals"] == {"aws:ResourceTag/sagemaker:domain-arn": ARN}
    # the Null guard: untagged resources are not denied by this statement
    assert st["Condition"]["Null"] == {"aws:ResourceTag/sagemaker:domain-arn": "false"}
    # Studio resources (whose ARN names the domain, the untagged default app included): every
    # resource but this domain's
    assert by["DenyStudioResourcesOfOtherDomains"]["NotResource"] == _OWN
    assert "Condition" not in by["DenyStudioResourcesOfOtherDomains"]
    tag = by["DenyTaggingUntaggedStudioResources"]
    assert tag["Condition"] == {
        "Null": {"aws:ResourceTag/sagemaker:domain-arn": "true", "sagemaker:TaggingAction": "true"}
    }
    assert by["DenyModelVersionsIntoAnyGroup"]["Action"] == "sagemaker:CreateModelPackage"
    parse_policy(doc, "deny")
    assert _size(doc) < _MANAGED_POLICY_LIMIT


def test_deny_variant_evaluates_as_intended():
    from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate

    full = json.load(
        open("sagemaker_isolation_ext/data/managed_policies/AmazonSageMakerFullAccess.json")
    )
    ps = PolicySet(
        identity=[
            parse_policy(full, "AmazonSageMakerFullAccess"),
            parse_policy(T.render(ARN, "deny"), "iso"),
        ]
    )
    job = "arn:aws:sagemaker:eu-central-1:444455556666:training-job/j"
    other = "arn:aws:sagemaker:eu-central-1:444455556666:domain/d-other"

    def dec(resource, tags, absent=()):
        ctx = {"aws:ResourceTag/sagemaker:domain-arn": tags} if tags else {}
        return evaluate(
            Request(
                "p",
                "sagemaker:DescribeTrainingJob",
                resource,
                ctx,
                open_world=True,
                absent_keys=absent,
            ),
            ps,
        ).decision

    assert dec(job, other) == "explicit_deny"
    assert dec(job, ARN) == "allow"
    assert dec(job, None, ("aws:ResourceTag/*",)) == "allow"  # untagged: not denied


def test_policy_name_and_arn():
    assert T.policy_name("d-abc123def456") == "StudioDomainResourceIsolationPolicy-d-abc123def456"
    assert T.policy_arn("444455556666", "d-abc123def456") == (
        "arn:aws:iam::444455556666:policy/StudioDomainResourceIsolationPolicy-d-abc123def456"
    )
    assert T.policy_arn("444455556666", "d-x", partition="aws-cn").startswith("arn:aws-cn:iam::")
    with pytest.raises(ValueError, match="domain id"):
        T.policy_name("abc")
    with pytest.raises(ValueError, match="account"):
        T.policy_arn("1234", "d-x")


def test_describe():
    d = T.describe(ARN, "deny")
    assert d["name"] == "StudioDomainResourceIsolationPolicy-d-abc123def456"
    assert (
        d["arn"]
        == "arn:aws:iam::444455556666:policy/StudioDomainResourceIsolationPolicy-d-abc123def456"
    )
    assert d["variant"] == "deny" and d["document"] == T.render(ARN, "deny")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "d-abc123def456",
        "arn:aws:sagemaker:us-east-1:1234:domain/d-abc",
        "arn:aws:sagemaker:us-east-1:444455556666:user-profile/d-abc/alice",
        "arn:aws:iam::444455556666:domain/d-abc",
        "arn:aws:sagemaker:us-east-1:444455556666:domain/D-ABC",
        None,
        42,
    ],
)
def test_bad_domain_arn_is_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="domain ARN"):
        T.render(bad, "allow")


def test_unknown_variant():
    with pytest.raises(ValueError, match="variant"):
        T.render(ARN, "permissive")


def test_domain_ids_with_hyphens_follow_the_api_pattern():
    d = T.parse_domain_arn("arn:aws:sagemaker:us-east-1:444455556666:domain/d-ml-research")
    assert d.domain_id == "d-ml-research"
    assert T.policy_name("d-ml-research").endswith("-d-ml-research")
    for bad in ("d-", "d-ABC", "d-a_b", "x-abc"):
        with pytest.raises(ValueError):
            T.policy_name(bad)


def test_parse_domain_arn_partitions():
    d = T.parse_domain_arn("arn:aws-us-gov:sagemaker:us-gov-west-1:444455556666:domain/d-abc")
    assert (d.partition, d.region, d.account, d.domain_id) == (
        "aws-us-gov",
        "us-gov-west-1",
        "444455556666",
        "d-abc",
    )
    prefix = "arn:aws-us-gov:sagemaker:us-gov-west-1:444455556666:"
    assert T.doc_narrowed(d.arn)["Statement"][0]["NotResource"][0].startswith(prefix)
    by = {s["Sid"]: s for s in T.render(d.arn, "allow")["Statement"]}
    assert by["OwnDomainStudioResources"]["Resource"][0] == f"{prefix}domain/d-abc"
    deny = {s["Sid"]: s for s in T.render(d.arn, "deny")["Statement"]}
    own = deny["DenyStudioResourcesOfOtherDomains"]["NotResource"]
    assert own and all(r.startswith(prefix) for r in own)
