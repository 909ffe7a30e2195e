"""Simulator requests and ``aws iam`` commands, checked against botocore's IAM service model."""

from __future__ import annotations

import json
import shlex

import botocore.session
import pytest
from botocore.validate import ParamValidator

from sagemaker_isolation_ext.sagemaker import simulator_commands as sc
from tests.witness_fixtures import (
    ACCOUNT,
    OTHER,
    ROLE,
    offline_snapshot,
    report,
    role_json,
    witness,
)

MODEL = botocore.session.get_session().get_service_model("iam")


def _xform(name: str) -> str:
    from botocore import xform_name

    return "--" + xform_name(name, "-")


def _validate(operation: str, params: dict) -> None:
    shape = MODEL.operation_model(operation).input_shape
    errors = ParamValidator().validate(params, shape)
    assert not errors.has_errors(), errors.generate_report()


def _parse_command(cmd: str, operation: str) -> dict:
    """Parse a command back into boto3 parameters using the model (the AWS CLI's rules: one
    argument per list item, JSON for an argument starting with '[')."""
    argv = shlex.split(cmd)
    assert argv[:3] == ["aws", "iam", sc._CLI_OPERATION[operation]]
    members = MODEL.operation_model(operation).input_shape.members
    by_option = {_xform(n): n for n in members}
    params: dict = {}
    current = None
    for arg in argv[3:]:
        if arg.startswith("--"):
            assert arg in by_option, f"{arg} is not a parameter of {operation}"
            current = by_option[arg]
            params[current] = []
            continue
        params[current].append(arg)
    out = {}
    for name, values in params.items():
        shape = members[name]
        if shape.type_name == "list" and values and values[0].startswith("["):
            out[name] = json.loads(values[0])
        elif shape.type_name == "list":
            out[name] = values
        else:
            (out[name],) = values
    return out


def test_cli_options_are_the_model_members_kebab_cased():
    for operation in sc._CLI_OPERATION:
        assert sc._CLI_OPERATION[operation] == _xform(operation)[2:]
    members = set(MODEL.operation_model("SimulateCustomPolicy").input_shape.members) | set(
        MODEL.operation_model("SimulatePrincipalPolicy").input_shape.members
    )
    for name, option in sc._CLI_OPTION.items():
        assert name in members
        assert option == _xform(name)


def test_context_key_types_are_the_api_enum():
    enum = MODEL.shape_for("ContextKeyTypeEnum").enum
    assert sorted(sc.CONTEXT_KEY_TYPES) == sorted(enum)


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("aws:ResourceTag/sagemaker:domain-arn", OTHER, "string"),
        ("aws:PrincipalAccount", ACCOUNT, "string"),
        ("aws:SourceIp", "203.0.113.7", "ip"),
        ("aws:SourceIp", ["203.0.113.7", "10.0.0.0/8"], "ipList"),
        ("aws:CurrentTime", "2026-12-06T20:00:00Z", "date"),
        ("aws:MultiFactorAuthAge", "300", "numeric"),
        ("aws:SecureTransport", True, "boolean"),
        ("aws:TagKeys", ["sagemaker:domain-arn"], "stringList"),
        ("aws:TagKeys", "sagemaker:domain-arn", "stringList"),
        ("sagemaker:MaxRuntimeInSeconds", 3600, "numeric"),
        ("sagemaker:VolumeKmsKey", ["a", "b"], "stringList"),
        ("sagemaker:DirectInternetAccess", False, "boolean"),
    ],
)
def test_context_key_type(key, value, expected):
    assert sc.context_key_type(key, value) == expected
    assert expected in MODEL.shape_for("ContextKeyTypeEnum").enum


def test_context_entries_values_are_strings():
    entries = sc.context_entries({"aws:SecureTransport": True, "aws:EpochTime": 5, "x": None})
    assert entries == [
        {"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"],
         "ContextKeyType": "boolean"},
        {"ContextKeyName": "aws:EpochTime", "ContextKeyValues": ["5"], "ContextKeyType": "numeric"},
    ]


