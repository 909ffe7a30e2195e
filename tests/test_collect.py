"""collect_snapshot against moto (with the Studio plugin) and with failures injected per call.

Failures are injected with botocore ``before-call`` event hooks registered on the boto3 Session
handed to ``collect_snapshot(session=...)``: a hook that returns ``(http, parsed)`` short-circuits
the call with that response; a hook that raises makes the call raise.
"""

from __future__ import annotations

import json
import socket
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.parsers import ResponseParserError

from sagemaker_isolation_ext.aws.collect import collect_snapshot, decode_policy_document
from sagemaker_isolation_ext.aws.errors import AwsUnreachable
from sagemaker_isolation_ext.aws.target import resolve_context
from sagemaker_isolation_ext.demo.seed import isolation_policy_document
from sagemaker_isolation_ext.sagemaker.snapshot import dump_snapshot, load_snapshot

DATA = Path(__file__).resolve().parent.parent / "sagemaker_isolation_ext" / "data"
FULL_ACCESS = json.loads((DATA / "managed_policies" / "AmazonSageMakerFullAccess.json").read_text())


class _Http:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict = {}
        self.content = b""
        self.text = ""


def error_response(code: str, status: int = 400, message: str = "injected"):
    """A before-call hook answering every matched call with an AWS error."""

    def hook(**kwargs):
        return _Http(status), {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }

    return hook


def raising(exc: Exception):
    def hook(**kwargs):
        raise exc

    return hook


def ctx_for(demo_account, domain="ml-research", **kw):
    return resolve_context(
        domain_id=demo_account["domains"][domain]["id"],
        region="us-east-1",
        endpoint_url=demo_account["endpoint_url"],
        metadata_path=None,
        **kw,
    )


def session_with(hooks: dict | None = None) -> boto3.Session:
    s = boto3.Session(region_name="us-east-1")
    for event, fn in (hooks or {}).items():
        s.events.register(event, fn)
    return s


# -- the demo account, read whole -------------------------------------------------------------


def test_collect_research_domain(demo_account):
    stages = []
    snap = collect_snapshot(ctx_for(demo_account), progress=lambda *a: stages.append(a))
    d = demo_account["domains"]["ml-research"]
    roles = demo_account["roles"]
    pols = demo_account["policies"]

    assert snap["source"] == "live" and snap["schema_version"] == 1
    assert snap["errors"] == []
    assert snap["account_id"] == "123456789012" and snap["region"] == "us-east-1"
    assert snap["domain"] == {
        "id": d["id"],
        "arn": d["arn"],
        "name": "ml-research",
        "default_user_execution_role": roles["SageMakerResearchExecutionRole"],
        "default_space_execution_role": roles["SageMakerResearchSpaceRole"],
        "studio_web_portal": "DISABLED",
        "default_landing_uri": "app:JupyterServer:",
    }
    assert snap["user_profiles"] == [
        {"name": "alice", "execution_role": roles["SageMakerResearchAliceRole"]},
        {"name": "bob", "execution_role": None},
    ]
    assert set(snap["roles"]) == {
        roles["SageMakerResearchExecutionRole"],
        roles["SageMakerResearchSpaceRole"],
        roles["SageMakerResearchAliceRole"],
    }
    default = snap["roles"][roles["SageMakerResearchExecutionRole"]]
    assert default["name"] == "SageMakerResearchExecutionRole"
    assert default["attached_policies"] == [
        pols["AmazonSageMakerFullAccess"],
        pols["StudioDomainResourceIsolationPolicy-d-ml-research"],
    ]
    assert default["inline_policies"] == [] and default["permissions_boundary"] is None
    alice = snap["roles"][roles["SageMakerResearchAliceRole"]]
    assert alice["permissions_boundary"] == pols["SageMakerStudioPermissionsBoundary"]
    assert [p["name"] for p in alice["inline_policies"]] == ["StudioTagOnCreate"]
    assert alice["inline_policies"][0]["document"]["Statement"][0]["Action"] == "sagemaker:AddTags"
    assert all(r["complete"] for r in snap["roles"].values())

    # the real documents, unchanged
    fa = snap["policies"][pols["AmazonSageMakerFullAccess"]]
    assert fa["document"] == FULL_ACCESS and fa["version_id"] == "v1"
    iso = snap["policies"][pols["StudioDomainResourceIsolationPolicy-d-ml-research"]]
    assert iso["document"] == isolation_policy_document(d["arn"], d["id"])
    assert set(snap["policies"]) == {
        pols["AmazonSageMakerFullAccess"],
        pols["StudioDomainResourceIsolationPolicy-d-ml-research"],
        pols["SageMakerStudioPermissionsBoundary"],
    }

    assert [s[0] for s in stages][0] == "domain"
    assert ("user-profiles", 2, 2) in stages and ("roles", 3, 3) in stages
    assert stages[-1] == ("policies", 3, 3)
    assert load_snapshot(dump_snapshot(snap)) == snap


