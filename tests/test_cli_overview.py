"""CLI contract of ``check --all-domains`` on the local AWS (README "Account overview contract"):
several domains (isolated and not) in two Regions and two accounts, one account refusing entry."""

from __future__ import annotations

import io
import json

import pytest
from botocore.exceptions import ClientError

from sagemaker_isolation_ext.cli.entry import main


@pytest.fixture
def fleet(overview_fleet, tmp_path):
    demo, extras = overview_fleet
    accounts = tmp_path / "accounts.txt"
    accounts.write_text("# the demo's other accounts\n" + "\n".join(extras["accounts"]) + "\n")
    return demo, extras, str(accounts)


def run(*argv):
    out = io.StringIO()
    code = main(["check", "--all-domains", *argv], out=out)
    return code, out.getvalue()


def test_json_contract_two_regions_two_accounts(fleet, moto_server, capsys):
    demo, extras, accounts = fleet
    code, text = run("--regions", "us-east-1,us-west-2", "--accounts", accounts,
                     "--endpoint-url", moto_server, "--format", "json")
    assert code == 1  # some domain is not isolated
    doc = json.loads(text)
    assert list(doc) == ["domains", "reach", "errors"]
    keys = ["id", "arn", "name", "region", "account_id", "experience", "verdict", "roles",
            "findings"]
    got = {}
    for row in doc["domains"]:
        assert sorted(row) == sorted(keys)
        got[(row["account_id"], row["region"], row["name"])] = row["verdict"]
    me, other = demo["account_id"], extras["second_account"]
    assert got == {
        (me, "us-east-1", "ml-research"): "not_isolated",
        (me, "us-east-1", "ml-prod"): "not_isolated",
        (me, "us-east-1", "ml-secure"): "isolated",
        (me, "us-west-2", "ml-west"): "isolated",
        (other, "us-east-1", "partner-lab"): "not_isolated",
    }
    for cell in doc["reach"]:
        assert sorted(cell) == ["actions", "examples", "from", "to"]
        assert cell["actions"] >= 1 and 1 <= len(cell["examples"]) <= 5
    froms = {c["from"] for c in doc["reach"]}
    assert demo["domains"]["ml-secure"]["arn"] not in froms
    assert demo["domains"]["ml-research"]["arn"] in froms
    assert doc["errors"] == [{
        "account_id": extras["refusing_account"], "region": None,
        "operation": "sts:AssumeRole", "code": "AccessDenied",
        "message": doc["errors"][0]["message"]}]
    # Each domain's verdict is the one-domain check's.
    for name in ("ml-research", "ml-secure"):
        out = io.StringIO()
        alone = main(["check", "--domain-id", demo["domains"][name]["id"], "--region",
                      "us-east-1", "--endpoint-url", moto_server, "--no-aws-confirm",
                      "--format", "json"], out=out)
        assert json.loads(out.getvalue())["verdict"] == got[(me, "us-east-1", name)]
        assert alone == (0 if name == "ml-secure" else 1)
    assert "[domains]" in capsys.readouterr().err  # progress on stderr


def test_exit_2_when_an_account_fails_and_0_when_all_isolated(fleet, moto_server):
    _demo, _extras, accounts = fleet
    # us-west-2 holds one isolated domain; the refusing account makes it 2.
    code, text = run("--regions", "us-west-2", "--accounts", accounts,
                     "--endpoint-url", moto_server)
    assert code == 2
    assert "every Region: sts:AssumeRole failed (AccessDenied)" in text
    code, text = run("--regions", "us-west-2", "--endpoint-url", moto_server)
    assert code == 0 and "ml-west" in text and "isolated" in text


def test_no_domains_found_is_0(fleet, moto_server, capsys):
    code, text = run("--regions", "eu-north-1", "--endpoint-url", moto_server)
    assert code == 0 and "no domains found" in text
    code, text = run("--regions", "eu-north-1", "--endpoint-url", moto_server,
                     "--format", "json")
    assert code == 0 and json.loads(text) == {"domains": [], "reach": [], "errors": []}
    assert "no domains found" in capsys.readouterr().err


def test_nothing_read_is_4(fleet, moto_server, monkeypatch):
    from sagemaker_isolation_ext.aws import overview as AO

    def refusing(*_a, **_k):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}},
                          "ListDomains")

    monkeypatch.setattr(AO, "_list_domains", refusing)
    code, text = run("--regions", "us-east-1,us-west-2", "--endpoint-url", moto_server,
                     "--format", "json")
    assert code == 4
    assert len(json.loads(text)["errors"]) == 2


def test_no_credentials_is_4(moto_server, aws_env, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key)
    code, _text = run("--endpoint-url", moto_server)
    assert code == 4