def test_principal_request_is_valid_for_the_model_and_carries_the_witness():
    w = witness("sagemaker:DeleteEndpoint")
    params = sc.principal_policy_request(w)
    _validate("SimulatePrincipalPolicy", params)
    assert params["PolicySourceArn"] == ROLE
    assert params["ActionNames"] == ["sagemaker:DeleteEndpoint"]
    assert params["ResourceArns"] == [w["resource"]]
    names = {e["ContextKeyName"]: e for e in params["ContextEntries"]}
    # Resource tags travel as aws:ResourceTag/... context entries (the simulator has no tags).
    assert names["aws:ResourceTag/sagemaker:domain-arn"]["ContextKeyValues"] == [OTHER]
    assert set(names) == set(w["context"])


def test_star_resource_is_left_out():
    w = witness("sagemaker:ListDomains")
    w["resource"] = "*"
    w["context"] = {}
    params = sc.principal_policy_request(w)
    assert "ResourceArns" not in params and "ContextEntries" not in params
    _validate("SimulatePrincipalPolicy", params)


def test_custom_request_is_valid_for_the_model():
    w = witness("sagemaker:DeleteEndpoint")
    params = sc.custom_policy_request(w, [{"Version": "2012-10-17", "Statement": []}], ["{}"])
    _validate("SimulateCustomPolicy", params)
    assert json.loads(params["PolicyInputList"][0])["Version"] == "2012-10-17"
    assert params["PermissionsBoundaryPolicyInputList"] == ["{}"]
    assert "PermissionsBoundaryPolicyInputList" not in sc.custom_policy_request(w, ["{}"])


def test_principal_command_round_trips_to_the_request():
    w = witness("sagemaker:DeleteEndpoint", name="it's $HOME; rm -rf")  # hostile characters
    cmd = sc.principal_policy_command(w)
    assert "\n" not in cmd
    parsed = _parse_command(cmd, "SimulatePrincipalPolicy")
    assert parsed == sc.principal_policy_request(w)
    _validate("SimulatePrincipalPolicy", parsed)


def test_custom_command_reads_files_and_round_trips():
    w = witness("sagemaker:DeleteEndpoint")
    cmd = sc.custom_policy_command(w, ["leaky_studio.json"], ["Boundary.json"])
    parsed = _parse_command(cmd, "SimulateCustomPolicy")
    assert parsed["PolicyInputList"] == ["file://leaky_studio.json"]
    assert parsed["PermissionsBoundaryPolicyInputList"] == ["file://Boundary.json"]
    _validate("SimulateCustomPolicy", parsed)


def test_add_commands_live_and_offline():
    live = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    assert sc.add_simulator_commands(live) == 1
    cmd = live["roles"][0]["cross_domain"][0]["witness"]["simulator_command"]
    assert cmd.startswith("aws iam simulate-principal-policy --policy-source-arn " + ROLE)

    off = report([role_json(None, ["sagemaker:DeleteEndpoint"], name="policy-files")])
    assert sc.add_simulator_commands(off, offline_snapshot()) == 1
    cmd = off["roles"][0]["cross_domain"][0]["witness"]["simulator_command"]
    assert "simulate-custom-policy --policy-input-list file://leaky_studio.json " in cmd
    assert "--permissions-boundary-policy-input-list file://Boundary.json" in cmd
    assert off["aws_confirmation"]["policy_files"] == [
        {"file": "leaky_studio.json", "policy": "leaky studio", "kind": "identity"},
        {"file": "Boundary.json", "policy": "Boundary", "kind": "boundary"},
    ]


def test_entries_without_witness_are_left_alone():
    rep = report([role_json(ROLE, ["sagemaker:DeleteEndpoint"])])
    del rep["roles"][0]["cross_domain"][0]["witness"]
    assert sc.add_simulator_commands(rep) == 0
    conf = sc.mark_unconfirmed(rep, None, "not-live")
    assert conf["status"] == "no-witnesses" and conf["calls"] == 0
