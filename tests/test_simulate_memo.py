"""``simulate --cases`` remembers raw texts across lines (iam/simulate.py ``_Memo``) and parses
statements once by canonical text (iam/policy.py): neither may ever change an answer.

Every test compares ``run_cases`` (memo path) with ``run_case(json.loads(line))`` (no memo) on
files built to trip the memo: documents that share statements, texts that are prefixes of
others, whitespace and key-order variants, members that name another field inside a policy
(so the "guess where it ends" step guesses wrong), duplicate keys and malformed lines.
"""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from sagemaker_isolation_ext.iam import engine as engine_mod
from sagemaker_isolation_ext.iam import policy as policy_mod
from sagemaker_isolation_ext.iam.policy import _document_key, key_json, parse_policy
from sagemaker_isolation_ext.iam.simulate import _RawIndex, run_case, run_cases, run_cases_json

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


def test_raw_index_is_exact():
    idx = _RawIndex()
    a = json.dumps({"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*" * 80}]})
    idx.add(a, "A")
    assert idx.find("[" + a + "]", 1)[1] == "A"
    assert idx.find("[" + a + " , 1]", 1)[1] == "A"
    assert idx.find("[" + a[:-1] + ', "x": 1}]', 1) is None  # a prefix of a longer object
    assert idx.find("[" + a + "x]", 1) is None  # not followed by a delimiter
    assert idx.find(a[:-2], 0) is None  # shorter than the text
    idx.add("[1]", "short")  # texts under 64 characters are not filed
    assert idx.find("[1]", 0) is None


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
    """Past its character budget the memo forgets everything mid-file (and the parse caches
    theirs): answers stay the same."""
    from sagemaker_isolation_ext.iam import policy as policy_mod
    from sagemaker_isolation_ext.iam import simulate as simulate_mod

    monkeypatch.setattr(simulate_mod, "_MEMO_CHARS", 700)
    monkeypatch.setattr(policy_mod, "_PARSED_CHARS_MAX", 900)
    monkeypatch.setattr(policy_mod, "_STMT_CHARS_MAX", 300)
    resets = []
    real_spend = simulate_mod._Memo.spend

    def spend(self, n):
        before = self.chars
        real_spend(self, n)
        if self.chars < before + n:
            resets.append(n)

    monkeypatch.setattr(simulate_mod._Memo, "spend", spend)
    rng = random.Random(7)
    docs = [_doc(rng) for _ in range(5)]
    _check([_line(rng, docs, n) for n in range(120)])
    assert resets, "the budget was never reached: the test does not test it"
    assert len(policy_mod._PARSED) <= 10


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


def test_lone_surrogates_and_non_json_whitespace():
    """A lone surrogate escape is valid JSON (the line is evaluated, not a crash); whitespace
    that JSON does not allow (U+00A0, U+2028, form feed) after the object makes the line
    invalid, and a line of it alone is not blank."""
    doc = {"Version": "2012-10-17", "Statement": [dict(STATEMENTS[0], Sid="\ud800")]}
    good = json.dumps({"id": "\udfff", "identity_policies": [doc], "request": REQUESTS[0]})
    lines = [good, good + "\u00a0", good + "\u2028", good + "\x0c", "\u00a0", good + " \t\r"]
    got = list(run_cases(lines))
    assert got[0]["decision"] == "allow" and got[0]["statements"][0]["sid"] == "\ud800"
    assert [g["decision"] for g in got[1:5]] == ["unknown"] * 4
    assert all("not valid JSON" in g["reason"] for g in got[1:5])
    assert got[5] == got[0]
    _check(lines)
