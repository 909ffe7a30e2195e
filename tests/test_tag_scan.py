"""Tag scan against the local AWS (moto) and botocore Stubber (aws/tag_scan.py)."""

from __future__ import annotations

import math
import threading
import time
import tracemalloc

import boto3
import pytest
from botocore.stub import Stubber

from sagemaker_isolation_ext.aws.tag_scan import (
    LIST_SPECS,
    STUDIO_TYPES,
    ScanCancelled,
    TagScanError,
    account_context,
    scan_tags,
)
from sagemaker_isolation_ext.aws.target import AwsContext
from sagemaker_isolation_ext.sagemaker import tags as T

ACCOUNT = "123456789012"  # moto's default account


def _ctx(url, domain_id, region="us-east-1"):
    return account_context(domain_id=domain_id, region=region, endpoint_url=url,
                           metadata_path=None)


# -- demo account ------------------------------------------------------------------------------


def test_demo_account_classes(demo_account, moto_server):
    research = demo_account["domains"]["ml-research"]
    result = scan_tags(_ctx(moto_server, research["id"]), rows="all", max_attempts=1)
    by_type = result["by_type"]
    for rtype in ("model", "endpoint", "experiment", "training-job"):
        assert by_type[rtype]["this_domain"] == 1, rtype
        assert by_type[rtype]["other_domain"] == 1, rtype
        assert by_type[rtype]["untagged"] == 1, rtype
    # alice and bob are research's, carol is prod's, dave is secure's (their tags, confirmed
    # with ListTags).
    assert by_type["user-profile"] == {"this_domain": 2, "other_domain": 2, "untagged": 0,
                                       "stale_domain": 0, "never_tagged_by_design": 0,
                                       "unreadable": 0}
    assert by_type["space"]["this_domain"] == 1 and by_type["space"]["other_domain"] == 2
    assert by_type["app"]["never_tagged_by_design"] == 3  # the default JupyterServer apps
    rows = {r["arn"]: r for r in result["resources"]}
    untagged_job = next(a for a in demo_account["resources"]["untagged"] if ":training-job/" in a)
    row = rows[untagged_job]
    assert row["class"] == "untagged"
    assert row["role_arn"] == research["default_user_execution_role"]
    assert row["proposal"]["domain_id"] == research["id"]
    assert row["proposal"]["evidence"] == "role"
    prod_model = next(a for a in demo_account["resources"]["ml-prod"] if ":model/" in a)
    assert rows[prod_model]["other_domain"] == "ml-prod"
    calls = result["api_calls"]
    assert calls["total"] == sum(calls["by_operation"].values())
    assert calls["by_operation"]["sagemaker:ListDomains"] == 1
    assert "training-job" in result["types_covered"]
    # ListFeatureGroups is answered by the demo's moto plugin (moto 5.2.5 lacks it).
    assert "feature-group" in result["types_covered"]
    assert "image-version" in result["types_not_covered"]


def test_demo_all_domains_view_with_verdicts(demo_account, moto_server):
    seen = []

    def verdict(domain):
        seen.append(domain.id)
        return {"verdict": "isolated" if domain.name == "ml-secure" else "not_isolated"}

    result = scan_tags(_ctx(moto_server, None), all_domains=True, rows="none",
                       verdicts=verdict, max_attempts=1)
    view = {d["domain"]["name"]: d for d in result["domains"]}
    assert set(view) == {"ml-research", "ml-prod", "ml-secure"}
    assert sorted(seen) == ["d-ml-prod", "d-ml-research", "d-ml-secure"]
    # the verdict each domain's callback gave is the one shown
    assert view["ml-secure"]["verdict"] == "isolated"
    assert view["ml-prod"]["verdict"] == view["ml-research"]["verdict"] == "not_isolated"
    # every resource tagged for one domain is foreign for each of the others
    for name, d in view.items():
        assert d["own"] > 0, name
        assert d["foreign"] == sum(o["own"] for n, o in view.items() if n != name), name
    assert view["ml-research"]["untagged"] == view["ml-prod"]["untagged"] > 0
    assert view["ml-secure"]["untagged"] == view["ml-prod"]["untagged"]
    assert result["resources"] == []


def test_unknown_domain_is_an_error(demo_account, moto_server):
    with pytest.raises(TagScanError) as info:
        scan_tags(_ctx(moto_server, "d-nosuchdomain"), max_attempts=1)
    assert info.value.reason == "domain-not-found"


# -- volume ------------------------------------------------------------------------------------


