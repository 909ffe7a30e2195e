"""AWS confirmation of witnesses with IAM's policy simulator (botocore Stubber; moto has none).

Stubber checks every request against botocore's IAM service model (parameter validation runs
before the stub answers) and ``expected_params`` pins what we send; ``assert_no_pending_responses``
proves every stubbed call happened, and an unexpected extra call fails.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from sagemaker_isolation_ext.aws import confirm as C
from sagemaker_isolation_ext.sagemaker.simulator_commands import principal_policy_request
from tests.witness_fixtures import (
    BOUNDARY,
    POLICY,
    ROLE,
    ROLE2,
    offline_snapshot,
    report,
    role_json,
    snapshot,
)


@pytest.fixture
def iam(aws_env):
    client = boto3.client("iam", region_name="us-east-1")
    with Stubber(client) as stub:
        client.stub = stub
        yield client
        stub.assert_no_pending_responses()


def _answer(action, resource, decision="allowed", *, org=None, boundary=None, missing=(),
            matched=True):
    res = {
        "EvalResourceName": resource,
        "EvalResourceDecision": decision,
        "MatchedStatements": (
            [{"SourcePolicyId": "LeakyStudio", "SourcePolicyType": "IAM Policy",
              "StartPosition": {"Line": 1, "Column": 38},
              "EndPosition": {"Line": 1, "Column": 120}}]
            if matched and decision == "allowed" else []
        ),
        "MissingContextValues": list(missing),
    }
    if boundary is not None:
        res["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": boundary}
    top = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision,
        "MatchedStatements": res["MatchedStatements"],
        "MissingContextValues": list(missing),
        "ResourceSpecificResults": [res],
    }
    if org is not None:
        top["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": org}
    return {"EvaluationResults": [top], "IsTruncated": False}


def _stub_sim(iam, w, role_arn=ROLE, **kw):
    iam.stub.add_response(
        "simulate_principal_policy",
        _answer(w["action"], w["resource"], **kw),
        principal_policy_request(w, policy_source_arn=role_arn),
    )


def _witnesses(rep):
    return [e["witness"] for r in rep["roles"] for e in r["cross_domain"]]


def test_all_allowed_are_confirmed(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint", "sagemaker:UpdateEndpoint"])])
    for w in _witnesses(rep):
        _stub_sim(iam, w)
    conf = C.confirm_report(rep, snapshot(), iam=iam)
    assert conf["status"] == "checked"
    counts = (conf["calls"], conf["confirmed"], conf["disagreed"], conf["not_checked"])
    assert counts == (2, 2, 0, 0)
    for w in _witnesses(rep):
        assert w["aws"]["decision"] == "allowed" and w["aws"]["agrees"] is True
        assert w["aws"]["matched"] == [
            {"policy_id": "LeakyStudio", "policy_type": "IAM Policy", "line": 1, "column": 38}
        ]
        assert w["aws"]["checked_at"].endswith("Z")
        assert "cause" not in w["aws"]
        assert w["simulator_command"].startswith("aws iam simulate-principal-policy")


def test_scp_denial_is_what_aws_knows(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    (w,) = _witnesses(rep)
    _stub_sim(iam, w, decision="explicitDeny", org=False)
    conf = C.confirm_report(rep, snapshot(), iam=iam)
    assert conf["disagreed"] == 1 and conf["confirmed"] == 0
    assert w["aws"]["decision"] == "explicitDeny" and w["aws"]["agrees"] is False
    assert w["aws"]["cause"] == "scp-or-boundary"
    assert "service control policy" in w["aws"]["cause_text"]


def test_boundary_the_snapshot_lacks(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    (w,) = _witnesses(rep)
    _stub_sim(iam, w, decision="implicitDeny", boundary=False)
    C.confirm_report(rep, snapshot(), iam=iam)
    assert w["aws"]["cause"] == "scp-or-boundary"
    assert "permissions boundary" in w["aws"]["cause_text"]


def test_missing_context(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    (w,) = _witnesses(rep)
    _stub_sim(iam, w, decision="implicitDeny", missing=["aws:SourceVpc"])
    C.confirm_report(rep, snapshot(), iam=iam)
    assert w["aws"]["cause"] == "missing-context"
    assert w["aws"]["missing_context"] == ["aws:SourceVpc"]


def _stub_reread(iam, version="v1", attached=(POLICY,), boundary=None, inline=()):
    role = {"Path": "/", "RoleName": "StudioExec", "RoleId": "AROAEXAMPLEEXAMPLE001",
            "Arn": ROLE, "CreateDate": "2026-01-01T00:00:00Z", "AssumeRolePolicyDocument": "{}"}
    if boundary:
        role["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                       "PermissionsBoundaryArn": boundary}
    iam.stub.add_response("get_role", {"Role": role}, {"RoleName": "StudioExec"})
    iam.stub.add_response(
        "list_attached_role_policies",
        {"AttachedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a}
                              for a in attached], "IsTruncated": False},
        {"RoleName": "StudioExec"},
    )
    for a in attached:
        iam.stub.add_response(
            "get_policy",
            {"Policy": {"PolicyName": a.rsplit("/", 1)[-1], "Arn": a, "DefaultVersionId": version}},
            {"PolicyArn": a},
        )
    iam.stub.add_response(
        "list_role_policies", {"PolicyNames": list(inline), "IsTruncated": False},
        {"RoleName": "StudioExec"},
    )
    for pname, doc in dict(inline).items():
        iam.stub.add_response(
            "get_role_policy",
            {"RoleName": "StudioExec", "PolicyName": pname, "PolicyDocument": json.dumps(doc)},
            {"RoleName": "StudioExec", "PolicyName": pname},
        )


def test_policies_changed_since_the_snapshot(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    (w,) = _witnesses(rep)
    _stub_sim(iam, w, decision="implicitDeny")
    _stub_reread(iam, version="v2")
    C.confirm_report(rep, snapshot(), iam=iam)
    assert w["aws"]["cause"] == "policies-changed"
    assert "default version was v1, is now v2" in w["aws"]["cause_text"]


def test_boundary_added_since_the_snapshot_counts_as_changed_or_scp(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    (w,) = _witnesses(rep)
    # The simulator reports the boundary's denial: the snapshot had none -> scp-or-boundary.
    _stub_sim(iam, w, decision="implicitDeny", boundary=False)
    C.confirm_report(rep, snapshot(), iam=iam)
    assert w["aws"]["cause"] == "scp-or-boundary"


def test_inline_policy_edited_since_the_snapshot(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    (w,) = _witnesses(rep)
    _stub_sim(iam, w, decision="implicitDeny")
    before = {"Version": "2012-10-17", "Statement": []}
    after = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*",
                                                     "Resource": "*"}]}
    _stub_reread(iam, version="v1", inline={"Extra": after})
    snap = snapshot({ROLE: {"inline_policies": [{"name": "Extra", "document": before}]}})
    C.confirm_report(rep, snap, iam=iam)
    assert w["aws"]["cause"] == "policies-changed"
    assert "inline policy Extra was edited" in w["aws"]["cause_text"]


def test_other_is_a_product_bug(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    (w,) = _witnesses(rep)
    _stub_sim(iam, w, decision="implicitDeny")
    _stub_reread(iam, version="v1")
    conf = C.confirm_report(rep, snapshot(), iam=iam)
    assert w["aws"]["cause"] == "other"
    assert "product bug" in w["aws"]["cause_text"]
    assert conf["status"] == "checked" and conf["disagreed"] == 1


def test_boundary_in_snapshot_denying_is_not_blamed_on_a_missing_boundary(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    (w,) = _witnesses(rep)
    _stub_sim(iam, w, decision="implicitDeny", boundary=False)
    _stub_reread(iam, version="v1", boundary=BOUNDARY)
    snap = snapshot(boundary=BOUNDARY)
    # iam:GetPolicy of the boundary is not re-read (only attached policies' versions are).
    C.confirm_report(rep, snap, iam=iam)
    assert w["aws"]["cause"] == "other"


def test_no_permission_says_so_once_and_stops(iam):
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint", "sagemaker:UpdateEndpoint"])])
    iam.stub.add_client_error(
        "simulate_principal_policy", service_error_code="AccessDenied",
        service_message="User: arn:aws:sts::111122223333:assumed-role/StudioExec/x is not "
        "authorized to perform: iam:SimulatePrincipalPolicy", http_status_code=403,
    )
    conf = C.confirm_report(rep, snapshot(), iam=iam)  # a second call would fail the stubber
    assert conf["status"] == "not-allowed"
    assert conf["calls"] == 1 and conf["not_checked"] == 2
    assert "may not use IAM's policy simulator" in conf["note"]
    assert conf["commands"] == [w["simulator_command"] for w in _witnesses(rep)]
    assert all("aws" not in w for w in _witnesses(rep))


def test_budget_per_policy_set_shared_by_roles_with_the_same_policies(iam):
    # Two roles with the same policies = one policy set: 20 calls in all, not 2 x 20.
    r1 = role_json(ROLE, [f"sagemaker:Act{i}" for i in range(15)])
    r2 = role_json(ROLE2, [f"sagemaker:Act{i}" for i in range(15)], name="StudioExecTwo")
    rep = report([r1, r2])
    ws = _witnesses(rep)
    for w in ws[:15]:
        _stub_sim(iam, w, role_arn=ROLE)
    for w in ws[15:20]:
        _stub_sim(iam, w, role_arn=ROLE2)
    conf = C.confirm_report(rep, snapshot({ROLE: {}, ROLE2: {}}), iam=iam)
    assert conf["status"] == "partial" and conf["calls"] == 20
    assert conf["not_checked"] == 10
    assert "20 simulator calls per distinct policy set" in conf["note"]
    assert sum("aws" in w for w in ws) == 20


def test_budget_per_report(iam):
    # Six roles with different policies (six sets) x 20 witnesses: 100 calls, not 120.
    roles, snaps = [], {}
    for k in range(6):
        arn = f"arn:aws:iam::111122223333:role/R{k}"
        roles.append(role_json(arn, [f"sagemaker:Act{i}" for i in range(20)], name=f"R{k}"))
        snaps[arn] = {"attached_policies": [f"arn:aws:iam::111122223333:policy/P{k}"]}
    rep = report(roles)
    ws = [(r["arn"], e["witness"]) for r in rep["roles"] for e in r["cross_domain"]]
    for arn, w in ws[:100]:
        _stub_sim(iam, w, role_arn=arn)
    conf = C.confirm_report(rep, snapshot(snaps), iam=iam)
    assert conf["calls"] == 100 and conf["status"] == "partial"
    assert conf["not_checked"] == 20
    assert "100 simulator calls per report" in conf["note"]


def test_leaking_entries_are_checked_before_accepted_ones(iam):
    rep = report([role_json(ROLE, ["sagemaker:DescribeAction", "sagemaker:DeleteEndpoint"])])
    role = rep["roles"][0]
    role["cross_domain"][0]["accepted"] = True
    leaking = role["cross_domain"][1]["witness"]
    _stub_sim(iam, leaking)
    C.confirm_report(rep, snapshot(), iam=iam, per_policy_set=1)
    assert "aws" in leaking and "aws" not in role["cross_domain"][0]["witness"]


class _FakeIam:
    """A client whose simulator call raises ``exc`` (what Stubber cannot: client-side errors)."""

    def __init__(self, exc):
        self.exc, self.calls = exc, 0

    def simulate_principal_policy(self, **params):
        self.calls += 1
        raise self.exc


def test_timeout_on_first_call_is_unavailable_without_retry_storm():
    rep = report([role_json(ROLE, [f"sagemaker:Act{i}" for i in range(30)])])
    fake = _FakeIam(ReadTimeoutError(endpoint_url="https://iam.amazonaws.com/"))
    conf = C.confirm_report(rep, snapshot(), iam=fake)
    assert fake.calls == 1
    assert conf["status"] == "unavailable" and "did not answer in time" in conf["note"]


def test_deadline_stops_the_confirmation(iam):
    rep = report([role_json(ROLE, ["sagemaker:A", "sagemaker:B", "sagemaker:C"])])
    ws = _witnesses(rep)
    _stub_sim(iam, ws[0])
    ticks = iter([0.0, 0.0, 100.0])  # start, before call 1, before call 2 (past the deadline)
    conf = C.confirm_report(rep, snapshot(), iam=iam, deadline=60, clock=lambda: next(ticks))
    assert conf["status"] == "partial" and conf["calls"] == 1
    assert "60 s time limit" in conf["note"]


def test_moto_in_process_not_implemented_is_quiet():
    rep = report([role_json(ROLE, ["sagemaker:A", "sagemaker:B"])])
    fake = _FakeIam(NotImplementedError("The simulate_principal_policy action has not been"))
    conf = C.confirm_report(rep, snapshot(), iam=fake)
    assert fake.calls == 1 and conf["status"] == "unavailable"
    assert "does not implement the policy simulator" in conf["note"]


def test_local_aws_answers_not_implemented(moto_server, aws_env, capfd):
    """The demo's moto answers the simulator with a clean NotImplemented: one call, no
    traceback, no retries."""
    client = boto3.client("iam", region_name="us-east-1", endpoint_url=moto_server)
    rep = report([role_json(ROLE, ["sagemaker:A", "sagemaker:B"])])
    conf = C.confirm_report(rep, snapshot(), iam=client)
    assert conf["status"] == "unavailable" and conf["calls"] == 1
    assert "Traceback" not in "".join(capfd.readouterr())


def test_offline_and_off_and_saved_snapshots_make_no_call():
    never = _FakeIam(AssertionError("no AWS call expected"))
    off = report([role_json(None, ["sagemaker:A"], name="policy-files")])
    conf = C.confirm_report(off, offline_snapshot(), iam=never)
    assert conf["status"] == "offline" and never.calls == 0
    assert "simulate-custom-policy" in off["roles"][0]["cross_domain"][0]["witness"][
        "simulator_command"]
    for snap, status in ((snapshot(), "off"), (snapshot(source="fixture"), "not-live")):
        rep = report([role_json(ROLE, ["sagemaker:A"])])
        conf = C.confirm_report(rep, snap, iam=never, enabled=status != "off")
        assert conf["status"] == status and never.calls == 0
        assert "simulate-principal-policy" in rep["roles"][0]["cross_domain"][0]["witness"][
            "simulator_command"]
