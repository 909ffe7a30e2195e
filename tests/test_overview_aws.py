"""Account overview, AWS half (aws/overview.py) on the local AWS (moto + the demo plugin).

The demo account's three domains plus ``seed_overview_extras``: a domain in a second Region, a
second account entered with sts:AssumeRole, and an account into which the plugin refuses
AssumeRole.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from sagemaker_isolation_ext.aws import overview as AO
from sagemaker_isolation_ext.aws.target import AwsContext


@pytest.fixture
def fleet(overview_fleet):
    return overview_fleet


def _ctx(url):
    return AwsContext(domain_id=None, region="us-east-1", endpoint_url=url)


def test_two_regions_two_accounts_one_refusing(fleet, moto_server):
    demo, extras = fleet
    seen = []
    col = AO.collect_all_domains(_ctx(moto_server), regions=["us-east-1", "us-west-2"],
                                 accounts=extras["accounts"],
                                 progress=lambda *a: seen.append(a))
    arns = sorted(s["domain"]["arn"] for s in col.snapshots)
    expected = sorted([d["arn"] for d in demo["domains"].values()]
                      + [d["arn"] for d in extras["domains"].values()])
    assert arns == expected
    assert col.accounts[0] == demo["account_id"]
    assert col.errors == [{
        "account_id": extras["refusing_account"], "region": None,
        "operation": "sts:AssumeRole", "code": "AccessDenied",
        "message": col.errors[0]["message"]}]
    assert extras["refusing_account"] in col.errors[0]["message"]
    # Each role and managed policy read once: GetPolicy calls = distinct policies read.
    calls = col.api_calls["by_operation"]
    distinct_policies = {p for s in col.snapshots for p in s["policies"]}
    distinct_roles = {r for s in col.snapshots for r in s["roles"]}
    assert calls["iam:GetPolicy"] == len(distinct_policies)
    assert calls["iam:GetPolicyVersion"] == len(distinct_policies)
    assert calls["iam:GetRole"] == len(distinct_roles)
    # Each domain described once; ListDomains once per readable account and Region.
    assert calls["sagemaker:DescribeDomain"] == len(expected)
    assert calls["sagemaker:ListDomains"] == 4
    assert {s for s, *_ in seen} >= {"accounts", "regions", "domains"}
    assert ("domains", len(expected), len(expected)) in seen
    # The second account's domain was read with the assumed role's credentials.
    partner = next(s for s in col.snapshots if s["domain"]["name"] == "partner-lab")
    assert partner["account_id"] == extras["second_account"]
    assert all(r.startswith(f"arn:aws:iam::{extras['second_account']}:")
               for r in partner["roles"])


def test_snapshots_equal_a_check_of_each_domain_alone(fleet, moto_server):
    """The run cache changes the calls, not what a domain's snapshot says."""
    from sagemaker_isolation_ext.aws.collect import collect_snapshot

    demo, _extras = fleet
    col = AO.collect_all_domains(_ctx(moto_server))
    for snap in col.snapshots:
        alone = collect_snapshot(AwsContext(domain_id=snap["domain"]["id"], region="us-east-1",
                                            endpoint_url=moto_server))
        for key in ("domain", "user_profiles", "roles", "policies", "errors"):
            assert snap[key] == alone[key], key
        assert sorted(d["arn"] for d in snap["account_domains"]) == \
            sorted(d["arn"] for d in alone["account_domains"])


def test_org_accounts_and_a_region_that_refuses(fleet, moto_server, monkeypatch):
    from sagemaker_isolation_ext.demo.moto_plugin import REFUSED_ACCOUNTS

    org = boto3.client("organizations", region_name="us-east-1", endpoint_url=moto_server)
    org.create_organization(FeatureSet="ALL")
    made = [org.create_account(AccountName=n, Email=f"{n}@example.com")["CreateAccountStatus"]
            for n in ("one", "two")]
    ids = [m.get("AccountId") for m in made]
    if not all(ids):
        ids = [a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] in ("one", "two")]
    REFUSED_ACCOUNTS.add(ids[0])
    real = AO._list_domains

    def refusing(sm, account, region, limits):
        if region == "ap-south-2":
            raise ClientError({"Error": {"Code": "UnrecognizedClientException",
                                         "Message": "The security token included in the "
                                         "request is invalid."}}, "ListDomains")
        return real(sm, account, region, limits)

    monkeypatch.setattr(AO, "_list_domains", refusing)
    try:
        col = AO.collect_all_domains(_ctx(moto_server), regions=["us-east-1", "ap-south-2"],
                                     org=True)
    finally:
        REFUSED_ACCOUNTS.discard(ids[0])
    assert set(ids) <= set(col.accounts)
    rows = {(e["account_id"], e["region"], e["operation"], e["code"]) for e in col.errors}
    assert (ids[0], None, "sts:AssumeRole", "AccessDenied") in rows
    me = col.accounts[0]
    assert (me, "ap-south-2", "sagemaker:ListDomains", "UnrecognizedClientException") in rows
    assert (ids[1], "ap-south-2", "sagemaker:ListDomains", "UnrecognizedClientException") in rows
    assert (me, "us-east-1") in col.scopes_read and not col.nothing_read


def test_nothing_read_when_every_region_refuses(fleet, moto_server, monkeypatch):
    def refusing(*_a, **_k):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}},
                          "ListDomains")

    monkeypatch.setattr(AO, "_list_domains", refusing)
    col = AO.collect_all_domains(_ctx(moto_server))
    assert col.nothing_read and not col.snapshots and len(col.errors) == 1