def _reset_and_domain(url, region="us-east-1", name="vol"):
    sm = boto3.client("sagemaker", region_name=region, endpoint_url=url)
    resp = sm.create_domain(DomainName=name, AuthMode="IAM",
                            DefaultUserSettings={"ExecutionRole":
                                                 f"arn:aws:iam::{ACCOUNT}:role/VolRole"},
                            SubnetIds=["subnet-1"], VpcId="vpc-1")
    return resp["DomainArn"]


def _seed_jobs(region, prefix, n, tag_value=None):
    """``n`` training jobs straight into moto's backend (fast; same state the API sees)."""
    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends[ACCOUNT][region]
    tags = [{"Key": T.DOMAIN_TAG, "Value": tag_value}] if tag_value else []
    for i in range(n):
        backend.create_training_job(
            training_job_name=f"{prefix}-{i:05d}", hyper_parameters={},
            algorithm_specification={"TrainingImage": "img", "TrainingInputMode": "File"},
            role_arn=f"arn:aws:iam::{ACCOUNT}:role/VolRole", input_data_config=[],
            output_data_config={"S3OutputPath": "s3://b/o"},
            resource_config={"InstanceType": "ml.m5.large", "InstanceCount": 1,
                             "VolumeSizeInGB": 1},
            vpc_config=None, stopping_condition={"MaxRuntimeInSeconds": 60}, tags=list(tags),
            enable_network_isolation=False, enable_inter_container_traffic_encryption=False,
            enable_managed_spot_training=False, checkpoint_config=None, debug_hook_config=None,
            debug_rule_configurations=None, tensor_board_output_config=None,
            experiment_config=None)


@pytest.fixture
def volume_account(moto_server, aws_env):
    from sagemaker_isolation_ext.demo.server import reset_local_aws

    reset_local_aws(moto_server)
    domain_arn = _reset_and_domain(moto_server)
    other = _reset_and_domain(moto_server, name="other")
    _seed_jobs("us-east-1", "mine", 1200, domain_arn)
    _seed_jobs("us-east-1", "theirs", 300, other)
    _seed_jobs("us-east-1", "loose", 1000)
    return {"url": moto_server, "domain_arn": domain_arn, "domain_id": domain_arn.rsplit("/")[-1]}


def test_volume_counts_and_call_bound(volume_account):
    ctx = _ctx(volume_account["url"], volume_account["domain_id"])
    result = scan_tags(ctx, rows="problems", max_rows=50, describe_limit=10,
                       types={"training-job", "model", "endpoint"}, max_attempts=1)
    assert result["by_type"]["training-job"] == {
        "this_domain": 1200, "other_domain": 300, "untagged": 1000, "stale_domain": 0,
        "never_tagged_by_design": 0, "unreadable": 0}
    assert len(result["resources"]) == 50
    assert result["rows_dropped"] == 1300 - 50
    ops = result["api_calls"]["by_operation"]
    assert ops["sagemaker:ListTrainingJobs"] == math.ceil(2500 / 100)
    # moto fills a GetResources page up to 99 one-tag resources (TagsPerPage 100); AWS to 100.
    assert ops["tag:GetResources"] <= math.ceil(1500 / 99) + 2
    assert ops["sagemaker:DescribeTrainingJob"] == 10  # describe_limit
    n_types = 3
    budget = T.call_budget(1500, {"training-job": 2500, "model": 0, "endpoint": 0},
                           constant=2 * n_types + 5 + 10)
    assert result["api_calls"]["total"] <= budget
    assert result["api_calls"]["total"] * 20 <= 2500  # >= 20x fewer than one ListTags each


def test_memory_flat_with_rows_none(moto_server, aws_env):
    from sagemaker_isolation_ext.demo.server import reset_local_aws

    peaks = {}
    for n in (300, 3000):
        reset_local_aws(moto_server)
        domain_arn = _reset_and_domain(moto_server)
        _seed_jobs("us-east-1", "loose", n)
        ctx = _ctx(moto_server, domain_arn.rsplit("/")[-1])
        tracemalloc.start()
        result = scan_tags(ctx, rows="none", describe_limit=0, types={"training-job"},
                           max_attempts=1)
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result["summary"]["untagged"] == n
    # 10x the resources, well under 2x the peak: pages are streamed, nothing per resource kept.
    assert peaks[3000] < 2 * peaks[300], peaks


