"""The simulate --cases line contract (sagemaker_isolation_ext.iam.simulate)."""

from __future__ import annotations

import json

from sagemaker_isolation_ext.iam.simulate import run_case, run_cases

ALLOW_SM = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "SM", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}],
}
DENY_DESCRIBE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "sagemaker:Describe*", "Resource": "*"}],
}
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
REQ = {
    "principal": "arn:aws:sts::111122223333:assumed-role/R/S",
    "action": "sagemaker:DescribeDomain",
    "resource": "arn:aws:sagemaker:us-east-1:111122223333:domain/d-aaaaaaaaaaaa",
    "context": {},
}


def case(**kw):
    c = {
        "id": "c1",
        "identity_policies": [{"name": "p0", "document": ALLOW_SM}],
        "permissions_boundary": None,
        "request": REQ,
    }
    c.update(kw)
    return c


def test_allow_line_shape():
    assert run_case(case()) == {
        "id": "c1",
        "decision": "allow",
        "statements": [{"policy": "p0", "sid": "SM", "index": 0, "effect": "Allow"}],
    }


def test_implicit_deny_has_reason_and_no_statements():
    out = run_case(case(request=dict(REQ, action="s3:GetObject")))
    assert out["decision"] == "implicit_deny" and out["statements"] == []
    assert set(out) <= {"id", "decision", "statements", "reason"}


def test_explicit_deny_names_boundary_statement():
    out = run_case(case(permissions_boundary={"name": "pb", "document": DENY_DESCRIBE}))
    assert out["decision"] == "explicit_deny"
    assert out["statements"] == [{"policy": "pb", "sid": None, "index": 0, "effect": "Deny"}]


def test_context_used_exactly_as_given():
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalArn": REQ["principal"]}},
            }
        ],
    }
    # Nothing is derived from request.principal: the key is absent, so the Allow does not apply.
    assert run_case(case(identity_policies=[{"name": "p", "document": doc}]))["decision"] == (
        "implicit_deny"
    )
    ctx = {"aws:PrincipalArn": REQ["principal"]}
    out = run_case(
        case(identity_policies=[{"name": "p", "document": doc}], request=dict(REQ, context=ctx))
    )
    assert out["decision"] == "allow"


def test_scps_flat_list_is_one_level():
    flat = case(
        scps=[
            {
                "name": "s1",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                },
            },
            {"name": "s2", "document": ALLOW_ALL},
        ]
    )
    assert run_case(flat)["decision"] == "allow"  # one level: s1 or s2 allows


def test_scps_list_of_lists_are_levels():
    s3_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    levels = case(
        scps=[[{"name": "root", "document": ALLOW_ALL}], [{"name": "ou", "document": s3_only}]]
    )
    out = run_case(levels)
    assert out["decision"] == "implicit_deny"
    assert "SCP" in out["reason"]


def test_scp_deny_is_explicit():
    out = run_case(
        case(
            scps=[{"name": "root", "document": ALLOW_ALL}, {"name": "d", "document": DENY_DESCRIBE}]
        )
    )
    assert out["decision"] == "explicit_deny"
    assert out["statements"][0]["policy"] == "d"


def test_session_policy_forms():
    assert (
        run_case(case(session_policy={"name": "sp", "document": DENY_DESCRIBE}))["decision"]
        == "explicit_deny"
    )
    s3_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    assert run_case(case(session_policy=s3_only))["decision"] == "implicit_deny"


def test_resource_policy_same_account_logic():
    """resource_policy is evaluated: an account grant delegates, a session grant suffices."""

    def rp(principal):
        return {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "G", "Effect": "Allow", "Principal": principal, "Action": "sagemaker:*"}
            ],
        }

    account = rp({"AWS": "arn:aws:iam::111122223333:root"})
    out = run_case(case(identity_policies=[], resource_policy=account))
    assert out["decision"] == "implicit_deny" and out["statements"] == []
    out = run_case(case(resource_policy=account))
    assert out["decision"] == "allow"
    assert out["statements"] == [{"policy": "p0", "sid": "SM", "index": 0, "effect": "Allow"}]
    session = rp({"AWS": REQ["principal"]})
    out = run_case(case(identity_policies=[], resource_policy={"name": "mpg", "document": session}))
    assert out["decision"] == "allow"
    assert out["statements"] == [{"policy": "mpg", "sid": "G", "index": 0, "effect": "Allow"}]
    # a resource policy without Principal is malformed
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}
    out = run_case(case(resource_policy=bad))
    assert out["decision"] == "unknown" and "Principal" in out["reason"]


