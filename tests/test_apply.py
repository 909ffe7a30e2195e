"""Apply and roll back against the local AWS (moto IAM + the demo's Studio plugin); Stubber for
IAM Access Analyzer (moto 5.2.5 does not implement ValidatePolicy)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from sagemaker_isolation_ext.audit import AUDIT_DIR_ENV, AuditError, AuditStore, resolve_audit_dir
from sagemaker_isolation_ext.aws import apply as A
from sagemaker_isolation_ext.aws.collect import collect_snapshot
from sagemaker_isolation_ext.aws.session import make_session
from sagemaker_isolation_ext.aws.target import resolve_context
from sagemaker_isolation_ext.sagemaker import policy_plan as P
from sagemaker_isolation_ext.sagemaker.analysis import analyze

ACCOUNT = "123456789012"


def _iso(did):
    return f"arn:aws:iam::{ACCOUNT}:policy/StudioDomainResourceIsolationPolicy-{did}"


def _tag(did):
    return f"arn:aws:iam::{ACCOUNT}:policy/StudioDomainTagOnCreatePolicy-{did}"


@pytest.fixture
def env(demo_account, moto_server, tmp_path):
    """(ctx for the research domain, boto3 session, iam client, audit store, demo dict)."""
    did = demo_account["research_domain_id"]
    ctx = resolve_context(domain_id=did, region="us-east-1", endpoint_url=moto_server)
    session = make_session(ctx)
    iam = session.client("iam", endpoint_url=moto_server)
    return ctx, session, iam, AuditStore(tmp_path / "audit"), demo_account


def _state(iam, plan):
    return A.capture_state(iam, A._plan_policies(plan), A._plan_roles(plan))


def _comparable(state):
    """State without version ids that IAM re-assigns (documents, default doc, attachments)."""
    out = {"attachments": {k: sorted(v) for k, v in state["attachments"].items()}, "policies": {}}
    for arn, p in state["policies"].items():
        docs = sorted(P.canonical_json(v["document"]) for v in p["versions"])
        default = [P.canonical_json(v["document"]) for v in p["versions"] if v["is_default"]]
        out["policies"][arn] = {"exists": p["exists"], "docs": docs, "default": default}
    return out


def test_plan_on_demo_is_a_dry_run(env):
    ctx, session, iam, store, demo = env
    did = demo["research_domain_id"]
    probe = {
        "policy": {"arn": _iso(did)},
        "tag_on_create": {"arn": _tag(did)},
        "roles": [{"arn": a, "selected": True} for a in demo["roles"].values()],
    }
    before = _state(iam, probe)
    plan = A.make_plan(ctx, "deny", session=session)
    assert _state(iam, probe) == before  # planning wrote nothing
    assert store.list() == []
    assert plan["policy"]["action"] == "new-version"
    default = demo["domains"]["ml-research"]["default_user_execution_role"]
    row = next(r for r in plan["roles"] if r["arn"] == default)
    assert (row["verdict_before"], row["verdict_after"]) == ("not_isolated", "isolated")
    aa = [c for c in plan["validation"]["checks"] if c["id"] == "access-analyzer"]
    assert aa and all(c["ok"] is None and "could not call" in c["detail"] for c in aa)


def test_apply_then_reapply_is_a_noop_and_the_live_check_agrees(env):
    ctx, session, iam, store, demo = env
    plan = A.make_plan(ctx, "deny", session=session, validate=False)
    rec = A.apply_plan(plan, store, session=session, endpoint_url=ctx.endpoint_url)
    assert rec["status"] == "succeeded"
    assert [s["status"] for s in rec["steps"]] == ["done"] * len(plan["steps"])
    assert rec["previous_state"]["policies"][_iso(demo["research_domain_id"])]["exists"]
    assert rec["who"]["via"] == "cli" and rec["account_id"] == ACCOUNT
    # Verify: a fresh live check of the domain now says isolated.
    assert analyze(collect_snapshot(ctx, session=session))["verdict"] == "isolated"
    # Same plan again: every step is found in place.
    again = A.apply_plan(plan, store, session=session, endpoint_url=ctx.endpoint_url)
    assert again["status"] == "no-op"
    assert {s["status"] for s in again["steps"]} == {"skipped"}
    # A new plan has nothing to do.
    assert A.make_plan(ctx, "deny", session=session, validate=False)["steps"] == []
    assert [r["id"] for r in store.list()] == [again["id"], rec["id"]]


def test_five_versions_oldest_saved_before_delete_and_rollback_restores(env):
    ctx, session, iam, store, demo = env
    arn = _iso(demo["research_domain_id"])
    v1 = json.loads(
        json.dumps(
            iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
        )
    )
    for i in range(4):  # v2..v5, v5 default
        doc = dict(v1, Id=f"filler-{i}")
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc), SetAsDefault=True)
    plan = A.make_plan(ctx, "deny", session=session, validate=False)
    before = _state(iam, plan)
    step = plan["steps"][0]
    assert step["op"] == "create-policy-version" and step["delete_version"] == "v1"
    rec = A.apply_plan(plan, store, session=session, endpoint_url=ctx.endpoint_url)
    assert rec["status"] == "succeeded"
    saved = rec["steps"][0]["deleted_version"]
    assert saved["version_id"] == "v1" and saved["document"] == v1
    on_disk = store.read(rec["id"])["steps"][0]["deleted_version"]["document"]
    assert on_disk == v1
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert len(versions) == 5 and "v1" not in {v["VersionId"] for v in versions}
    rb = A.rollback_change(
        rec["id"], store, session=session, endpoint_url=ctx.endpoint_url, dry_run=False
    )
    assert rb["status"] == "succeeded"
    after = _state(iam, plan)
    assert _comparable(after) == _comparable(before)
    assert after["policies"][arn]["default_version_id"] == "v5"
    assert any("new version ids" in (s["detail"] or "") for s in rb["steps"])


def _fresh_domain(moto_server, demo):
    """A third domain whose two roles have no isolation policy (plan: create + attaches)."""
    s = boto3.Session(region_name="us-east-1")
    iam = s.client("iam", endpoint_url=moto_server)
    sm = s.client("sagemaker", endpoint_url=moto_server)
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sagemaker.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    arns = []
    for name in ("FreshUserRole", "FreshSpaceRole"):
        arns.append(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"])
        iam.attach_role_policy(RoleName=name, PolicyArn=demo["policies"]["AmazonSageMakerReadOnly"])
    resp = sm.create_domain(
        DomainName="fresh",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": arns[0]},
        DefaultSpaceSettings={"ExecutionRole": arns[1]},
        SubnetIds=["subnet-0demo"],
        VpcId="vpc-0demo",
    )
    return resp["DomainArn"].rsplit("/", 1)[-1], arns


def test_failure_mid_way_is_recorded_and_rollback_restores_exactly_twice(env, moto_server):
    ctx0, session, iam, store, demo = env
    did, role_arns = _fresh_domain(moto_server, demo)
    ctx = resolve_context(domain_id=did, region="us-east-1", endpoint_url=moto_server)
    plan = A.make_plan(ctx, "allow", session=session, validate=False)
    ops = [s["op"] for s in plan["steps"]]
    assert ops[0] == "create-policy" and ops.count("attach-role-policy") >= 2
    before = _state(iam, plan)
    assert before["policies"][_iso(did)]["exists"] is False

    calls = {"n": 0}

    def fail_second_attach(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ClientError(
                {"Error": {"Code": "LimitExceeded", "Message": "injected: quota reached"}},
                "AttachRolePolicy",
            )

    session.events.register("before-call.iam.AttachRolePolicy", fail_second_attach)
    try:
        rec = A.apply_plan(plan, store, session=session, endpoint_url=moto_server)
    finally:
        session.events.unregister("before-call.iam.AttachRolePolicy", fail_second_attach)
    statuses = [s["status"] for s in rec["steps"]]
    first_attach = ops.index("attach-role-policy")
    assert rec["status"] == "failed"
    assert statuses[: first_attach + 1] == ["done"] * (first_attach + 1)
    assert statuses[first_attach + 1] == "failed"
    assert rec["steps"][first_attach + 1]["error"]["code"] == "LimitExceeded"
    assert set(statuses[first_attach + 2 :]) <= {"not-run"}
    assert store.read(rec["id"])["steps"] == rec["steps"]  # on disk as reported

    preview = A.rollback_change(rec["id"], store, session=session, endpoint_url=moto_server)
    assert preview["status"] == "planned" and preview["steps"]
    assert len(store.list()) == 1  # the dry run wrote nothing

    rb = A.rollback_change(
        rec["id"], store, session=session, endpoint_url=moto_server, dry_run=False
    )
    assert rb["status"] == "succeeded", rb["steps"]
    assert rb["rollback_of"] == rec["id"]
    assert _state(iam, plan) == before  # exact: policies gone, attachments as they were
    assert store.read(rec["id"])["rolled_back_by"] == rb["id"]

    rb2 = A.rollback_change(
        rec["id"], store, session=session, endpoint_url=moto_server, dry_run=False
    )
    assert rb2["status"] == "no-op" and rb2["steps"] == []
    assert _state(iam, plan) == before
    assert [r["kind"] for r in store.list()] == ["rollback", "rollback", "apply"]


def test_role_selection_reads_and_touches_only_those_roles(env, moto_server):
    ctx0, session, iam, store, demo = env
    did, role_arns = _fresh_domain(moto_server, demo)
    ctx = resolve_context(domain_id=did, region="us-east-1", endpoint_url=moto_server)
    listed = []
    session.events.register("before-call.sagemaker.ListUserProfiles", lambda **kw: listed.append(1))
    plan = A.make_plan(ctx, "deny", [role_arns[1]], session=session, validate=False)
    assert listed == []  # no profile listing with --role-arn
    assert [r["arn"] for r in plan["roles"]] == [role_arns[1]]
    rec = A.apply_plan(plan, store, session=session, endpoint_url=moto_server)
    assert rec["status"] == "succeeded"

    def names(role):
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        return [p["PolicyName"] for p in attached]

    assert f"StudioDomainResourceIsolationPolicy-{did}" in names("FreshSpaceRole")
    assert f"StudioDomainResourceIsolationPolicy-{did}" not in names("FreshUserRole")


def test_stale_plan_fails_its_precondition_instead_of_guessing(env):
    ctx, session, iam, store, demo = env
    plan = A.make_plan(ctx, "deny", session=session, validate=False)
    arn = _iso(demo["research_domain_id"])
    iam.create_policy_version(
        PolicyArn=arn,
        SetAsDefault=True,
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
            }
        ),
    )
    rec = A.apply_plan(plan, store, session=session, endpoint_url=ctx.endpoint_url)
    assert rec["status"] == "failed"
    assert rec["steps"][0]["error"]["code"] == "PreconditionFailed"
    assert "build a new plan" in rec["steps"][0]["error"]["message"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"


def test_invalid_tampered_or_foreign_plans_are_refused(env):
    ctx, session, iam, store, demo = env
    plan = A.make_plan(ctx, "deny", session=session, validate=False)
    bad = json.loads(json.dumps(plan))
    bad["validation"]["ok"] = False
    bad["validation"]["checks"].append({"id": "quota", "ok": False, "detail": "over quota"})
    bad["plan_hash"] = P.plan_hash(bad)
    with pytest.raises(A.ApplyError, match="failed validation: over quota"):
        A.apply_plan(bad, store, session=session, endpoint_url=ctx.endpoint_url)
    tampered = dict(plan, variant="allow")
    with pytest.raises(P.PlanError, match="plan_hash"):
        A.apply_plan(tampered, store, session=session, endpoint_url=ctx.endpoint_url)
    foreign = json.loads(json.dumps(plan))
    foreign["account_id"] = "999999999999"
    foreign["plan_hash"] = P.plan_hash(foreign)
    with pytest.raises(A.ApplyError, match="account 123456789012"):
        A.apply_plan(foreign, store, session=session, endpoint_url=ctx.endpoint_url)
    assert store.list() == []


def test_all_domains_gives_one_plan_per_domain(env):
    ctx, session, iam, store, demo = env
    plans = A.make_plans_all_domains(ctx, "deny", session=session, validate=False)
    assert sorted(p["domain"]["id"] for p in plans) == sorted(
        d["id"] for d in demo["domains"].values()
    )


def test_access_analyzer_with_stubber():
    aa = boto3.client("accessanalyzer", region_name="us-east-1")
    doc = {"Version": "2012-10-17", "Statement": []}
    with Stubber(aa) as stub:
        stub.add_response(
            "validate_policy",
            {
                "findings": [
                    {
                        "findingDetails": "Add a Version",
                        "findingType": "ERROR",
                        "issueCode": "X",
                        "learnMoreLink": "https://example.invalid",
                        "locations": [],
                    }
                ]
            },
            {"policyDocument": json.dumps(doc), "policyType": "IDENTITY_POLICY"},
        )
        stub.add_response("validate_policy", {"findings": []})
        out = A.validate_with_access_analyzer(None, None, {"a": doc, "b": doc}, aa_client=aa)
    assert out["a"]["status"] == "findings" and out["a"]["findings"][0]["issueCode"] == "X"
    assert out["b"]["status"] == "ok"
    with Stubber(aa) as stub:
        stub.add_client_error("validate_policy", "AccessDeniedException", "not allowed")
        out = A.validate_with_access_analyzer(None, None, {"a": doc, "b": doc}, aa_client=aa)
    assert {v["status"] for v in out.values()} == {"not-run"}
    assert "AccessDeniedException" in out["b"]["detail"]


def test_audit_dir_resolution_and_bad_ids(tmp_path, monkeypatch):
    monkeypatch.setenv(AUDIT_DIR_ENV, str(tmp_path / "from-env"))
    assert resolve_audit_dir() == tmp_path / "from-env"
    assert resolve_audit_dir(tmp_path / "explicit") == tmp_path / "explicit"
    monkeypatch.delenv(AUDIT_DIR_ENV)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jdata"))
    assert resolve_audit_dir() == tmp_path / "jdata" / "sagemaker-isolation" / "changes"
    store = AuditStore(tmp_path / "a")
    assert store.list() == []
    with pytest.raises(AuditError, match="not a change id"):
        store.read("../etc/passwd")
    with pytest.raises(AuditError, match="no change chg-20260101T000000Z-00000000"):
        store.read("chg-20260101T000000Z-00000000")
    rec = {"id": store.new_id(), "kind": "apply", "started_at": "2026-12-01T07:00:00Z"}
    path = store.write(rec)
    assert (path.stat().st_mode & 0o777) == 0o600
    assert store.read(rec["id"]) == rec


# -- CLI (apply / rollback / changes) -----------------------------------------------------------


def _cli(argv):
    import io

    from sagemaker_isolation_ext.cli.entry import main

    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue()


def test_cli_apply_plan_rollback_changes(env, moto_server, tmp_path):
    ctx, session, iam, store, demo = env
    did = demo["research_domain_id"]
    common = [
        "--endpoint-url",
        moto_server,
        "--region",
        "us-east-1",
        "--audit-dir",
        str(store.path),
    ]
    # Allow variant beside AmazonSageMakerFullAccess: the plan leaves a role not isolated.
    code, text = _cli(["apply", "--domain-id", did, *common])
    assert code == 1, text
    assert "Recommendation:" in text and "Dry run: nothing changed" in text
    plan_file = tmp_path / "plan.json"
    code, text = _cli(
        ["apply", "--domain-id", did, "--variant", "deny", "--plan-out", str(plan_file), *common]
    )
    assert code == 0, text
    assert store.list() == []
    saved = json.loads(plan_file.read_text())
    assert saved["variant"] == "deny" and saved["verdict_after"] == "isolated"
    # Applying the saved plan exactly as shown.
    code, out = _cli(["apply", "--plan", str(plan_file), "--yes", "--format", "json", *common])
    assert code == 0, out
    rec = json.loads(out)
    assert rec["status"] == "succeeded" and rec["plan_hash"] == saved["plan_hash"]
    code, out = _cli(["changes", "--format", "json", "--audit-dir", str(store.path)])
    assert code == 0 and [c["id"] for c in json.loads(out)] == [rec["id"]]
    code, text = _cli(["rollback", "--change", rec["id"], *common])
    assert code == 0 and "Dry run" in text
    assert len(store.list()) == 1
    code, text = _cli(["rollback", "--change", rec["id"], "--yes", *common])
    assert code == 0 and "succeeded" in text
    code, out = _cli(["changes", "--format", "json", "--audit-dir", str(store.path)])
    listed = json.loads(out)
    assert [c["kind"] for c in listed] == ["rollback", "apply"]
    assert listed[0]["rollback_of"] == rec["id"]


def test_cli_admin_bad_input_exits_3(env, moto_server, tmp_path):
    ctx, session, iam, store, demo = env
    did = demo["research_domain_id"]
    common = ["--endpoint-url", moto_server, "--audit-dir", str(store.path)]
    plan_file = tmp_path / "plan.json"
    assert (
        _cli(
            [
                "apply",
                "--domain-id",
                did,
                "--variant",
                "deny",
                "--plan-out",
                str(plan_file),
                *common,
            ]
        )[0]
        == 0
    )
    plan = json.loads(plan_file.read_text())
    plan["variant"] = "allow"
    plan_file.write_text(json.dumps(plan))
    assert _cli(["apply", "--plan", str(plan_file), "--yes", *common])[0] == 3
    assert _cli(["apply", "--all-domains", "--yes", *common])[0] == 3
    assert _cli(["apply", "--domain-id", did, "--role-arn", "not-an-arn", *common])[0] == 3
    assert _cli(["rollback", "--change", "chg-nope", *common])[0] == 3
    assert _cli(["apply", "--plan", str(plan_file), "--plan-out", "x", *common])[0] == 3
    assert store.list() == []


def test_audit_lists_records_of_the_same_second_in_creation_order(tmp_path):
    store = AuditStore(tmp_path)
    ids = []
    for _ in range(5):
        rec = {"id": store.new_id(), "kind": "apply", "started_at": "2026-12-01T07:00:00Z"}
        store.write(rec)
        ids.append(rec["id"])
    assert [r["id"] for r in store.list()] == ids[::-1]
