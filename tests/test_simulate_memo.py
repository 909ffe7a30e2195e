"""``simulate --cases`` has two paths that must never disagree: the fast path (one typed
msgspec decode, statements compiled once per JSON text for the run, iam/simulate.py) and the
reference path (orjson and ``parse_policy``, which answers every line the fast path refuses,
and ``run_case``). Neither the fast path's statement cache nor the parse and compile caches
(iam/policy.py, iam/engine.py) may ever change an answer.

Every test compares ``run_cases`` (caches warm from the lines before) with
``run_case(json.loads(line))`` evaluated with every cache emptied first, on files built to trip
the caches: documents that share statements at other positions, whitespace and key-order
variants, duplicate keys, malformed lines and malformed statements of every kind, budgets small
enough to be hit mid-file. Then the line rules orjson brings (what it refuses, nesting,
byte-compatible output).
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from sagemaker_isolation_ext.iam import engine as engine_mod
from sagemaker_isolation_ext.iam import policy as policy_mod
from sagemaker_isolation_ext.iam.policy import _document_key, key_json, parse_policy
from sagemaker_isolation_ext.iam.simulate import MAX_DEPTH, run_case, run_cases, run_cases_json

DOMAIN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-aaaaaaaaaaaa"
STATEMENTS = [
    {"Sid": "SM", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "sagemaker:Describe*", "Resource": "*"},
    {
        "Sid": "Tagged",
        "Effect": "Allow",
        "Action": ["sagemaker:Describe*", "sagemaker:Update*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": DOMAIN}},
    },
    {
        "Sid": "NotTagged",
        "Effect": "Deny",
        "Action": "sagemaker:Delete*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:ResourceTag/sagemaker:domain-arn": DOMAIN}},
    },
    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:sagemaker:*:*:domain/*"},
    # names another top-level field inside a policy: the end guess finds it first
    {"Sid": "permissions_boundary", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": "sagemaker:List*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": True}},
    },
    {
        "Effect": "Allow",
        "Action": "x:y",
        "Resource": "*",
        "Condition": {"NumericLessThan": {"k": 1.0}},
    },
    {
        "Effect": "Allow",
        "Action": "x:y",
        "Resource": "*",
        "Condition": {"NumericLessThan": {"k": 1}},
    },
    {"Effect": "Maybe", "Action": "x:y", "Resource": "*"},  # malformed: the line is unknown
    "not a statement",
]
REQUESTS = [
    {
        "principal": "arn:aws:sts::111122223333:assumed-role/R/S",
        "action": a,
        "resource": r,
        "context": ctx,
    }
    for a in ("sagemaker:DescribeDomain", "sagemaker:DeleteSpace", "s3:GetObject")
    for r in (DOMAIN, "*")
    for ctx in (
        {},
        {"aws:ResourceTag/sagemaker:domain-arn": DOMAIN},
        {"aws:SecureTransport": "true"},
    )
]


def _doc(rng: random.Random) -> dict:
    n = rng.randint(0, 4)
    sts = [rng.choice(STATEMENTS) for _ in range(n)]
    doc: dict = {"Version": rng.choice(["2012-10-17", "2008-10-17"])}
    if n == 1 and rng.random() < 0.3:
        doc["Statement"] = sts[0]
    else:
        doc["Statement"] = sts
    if rng.random() < 0.1:
        doc["Id"] = "x"
    return doc


def _entry(rng: random.Random, docs: list) -> dict:
    doc = rng.choice(docs)
    if rng.random() < 0.2:
        return doc  # a bare document
    return {"name": rng.choice(["p0", "p1", "permissions_boundary"]), "document": doc}


def _line(rng: random.Random, docs: list, n: int) -> str:
    case: dict = {"id": rng.choice([f"c{n}", n, True, "caf\u00e9", None, 1.5])}
    case["identity_policies"] = [_entry(rng, docs) for _ in range(rng.randint(0, 3))]
    r = rng.random()
    case["permissions_boundary"] = None if r < 0.5 else _entry(rng, docs)
    if rng.random() < 0.2:
        case["scps"] = [[_entry(rng, docs)], [_entry(rng, docs)]]
    if rng.random() < 0.1:
        case["session_policy"] = _entry(rng, docs)
    case["request"] = rng.choice(REQUESTS)
    items = list(case.items())
    if rng.random() < 0.3:
        rng.shuffle(items)
    sep = rng.choice([(",", ":"), (", ", ": "), (" , ", " :  ")])
    text = json.dumps(dict(items), separators=sep)
    roll = rng.random()
    if roll < 0.05:
        text = text[:-1] + ', "identity_policies": []}'  # duplicate key: the last one wins
    elif roll < 0.08:
        text = text[: len(text) // 2]  # truncated: not JSON
    elif roll < 0.12:
        text = "  " + text + " \t"
    return text


def _forget_parses() -> None:
    """Empty the module-level parse and compile caches, so an expected answer cannot borrow
    anything from lines evaluated before it."""
    policy_mod._PARSED.clear()
    policy_mod._parsed_chars = 0
    policy_mod._STMT_PARSED.clear()
    policy_mod._stmt_chars = 0
    engine_mod._STMT_CACHE.clear()
    engine_mod._STMT_BY_ID.clear()


def _expected(line: str) -> dict | None:
    _forget_parses()
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return run_case(obj)


def _check(lines: list[str]) -> None:
    _forget_parses()
    got = list(run_cases(lines))
    assert len(got) == len(lines)
    # the encoded path (what the CLI writes) is the same text as encoding run_cases' dicts
    assert list(run_cases_json(lines)) == [json.dumps(g, separators=(",", ":")) for g in got]
    for line, g in zip(lines, got):
        e = _expected(line)
        if e is None:
            assert g["decision"] == "unknown" and "not valid JSON" in g["reason"], line
        else:
            assert g == e, line


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.integers(min_value=0, max_value=2**32 - 1))
def test_memo_path_equals_plain_path_on_random_files(seed):
    rng = random.Random(seed)
    docs = [_doc(rng) for _ in range(rng.randint(1, 6))]
    lines = [_line(rng, docs, n) for n in range(rng.randint(1, 40))]
    _check(lines)


def test_documents_that_grow_by_one_statement():
    """The benchmark's shape: a document, then the same document plus one statement, many times
    over, interleaved with the original (statements shared, documents new)."""
    base = {"Version": "2012-10-17", "Statement": STATEMENTS[:5]}
    lines = []
    for k in range(30):
        doc = (
            base
            if k % 2 == 0
            else dict(base, Statement=STATEMENTS[:5] + [dict(STATEMENTS[1], Sid=f"N{k}")])
        )
        for req in REQUESTS[:6]:
            lines.append(
                json.dumps(
                    {
                        "id": f"{k}",
                        "identity_policies": [{"name": "p0", "document": doc}],
                        "request": req,
                    }
                )
            )
    _check(lines)


def test_a_known_text_followed_by_more_is_not_taken_for_it():
    doc = {"Version": "2012-10-17", "Statement": STATEMENTS[:3]}
    text = json.dumps([{"name": "p0", "document": doc}])
    req = json.dumps(REQUESTS[0])
    lines = [
        '{"id": "a", "identity_policies": ' + text + ', "request": ' + req + "}",
        # the same list with one more policy: the guessed end is wrong, the index must not match
        '{"id": "b", "identity_policies": '
        + text[:-1]
        + ', {"name": "p1", "document": '
        + json.dumps({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
        + "}]"
        + ', "request": '
        + req
        + "}",
        # the same document text inside a longer string value of the request
        '{"id": "c", "identity_policies": '
        + text
        + ', "request": '
        + req[:-1]
        + ', "note": '
        + json.dumps(text)
        + "}}",
        '{"id": "d", "request": ' + req + ', "identity_policies": ' + text + "}",
        '{"id": "e", "request": ' + req + ', "identity_policies": ' + text + "} x",
    ]
    _check(lines * 3)


@settings(max_examples=200, deadline=None)
@given(
    hs.recursive(
        hs.none()
        | hs.booleans()
        | hs.integers()
        | hs.floats(allow_nan=False)
        | hs.text(max_size=5),
        lambda inner: (
            hs.lists(inner, max_size=3) | hs.dictionaries(hs.text(max_size=4), inner, max_size=3)
        ),
        max_leaves=12,
    ),
    hs.dictionaries(
        hs.sampled_from(["Version", "Id", "Zeta", "Statement2", "é"]),
        hs.text(max_size=3),
        max_size=3,
    ),
    hs.booleans(),
)
def test_document_key_equals_key_json(statement, extra, as_list):
    doc = dict(extra)
    doc["Statement"] = [statement, statement] if as_list else statement
    key, parts = _document_key(doc, None)
    assert key == key_json(doc)
    if parts is not None:
        st = doc["Statement"]
        assert parts == [key_json(s) for s in (st if isinstance(st, list) else [st])]
        given_key, _ = _document_key(doc, parts)
        assert given_key == key


def test_statement_parse_cache_never_mixes_documents():
    one = {"Version": "2012-10-17", "Statement": [STATEMENTS[0], STATEMENTS[1]]}
    two = {"Version": "2012-10-17", "Statement": [STATEMENTS[1], STATEMENTS[0]]}
    p1 = parse_policy(one, "p")
    p2 = parse_policy(two, "p")
    assert [s.effect for s in p1.statements] == ["Allow", "Deny"]
    assert [s.effect for s in p2.statements] == ["Deny", "Allow"]
    assert [s.index for s in p2.statements] == [0, 1]
    assert p1.digest != p2.digest


def test_memory_budgets_forget_without_changing_answers(monkeypatch):
    """Past their character budgets the parse caches forget mid-file: answers stay the same."""
    monkeypatch.setattr(policy_mod, "_PARSED_CHARS_MAX", 900)
    monkeypatch.setattr(policy_mod, "_STMT_CHARS_MAX", 300)
    evicted = []
    real = policy_mod._remember_statement

    def remember(key, st):
        before = len(policy_mod._STMT_PARSED)
        real(key, st)
        if len(policy_mod._STMT_PARSED) <= before:
            evicted.append(key)

    monkeypatch.setattr(policy_mod, "_remember_statement", remember)
    rng = random.Random(7)
    docs = [_doc(rng) for _ in range(5)]
    _check([_line(rng, docs, n) for n in range(120)])
    assert evicted, "the budget was never reached: the test does not test it"
    assert len(policy_mod._PARSED) <= 10


def test_a_statement_at_another_position_or_policy_is_read_there():
    """The same statement text at other indexes and under other policy names: each answer
    names its own policy and index (compiled statements are shared only where that holds)."""
    st = STATEMENTS[0]
    lines = []
    for k in range(4):
        doc = {"Version": "2012-10-17", "Statement": STATEMENTS[1:1 + k] + [st]}
        for name in ("p0", "other"):
            case = {"id": f"{k}{name}", "identity_policies": [{"name": name, "document": doc}]}
            case["request"] = dict(REQUESTS[0], action="sagemaker:ListDomains")
            lines.append(json.dumps(case))
    got = list(run_cases(lines))
    for g, line in zip(got, lines):
        case = json.loads(line)
        want = (case["identity_policies"][0]["name"], len(case["identity_policies"][0]["document"]["Statement"]) - 1)
        assert (g["statements"][0]["policy"], g["statements"][0]["index"]) == want, g
    _check(lines)


def test_an_answer_never_depends_on_earlier_lines_through_key_order():
    """Two documents that differ only in the order of their Condition operators: each line's
    reason names its own first unsupported operator, whatever came before (the parse caches
    key on text in document order, not on sorted canonical JSON)."""

    def line(cid, ops):
        cond = {op: {"aws:username": "x"} for op in ops}
        st = {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": cond}
        doc = {"Version": "2012-10-17", "Statement": [st]}
        case = {"id": cid, "identity_policies": [{"name": "p0", "document": doc}]}
        case["request"] = REQUESTS[0]
        return json.dumps(case)

    a, b = line("a", ["FooOp", "BarOp"]), line("b", ["BarOp", "FooOp"])
    alone = list(run_cases([b]))[0]["reason"]
    assert "BarOp" in alone
    got = list(run_cases([a, b]))
    assert "FooOp" in got[0]["reason"] and got[1]["reason"] == alone
    _check([a, b, a, b])


def test_what_orjson_refuses_is_unknown_with_a_reason():
    """Lone surrogates, NaN/Infinity and integers past 64 bits make the line unknown (orjson
    refuses the first two; the third it would read as a float); whitespace JSON does not
    allow (U+00A0, U+2028, form feed) after the object makes the line invalid, and a line of
    it alone is not blank."""
    doc = {"Version": "2012-10-17", "Statement": [STATEMENTS[0]]}
    good = json.dumps({"id": "g", "identity_policies": [doc], "request": REQUESTS[0]})
    bad = [
        good.replace('"id": "g"', '"id": "\\ud800"'),
        good.replace('"Sid": "SM"', '"Sid": "\\udfff"'),
        good.replace('"id": "g"', '"id": NaN'),
        good.replace('"id": "g"', '"id": -Infinity'),
        good.replace('"id": "g"', '"id": 18446744073709551616'),
        good.replace('"id": "g"', '"id": -9223372036854775809'),
        good.replace('"id": "g"', '"x": [1, 123456789012345678901234567890]'),
        good + "\u00a0",
        good + "\u2028",
        good + "\x0c",
        "\u00a0",
    ]
    got = list(run_cases([good] + bad + [good + " \t\r", "  ", ""]))
    assert got[0]["decision"] == "allow"
    assert len(got) == len(bad) + 2
    for line, g in zip(bad, got[1:]):
        assert g == {"id": None, "decision": "unknown", "statements": [], "reason": g["reason"]}
        assert g["reason"].startswith("line "), g
    assert all("not valid JSON" in g["reason"] for g in got[1:5] + got[8:12])
    assert all("past 64 bits" in g["reason"] for g in got[5:8])
    assert got[-1] == got[0]
    # the largest 64-bit integers are fine
    edge = good.replace('"id": "g"', '"id": 18446744073709551615, "n": -9223372036854775808')
    assert list(run_cases([edge]))[0] == dict(got[0], id=18446744073709551615)


def _nested(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


def test_lines_nested_deeper_than_64_are_unknown():
    """The product's rule: JSON nested deeper than 64 levels is bad input, wherever it is."""
    doc = {"Version": "2012-10-17", "Statement": [STATEMENTS[0]]}
    base = {"id": "d", "identity_policies": [{"name": "p0", "document": doc}], "request": REQUESTS[0]}
    # the line's object is level 1, so a member holding n nested lists reaches level n + 1
    ok = dict(base, note=_nested(MAX_DEPTH - 1))
    deep = dict(base, note=_nested(MAX_DEPTH))
    assert run_case(ok)["decision"] == "allow"
    for case in (
        deep,
        dict(base, request=dict(REQUESTS[0], context={"k": _nested(MAX_DEPTH)})),
        dict(base, identity_policies=[{"name": "p0", "document": dict(doc, Id=_nested(70))}]),
        dict(base, identity_policies=[{"name": "p0", "document": {"Version": "2012-10-17", "Statement": [dict(STATEMENTS[0], Condition={"StringEquals": {"k": _nested(70)}})]}}]),
    ):
        for out in (run_case(case), list(run_cases([json.dumps(case)]))[0]):
            assert out == {"id": "d", "decision": "unknown", "statements": [], "reason": out["reason"]}
            assert "nested too deeply" in out["reason"], out
    # far past orjson's own limit: still one unknown line, no crash
    (far,) = run_cases(["[" * 5000 + "]" * 5000])
    assert far["decision"] == "unknown"


