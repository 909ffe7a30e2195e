"""Account overview, pure half (sagemaker/overview.py): rows, reach matrix, fixes, exit codes.

The referee for the matrix is the plain policy engine: every witness of a cell is evaluated
again, in a closed world, and must be allowed, and must be a request on the column's domain
(its ARN or its ``sagemaker:domain-arn`` tag names that domain).
"""

from __future__ import annotations

import json
import re

import pytest

from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate, parse_policy
from sagemaker_isolation_ext.sagemaker import overview as O
from sagemaker_isolation_ext.sagemaker import templates
from sagemaker_isolation_ext.sagemaker.analysis import analyze
from sagemaker_isolation_ext.sagemaker.catalog import load_catalog
from sagemaker_isolation_ext.sagemaker.snapshot import load_snapshot

ACCOUNT = "111122223333"
REGION = "us-east-1"


def _arn(did: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:sagemaker:{region}:{account}:domain/{did}"


def _full_access() -> dict:
    from importlib import resources

    ref = resources.files("sagemaker_isolation_ext").joinpath(
        "data", "managed_policies", "AmazonSageMakerFullAccess.json")
    return json.loads(ref.read_text(encoding="utf-8"))


def _snapshot(did: str, policies: dict[str, dict], region: str = REGION) -> dict:
    """One domain, one role (default user and space) with the given managed policies."""
    role = f"arn:aws:iam::{ACCOUNT}:role/{did}-role"
    pols = {}
    for name, doc in policies.items():
        parn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        pols[parn] = {"arn": parn, "name": name, "version_id": "v1", "document": doc}
    return load_snapshot({
        "schema_version": 1, "source": "fixture", "collected_at": "2026-12-01T00:00:00Z",
        "partition": "aws", "region": region, "account_id": ACCOUNT,
        "context": {"source": "cli", "detail": "test"},
        "domain": {"id": did, "arn": _arn(did, region), "name": did,
                   "default_user_execution_role": role, "default_space_execution_role": role,
                   "studio_web_portal": "DISABLED", "default_landing_uri": "app:JupyterServer:"},
        "user_profiles": [],
        "roles": {role: {"arn": role, "name": f"{did}-role", "attached_policies": list(pols),
                         "inline_policies": [], "permissions_boundary": None,
                         "complete": True}},
        "policies": pols,
        "errors": [],
    })


A, B, C, D = "d-aaaaaaaaaaaa", "d-bbbbbbbbbbbb", "d-cccccccccccc", "d-dddddddddddd"


def _onto_b() -> dict:
    """sagemaker:* on resources tagged with B's ARN only (names B, reaches no other domain)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "OntoB", "Effect": "Allow", "Action": "sagemaker:Describe*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": _arn(B)}}}]}


@pytest.fixture(scope="module")
def fleet():
    snaps = [
        _snapshot(A, {"OntoB": _onto_b()}),
        _snapshot(B, {"AmazonSageMakerFullAccess": _full_access(),
                      templates.policy_name(B): templates.render(_arn(B), "deny")}),
        _snapshot(C, {"AmazonSageMakerFullAccess": _full_access()}),
        # Another Region: not in the same matrix scope as A, B, C.
        _snapshot(D, {"OntoB": _onto_b()}, region="eu-west-1"),
    ]
    catalog = load_catalog()
    return [(s, analyze(s, catalog)) for s in snaps]


def _cell(reach, frm, to):
    got = [c for c in reach if c["from"] == frm and c["to"] == to]
    return got[0] if got else None


def _referee(witness: dict, snap: dict) -> bool:
    pols = [parse_policy(p["document"], p["name"]) for p in snap["policies"].values()]
    req = Request(witness["principal"], witness["action"], witness["resource"],
                  witness["context"], open_world=False)
    return evaluate(req, PolicySet(identity=pols)).decision == "allow"


def test_verdicts_of_the_fleet(fleet):
    verdicts = {rep["domain"]["id"]: rep["verdict"] for _s, rep in fleet}
    assert (verdicts[A], verdicts[B], verdicts[C]) == ("not_isolated", "isolated", "not_isolated")


def test_reach_named_and_star_columns(fleet):
    reach = O.reach_matrix(fleet)
    ab = _cell(reach, _arn(A), _arn(B))
    assert ab is not None and ab["actions"] >= 1
    # A's policy names B only: nothing in the "*" column, nothing onto C.
    assert _cell(reach, _arn(A), "*") is None
    assert _cell(reach, _arn(A), _arn(C)) is None
    # C's FullAccess reaches every other domain without naming one: "*" only.
    cs = _cell(reach, _arn(C), "*")
    assert cs is not None and cs["actions"] > 100
    assert _cell(reach, _arn(C), _arn(B)) is None and _cell(reach, _arn(C), _arn(A)) is None
    # B is isolated: no row.
    assert not [c for c in reach if c["from"] == _arn(B)]
    # D's policy names B, which is in another Region: an execution role can call every Region
    # (reading any-region-same-account), so D reaches B. Named cells are decided within one
    # account and Region, so that reach shows in D's "*" column, never as a named cell.
    d_rows = [c for c in reach if c["from"] == _arn(D, "eu-west-1")]
    assert [c["to"] for c in d_rows] == ["*"] and d_rows[0]["actions"] >= 1
    # The count is the distinct non-accepted cross_domain actions of A's role.
    rep_a = fleet[0][1]
    leaking = {e["action"] for r in rep_a["roles"] for e in r["cross_domain"]
               if not e["accepted"]}
    assert ab["actions"] == len(leaking)


def test_witnesses_are_requests_on_the_column_domain(fleet):
    reach = O.reach_matrix(fleet)
    snaps = {s["domain"]["arn"]: s for s, _r in fleet}
    ab = _cell(reach, _arn(A), _arn(B))
    assert 1 <= len(ab["examples"]) <= O.MAX_EXAMPLES
    for w in ab["examples"]:
        tag = w["context"].get("aws:ResourceTag/sagemaker:domain-arn")
        assert tag == _arn(B) or f"/{B}/" in w["resource"] or w["resource"].endswith(f"/{B}")
        assert _referee(w, snaps[_arn(A)])
    for w in _cell(reach, _arn(C), "*")["examples"]:
        assert _referee(w, snaps[_arn(C)])


def test_fixes_close_findings_when_reanalysed(fleet):
    ev = O.evaluate_fixes(fleet)
    fixes = ev["fixes"]
    assert fixes and all(f["closes"] >= 1 for f in fixes)
    assert [f["closes"] for f in fixes] == sorted((f["closes"] for f in fixes), reverse=True)
    kinds = {f["kind"] for f in fixes}
    assert "attach-template" in kinds
    # Referee: apply an attach-template fix by hand and analyse again.
    fix = next(f for f in fixes if f["kind"] == "attach-template"
               and f["domains"] == [_arn(C)])
    snap = json.loads(json.dumps(fleet[2][0]))
    parn = fix["change"]["policy_arn"]
    snap["policies"][parn] = {"arn": parn, "name": fix["change"]["policy_name"],
                              "version_id": "v1",
                              "document": templates.render(_arn(C), "deny")}
    for role in snap["roles"].values():
        role["attached_policies"].append(parn)
    after = analyze(snap)
    assert after["verdict"] == "isolated" == fix["verdicts_after"][_arn(C)]
    before = len(fleet[2][1]["findings"])
    assert fix["closes"] <= before


def test_replace_managed_policy_fix_names_the_statements(fleet):
    fixes = O.evaluate_fixes(fleet)["fixes"]
    rep = [f for f in fixes if f["kind"] == "replace-managed-policy"]
    assert rep, [f["title"] for f in fixes]
    f = rep[0]
    assert f["change"]["policy_name"] == "AmazonSageMakerFullAccess"
    sids = {s["sid"] for s in f["change"]["statements"]}
    assert "AllowAllNonAdminSageMakerActions" in sids
    assert "without statement" in f["title"]


def test_build_overview_shape_and_exit_codes(fleet):
    err = {"account_id": "444455556666", "region": None, "operation": "sts:AssumeRole",
           "code": "AccessDenied", "message": "no"}
    listed = {"id": "d-eeeeeeeeeeee", "arn": _arn("d-eeeeeeeeeeee"), "name": "e",
              "region": REGION, "account_id": ACCOUNT}
    dom_err = {"account_id": ACCOUNT, "region": REGION, "operation": "sagemaker:DescribeDomain",
               "code": "AccessDeniedException", "message": "denied"}
    ov = O.build_overview(fleet, [(listed, dom_err)], [err, dom_err], fixes=False)
    assert list(O.contract_json(ov)) == ["domains", "reach", "errors"]
    row_keys = {"id", "arn", "name", "region", "account_id", "experience", "verdict", "roles",
                "findings"}
    for row in ov["domains"]:
        assert set(row) == row_keys
    bad = next(r for r in ov["domains"] if r["id"] == "d-eeeeeeeeeeee")
    assert bad["verdict"] == "unknown" and bad["findings"][0]["id"] == "domain-unreadable"
    for cell in ov["reach"]:
        assert set(cell) == {"from", "to", "actions", "examples"}
    for e in ov["errors"]:
        assert set(e) == {"account_id", "region", "operation", "code", "message"}
    assert O.exit_code(ov) == 1
    only_ok = O.build_overview([fleet[1]], fixes=False)
    assert O.exit_code(only_ok) == 0
    assert O.exit_code(O.build_overview([fleet[1]], [], [err], fixes=False)) == 2
    assert O.exit_code(O.build_overview([], fixes=False)) == 0
    assert O.exit_code(O.build_overview([], fixes=False), nothing_read=True) == 4


def test_what_if_analysis_without_templates_keeps_verdicts_and_findings(fleet):
    for snap, rep in fleet[:3]:
        lean = analyze(snap, with_templates=False)
        assert lean["templates"] == []
        assert lean["verdict"] == rep["verdict"]
        assert [r["verdict"] for r in lean["roles"]] == [r["verdict"] for r in rep["roles"]]
        assert lean["findings"] == rep["findings"]


def test_fixes_stop_at_their_time_budget(fleet):
    ticks = iter(range(0, 10_000, 100))
    ev = O.evaluate_fixes(fleet, max_seconds=150, clock=lambda: next(ticks))
    total = len(O.fix_candidates(fleet))
    # The clock reads 0 at the start, then 100 (first candidate starts), 200 (over 150: stop).
    assert ev["not_evaluated"] == total - 1
    assert len(ev["fixes"]) <= 1


def test_text_lists_each_fix_with_what_the_panel_shows(fleet):
    """The text's "Do this next" carries, per fix, what the JupyterLab overview's fix list
    shows (src/overview/FixList.tsx): title, findings closed, policy, new policy, the roles
    with their domains, each domain's verdict after."""
    from sagemaker_isolation_ext.render.overview import render_overview_text

    ov = O.build_overview(fleet)
    assert ov["fixes"]
    text = render_overview_text(ov)
    section = text.split("Do this next", 1)[1].split("\n\n", 1)[0]
    names = {r["arn"]: r["name"] for r in ov["domains"]}
    # One block per fix: "  N. title (closes ...)", then its lines indented further.
    blocks = re.split(r"\n  (?=\d+\. )", section)[1:]
    assert len(blocks) == len(ov["fixes"])
    words = {"isolated": "isolated", "not_isolated": "not isolated", "unknown": "unknown"}
    for n, (fix, block) in enumerate(zip(ov["fixes"], blocks), 1):
        closes = f"{fix['closes']} finding" + ("" if fix["closes"] == 1 else "s")
        assert block.startswith(f"{n}. {fix['title']} (closes {closes})"), block
        assert f"({fix['kind'].split('-')[0]}): {fix['change']['policy_arn']}" in block
        if fix["kind"] == "replace-managed-policy":
            assert f"New policy: {fix['change']['new_policy_name']}" in block
        for r in fix["roles"]:
            assert f"{r['role_name']} (domain {names[r['domain']]})" in block
        for darn, verdict in fix["verdicts_after"].items():
            assert f"{names[darn]}: {words[verdict]}" in block
    short = render_overview_text({**ov, "fixes_not_evaluated": 3}, max_fixes=1)
    if len(ov["fixes"]) > 1:
        assert f"... and {len(ov['fixes']) - 1} more change" in short
    assert "3 further changes not evaluated" in short
