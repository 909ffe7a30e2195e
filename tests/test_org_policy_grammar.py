"""RCPs and SCPs read with their own grammars (iam/policy.py ``kind="rcp"`` / ``"scp"``), checked
against AWS's own examples (tests/fixtures/org_policy_examples, copied from
github.com/aws-samples/resource-control-policy-examples and .../service-control-policy-examples).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_isolation_ext.iam.policy import RCP_SERVICES, PolicyError, parse_policy
from sagemaker_isolation_ext.iam.simulate import run_case

EXAMPLES = Path(__file__).parent / "fixtures" / "org_policy_examples"
RCPS = sorted((EXAMPLES / "rcp").glob("*.json"))
SCPS = sorted((EXAMPLES / "scp").glob("*.json"))
ROLE = "arn:aws:iam::111122223333:role/R"
ADMIN = "arn:aws:iam::111122223333:role/Admin"
SESSION = "arn:aws:sts::111122223333:assumed-role/R/s"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}


def _example(kind: str, stem_part: str) -> dict:
    """The example, its placeholders filled in as a user would (``${Account}`` is not a policy
    variable AWS resolves, ``[PRIVILEGED_ROLE]`` a name to choose)."""
    (path,) = [p for p in (EXAMPLES / kind).glob("*.json") if stem_part in p.name]
    text = path.read_text().replace("${Account}", "111122223333")
    return json.loads(text.replace("[PRIVILEGED_ROLE]", "Admin"))


def test_the_examples_are_there():
    assert len(RCPS) == 23 and len(SCPS) == 56


@pytest.mark.parametrize("path", RCPS, ids=[p.stem[:60] for p in RCPS])
def test_every_aws_rcp_example_parses_as_an_rcp(path):
    doc = json.loads(path.read_text())
    policy = parse_policy(doc, path.stem, kind="rcp")
    assert all(st.principal == "*" for st in policy.statements)
    # ... and each one is refused by the identity grammar (what the engine did before)
    with pytest.raises(PolicyError, match="'Principal' is not allowed in an identity-based"):
        parse_policy(doc, path.stem)


@pytest.mark.parametrize("path", SCPS, ids=[p.stem[:60] for p in SCPS])
def test_every_aws_scp_example_parses_as_an_scp(path):
    policy = parse_policy(json.loads(path.read_text()), path.stem, kind="scp")
    assert policy.statements


def _case(rcps=None, scps=None, action="s3:GetObject", resource="arn:aws:s3:::b/k", ctx=None):
    c = {
        "id": "t",
        "identity_policies": [{"name": "p0", "document": ALLOW_ALL}],
        "request": {"principal": SESSION, "action": action, "resource": resource, "context": ctx or {}},
    }
    if rcps is not None:
        c["rcps"] = rcps
    if scps is not None:
        c["scps"] = scps
    return c


def _rcp_level(doc):
    return [[{"name": "RCPFullAWSAccess", "document": RCP_FULL}, {"name": "rcp", "document": doc}]]


# (example file part, request action, context, expected decision): each row a request the
# example is written to stop, and one it lets through.
RCP_TABLE = [
    ("HTTPS-connections", "s3:GetObject", {"aws:SecureTransport": "false"}, "explicit_deny"),
    ("HTTPS-connections", "s3:GetObject", {"aws:SecureTransport": "true"}, "allow"),
    ("HTTPS-connections", "sqs:SendMessage", {}, "explicit_deny"),  # BoolIfExists, key absent
    ("HTTPS-connections", "sagemaker:DescribeDomain", {"aws:SecureTransport": "false"}, "allow"),
    ("S3-Enforce-TLS-version", "s3:PutObject", {"s3:TlsVersion": "1.1"}, "explicit_deny"),
    ("S3-Enforce-TLS-version", "s3:PutObject", {"s3:TlsVersion": "1.3"}, "allow"),
    ("S3-Deny-SSE-C", "s3:PutObject", {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}, "explicit_deny"),
    ("S3-Deny-SSE-C", "s3:PutObject", {}, "allow"),
    ("Deny-built-in-web-identity", "sts:AssumeRoleWithWebIdentity", {"aws:FederatedProvider": "accounts.google.com"}, "explicit_deny"),
    ("Deny-built-in-web-identity", "sts:AssumeRoleWithWebIdentity", {"aws:FederatedProvider": "token.actions.githubusercontent.com"}, "allow"),
    ("KMS-Deny-the-accidental", "kms:ScheduleKeyDeletion", {"aws:PrincipalArn": ROLE}, "explicit_deny"),
    ("KMS-Deny-the-accidental", "kms:Decrypt", {"aws:PrincipalArn": ROLE}, "allow"),
    ("KMS-Deny-the-accidental", "kms:ScheduleKeyDeletion", {"aws:PrincipalArn": ADMIN}, "allow"),
]


@pytest.mark.parametrize("part,action,ctx,expected", RCP_TABLE)
def test_aws_rcp_examples_decide_through_simulate(part, action, ctx, expected):
    out = run_case(_case(rcps=_rcp_level(_example("rcp", part)), action=action, ctx=ctx))
    assert out["decision"] == expected, out
    if expected == "explicit_deny":
        assert out["statements"][0]["policy"] == "rcp"


def test_an_rcp_deny_with_principal_star_denies():
    """The issue's finding: an RCP Deny carrying ``"Principal": "*"`` was ``unknown``."""
    deny = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
    }
    assert run_case(_case(rcps=[deny]))["decision"] == "explicit_deny"
    assert run_case(_case(rcps=[RCP_FULL, deny], action="sqs:SendMessage"))["decision"] == "allow"


