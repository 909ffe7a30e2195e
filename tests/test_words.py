"""Issue 13, "Words on the screen": the words the CLI, the findings and the explainer show
(ids after the words, one count per access level, keys of the finding's own statement)."""

from __future__ import annotations

import io
import json

from sagemaker_isolation_ext.cli.entry import main
from sagemaker_isolation_ext.sagemaker.analysis import analyze
from sagemaker_isolation_ext.sagemaker.snapshot import snapshot_from_policy_files

DARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456"


def describe_space_policy(tmp_path) -> str:
    """A policy file allowing sagemaker:DescribeSpace on every resource (leaks, 1 action)."""
    policy = tmp_path / "p.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "One",
                        "Effect": "Allow",
                        "Action": "sagemaker:DescribeSpace",
                        "Resource": "*",
                    }
                ],
            }
        )
    )
    return str(policy)


def _broad(report: dict, sid: str) -> dict:
    return next(
        f
        for f in report["findings"]
        if f["id"] == "broad-allow-defeats-isolation" and f["evidence"]["sid"] == sid
    )


def test_finding_names_only_keys_of_its_own_statement():
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadFromOffice",
                "Effect": "Allow",
                "Action": ["sagemaker:DescribeSpace", "sagemaker:AddTags"],
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            },
            {
                "Sid": "AllowAddTagsForApp",
                "Effect": "Allow",
                "Action": "sagemaker:AddTags",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}},
            },
        ],
    }
    report = analyze(snapshot_from_policy_files(DARN, [("p", doc)]))
    addtags = _broad(report, "AllowAddTagsForApp")["detail"]
    assert "aws:SourceVpc" in addtags and "aws:SourceIp" not in addtags
    office = _broad(report, "ReadFromOffice")["detail"]
    assert "aws:SourceIp" in office and "aws:SourceVpc" not in office


def test_access_levels_read_as_one_level_each_and_counts_agree():
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Tagging", "Effect": "Allow", "Action": "sagemaker:AddTags", "Resource": "*"}
        ],
    }
    report = analyze(snapshot_from_policy_files(DARN, [("p", doc)]))
    detail = _broad(report, "Tagging")["detail"]
    assert "allows 1 action on" in detail
    assert "Tagging/Write: 1" in detail and "Tagging, Write 1" not in detail
    # The offline role reads as words, not its id.
    assert all("policy-files" not in f["title"] for f in report["findings"])


def test_coverage_says_why_addtags_is_not_covered():
    out = io.StringIO()
    assert main(["coverage", "--search", "AddTags"], out=out) == 0
    line = next(ln for ln in out.getvalue().splitlines() if ln.startswith("  sagemaker:AddTags"))
    assert "[Tagging/Write]" in line
    assert "NOT covered: " in line and "(resource-type-not-taggable)" in line
    # It names the untaggable types, which the JSON marks taggable: false.
    table = json.loads(_run(["coverage", "--search", "AddTags", "--format", "json"])[1])
    row = table["actions"][0]
    bad = [r["key"] for r in row["resource_types"] if not r["taggable"]]
    assert bad and all(k in line for k in bad)
    assert f"of its {len(row['resource_types'])} resource types" in line


def test_notebook_html_shows_words_and_findings_by_severity(tmp_path):
    from sagemaker_isolation_ext.notebook.check import check_isolation

    policy = describe_space_policy(tmp_path)
    result = check_isolation(domain_arn=DARN, policy_files=[str(policy)])
    html_out = result._repr_html_()
    assert ">policy files</code>" in html_out and ">policy-files<" not in html_out
    assert "not isolated<br>" in html_out
    sev = [s for s in ("[high]", "[medium]", "[low]", "[info]") if s in html_out]
    assert sev and [html_out.index(s) for s in sev] == sorted(html_out.index(s) for s in sev)


def test_region_given_reads_as_given_not_from_explicit(tmp_path):
    from sagemaker_isolation_ext.aws.target import resolve_context

    ctx = resolve_context(
        domain_id="d-abc123def456", region="us-east-1", metadata_path=None, environ={}
    )
    assert "Region us-east-1 as given" in ctx.detail and "explicit" not in ctx.detail


def _run(argv):
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def test_check_text_findings_by_severity_and_words(tmp_path):
    policy = describe_space_policy(tmp_path)
    code, text = _run(["check", "--domain-arn", DARN, "--policy-file", policy])
    assert code == 1
    assert "Role policy files: not isolated" in text
    assert "lets the policy files' role act" in text and "role policy-files" not in text
    assert "(1 action):" in text  # (the verdict_reason line comes from analysis.py)
    sev = [line.split("]")[0].strip(" [") for line in text.splitlines() if line.startswith("  [")]
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    assert sev and sev == sorted(sev, key=order.__getitem__)
    assert "(broad-allow-defeats-isolation)" in text  # the id after the words