def test_accounts_file(tmp_path):
    good = tmp_path / "accounts.txt"
    good.write_text("# ours\n111122223333\n\n444455556666  # lab\n111122223333\n")
    assert AO.read_accounts_file(str(good)) == ["111122223333", "444455556666"]
    bad = tmp_path / "bad.txt"
    bad.write_text("111122223333\nprod-account\n")
    with pytest.raises(AO.AccountsFileError, match="line 2"):
        AO.read_accounts_file(str(bad))
    with pytest.raises(AO.AccountsFileError, match="cannot read"):
        AO.read_accounts_file(str(tmp_path / "missing.txt"))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"hello\n\x00\xff garbage\n")
    with pytest.raises(AO.AccountsFileError, match="not UTF-8"):
        AO.read_accounts_file(str(binary))


def test_available_regions_are_botocore_s():
    regions = AO.available_regions("aws")
    assert "us-east-1" in regions and "eu-west-1" in regions
    assert all(not r.startswith("cn-") for r in regions)
    assert "cn-north-1" in AO.available_regions("aws-cn")


def test_bad_role_name_is_refused(moto_server, aws_env):
    with pytest.raises(ValueError, match="not an IAM role name"):
        AO.collect_all_domains(_ctx(moto_server), assume_role="no spaces allowed")


def test_a_region_sagemaker_does_not_serve_is_an_error_row_without_a_call(moto_server, aws_env):
    """us-fake-9 has the aws partition's Region shape but no SageMaker endpoint in botocore's
    data: one error row per account, in words, and no ListDomains sent there."""
    assert "us-fake-9" not in AO.available_regions("aws")
    col = AO.collect_all_domains(_ctx(moto_server), regions=["us-east-1", "us-fake-9"])
    (err,) = col.errors
    assert err["region"] == "us-fake-9" and err["operation"] == "sagemaker:ListDomains"
    assert err["code"] == "UnknownRegion"
    assert err["message"].startswith(
        "Region us-fake-9 is not a Region SageMaker serves in partition aws (botocore ")
    assert col.api_calls["by_operation"]["sagemaker:ListDomains"] == 1  # us-east-1 only
    assert col.scopes_read == [(col.accounts[0], "us-east-1")]
    # Only the unknown Region asked: nothing could be read (the CLI's exit 4).
    only = AO.collect_all_domains(_ctx(moto_server), regions=["us-fake-9"])
    assert only.nothing_read and only.errors[0]["code"] == "UnknownRegion"


def test_region_of_another_partition_says_which(moto_server, aws_env):
    message = AO.unknown_region_message("cn-north-1", "aws")
    assert "not a Region SageMaker serves in partition aws" in message
    assert message.endswith("it is a Region of partition aws-cn, not of the caller's credentials")
    assert AO.unknown_region_message("us-east-1", "aws") is None
    assert AO.unknown_region_message("cn-north-1", "aws-cn") is None


def test_an_html_error_page_becomes_one_line(moto_server, aws_env, monkeypatch):
    """A Region botocore knows but the endpoint answers with a web page (moto's HTTP 500 for a
    Region it does not serve): the error row says so in one line, without the page."""
    real = AO.available_regions
    monkeypatch.setattr(AO, "available_regions",
                        lambda partition="aws": [*real(partition), "us-fake-9"])
    col = AO.collect_all_domains(_ctx(moto_server), regions=["us-fake-9"], max_attempts=1)
    (err,) = col.errors
    assert err["operation"] == "sagemaker:ListDomains" and err["region"] == "us-fake-9"
    assert "<" not in err["message"] and "\n" not in err["message"]
    assert err["message"].startswith("the endpoint answered HTTP 500 with a web page, not an "
                                     "AWS error"), err


def testerror_code_message_of_pages():
    from botocore.parsers import ResponseParserError

    from sagemaker_isolation_ext.aws.collect import error_code_message

    page = ("<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
            "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error.</p>")
    exc = ClientError({"Error": {"Code": "500", "Message": page},
                       "ResponseMetadata": {"HTTPStatusCode": 500}}, "ListDomains")
    assert error_code_message(exc) == (
        "500", "the endpoint answered HTTP 500 with a web page, not an AWS error: "
        "500 Internal Server Error")
    untitled = ClientError({"Error": {"Code": "502", "Message": "<html><body>bad gateway"},
                            "ResponseMetadata": {"HTTPStatusCode": 502}}, "ListDomains")
    assert error_code_message(untitled)[1] == ("the endpoint answered HTTP 502 with a web "
                                                "page, not an AWS error")
    parser = ResponseParserError("Unable to parse response (syntax error), invalid XML "
                                 f"received:\nb'{page}'")
    assert error_code_message(parser) == (
        "ResponseParserError",
        "the endpoint answered with a web page, not an AWS error: 500 Internal Server Error")
    plain = ClientError({"Error": {"Code": "AccessDenied", "Message": "User: x is not\n"
                                   "authorized"}}, "AssumeRole")
    assert error_code_message(plain) == ("AccessDenied", "User: x is not authorized")


def test_session_region_skips_regions_sagemaker_does_not_serve():
    """The caller's session must not start in a Region without endpoints (against AWS its
    sts:GetCallerIdentity would fail and stop the whole run)."""
    assert AO.session_region(["us-fake-9", "eu-west-1", "us-east-1"]) == "eu-west-1"
    assert AO.session_region(["cn-north-1", "us-east-1"]) == "cn-north-1"  # known in aws-cn
    assert AO.session_region(["us-fake-9"]) == "us-fake-9"
    assert AO.session_region(None) is None and AO.session_region([]) is None
