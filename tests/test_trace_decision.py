"""trace_decision(request, policies): per statement, whether action, resource and each condition
matched, and why; the decision it carries is exactly evaluate()'s."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as hs

from sagemaker_isolation_ext.iam import (
    PolicySet,
    Request,
    evaluate,
    format_trace,
    parse_policy,
    trace_decision,
)

DATA = Path(__file__).parent.parent / "sagemaker_isolation_ext" / "data"
SESSION = "arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker"
DOM_A = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-aaaaaaaaaaaa"
DOM_B = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-bbbbbbbbbbbb"
TJ = "arn:aws:sagemaker:us-east-1:111122223333:training-job/job-1"


def doc_policy():
    d = json.loads(
        (DATA / "isolation_policies" / "aws-docs-studio-domain-resource-isolation.json").read_text()
    )
    text = json.dumps(d).replace(': "domain-arn"', f': "{DOM_A}"')
    return parse_policy(text, "iso")


def _stmt(expl, policy, index):
    (p,) = [p for p in expl["policies"] if p["policy"] == policy]
    return p["statements"][index]


def test_allow_names_the_matching_parts():
    pol = doc_policy()
    req = Request(
        SESSION,
        "sagemaker:DescribeTrainingJob",
        TJ,
        {"aws:ResourceTag/sagemaker:domain-arn": DOM_A},
    )
    e = trace_decision(req, PolicySet([pol]))
    assert e["decision"] == evaluate(req, PolicySet([pol])).to_json()
    assert e["decision"]["decision"] == "allow"
    s = _stmt(e, "iso", 1)
    assert s["sid"] == "ResourceAccessRequireDomainTag" and s["deciding"] is True
    assert s["outcome"] == "applies"
    assert s["action"] == {
        "element": "Action",
        "matched": True,
        "matching_patterns": ["sagemaker:Describe*"],
        "why": "'sagemaker:DescribeTrainingJob' matches 'sagemaker:Describe*'",
    }
    assert s["resource"]["matched"] == "yes"
    (c,) = s["conditions"]
    assert (c["operator"], c["key"], c["result"], c["context_value"]) == (
        "StringEquals",
        "aws:ResourceTag/sagemaker:domain-arn",
        "true",
        DOM_A,
    )
    others = [x for x in e["policies"][0]["statements"] if x["index"] != 1]
    assert all(x["outcome"] == "does-not-apply" and not x["deciding"] for x in others)


def test_other_domain_shows_the_failing_condition():
    pol = doc_policy()
    req = Request(
        SESSION,
        "sagemaker:DescribeTrainingJob",
        TJ,
        {"aws:ResourceTag/sagemaker:domain-arn": DOM_B},
    )
    e = trace_decision(req, PolicySet([pol]))
    assert e["decision"]["decision"] == "implicit_deny"
    s = _stmt(e, "iso", 1)
    assert s["action"]["matched"] is True and s["resource"]["matched"] == "yes"
    assert s["conditions"][0]["result"] == "false" and DOM_B in s["conditions"][0]["why"]
    assert s["outcome"] == "does-not-apply" and not s["deciding"]
    # untagged: the key is absent, and the explanation says so
    e = trace_decision(Request(SESSION, "sagemaker:DescribeTrainingJob", TJ, {}), PolicySet([pol]))
    c = _stmt(e, "iso", 1)["conditions"][0]
    assert c["result"] == "false" and "absent" in c["why"] and c["context_value"] is None


def test_notaction_notresource_and_deny():
    pol = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                {
                    "Sid": "NoOtherDomains",
                    "Effect": "Deny",
                    "Action": "sagemaker:*",
                    "NotResource": "arn:aws:sagemaker:*:*:domain/d-aaaaaaaaaaaa",
                },
            ],
        },
        "p",
    )
    e = trace_decision(Request(SESSION, "sagemaker:DescribeDomain", DOM_B, {}), PolicySet([pol]))
    assert e["decision"]["decision"] == "explicit_deny"
    s0, s1 = e["policies"][0]["statements"]
    assert s0["action"]["element"] == "NotAction" and s0["action"]["matched"] is True
    assert "not listed in NotAction" in s0["action"]["why"]
    assert s0["outcome"] == "applies" and not s0["deciding"]
    assert s1["resource"]["element"] == "NotResource" and s1["resource"]["matched"] == "yes"
    assert s1["deciding"] and s1["outcome"] == "applies"
    e = trace_decision(Request(SESSION, "iam:PassRole", "*", {}), PolicySet([pol]))
    assert _stmt(e, "p", 0)["action"]["matched"] is False
    assert "excluded by NotAction 'iam:*'" in _stmt(e, "p", 0)["action"]["why"]


def test_every_policy_type_is_listed_and_principal_explained():
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    rp = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:role/Other"},
                "Action": "*",
            },
            {"Effect": "Allow", "Principal": {"AWS": SESSION}, "Action": "sagemaker:*"},
        ],
    }
    ps = PolicySet(
        identity=[parse_policy(allow, "id")],
        boundary=parse_policy(allow, "pb"),
        session=parse_policy(allow, "sp"),
        scps=[[parse_policy(allow, "root")], [parse_policy(allow, "ou")]],
        rcps=[[parse_policy(allow, "rcp")]],
        resource=parse_policy(rp, "mpg", kind="resource"),
    )
    e = trace_decision(Request(SESSION, "sagemaker:DescribeModelPackageGroup", "*", {}), ps)
    assert [(p["type"], p["level"]) for p in e["policies"]] == [
        ("identity", None),
        ("permissions boundary", None),
        ("session policy", None),
        ("SCP", 0),
        ("SCP", 1),
        ("RCP", 0),
        ("resource-based", None),
    ]
    r = e["policies"][-1]["statements"]
    assert r[0]["principal"]["matched"] is False and r[0]["outcome"] == "does-not-apply"
    assert r[1]["principal"] == {
        "matched": True,
        "grant": "direct",
        "why": f"names {SESSION!r} (grant kind 'direct')",
    }
    assert all(s["principal"] is None for p in e["policies"][:-1] for s in p["statements"])


def test_open_world_unknown_key_and_unevaluable_condition():
    pol = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                },
                {
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringEqualsMaybe": {"k": "v"}},
                },
            ],
        },
        "p",
    )
    req = Request(SESSION, "sagemaker:DescribeDomain", DOM_A, {}, open_world=True)
    e = trace_decision(req, PolicySet([pol]))
    assert e["decision"]["decision"] == "unknown"
    s0, s1 = e["policies"][0]["statements"]
    assert s0["outcome"] == "depends-on-unknown-keys"
    assert s0["conditions"][0]["result"] == "unknown" and "open world" in s0["conditions"][0]["why"]
    assert s1["outcome"] == "cannot-evaluate" and s1["conditions"][0]["result"] == "error"
    assert "StringEqualsMaybe" in s1["conditions"][0]["why"]


def test_text_rendering():
    pol = doc_policy()
    req = Request(
        SESSION,
        "sagemaker:DescribeTrainingJob",
        TJ,
        {"aws:ResourceTag/sagemaker:domain-arn": DOM_A},
    )
    text = format_trace(trace_decision(req, PolicySet([pol])))
    lines = text.splitlines()
    assert lines[0] == "decision: allow"
    assert "  decided by: iso #1 Sid 'ResourceAccessRequireDomainTag' (Allow)" in lines
    assert any("<= deciding" in ln and "#1" in ln for ln in lines)
    assert any(
        ln.strip().startswith("StringEquals aws:ResourceTag/sagemaker:domain-arn: true")
        for ln in lines
    )
    assert text.endswith("\n")


def test_malformed_context_gives_unknown_without_statements():
    pol = doc_policy()
    e = trace_decision(
        Request(SESSION, "sagemaker:DescribeDomain", DOM_A, {"k": {"x": 1}}), PolicySet([pol])
    )
    assert e["decision"]["decision"] == "unknown" and e["policies"] == []


_ACTIONS = [
    "sagemaker:DescribeDomain",
    "sagemaker:DeleteApp",
    "sagemaker:ListDomains",
    "s3:GetObject",
]
_STMT = hs.fixed_dictionaries(
    {
        "Effect": hs.sampled_from(["Allow", "Deny"]),
        "Action": hs.lists(
            hs.sampled_from(["*", "sagemaker:*", "sagemaker:Describe*", "s3:*"]),
            min_size=1,
            max_size=2,
        ),
        "Resource": hs.sampled_from(["*", "arn:aws:sagemaker:*:*:domain/*"]),
    },
    optional={
        "Condition": hs.sampled_from(
            [
                {"StringEquals": {"aws:ResourceTag/team": "blue"}},
                {"Null": {"aws:ResourceTag/team": "true"}},
            ]
        )
    },
)


@settings(max_examples=100, deadline=None)
@given(
    hs.lists(_STMT, min_size=1, max_size=4),
    hs.sampled_from(_ACTIONS),
    hs.sampled_from([{}, {"aws:ResourceTag/team": "blue"}]),
)
def test_deciding_statements_are_exactly_the_decisions(statements, action, ctx):
    pol = parse_policy({"Version": "2012-10-17", "Statement": statements}, "p")
    req = Request(SESSION, action, DOM_A, ctx)
    d = evaluate(req, PolicySet([pol]))
    e = trace_decision(req, PolicySet([pol]))
    assert e["decision"] == d.to_json()
    deciding = [s["index"] for s in e["policies"][0]["statements"] if s["deciding"]]
    assert deciding == [s.index for s in d.statements]
    applying = {s["index"] for s in e["policies"][0]["statements"] if s["outcome"] == "applies"}
    assert set(deciding) <= applying
    if d.decision == "explicit_deny":
        assert all(statements[i]["Effect"] == "Deny" for i in deciding)


def test_non_mapping_context_is_unknown_not_a_traceback():
    pol = doc_policy()
    for ctx in ([1], None, "x"):
        req = Request(SESSION, "sagemaker:DescribeDomain", DOM_A, ctx)
        d = evaluate(req, PolicySet([pol]))
        assert d.decision == "unknown" and "context" in d.reason
        assert trace_decision(req, PolicySet([pol]))["policies"] == []


# -- CLI: simulate --explain ---------------------------------------------------------------------


def test_cli_simulate_explain_text_and_json(tmp_path):
    import io

    from sagemaker_isolation_ext.cli import entry as cli

    pol = json.loads(
        (DATA / "isolation_policies" / "aws-docs-studio-domain-resource-isolation.json").read_text()
    )
    line = {
        "id": "own",
        "identity_policies": [{"name": "iso", "document": pol}],
        "request": {
            "principal": SESSION,
            "action": "sagemaker:DescribeTrainingJob",
            "resource": TJ,
            "context": {"aws:ResourceTag/sagemaker:domain-arn": "domain-arn"},
        },
    }
    cases = tmp_path / "c.jsonl"
    cases.write_text(json.dumps(line) + "\n{broken\n")

    buf = io.StringIO()
    assert (
        cli.main(["simulate", "--cases", str(cases), "--explain", "--format", "text"], out=buf) == 0
    )
    text = buf.getvalue()
    assert text.startswith("== case own ==\ndecision: allow\n")
    assert "  decided by: iso #1 Sid 'ResourceAccessRequireDomainTag' (Allow)" in text
    assert "== case None ==\ndecision: unknown (line 2: not valid JSON" in text

    buf = io.StringIO()
    assert cli.main(["simulate", "--cases", str(cases), "--explain"], out=buf) == 0
    first, second = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert first["id"] == "own" and first["decision"]["decision"] == "allow"
    assert first["policies"][0]["statements"][1]["deciding"] is True
    assert second["decision"]["decision"] == "unknown" and second["policies"] == []

    buf = io.StringIO()
    assert cli.main(["simulate", "--cases", str(cases), "--format", "text"], out=buf) == 0
    lines = buf.getvalue().splitlines()
    assert lines[0] == "own: allow by iso#1"
    assert lines[1].startswith("None: unknown (line 2: not valid JSON")
    # the default output is unchanged: one JSON line per case
    buf = io.StringIO()
    assert cli.main(["simulate", "--cases", str(cases)], out=buf) == 0
    assert json.loads(buf.getvalue().splitlines()[0])["statements"][0]["sid"] == (
        "ResourceAccessRequireDomainTag"
    )
