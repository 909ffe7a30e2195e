"""``%load_ext sagemaker_isolation_ext``, ``%isolation check|explain`` on a real IPython
``InteractiveShell``, and ``check_isolation()`` as a Python function."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

IPython = pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from sagemaker_isolation_ext.cli.entry import main  # noqa: E402
from sagemaker_isolation_ext.notebook.check import (  # noqa: E402
    IsolationCheckError,
    IsolationReport,
    check_isolation,
)
from sagemaker_isolation_ext.notebook.magics import MagicUsageError, parse_check, parse_explain  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "sagemaker_isolation_ext" / "data"
FULL_ACCESS = DATA / "managed_policies" / "AmazonSageMakerFullAccess.json"
DOC_POLICY = DATA / "isolation_policies" / "aws-docs-studio-domain-resource-isolation.json"
DOMAIN_ARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456"
DENIAL = (
    "An error occurred (AccessDeniedException) when calling the DescribeTrainingJob operation: "
    "User: arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker is not "
    "authorized to perform: sagemaker:DescribeTrainingJob on resource: "
    "arn:aws:sagemaker:us-east-1:111122223333:training-job/other-team-job because no "
    "identity-based policy allows the sagemaker:DescribeTrainingJob action"
)


@pytest.fixture
def ip(aws_env, monkeypatch, tmp_path):
    """A real IPython shell with the extension loaded; no Studio metadata, no last exception."""
    shell = InteractiveShell.instance()
    for name in ("last_value", "last_type", "last_traceback", "last_exc"):
        monkeypatch.delattr(sys, name, raising=False)
    monkeypatch.setenv("SAGEMAKER_ISOLATION_DOMAIN_ID", "")
    shell.run_line_magic("load_ext", "sagemaker_isolation_ext")
    return shell


def _cli_json(argv: list[str]) -> tuple[int, dict]:
    out = io.StringIO()
    code = main([*argv, "--format", "json"], out=out)
    return code, json.loads(out.getvalue())


def test_load_ext_registers_line_and_cell_magic(ip):
    magics = ip.magics_manager.magics
    assert "isolation" in magics["line"] and "isolation" in magics["cell"]


def test_check_offline_matches_the_cli_and_renders_html_and_text(ip):
    args = f"--domain-arn {DOMAIN_ARN} --policy-file {DOC_POLICY} --policy-file {FULL_ACCESS}"
    result = ip.run_line_magic("isolation", f"check {args}")
    assert isinstance(result, IsolationReport) and result.ok
    code, cli = _cli_json(["check", *args.split()])
    assert result.verdict == cli["verdict"] == "not_isolated" and code == 1
    assert [f["id"] for f in result.findings] == [f["id"] for f in cli["findings"]]
    bundle, _ = ip.display_formatter.format(result)
    assert bundle["text/plain"].startswith("Verdict: NOT ISOLATED")
    html = bundle["text/html"]
    assert "Not isolated" in html and "policy-files" in html
    assert "AmazonSageMakerFullAccess (Sid AllowAllNonAdminSageMakerActions)" in html
    assert "broad-allow-defeats-isolation" in html


def test_check_live_on_the_demo_account_matches_the_cli(
    ip, demo_account, moto_server, tmp_path, capsys
):
    domain_id = demo_account["research_domain_id"]
    absent = tmp_path / "absent.json"
    line = f"check --domain-id {domain_id} --endpoint-url {moto_server} --metadata-path {absent}"
    result = ip.run_line_magic("isolation", line + " --verbose")
    assert result.ok, result.error
    err = capsys.readouterr().err
    assert "[domain]" in err and "[roles]" in err  # --verbose progress on stderr
    code, cli = _cli_json(line.split())
    assert result.verdict == cli["verdict"]
    assert result.report["domain"]["id"] == domain_id
    assert sorted(r["name"] for r in result.roles) == sorted(r["name"] for r in cli["roles"])
    assert domain_id in result._repr_html_()


def test_check_without_a_domain_is_unknown_with_the_reason(ip, tmp_path):
    result = ip.run_line_magic("isolation", f"check --metadata-path {tmp_path / 'absent.json'}")
    assert isinstance(result, IsolationReport)
    assert result.verdict == "unknown" and not result.ok and result.report is None
    assert result.error["reason"] == "no-domain" and result.error["kind"] == "no-context"
    html = result._repr_html_()
    assert "did not run" in html and "--domain-id" in html
    assert str(result).startswith("Verdict: UNKNOWN (the check did not run)")
    with pytest.raises(IsolationCheckError):
        result.to_sarif()


def test_bad_usage_prints_usage_and_returns_none(ip, capsys):
    assert ip.run_line_magic("isolation", "check --bogus") is None
    err = capsys.readouterr().err
    assert "%isolation: error:" in err and "%isolation check --snapshot F" in err
    assert "Traceback" not in err
    assert ip.run_line_magic("isolation", "frobnicate") is None
    assert "unknown subcommand 'frobnicate'" in capsys.readouterr().err
    assert ip.run_line_magic("isolation", "help") is None
    assert "%isolation explain" in capsys.readouterr().out


def test_explain_given_text_offline(ip):
    result = ip.run_line_magic("isolation", f"explain --offline {DENIAL}")
    data = result.to_json()
    assert data["action"] == "sagemaker:DescribeTrainingJob"
    assert data["reason"] == "implicit_deny_identity"
    assert data["operation"] == "DescribeTrainingJob"
    bundle, _ = ip.display_formatter.format(result)
    assert "text/html" in bundle and "implicit_deny_identity" in bundle["text/plain"]


def test_explain_the_last_exception_raised_in_the_kernel(ip):
    ip.run_cell(f"raise PermissionError({DENIAL!r})")
    assert sys.last_value is not None  # IPython stored the exception it showed
    result = ip.run_line_magic("isolation", "explain --offline")
    data = result.to_json()
    assert data["action"] == "sagemaker:DescribeTrainingJob"
    assert data["resource"].endswith("training-job/other-team-job")


def test_explain_without_text_or_exception_says_so(ip):
    result = ip.run_line_magic("isolation", "explain --offline")
    data = result.to_json()
    assert data["reason"] is None
    assert "no exception has been raised" in data["causes"][0]["detail"]


def test_cell_magic_takes_a_multi_line_message(ip):
    body = DENIAL.replace(" on resource:", "\non resource:").replace(" because", "\nbecause")
    result = ip.run_cell_magic("isolation", "explain --offline", body)
    assert result.to_json()["action"] == "sagemaker:DescribeTrainingJob"


def test_html_escapes_values_from_policy_files(ip, tmp_path):
    evil = tmp_path / "<img src=x onerror=alert(1)>.json"
    shutil.copy(FULL_ACCESS, evil)
    report = check_isolation(domain_arn=DOMAIN_ARN, policy_files=[evil])
    assert report.verdict == "not_isolated"
    html = report._repr_html_()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_check_isolation_function_modes(tmp_path):
    snap_path = tmp_path / "snap.json"
    out = io.StringIO()
    code = main(
        [
            "check",
            "--domain-arn",
            DOMAIN_ARN,
            "--policy-file",
            str(DOC_POLICY),
            "--save-snapshot",
            str(snap_path),
            "--format",
            "json",
        ],
        out=out,
    )
    cli = json.loads(out.getvalue())
    from_file = check_isolation(snapshot=snap_path)
    from_dict = check_isolation(snapshot=json.loads(snap_path.read_text()))
    assert from_file.verdict == from_dict.verdict == cli["verdict"]
    assert code == {"isolated": 0, "not_isolated": 1, "unknown": 2}[from_file.verdict]
    offline = check_isolation(domain_arn=DOMAIN_ARN, policy_files=[DOC_POLICY, FULL_ACCESS])
    sarif = offline.to_sarif()
    results = sarif["runs"][0]["results"]
    assert len(results) == len(offline.findings)
    assert all("physicalLocation" in r["locations"][0] for r in results)
    # modes do not mix, and errors can be raised on request
    mixed = check_isolation("d-abc123", snapshot=snap_path)
    assert mixed.error["kind"] == "bad-input" and mixed.verdict == "unknown"
    with pytest.raises(IsolationCheckError) as info:
        check_isolation(
            domain_arn=DOMAIN_ARN, policy_files=[tmp_path / "absent.json"], raise_errors=True
        )
    assert info.value.reason == "bad-policy-file"
    bad = check_isolation(snapshot=tmp_path / "absent.json")
    assert bad.error["reason"] == "bad-snapshot" and "absent.json" in bad.error["message"]


def test_parse_helpers():
    opts, text = parse_explain("--offline --region us-east-1 User: x is not -- authorized")
    assert opts == {"offline": True, "region": "us-east-1"}
    assert text == "User: x is not -- authorized"
    assert parse_explain("-- --offline is text")[1] == "--offline is text"
    with pytest.raises(MagicUsageError):
        parse_explain("--domain-id")
    kwargs = parse_check("--domain-arn A --policy-file 'a b.json' --policy-file c.json")
    assert kwargs["policy_files"] == ["a b.json", "c.json"] and kwargs["domain_arn"] == "A"
    with pytest.raises(MagicUsageError):
        parse_check("--policy-file 'unbalanced")


def test_check_on_a_notebook_instance_says_it_is_not_a_domain(ip, tmp_path):
    """A notebook instance's metadata (AWS doc nbi-metadata shape): no domain to check."""
    meta = tmp_path / "resource-metadata.json"
    meta.write_text(
        json.dumps(
            {
                "ResourceArn": "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb1",
                "ResourceName": "nb1",
            }
        )
    )
    result = ip.run_line_magic("isolation", f"check --metadata-path {meta}")
    assert result.verdict == "unknown" and result.report is None
    assert result.error["reason"] == "notebook-instance"
    assert "notebook instance" in result.error["message"]
    assert "notebook instance" in result._repr_html_()