def test_each_distinct_policy_fetched_once(demo_account):
    calls: Counter = Counter()

    def count(event_name, params, **kwargs):
        op = event_name.split(".")[-1]
        calls[(op, params.get("PolicyArn") or params.get("RoleName"))] += 1

    s = session_with(
        {
            "provide-client-params.iam.GetPolicy": count,
            "provide-client-params.iam.GetPolicyVersion": count,
            "provide-client-params.iam.GetRole": count,
        }
    )
    snap = collect_snapshot(ctx_for(demo_account), session=s)
    iso = demo_account["policies"]["StudioDomainResourceIsolationPolicy-d-ml-research"]
    # attached to three roles, read once
    assert calls[("GetPolicy", iso)] == 1 and calls[("GetPolicyVersion", iso)] == 1
    assert sum(n for (op, _), n in calls.items() if op == "GetPolicy") == len(snap["policies"]) == 3
    assert all(n == 1 for n in calls.values())
    assert sum(1 for (op, _) in calls if op == "GetRole") == 3


def test_collect_prod_domain_one_role_for_both_defaults(demo_account):
    snap = collect_snapshot(ctx_for(demo_account, "ml-prod"))
    role = demo_account["roles"]["SageMakerProdExecutionRole"]
    assert list(snap["roles"]) == [role]
    assert snap["domain"]["default_space_execution_role"] == role
    assert snap["user_profiles"] == [{"name": "carol", "execution_role": None}]
    assert snap["roles"][role]["attached_policies"] == [
        demo_account["policies"]["StudioDomainResourceIsolationPolicy-d-ml-prod"]
    ]
    assert "AmazonSageMakerFullAccess" not in json.dumps(snap["policies"])


def test_context_detail_goes_into_the_snapshot(demo_account):
    snap = collect_snapshot(ctx_for(demo_account, explicit_source="config"))
    assert snap["context"]["source"] == "config"
    assert "domain id from config" in snap["context"]["detail"]


def test_paginated_user_profiles(demo_account):
    sm = boto3.client(
        "sagemaker", endpoint_url=demo_account["endpoint_url"], region_name="us-east-1"
    )
    did = demo_account["domains"]["ml-prod"]["id"]
    for i in range(60):  # the plugin pages by 50 by default
        sm.create_user_profile(DomainId=did, UserProfileName=f"u{i:02d}")
    pages = Counter()
    s = session_with(
        {"provide-client-params.sagemaker.ListUserProfiles": lambda **kw: pages.update(["page"])}
    )
    snap = collect_snapshot(ctx_for(demo_account, "ml-prod"), session=s)
    assert pages["page"] == 2
    assert len(snap["user_profiles"]) == 61
    assert len(snap["roles"]) == 1  # they all use the domain default


def test_user_profile_experience_settings_collected(demo_account):
    """DescribeUserProfile's UserSettings.StudioWebPortal / DefaultLandingUri (when the profile
    overrides the domain's) reach the snapshot, and the analysis uses them per profile."""
    from sagemaker_isolation_ext.sagemaker.analysis import analyze

    sm = boto3.client(
        "sagemaker", endpoint_url=demo_account["endpoint_url"], region_name="us-east-1"
    )
    did = demo_account["domains"]["ml-secure"]["id"]
    sm.create_user_profile(
        DomainId=did,
        UserProfileName="erin",
        UserSettings={"StudioWebPortal": "DISABLED", "DefaultLandingUri": "app:JupyterServer:"},
    )
    snap = collect_snapshot(ctx_for(demo_account, "ml-secure"))
    by = {p["name"]: p for p in snap["user_profiles"]}
    assert by["erin"]["studio_web_portal"] == "DISABLED"
    assert by["erin"]["default_landing_uri"] == "app:JupyterServer:"
    assert "studio_web_portal" not in by["dave"]  # dave inherits the domain's settings
    assert snap["domain"]["studio_web_portal"] == "ENABLED"
    assert snap["domain"]["default_landing_uri"] == "studio::"
    load_snapshot(json.loads(dump_snapshot(snap)))  # still a valid snapshot
    report = analyze(snap)
    assert report["domain"]["experience_by_profile"] == {"dave": "studio", "erin": "classic"}
    (role,) = report["roles"]  # both profiles use the domain default role: judged with both
    assert role["experience"] == "both"
    assert {f["id"].split(".")[0] for f in role["flows"]} == {"studio", "classic"}


