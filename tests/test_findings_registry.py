"""The findings' rule registry (``sagemaker/findings.py``): every id declared once, used by the
report and by the SARIF renderer, and the verdict aggregated in one place."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sagemaker_isolation_ext.render import sarif
from sagemaker_isolation_ext.sagemaker import findings as F
from sagemaker_isolation_ext.sagemaker.analysis import analyze
from sagemaker_isolation_ext.sagemaker.snapshot import load_snapshot
from tests import golden_support as gs

ROOT = Path(__file__).resolve().parents[1]


def _golden_reports() -> list[dict]:
    out = []
    for name, _path in gs.golden_inputs():
        text = gs.read_golden(gs.golden_path(name, "json"))
        if text is not None:
            out.append(json.loads(text))
    return out


def test_every_rule_is_declared_completely():
    assert len(F.RULES) >= 19
    for rid, r in F.RULES.items():
        assert r.id == rid
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rid), rid
        assert r.severity in F.SEVERITIES and set(r.lower) <= set(F.SEVERITIES)
        assert r.scope in F.SCOPES
        assert r.title.strip() and r.when.strip()
        assert (r.scope == "problem") == bool(r.problem_kinds), rid
    # each input problem kind the analysis records has exactly one rule
    kinds = [k for r in F.RULES.values() for k in r.problem_kinds]
    assert sorted(kinds) == sorted(
        {"role-unreadable", "role-missing", "policy-unreadable", "policy-invalid"}
    )


def test_registering_an_id_twice_or_a_bad_severity_fails():
    with pytest.raises(ValueError, match="twice"):
        F.rule(id="aws-policy-gap", severity="high", title="t", when="w", scope="role")(
            lambda check: None
        )
    with pytest.raises(ValueError, match="severity"):
        F.rule(id="x-y-new", severity="critical", title="t", when="w", scope="role")(
            lambda check: None
        )
    assert "x-y-new" not in F.RULES


def test_a_finding_may_not_take_an_undeclared_severity():
    r = F.RULES["aws-policy-gap"]
    with pytest.raises(ValueError, match="not declared"):
        r.finding(F.Found("t", "d", "f", {}, severity="low"), None)
    lowered = F.RULES["isolation-policy-missing"].finding(
        F.Found("t", "d", "f", {}, severity="info"), "role"
    )
    assert list(lowered) == ["id", "severity", "title", "detail", "fix", "evidence", "role"]
    assert lowered["severity"] == "info"


def test_golden_reports_use_registered_ids_and_severities():
    seen = set()
    for report in _golden_reports():
        for f in report["findings"]:
            rule = F.RULES[f["id"]]
            assert f["severity"] in (rule.severity, *rule.lower), f["id"]
            assert (f["role"] is None) == (rule.scope == "domain"), f["id"]
            seen.add(f["id"])
    assert len(seen) >= 10, seen


def test_sarif_rules_come_from_the_registry():
    assert sarif.RULES == {r.id: r.title for r in F.RULES.values()}
    report = {"findings": [{"id": "listing-incomplete", "severity": "medium", "title": "x",
                            "fix": "do y"}]}
    rule = sarif.report_to_sarif(report)["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["shortDescription"]["text"] == F.RULES["listing-incomplete"].title
    assert rule["fullDescription"]["text"] == F.RULES["listing-incomplete"].title
    assert rule["help"]["text"] == "do y"


@pytest.mark.parametrize(
    ("verdicts", "ids", "expected"),
    [
        ([], [], "unknown"),
        (["isolated", "isolated"], [], "isolated"),
        (["isolated", "unknown"], [], "unknown"),
        (["unknown", "not_isolated"], [], "not_isolated"),
        (["isolated"], ["listing-incomplete"], "unknown"),
        (["isolated"], ["user-profiles-unreadable"], "unknown"),
        (["isolated"], ["role-shared-between-domains", "list-actions-allowed"], "isolated"),
        (["not_isolated"], ["listing-incomplete"], "not_isolated"),
        (["isolated"], ["an-id-of-another-tool"], "isolated"),
    ],
)
def test_domain_verdict(verdicts, ids, expected):
    assert F.domain_verdict(verdicts, [{"id": i} for i in ids]) == expected


def test_unread_user_profiles_cap_an_isolated_report():
    """Through analyze: a domain whose roles are isolated but whose user profile listing failed
    is unknown, by the user-profiles-unreadable rule's caps_verdict."""
    snap = json.loads((ROOT / "tests/fixtures/snapshots/allow_only.json").read_text())
    clean = analyze(load_snapshot(snap))
    assert clean["verdict"] == "isolated"
    snap["errors"] = [{"operation": "sagemaker:ListUserProfiles", "target": snap["domain"]["arn"],
                       "code": "AccessDeniedException", "message": "denied"}]
    report = analyze(load_snapshot(snap))
    assert report["verdict"] == "unknown"
    assert [f["id"] for f in report["findings"]][-1] == "user-profiles-unreadable"


def test_readme_lists_every_finding_id():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [rid for rid in F.RULES if f"`{rid}`" not in readme]
    assert missing == []
