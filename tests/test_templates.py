"""Isolation policy templates: the doc's Allow policy and our Deny variant for one domain."""

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


def test_allow_is_the_doc_policy_for_this_domain():
    doc = T.render(ARN, "allow")
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
    parse_policy(doc, "allow")  # a valid document


def test_deny_variant_shape():
    doc = T.render(ARN, "deny")
    (st,) = doc["Statement"]
    assert st["Effect"] == "Deny" and st["Action"] == "sagemaker:*" and st["Resource"] == "*"
    assert st["Condition"]["StringNotEquals"] == {"aws:ResourceTag/sagemaker:domain-arn": ARN}
    # the Null guard: untagged resources are not denied
    assert st["Condition"]["Null"] == {"aws:ResourceTag/sagemaker:domain-arn": "false"}
    parse_policy(doc, "deny")
    assert len(json.dumps(doc, separators=(",", ":"))) < 6144  # managed policy size limit


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
    assert T.render(d.arn, "allow")["Statement"][0]["NotResource"][0].startswith(
        "arn:aws-us-gov:sagemaker:us-gov-west-1:444455556666:"
    )
