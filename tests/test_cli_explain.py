"""``sagemaker-isolation explain``: arguments, stdin, formats, exit codes (docs/CLI.md)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from sagemaker_isolation_ext.cli import main
from sagemaker_isolation_ext.cli.errors import EXIT_BAD_INPUT, EXIT_OK

MSG = ("An error occurred (AccessDeniedException) when calling the CreateProject operation: "
       "User: arn:aws:sts::111122223333:assumed-role/Workshop/SageMaker is not authorized to "
       "perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/Workshop because no "
       "identity-based policy allows the iam:PassRole action")


def run(argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue()


def test_json_offline(aws_env, monkeypatch):
    code, out = run(["explain", MSG, "--offline", "--format", "json", "--metadata-path",
                     "/nonexistent"])
    assert code == EXIT_OK
    body = json.loads(out)
    assert body["action"] == "iam:PassRole" and body["operation"] == "CreateProject"
    assert body["reason"] == "implicit_deny_identity"
    assert body["causes"][0]["id"] == "pass-role"
    assert body["mode"] == "offline"
    assert {"id", "title", "detail", "fix", "evidence"} <= set(body["causes"][0])


def test_text_from_stdin(aws_env, monkeypatch):
    code, out = run(["explain", "-", "--offline", "--metadata-path", "/nonexistent"],
                    stdin=MSG, monkeypatch=monkeypatch)
    assert code == EXIT_OK
    assert out.startswith(
        "Denied: no identity-based policy allows the action (implicit_deny_identity)"
    )
    assert "(pass-role)" in out and "Fix:" in out


def test_default_reads_stdin(aws_env, monkeypatch):
    code, out = run(["explain", "--offline", "--format", "json", "--metadata-path", "/x"],
                    stdin=MSG, monkeypatch=monkeypatch)
    assert code == EXIT_OK and json.loads(out)["action"] == "iam:PassRole"


def test_not_an_authorization_error_exits_3_with_answer(aws_env, monkeypatch):
    code, out = run(["explain", "hello world", "--offline", "--format", "json",
                     "--metadata-path", "/x"])
    assert code == EXIT_BAD_INPUT
    body = json.loads(out)
    assert body["reason"] is None
    assert [c["id"] for c in body["causes"]] == ["not-an-authorization-error"]


def test_empty_stdin_is_usage_error(aws_env, monkeypatch, capsys):
    code, out = run(["explain", "-", "--offline"], stdin="  \n", monkeypatch=monkeypatch)
    assert code == EXIT_BAD_INPUT and out == ""
    err = capsys.readouterr().err
    assert "no message" in err and "Traceback" not in err


def test_bad_domain_id_is_usage_error(aws_env, capsys):
    code, _ = run(["explain", MSG, "--offline", "--domain-id", "nope"])
    assert code == EXIT_BAD_INPUT
    assert "Traceback" not in capsys.readouterr().err


def test_bad_format_is_usage_error(aws_env):
    code, _ = run(["explain", MSG, "--format", "xml"])
    assert code == EXIT_BAD_INPUT


def test_live_without_reachable_aws_still_explains(aws_env):
    """Credentials present but the endpoint is closed: the answer is offline, exit 0."""
    code, out = run(["explain", MSG, "--format", "json", "--endpoint-url", "http://127.0.0.1:9",
                     "--region", "us-east-1", "--metadata-path", "/x"])
    assert code == EXIT_OK
    body = json.loads(out)
    assert body["mode"] == "offline" and "not reachable" in body["live"]["why"]
    assert body["causes"][0]["id"] == "pass-role"


def test_console_entry_point(aws_env):
    proc = subprocess.run(
        [sys.executable, "-m", "sagemaker_isolation_ext", "explain", "-", "--offline",
         "--format", "json", "--metadata-path", "/x"],
        input=MSG, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["causes"][0]["id"] == "pass-role"


@pytest.mark.parametrize("flag", ["--help"])
def test_help(flag, capsys):
    code, _ = run(["explain", flag])
    assert code == 0
    assert "AccessDenied" in capsys.readouterr().out


def test_text_output_never_carries_terminal_control_sequences():
    """Found by a new user: pasted ESC sequences reached the terminal."""
    import io

    from sagemaker_isolation_ext.cli.entry import main

    out = io.StringIO()
    msg = (
        "User: \x1b[31mred\x1b[0m is not authorized to perform: sagemaker:DeleteSpace on "
        "resource: arn:aws:sagemaker:us-east-1:123456789012:space/d-abc/x"
    )
    main(["explain", "--offline", msg], out=out)
    text = out.getvalue()
    assert "\x1b" not in text and "\\x1b[31m" in text and "sagemaker:DeleteSpace" in text