def test_memory_per_tagged_resource_is_small(moto_server, aws_env):
    """Tagged ARNs of the type being joined are held (one string + one slot each, tag sets
    shared): measured ~130 bytes each; allowed 400."""
    from sagemaker_isolation_ext.demo.server import reset_local_aws

    peaks = {}
    for n in (500, 3000):
        reset_local_aws(moto_server)
        domain_arn = _reset_and_domain(moto_server)
        _seed_jobs("us-east-1", "tagged", n, domain_arn)
        ctx = _ctx(moto_server, domain_arn.rsplit("/")[-1])
        scan_tags(ctx, rows="none", describe_limit=0, types={"training-job"}, max_attempts=1)
        tracemalloc.start()
        result = scan_tags(ctx, rows="none", describe_limit=0, types={"training-job"},
                           max_attempts=1)
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result["summary"]["this_domain"] == n
    assert peaks[3000] - peaks[500] < 2500 * 400, peaks


def test_cancel_stops_within_a_page(volume_account):
    cancel = threading.Event()
    seen = []

    def progress(info):
        seen.append(info["api_calls"])
        if info["pages"] >= 2:
            cancel.set()

    ctx = _ctx(volume_account["url"], volume_account["domain_id"])
    started = time.monotonic()
    with pytest.raises(ScanCancelled):
        scan_tags(ctx, rows="none", cancel=cancel, progress=progress,
                  types={"training-job"}, max_attempts=1)
    assert time.monotonic() - started < 5
    # domains (3 calls) + two pages, then at most the page in flight
    assert max(seen) <= 3 + 3


def test_regions_scanned_concurrently(moto_server, aws_env):
    from sagemaker_isolation_ext.demo.server import reset_local_aws

    reset_local_aws(moto_server)
    east = _reset_and_domain(moto_server, "us-east-1", "east")
    west = _reset_and_domain(moto_server, "us-west-2", "west")
    _seed_jobs("us-east-1", "e", 150, east)
    _seed_jobs("us-west-2", "w", 120, west)
    _seed_jobs("us-west-2", "wl", 30)
    threads = set()

    def progress(info):
        threads.add((threading.current_thread().name, info["region"]))

    ctx = _ctx(moto_server, east.rsplit("/")[-1])
    result = scan_tags(ctx, all_domains=True, regions=["us-east-1", "us-west-2"], rows="none",
                       types={"training-job"}, progress=progress, max_attempts=1)
    view = {d["domain"]["name"]: d for d in result["domains"]}
    assert view["east"]["own"] == 150 and view["east"]["foreign"] == 120
    assert view["west"]["own"] == 120 and view["west"]["untagged"] == 30
    assert result["domain"]["name"] == "east"  # the --domain-id one comes first
    names = {name for name, _ in threads}
    assert len(names) >= 2 and all(n.startswith("tag-scan") for n in names)
    assert {r for _, r in threads} == {"us-east-1", "us-west-2"}


# -- Stubber -----------------------------------------------------------------------------------


class _StubSession:
    """A boto3-Session stand-in whose clients are pre-built (and stubbed)."""

    def __init__(self, clients):
        self.clients = clients
        self.region_name = "us-east-1"

    def client(self, service, **kwargs):
        return self.clients[service]


DOMAIN_ARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-stub1"


def _stubbed():
    sm = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="a",
                      aws_secret_access_key="b")
    rgt = boto3.client("resourcegroupstaggingapi", region_name="us-east-1",
                       aws_access_key_id="a", aws_secret_access_key="b")
    return sm, rgt, Stubber(sm), Stubber(rgt)


def _domain_calls(sm_stub):
    sm_stub.add_response("list_domains", {"Domains": [{"DomainId": "d-stub1",
                                                       "DomainArn": DOMAIN_ARN,
                                                       "DomainName": "stub"}]},
                         {"MaxResults": 100})
    sm_stub.add_response("describe_domain", {"DomainId": "d-stub1"}, {"DomainId": "d-stub1"})
    sm_stub.add_response("list_user_profiles", {"UserProfiles": []},
                         {"DomainIdEquals": "d-stub1", "MaxResults": 100})


CTX = AwsContext(domain_id="d-stub1", region="us-east-1", profile=None, endpoint_url=None,
                 source="cli", detail="test")


def test_get_resources_denied_means_not_covered_not_untagged():
    sm, rgt, sm_stub, rgt_stub = _stubbed()
    _domain_calls(sm_stub)
    rgt_stub.add_client_error("get_resources", "AccessDeniedException", "no tag:GetResources")
    with sm_stub, rgt_stub:
        result = scan_tags(CTX, types={"training-job"},
                           session=_StubSession({"sagemaker": sm,
                                                 "resourcegroupstaggingapi": rgt}))
    assert "AccessDeniedException" in result["types_not_covered"]["training-job"]
    assert result["summary"]["untagged"] == 0  # never "untagged" when tags were unreadable
    assert "training-job" not in result["types_covered"]