def test_sarif_has_a_run_per_domain_and_per_error(fleet, moto_server):
    _demo, _extras, accounts = fleet
    code, text = run("--regions", "us-east-1", "--accounts", accounts,
                     "--endpoint-url", moto_server, "--format", "sarif")
    assert code == 1
    doc = json.loads(text)
    assert doc["version"] == "2.1.0"
    checked = [r for r in doc["runs"] if r.get("properties", {}).get("domain")]
    assert len(checked) == 4  # three demo domains + partner-lab
    failed = [r for r in doc["runs"] if not r["invocations"][0]["executionSuccessful"]]
    assert len(failed) == 1 and "AccessDenied" in \
        failed[0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


@pytest.mark.parametrize("argv", [
    ["check", "--all-domains", "--domain-id", "d-abc"],
    ["check", "--all-domains", "--snapshot", "x.json"],
    ["check", "--regions", "us-east-1"],
    ["check", "--org"],
    ["check", "--all-domains", "--regions", "us-east-1", "--all-regions"],
    ["check", "--all-domains", "--accounts", "a.txt", "--org"],
    ["check", "--all-domains", "--regions", "Mars-1"],
    ["check", "--all-domains", "--accounts", "/nonexistent/accounts.txt"],
    ["check", "--all-domains", "--assume-role", "no spaces"],
])
def test_usage_errors_are_3(argv, aws_env, moto_server):
    if argv[-1] == "no spaces":
        argv = argv + ["--endpoint-url", moto_server]
    assert main(argv, out=io.StringIO()) == 3


def test_text_overview_of_the_fleet_with_an_unknown_region(fleet, moto_server, capsys):
    """The whole text on the demo-like fleet: verdict rows by account and Region, the reach,
    "Do this next" with each fix's policy, roles (with their domains) and verdicts after, and
    the rows not read, each in one line (an unknown Region in words, never a web page)."""
    demo, extras, accounts = fleet
    code, text = run("--regions", "us-east-1,us-west-2,us-fake-9", "--accounts", accounts,
                     "--endpoint-url", moto_server)
    assert code == 1  # not isolated wins over the errors
    me, other = demo["account_id"], extras["second_account"]
    lines = text.splitlines()
    assert lines[0] == ("Account overview: 5 domains in 2 accounts and 2 Regions: 3 not "
                        "isolated, 0 unknown, 2 isolated; 3 errors.")
    for header in (f"Account {me}, Region us-east-1", f"Account {me}, Region us-west-2",
                   f"Account {other}, Region us-east-1"):
        assert header in lines
    for verdict, name in (("NOT ISOLATED", "ml-research"), ("NOT ISOLATED", "ml-prod"),
                          ("isolated", "ml-secure"), ("isolated", "ml-west"),
                          ("NOT ISOLATED", "partner-lab")):
        assert any(ln.startswith(f"  {verdict:<13} {name} (") for ln in lines), name
    fixes = text.split("Do this next", 1)[1].split("\n\n", 1)[0]
    assert "\n  1. Attach StudioDomainResourceIsolationPolicy-d-ml-research" in fixes
    research_role = "SageMakerResearchExecutionRole (domain ml-research)"
    assert research_role in fixes and "(domain partner-lab)" in fixes
    assert "Policy (attach): arn:aws:iam::" in fixes and "Policy (replace): arn:aws:" in fixes
    assert "Verdict after: ml-research: isolated" in fixes
    not_read = text.split("\nNot read:\n", 1)[1].splitlines()
    assert not_read[0].startswith(f"  account {extras['refusing_account']}, every Region: "
                                  "sts:AssumeRole failed (AccessDenied): ")
    for acct in (me, other):
        assert any(ln.startswith(
            f"  account {acct}, Region us-fake-9: sagemaker:ListDomains failed "
            "(UnknownRegion): Region us-fake-9 is not a Region SageMaker serves in partition "
            "aws (botocore ") for ln in not_read), not_read
    assert len(not_read) == 3 and "<" not in text
    capsys.readouterr()


def test_only_an_unknown_region_is_nothing_read(aws_env, moto_server, capsys):
    code, text = run("--regions", "us-fake-9", "--endpoint-url", moto_server, "--format",
                     "json")
    assert code == 4
    (err,) = json.loads(text)["errors"]
    assert (err["region"], err["operation"], err["code"]) == (
        "us-fake-9", "sagemaker:ListDomains", "UnknownRegion")
    assert "nothing could be read" in capsys.readouterr().err


@pytest.mark.parametrize("regions, named", [
    ("us_east_1", "entry 1 of 1, 'us_east_1', is not a Region name"),
    ("us-east-1,xx-fake-9", "entry 2 of 2, 'xx-fake-9', is not a Region name"),
    ("us-east-1,,us-west-2", "entry 2 of 3 is empty"),
    ("us-east-1,", "entry 2 of 2 is empty"),
    ("", "entry 1 of 1 is empty"),
])
def test_a_bad_regions_entry_is_named(regions, named, aws_env, capsys):
    assert main(["check", "--all-domains", "--regions", regions], out=io.StringIO()) == 3
    err = capsys.readouterr().err
    assert named in err and err.count("\n") == 1, err
