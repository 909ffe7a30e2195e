"""The within-domain axis judges every request on another user's private space (issue 16,
review attack16): any app type in either spelling, any space, app and owner name, and the
caller's user profile name as a variable. The engine, in a closed world, is the referee."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate, parse_policy
from sagemaker_isolation_ext.sagemaker import templates as T
from sagemaker_isolation_ext.sagemaker.request_space import Budget
from sagemaker_isolation_ext.sagemaker.within_domain import within_domain

DATA = Path(__file__).resolve().parents[1] / "sagemaker_isolation_ext" / "data"
DARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123"
DOM = T.parse_domain_arn(DARN)
P = "arn:aws:sagemaker:us-east-1:111122223333:"
ROLE = "arn:aws:iam::111122223333:role/r"


def _full():
    doc = json.loads((DATA / "managed_policies" / "AmazonSageMakerFullAccess.json").read_text())
    return parse_policy(doc.get("document", doc), "AmazonSageMakerFullAccess")


def _pol(*statements):
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, "P")


def _private_app_request(action, app_type, space, app, caller, owner):
    ctx = {
        "sagemaker:DomainId": "d-abc123",
        "sagemaker:OwnerUserProfileArn": f"{P}user-profile/d-abc123/{owner}",
        "sagemaker:SpaceSharingType": "Private",
    }
    if caller:
        ctx["sagemaker:UserProfileName"] = caller
    return Request(ROLE, action, f"{P}app/d-abc123/{space}/{app_type}/{app}", ctx)


def _assert_witnesses_allowed(wd, ps, caller=None):
    for r in wd["reachable"]:
        w = r["witness"]
        assert "/d-abc123/" in w["resource"]
        owner = w["context"].get("sagemaker:OwnerUserProfileArn")
        me = w["context"].get("sagemaker:UserProfileName")
        if owner is not None:
            assert w["context"]["sagemaker:SpaceSharingType"] == "Private"
            assert owner.startswith(f"{P}user-profile/d-abc123/") and not owner.endswith(f"/{me}")
        if r["action"] == "sagemaker:CreatePresignedDomainUrl":
            assert not w["resource"].endswith(f"/{me}")
        if caller is not None:
            assert me == caller
        if not w["conditional_on"]:
            req = Request(w["principal"], w["action"], w["resource"], w["context"])
            assert evaluate(req, ps).decision == "allow", w


CODE_EDITOR_ONLY = {
    "Sid": "CodeEditorApps",
    "Effect": "Allow",
    "Action": ["sagemaker:CreateApp", "sagemaker:DeleteApp"],
    "Resource": f"{P}app/d-abc123/*/codeeditor/*",
}


def test_code_editor_apps_in_other_users_private_space_are_reachable():
    """attack16: a policy on Code Editor apps only was reported "isolated" (one jupyterlab
    sample per action)."""
    ps = PolicySet(identity=[_pol(CODE_EDITOR_ONLY)])
    # the referee: CreateApp on a Code Editor app in another user's private space is allowed
    req = _private_app_request(
        "sagemaker:CreateApp", "codeeditor", "bobs-space", "default", "alice", "bob"
    )
    assert evaluate(req, ps).decision == "allow"
    wd = within_domain(ROLE, ps, DOM)
    assert wd["verdict"] == "not_isolated"
    got = {r["action"]: r["witness"] for r in wd["reachable"]}
    assert set(got) == {"sagemaker:CreateApp", "sagemaker:DeleteApp"}
    assert "/codeeditor/" in got["sagemaker:CreateApp"]["resource"]
    _assert_witnesses_allowed(wd, ps)


@pytest.mark.parametrize("app_type", ["CodeEditor", "JupyterLab", "jupyterlab"])
def test_each_app_type_spelling_is_judged(app_type):
    st = dict(CODE_EDITOR_ONLY, Resource=f"{P}app/d-abc123/*/{app_type}/*")
    ps = PolicySet(identity=[_pol(st)])
    wd = within_domain(ROLE, ps, DOM, "alice")
    assert wd["verdict"] == "not_isolated"
    assert all(f"/{app_type}/" in r["witness"]["resource"] for r in wd["reachable"])
    _assert_witnesses_allowed(wd, ps, "alice")


BOB_ONLY = {
    "Sid": "OnlyBob",
    "Effect": "Allow",
    "Action": "sagemaker:CreateApp",
    "Resource": "*",
    "Condition": {"StringEquals": {"sagemaker:UserProfileName": "bob"}},
}


def test_a_policy_naming_one_user_is_exercised():
    """attack16: the caller was always example-user, so a grant to "bob" was never tried."""
    ps = PolicySet(identity=[_pol(BOB_ONLY)])
    wd = within_domain(ROLE, ps, DOM)
    assert wd["verdict"] == "not_isolated"
    (r,) = wd["reachable"]
    assert r["witness"]["context"]["sagemaker:UserProfileName"] == "bob"
    _assert_witnesses_allowed(wd, ps)
    # A role that only alice uses never calls as bob.
    assert within_domain(ROLE, ps, DOM, profiles=["alice"])["verdict"] == "isolated"
    assert within_domain(ROLE, ps, DOM, "alice")["verdict"] == "isolated"
    assert within_domain(ROLE, ps, DOM, profiles=["alice", "bob"])["verdict"] == "not_isolated"


def test_a_space_named_in_the_policy_is_tried_with_the_caller_it_names():
    """Reading caller-name-candidates: only the caller "bob" reaches the space "bob"
    (Allow on the caller's own name, Deny on every other space)."""
    ps = PolicySet(
        identity=[
            _pol(
                {
                    "Effect": "Allow",
                    "Action": "sagemaker:DescribeSpace",
                    "Resource": f"{P}space/d-abc123/${{sagemaker:UserProfileName}}",
                },
                {
                    "Effect": "Deny",
                    "Action": "sagemaker:DescribeSpace",
                    "NotResource": f"{P}space/d-abc123/bob",
                },
            )
        ]
    )
    wd = within_domain(ROLE, ps, DOM)
    assert wd["verdict"] == "partial"
    (r,) = wd["reachable"]
    assert r["witness"]["resource"].endswith(":space/d-abc123/bob")
    _assert_witnesses_allowed(wd, ps)


def test_private_space_guards_hold_for_any_caller():
    deny = parse_policy(T.render(DARN, "deny", "studio", True), "deny")
    ps = PolicySet(identity=[deny, _full()])
    for kw in ({}, {"user": "alice"}, {"profiles": ["alice", "bob"]}):
        wd = within_domain(ROLE, ps, DOM, **kw)
        assert wd["verdict"] == "partial", kw
        assert not any(r["coverable"] for r in wd["reachable"])
        _assert_witnesses_allowed(wd, ps)


def test_isolated_is_checked_by_the_referee_on_a_grid():
    """Where the axis says no coverable action is reachable, no request of a grid of app types,
    names, callers and owners is allowed (the engine, closed world)."""
    deny = parse_policy(T.render(DARN, "deny", "studio", True), "deny")
    ps = PolicySet(identity=[deny, _full(), _pol(CODE_EDITOR_ONLY)])
    wd = within_domain(ROLE, ps, DOM)
    assert not any(r["coverable"] for r in wd["reachable"])
    grid = itertools.product(
        ("sagemaker:CreateApp", "sagemaker:DeleteApp"),
        ("codeeditor", "CodeEditor", "jupyterlab", "JupyterLab", "kernelgateway"),
        ("s", "alice-space"),
        ("default", "x"),
        ("alice", "bob", None),
        ("carol", "alice"),
    )
    for action, app_type, space, app, caller, owner in grid:
        if caller == owner:
            continue
        req = _private_app_request(action, app_type, space, app, caller, owner)
        assert evaluate(req, ps).decision != "allow", req


def test_budget_exhaustion_says_unknown():
    ps = PolicySet(identity=[_pol(CODE_EDITOR_ONLY, BOB_ONLY)])
    wd = within_domain(ROLE, ps, DOM, budget=Budget(states=1))
    assert wd["verdict"] == "unknown"
    assert "budget" in wd["detail"]