# -- failures recorded, never raised ----------------------------------------------------------


def test_get_role_policy_access_denied(demo_account):
    s = session_with({"before-call.iam.GetRolePolicy": error_response("AccessDenied", 403)})
    snap = collect_snapshot(ctx_for(demo_account), session=s)
    roles = demo_account["roles"]
    space, alice = roles["SageMakerResearchSpaceRole"], roles["SageMakerResearchAliceRole"]
    assert snap["roles"][space]["complete"] is False
    assert snap["roles"][alice]["complete"] is False
    assert snap["roles"][roles["SageMakerResearchExecutionRole"]]["complete"] is True  # no inline
    errs = [e for e in snap["errors"] if e["operation"] == "iam:GetRolePolicy"]
    assert {e["target"] for e in errs} == {space, alice}
    assert all(e["code"] == "AccessDenied" and e["message"] == "injected" for e in errs)
    assert snap["roles"][space]["inline_policies"] == []
    load_snapshot(snap)


def test_studio_role_that_cannot_read_iam(demo_account):
    denied = error_response(
        "AccessDenied",
        403,
        "User: arn:aws:sts::123456789012:assumed-role/X/SageMaker is not "
        "authorized to perform: iam:GetRole",
    )
    s = session_with({"before-call.iam": denied})
    snap = collect_snapshot(ctx_for(demo_account), session=s)
    assert len(snap["roles"]) == 3
    assert all(r["complete"] is False for r in snap["roles"].values())
    assert snap["policies"] == {}
    ops = Counter(e["operation"] for e in snap["errors"])
    assert ops == {"iam:GetRole": 3, "iam:ListAttachedRolePolicies": 3, "iam:ListRolePolicies": 3}
    for arn in snap["roles"]:
        assert any(e["target"] == arn for e in snap["errors"])


@pytest.mark.parametrize(
    "event, hook, code",
    [
        (
            "before-call.iam.ListAttachedRolePolicies",
            raising(ResponseParserError("Unable to parse response (moto HTTP 500)")),
            "ResponseParserError",
        ),
        (
            "before-call.iam.ListAttachedRolePolicies",
            error_response("InternalFailure", 500),
            "InternalFailure",
        ),
        (
            "before-call.iam.ListAttachedRolePolicies",
            error_response("Throttling", 400),
            "Throttling",
        ),
        (
            "before-call.iam.ListAttachedRolePolicies",
            raising(ReadTimeoutError(endpoint_url="http://iam")),
            "ReadTimeoutError",
        ),
        (
            "before-call.iam.ListAttachedRolePolicies",
            raising(EndpointConnectionError(endpoint_url="http://iam")),
            "EndpointConnectionError",
        ),
    ],
)
def test_failure_kinds_recorded(demo_account, event, hook, code):
    s = session_with({event: hook})
    snap = collect_snapshot(ctx_for(demo_account), session=s, max_attempts=1)
    errs = [e for e in snap["errors"] if e["operation"] == "iam:ListAttachedRolePolicies"]
    assert len(errs) == 3 and {e["code"] for e in errs} == {code}
    assert all(not r["complete"] and r["attached_policies"] == [] for r in snap["roles"].values())
    # the boundary is not an attachment: still read
    assert list(snap["policies"]) == [
        demo_account["policies"]["SageMakerStudioPermissionsBoundary"]
    ]


def test_policy_version_unreadable_marks_dependents(demo_account):
    iso = demo_account["policies"]["StudioDomainResourceIsolationPolicy-d-ml-research"]

    def hook(params, **kwargs):
        if params["body"].get("PolicyArn") == iso:  # IAM is a query protocol: form body
            return _Http(403), {"Error": {"Code": "AccessDenied", "Message": "no"}}
        return None

    s = session_with({"before-call.iam.GetPolicyVersion": hook})
    snap = collect_snapshot(ctx_for(demo_account), session=s)
    assert iso not in snap["policies"]
    assert demo_account["policies"]["AmazonSageMakerFullAccess"] in snap["policies"]
    direct = [e for e in snap["errors"] if e["target"] == iso]
    assert [e["operation"] for e in direct] == ["iam:GetPolicyVersion"]
    for arn, role in snap["roles"].items():
        assert role["complete"] is False  # all three attach it
        assert any(e["target"] == arn and e.get("policy") == iso for e in snap["errors"])
    load_snapshot(snap)