def test_output_is_byte_compatible_with_json_dumps():
    """One JSON object per line, keys in the documented order, the same bytes as
    ``json.dumps(result, separators=(",", ":"))`` (non-ASCII escaped), conditional and
    uncredited keys included."""
    doc = {"Version": "2012-10-17", "Statement": [dict(STATEMENTS[2], Sid="Sé\u2028"), STATEMENTS[3]]}
    lines = [
        json.dumps({"id": i, "identity_policies": [{"name": n, "document": doc}], "request": r})
        for i, (n, r) in enumerate(zip(["p0", "politique-é", "\u65e5\u672c"], REQUESTS[:9:4]))
    ]
    lines.append(json.dumps({"id": "caf\u00e9", "identity_policies": "x", "request": REQUESTS[0]}))
    got = list(run_cases(lines))
    texts = list(run_cases_json(lines))
    assert texts == [json.dumps(g, separators=(",", ":")) for g in got]
    for g in got:
        assert list(g)[:3] == ["id", "decision", "statements"]


# -- the fast path against the reference path ---------------------------------------------------

_SCALARS = ["x", 5, 1.5, True, None, 2**40, [], {}, ["x", 3], [[1]], {"a": "b"}]
_ACTIONS = ["s3:GetObject", ["s3:Get*", "sagemaker:*"], "*", ["kms:Decrypt", "iam:Pass?ole"],
            "S3:GETOBJECT", ["logs:*", "sts:AssumeRole"], [], 5, ["ok", 3], None]
