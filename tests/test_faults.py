"""Faults of issue 13, each injected between the product and its AWS: botocore Stubber, or a
botocore ``before-call`` hook answering in place of the local AWS (moto) for one operation.

Paging that never ends, one unreadable app, expired credentials mid-scan; the server and file
faults (deep JSON, jobs kept forever, interrupted changes) are in test_faults_server.py.
"""

from __future__ import annotations

import io
import itertools

import boto3
import pytest

from sagemaker_isolation_ext.aws import tag_scan
from sagemaker_isolation_ext.aws.errors import AwsUnreachable
from sagemaker_isolation_ext.aws.paging import (
    INCOMPLETE_CODE,
    ListingIncomplete,
    PageLimits,
    bounded_pages,
    list_all,
)
from sagemaker_isolation_ext.aws.tag_scan import scan_tags
from sagemaker_isolation_ext.aws.target import AwsContext, resolve_context
from sagemaker_isolation_ext.sagemaker import findings as F
from sagemaker_isolation_ext.sagemaker import tags as T
from tests.test_tag_scan import _stubbed, _StubSession

DOMAIN_ARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-stub1"
CTX = AwsContext(domain_id="d-stub1", region="us-east-1", profile=None, endpoint_url=None,
                 source="cli", detail="test")


# -- the pager itself ----------------------------------------------------------------------------


def _pages(answers):
    """A ``fetch`` answering ``answers`` in order (the last one forever) and recording tokens."""
    it = iter(answers)
    last = {}
    asked = []

    def fetch(token):
        nonlocal last
        asked.append(token)
        last = next(it, last)
        return last

    return fetch, asked


def test_pager_stops_on_a_token_cycle():
    fetch, asked = _pages(itertools.cycle([{"Items": [1], "NextToken": "A"},
                                           {"Items": [2], "NextToken": "B"}]))
    got = list_all(fetch, operation="sagemaker:ListTrainingJobs", items_key="Items")
    assert not got.complete and got.reason == "token-repeated"
    assert asked == [None, "A", "B"]  # A -> B -> A: the third page names A again
    assert got.items == [1, 2, 1]


def test_pager_stops_after_50_consecutive_empty_pages_but_not_49():
    tokens = (f"t{i}" for i in itertools.count())
    fetch, _ = _pages({"Items": [], "NextToken": next(tokens)} for _ in range(10_000))
    got = list_all(fetch, operation="tag:GetResources", items_key="Items")
    assert (got.complete, got.reason, got.pages) == (False, "empty-pages", 50)
    # 49 empty pages, then items, then the end: a legitimate GetResources listing
    answers = [{"Items": [], "NextToken": f"e{i}"} for i in range(49)]
    answers += [{"Items": ["x"], "NextToken": "last"}, {"Items": ["y"]}]
    fetch, _ = _pages(answers)
    got = list_all(fetch, operation="tag:GetResources", items_key="Items")
    assert got.complete and got.items == ["x", "y"] and got.pages == 51


def test_pager_page_and_time_limits():
    tokens = (f"t{i}" for i in itertools.count())
    fetch, _ = _pages({"Items": [1], "NextToken": next(tokens)} for _ in range(10_000))
    got = list_all(fetch, operation="op", items_key="Items", limits=PageLimits(max_pages=7))
    assert (got.reason, got.pages) == ("page-limit", 7)
    now = [0.0]

    def clock():
        now[0] += 100.0  # every page "takes" 100 s
        return now[0]

    fetch, _ = _pages({"Items": [1], "NextToken": next(tokens)} for _ in range(10_000))
    with pytest.raises(ListingIncomplete) as info:
        list(bounded_pages(fetch, operation="op", items_key="Items", clock=clock))
    # the 4th page is the first read more than 300 s (the default) after the start
    assert info.value.reason == "time-limit" and info.value.pages == 4


def test_pager_limits_from_environment():
    lim = PageLimits.from_env({"SAGEMAKER_ISOLATION_MAX_PAGES": "10",
                               "SAGEMAKER_ISOLATION_MAX_LISTING_SECONDS": "2.5",
                               "SAGEMAKER_ISOLATION_MAX_EMPTY_PAGES": "nope"})
    assert lim == PageLimits(max_pages=10, max_seconds=2.5, max_empty_pages=50)