def test_describe_user_profile_denied(demo_account):
    s = session_with(
        {"before-call.sagemaker.DescribeUserProfile": error_response("AccessDeniedException", 400)}
    )
    snap = collect_snapshot(ctx_for(demo_account), session=s)
    assert [p["complete"] for p in snap["user_profiles"]] == [False, False]
    assert all(p["execution_role"] is None for p in snap["user_profiles"])
    targets = {e["target"] for e in snap["errors"]}
    d = demo_account["domains"]["ml-research"]
    assert targets == {
        f"arn:aws:sagemaker:us-east-1:123456789012:user-profile/{d['id']}/alice",
        f"arn:aws:sagemaker:us-east-1:123456789012:user-profile/{d['id']}/bob",
    }
    # alice's own role could not be seen: only the two domain roles are read
    assert len(snap["roles"]) == 2


def test_list_user_profiles_not_implemented(demo_account):
    s = session_with(
        {"before-call.sagemaker.ListUserProfiles": error_response("InternalFailure", 500)}
    )
    snap = collect_snapshot(ctx_for(demo_account), session=s, max_attempts=1)
    assert snap["user_profiles"] == []
    (err,) = snap["errors"]
    assert err["operation"] == "sagemaker:ListUserProfiles"
    assert err["target"] == demo_account["domains"]["ml-research"]["arn"]
    assert err["code"] == "InternalFailure"


def test_url_encoded_inline_document(demo_account):
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }

    def hook(params, **kwargs):
        body = params["body"]
        return _Http(200), {
            "RoleName": body["RoleName"],
            "PolicyName": body["PolicyName"],
            "PolicyDocument": quote(json.dumps(doc)),
        }

    s = session_with({"before-call.iam.GetRolePolicy": hook})
    snap = collect_snapshot(ctx_for(demo_account), session=s)
    alice = snap["roles"][demo_account["roles"]["SageMakerResearchAliceRole"]]
    assert alice["inline_policies"] == [{"name": "StudioTagOnCreate", "document": doc}]


def test_decode_policy_document_shapes():
    doc = {"Version": "2012-10-17", "Statement": []}
    assert decode_policy_document(doc) is doc
    assert decode_policy_document(json.dumps(doc)) == doc
    assert decode_policy_document(quote(json.dumps(doc))) == doc
    for bad in ("nope", "[1]", 7, None):
        with pytest.raises(ValueError):
            decode_policy_document(bad)


# -- AwsUnreachable ---------------------------------------------------------------------------


def test_unknown_domain_is_unreachable(demo_account):
    ctx = resolve_context(
        domain_id="d-doesnotexist",
        region="us-east-1",
        endpoint_url=demo_account["endpoint_url"],
        metadata_path=None,
    )
    with pytest.raises(AwsUnreachable) as err:
        collect_snapshot(ctx)
    assert err.value.reason == "domain-not-found"
    assert err.value.operation == "sagemaker:DescribeDomain"
    assert "d-doesnotexist" in str(err.value)


def test_describe_domain_denied_is_unreachable(demo_account):
    s = session_with(
        {"before-call.sagemaker.DescribeDomain": error_response("AccessDeniedException", 400)}
    )
    with pytest.raises(AwsUnreachable) as err:
        collect_snapshot(ctx_for(demo_account), session=s)
    assert err.value.reason == "access-denied"
    assert err.value.to_json()["code"] == "AccessDeniedException"


def test_describe_domain_server_error_is_unreachable(demo_account):
    s = session_with(
        {"before-call.sagemaker.DescribeDomain": raising(ResponseParserError("bad body"))}
    )
    with pytest.raises(AwsUnreachable) as err:
        collect_snapshot(ctx_for(demo_account), session=s)
    assert err.value.reason == "aws-error" and err.value.code == "ResponseParserError"


