"""Table-driven engine tests: one JSON file per topic in tests/engine/.

Each evaluation case gives the policies, the request, the expected decision and a one-line
``why``; optional ``statements`` ([[policy, index], ...], exact and ordered), ``conditional_on``,
``uncredited_deny_keys`` (exact, compared case-insensitively sorted) and ``reason_contains``.
``malformed.json`` holds parse errors (field, statement index, Sid, message) and documents that
must parse.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagemaker_isolation_ext.iam import (
    PolicyError,
    PolicySet,
    Request,
    evaluate,
    parse_policy,
)

HERE = Path(__file__).parent
TABLES = HERE / "engine"
DATA = HERE.parent / "sagemaker_isolation_ext" / "data"
PRINCIPAL = "arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker"


def _load(topic: str) -> dict:
    return json.loads((TABLES / f"{topic}.json").read_text())


def _eval_cases():
    out = []
    for path in sorted(TABLES.glob("*.json")):
        if path.stem == "malformed":
            continue
        table = json.loads(path.read_text())
        for case in table["cases"]:
            out.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return out


def _named(docs, prefix):
    return [parse_policy(d, f"{prefix}{i}") for i, d in enumerate(docs)]


def _policyset(case: dict) -> PolicySet:
    return PolicySet(
        identity=_named(case["identity"], "p"),
        boundary=parse_policy(case["boundary"], "boundary") if case.get("boundary") else None,
        scps=[_named(level, f"scp{i}-") for i, level in enumerate(case.get("scps", []))],
        session=parse_policy(case["session"], "session") if case.get("session") else None,
        resource=(
            parse_policy(case["resource_policy"], "resource", kind="resource")
            if case.get("resource_policy")
            else None
        ),
        rcps=[_named(level, f"rcp{i}-") for i, level in enumerate(case.get("rcps", []))],
    )


def test_tables_exist_and_have_reasons():
    topics = {p.stem for p in TABLES.glob("*.json")}
    for topic in (
        "actions",
        "resources",
        "string_conditions",
        "arn_conditions",
        "null",
        "if_exists",
        "set_operators",
        "variables",
        "boundary",
        "explicit_deny",
        "open_world",
        "malformed",
        "numeric",
        "dates",
        "bool",
        "binary",
        "ip_address",
        "resource_policies",
        "org_policies",
    ):
        assert topic in topics
    for case in _eval_cases():
        c = case.values[0]
        assert c["why"].strip(), c["name"]
        assert c["expect"] in ("allow", "explicit_deny", "implicit_deny", "unknown")


@pytest.mark.parametrize("case", _eval_cases())
def test_engine_case(case):
    r = case["request"]
    request = Request(
        r.get("principal", PRINCIPAL),
        r["action"],
        r["resource"],
        r.get("context", {}),
        open_world=r.get("open_world", False),
        absent_keys=tuple(r.get("absent_keys", ())),
    )
    d = evaluate(request, _policyset(case))
    assert d.decision == case["expect"], f"{case['why']} -> {d}"
    if "statements" in case:
        assert [[s.policy, s.index] for s in d.statements] == case["statements"], case["why"]
    if d.decision == "implicit_deny":
        assert d.statements == ()
    if d.decision == "unknown":
        assert d.reason
    if "reason_contains" in case:
        assert d.reason and case["reason_contains"] in d.reason, d.reason
    if "conditional_on" in case:
        assert sorted(k.lower() for k in d.conditional_on) == sorted(
            k.lower() for k in case["conditional_on"]
        )
    if "uncredited_deny_keys" in case:
        assert sorted(k.lower() for k in d.uncredited_deny_keys) == sorted(
            k.lower() for k in case["uncredited_deny_keys"]
        )
    if not r.get("open_world"):
        assert d.conditional_on == () and d.uncredited_deny_keys == ()


def _malformed(section):
    return [pytest.param(c, id=c["name"]) for c in _load("malformed")["cases"][section]]


@pytest.mark.parametrize("case", _malformed("parse_errors"))
def test_malformed_document(case):
    with pytest.raises(PolicyError) as info:
        parse_policy(case["document"], "p")
    err = info.value
    exp = case["error"]
    assert isinstance(err, ValueError)
    assert err.policy == "p"
    assert err.field == exp["field"], str(err)
    assert err.statement_index == exp["statement_index"], str(err)
    assert err.sid == exp["sid"], str(err)
    assert str(err).startswith("policy 'p'")
    if exp.get("message_contains"):
        assert exp["message_contains"] in str(err)


@pytest.mark.parametrize("case", _malformed("parse_ok"))
def test_wellformed_document(case):
    policy = parse_policy(case["document"], "p")
    assert len(policy.statements) == case["statements"]
    assert [s.index for s in policy.statements] == list(range(case["statements"]))


def test_workshop_policy_missing_effect_is_named():
    """The AWS workshop's Allow policy has a statement without Effect (SOURCES.md)."""
    path = DATA / "isolation_policies" / "admin-workshop-multidomain-allow.json"
    with pytest.raises(PolicyError) as info:
        parse_policy(path.read_text(), "admin-workshop-multidomain-allow")
    assert info.value.field == "Effect"
    assert info.value.sid == "ListAPIs"
    assert "missing field 'Effect'" in str(info.value)


def test_every_shipped_document_parses_except_workshop_allow():
    """All other shipped isolation and managed policy documents are well formed."""
    for path in sorted((DATA / "isolation_policies").glob("*.json")) + sorted(
        (DATA / "managed_policies").glob("*.json")
    ):
        if path.name == "admin-workshop-multidomain-allow.json":
            continue
        doc = json.loads(path.read_text())
        if isinstance(doc, dict) and "PolicyVersion" in doc:
            doc = doc["PolicyVersion"]["Document"]
        elif isinstance(doc, dict) and "document" in doc:
            doc = doc["document"]
        policy = parse_policy(doc, path.stem)
        assert policy.statements, path.name


def test_normalisation_shapes():
    p = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Sid": "S",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {"Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"n": 5}},
            },
        },
        "p",
    )
    (s,) = p.statements
    assert (s.index, s.sid, s.effect) == (0, "S", "Allow")
    assert s.actions == ("s3:GetObject",) and s.not_actions is None
    assert s.resources == ("arn:aws:s3:::b/*",) and s.not_resources is None
    assert s.conditions == (
        ("Bool", "aws:SecureTransport", ("true",)),
        ("NumericLessThan", "n", ("5",)),
    )
    assert len(p.digest) == 64
    same = parse_policy(json.dumps(p.document, indent=3), "other")
    assert same.digest == p.digest


def test_decision_to_json_shape():
    p = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "A", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}
            ],
        },
        "pol",
    )
    d = evaluate(Request(PRINCIPAL, "sagemaker:DescribeDomain", "*", {}), PolicySet([p]))
    assert d.to_json() == {
        "decision": "allow",
        "statements": [{"policy": "pol", "sid": "A", "index": 0, "effect": "Allow"}],
    }
    d = evaluate(Request(PRINCIPAL, "s3:GetObject", "*", {}), PolicySet([p]))
    assert d.to_json()["decision"] == "implicit_deny" and d.to_json()["statements"] == []


def test_bad_context_value_is_unknown_not_a_traceback():
    p = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        },
        "p",
    )
    d = evaluate(Request(PRINCIPAL, "s3:GetObject", "*", {"k": {"nested": 1}}), PolicySet([p]))
    assert d.decision == "unknown" and "context" in d.reason


# The property tests (hypothesis) moved to tests/test_engine_properties.py.
