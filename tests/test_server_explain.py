"""``POST /sagemaker-isolation/explain`` via pytest-jupyter's ``jp_fetch`` against a real
in-process Jupyter server; live evidence from moto's in-process ``mock_aws`` (it reaches the
handler's thread: same process)."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from tornado.httpclient import HTTPClientError

from sagemaker_isolation_ext.sagemaker.templates import render

pytest_plugins = ("pytest_jupyter.jupyter_server",)

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
D = "d-research0001"
DARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{D}"
ODARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/d-prod0001"
PRINCIPAL = f"arn:aws:sts::{ACCOUNT}:assumed-role/StudioRole/SageMaker"
BOUNDARY_MSG = (
    f"AccessDeniedException: User: {PRINCIPAL} is not authorized to perform: sagemaker:AddTags "
    f"on resource: arn:aws:sagemaker:{REGION}:{ACCOUNT}:space/{D}/LLM-Project because no "
    "permissions boundary allows the sagemaker:AddTags action"
)


@pytest.fixture
def jp_server_config(tmp_path):
    return {
        "ServerApp": {
            "jpserver_extensions": {"sagemaker_isolation_ext": True,
                                    "jupyter_server_terminals": False},
            "allow_unauthenticated_access": False,
        },
        "SageMakerIsolationApp": {"domain_id": D, "region": REGION,
                                  "metadata_path": str(tmp_path / "absent.json")},
    }


async def post(jp_fetch, body):
    response = await jp_fetch("sagemaker-isolation", "explain", method="POST",
                              body=body if isinstance(body, (str, bytes)) else json.dumps(body))
    return response.code, json.loads(response.body)


async def expect_error(jp_fetch, body, status=400) -> dict:
    with pytest.raises(HTTPClientError) as info:
        await post(jp_fetch, body)
    assert info.value.code == status
    err = json.loads(info.value.response.body)
    assert set(err) == {"message", "reason"} and err["message"] and err["reason"]
    assert "Traceback" not in err["message"]
    return err


async def test_offline_explain(jp_fetch, aws_env):
    code, body = await post(jp_fetch, {"message": BOUNDARY_MSG, "offline": True})
    assert code == 200
    assert body["reason"] == "implicit_deny_boundary" and body["policy_type"] == "boundary"
    assert body["action"] == "sagemaker:AddTags"
    assert body["causes"][0]["id"] == "tag-on-create-blocked-boundary"
    assert body["mode"] == "offline"
    assert body["context"]["domain_id"] == D  # from the server's config trait


async def test_not_an_authorization_error(jp_fetch, aws_env):
    code, body = await post(jp_fetch, {"message": "TypeError: 'NoneType' object", "offline": True})
    assert code == 200
    assert body["reason"] is None
    assert [c["id"] for c in body["causes"]] == ["not-an-authorization-error"]


async def test_live_evidence_through_the_route(jp_fetch, aws_env):
    with mock_aws():
        iam = boto3.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"Service": "sagemaker.amazonaws.com"}}]}
        iam.create_role(RoleName="StudioRole", AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName="StudioRole", PolicyName="isolation",
                            PolicyDocument=json.dumps(render(DARN, "allow")))
        sm = boto3.client("sagemaker", region_name=REGION)
        model = sm.create_model(
            ModelName="prod-model", ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/StudioRole",
            PrimaryContainer={"Image": "img"},
            Tags=[{"Key": "sagemaker:domain-arn", "Value": ODARN}])["ModelArn"]
        msg = (f"User: {PRINCIPAL} is not authorized to perform: sagemaker:DescribeModel on "
               f"resource: {model} because no identity-based policy allows the "
               "sagemaker:DescribeModel action")
        code, body = await post(jp_fetch, {"message": msg})
    assert code == 200
    assert body["mode"] == "live"
    top = body["causes"][0]
    assert top["id"] == "isolation-other-domain" and top["confidence"] == "confirmed"
    assert "d-prod0001" in top["title"]
    assert body["evaluation"]["identity"]["decision"] == "implicit_deny"


@pytest.mark.parametrize(
    "body, needle",
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": 42}, "message"),
        ({"message": "x", "offline": "yes"}, "offline"),
        ({"message": "x", "colour": "red"}, "colour"),
        ({"message": "x", "domain_id": "not-a-domain"}, "domain_id"),
        ({"message": "x", "region": "moon-1"}, "region"),
    ],
)
async def test_bad_input_is_400(jp_fetch, aws_env, body, needle):
    err = await expect_error(jp_fetch, body)
    assert needle in err["message"]


async def test_body_size_is_limited(jp_fetch, aws_env):
    from sagemaker_isolation_ext.server.explain_routes import MAX_EXPLAIN_BODY_BYTES

    big = json.dumps({"message": "x" * (MAX_EXPLAIN_BODY_BYTES + 10), "offline": True})
    err = await expect_error(jp_fetch, big, status=413)
    assert str(MAX_EXPLAIN_BODY_BYTES) in err["message"]


async def test_long_message_within_limit_is_cut_and_says_so(jp_fetch, aws_env):
    msg = BOUNDARY_MSG + " " + "y" * 70000
    code, body = await post(jp_fetch, {"message": msg, "offline": True})
    assert code == 200 and body["truncated"] is True
    assert body["causes"][0]["id"] == "tag-on-create-blocked-boundary"


async def test_unauthenticated_is_refused(jp_fetch, aws_env):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("sagemaker-isolation", "explain", method="POST",
                       body=json.dumps({"message": "x"}), headers={"Authorization": "token nope"})
    assert info.value.code in (401, 403)