def test_iam_marker_listing_ends_on_is_truncated_false():
    fetch, asked = _pages([{"Items": [1], "Marker": "m1", "IsTruncated": True},
                           {"Items": [2], "Marker": "m2", "IsTruncated": False}])
    got = list_all(fetch, operation="iam:ListRolePolicies", items_key="Items", token_key="Marker")
    assert got.complete and got.items == [1, 2] and asked == [None, "m1"]


# -- tag scan (Stubber) ------------------------------------------------------------------------


def _domains(sm_stub, ids=("d-stub1",)):
    sm_stub.add_response("list_domains", {"Domains": [
        {"DomainId": d, "DomainArn": DOMAIN_ARN.replace("d-stub1", d), "DomainName": d}
        for d in ids]}, {"MaxResults": 100})
    for d in ids:
        sm_stub.add_response("describe_domain", {"DomainId": d}, {"DomainId": d})
        sm_stub.add_response("list_user_profiles", {"UserProfiles": []},
                             {"DomainIdEquals": d, "MaxResults": 100})


def _session(sm, rgt):
    return _StubSession({"sagemaker": sm, "resourcegroupstaggingapi": rgt})


def test_get_resources_same_token_on_empty_pages_ends_the_type_not_the_scan():
    sm, rgt, sm_stub, rgt_stub = _stubbed()
    _domains(sm_stub)
    params = {"ResourcesPerPage": 100, "ResourceTypeFilters": ["sagemaker:training-job"]}
    rgt_stub.add_response("get_resources", {"ResourceTagMappingList": [],
                                            "PaginationToken": "same"}, params)
    rgt_stub.add_response("get_resources", {"ResourceTagMappingList": [],
                                            "PaginationToken": "same"},
                          {**params, "PaginationToken": "same"})
    with sm_stub, rgt_stub:
        result = scan_tags(CTX, types={"training-job"}, session=_session(sm, rgt))
        rgt_stub.assert_no_pending_responses()
    why = result["types_not_covered"]["training-job"]
    assert "tag:GetResources listing incomplete (token-repeated" in why
    assert result["api_calls"]["by_operation"]["tag:GetResources"] == 2  # not 994
    assert "training-job" not in result["types_covered"]


def test_list_training_jobs_token_cycle_a_b_a_is_not_covered():
    sm, rgt, sm_stub, rgt_stub = _stubbed()
    _domains(sm_stub)
    rgt_stub.add_response("get_resources", {"ResourceTagMappingList": []},
                          {"ResourcesPerPage": 100,
                           "ResourceTypeFilters": ["sagemaker:training-job"]})
    job = {"TrainingJobName": "j", "CreationTime": "2024-01-01T00:00:00Z",
           "TrainingJobStatus": "Completed",
           "TrainingJobArn": "arn:aws:sagemaker:us-east-1:111122223333:training-job/j"}
    for token_in, token_out in ((None, "A"), ("A", "B"), ("B", "A")):
        params = {"MaxResults": 100, **({"NextToken": token_in} if token_in else {})}
        sm_stub.add_response("list_training_jobs", {"TrainingJobSummaries": [job],
                                                    "NextToken": token_out}, params)
    with sm_stub, rgt_stub:
        result = scan_tags(CTX, types={"training-job"}, describe_limit=0,
                           session=_session(sm, rgt))
        sm_stub.assert_no_pending_responses()
    assert "sagemaker:ListTrainingJobs listing incomplete (token-repeated" in \
        result["types_not_covered"]["training-job"]


