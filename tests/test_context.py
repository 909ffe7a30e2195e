"""resolve_context on the six real metadata shapes, plus env / explicit overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_isolation_ext.aws.target import AwsContext, ContextError, resolve_context

CASES = json.loads(
    (Path(__file__).parent / "cases" / "resource_metadata_examples.json").read_text()
)
EXAMPLES = {e["id"]: e["content"] for e in CASES["examples"]}


@pytest.fixture
def no_region_env(aws_env, monkeypatch):
    """No Region anywhere: not in the env, not in an AWS config file."""
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    return {}


def write_meta(tmp_path: Path, content) -> Path:
    p = tmp_path / "resource-metadata.json"
    p.write_text(content if isinstance(content, str) else json.dumps(content))
    return p


def test_all_six_examples_are_covered():
    assert set(EXAMPLES) == {
        "awsdocs-studio-classic-kernelgateway",
        "datawrangler-docstring-kernelgateway",
        "kernel-wrapper-test-kernelgateway-space",
        "smus-jupyter-server-extension-test-jupyterlab",
        "sagemaker-studio-sdk-test-jupyterlab",
        "awsdocs-notebook-instance",
    }


def test_studio_classic_kernelgateway_region_from_resource_arn(tmp_path, no_region_env):
    meta = write_meta(tmp_path, EXAMPLES["awsdocs-studio-classic-kernelgateway"])
    ctx = resolve_context(metadata_path=meta, environ={})
    assert ctx.domain_id == "d-xxxxxxxxxxxx"
    assert ctx.user_profile_name == "profile-name"
    assert ctx.space_name is None
    assert ctx.app_type == "KernelGateway"
    assert ctx.execution_role_arn is None
    assert ctx.region == "us-east-2"  # only the ResourceArn has one
    assert ctx.source == "studio-metadata"
    assert "metadata ResourceArn" in ctx.detail


def test_datawrangler_unparsable_arn_uses_aws_region(tmp_path, aws_env):
    meta = write_meta(tmp_path, EXAMPLES["datawrangler-docstring-kernelgateway"])
    ctx = resolve_context(metadata_path=meta, environ={"AWS_REGION": "eu-west-1"})
    assert ctx.domain_id == "d-wbkeatwf4ga6"
    assert ctx.user_profile_name == "default-1607568379370"
    assert ctx.region == "eu-west-1"
    assert ctx.resource_arn is None  # "some arn" is not an ARN


def test_datawrangler_without_any_region_is_a_context_error(tmp_path, no_region_env):
    meta = write_meta(tmp_path, EXAMPLES["datawrangler-docstring-kernelgateway"])
    with pytest.raises(ContextError) as err:
        resolve_context(metadata_path=meta, environ={})
    assert err.value.reason == "no-region"
    assert "--region" in str(err.value)


def test_kernelgateway_shared_space_shape(tmp_path, no_region_env):
    meta = write_meta(tmp_path, EXAMPLES["kernel-wrapper-test-kernelgateway-space"])
    ctx = resolve_context(metadata_path=meta, environ={})
    assert ctx.domain_id == "d-fnytsoocmwo1"
    assert ctx.space_name == "my_space"
    assert ctx.user_profile_name is None
    assert ctx.execution_role_arn == "arn:aws:iam::111122223333:role/service-role/test-exec-role"
    assert ctx.region == "us-east-1"


def test_unified_studio_jupyterlab_space(tmp_path, no_region_env):
    meta = write_meta(tmp_path, EXAMPLES["smus-jupyter-server-extension-test-jupyterlab"])
    ctx = resolve_context(metadata_path=meta, environ={})
    assert ctx.domain_id == "d-1234567890ab"
    assert ctx.app_type == "JupyterLab"
    assert ctx.space_name.startswith("default-12345abc")
    assert ctx.execution_role_arn == "arn:aws:iam::111122223333:role/Admin"
    assert ctx.region == "us-west-2"
    assert ctx.resource_arn.startswith("arn:aws:sagemaker:us-west-2:")


def test_bogus_domain_id_in_metadata_is_a_context_error(tmp_path, aws_env):
    meta = write_meta(tmp_path, EXAMPLES["sagemaker-studio-sdk-test-jupyterlab"])
    with pytest.raises(ContextError) as err:
        resolve_context(metadata_path=meta, environ={"AWS_REGION": "us-east-1"})
    assert err.value.reason == "bad-domain-id"
    assert "bogus_domain_id_sm_space" in str(err.value)


def test_explicit_domain_wins_and_drops_other_domains_app_fields(tmp_path, aws_env):
    meta = write_meta(tmp_path, EXAMPLES["sagemaker-studio-sdk-test-jupyterlab"])
    ctx = resolve_context(domain_id="d-abc123", metadata_path=meta,
                          environ={"AWS_REGION": "us-east-1"}, explicit_source="config")
    assert ctx.domain_id == "d-abc123"
    assert ctx.source == "config"
    assert ctx.user_profile_name is None and ctx.space_name is None
    assert "another domain" in ctx.detail


def test_notebook_instance_is_not_a_domain(tmp_path, aws_env):
    meta = write_meta(tmp_path, EXAMPLES["awsdocs-notebook-instance"])
    with pytest.raises(ContextError) as err:
        resolve_context(metadata_path=meta, environ={"AWS_REGION": "us-east-1"})
    assert err.value.reason == "notebook-instance"
    assert "notebook instance" in str(err.value)


def test_notebook_instance_arn_shape_detected(tmp_path, aws_env):
    meta = write_meta(tmp_path, {
        "ResourceArn": "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb1",
        "ResourceName": "nb1",
    })
    with pytest.raises(ContextError) as err:
        resolve_context(metadata_path=meta, environ={})
    assert err.value.reason == "notebook-instance"


def test_notebook_instance_with_explicit_domain_is_fine(tmp_path, aws_env):
    meta = write_meta(tmp_path, EXAMPLES["awsdocs-notebook-instance"])
    ctx = resolve_context(domain_id="d-abc123", region="us-east-1", metadata_path=meta)
    assert ctx.domain_id == "d-abc123" and ctx.source == "cli"


def test_region_precedence_explicit_then_aws_region_then_default(tmp_path, aws_env):
    meta = write_meta(tmp_path, EXAMPLES["smus-jupyter-server-extension-test-jupyterlab"])
    env = {"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "ap-south-1"}
    assert resolve_context(metadata_path=meta, environ=env).region == "eu-central-1"
    assert resolve_context(metadata_path=meta, environ=env, region="sa-east-1").region == \
        "sa-east-1"
    only_default = {"AWS_DEFAULT_REGION": "ap-south-1"}
    assert resolve_context(metadata_path=meta, environ=only_default).region == "ap-south-1"


def test_region_from_boto3_config_chain_before_resource_arn(tmp_path, no_region_env, monkeypatch):
    cfg = tmp_path / "aws-config"
    cfg.write_text("[default]\nregion = ca-central-1\n[profile team]\nregion = eu-north-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    meta = write_meta(tmp_path, EXAMPLES["smus-jupyter-server-extension-test-jupyterlab"])
    assert resolve_context(metadata_path=meta, environ={}).region == "ca-central-1"
    ctx = resolve_context(metadata_path=meta, environ={}, profile="team")
    assert ctx.region == "eu-north-1" and ctx.profile == "team"


def test_unknown_profile_is_a_clear_context_error(tmp_path, no_region_env):
    with pytest.raises(ContextError) as err:
        resolve_context(domain_id="d-abc123", profile="nope", metadata_path=None, environ={})
    assert err.value.reason == "bad-profile" and "nope" in str(err.value)


def test_outside_studio_without_domain(tmp_path, aws_env):
    with pytest.raises(ContextError) as err:
        resolve_context(metadata_path=tmp_path / "absent.json")
    assert err.value.reason == "no-domain"
    assert "--domain-id" in str(err.value)


def test_metadata_path_none_skips_the_file(aws_env):
    with pytest.raises(ContextError) as err:
        resolve_context(metadata_path=None)
    assert err.value.reason == "no-domain"


@pytest.mark.parametrize("content, fragment", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected an object"),
])
def test_malformed_metadata(tmp_path, aws_env, content, fragment):
    meta = write_meta(tmp_path, content)
    with pytest.raises(ContextError) as err:
        resolve_context(metadata_path=meta)
    assert err.value.reason == "bad-metadata" and fragment in str(err.value)
    # an explicit domain still works, and says the file was ignored
    ctx = resolve_context(domain_id="d-abc123", metadata_path=meta)
    assert "metadata ignored" in ctx.detail


@pytest.mark.parametrize("bad", ["abc", "D-ABC", "d-", "d-ab_c", "arn:aws:sagemaker:x"])
def test_bad_explicit_domain_id(aws_env, bad):
    with pytest.raises(ContextError) as err:
        resolve_context(domain_id=bad, metadata_path=None)
    assert err.value.reason == "bad-domain-id"


def test_bad_region(aws_env):
    with pytest.raises(ContextError) as err:
        resolve_context(domain_id="d-abc123", region="mars-1", metadata_path=None)
    assert err.value.reason == "bad-region"


def test_endpoint_and_json_shape(aws_env):
    ctx = resolve_context(domain_id="d-abc123", endpoint_url="http://127.0.0.1:5000",
                          metadata_path=None)
    assert isinstance(ctx, AwsContext)
    data = ctx.to_json()
    assert data["endpoint_url"] == "http://127.0.0.1:5000"
    assert data["region"] == "us-east-1"
    assert set(data) >= {"domain_id", "region", "profile", "endpoint_url", "source", "detail",
                         "user_profile_name", "space_name", "execution_role_arn", "app_type"}


def test_metadata_domain_matching_explicit_keeps_app_fields(tmp_path, aws_env):
    meta = write_meta(tmp_path, EXAMPLES["kernel-wrapper-test-kernelgateway-space"])
    ctx = resolve_context(domain_id="d-fnytsoocmwo1", metadata_path=meta)
    assert ctx.space_name == "my_space" and ctx.source == "cli"


# -- robustness: any metadata file gives an AwsContext or a ContextError ------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_VALUES = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.sampled_from(
    ["d-abc123", "arn:aws:sagemaker:us-east-1:111122223333:app/d-abc123/x/JupyterLab/default",
     "arn:aws:iam::111122223333:role/r", ":::::",
     "arn:aws:sagemaker:us-east-1:1:notebook-instance/n"]
)
_META = st.dictionaries(
    st.sampled_from(["DomainId", "UserProfileName", "SpaceName", "ExecutionRoleArn", "AppType",
                     "ResourceArn", "ResourceName", "AppImageVersion", "Other"]),
    _VALUES | st.lists(_VALUES, max_size=2) | st.dictionaries(st.text(max_size=3), _VALUES,
                                                              max_size=2),
    max_size=6,
) | st.lists(_VALUES, max_size=3) | _VALUES


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=_META)
def test_any_metadata_gives_context_or_context_error(tmp_path, aws_env, meta):
    path = write_meta(tmp_path, meta)
    try:
        ctx = resolve_context(metadata_path=path, environ={"AWS_REGION": "us-east-1"})
    except ContextError as e:
        assert e.reason in {"no-domain", "notebook-instance", "bad-metadata", "bad-domain-id"}
        return
    assert isinstance(meta, dict) and ctx.domain_id == meta["DomainId"]
    assert ctx.source == "studio-metadata"


# -- where the check runs: AwsContext.environment (reach issue) ---------------------------------

# Every example of the shared cases file, with the environment it must be detected as.
EXPECTED_ENVIRONMENT = {
    "awsdocs-studio-classic-kernelgateway": ("studio-classic", "KernelGateway"),
    "datawrangler-docstring-kernelgateway": ("studio-classic", "KernelGateway"),
    "kernel-wrapper-test-kernelgateway-space": ("studio-classic", "KernelGateway"),
    "smus-jupyter-server-extension-test-jupyterlab": ("studio-space", "JupyterLab"),
    "sagemaker-studio-sdk-test-jupyterlab": ("studio-space", "JupyterLab"),
    "awsdocs-notebook-instance": ("notebook-instance", None),
}


def test_every_metadata_example_has_an_expected_environment():
    assert set(EXPECTED_ENVIRONMENT) == set(EXAMPLES)


@pytest.mark.parametrize("example_id", sorted(EXPECTED_ENVIRONMENT))
def test_environment_of_each_metadata_example(tmp_path, aws_env, example_id):
    """With an explicit domain every shape resolves, and says where it runs."""
    meta = write_meta(tmp_path, EXAMPLES[example_id])
    ctx = resolve_context(domain_id="d-abc123", metadata_path=meta,
                          environ={"AWS_REGION": "us-east-1"})
    environment, app_type = EXPECTED_ENVIRONMENT[example_id]
    assert ctx.environment == environment
    assert ctx.to_json()["environment"] == environment
    if example_id == "awsdocs-notebook-instance":
        assert "not in a domain" in ctx.environment_detail
    else:
        from sagemaker_isolation_ext.aws.target import detect_environment

        assert detect_environment(EXAMPLES[example_id], {})[2] == app_type


def test_studio_classic_jupyterserver_app(tmp_path, aws_env):
    """The JupyterServer app (Studio Classic's JupyterLab 3 UI), shape of the AWS doc's example."""
    meta = write_meta(tmp_path, {
        "AppType": "JupyterServer", "DomainId": "d-xxxxxxxxxxxx", "UserProfileName": "alice",
        "ResourceArn": "arn:aws:sagemaker:us-east-2:111122223333:app/d-xxxxxxxxxxxx/alice/"
                       "JupyterServer/default",
        "ResourceName": "default", "AppImageVersion": "",
    })
    ctx = resolve_context(metadata_path=meta, environ={})
    assert ctx.environment == "studio-classic" and ctx.app_type == "JupyterServer"
    assert ctx.environment_detail == (
        "Studio Classic JupyterServer app (JupyterLab 3) of user profile 'alice'"
    )
    assert ctx.user_profile_name == "alice" and ctx.domain_id == "d-xxxxxxxxxxxx"


def test_kernelgateway_in_a_shared_space_names_the_space(tmp_path, no_region_env):
    meta = write_meta(tmp_path, EXAMPLES["kernel-wrapper-test-kernelgateway-space"])
    ctx = resolve_context(metadata_path=meta, environ={})
    assert ctx.environment_detail == "Studio Classic KernelGateway app of space 'my_space'"


def test_code_editor_space_from_metadata(tmp_path, aws_env):
    meta = write_meta(tmp_path, {
        "AppType": "CodeEditor", "DomainId": "d-abc123", "SpaceName": "bob-code",
        "ExecutionRoleArn": "arn:aws:iam::111122223333:role/BobRole",
        "ResourceArn": "arn:aws:sagemaker:eu-west-1:111122223333:app/d-abc123/bob-code/"
                       "CodeEditor/default",
    })
    ctx = resolve_context(metadata_path=meta, environ={})
    assert (ctx.environment, ctx.app_type, ctx.space_name) == (
        "studio-space", "CodeEditor", "bob-code")
    assert ctx.execution_role_arn == "arn:aws:iam::111122223333:role/BobRole"
    assert ctx.environment_detail == "Studio Code Editor space 'bob-code'"


@pytest.mark.parametrize("env, expected", [
    ({"SAGEMAKER_APP_TYPE": "CodeEditor"}, "CodeEditor"),
    ({"SAGEMAKER_APP_TYPE": "JupyterLab"}, "JupyterLab"),
    ({"SAGEMAKER_APP_TYPE_LOWERCASE": "jupyterlab"}, "JupyterLab"),
    ({"SAGEMAKER_APP_TYPE_LOWERCASE": "codeeditor"}, "CodeEditor"),
])
def test_app_type_from_environment_when_metadata_has_none(tmp_path, aws_env, env, expected):
    meta = write_meta(tmp_path, {"DomainId": "d-abc123", "SpaceName": "s1",
                                 "ResourceArn": "arn:aws:sagemaker:us-east-1:111122223333:app/"
                                                "d-abc123/s1/x/default"})
    ctx = resolve_context(metadata_path=meta, environ={"AWS_REGION": "us-east-1", **env})
    assert ctx.app_type == expected and ctx.environment == "studio-space"


def test_metadata_app_type_wins_over_environment(tmp_path, aws_env):
    meta = write_meta(tmp_path, EXAMPLES["awsdocs-studio-classic-kernelgateway"])
    ctx = resolve_context(metadata_path=meta,
                          environ={"AWS_REGION": "us-east-1", "SAGEMAKER_APP_TYPE": "JupyterLab"})
    assert ctx.app_type == "KernelGateway" and ctx.environment == "studio-classic"
    assert "SAGEMAKER_APP_TYPE says JupyterLab" in ctx.environment_detail


def test_unknown_app_type_is_kept_as_studio(tmp_path, aws_env):
    meta = write_meta(tmp_path, {"AppType": "Canvas", "DomainId": "d-abc123",
                                 "UserProfileName": "u"})
    ctx = resolve_context(metadata_path=meta, environ={"AWS_REGION": "us-east-1"})
    assert ctx.environment == "studio" and ctx.app_type == "Canvas"
    assert "'Canvas'" in ctx.environment_detail


def test_local_machine_profile_and_region_from_aws_config(tmp_path, no_region_env, monkeypatch):
    cfg = tmp_path / "aws-config"
    cfg.write_text("[default]\nregion = ca-central-1\n[profile ml]\nregion = ap-northeast-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    ctx = resolve_context(domain_id="d-abc123", profile="ml",
                          metadata_path=tmp_path / "absent.json", environ={})
    assert (ctx.environment, ctx.region, ctx.profile) == ("local", "ap-northeast-1", "ml")
    assert "AWS config (boto3)" in ctx.detail
    ctx = resolve_context(domain_id="d-abc123", metadata_path=None,
                          environ={"AWS_PROFILE": "ml"})
    assert ctx.environment == "local" and "'ml' (AWS_PROFILE)" in ctx.environment_detail
    assert ctx.region == "ca-central-1"  # boto3 chain for the default profile here


def test_app_type_env_without_metadata_is_not_a_domain(tmp_path, aws_env):
    env = {"AWS_REGION": "us-east-1", "SAGEMAKER_APP_TYPE": "JupyterLab"}
    with pytest.raises(ContextError) as err:
        resolve_context(metadata_path=tmp_path / "absent.json", environ=env)
    assert err.value.reason == "no-domain"
    ctx = resolve_context(domain_id="d-abc123", metadata_path=tmp_path / "absent.json",
                          environ=env)
    assert ctx.environment == "local" and "no Studio metadata" in ctx.environment_detail


def test_unreadable_metadata_with_explicit_domain_says_so(tmp_path, aws_env):
    meta = write_meta(tmp_path, "{broken")
    ctx = resolve_context(domain_id="d-abc123", metadata_path=meta)
    assert ctx.environment == "studio" and "unusable" in ctx.environment_detail
