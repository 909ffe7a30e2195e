"""The AccessDenied parser on every shared message and on our own cases.

Cases: ``tests/cases/access_denied.jsonl`` (21 real messages with the fields each thread shows)
and ``tests/cases/explain_messages.jsonl`` (our expectations for those, plus our own messages for
every shape and reason kind of the explain issue). Fields and top causes are checked in
``test_explain_causes.py``; this file checks the extracted fields.
"""

from __future__ import annotations

import pytest

from sagemaker_isolation_ext.sagemaker.access_denied import (
    MAX_INPUT_CHARS,
    POLICY_TYPES,
    REASONS,
    ParsedDenial,
    parse_message,
)
from tests.explain_cases import CASES, OWN, SHARED  # noqa: E402,F401

FIELDS = ("principal", "action", "resource", "operation", "reason", "policy_type", "policy_arn",
          "error_code", "kind")


def _message(case: dict) -> str:
    return SHARED[case["id"]]["message"] if case.get("shared") else case["message"]


def test_every_shared_message_has_an_expectation():
    shared_ids = {c["id"] for c in OWN if c.get("shared")}
    assert shared_ids == set(SHARED), "each shared message needs a line in explain_messages.jsonl"


@pytest.mark.parametrize("sid", sorted(SHARED))
def test_shared_fields_from_the_file(sid):
    """principal/action/resource/reason_clause as the shared file records them (unless our
    cases file overrides one with a note)."""
    entry = SHARED[sid]
    own = next(c for c in OWN if c.get("shared") and c["id"] == sid)
    got = parse_message(entry["message"])
    for key in ("principal", "action", "resource", "reason_clause"):
        want = own["expected"].get(key, entry.get(key))
        assert getattr(got, key) == want, (sid, key)


@pytest.mark.parametrize("case", OWN, ids=[c["id"] for c in OWN])
def test_expected_fields(case):
    got = parse_message(_message(case)).to_json()
    for key, want in case["expected"].items():
        assert got[key] == want, (case["id"], key, got[key])


def test_enums_are_covered_by_the_cases():
    reasons = {parse_message(_message(c)).reason for c in OWN}
    assert set(REASONS) <= reasons, set(REASONS) - reasons
    types = {parse_message(_message(c)).policy_type for c in OWN}
    assert set(POLICY_TYPES) <= types, set(POLICY_TYPES) - types


def test_every_field_is_in_an_enum_or_none():
    for c in OWN:
        p = parse_message(_message(c))
        assert p.reason is None or p.reason in REASONS
        assert p.policy_type is None or p.policy_type in POLICY_TYPES


def test_operation_differs_from_denied_action():
    case = next(c for c in OWN if c["id"] == "awsome634-createapp-addtags-lambda")
    p = parse_message(_message(case))
    assert (p.operation, p.action) == ("CreateApp", "sagemaker:AddTags")


def test_case_insensitive_grammar_words():
    p = parse_message("USER: arn:aws:iam::111122223333:user/x IS NOT AUTHORIZED TO PERFORM: "
                      "s3:GetObject ON RESOURCE: arn:aws:s3:::b/k BECAUSE NO SESSION POLICY "
                      "ALLOWS THE s3:GetObject ACTION")
    assert (p.action, p.resource, p.reason) == ("s3:GetObject", "arn:aws:s3:::b/k",
                                                "implicit_deny_session")


def test_non_string_input_is_no_message():
    for value in (None, 42, b"bytes", ["User: x is not authorized to perform: a:B"]):
        assert parse_message(value) == ParsedDenial()


def test_input_is_cut_at_64_kib_and_says_so():
    msg = ("User: arn:aws:iam::111122223333:user/x is not authorized to perform: s3:GetObject "
           "because no identity-based policy allows the s3:GetObject action ")
    p = parse_message(msg + "x" * (2 * MAX_INPUT_CHARS))
    assert p.truncated and p.input_chars == len(msg) + 2 * MAX_INPUT_CHARS
    assert p.reason == "implicit_deny_identity"
    # a denial that only starts after the cut is not seen
    late = parse_message("y " * MAX_INPUT_CHARS + msg)
    assert late.truncated and late.reason is None


def test_wrapped_boto3_repr_in_json_keeps_resource_clean():
    c = next(c for c in OWN if c["id"] == "cdksamples2-invokeendpoint-lambda-json")
    p = parse_message(_message(c))
    assert p.resource.endswith("endpoint-exampleuser--labse")
    assert p.error_code == "AccessDeniedException"


def test_old_format_resource_followed_by_other_text():
    p = parse_message("User: arn:aws:iam::111122223333:user/x is not authorized to perform: "
                      "sagemaker:DeleteApp on resource: arn:aws:sagemaker:us-east-1:1:app/d-1/u/"
                      "jupyterserver/default\nTraceback (most recent call last): ...")
    assert p.resource == "arn:aws:sagemaker:us-east-1:1:app/d-1/u/jupyterserver/default"
    assert p.reason == "unspecified"