def test_one_unreadable_app_does_not_hide_the_others():
    sm, rgt, sm_stub, rgt_stub = _stubbed()
    _domains(sm_stub, ("d-stub1", "d-stub2"))
    rgt_stub.add_response("get_resources", {"ResourceTagMappingList": []},
                          {"ResourcesPerPage": 100, "ResourceTypeFilters": ["sagemaker:app"]})
    prefix = "arn:aws:sagemaker:us-east-1:111122223333:app/"
    sm_stub.add_response("list_apps", {"Apps": [
        {"DomainId": "d-stub1", "UserProfileName": "u", "AppType": "KernelGateway",
         "AppName": "broken", "Status": "Failed"},
        {"DomainId": "d-stub1", "UserProfileName": "u", "AppType": "KernelGateway",
         "AppName": "gone", "Status": "Deleted"},
    ]}, {"DomainIdEquals": "d-stub1", "MaxResults": 100})
    sm_stub.add_client_error("list_tags", "ValidationException", "app is in Failed state",
                             expected_params={"ResourceArn": prefix + "d-stub1/u/kernelgateway/"
                                              "broken", "MaxResults": 100})
    sm_stub.add_response("list_apps", {"Apps": [
        {"DomainId": "d-stub2", "UserProfileName": "v", "AppType": "KernelGateway",
         "AppName": "fine", "Status": "InService"}]},
        {"DomainIdEquals": "d-stub2", "MaxResults": 100})
    sm_stub.add_response("list_tags", {"Tags": [{"Key": T.DOMAIN_TAG,
                                                 "Value": DOMAIN_ARN}]},
                         {"ResourceArn": prefix + "d-stub2/v/kernelgateway/fine",
                          "MaxResults": 100})
    with sm_stub, rgt_stub:
        result = scan_tags(CTX, types={"app"}, rows="all", session=_session(sm, rgt))
        sm_stub.assert_no_pending_responses()  # d-stub2's ListApps was called; no ListTags
        # for the Deleted app
    assert result["summary"]["unreadable"] == 1
    assert result["summary"]["this_domain"] == 1
    assert result["types_covered"] == {"app": 2}
    (row,) = [r for r in result["resources"] if r["class"] == "unreadable"]
    assert row["arn"].endswith("/broken")
    assert row["unreadable_reason"] == "sagemaker:ListTags failed: ValidationException"


def test_expired_token_stops_the_scan_at_the_first_occurrence():
    sm, rgt, sm_stub, rgt_stub = _stubbed()
    _domains(sm_stub)
    rgt_stub.add_client_error("get_resources", "ExpiredTokenException",
                              "The security token included in the request is expired")
    with sm_stub, rgt_stub, pytest.raises(AwsUnreachable) as info:
        # 18 types: before the fix each of them made another failing call.
        scan_tags(CTX, session=_session(sm, rgt))
    assert info.value.reason == "credentials-rejected"
    assert info.value.code == "ExpiredTokenException"
    assert info.value.operation == "tag:GetResources"
    assert "expired" in info.value.message
    # Stubber raises on any call it was not told about: the scan made no call after it.


# -- the same faults through the CLI, on the local AWS with one operation answered by a hook ---


def _hooked_session(hooks):
    def make(ctx):
        s = boto3.Session(region_name=ctx.region)
        for event, fn in hooks.items():
            s.events.register(event, fn)
        return s

    return make


class _Http:
    def __init__(self, status: int) -> None:
        self.status_code, self.headers, self.content, self.text = status, {}, b"", ""


def _answer(parsed, status=200):
    def hook(**kwargs):
        return _Http(status), parsed

    return hook


def _error(code, status=400, message="injected"):
    return _answer({"Error": {"Code": code, "Message": message},
                    "ResponseMetadata": {"HTTPStatusCode": status}}, status)


def _cli(argv):
    from sagemaker_isolation_ext.cli.entry import main

    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def _scan_argv(moto_server, tmp_path, *more):
    return ["tags", "scan", "--domain-id", "d-ml-research", "--endpoint-url", moto_server,
            "--region", "us-east-1", "--metadata-path", str(tmp_path / "none"), *more]


def test_cli_scan_with_a_cycling_listing_exits_2_and_writes_no_plan(
        demo_account, moto_server, tmp_path, monkeypatch, capsys):
    tokens = itertools.cycle(["A", "B"])
    monkeypatch.setattr(tag_scan, "make_session", _hooked_session({
        "before-call.sagemaker.ListTrainingJobs":
            lambda **kw: (_Http(200), {"TrainingJobSummaries": [], "NextToken": next(tokens)}),
    }))
    plan = tmp_path / "plan.json"
    code, text = _cli(_scan_argv(moto_server, tmp_path, "--plan-out", str(plan)))
    assert code == 2
    assert not plan.exists()
    assert "listing is incomplete" in capsys.readouterr().err
    assert "training-job: sagemaker:ListTrainingJobs listing incomplete" in text


def test_cli_scan_with_an_unreadable_app_exits_2(demo_account, moto_server, tmp_path,
                                                 monkeypatch):
    monkeypatch.setattr(tag_scan, "make_session", _hooked_session({
        "before-call.sagemaker.ListTags": _error("ValidationException"),
    }))
    code, text = _cli(_scan_argv(moto_server, tmp_path, "--rows", "all"))
    assert code == 2
    assert "unreadable" in text and "sagemaker:ListTags failed: ValidationException" in text