def test_rcps_levels_accepted():
    s3_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    out = run_case(case(rcps=[[ALLOW_ALL], [s3_only]]))
    assert out["decision"] == "implicit_deny" and "RCPs at OU level 1" in out["reason"]
    assert run_case(case(rcps=[ALLOW_ALL]))["decision"] == "allow"


def test_malformed_policy_line():
    bad = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "ListAPIs", "Action": "*", "Resource": "*"}],
    }
    out = run_case(case(identity_policies=[{"name": "w", "document": bad}]))
    assert out["id"] == "c1" and out["decision"] == "unknown" and out["statements"] == []
    assert "policy 'w' statement #0 (Sid 'ListAPIs'): missing field 'Effect'" in out["reason"]


def test_missing_fields_and_wrong_types():
    for broken, needle in [
        ({"id": "x"}, "identity_policies"),
        ({"id": "x", "identity_policies": []}, "request"),
        (
            {"id": "x", "identity_policies": [], "request": {"action": 1, "resource": "*"}},
            "request.action",
        ),
        ({"id": "x", "identity_policies": [{"nom": "p"}], "request": REQ}, "identity_policies[0]"),
        (
            {"id": "x", "identity_policies": [], "request": dict(REQ, context=[1])},
            "request.context",
        ),
        ({"id": "x", "identity_policies": [], "scps": "all", "request": REQ}, "scps"),
    ]:
        out = run_case(broken)
        assert out == {"id": "x", "decision": "unknown", "statements": [], "reason": out["reason"]}
        assert needle in out["reason"], (needle, out["reason"])


def test_run_case_on_a_non_object():
    out = run_case(["not", "a", "case"])
    assert out["id"] is None and out["decision"] == "unknown" and "object" in out["reason"]


def test_run_cases_bad_json_and_blank_lines():
    lines = [json.dumps(case(id="a")), "", "   \n", "{oops", json.dumps(case(id="b")), "42"]
    outs = list(run_cases(lines))
    assert [o["id"] for o in outs] == ["a", None, "b", None]
    assert outs[1]["decision"] == "unknown" and "line 4: not valid JSON" in outs[1]["reason"]
    assert outs[3]["decision"] == "unknown"
    assert outs[0]["decision"] == outs[2]["decision"] == "allow"


def test_run_cases_is_lazy():
    def gen():
        yield json.dumps(case(id="first"))
        raise AssertionError("read past the first line")

    it = run_cases(gen())
    assert next(it)["id"] == "first"


def test_bad_context_value_gives_unknown():
    out = run_case(case(request=dict(REQ, context={"k": {"a": 1}})))
    assert out["decision"] == "unknown" and "context" in out["reason"]


def test_bytes_lines_accepted():
    outs = list(run_cases([json.dumps(case(id="b1")).encode()]))
    assert outs[0]["id"] == "b1" and outs[0]["decision"] == "allow"


