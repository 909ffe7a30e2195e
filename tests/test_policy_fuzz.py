"""Fuzz the parser, linter and evaluator: random JSON, huge and deeply nested documents.

Contract: parse_policy raises only PolicyError for bad input (no other exception, no hang);
lint_policy never raises for content; evaluate never raises on a parsed policy. Sizes are
bounded so each example runs in milliseconds; a per-example time ceiling catches a hang
(e.g. a catastrophically backtracking wildcard regex).
"""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from sagemaker_isolation_ext.iam import PolicyError, PolicySet, Request, evaluate, parse_policy
from sagemaker_isolation_ext.iam.lint import lint_policy
from sagemaker_isolation_ext.iam.policy import MAX_DEPTH, MAX_TEXT_CHARS

SESSION = "arn:aws:sts::111122223333:assumed-role/R/S"
CEILING_S = 10.0  # a hang guard, not a speed goal: a normal example takes well under 10 ms

json_scalars = (
    hs.none() | hs.booleans() | hs.integers() | hs.floats(allow_nan=False) | hs.text(max_size=20)
)
any_json = hs.recursive(
    json_scalars,
    lambda children: (
        hs.lists(children, max_size=4) | hs.dictionaries(hs.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
FIELDS = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "Principal",
    "NotPrincipal",
    "Bogus",
]
glob_text = hs.text(alphabet="ab*?:/$ {}arn", max_size=24)
statement_like = hs.dictionaries(
    hs.sampled_from(FIELDS),
    hs.one_of(
        hs.sampled_from(["Allow", "Deny", "allow", ""]),
        glob_text,
        hs.lists(glob_text, max_size=4),
        hs.dictionaries(
            hs.sampled_from(
                [
                    "StringEquals",
                    "StringLike",
                    "ForAllValues:StringLike",
                    "NumericLessThan",
                    "DateLessThan",
                    "IpAddress",
                    "Bool",
                    "Null",
                    "ArnLike",
                    "BinaryEquals",
                    "Nope",
                ]
            ),
            hs.dictionaries(
                hs.sampled_from(["k", "aws:TagKeys", "aws:SourceIp"]),
                hs.one_of(
                    glob_text,
                    hs.lists(glob_text, max_size=3),
                    hs.integers(),
                    hs.booleans(),
                    any_json,
                ),
                max_size=2,
            ),
            max_size=3,
        ),
        any_json,
    ),
    max_size=7,
)
document_like = hs.fixed_dictionaries(
    {},
    optional={
        "Version": hs.sampled_from(["2012-10-17", "2008-10-17", "2020-01-01", 1]),
        "Statement": hs.one_of(statement_like, hs.lists(statement_like, max_size=4), any_json),
        "Id": hs.text(max_size=5),
    },
)
contexts = hs.dictionaries(
    hs.sampled_from(["k", "aws:TagKeys", "aws:SourceIp", "K"]),
    hs.one_of(glob_text, hs.lists(glob_text, max_size=3), hs.integers(), hs.booleans()),
    max_size=3,
)

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    assert time.perf_counter() - t < CEILING_S, "took too long: a hang?"
    return out


@FUZZ
@given(hs.one_of(any_json, document_like))
def test_random_json_only_policy_error(obj):
    try:
        policy = _timed(parse_policy, obj, "f")
    except PolicyError as exc:
        assert str(exc).startswith("policy 'f'")
        return
    assert policy.statements is not None


@FUZZ
@given(hs.text(max_size=200))
def test_random_text_only_policy_error(text):
    try:
        _timed(parse_policy, text, "f")
    except PolicyError:
        pass


@FUZZ
@given(
    document_like,
    hs.sampled_from(["sagemaker:DescribeDomain", "s3:GetObject", "*", ""]),
    glob_text,
    contexts,
)
def test_parsed_policies_evaluate_lint_and_explain_without_raising(obj, action, resource, ctx):
    findings = _timed(lint_policy, obj, "f")
    assert all(f["severity"] in ("error", "warning", "info") for f in findings)
    try:
        policy = parse_policy(obj, "f")
    except PolicyError:
        assert any(f["severity"] == "error" for f in findings)
        return
    d = _timed(evaluate, Request(SESSION, action, resource, ctx), PolicySet([policy]))
    assert d.decision in ("allow", "explicit_deny", "implicit_deny", "unknown")
    d2 = _timed(
        evaluate,
        Request(SESSION, action, resource, ctx, open_world=True),
        PolicySet([policy], boundary=policy),
    )
    assert d2.decision in ("allow", "explicit_deny", "implicit_deny", "unknown")


@settings(max_examples=60, deadline=None)
@given(
    hs.lists(hs.sampled_from(["*", "a", "?", "b"]), min_size=10, max_size=60),
    hs.text(alphabet="ab", min_size=20, max_size=400),
)
def test_wildcard_heavy_patterns_do_not_hang(pattern_chars, value):
    pattern = "".join(pattern_chars)
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": pattern,
                "Condition": {"StringLike": {"k": pattern}},
            },
            {"Effect": "Deny", "Action": pattern, "Resource": "*"},
        ],
    }
    p = parse_policy(doc, "w")
    _timed(evaluate, Request(SESSION, value, value, {"k": value}), PolicySet([p]))


def _nested(depth, leaf):
    node = leaf
    for _ in range(depth):
        node = [node]
    return node


def test_deeply_nested_documents_are_rejected_cleanly():
    for depth in (MAX_DEPTH + 1, 5_000, 200_000):
        deep = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"k": _nested(depth, "v")}},
                }
            ],
        }
        try:
            _timed(parse_policy, deep, "deep")
        except PolicyError as exc:
            assert "nests too deep" in str(exc) or exc.field == "Condition"
        else:
            raise AssertionError("a deeply nested document parsed")
        text = '{"Statement":' + "[" * depth + "]" * depth + "}"
        try:
            _timed(parse_policy, text, "deep")
        except PolicyError:
            pass
        else:
            raise AssertionError("deep JSON text parsed")
        assert _timed(lint_policy, text, "deep")[0]["id"] in ("json-invalid", "document-invalid")


def test_huge_documents():
    n = 5_000
    statements = [
        {
            "Sid": f"S{i}",
            "Effect": "Allow" if i % 3 else "Deny",
            "Action": [f"sagemaker:Describe{i}*", "s3:Get*"],
            "Resource": f"arn:aws:sagemaker:*:*:thing/{i}/*",
            "Condition": {"StringLike": {"k": f"v{i}*"}},
        }
        for i in range(n)
    ]
    doc = {"Version": "2012-10-17", "Statement": statements}
    p = _timed(parse_policy, doc, "huge")
    assert len(p.statements) == n
    d = _timed(
        evaluate,
        Request(
            SESSION, "sagemaker:Describe42x", "arn:aws:sagemaker:*:*:thing/42/a", {"k": "v42z"}
        ),
        PolicySet([p]),
    )
    assert d.decision == "explicit_deny" and [s.index for s in d.statements] == [42]
    fs = _timed(lint_policy, doc, "huge")
    assert any(f["id"] == "policy-too-large" for f in fs)
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "x" * (MAX_TEXT_CHARS + 1)}
            ],
        }
    )
    try:
        _timed(parse_policy, text, "too-long")
    except PolicyError as exc:
        assert "characters" in str(exc)
    else:
        raise AssertionError("an over-long document parsed")