_RESOURCES = ["*", ["arn:aws:s3:::b/*", "arn:aws:kms:*:*:key/${aws:username}"],
              "arn:aws:sagemaker:us-east-1:111122223333:domain/*", [], None, {"a": 1}]
_CONDITIONS = [
    {"StringEquals": {"aws:username": "x"}},
    {"Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"k": [1.5, 2]}},
    {"NoSuchOperator": {"k": "y"}},
    {"Null": {"k": "maybe"}},
    {},
    {"StringEquals": {"k": [1, True, None]}},
    {"StringLike": {"k": [["x"]]}},
    {"StringEquals": "x"},
    [],
]
_PRINCIPALS = ["*", {"AWS": "arn:aws:iam::111122223333:root"},
               {"AWS": ["arn:aws:sts::111122223333:assumed-role/R/S"]}, {"AWS": []}, {}, "x",
               {"AWS": ["arn:aws:iam::111122223333:role/R", 5]}]


def _statement(rng: random.Random, clean: bool, kind: str = "identity") -> object:
    """A statement; ``clean``: one the grammar of ``kind`` takes."""
    if not clean and rng.random() < 0.03:
        return rng.choice(["x", 5, None, []])
    st: dict = {}
    if clean:
        st["Effect"] = rng.choice(["Allow", "Deny"])
        if rng.random() < 0.3:
            st["Sid"] = rng.choice(["S", None, ""])
        if kind == "rcp":
            st["Action"] = rng.choice(["*", "s3:GetObject", ["kms:Decrypt", "sts:Assume*"]])
            if rng.random() < 0.7:
                st["Principal"] = "*"
        else:
            st[rng.choice(["Action", "Action", "NotAction"])] = rng.choice(_ACTIONS[:6])
        if kind == "identity" or rng.random() < 0.8:
            st[rng.choice(["Resource", "Resource", "NotResource"])] = rng.choice(_RESOURCES[:3])
        if rng.random() < 0.3:
            st["Condition"] = rng.choice(_CONDITIONS[:5])
        if kind == "resource":
            st[rng.choice(["Principal", "Principal", "NotPrincipal"])] = rng.choice(_PRINCIPALS[:3])
        return st
    for field, values, p in (
        ("Sid", ["S", None, "", 3], 0.3),
        ("Effect", ["Allow", "Deny", "Maybe", None, 1], 0.97),
        ("Action", _ACTIONS, 0.85),
        ("NotAction", _ACTIONS, 0.2),
        ("Resource", _RESOURCES, 0.75),
        ("NotResource", _RESOURCES, 0.2),
        ("Condition", _CONDITIONS, 0.3),
        ("Principal", _PRINCIPALS, 0.3),
        ("NotPrincipal", _PRINCIPALS, 0.1),
        ("Foo", _SCALARS, 0.03),
    ):
        if rng.random() < p:
            st[field] = rng.choice(values)
    return st


def _document(rng: random.Random, clean: bool, kind: str = "identity") -> object:
    doc: dict = {}
    r = rng.random()
    if r < 0.8 or (clean and (r < 0.9 or kind == "rcp")):
        doc["Version"] = "2012-10-17"
    elif clean:
        doc["Version"] = "2008-10-17"
    elif r < 0.9:
        doc["Version"] = rng.choice(["2008-10-17", None, "2020-01-01", 5])
    if rng.random() < 0.1:
        doc["Id"] = "x" if clean else rng.choice(["x", 5, ["y"]])
    n = rng.randint(0, 4)
    sts = [_statement(rng, clean, kind) for _ in range(n)]
    r = rng.random()
    if r < 0.9 or clean:
        doc["Statement"] = sts[0] if n == 1 and rng.random() < 0.3 else sts
    elif r < 0.95:
        doc["Statement"] = rng.choice(["x", None, 5])
    if not clean and rng.random() < 0.03:
        doc["Extra"] = 1
    return doc


def _policy_entry(rng: random.Random, clean: bool = False, kind: str = "identity") -> object:
    r = rng.random()
    if r < 0.75 or (clean and r < 0.85):
        return {"name": rng.choice(["p0", "p1", "org"]), "document": _document(rng, clean, kind)}
    if r < 0.9 or clean:
        return _document(rng, clean, kind)  # a bare document
    return rng.choice([{"name": 5, "document": _document(rng, clean)}, {"document": None},
                       {"name": "n"}, {"name": "n", "Statement": []}, "x", None])


def _fuzz_line(rng: random.Random, n: int) -> str:
    if rng.random() < 0.5:
        return _clean_line(rng, n)
    case: dict = {"id": rng.choice([f"c{n}", n, True, None, 1.5, 2**40, ["x"]])}
    if rng.random() < 0.97:
        case["identity_policies"] = [_policy_entry(rng) for _ in range(rng.randint(0, 2))]
    for field, p in (("permissions_boundary", 0.3), ("session_policy", 0.1),
                     ("resource_policy", 0.25)):
        if rng.random() < p:
            case[field] = _policy_entry(rng) if rng.random() < 0.9 else None
    for field, p in (("scps", 0.3), ("rcps", 0.3)):
        if rng.random() < p:
            r = rng.random()
            if r < 0.5:
                case[field] = [_policy_entry(rng) for _ in range(rng.randint(0, 2))]
            elif r < 0.9:
                case[field] = [[_policy_entry(rng)] for _ in range(rng.randint(1, 2))]
            else:
                case[field] = rng.choice([[[_policy_entry(rng)], _policy_entry(rng)], "x", None])
    request = {
        "principal": rng.choice(["arn:aws:sts::111122223333:assumed-role/R/S",
                                 "arn:aws:iam::444455556666:role/Other"]),
        "action": rng.choice(["s3:GetObject", "sagemaker:DescribeDomain", "kms:Decrypt",
                              "logs:PutLogEvents", "iam:PassRole"]),
        "resource": rng.choice(["arn:aws:s3:::b/k", "*", DOMAIN,
                                "arn:aws:kms:us-east-1:111122223333:key/alice"]),
    }
    if rng.random() < 0.5:
        request["context"] = rng.choice([{}, None, {"aws:username": "alice"},
                                         {"aws:SecureTransport": True, "k": [1, 2]},
                                         {"k": None}, {"k": {"a": 1}}, {"k": 2**40}, "x"])
    if rng.random() < 0.03:
        request.pop(rng.choice(["action", "resource", "principal"]))
    if rng.random() < 0.03:
        request["extra"] = 1
    case["request"] = request
    if rng.random() < 0.1:
        case["expected"] = rng.choice(["allow", 5])
    if rng.random() < 0.03:
        case["note"] = [1, {"a": None}]
    return json.dumps(case)


def _clean_line(rng: random.Random, n: int) -> str:
    """A line whose every value is one the grammar takes (most of them valid cases)."""
    case: dict = {"id": rng.choice([f"c{n}", n, None])}
    case["identity_policies"] = [_policy_entry(rng, True) for _ in range(rng.randint(0, 2))]
    for field, p in (("permissions_boundary", 0.3), ("session_policy", 0.1)):
        if rng.random() < p:
            case[field] = _policy_entry(rng, True)
    if rng.random() < 0.25:
        case["resource_policy"] = _policy_entry(rng, True, "resource")
    for field, kind in (("scps", "scp"), ("rcps", "rcp")):
        if rng.random() < 0.3:
            case[field] = [[_policy_entry(rng, True, kind)] for _ in range(rng.randint(1, 2))]
    case["request"] = {
        "principal": "arn:aws:sts::111122223333:assumed-role/R/S",
        "action": rng.choice(["s3:GetObject", "sagemaker:DescribeDomain", "kms:Decrypt"]),
        "resource": rng.choice(["arn:aws:s3:::b/k", "*", DOMAIN]),
        "context": rng.choice([{}, {"aws:username": "alice", "k": "y"}, {"aws:SecureTransport": True}]),
    }
    return json.dumps(case)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.integers(min_value=0, max_value=2**32 - 1))
