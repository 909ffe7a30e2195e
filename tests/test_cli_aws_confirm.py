"""``check --aws-confirm/--no-aws-confirm`` and the notebook check: wiring of the AWS confirmation.

The analysis is replaced by hand-made reports carrying witnesses (issue #11 shape) so these tests
hold before and after the analysis emits witnesses; the collector is replaced by a fixture live
snapshot. AWS's simulator answers come from a botocore Stubber or from the local AWS (moto, which
answers NotImplemented through the demo plugin).
"""

from __future__ import annotations

import io
import json

import boto3
import pytest
from botocore.stub import Stubber

from sagemaker_isolation_ext.cli.entry import main
from sagemaker_isolation_ext.sagemaker.simulator_commands import principal_policy_request
from tests.witness_fixtures import ROLE, offline_snapshot, report, role_json, snapshot

ACTIONS = ["sagemaker:DeleteEndpoint", "sagemaker:UpdateEndpoint"]


def run(argv):
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


@pytest.fixture
def fake_check(monkeypatch, aws_env, tmp_path):
    """Live check whose collector returns the fixture snapshot and whose analysis returns a
    report with two witnesses. Returns the argv prefix."""
    import sagemaker_isolation_ext.aws.collect as collect
    import sagemaker_isolation_ext.sagemaker.analysis as analysis

    monkeypatch.setattr(collect, "collect_snapshot", lambda ctx, progress=None: snapshot())
    monkeypatch.setattr(
        analysis, "analyze", lambda snap, *a, **k: report([role_json(ROLE, ACTIONS)])
    )
    return ["check", "--domain-id", "d-own000000001", "--region", "us-east-1",
            "--metadata-path", str(tmp_path / "absent.json")]


@pytest.fixture
def stubbed_iam(monkeypatch, aws_env):
    import sagemaker_isolation_ext.aws.confirm as confirm

    client = boto3.client("iam", region_name="us-east-1")
    stub = Stubber(client)
    stub.activate()
    monkeypatch.setattr(confirm, "iam_client_for", lambda ctx: client)
    yield stub
    stub.deactivate()


def _allow(stub, action):
    w = report([role_json(ROLE, ACTIONS)])["roles"][0]["cross_domain"][ACTIONS.index(action)][
        "witness"]
    stub.add_response(
        "simulate_principal_policy",
        {"EvaluationResults": [{"EvalActionName": action, "EvalDecision": "allowed"}]},
        principal_policy_request(w),
    )


def test_live_check_confirms_by_default(fake_check, stubbed_iam):
    for a in ACTIONS:
        _allow(stubbed_iam, a)
    code, text = run(fake_check + ["--format", "json"])
    stubbed_iam.assert_no_pending_responses()
    rep = json.loads(text)
    assert code == 1
    assert rep["aws_confirmation"]["status"] == "checked"
    assert rep["aws_confirmation"]["confirmed"] == 2
    assert all(e["witness"]["aws"]["decision"] == "allowed"
               for e in rep["roles"][0]["cross_domain"])


def test_text_output_shows_witness_badge_and_command(fake_check, stubbed_iam):
    for a in ACTIONS:
        _allow(stubbed_iam, a)
    _code, text = run(fake_check)
    assert f"request: {ROLE} -> sagemaker:DeleteEndpoint on" in text
    assert "context: aws:ResourceTag/sagemaker:domain-arn=" in text
    assert text.count("[confirmed by AWS]") == 2
    assert "ask AWS: aws iam simulate-principal-policy --policy-source-arn" in text
    assert "AWS confirmation: AWS's policy simulator checked all 2 witnesses" in text


def test_no_aws_confirm_makes_no_call(fake_check, stubbed_iam):
    code, text = run(fake_check + ["--no-aws-confirm", "--format", "json"])  # no stub queued
    rep = json.loads(text)
    assert rep["aws_confirmation"]["status"] == "off" and rep["aws_confirmation"]["calls"] == 0
    assert all("aws" not in e["witness"] and e["witness"]["simulator_command"]
               for e in rep["roles"][0]["cross_domain"])


def test_not_allowed_is_said_once(fake_check, stubbed_iam):
    stubbed_iam.add_client_error("simulate_principal_policy", "AccessDenied", "no", 403)
    _code, text = run(fake_check)
    assert text.count("You may not use IAM's policy simulator") == 1
    assert "[confirmed by AWS]" not in text and "AWS disagrees" not in text  # no answer


def test_local_aws_cannot_confirm_quietly(fake_check, moto_server, capfd):
    _code, text = run(fake_check + ["--endpoint-url", moto_server, "--format", "json"])
    conf = json.loads(text)["aws_confirmation"]
    assert conf["status"] == "unavailable" and conf["calls"] == 1
    assert "does not implement the policy simulator" in conf["note"]
    assert "Traceback" not in "".join(capfd.readouterr())


def test_offline_check_never_calls_aws_and_shows_custom_commands(monkeypatch, tmp_path):
    import sagemaker_isolation_ext.sagemaker.analysis as analysis

    monkeypatch.setattr(
        analysis, "analyze",
        lambda snap, *a, **k: report([role_json(None, ACTIONS, name="policy-files")]),
    )
    pol = tmp_path / "leaky.json"
    pol.write_text(json.dumps(offline_snapshot()["policies"]["offline:policy/leaky studio"]
                              ["document"]))
    argv = ["check", "--domain-arn", "arn:aws:sagemaker:us-east-1:111122223333:domain/d-own0001",
            "--policy-file", str(pol)]
    _code, text = run(argv)
    assert "Offline check: nothing was sent to AWS" in text
    assert "ask AWS: aws iam simulate-custom-policy --policy-input-list file://leaky.json" in text
    assert "leaky.json: identity policy 'leaky'" in text
    code, _ = run(argv + ["--aws-confirm"])
    assert code == 3  # offline + --aws-confirm is a usage error


def test_notebook_check_offline_html_escapes_and_shows_commands(monkeypatch, tmp_path):
    import sagemaker_isolation_ext.sagemaker.analysis as analysis
    from sagemaker_isolation_ext.notebook.check import check_isolation

    monkeypatch.setattr(
        analysis, "analyze",
        lambda snap, *a, **k: report([role_json(None, ACTIONS, name="policy-files")]),
    )
    pol = tmp_path / "p<x>.json"
    pol.write_text(json.dumps({"Version": "2012-10-17", "Statement": []}))
    res = check_isolation(domain_arn="arn:aws:sagemaker:us-east-1:111122223333:domain/d-own0001",
                          policy_files=[str(pol)])
    html_out = res._repr_html_()
    assert "simulate-custom-policy" in html_out and "file://p_x_.json" in html_out
    assert "<code>p&lt;x&gt;</code>" in html_out and "<x>" not in html_out
    assert "<details><summary>witness</summary>" in html_out
    assert res.report["aws_confirmation"]["status"] == "offline"


def test_magic_flag():
    pytest.importorskip("IPython")
    from sagemaker_isolation_ext.notebook.magics import parse_check

    assert parse_check("--domain-id d-x")["aws_confirm"] is True
    assert parse_check("--domain-id d-x --no-aws-confirm")["aws_confirm"] is False