def test_run_cases_cache_path_equals_run_case():
    """run_cases scans lines member by member and shares parsed policy sets between lines with
    byte-identical policy fields: its output must equal run_case(json.loads(line)) for every line,
    whatever the whitespace, key order, duplicates or errors."""
    deny_pb = {"name": "pb", "document": DENY_DESCRIBE}
    variants = [
        case(id="a"),
        case(id="b", request=dict(REQ, action="s3:GetObject")),
        case(id="c", permissions_boundary=deny_pb),
        case(id="d", identity_policies=[{"name": "p0", "document": ALLOW_ALL}]),
        case(id="e", identity_policies="nope"),
        case(id="f", request=dict(REQ, context={"k": {"a": 1}})),
        case(id="g", request={"action": 1}),
        case(id=["bad-id"]),
    ]
    lines = []
    for v in variants:
        lines.append(json.dumps(v))
        lines.append(json.dumps(v, indent=None, separators=(" , ", " :  ")))
        lines.append("  \t" + json.dumps(dict(reversed(list(v.items())))) + "  ")
    lines.append(
        '{"id": "dup", "id": "dup2", "identity_policies": [], "request": ' + json.dumps(REQ) + "}"
    )
    lines.append('{"id": "trailing"} x')
    lines.append("{}")
    lines.append('{"id": "z",}')
    got = list(run_cases(lines * 2))
    expect = []
    for line in lines * 2:
        try:
            obj = json.loads(line)
        except ValueError:
            expect.append(None)
            continue
        expect.append(run_case(obj))
    assert len(got) == len(expect)
    for g, e in zip(got, expect):
        if e is None:
            assert g["decision"] == "unknown" and "not valid JSON" in g["reason"]
        else:
            assert g == e
    assert got[0]["decision"] == "allow" and got[6]["decision"] == "explicit_deny"


def test_explain_case_and_cases():
    from sagemaker_isolation_ext.iam.simulate import explain_case, explain_cases

    e = explain_case(case(permissions_boundary={"name": "pb", "document": DENY_DESCRIBE}))
    assert e["id"] == "c1"
    assert e["decision"] == {
        k: v
        for k, v in run_case(
            case(permissions_boundary={"name": "pb", "document": DENY_DESCRIBE})
        ).items()
        if k != "id"
    }
    assert [p["policy"] for p in e["policies"]] == ["p0", "pb"]
    (pb_stmt,) = e["policies"][1]["statements"]
    assert pb_stmt["deciding"] and pb_stmt["effect"] == "Deny"
    bad = explain_case(
        case(identity_policies=[{"name": "w", "document": {"Statement": []}}], request=None)
    )
    assert (
        bad["decision"]["decision"] == "unknown"
        and bad["policies"] == []
        and bad["request"] is None
    )
    outs = list(explain_cases([json.dumps(case(id="x")), "", "{nope"]))
    assert [o["id"] for o in outs] == ["x", None]
    assert outs[0]["decision"]["decision"] == "allow"
    assert "line 3: not valid JSON" in outs[1]["decision"]["reason"]


def test_repeated_policy_text_is_recognised_not_misread():
    """Lines whose policy fields repeat a text seen before are not decoded again; a value that
    merely starts with a known text (a longer list, a number prefix) must still be decoded."""
    p0 = {"name": "p0", "document": ALLOW_SM}
    p1 = {"name": "p1", "document": DENY_DESCRIBE}
    base = json.dumps([p0])
    lines = [
        '{"id": "a", "identity_policies": ' + base + ', "request": ' + json.dumps(REQ) + "}",
        # starts with the same text minus the closing bracket, then a second policy
        '{"id": "b", "identity_policies": '
        + base[:-1]
        + ", "
        + json.dumps(p1)
        + '], "request": '
        + json.dumps(REQ)
        + "}",
        '{"id": "c", "identity_policies": ' + base + '  , "request": ' + json.dumps(REQ) + "}",
        '{"id": "d", "identity_policies": ' + base + "}",
        '{"id": "e", "identity_policies": '
        + base
        + ', "scps": 1, "request": '
        + json.dumps(REQ)
        + "}",
        '{"id": "f", "identity_policies": '
        + base
        + ', "scps": 12, "request": '
        + json.dumps(REQ)
        + "}",
    ]
    got = list(run_cases(lines))
    assert [g["decision"] for g in got] == [
        "allow",
        "explicit_deny",
        "allow",
        "unknown",
        "unknown",
        "unknown",
    ]
    assert got == [run_case(json.loads(line)) for line in lines]