def test_fast_path_equals_reference_path_on_malformed_shapes(seed):
    """Statements, documents, policy entries, levels and requests of every shape the grammar
    refuses (and the ones it takes), under every policy kind: the fast path answers exactly as
    the reference path, malformed reasons included (each line is tried twice, so the second
    meets its statements compiled)."""
    rng = random.Random(seed)
    lines = [_fuzz_line(rng, n) for n in range(rng.randint(1, 12))]
    _check(lines + lines)


def test_the_fast_path_takes_well_formed_lines():
    """Every line of the shared cases file is answered by the fast path (so the tests above
    compare two paths, not one with itself)."""
    from sagemaker_isolation_ext.iam.fastcase import FastPath

    fast = FastPath()
    with open("tests/cases/iam_eval_cases.jsonl") as f:
        lines = f.read().splitlines()
    for line in lines:
        got = fast.decide(line)
        assert got is not None, line
    _check(lines[:100])


@pytest.mark.parametrize("budget", [0, 200])
def test_fast_path_budget_forgets_without_changing_answers(monkeypatch, budget):
    """With a statement budget of a few characters the fast path starts over on nearly every
    policy, and with none it keeps nothing: the answers stay the same."""
    from sagemaker_isolation_ext.iam import fastcase

    monkeypatch.setattr(fastcase, "COMPILED_CHARS_MAX", budget)
    rng = random.Random(11)
    docs = [_doc(rng) for _ in range(5)]
    _check([_line(rng, docs, n) for n in range(80)])


def test_an_error_names_the_statement_where_it_stands():
    """A statement compiled once and met again at another position of another policy: the
    reason of its evaluation error names where it stands in this case, not where it was first
    compiled."""
    bad = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"FooOp": {"k": "v"}}}
    lines = []
    for k, name in enumerate(["p0", "second", "third"]):
        doc = {"Version": "2012-10-17", "Statement": [STATEMENTS[0]] * k + [bad]}
        lines.append(json.dumps({"id": k, "identity_policies": [{"name": name, "document": doc}],
                                 "request": REQUESTS[0]}))
    got = list(run_cases(lines))
    for k, (name, g) in enumerate(zip(["p0", "second", "third"], got)):
        assert g["decision"] == "unknown"
        assert f"policy {name!r} statement #{k}" in g["reason"], g["reason"]
    _check(lines)
