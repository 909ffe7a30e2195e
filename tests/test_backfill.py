"""Tag backfill: plan, dry run, apply, partial failure, throttling, rollback (aws/backfill.py)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from sagemaker_isolation_ext.audit import AuditStore
from sagemaker_isolation_ext.aws.backfill import BackfillError, apply_plan, rollback_change
from sagemaker_isolation_ext.aws.tag_scan import account_context, scan_tags
from sagemaker_isolation_ext.aws.target import AwsContext
from sagemaker_isolation_ext.sagemaker import tags as T


def _ctx(url, domain_id):
    return account_context(domain_id=domain_id, region="us-east-1", endpoint_url=url,
                           metadata_path=None)


def _tags(url, arn):
    sm = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=url)
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}


def _domain_ref(domain):
    return T.DomainRef(id=domain["id"], arn=domain["arn"], name=domain["name"])


@pytest.fixture
def store(tmp_path):
    return AuditStore(tmp_path / "changes")


def _untagged(demo_account, kind):
    return next(a for a in demo_account["resources"]["untagged"] if f":{kind}/" in a)


def test_plan_from_scan_then_dry_run_changes_nothing(demo_account, moto_server, store):
    research = demo_account["domains"]["ml-research"]
    ctx = _ctx(moto_server, research["id"])
    scan = scan_tags(ctx, rows="problems", max_attempts=1, types={"training-job", "model"})
    plan = T.build_plan(_domain_ref(research), scan["resources"], created_at="now")
    arns = {i["arn"]: i for i in plan["items"]}
    job, model = _untagged(demo_account, "training-job"), _untagged(demo_account, "model")
    assert arns[job]["confidence"] == "medium" and arns[job]["selected"] is False
    # The operator reviews the plan and selects the medium-confidence guesses.
    for item in plan["items"]:
        item["selected"] = True
    preview = apply_plan(ctx, T.dump_plan(plan), dry_run=True)
    assert preview["status"] == "planned" and preview["change_id"] is None
    statuses = {i["arn"]: i["status"] for i in preview["items"]}
    assert statuses[job] == "would-tag" and statuses[model] == "would-tag"
    assert T.DOMAIN_TAG not in _tags(moto_server, job)
    assert store.list() == []


def test_unselected_items_are_not_applied(demo_account, moto_server, store):
    research = demo_account["domains"]["ml-research"]
    job = _untagged(demo_account, "training-job")
    plan = T.build_plan(_domain_ref(research), [], created_at="now", arns=[job])
    plan["items"][0]["selected"] = False
    result = apply_plan(_ctx(moto_server, research["id"]), plan, dry_run=False, store=store)
    assert result["items"][0]["status"] == "not-selected"
    assert result["status"] == "no-op"
    assert T.DOMAIN_TAG not in _tags(moto_server, job)


def test_apply_then_rollback_removes_exactly_what_was_added(demo_account, moto_server, store):
    research = demo_account["domains"]["ml-research"]
    ctx = _ctx(moto_server, research["id"])
    job, model = _untagged(demo_account, "training-job"), _untagged(demo_account, "model")
    sm = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=moto_server)
    sm.add_tags(ResourceArn=model, Tags=[{"Key": "team", "Value": "churn"}])
    plan = T.build_plan(_domain_ref(research), [], created_at="now", arns=[job, model])
    result = apply_plan(ctx, plan, dry_run=False, store=store)
    assert result["status"] == "succeeded", result
    assert result["counts"] == {"tagged": 2}
    assert _tags(moto_server, job)[T.DOMAIN_TAG] == research["arn"]
    record = store.read(result["change_id"])
    assert record["kind"] == "tag-backfill" and record["status"] == "succeeded"
    assert sorted(a["arn"] for a in record["added"]) == sorted([job, model])
    assert result["api_calls"]["tag:TagResources"] == 1  # one batch, same tags

    # A scan now sees both as this domain's.
    again = scan_tags(ctx, rows="none", max_attempts=1, types={"training-job", "model"})
    assert again["by_type"]["model"]["this_domain"] == 2

    preview = rollback_change(ctx, result["change_id"], store=store, dry_run=True)
    assert {i["status"] for i in preview["items"]} == {"would-untag"}
    assert T.DOMAIN_TAG in _tags(moto_server, job)
    done = rollback_change(ctx, result["change_id"], store=store, dry_run=False)
    assert done["status"] == "succeeded"
    assert T.DOMAIN_TAG not in _tags(moto_server, job)
    assert _tags(moto_server, model) == {"team": "churn"}  # the pre-existing tag stays
    assert store.read(result["change_id"])["rolled_back_by"] == done["change_id"]
    assert store.read(done["change_id"])["rollback_of"] == result["change_id"]
    with pytest.raises(BackfillError) as info:
        rollback_change(ctx, result["change_id"], store=store, dry_run=False)
    assert info.value.reason == "already-rolled-back"


def test_conflict_already_tagged_and_tag_limit(demo_account, moto_server, store):
    research = demo_account["domains"]["ml-research"]
    ctx = _ctx(moto_server, research["id"])
    prod_model = next(a for a in demo_account["resources"]["ml-prod"] if ":model/" in a)
    own_model = next(a for a in demo_account["resources"]["ml-research"] if ":model/" in a)
    full_job = _untagged(demo_account, "training-job")
    sm = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=moto_server)
    sm.add_tags(ResourceArn=full_job, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    plan = T.build_plan(_domain_ref(research), [], created_at="now",
                        arns=[prod_model, own_model, full_job])
    result = apply_plan(ctx, plan, dry_run=False, store=store)
    statuses = {i["arn"]: i["status"] for i in result["items"]}
    assert statuses == {prod_model: "conflict", own_model: "already-tagged",
                        full_job: "tag-limit"}
    assert _tags(moto_server, prod_model)[T.DOMAIN_TAG] == demo_account["domains"]["ml-prod"][
        "arn"]  # never overwritten
    assert result["status"] == "no-op"


def test_batches_of_twenty(moto_server, aws_env, store):
    from sagemaker_isolation_ext.demo.server import reset_local_aws
    from tests.test_tag_scan import _reset_and_domain, _seed_jobs

    reset_local_aws(moto_server)
    domain_arn = _reset_and_domain(moto_server)
    _seed_jobs("us-east-1", "loose", 45)
    ctx = _ctx(moto_server, domain_arn.rsplit("/")[-1])
    arns = [f"arn:aws:sagemaker:us-east-1:123456789012:training-job/loose-{i:05d}"
            for i in range(45)]
    plan = T.build_plan(T.DomainRef(id=domain_arn.rsplit("/")[-1], arn=domain_arn), [],
                        created_at="now", arns=arns)
    result = apply_plan(ctx, plan, dry_run=False, store=store)
    assert result["counts"] == {"tagged": 45}
    assert result["api_calls"]["tag:TagResources"] == 3  # 20 + 20 + 5
    assert all(len(s["arns"]) <= 20 for s in store.read(result["change_id"])["steps"])
    scan = scan_tags(ctx, rows="none", types={"training-job"}, max_attempts=1)
    assert scan["summary"]["this_domain"] == 45


def test_moto_per_resource_failure_is_reported(demo_account, moto_server, store):
    """A batch the local AWS refuses (a resource that does not exist: moto answers HTTP 500)
    fails alone; the other batch is applied and recorded."""
    research = demo_account["domains"]["ml-research"]
    sm = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=moto_server)
    sm.create_user_profile(DomainId=research["id"], UserProfileName="dave")
    profile = f"arn:aws:sagemaker:us-east-1:123456789012:user-profile/{research['id']}/dave"
    ghost = "arn:aws:sagemaker:us-east-1:123456789012:training-job/deleted-yesterday"
    job = _untagged(demo_account, "training-job")
    plan = T.build_plan(_domain_ref(research), [], created_at="now", arns=[job, profile, ghost])
    plan["items"][2]["tags"]["note"] = "backfilled"  # other tags: a batch of its own
    result = apply_plan(_ctx(moto_server, research["id"]), plan, dry_run=False, store=store)
    statuses = {i["arn"]: i for i in result["items"]}
    assert statuses[job]["status"] == "tagged"
    assert statuses[profile]["status"] == "tagged"  # read with ListTags, tagged via the API
    assert _tags(moto_server, profile) == {T.DOMAIN_TAG: research["arn"]}
    assert statuses[ghost]["status"] == "failed"
    assert result["status"] == "partial"
    record = store.read(result["change_id"])
    assert [f["arn"] for f in record["failed"]] == [ghost]
    assert sorted(a["arn"] for a in record["added"]) == sorted([job, profile])


# -- Stubber: throttling and FailedResourcesMap --------------------------------------------------

DOMAIN_ARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-stub1"
JOB = "arn:aws:sagemaker:us-east-1:111122223333:training-job/"
CTX = AwsContext(domain_id="d-stub1", region="us-east-1", source="cli", detail="test")


class _StubSession:
    def __init__(self, clients):
        self.clients, self.region_name = clients, "us-east-1"

    def client(self, service, **kwargs):
        return self.clients[service]


def _stubbed():
    kw = {"region_name": "us-east-1", "aws_access_key_id": "a", "aws_secret_access_key": "b"}
    clients = {s: boto3.client(s, **kw) for s in ("resourcegroupstaggingapi", "sagemaker", "sts")}
    stubs = {s: Stubber(c) for s, c in clients.items()}
    stubs["sts"].add_response("get_caller_identity", {"Arn": "arn:aws:iam::111122223333:user/op",
                                                      "Account": "111122223333",
                                                      "UserId": "AIDA"})
    return _StubSession(clients), stubs


def _plan(names):
    return T.build_plan(T.DomainRef(id="d-stub1", arn=DOMAIN_ARN), [], created_at="now",
                        arns=[JOB + n for n in names])


def test_throttling_is_retried(store):
    session, stubs = _stubbed()
    rgt = stubs["resourcegroupstaggingapi"]
    rgt.add_response("get_resources", {"ResourceTagMappingList": []},
                     {"ResourceARNList": [JOB + "a", JOB + "b"]})
    rgt.add_client_error("tag_resources", "ThrottlingException", "Rate exceeded")
    rgt.add_response("tag_resources", {"FailedResourcesMap": {
        JOB + "b": {"StatusCode": 400, "ErrorCode": "ThrottlingException",
                    "ErrorMessage": "slow"}}},
        {"ResourceARNList": [JOB + "a", JOB + "b"], "Tags": {T.DOMAIN_TAG: DOMAIN_ARN}})
    rgt.add_response("tag_resources", {"FailedResourcesMap": {}},
                     {"ResourceARNList": [JOB + "b"], "Tags": {T.DOMAIN_TAG: DOMAIN_ARN}})
    slept = []
    with rgt, stubs["sts"]:
        result = apply_plan(CTX, _plan(["a", "b"]), dry_run=False, store=store, session=session,
                            sleep=slept.append, base_delay=0.5)
    assert result["status"] == "succeeded" and result["counts"] == {"tagged": 2}
    assert slept == [0.5, 0.5]  # the call-level retry, then the per-resource retry
    assert result["api_calls"]["tag:TagResources"] == 3
    assert store.read(result["change_id"])["who"]["principal_arn"].endswith("user/op")


def test_throttling_gives_up_and_reports(store):
    session, stubs = _stubbed()
    rgt = stubs["resourcegroupstaggingapi"]
    rgt.add_response("get_resources", {"ResourceTagMappingList": []}, {"ResourceARNList": ANY})
    for _ in range(3):
        rgt.add_client_error("tag_resources", "ThrottlingException", "Rate exceeded")
    with rgt, stubs["sts"]:
        result = apply_plan(CTX, _plan(["a"]), dry_run=False, store=store, session=session,
                            sleep=lambda s: None, max_retries=2)
    assert result["status"] == "failed"
    assert result["items"][0]["status"] == "failed"
    assert "ThrottlingException" in result["items"][0]["detail"]


def test_failed_resources_map_partial(store):
    session, stubs = _stubbed()
    rgt = stubs["resourcegroupstaggingapi"]
    rgt.add_response("get_resources", {"ResourceTagMappingList": [
        {"ResourceARN": JOB + "c", "Tags": [{"Key": "team", "Value": "x"}]}]},
        {"ResourceARNList": ANY})
    rgt.add_response("tag_resources", {"FailedResourcesMap": {
        JOB + "b": {"StatusCode": 400, "ErrorCode": "InvalidParameterException",
                    "ErrorMessage": "resource does not exist"}}}, None)
    with rgt, stubs["sts"]:
        result = apply_plan(CTX, _plan(["a", "b", "c"]), dry_run=False, store=store,
                            session=session, sleep=lambda s: None)
    statuses = {i["arn"].rsplit("/", 1)[1]: i["status"] for i in result["items"]}
    assert statuses == {"a": "tagged", "b": "failed", "c": "tagged"}
    assert result["status"] == "partial"
    rec = store.read(result["change_id"])
    assert rec["failed"][0]["code"] == "InvalidParameterException"
    assert rec["steps"][0]["status"] == "failed"


def test_rollback_skips_changed_values(store):
    session, stubs = _stubbed()
    rgt = stubs["resourcegroupstaggingapi"]
    rgt.add_response("get_resources", {"ResourceTagMappingList": []}, {"ResourceARNList": ANY})
    rgt.add_response("tag_resources", {"FailedResourcesMap": {}}, None)
    with rgt, stubs["sts"]:
        applied = apply_plan(CTX, _plan(["a", "b"]), dry_run=False, store=store,
                             session=session)
    session, stubs = _stubbed()
    rgt = stubs["resourcegroupstaggingapi"]
    other = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-other"
    rgt.add_response("get_resources", {"ResourceTagMappingList": [
        {"ResourceARN": JOB + "a", "Tags": [{"Key": T.DOMAIN_TAG, "Value": DOMAIN_ARN}]},
        {"ResourceARN": JOB + "b", "Tags": [{"Key": T.DOMAIN_TAG, "Value": other}]}]},
        {"ResourceARNList": ANY})
    rgt.add_response("untag_resources", {"FailedResourcesMap": {}},
                     {"ResourceARNList": [JOB + "a"], "TagKeys": [T.DOMAIN_TAG]})
    with rgt, stubs["sts"]:
        done = rollback_change(CTX, applied["change_id"], store=store, dry_run=False,
                               session=session)
    statuses = {i["arn"].rsplit("/", 1)[1]: i["status"] for i in done["items"]}
    assert statuses == {"a": "untagged", "b": "changed-since"}


def test_rollback_refuses_other_change_kinds(store):
    store.write({"id": store.new_id(), "kind": "apply", "status": "succeeded"})
    cid = store.list()[0]["id"]
    with pytest.raises(BackfillError) as info:
        rollback_change(CTX, cid, store=store)
    assert info.value.reason == "not-a-tag-change"
    with pytest.raises(BackfillError) as info:
        rollback_change(CTX, "../../etc/passwd", store=store)
    assert info.value.reason == "audit"


def test_bad_plan_and_missing_store():
    with pytest.raises(BackfillError) as info:
        apply_plan(CTX, {"kind": "nope"})
    assert info.value.reason == "bad-plan"
    with pytest.raises(BackfillError) as info:
        apply_plan(CTX, _plan(["a"]), dry_run=False, store=None)
    assert info.value.reason == "audit"


# -- CLI: tags backfill / rollback -------------------------------------------------------------


def _cli(argv):
    import io

    from sagemaker_isolation_ext.cli.entry import main

    out = io.StringIO()
    code = main(argv, out)
    return code, out.getvalue()


def test_cli_backfill_dry_run_yes_and_rollback(demo_account, moto_server, tmp_path):
    import json

    audit = tmp_path / "audit"
    common = ["--endpoint-url", moto_server, "--region", "us-east-1",
              "--metadata-path", str(tmp_path / "none")]
    job = _untagged(demo_account, "training-job")
    code, text = _cli(["tags", "backfill", "--domain-id", "d-ml-research", "--resource-arn", job,
                       *common, "--audit-dir", str(audit)])
    assert code == 0 and "Dry run" in text and "would-tag" in text
    assert T.DOMAIN_TAG not in _tags(moto_server, job)
    code, text = _cli(["tags", "backfill", "--domain-id", "d-ml-research", "--resource-arn", job,
                       "--yes", "--format", "json", *common, "--audit-dir", str(audit)])
    result = json.loads(text)
    assert code == 0 and result["status"] == "succeeded"
    assert _tags(moto_server, job)[T.DOMAIN_TAG].endswith("domain/d-ml-research")
    cid = result["change_id"]
    code, text = _cli(["tags", "rollback", "--change", cid, *common, "--audit-dir", str(audit)])
    assert code == 0 and "would-untag" in text
    code, text = _cli(["tags", "rollback", "--change", cid, "--yes", *common,
                       "--audit-dir", str(audit)])
    assert code == 0 and "succeeded" in text
    assert T.DOMAIN_TAG not in _tags(moto_server, job)
    code, _ = _cli(["tags", "rollback", "--change", cid, "--yes", *common,
                    "--audit-dir", str(audit)])
    assert code == 3  # already rolled back


def test_cli_backfill_conflict_and_bad_plans(demo_account, moto_server, tmp_path):
    common = ["--endpoint-url", moto_server, "--region", "us-east-1",
              "--metadata-path", str(tmp_path / "none"), "--audit-dir", str(tmp_path / "a")]
    prod_model = next(a for a in demo_account["resources"]["ml-prod"] if ":model/" in a)
    code, text = _cli(["tags", "backfill", "--domain-id", "d-ml-research", "--resource-arn",
                       prod_model, "--yes", *common])
    assert code == 1 and "conflict" in text
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _ = _cli(["tags", "backfill", "--domain-id", "d-ml-research", "--plan", str(bad),
                    *common])
    assert code == 3
    code, _ = _cli(["tags", "backfill", "--domain-id", "d-ml-research", "--plan",
                    str(tmp_path / "missing.json"), *common])
    assert code == 3
    research = demo_account["domains"]["ml-research"]
    plan = T.build_plan(_domain_ref(research), [], created_at="t", arns=[prod_model])
    other = tmp_path / "other.json"
    other.write_text(T.dump_plan(plan))
    code, _ = _cli(["tags", "backfill", "--domain-id", "d-ml-prod", "--plan", str(other),
                    *common])
    assert code == 3  # a plan for another domain
    code, _ = _cli(["tags", "backfill", "--domain-id", "d-ml-research", *common])
    assert code == 3  # neither --plan nor --resource-arn
    code, _ = _cli(["tags", "rollback", "--change", "nope", *common])
    assert code == 3