RCP_REFUSED = [
    ({"NotPrincipal": {"AWS": ROLE}}, "'NotPrincipal' is not allowed in an RCP"),
    ({"Principal": {"AWS": "*"}}, "'Principal' of an RCP must be \"*\""),
    ({"Principal": {"AWS": ROLE}}, "'Principal' of an RCP must be \"*\""),
    ({"Action": None, "NotAction": "s3:GetObject"}, "'NotAction' is not allowed in an RCP"),
    ({"Action": "sagemaker:DescribeDomain"}, "RCPs apply only to the services"),
    ({"Action": ["s3:GetObject", "ec2:*"]}, "RCPs apply only to the services"),
    ({"Action": "s*:GetObject"}, "RCPs apply only to the services"),
]


@pytest.mark.parametrize("change,message", RCP_REFUSED)
def test_the_rcp_grammar_refuses(change, message):
    st = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    st.update(change)
    st = {k: v for k, v in st.items() if v is not None}
    with pytest.raises(PolicyError, match=message):
        parse_policy({"Version": "2012-10-17", "Statement": [st]}, "r", kind="rcp")
    out = run_case(_case(rcps=[{"Version": "2012-10-17", "Statement": [st]}]))
    assert out["decision"] == "unknown" and "malformed case" in out["reason"]


def test_rcp_version_must_be_2012():
    st = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    for doc in ({"Statement": [st]}, {"Version": "2008-10-17", "Statement": [st]}):
        with pytest.raises(PolicyError, match="'Version' of an RCP must be '2012-10-17'"):
            parse_policy(doc, "r", kind="rcp")


def test_rcp_readings_principal_absent_and_allow():
    """Readings (policy.py docstring): a statement without Principal reads as "*"; Allow
    statements are evaluated as written (every RCP level must allow)."""
    s3_only = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    assert run_case(_case(rcps=[s3_only]))["decision"] == "allow"
    out = run_case(_case(rcps=[s3_only], action="sqs:SendMessage"))
    assert out["decision"] == "implicit_deny" and "RCPs" in out["reason"]


def test_every_rcp_service_is_one_aws_examples_use():
    used = set()
    for path in RCPS:
        for st in parse_policy(json.loads(path.read_text()), "x", kind="rcp").statements:
            used.update(a.split(":")[0].lower() for a in st.actions if a != "*")
    assert used <= RCP_SERVICES
    assert RCP_SERVICES - used <= {"sqs"} or not RCP_SERVICES - used


SCP_TABLE = [
    ("Deny-member-accounts-from-leaving", "organizations:LeaveOrganization", {}, "explicit_deny"),
    ("Deny-member-accounts-from-leaving", "organizations:DescribeOrganization", {}, "allow"),
    # NotAction + StringNotEquals on aws:RequestedRegion (+ ArnNotLike on a placeholder ARN)
    ("requested-AWS-region.json", "sagemaker:CreateDomain", {"aws:RequestedRegion": "us-east-1", "aws:PrincipalArn": ROLE}, "explicit_deny"),
    ("requested-AWS-region.json", "sagemaker:CreateDomain", {"aws:RequestedRegion": "eu-west-1", "aws:PrincipalArn": ROLE}, "allow"),
    ("requested-AWS-region.json", "iam:CreateRole", {"aws:RequestedRegion": "us-east-1", "aws:PrincipalArn": ROLE}, "allow"),
    ("requested-AWS-region.json", "sagemaker:CreateDomain", {"aws:RequestedRegion": "us-east-1", "aws:PrincipalArn": ADMIN}, "allow"),
]


@pytest.mark.parametrize("part,action,ctx,expected", SCP_TABLE)
def test_aws_scp_examples_decide_through_simulate(part, action, ctx, expected):
    full = {"name": "FullAWSAccess", "document": ALLOW_ALL}  # attached at every level
    scps = [[full], [full, {"name": "scp", "document": _example("scp", part)}]]
    out = run_case(_case(scps=scps, action=action, resource="*", ctx=ctx))
    assert out["decision"] == expected, out


@pytest.mark.parametrize("field", ["Principal", "NotPrincipal"])
def test_the_scp_grammar_refuses_principals(field):
    st = {"Effect": "Deny", field: "*", "Action": "s3:*", "Resource": "*"}
    with pytest.raises(PolicyError, match=f"'{field}' is not allowed in an SCP"):
        parse_policy({"Version": "2012-10-17", "Statement": [st]}, "s", kind="scp")
    out = run_case(_case(scps=[{"Version": "2012-10-17", "Statement": [st]}]))
    assert out["decision"] == "unknown" and "not allowed in an SCP" in out["reason"]