def test_no_credentials(aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    ctx = resolve_context(
        domain_id="d-abc123",
        region="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        metadata_path=None,
    )
    with pytest.raises(AwsUnreachable) as err:
        collect_snapshot(ctx, max_attempts=1, connect_timeout=1)
    assert err.value.reason == "no-credentials"
    assert "credentials" in str(err.value)


def test_endpoint_down(aws_env):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ctx = resolve_context(
        domain_id="d-abc123",
        region="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        metadata_path=None,
    )
    with pytest.raises(AwsUnreachable) as err:
        collect_snapshot(ctx, max_attempts=1, connect_timeout=1)
    assert err.value.reason == "endpoint-unreachable"
    assert err.value.code == "EndpointConnectionError"


def test_unknown_profile(aws_env):
    from sagemaker_isolation_ext.aws.target import AwsContext

    ctx = AwsContext(domain_id="d-abc123", region="us-east-1", profile="nope")
    with pytest.raises(AwsUnreachable) as err:
        collect_snapshot(ctx)
    assert err.value.reason == "profile-not-found"


def _boto_imports(source: str) -> list[str]:
    """Modules of boto3/botocore that ``source`` imports: import statements and
    ``import_module``/``__import__`` calls with a literal name (a docstring that mentions
    botocore is not an import)."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args:
            fn = node.func
            called = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            arg = node.args[0]
            if called in ("import_module", "__import__") and isinstance(arg, ast.Constant):
                names = [str(arg.value)]
        found += [n for n in names if n.split(".")[0] in ("boto3", "botocore")]
    return found


def test_collect_module_is_the_only_boto3_user_in_core():
    root = Path(__file__).resolve().parent.parent / "sagemaker_isolation_ext"
    checked = 0
    for pkg in ("iam", "sagemaker"):
        for f in (root / pkg).glob("*.py"):
            checked += 1
            assert _boto_imports(f.read_text()) == [], f
    assert checked > 20
    # the check catches each form, and only imports
    src = (
        "import boto3\nfrom botocore.config import Config\n"
        "import importlib\nimportlib.import_module('botocore.session')\n"
        '"""generated from botocore\'s model"""\n'
    )
    assert _boto_imports(src) == ["boto3", "botocore.config", "botocore.session"]


def test_real_moto_500_for_an_unimplemented_call(demo_account, monkeypatch):
    """Without the plugin's ListUserProfiles, moto answers HTTP 500 with an HTML page
    (TOOLCHAIN.md §11); for SageMaker (JSON protocol) botocore makes it a ClientError with code
    "500". Recorded, not raised."""
    from moto.sagemaker.responses import SageMakerResponse

    monkeypatch.delattr(SageMakerResponse, "list_user_profiles")
    snap = collect_snapshot(ctx_for(demo_account), max_attempts=1)
    (err,) = snap["errors"]
    assert err["operation"] == "sagemaker:ListUserProfiles"
    assert err["code"] == "500"
    assert len(err["message"]) <= 500
    assert err["message"].startswith("the endpoint answered HTTP 500 with a web page")
    assert "<" not in err["message"]  # the page's title, never the page
    assert snap["user_profiles"] == []
    # the domain's own roles are still read
    assert len(snap["roles"]) == 2 and all(r["complete"] for r in snap["roles"].values())


def test_real_moto_500_on_iam_is_a_response_parser_error(demo_account, monkeypatch):
    """IAM is an XML (query) protocol: moto's HTML 500 page ends as botocore's
    ResponseParserError, a plain Exception (not a BotoCoreError). Recorded, not raised."""
    from moto.iam.responses import IamResponse

    monkeypatch.delattr(IamResponse, "get_role")
    snap = collect_snapshot(ctx_for(demo_account), max_attempts=1)
    errs = [e for e in snap["errors"] if e["operation"] == "iam:GetRole"]
    assert len(errs) == 3 and {e["code"] for e in errs} == {"ResponseParserError"}
    assert all(r["complete"] is False for r in snap["roles"].values())
    assert all(r["permissions_boundary"] is None for r in snap["roles"].values())


def test_client_config_retries_timeouts_and_endpoints(aws_env, monkeypatch):
    from sagemaker_isolation_ext.aws.session import client, make_session

    ctx = resolve_context(domain_id="d-abc123", metadata_path=None)
    s = make_session(ctx)
    c = client(s, "iam", "http://127.0.0.1:4566", max_attempts=7, connect_timeout=2,
               read_timeout=9)
    cfg = c.meta.config
    assert cfg.retries == {"mode": "adaptive", "total_max_attempts": 7}
    assert (cfg.connect_timeout, cfg.read_timeout) == (2, 9)
    assert c.meta.endpoint_url == "http://127.0.0.1:4566"
    assert c.meta.region_name == "us-east-1"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4999")
    assert client(make_session(ctx), "sagemaker").meta.endpoint_url == "http://127.0.0.1:4999"
