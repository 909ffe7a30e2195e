"""The standalone page's fragment routes (server/page_routes.py) and the shared HTML renderer.

``GET fragments/report``, ``POST fragments/explain`` and ``GET fragments/coverage`` answer JSON
holding HTML from ``render/html.py`` (the notebook's renderer): the same report the ``report``
route gives, the same explanation as ``explain``; protected like every route; bad input a 400 with
the one error shape; and no value from a report, a message or AWS ever becomes markup.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from sagemaker_isolation_ext.render.html import coverage_html, explain_html, report_html
from sagemaker_isolation_ext.server.compat import unprotected_methods
from sagemaker_isolation_ext.server.page_routes import (
    CoverageFragmentHandler,
    ExplainFragmentHandler,
    ReportFragmentHandler,
)
from tests.test_server import (  # noqa: F401 (fixtures used by name)
    DOMAIN_ID,
    app_config,
    collector_class,
    expect_http_error,
    get_json,
    jp_server_config,
    post_report,
)

pytest_plugins = ("pytest_jupyter.jupyter_server",)

EVIL = '<img src=x onerror="window.__pwned=1">'
DENIAL = (
    "An error occurred (AccessDeniedException) when calling the DescribeTrainingJob operation: "
    "User: arn:aws:sts::111122223333:assumed-role/Studio/alice is not authorized to perform: "
    "sagemaker:DescribeTrainingJob on resource: arn:aws:sagemaker:us-east-1:111122223333:"
    "training-job/other-team-job because no identity-based policy allows the "
    "sagemaker:DescribeTrainingJob action"
)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _no_markup_from_values(html: str) -> _Tags:
    parsed = _Tags(html)
    assert not [t for t, _ in parsed.tags if t in ("img", "script", "iframe", "b")]
    assert not [a for _, attrs in parsed.tags for a in attrs if a.startswith("on")]
    return parsed


def test_fragment_routes_are_protected():
    for cls in (ReportFragmentHandler, ExplainFragmentHandler, CoverageFragmentHandler):
        assert unprotected_methods(cls) == [], cls


async def test_report_fragment_is_the_report_route_rendered(jp_fetch):
    code, status = await post_report(jp_fetch, {})
    assert code == 202
    for _ in range(200):
        _, fragment = await get_json(jp_fetch, "fragments", "report")
        if fragment["status"] != "running":
            break
        assert fragment["words"].startswith("Checking")
        assert fragment["html"] is None
        import asyncio

        await asyncio.sleep(0.05)
    assert fragment["status"] == "ready", fragment
    _, status = await get_json(jp_fetch, "report")
    report = status["report"]
    assert fragment["verdict"] == report["verdict"] == "not_isolated"
    assert fragment["words"] == f"Verdict: not isolated. Report ready ({status['finished_at']})."
    assert fragment["error_words"] is None
    # byte for byte what the shared renderer makes of the JSON route's report
    assert fragment["html"] == report_html(report, page=True)
    page = _no_markup_from_values(fragment["html"])
    ids = {a.get("data-testid") for _, a in page.tags}
    assert {"verdict", "roles", "role-row", "findings", "finding", "aws-errors"} <= ids
    assert DOMAIN_ID in "".join(page.text)


async def test_report_fragment_without_a_report_and_with_bad_input(jp_fetch):
    _, fragment = await get_json(jp_fetch, "fragments", "report", params={"domain_id": "d-other1"})
    assert fragment == {
        "status": "none",
        "verdict": None,
        "finished_at": None,
        "words": "No recent report for this domain: press Check.",
        "error_words": None,
        "html": None,
    }
    body = await expect_http_error(
        jp_fetch("sagemaker-isolation", "fragments", "report", params={"domain_id": EVIL}), 400
    )
    assert "domain_id" in body["message"]


async def test_explain_fragment_is_the_explain_route_rendered(jp_fetch):
    body = json.dumps({"message": DENIAL + " " + EVIL, "offline": True})
    plain = await jp_fetch("sagemaker-isolation", "explain", method="POST", body=body)
    fragment = await jp_fetch(
        "sagemaker-isolation", "fragments", "explain", method="POST", body=body
    )
    result = json.loads(plain.body)
    answer = json.loads(fragment.body)
    n = len(result["causes"])
    assert n and answer["causes"] == n
    assert answer["words"] == f"Explained: {n} possible cause{'' if n == 1 else 's'}."
    assert answer["html"] == explain_html(result, page=True)
    parsed = _no_markup_from_values(answer["html"])
    assert ("h3", {"id": "si-explain-result-title", "tabindex": "-1"}) in parsed.tags
    assert len([a for t, a in parsed.tags if a.get("data-testid") == "cause"]) == n
    assert "sagemaker:DescribeTrainingJob" in "".join(parsed.text)
    # bad input: the explain route's 400s (no message; a field explain does not take)
    for bad in ({"message": "", "offline": True}, {"message": "x", "html": True}):
        url = ("sagemaker-isolation", "fragments", "explain")
        await expect_http_error(jp_fetch(*url, method="POST", body=json.dumps(bad)), 400)


async def test_coverage_fragment(jp_fetch):
    _, answer = await get_json(jp_fetch, "fragments", "coverage", params={"q": "PipelineExecution"})
    _, table = await get_json(jp_fetch, "coverage", params={"q": "PipelineExecution"})
    assert answer["actions"] == len(table["actions"]) > 0
    assert answer["html"] == coverage_html(table)
    text = "".join(_no_markup_from_values(answer["html"]).text)
    assert "sagemaker:DescribePipelineExecution" in text
    assert "sagemaker:CreateTrainingJob" not in text
    await expect_http_error(
        jp_fetch("sagemaker-isolation", "fragments", "coverage", params={"q": "x" * 201}), 400
    )


# -- the renderer on its own ---------------------------------------------------------------------


def _evil_report() -> dict:
    witness = {
        "principal": EVIL,
        "action": "sagemaker:DescribeSpace",
        "resource": EVIL,
        "context": {EVIL: EVIL},
        "simulator_command": "aws iam simulate " + EVIL,
        "aws": {"decision": "allowed", "agrees": False, "cause": "other", "cause_text": EVIL},
    }
    return {
        "verdict": "not_isolated",
        "domain": {"id": EVIL, "arn": EVIL, "name": EVIL, "default_experience": EVIL},
        "catalog": {"source": EVIL, "version": EVIL},
        "generated_at": EVIL,
        "roles": [
            {
                "name": EVIL,
                "arn": EVIL,
                "used_by": ["user-profile:" + EVIL],
                "verdict": EVIL,
                "verdict_reason": EVIL,
                "cross_domain": [
                    {
                        "action": EVIL,
                        "allowed_by": [{"policy": EVIL, "sid": EVIL}],
                        "conditional_on": [EVIL],
                        "witness": witness,
                    }
                ],
                "unknown": [{"action": EVIL, "reason": EVIL}],
            }
        ],
        "aws_confirmation": {
            "note": EVIL,
            "status": EVIL,
            "policy_files": [{"file": EVIL, "kind": EVIL, "policy": EVIL}],
        },
        "findings": [{"id": EVIL, "severity": EVIL, "title": EVIL, "detail": EVIL, "fix": EVIL}],
        "errors": [{"operation": EVIL, "target": EVIL, "code": EVIL, "message": EVIL}],
    }


@pytest.mark.parametrize("page", [True, False])
def test_every_report_value_is_escaped(page):
    html = report_html(_evil_report(), page=page)
    parsed = _no_markup_from_values(html)
    text = "".join(parsed.text)
    # each value shows as text: the role, the action, the finding, the failed call, the command
    assert text.count(EVIL) >= 15
    # an unknown verdict id reads Unknown, never the value
    pills = [a for t, a in parsed.tags if t == "span" and "si-pill" in (a.get("class") or "")]
    assert {"data-value": "unknown"}.items() <= pills[0].items()
    # the notebook's look has inline styles, the page's none (page.css styles the classes)
    assert any("style" in a for _, a in parsed.tags) is (not page)
    assert ("button" in [t for t, _ in parsed.tags]) is page


def test_report_that_did_not_run_and_isolated_with_high_findings():
    html = report_html(None, error={"reason": "no-domain", "message": EVIL})
    assert "The check did not run" in html and 'data-verdict="unknown"' in html
    _no_markup_from_values(html)
    report = {
        "verdict": "isolated",
        "roles": [],
        "findings": [
            {"id": "f", "severity": "high", "title": "T"},
            {"id": "g", "severity": "high", "title": "U"},
        ],
    }
    html = report_html(report, page=True)
    assert (
        "The tag checks pass, but 2 high-severity findings below say a role reaches further" in html
    )
    assert "No execution role was found." in html


def test_explain_html_checks_once_and_raw_answer_as_text():
    cause = {
        "id": "c",
        "title": "T",
        "detail": "d",
        "fix": "f",
        "confidence": "possible",
        "evidence": {
            "checked": [],
            "not_checked": [
                {"check": "resource-tags", "why": "ListTags failed", "body": "<title>500</title>"}
            ],
        },
    }
    result = {
        "reason": "implicit_deny_identity",
        "reason_text": "no identity-based policy allows the action",
        "mode": "live",
        "causes": [dict(cause, id="a"), dict(cause, id="b")],
    }
    html = explain_html(result, page=True)
    parsed = _no_markup_from_values(html)
    assert not [t for t, _ in parsed.tags if t == "title"]
    assert html.count("not checked the resource&#x27;s tags: ListTags failed") == 1
    assert "Denied: no identity-based policy allows the action" in html
    assert "<details><summary>Answer received</summary>" in html
    assert "Result: 2 possible causes" in html