def test_list_failure_counts_tagged_only():
    sm, rgt, sm_stub, rgt_stub = _stubbed()
    _domain_calls(sm_stub)
    job = "arn:aws:sagemaker:us-east-1:111122223333:training-job/"
    rgt_stub.add_response("get_resources", {"ResourceTagMappingList": [
        {"ResourceARN": job + "a", "Tags": [{"Key": T.DOMAIN_TAG, "Value": DOMAIN_ARN}]},
        {"ResourceARN": job + "b", "Tags": [{"Key": T.DOMAIN_TAG, "Value": DOMAIN_ARN},
                                            {"Key": "team", "Value": "x"}]},
    ]}, {"ResourcesPerPage": 100, "ResourceTypeFilters": ["sagemaker:training-job"]})
    sm_stub.add_client_error("list_training_jobs", "ThrottlingException", "slow down")
    with sm_stub, rgt_stub:
        result = scan_tags(CTX, types={"training-job"}, rows="all",
                           session=_StubSession({"sagemaker": sm,
                                                 "resourcegroupstaggingapi": rgt}))
    assert result["summary"]["this_domain"] == 2
    assert "untagged ones are not" in result["types_not_covered"]["training-job"]
    assert result["api_calls"]["by_operation"]["tag:GetResources"] == 1


def test_list_domains_failure_fails_the_scan():
    sm, rgt, sm_stub, rgt_stub = _stubbed()
    sm_stub.add_client_error("list_domains", "AccessDeniedException", "denied")
    with sm_stub, rgt_stub, pytest.raises(TagScanError) as info:
        scan_tags(CTX, session=_StubSession({"sagemaker": sm, "resourcegroupstaggingapi": rgt}))
    assert info.value.reason == "list-domains-failed"
    assert info.value.code == "AccessDeniedException"


def test_specs_cover_the_issue_types():
    listed = {s.type for s in LIST_SPECS} | set(STUDIO_TYPES)
    for rtype in ("training-job", "model", "endpoint", "user-profile", "space", "app"):
        assert rtype in listed


# -- CLI: tags scan ----------------------------------------------------------------------------


def _cli(argv):
    import io

    from sagemaker_isolation_ext.cli.entry import main

    out = io.StringIO()
    code = main(argv, out)
    return code, out.getvalue()


def test_cli_scan_json_contract(demo_account, moto_server, tmp_path):
    import json

    plan_file = tmp_path / "plan.json"
    code, text = _cli(["tags", "scan", "--domain-id", "d-ml-research", "--endpoint-url",
                       moto_server, "--region", "us-east-1", "--format", "json",
                       "--plan-out", str(plan_file), "--metadata-path", str(tmp_path / "none")])
    doc = json.loads(text)
    assert {"domain", "summary", "by_type", "resources", "types_covered", "types_not_covered",
            "api_calls"} <= set(doc)
    assert set(doc["summary"]) == set(T.CLASSES)
    assert all({"arn", "type", "class", "domain_tag", "creator"} <= set(r)
               for r in doc["resources"])
    assert code == 1  # untagged and other-domain resources; every listed type read
    plan = T.load_plan(plan_file.read_text())
    assert plan["domain"]["id"] == "d-ml-research" and plan["items"]


def test_cli_scan_text_all_domains_and_errors(demo_account, moto_server, tmp_path):
    meta = ["--metadata-path", str(tmp_path / "none"), "--endpoint-url", moto_server]
    code, text = _cli(["tags", "scan", "--all-domains", "--no-verdicts", "--rows", "none",
                       *meta])
    assert "Domains:" in text and "ml-prod" in text and "verdict unknown" in text
    code, _ = _cli(["tags", "scan", "--domain-id", "d-nosuchdomain", *meta])
    assert code == 4
    code, _ = _cli(["tags", "scan", "--domain-id", "bad id", *meta])
    assert code == 3
    code, _ = _cli(["tags", "scan", "--domain-id", "d-ml-research", "--all-domains", *meta])
    assert code == 3
    code, _ = _cli(["tags", "scan", "--max-rows", "-1", "--domain-id", "d-ml-research", *meta])
    assert code == 3
    code, _ = _cli(["tags", "scan", "--all-domains", "--regions", "us-east-1,mars", *meta])
    assert code == 3