def test_cli_scan_with_expired_credentials_exits_4_after_one_failing_call(
        demo_account, moto_server, tmp_path, monkeypatch, capsys):
    calls = []

    def expired(**kwargs):
        calls.append(kwargs["model"].name)
        return _Http(400), {"Error": {"Code": "ExpiredToken", "Message": "token expired"},
                            "ResponseMetadata": {"HTTPStatusCode": 400}}

    monkeypatch.setattr(tag_scan, "make_session", _hooked_session({
        "before-call.tagging.GetResources": expired,
        "before-call.resourcegroupstaggingapi.GetResources": expired,
    }))
    code, _ = _cli(_scan_argv(moto_server, tmp_path))
    assert code == 4
    assert calls == ["GetResources"]
    assert "expired" in capsys.readouterr().err


# -- check and apply on an incomplete listing ---------------------------------------------------


def _cycling_profiles():
    tokens = itertools.cycle(["A", "B"])
    return lambda **kw: (_Http(200), {"UserProfiles": [], "NextToken": next(tokens)})


def test_check_with_cycling_user_profile_tokens_is_unknown_with_listing_incomplete(demo_account):
    from sagemaker_isolation_ext.aws.collect import collect_snapshot
    from sagemaker_isolation_ext.sagemaker.analysis import analyze

    d = demo_account["domains"]["ml-prod"]
    ctx = resolve_context(domain_id=d["id"], region="us-east-1",
                          endpoint_url=demo_account["endpoint_url"], metadata_path=None)
    whole = analyze(collect_snapshot(ctx, max_attempts=1))["verdict"]
    session = _hooked_session({"before-call.sagemaker.ListUserProfiles": _cycling_profiles()})(ctx)
    snap = collect_snapshot(ctx, session=session, max_attempts=1)
    (err,) = [e for e in snap["errors"] if e["code"] == INCOMPLETE_CODE]
    assert err["operation"] == "sagemaker:ListUserProfiles"
    assert err["target"] == d["arn"] and err["reason"] == "token-repeated"
    report = analyze(snap)
    # Never isolated from a partial listing; a domain isolated when read whole becomes unknown
    # (ml-prod is isolated in the demo as seeded; a not_isolated proof found elsewhere stays).
    assert report["verdict"] != "isolated"
    if whole == "isolated":
        assert report["verdict"] == "unknown"
    finding = F.listing_incomplete_finding(report["errors"])
    assert finding["id"] == "listing-incomplete"
    assert finding["evidence"]["listings"][0]["operation"] == "sagemaker:ListUserProfiles"
    assert F.listing_incomplete_finding([{"code": "AccessDenied"}]) is None


def test_check_stops_at_expired_credentials(demo_account):
    from sagemaker_isolation_ext.aws.collect import collect_snapshot

    d = demo_account["domains"]["ml-research"]
    ctx = resolve_context(domain_id=d["id"], region="us-east-1",
                          endpoint_url=demo_account["endpoint_url"], metadata_path=None)
    calls = []

    def expired(**kwargs):
        calls.append(1)
        return _Http(403), {"Error": {"Code": "ExpiredToken", "Message": "expired"},
                            "ResponseMetadata": {"HTTPStatusCode": 403}}

    session = _hooked_session({"before-call.iam.GetRole": expired})(ctx)
    with pytest.raises(AwsUnreachable) as info:
        collect_snapshot(ctx, session=session, max_attempts=1)
    assert info.value.reason == "credentials-rejected" and info.value.operation == "iam:GetRole"
    assert calls == [1]


def test_apply_refuses_to_plan_on_an_incomplete_listing(demo_account, monkeypatch, tmp_path,
                                                        capsys):
    from sagemaker_isolation_ext.aws import session as S

    monkeypatch.setattr(S, "make_session", _hooked_session(
        {"before-call.sagemaker.ListUserProfiles": _cycling_profiles()}))
    plan = tmp_path / "plan.json"
    code, text = _cli(["apply", "--domain-id", demo_account["domains"]["ml-research"]["id"],
                       "--region", "us-east-1", "--endpoint-url", demo_account["endpoint_url"],
                       "--audit-dir", str(tmp_path / "audit"), "--plan-out", str(plan)])
    assert code == 2
    assert not plan.exists() and text == ""
    assert "no plan is built from a partial listing" in capsys.readouterr().err
