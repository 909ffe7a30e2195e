"""The demo's local AWS: the Studio moto plugin, the seeded account, the launcher's wiring."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from sagemaker_isolation_ext.demo import launcher
from sagemaker_isolation_ext.demo.moto_plugin import install_studio_plugin, is_installed
from sagemaker_isolation_ext.demo.seed import isolation_policy_document

DATA = Path(__file__).resolve().parent.parent / "sagemaker_isolation_ext" / "data"


@pytest.fixture
def clients(demo_account):
    url = demo_account["endpoint_url"]
    return (boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1"),
            boto3.client("iam", endpoint_url=url, region_name="us-east-1"))


def _code(exc_info) -> str:
    return exc_info.value.response["Error"]["Code"]


# -- plugin -----------------------------------------------------------------------------------


def test_plugin_installed_and_idempotent(moto_server):
    assert is_installed()
    install_studio_plugin()  # second call is a no-op
    assert is_installed()


def test_user_profile_lifecycle(clients, demo_account):
    sm, _ = clients
    did = demo_account["prod_domain_id"]
    arn = sm.create_user_profile(DomainId=did, UserProfileName="dave",
                                 UserSettings={"ExecutionRole": "arn:aws:iam::123456789012:role/r"},
                                 Tags=[{"Key": "team", "Value": "x"}])["UserProfileArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:user-profile/{did}/dave"
    got = sm.describe_user_profile(DomainId=did, UserProfileName="dave")
    assert got["UserSettings"]["ExecutionRole"] == "arn:aws:iam::123456789012:role/r"
    assert got["Status"] == "InService" and got["UserProfileArn"] == arn
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "x"}]
    with pytest.raises(ClientError) as err:
        sm.create_user_profile(DomainId=did, UserProfileName="dave")
    assert _code(err) == "ResourceInUse"
    sm.update_user_profile(DomainId=did, UserProfileName="dave",
                           UserSettings={"ExecutionRole": "arn:aws:iam::123456789012:role/s"})
    assert sm.describe_user_profile(DomainId=did, UserProfileName="dave")["UserSettings"][
        "ExecutionRole"].endswith("role/s")
    sm.delete_user_profile(DomainId=did, UserProfileName="dave")
    with pytest.raises(ClientError) as err:
        sm.describe_user_profile(DomainId=did, UserProfileName="dave")
    assert _code(err) == "ResourceNotFound"


def test_user_profile_needs_an_existing_domain(clients):
    sm, _ = clients
    with pytest.raises(ClientError) as err:
        sm.create_user_profile(DomainId="d-nope", UserProfileName="x")
    assert _code(err) == "ResourceNotFound"


def test_list_user_profiles_filters_by_domain(clients, demo_account):
    sm, _ = clients
    research = sm.list_user_profiles(DomainIdEquals=demo_account["research_domain_id"])
    assert [p["UserProfileName"] for p in research["UserProfiles"]] == ["alice", "bob"]
    everyone = sm.list_user_profiles()["UserProfiles"]
    assert sorted(p["UserProfileName"] for p in everyone) == ["alice", "bob", "carol", "dave"]


def test_spaces_and_apps(clients, demo_account):
    sm, _ = clients
    did = demo_account["research_domain_id"]
    spaces = sm.list_spaces(DomainIdEquals=did)["Spaces"]
    assert [s["SpaceName"] for s in spaces] == ["ml-research-shared"]
    assert spaces[0]["SpaceSharingSettingsSummary"] == {"SharingType": "Shared"}
    desc = sm.describe_space(DomainId=did, SpaceName="ml-research-shared")
    assert desc["SpaceArn"].endswith(f":space/{did}/ml-research-shared")
    apps = sm.list_apps(DomainIdEquals=did)["Apps"]
    assert [(a["UserProfileName"], a["AppType"], a["AppName"]) for a in apps] == [
        ("alice", "JupyterServer", "default")]
    app = sm.describe_app(DomainId=did, UserProfileName="alice", AppType="JupyterServer",
                          AppName="default")
    # the shape the doc policy's DeleteDefaultApp statement targets
    assert app["AppArn"].endswith(f":app/{did}/alice/jupyterserver/default")
    assert sm.list_tags(ResourceArn=app["AppArn"])["Tags"][0]["Key"] == "sagemaker:domain-arn"


def test_update_domain(clients, demo_account):
    sm, _ = clients
    did = demo_account["prod_domain_id"]
    sm.update_domain(DomainId=did, DefaultUserSettings={"StudioWebPortal": "ENABLED"},
                     DefaultSpaceSettings={"ExecutionRole": "arn:aws:iam::123456789012:role/z"})
    d = sm.describe_domain(DomainId=did)
    assert d["DefaultUserSettings"]["StudioWebPortal"] == "ENABLED"
    # merged, not replaced
    assert d["DefaultUserSettings"]["ExecutionRole"] == demo_account["roles"][
        "SageMakerProdExecutionRole"]
    assert d["DefaultSpaceSettings"]["ExecutionRole"].endswith("role/z")


# -- seeded account ---------------------------------------------------------------------------


def test_seed_shape(demo_account):
    assert set(demo_account["domains"]) == {"ml-research", "ml-prod", "ml-secure"}
    r = demo_account["domains"]["ml-research"]
    assert r["id"] == demo_account["research_domain_id"] == "d-ml-research"
    assert r["user_profiles"] == {"alice": demo_account["profile_role_arn"], "bob": None}
    assert set(demo_account["roles"]) == {
        "SageMakerResearchExecutionRole", "SageMakerResearchSpaceRole",
        "SageMakerResearchAliceRole", "SageMakerProdExecutionRole",
        "SageMakerSecureExecutionRole"}
    s = demo_account["domains"]["ml-secure"]
    assert s["id"] == demo_account["secure_domain_id"] == "d-ml-secure"
    assert s["user_profiles"] == {"dave": None}


def test_managed_policy_documents_are_the_real_ones(clients, demo_account):
    _, iam = clients
    for name in ("AmazonSageMakerFullAccess", "AmazonSageMakerReadOnly"):
        arn = demo_account["policies"][name]
        pol = iam.get_policy(PolicyArn=arn)["Policy"]
        doc = iam.get_policy_version(PolicyArn=arn, VersionId=pol["DefaultVersionId"])[
            "PolicyVersion"]["Document"]
        assert doc == json.loads((DATA / "managed_policies" / f"{name}.json").read_text())


def test_isolation_policy_placeholders_filled(clients, demo_account):
    _, iam = clients
    from sagemaker_isolation_ext.sagemaker import templates

    for d in demo_account["domains"].values():
        arn = demo_account["policies"][f"StudioDomainResourceIsolationPolicy-{d['id']}"]
        doc = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
        if d["name"] == "ml-secure":  # this tool's deny template, not the doc's policy
            assert doc == templates.render(d["arn"], "deny", "studio", True)
            continue
        text = json.dumps(doc)
        assert '"domain-arn"' not in text and "app/domain-id/" not in text
        by_sid = {s["Sid"]: s for s in doc["Statement"]}
        cond = by_sid["ResourceAccessRequireDomainTag"]["Condition"]["StringEquals"]
        assert cond == {"aws:ResourceTag/sagemaker:domain-arn": d["arn"]}
        assert by_sid["DeleteDefaultApp"]["Resource"] == \
            f"arn:aws:sagemaker:*:*:app/{d['id']}/*/jupyterserver/default"
        # everything else is the doc's text
        original = json.loads((DATA / "isolation_policies" /
                               "aws-docs-studio-domain-resource-isolation.json").read_text())
        assert [s["Sid"] for s in doc["Statement"]] == [s["Sid"] for s in original["Statement"]]
        assert by_sid["CreateAPIs"] == original["Statement"][0]
        assert doc == isolation_policy_document(d["arn"], d["id"])


def test_research_default_role_has_full_access_and_doc_policy(clients, demo_account):
    _, iam = clients
    attached = iam.list_attached_role_policies(RoleName="SageMakerResearchExecutionRole")
    names = sorted(p["PolicyName"] for p in attached["AttachedPolicies"])
    assert names == ["AmazonSageMakerFullAccess",
                     "StudioDomainResourceIsolationPolicy-d-ml-research"]
    prod = iam.list_attached_role_policies(RoleName="SageMakerProdExecutionRole")
    assert [p["PolicyName"] for p in prod["AttachedPolicies"]] == [
        "StudioDomainResourceIsolationPolicy-d-ml-prod"]
    secure = iam.list_attached_role_policies(RoleName="SageMakerSecureExecutionRole")
    assert sorted(p["PolicyName"] for p in secure["AttachedPolicies"]) == [
        "AmazonSageMakerFullAccess", "StudioDomainResourceIsolationPolicy-d-ml-secure"]
    alice = iam.get_role(RoleName="SageMakerResearchAliceRole")["Role"]
    assert alice["PermissionsBoundary"]["PermissionsBoundaryArn"] == \
        demo_account["policies"]["SageMakerStudioPermissionsBoundary"]


def test_resources_tagged_per_domain_and_untagged(clients, demo_account):
    sm, _ = clients
    res = demo_account["resources"]
    assert all(len(res[k]) == 5 for k in ("ml-research", "ml-prod", "untagged"))
    for owner in ("ml-research", "ml-prod"):
        for arn in res[owner]:
            tags = sm.list_tags(ResourceArn=arn)["Tags"]
            assert tags == [{"Key": "sagemaker:domain-arn",
                             "Value": demo_account["domains"][owner]["arn"]}], arn
    for arn in res["untagged"]:
        assert sm.list_tags(ResourceArn=arn)["Tags"] == []


# -- launcher wiring --------------------------------------------------------------------------


def test_demo_environment_points_everything_at_moto():
    env = launcher.demo_environment("http://127.0.0.1:1234",
                                    base={"AWS_PROFILE": "prod", "AWS_SESSION_TOKEN": "t",
                                          "PATH": "/bin"})
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1234"
    assert env["AWS_REGION"] == "us-east-1" and env["AWS_ACCESS_KEY_ID"] == "testing"
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env
    assert env["PATH"] == "/bin"


def test_demo_jupyter_config_names_the_extension_traits():
    cfg = launcher.demo_jupyter_config("d-ml-research", "http://127.0.0.1:1", 8888, "tok",
                                       "/tmp/x", open_browser=False)
    assert cfg["SageMakerIsolationApp"] == {"domain_id": "d-ml-research", "region": "us-east-1",
                                            "endpoint_url": "http://127.0.0.1:1",
                                            "metadata_path": ""}
    assert cfg["ServerApp"]["port"] == 8888 and cfg["ServerApp"]["open_browser"] is False
    assert cfg["ServerApp"]["jpserver_extensions"]["sagemaker_isolation_ext"] is True
    assert cfg["IdentityProvider"]["token"] == "tok"
    with_overview = launcher.demo_jupyter_config(
        "d-ml-research", "http://127.0.0.1:1", 8888, "tok", "/tmp/x", open_browser=False,
        overview={"second_region": "us-west-2", "accounts": ["210987654321", "333333333333"]})
    assert with_overview["SageMakerIsolationApp"]["overview_accounts"] == [
        "210987654321", "333333333333"]
    assert with_overview["SageMakerIsolationApp"]["overview_other_accounts"] is True


def test_run_demo_launches_lab_with_config_and_stops_moto(monkeypatch, aws_env):
    """run_demo with JupyterLab replaced by a fake process: checks what it is given."""
    seen = {}

    class FakeLab:
        def __init__(self, argv, env):
            seen["argv"], seen["env"] = argv, env
            cfg_dir = Path(env["JUPYTER_CONFIG_DIR"])
            seen["config"] = json.loads((cfg_dir / "jupyter_server_config.json").read_text())
            # the seeded account is reachable at the endpoint the lab is given
            sm = boto3.client("sagemaker", endpoint_url=env["AWS_ENDPOINT_URL"],
                              region_name="us-east-1")
            seen["domain"] = sm.describe_domain(DomainId="d-ml-research")["DomainName"]

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    from sagemaker_isolation_ext.demo.server import reset_local_aws

    stopped = []
    real_start = launcher.start_local_aws

    def start():
        server, url = real_start()
        reset_local_aws(url)
        orig_stop = server.stop
        server.stop = lambda: (stopped.append(url), orig_stop())
        return server, url

    monkeypatch.setattr(launcher, "start_local_aws", start)
    monkeypatch.setattr(launcher.subprocess, "Popen", FakeLab)
    lines = []

    class Out:
        def write(self, s):
            lines.append(s)

        def flush(self):
            pass

    rc = launcher.run_demo(open_browser=False, port=18765, lab_args=("--debug",), out=Out())
    assert rc == 0
    assert seen["argv"][1:] == ["-m", "jupyterlab", "--debug"]
    assert seen["domain"] == "ml-research"
    assert seen["config"]["SageMakerIsolationApp"]["domain_id"] == "d-ml-research"
    assert seen["config"]["SageMakerIsolationApp"]["endpoint_url"] == seen["env"][
        "AWS_ENDPOINT_URL"]
    assert seen["config"]["ServerApp"]["port"] == 18765
    assert stopped == [seen["env"]["AWS_ENDPOINT_URL"]]
    text = "".join(lines)
    assert "http://127.0.0.1:18765/lab?token=" in text


# -- the demo's promise, end to end (collect -> analyze) ----------------------------------------


def test_demo_verdicts_research_defeated_prod_gap_secure_isolated(demo_account):
    """ml-research: not_isolated, naming AmazonSageMakerFullAccess; ml-prod (AWS's policy alone):
    not_isolated through its CreateAPIs statement, with a witness; ml-secure (FullAccess + the
    deny template): isolated."""
    analysis = pytest.importorskip("sagemaker_isolation_ext.sagemaker.analysis")
    from sagemaker_isolation_ext.aws.collect import collect_snapshot
    from sagemaker_isolation_ext.aws.target import resolve_context

    reports = {}
    for dname, d in demo_account["domains"].items():
        ctx = resolve_context(domain_id=d["id"], region="us-east-1",
                              endpoint_url=demo_account["endpoint_url"], metadata_path=None)
        reports[dname] = analysis.analyze(collect_snapshot(ctx))
    research, prod, secure = reports["ml-research"], reports["ml-prod"], reports["ml-secure"]
    assert research["verdict"] == "not_isolated"
    by_name = {r["name"]: r for r in research["roles"]}
    assert by_name["SageMakerResearchExecutionRole"]["verdict"] == "not_isolated"
    defeating = {a["policy"] for e in by_name["SageMakerResearchExecutionRole"]["cross_domain"]
                 if not e.get("accepted") for a in e["allowed_by"]}
    assert "AmazonSageMakerFullAccess" in defeating
    assert prod["verdict"] == "not_isolated"
    assert [r["used_by"] for r in prod["roles"]] == [
        ["domain-default", "default-space", "user-profile:carol"]]
    (prod_role,) = prod["roles"]
    leaks = [e for e in prod_role["cross_domain"] if not e["accepted"]]
    # CreateAPIs, and DeleteDefaultApp ("*" as Region: a domain with ml-prod's id in another
    # Region, reading "any-region-same-account")
    sids = {b["sid"] for e in leaks for b in e["allowed_by"]}
    assert leaks and sids == {"CreateAPIs", "DeleteDefaultApp"}
    app = next(e for e in leaks if e["action"] == "sagemaker:CreateApp")
    assert app["create_kind"] == "inside"
    assert app["witness"]["resource"].split(":", 5)[5].split("/")[1] != "d-ml-prod"
    gaps = [f for f in prod["findings"] if f["id"] == "aws-policy-gap"]
    assert sorted(f["evidence"]["sid"] for f in gaps) == ["CreateAPIs", "DeleteDefaultApp"]
    assert all(f["severity"] == "high" for f in gaps)
    assert secure["verdict"] == "isolated"
    assert [r["used_by"] for r in secure["roles"]] == [
        ["domain-default", "default-space", "user-profile:dave"]]
    assert all(e["accepted"] for r in secure["roles"] for e in r["cross_domain"])
    # ml-secure opens the new Studio (read live from DescribeDomain's DefaultUserSettings), and
    # with the studio deny template beside FullAccess every Studio flow still works.
    assert secure["domain"]["experience"] == "studio"
    assert secure["domain"]["experience_by_profile"] == {"dave": "studio"}
    (secure_role,) = secure["roles"]
    assert secure_role["experience"] == "studio"
    assert secure_role["flows"] and {f["status"] for f in secure_role["flows"]} == {"works"}
    assert {f["id"] for f in secure_role["flows"]} >= {
        "studio.create-private-space", "studio.start-jupyterlab", "studio.start-code-editor"}
    # other users' private spaces: only what no policy can restrict is left
    assert secure_role["within_domain"]["verdict"] == "partial"
    assert research["domain"]["experience"] == prod["domain"]["experience"] == "classic"


def test_serve_demo_in_process_points_the_extension_at_the_seeded_research_domain(monkeypatch):
    """What the browser tests' server config files call."""
    import os

    from traitlets.config import Config

    from sagemaker_isolation_ext.demo import launcher

    monkeypatch.setattr(os, "environ", dict(os.environ, AWS_PROFILE="someone-real"))
    # moto's backends are process-wide: start from an empty account, as a fresh server process does.
    from sagemaker_isolation_ext.demo.server import reset_local_aws, start_local_aws

    probe, url = start_local_aws()
    reset_local_aws(url)
    probe.stop()
    c = Config()
    seeded = launcher.serve_demo_in_process(c)
    try:
        app = c.SageMakerIsolationApp
        assert app.domain_id == seeded["research_domain_id"] == "d-ml-research"
        assert app.endpoint_url == seeded["endpoint_url"] == os.environ["AWS_ENDPOINT_URL"]
        assert app.region == "us-east-1" and app.metadata_path == ""
        # The overview's demo: two Regions, the second account and the refusing one.
        assert app.overview_other_accounts is True
        assert app.overview_regions == ["us-east-1", "us-west-2"]
        assert app.overview_accounts == seeded["overview"]["accounts"]
        assert "AWS_PROFILE" not in os.environ  # nothing may reach a real account
        import boto3

        sm = boto3.client("sagemaker", region_name="us-east-1")
        names = {d["DomainName"] for d in sm.list_domains()["Domains"]}
        assert {"ml-research", "ml-prod", "ml-secure"} <= names
    finally:
        seeded["local_aws"].stop()
