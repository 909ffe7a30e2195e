"""Property tests (hypothesis) for the explainer: no input makes the parser crash or hang, the
fields stay within their enums, the rendering never emits unescaped input. Keep this file."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagemaker_isolation_ext.notebook.explain import Explanation
from sagemaker_isolation_ext.render.text import render_explain_text as render_text
from sagemaker_isolation_ext.sagemaker.access_denied import (
    CAUSE_IDS,
    MAX_INPUT_CHARS,
    POLICY_TYPES,
    REASONS,
    _normalise,
    diagnose_denial,
    explain_message,
    parse_message,
)
from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

CATALOG = load_catalog()
PIECES = [
    "User: ", "arn:aws:sts::111122223333:assumed-role/R/S", " is not authorized to perform: ",
    "sagemaker:AddTags", "iam:PassRole", " on resource: ", "arn:aws:sagemaker:us-east-1:1:space/",
    "d-abc/", "role ", "* ", " because no ", "identity-based policy", "permissions boundary",
    " allows the ", " action", " with an explicit deny", " in a ", " in an ",
    "service control policy", ": arn:aws:iam::1:policy/P", " (Service: S; Status Code: 400)",
    "An error occurred (AccessDeniedException) when calling the CreateSpace operation: ",
    "\n", "\t", "│ ", '{"__type": "AccessDeniedException", "Message": "', '"}', "\\\"", "\\n",
    "<script>alert(1)</script>", "&amp;", "'", '"', "Could not assume role ",
    "arn:aws:iam::1:role/X.", "'sagemaker.amazonaws.com'", "Access Denied", "İ", "\u200b",
    "operation error SageMaker: CreateDomain, ", "\x00",
]
messages = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=30).map("".join),
)


def _check_fields(p):
    assert p.reason is None or p.reason in REASONS
    assert p.policy_type is None or p.policy_type in POLICY_TYPES
    for value in (p.principal, p.action, p.resource, p.operation, p.policy_arn):
        assert value is None or (isinstance(value, str) and value)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_parse_never_raises_and_fields_are_valid(text):
    p = parse_message(text)
    _check_fields(p)
    if p.kind == "iam":
        # IAM-grammar fields are taken from the text as written (after the parser's own
        # unwrapping and whitespace normalisation): each is a substring of it
        norm = _normalise(text[:MAX_INPUT_CHARS])
        for value in (p.principal, p.action, p.resource, p.policy_arn, p.reason_clause):
            assert value is None or value in norm, value


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_explain_never_raises_and_is_json(text):
    result = explain_message(text, catalog=CATALOG,
                             current_domain={"id": "d-abc", "arn": None})
    assert result["causes"]
    assert all(c["id"] in CAUSE_IDS for c in result["causes"])
    json.dumps(result)
    render_text(result)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_html_never_contains_raw_markup_from_input(text):
    html_out = Explanation(explain_message(text, catalog=CATALOG))._repr_html_()
    assert "<script" not in html_out.lower()
    assert "<img" not in html_out.lower()
    for tag in ("<iframe", "onerror=", "javascript:"):
        if tag in html_out.lower():
            # only possible as escaped text, never as markup
            assert tag not in html_out.lower().replace("&lt;", "").replace("&#x27;", "")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["mode", "resource_tags", "principal_policies",
                                        "current_domain"]),
                       st.one_of(st.none(), st.text(max_size=5),
                                 st.dictionaries(st.text(max_size=5), st.text(max_size=5)))))
def test_explain_tolerates_odd_evidence_shapes(ev):
    """Evidence dicts with odd values never crash the explainer (they are treated as absent)."""
    text = ("User: arn:aws:sts::1:assumed-role/R/S is not authorized to perform: "
            "sagemaker:DescribeModel on resource: arn:aws:sagemaker:us-east-1:1:model/m "
            "because no identity-based policy allows the sagemaker:DescribeModel action")
    try:
        result = diagnose_denial(parse_message(text), ev, catalog=CATALOG)
    except (AttributeError, TypeError) as e:  # pragma: no cover - the assertion explains it
        raise AssertionError(f"odd evidence crashed the explainer: {e!r}") from e
    assert result["causes"]


ADVERSARIAL = [
    " is not authorized to perform: " * 5000,
    "User: " + "a" * MAX_INPUT_CHARS,
    "is not authorized to perform: sagemaker:X on resource: " + "arn:" * 20000,
    "is not authorized to perform: a:B on resource: " + " with an explicit deny in a" * 3000,
    "is not authorized to perform: a:B" + " because no " * 6000,
    "[" * 50000 + "]" * 50000,
    '{"a":' * 20000 + "1" + "}" * 20000,
    "operation error " + "S " * 40000,
    "An error occurred (" * 5000,
    "arn:aws:iam::1:role/" + "a/" * 30000,
    "sagemaker:" * 10000,
    "\\n" * 40000,
    "x" * (10 * MAX_INPUT_CHARS),
    "is not authorized to perform: sagemaker:DescribeModel on resource: arn:aws:sagemaker:r:1:"
    + "model-card/" * 6000,
]


def test_adversarial_inputs_are_fast():
    for text in ADVERSARIAL:
        # CPU time of this process, as _timed below: other jobs on a loaded machine do not
        # inflate it.
        t0 = time.process_time()
        result = explain_message(text, catalog=CATALOG)
        elapsed = time.process_time() - t0
        assert elapsed < 5.0, (text[:40], elapsed)  # a hang guard (quadratic: minutes)
        assert result["causes"]


def test_time_grows_linearly():
    """Doubling an adversarial input at most roughly doubles the time (no quadratic blow-up)."""
    unit = "User: x is not authorized to perform: a:B on resource: arn:a:b:c:d:e with "
    small, big = unit * 200, unit * 800
    def best(text):
        return min(_timed(text) for _ in range(5))

    ratio = best(big) / max(best(small), 1e-6)
    assert ratio < 12, ratio


def _timed(text):
    # CPU time of this process: other jobs on a loaded machine do not inflate it.
    t0 = time.process_time()
    parse_message(text)
    return time.process_time() - t0
