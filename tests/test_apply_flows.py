"""Apply refuses to break Studio flows that work now (issue 16), on the local AWS (moto IAM + the
demo's Studio plugin): a role whose current isolation policy allows more than a template would."""

from __future__ import annotations

import io
import json

import pytest

from sagemaker_isolation_ext.audit import AuditStore
from sagemaker_isolation_ext.aws import apply as A
from sagemaker_isolation_ext.aws.session import make_session
from sagemaker_isolation_ext.aws.target import resolve_context
from sagemaker_isolation_ext.sagemaker import policy_plan as P

ACCOUNT = "123456789012"
BROAD = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Everything", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
        {"Sid": "PassRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
    ],
}


def _cli(argv):
    from sagemaker_isolation_ext.cli import main

    out = io.StringIO()
    from contextlib import redirect_stderr

    err = io.StringIO()
    with redirect_stderr(err):
        code = main(argv, out=out)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def prod(demo_account, moto_server, tmp_path):
    """ml-prod whose isolation policy (the role's only SageMaker grant) was widened by an admin
    to sagemaker:* and iam:PassRole: today every flow works; the allow template, a new version
    of that policy, takes iam:PassRole away (training jobs and pipelines break)."""
    did = demo_account["domains"]["ml-prod"]["id"]
    ctx = resolve_context(domain_id=did, region="us-east-1", endpoint_url=moto_server)
    session = make_session(ctx)
    iam = session.client("iam", endpoint_url=moto_server)
    iso = f"arn:aws:iam::{ACCOUNT}:policy/StudioDomainResourceIsolationPolicy-{did}"
    iam.create_policy_version(PolicyArn=iso, PolicyDocument=json.dumps(BROAD), SetAsDefault=True)
    return ctx, session, iam, AuditStore(tmp_path / "audit"), iso


def _default_doc(iam, arn):
    pol = iam.get_policy(PolicyArn=arn)["Policy"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=pol["DefaultVersionId"])[
        "PolicyVersion"
    ]["Document"]


def test_plan_lists_the_flows_that_would_break(prod):
    ctx, session, iam, store, iso = prod
    plan = A.make_plan(ctx, "allow", session=session, validate=False)
    assert plan["experience"] == "classic" and plan["experience_source"] == "domain"
    (row,) = plan["flows_breaking"]
    assert row["role_name"] == "SageMakerProdExecutionRole"
    ids = [f["id"] for f in row["flows"]]
    # the new version replaces the widened one: iam:PassRole goes with it
    assert ids == ["studio.run-training-job", "studio.run-pipeline"]
    for f in row["flows"]:
        assert f["status_after"] == "breaks"
        assert f["breaks"][0]["action"] == "iam:PassRole"
        assert f["breaks"][0]["resource"].endswith("role/service-role/SageMakerProdExecutionRole")
    pending = P.unconfirmed_breaks(plan)
    assert [(f["role_name"], f["id"]) for f in pending] == [
        ("SageMakerProdExecutionRole", i) for i in ids
    ]
    with pytest.raises(A.FlowsWouldBreak) as info:
        A.apply_plan(plan, store, session=session, endpoint_url=ctx.endpoint_url)
    assert [f["id"] for f in info.value.flows] == ids
    # nothing written: no change record, the policy is the one in place
    assert store.list() == [] and _default_doc(iam, iso) == BROAD
    rec = A.apply_plan(plan, store, session=session, endpoint_url=ctx.endpoint_url, allow_break=ids)
    assert rec["status"] == "succeeded"
    assert _default_doc(iam, iso) != BROAD


def test_cli_refuses_with_exit_3_unless_each_flow_is_confirmed(prod, moto_server, tmp_path):
    ctx, session, iam, store, iso = prod
    did = ctx.domain_id
    common = [
        "--endpoint-url",
        moto_server,
        "--region",
        "us-east-1",
        "--audit-dir",
        str(store.path),
    ]
    code, text = _cli(["apply", "--domain-id", did, "--variant", "allow", *common])
    assert "studio.run-pipeline -> breaks (NOT confirmed)" in text
    assert "iam:PassRole on arn:aws:iam::123456789012:role/service-role/" in text
    assert "--allow-break studio.run-pipeline,studio.run-training-job" in text
    # --yes alone is not enough
    code, text = _cli(["apply", "--domain-id", did, "--variant", "allow", "--yes", *common])
    assert code == 3, text
    assert "would stop 2 Studio flow(s)" in text and store.list() == []
    # confirming one of the two is not enough
    code, text = _cli(
        [
            "apply",
            "--domain-id",
            did,
            "--variant",
            "allow",
            "--yes",
            "--allow-break",
            "studio.run-pipeline",
            *common,
        ]
    )
    assert code == 3 and "studio.run-training-job" in text and store.list() == []
    assert _default_doc(iam, iso) == BROAD
    # an unknown id is bad input
    code, text = _cli(
        ["apply", "--domain-id", did, "--allow-break", "studio.nope", "--yes", *common]
    )
    assert code == 3 and "unknown flow id" in text
    # a saved plan without the confirmation is refused too; with it, stored, it applies
    bare, confirmed = tmp_path / "bare.json", tmp_path / "confirmed.json"
    assert _cli(
        ["apply", "--domain-id", did, "--variant", "allow", "--plan-out", str(bare), *common]
    )[0] in (0, 1, 2)
    code, _ = _cli(["apply", "--plan", str(bare), "--yes", *common])
    assert code == 3 and store.list() == []
    _cli(
        [
            "apply",
            "--domain-id",
            did,
            "--variant",
            "allow",
            "--plan-out",
            str(confirmed),
            "--allow-break",
            "studio.run-pipeline,studio.run-training-job",
            *common,
        ]
    )
    saved = json.loads(confirmed.read_text())
    assert saved["allow_break"] == ["studio.run-pipeline", "studio.run-training-job"]
    code, out = _cli(["apply", "--plan", str(confirmed), "--yes", "--format", "json", *common])
    assert code in (0, 1), out
    assert json.loads(out)["status"] == "succeeded"
    assert _default_doc(iam, iso) != BROAD


def test_a_template_that_keeps_every_flow_applies_with_yes_alone(
    demo_account, moto_server, tmp_path
):
    """ml-secure (the new Studio, FullAccess + the studio deny template with the private-space
    guards): a new version without the guards takes no flow away; no confirmation needed."""
    did = demo_account["domains"]["ml-secure"]["id"]
    ctx = resolve_context(domain_id=did, region="us-east-1", endpoint_url=moto_server)
    session = make_session(ctx)
    plan = A.make_plan(ctx, "deny", session=session, validate=False)
    assert plan["experience"] == "studio" and plan["experience_source"] == "domain"
    assert plan["policy"]["action"] == "new-version"
    assert plan["flows_breaking"] == [] and P.unconfirmed_breaks(plan) == []
    rec = A.apply_plan(
        plan, AuditStore(tmp_path / "audit"), session=session, endpoint_url=ctx.endpoint_url
    )
    assert rec["status"] == "succeeded"
    # with the guards, the plan is the policy in place: nothing to do
    same = A.make_plan(ctx, "deny", session=session, validate=False, private_spaces=True)
    assert same["experience"] == "studio" and same["private_spaces"] is True
