"""Live evidence for the explainer: moto (in-process ``mock_aws``) supplies the resource's tags
and the principal's role policies; botocore ``before-call`` hooks on the Session (the same
injection the collector tests use) supply what moto lacks (ListTags on a missing resource, a
denied ListTags, an unreachable endpoint)."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from moto import mock_aws

from sagemaker_isolation_ext.aws.evidence import explain_text, gather_evidence
from sagemaker_isolation_ext.aws.target import ContextError
from sagemaker_isolation_ext.sagemaker.access_denied import parse_message
from sagemaker_isolation_ext.sagemaker.templates import render

ACCOUNT = "123456789012"
REGION = "us-east-1"
D = "d-abc123def456"
OTHER = "d-other0domain1"
DARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{D}"
ODARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{OTHER}"
ROLE = "AliceStudioRole"
PRINCIPAL = f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/SageMaker"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


class _Http:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict = {}
        self.content = b""
        self.text = ""


def error_hook(code: str, message: str = "injected", status: int = 400):
    def hook(**kwargs):
        return _Http(status), {"Error": {"Code": code, "Message": message},
                               "ResponseMetadata": {"HTTPStatusCode": status}}
    return hook


def session_with(hooks: dict | None = None) -> boto3.Session:
    s = boto3.Session(region_name=REGION)
    for event, fn in (hooks or {}).items():
        s.events.register(event, fn)
    return s


@pytest.fixture
def aws(aws_env):
    with mock_aws():
        yield {"iam": boto3.client("iam"), "sm": boto3.client("sagemaker", region_name=REGION)}


def make_role(iam, inline: dict[str, dict], attached: dict[str, dict] | None = None,
              boundary: dict | None = None) -> str:
    kwargs = {}
    if boundary is not None:
        b = iam.create_policy(PolicyName="Boundary", PolicyDocument=json.dumps(boundary))
        kwargs["PermissionsBoundary"] = b["Policy"]["Arn"]
    arn = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST, **kwargs)["Role"]["Arn"]
    for name, doc in inline.items():
        iam.put_role_policy(RoleName=ROLE, PolicyName=name, PolicyDocument=json.dumps(doc))
    for name, doc in (attached or {}).items():
        p = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(doc))
        iam.attach_role_policy(RoleName=ROLE, PolicyArn=p["Policy"]["Arn"])
    return arn


def make_model(aws, name: str, tags: dict[str, str]) -> str:
    role = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
    return aws["sm"].create_model(
        ModelName=name, ExecutionRoleArn=role, PrimaryContainer={"Image": "img"},
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )["ModelArn"]


def denial(action: str, resource: str, operation: str | None = None,
           clause: str = "because no identity-based policy allows the {a} action") -> str:
    wrapper = (f"An error occurred (AccessDeniedException) when calling the {operation} "
               "operation: " if operation else "")
    return (f"{wrapper}User: {PRINCIPAL} is not authorized to perform: {action} on resource: "
            f"{resource} " + clause.format(a=action))


def run(message: str, session=None, **kw) -> dict:
    return explain_text(message, domain_id=D, region=REGION, metadata_path=None, environ={},
                        session=session or session_with(), **kw)


ISOLATION = render(DARN, "allow")  # the AWS doc's policy for this domain


def test_other_domain_tag_confirms_isolation(aws):
    make_role(aws["iam"], {"isolation": ISOLATION})
    arn = make_model(aws, "their-model", {"sagemaker:domain-arn": ODARN})
    result = run(denial("sagemaker:DescribeModel", arn, "DescribeModel"))
    top = result["causes"][0]
    assert top["id"] == "isolation-other-domain" and top["confidence"] == "confirmed"
    assert OTHER in top["title"]
    assert result["mode"] == "live"
    assert result["evaluation"]["identity"]["decision"] == "implicit_deny"
    checked = {c["check"]: c["result"] for c in top["evidence"]["checked"]}
    assert ODARN in checked["resource-tags"]
    assert "principal-policies" in checked
    ops = [c["operation"] for c in result["live"]["calls"]]
    assert "sagemaker:ListTags" in ops and "sts:GetCallerIdentity" in ops


def test_own_domain_tag_means_propagation_delay(aws):
    make_role(aws["iam"], {"isolation": ISOLATION})
    arn = make_model(aws, "our-model", {"sagemaker:domain-arn": DARN})
    result = run(denial("sagemaker:DescribeModel", arn))
    assert result["causes"][0]["id"] == "tag-propagation-delay"
    # the engine agrees the isolation policy allows it now
    assert result["evaluation"]["identity"]["decision"] == "allow"


def test_untagged_resource(aws):
    make_role(aws["iam"], {"isolation": ISOLATION})
    arn = make_model(aws, "old-model", {"project": "legacy"})
    result = run(denial("sagemaker:DescribeModel", arn))
    top = result["causes"][0]
    assert top["id"] == "resource-untagged" and top["evidence"]["facts"]["tags"] == {
        "project": "legacy"}


def test_missing_resource_is_describe_before_create(aws):
    make_role(aws["iam"], {"isolation": ISOLATION})
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/not-yet"
    s = session_with({"before-call.sagemaker.ListTags": error_hook(
        "ValidationException", f"Resource {arn} does not exist.")})
    result = run(denial("sagemaker:DescribeModel", arn), session=s)
    assert result["causes"][0]["id"] == "describe-before-create"


def test_listtags_denied_is_reported_not_checked(aws):
    make_role(aws["iam"], {"isolation": ISOLATION})
    arn = make_model(aws, "m", {"sagemaker:domain-arn": ODARN})
    s = session_with({"before-call.sagemaker.ListTags": error_hook(
        "AccessDeniedException", "not allowed to list tags")})
    result = run(denial("sagemaker:DescribeModel", arn), session=s)
    iso = next(c for c in result["causes"] if c["id"] == "isolation-other-domain")
    assert iso["confidence"] == "possible"  # never claimed without the tag
    nc = {n["check"]: n["why"] for n in iso["evidence"]["not_checked"]}
    assert "ListTags was denied" in nc["resource-tags"]


def test_tag_on_create_blocked_by_boundary_read_from_iam(aws):
    tag_on_create = {"Version": "2012-10-17", "Statement": [{
        "Sid": "TagOnCreate", "Effect": "Allow", "Action": "sagemaker:AddTags",
        "Resource": "arn:aws:sagemaker:*:*:*/*",
        "Condition": {"Null": {"sagemaker:TaggingAction": "false"}}}]}
    spaces = {"Version": "2012-10-17", "Statement": [{
        "Sid": "Spaces", "Effect": "Allow", "Action": "sagemaker:*Space*", "Resource": "*"}]}
    make_role(aws["iam"], {"spaces": spaces}, attached={"TagOnCreate": tag_on_create},
              boundary=spaces)
    space = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:space/{D}/new-space"
    msg = denial("sagemaker:AddTags", space, "CreateSpace",
                 "because no permissions boundary allows the {a} action")
    result = run(msg)
    top = result["causes"][0]
    assert top["id"] == "tag-on-create-blocked-boundary" and top["confidence"] == "confirmed"
    ev = result["evaluation"]
    assert ev["identity"]["decision"] == "allow"
    assert ev["identity"]["statements"][0]["sid"] == "TagOnCreate"
    assert ev["boundary"]["decision"] == "implicit_deny"
    # ListTags is not called for a resource that is being created? It is (read-only), and
    # moto answers for the missing space with an error that is recorded, not raised.
    assert result["live"]["mode"] == "live"


def test_tag_on_create_blocked_identity_read_from_iam(aws):
    spaces = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sagemaker:*Space*", "Resource": "*"}]}
    make_role(aws["iam"], {"spaces": spaces})
    space = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:space/{D}/new-space"
    result = run(denial("sagemaker:AddTags", space, "CreateSpace"))
    top = result["causes"][0]
    assert top["id"] == "tag-on-create-blocked-identity" and top["confidence"] == "confirmed"
    assert result["evaluation"]["context"]["sagemaker:TaggingAction"] == "CreateSpace"


def test_explicit_deny_found_in_attached_policy(aws):
    deny = {"Version": "2012-10-17", "Statement": [{
        "Sid": "NoGpu", "Effect": "Deny", "Action": "sagemaker:CreateTrainingJob",
        "Resource": "*"}]}
    make_role(aws["iam"], {}, attached={"DenyGpu": deny})
    tj = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/j1"
    result = run(denial("sagemaker:CreateTrainingJob", tj, clause="with an explicit deny"))
    top = result["causes"][0]
    assert top["id"] == "explicit-deny-identity" and top["confidence"] == "confirmed"
    assert "DenyGpu (Sid NoGpu)" in top["detail"]


def test_pass_role_with_live_policies(aws):
    make_role(aws["iam"], {"isolation": ISOLATION})
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
    result = run(denial("iam:PassRole", role_arn, "CreateProject"))
    assert result["causes"][0]["id"] == "pass-role"
    assert result["evaluation"]["identity"]["decision"] == "implicit_deny"


def test_role_not_found_is_reported(aws):
    arn = make_model(aws, "m", {})
    result = run(denial("sagemaker:DescribeModel", arn))
    pp_nc = [n for c in result["causes"][:1] for n in c["evidence"]["not_checked"]
             if n["check"] == "principal-policies"]
    assert pp_nc and "not found" in pp_nc[0]["why"]
    assert result["evaluation"] is None


def test_role_read_denied(aws):
    make_role(aws["iam"], {"isolation": ISOLATION})
    arn = make_model(aws, "m", {})
    deny = error_hook("AccessDenied", "User is not authorized to perform: iam:GetRole")
    s = session_with({"before-call.iam.GetRole": deny,
                      "before-call.iam.ListAttachedRolePolicies": deny,
                      "before-call.iam.ListRolePolicies": deny})
    ev = gather_evidence(parse_message(denial("sagemaker:DescribeModel", arn)), session=s,
                         region=REGION)
    assert ev["principal_policies"]["status"] == "denied"
    assert "iam:GetRole" in ev["principal_policies"]["why"]
    assert ev["resource_tags"]["status"] == "ok"


def test_user_principal_is_not_read(aws):
    msg = (f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: "
           "sagemaker:ListModels because no identity-based policy allows the "
           "sagemaker:ListModels action")
    ev = gather_evidence(parse_message(msg), session=session_with(), region=REGION)
    assert ev["principal_policies"]["status"] == "skipped"
    assert "IAM user" in ev["principal_policies"]["why"]
    assert ev["resource_tags"]["status"] == "skipped"


def test_offline_makes_no_call(aws):
    calls = []
    s = session_with({"before-call": lambda **kw: calls.append(kw.get("event_name"))})
    result = run(denial("sagemaker:DescribeModel",
                        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/m"), session=s, offline=True)
    assert calls == []
    assert result["mode"] == "offline"
    nc = result["causes"][0]["evidence"]["not_checked"]
    assert any(n["check"] == "live-evidence" and "--offline" in n["why"] for n in nc)
    assert result["context"]["domain_id"] == D


def test_no_credentials_explains_from_message(aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = explain_text(denial("sagemaker:DescribeModel",
                                 f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/m"),
                          domain_id=D, region=REGION, metadata_path=None, environ={})
    assert result["mode"] == "offline"
    assert "credentials" in result["live"]["why"]
    assert result["causes"]


def test_unreachable_endpoint_is_quick_and_offline(aws_env):
    s = session_with({"before-call.sts.GetCallerIdentity": lambda **kw: (_ for _ in ()).throw(
        EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))})
    t0 = time.monotonic()
    result = run(denial("sagemaker:DescribeModel",
                        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/m"), session=s)
    assert time.monotonic() - t0 < 5
    assert result["mode"] == "offline" and "not reachable" in result["live"]["why"]


def test_real_closed_port_is_quick(aws_env):
    t0 = time.monotonic()
    result = run(denial("sagemaker:DescribeModel",
                        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/m"),
                 endpoint_url="http://127.0.0.1:9")
    assert time.monotonic() - t0 < 20
    assert result["mode"] == "offline"


def test_bad_domain_id_is_a_clear_error(aws_env):
    with pytest.raises(ContextError) as e:
        explain_text("x", domain_id="not a domain", region=REGION, metadata_path=None,
                     environ={})
    assert e.value.reason == "bad-domain-id"


def test_no_domain_known_still_explains(aws):
    arn = make_model(aws, "m", {"sagemaker:domain-arn": ODARN})
    result = explain_text(denial("sagemaker:DescribeModel", arn), region=REGION,
                          metadata_path=None, environ={}, session=session_with())
    assert result["context"]["domain_id"] is None
    # with the tag read but no current domain, isolation is not confirmed
    iso = next(c for c in result["causes"] if c["id"] == "isolation-other-domain")
    assert iso["confidence"] != "confirmed"


# ---- the notebook function -------------------------------------------------------------------

from sagemaker_isolation_ext.notebook.explain import Explanation, explain_access_denied  # noqa: E402

EVIL = ("User: arn:aws:sts::1:assumed-role/<img/src=x/onerror=alert(1)>/s is not authorized "
        "to perform: sagemaker:AddTags on resource: "
        "arn:aws:sagemaker:us-east-1:1:space/d-abc123def456/<script>x</script> "
        "because no identity-based policy allows the sagemaker:AddTags action")


def test_notebook_offline_html_is_escaped(aws_env):
    exp = explain_access_denied(EVIL, offline=True, domain_id=D, region=REGION,
                                metadata_path=None, environ={})
    assert isinstance(exp, Explanation)
    html_out = exp._repr_html_()
    assert "<script>" not in html_out and "<img" not in html_out
    assert "&lt;script&gt;" in html_out and "&lt;img/src=x" in html_out
    assert exp.top_cause["id"] == "tag-on-create-blocked-identity"
    assert exp.to_json()["causes"][0]["id"] == "tag-on-create-blocked-identity"
    assert json.loads(json.dumps(exp.to_json())) == exp.to_json()


def test_notebook_text_and_pretty(aws_env):
    exp = explain_access_denied(EVIL, offline=True, region=REGION, metadata_path=None,
                                environ={})
    text = str(exp)
    assert "tag-on-create-blocked-identity" in text and "Fix:" in text

    class P:
        out = ""

        def text(self, s):
            self.out += s

    p = P()
    exp._repr_pretty_(p, False)
    assert p.out == text
    assert "tag-on-create" in repr(exp)


def test_notebook_last_exception(aws_env, monkeypatch):
    try:
        raise RuntimeError(denial("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/{ROLE}",
                                  "CreateProject"))
    except RuntimeError as e:
        monkeypatch.setattr("sys.last_value", e, raising=False)
        monkeypatch.delattr("sys.last_exc", raising=False)
    exp = explain_access_denied(offline=True, region=REGION, metadata_path=None, environ={})
    assert exp.top_cause["id"] == "pass-role"
    assert exp.result["operation"] == "CreateProject"


def test_notebook_exception_object_and_no_text(aws_env, monkeypatch):
    exp = explain_access_denied(ValueError("nothing to see"), offline=True, region=REGION,
                                metadata_path=None, environ={})
    assert exp.result["reason"] is None
    monkeypatch.delattr("sys.last_value", raising=False)
    monkeypatch.delattr("sys.last_exc", raising=False)
    exp = explain_access_denied(offline=True)
    assert exp.top_cause["id"] == "not-an-authorization-error"
    assert "no exception" in exp.top_cause["detail"]


def test_notebook_bad_option_is_an_answer_not_a_traceback(aws_env):
    exp = explain_access_denied(EVIL, offline=True, domain_id="bad id", region=REGION,
                                metadata_path=None, environ={})
    assert "Bad option" in exp.top_cause["detail"]


# ---- the same evidence from botocore's Stubber (no moto at all) --------------------------------

def test_evidence_from_stubber(aws_env):
    from botocore.stub import Stubber

    session = boto3.Session(region_name=REGION)
    clients = {name: session.client(name, region_name=REGION) for name in ("sts", "sagemaker",
                                                                            "iam")}
    stubs = {name: Stubber(c) for name, c in clients.items()}
    model = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/stubbed"
    stubs["sts"].add_response("get_caller_identity", {
        "Account": ACCOUNT, "Arn": PRINCIPAL, "UserId": "AROAEXAMPLE:SageMaker"})
    stubs["sagemaker"].add_response(
        "list_tags", {"Tags": [{"Key": "sagemaker:domain-arn", "Value": ODARN}]},
        {"ResourceArn": model, "MaxResults": 100})
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
    stubs["iam"].add_response("get_role", {"Role": {
        "Path": "/", "RoleName": ROLE, "RoleId": "AROAEXAMPLEEXAMPLE1", "Arn": role_arn,
        "CreateDate": "2026-01-01T00:00:00Z"}}, {"RoleName": ROLE})
    stubs["iam"].add_response("list_attached_role_policies", {"AttachedPolicies": []},
                              {"RoleName": ROLE})
    stubs["iam"].add_response("list_role_policies", {"PolicyNames": ["isolation"]},
                              {"RoleName": ROLE})
    stubs["iam"].add_response("get_role_policy", {
        "RoleName": ROLE, "PolicyName": "isolation",
        "PolicyDocument": json.dumps(ISOLATION)}, {"RoleName": ROLE, "PolicyName": "isolation"})
    for st in stubs.values():
        st.activate()
    session.client = lambda name, *a, **kw: clients[name]  # every client the code asks for
    result = run(denial("sagemaker:DescribeModel", model), session=session)
    for st in stubs.values():
        st.assert_no_pending_responses()
    top = result["causes"][0]
    assert top["id"] == "isolation-other-domain" and top["confidence"] == "confirmed"
    assert result["evaluation"]["identity"]["decision"] == "implicit_deny"
    assert result["live"]["caller"]["arn"] == PRINCIPAL


# ---- issue 13: the Region chain, a failed call in one line, another account ----------------

PAGE_500 = ("<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
            "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error.</p>")


def test_aws_region_only_is_enough(aws, monkeypatch):
    """No --region, no AWS_DEFAULT_REGION, no config: AWS_REGION alone (boto3 ignores it)."""
    from sagemaker_isolation_ext.cli.entry import main

    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", REGION)
    make_role(aws["iam"], {"isolation": ISOLATION})
    arn = make_model(aws, "their-model", {"sagemaker:domain-arn": ODARN})
    import io

    out = io.StringIO()
    code = main(["explain", denial("sagemaker:DescribeModel", arn), "--format", "json",
                 "--metadata-path", "/nonexistent"], out=out)
    assert code == 0, out.getvalue()
    body = json.loads(out.getvalue())
    assert body["mode"] == "live"
    ops = [c["operation"] for c in body["live"]["calls"]]
    assert "sts:GetCallerIdentity" in ops and "sagemaker:ListTags" in ops


def test_failed_call_is_one_line_and_the_page_shown_once_only_verbose(aws, monkeypatch):
    from sagemaker_isolation_ext.sagemaker.access_denied import render_text

    make_role(aws["iam"], {"isolation": ISOLATION})
    arn = make_model(aws, "m", {"sagemaker:domain-arn": ODARN})
    s = session_with({"before-call.sagemaker.ListTags": error_hook("500", PAGE_500, 500)})
    result = run(denial("sagemaker:DescribeModel", arn), session=s)
    nc = next(n for n in result["causes"][0]["evidence"]["not_checked"]
              if n["check"] == "resource-tags")
    assert nc["why"] == "sagemaker:ListTags failed: HTTP 500: 500 Internal Server Error"
    assert "<" not in nc["why"] and nc["body"].startswith("<!doctype html>")
    text = render_text(result)
    assert text.count("500 Internal Server Error") == 1
    assert "<title>" not in text and "--verbose" in text
    verbose = render_text(result, verbose=True)
    assert verbose.count("<title>500 Internal Server Error</title>") == 1


def test_credentials_of_another_account_are_said_plainly(aws):
    other = "444455556666"
    msg = (f"User: arn:aws:sts::{other}:assumed-role/{ROLE}/SageMaker is not authorized to "
           f"perform: sagemaker:DescribeModel on resource: "
           f"arn:aws:sagemaker:{REGION}:{other}:model/m because no identity-based policy "
           "allows the sagemaker:DescribeModel action")
    result = run(msg)
    nc = {n["check"]: n["why"] for n in result["causes"][0]["evidence"]["not_checked"]}
    for check in ("principal-policies", "resource-tags"):
        assert f"account {other}" in nc[check] and f"account {ACCOUNT}" in nc[check], nc
        assert "not found" not in nc[check]
    ops = [c["operation"] for c in result["live"]["calls"]]
    assert ops == ["sts:GetCallerIdentity"]  # nothing read from the wrong account
