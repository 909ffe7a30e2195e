"""Plans (sagemaker/plan.py): before/after verdicts by the engine, steps, validation, hash."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from sagemaker_isolation_ext.sagemaker import policy_plan as P
from sagemaker_isolation_ext.sagemaker import templates
from sagemaker_isolation_ext.sagemaker.snapshot import load_snapshot

SNAPSHOTS = Path(__file__).parent / "fixtures" / "snapshots"
ACCOUNT = "111122223333"
DOMAIN_ID = "d-fixture00001"
DOMAIN_ARN = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:domain/{DOMAIN_ID}"
ISO_ARN = f"arn:aws:iam::{ACCOUNT}:policy/StudioDomainResourceIsolationPolicy-{DOMAIN_ID}"
TAG_ARN = f"arn:aws:iam::{ACCOUNT}:policy/StudioDomainTagOnCreatePolicy-{DOMAIN_ID}"
ALICE = f"arn:aws:iam::{ACCOUNT}:role/AliceRole"
BOB = f"arn:aws:iam::{ACCOUNT}:role/BobRole"
DEFAULT = f"arn:aws:iam::{ACCOUNT}:role/DomainDefaultRole"


def _snap(name: str = "multi_role.json") -> dict:
    return load_snapshot(json.loads((SNAPSHOTS / name).read_text()))


def _state(document=None, versions=None, default="v1", attached=None, quota=10):
    """iam_state with the isolation policy existing (document given) or absent."""
    pols = {}
    if document is not None:
        versions = versions or [
            {"version_id": "v1", "is_default": True, "create_date": "2026-01-01T00:00:00Z"}
        ]
        pols[ISO_ARN] = {
            "exists": True,
            "default_version_id": default,
            "document": document,
            "versions": versions,
            "attached_roles": attached,
        }
    return {
        "policies": pols,
        "attached_policies_quota": quota,
        "quota_source": "iam:GetAccountSummary",
    }


def _role(plan, arn):
    return next(r for r in plan["roles"] if r["arn"] == arn)


@pytest.fixture(scope="module")
def allow_plan():
    snap = _snap()
    return P.build_plan(snap, "allow", _state(snap["policies"][ISO_ARN]["document"]))


def test_allow_variant_leaves_fullaccess_role_not_isolated_and_recommends(allow_plan):
    alice = _role(allow_plan, ALICE)
    assert alice["verdict_before"] == "not_isolated"
    assert alice["verdict_after"] == "not_isolated"
    rec = next(r for r in allow_plan["recommendations"] if r["role"] == ALICE)
    assert rec["id"] == "use-deny-variant-or-detach"
    assert "AmazonSageMakerFullAccess" in rec["policies"]
    assert "--variant deny" in rec["text"] and "detach AmazonSageMakerFullAccess" in rec["text"]
    assert rec["deny_variant_verdict"] == "isolated"
    assert allow_plan["verdict_after"] == "not_isolated"


def test_allow_plan_attaches_only_where_missing(allow_plan):
    attaches = [
        s
        for s in allow_plan["steps"]
        if s["op"] == "attach-role-policy" and s["policy_arn"] == ISO_ARN
    ]
    # Alice and the default role already attach it; Bob (none read) does not.
    assert [s["role_arn"] for s in attaches] == [BOB]
    assert [s["index"] for s in allow_plan["steps"]] == list(range(len(allow_plan["steps"])))
    bob = _role(allow_plan, BOB)
    # Bob's role could not be fully read (complete: false): unknown before and after.
    assert bob["verdict_before"] == "unknown" and bob["verdict_after"] == "unknown"
    assert ISO_ARN in bob["attach"]


def test_allow_plan_needs_no_tag_on_create_policy(allow_plan):
    # The isolating allow carries its own TagOnCreate statement: no extra policy, and the
    # default role (only SageMaker grant: the allow template) is isolated after.
    assert allow_plan["tag_on_create"] is None
    assert not any(s.get("policy_arn") == TAG_ARN for s in allow_plan["steps"])
    assert _role(allow_plan, DEFAULT)["verdict_after"] == "isolated"
    assert allow_plan["policy"]["action"] == "none"


def test_aws_doc_plan_adds_tag_on_create_where_the_role_cannot_tag():
    # The doc policy grants Create* but not AddTags: Studio's tagging would fail.
    snap = _snap()
    doc = templates.render(DOMAIN_ARN, "aws-doc")
    plan = P.build_plan(snap, "aws-doc", _state(doc))
    tag = plan["tag_on_create"]
    assert tag is not None and tag["arn"] == TAG_ARN and tag["action"] == "create"
    assert tag["document"]["Statement"][0]["Condition"] == {
        "Null": {"sagemaker:TaggingAction": "false"}
    }
    assert BOB in tag["needed_by"]
    ops = [(s["op"], s.get("policy_arn"), s.get("role_arn")) for s in plan["steps"]]
    assert ("create-policy", TAG_ARN, None) in ops
    assert ops.index(("create-policy", TAG_ARN, None)) < ops.index(
        ("attach-role-policy", TAG_ARN, BOB)
    )
    # The isolation policy's document did not change: no step for it.
    assert plan["policy"]["action"] == "none"
    assert not any(
        s["policy_arn"] == ISO_ARN and s["op"] != "attach-role-policy" for s in plan["steps"]
    )
    # schema 2: AWS's policy alone does not isolate (its CreateAPIs statement)
    assert _role(plan, DEFAULT)["verdict_after"] == "not_isolated"


def test_deny_variant_isolates_the_fullaccess_role():
    snap = _snap()
    plan = P.build_plan(snap, "deny", _state(snap["policies"][ISO_ARN]["document"]))
    assert _role(plan, ALICE)["verdict_before"] == "not_isolated"
    assert _role(plan, ALICE)["verdict_after"] == "isolated"
    assert plan["policy"]["action"] == "new-version"
    step = plan["steps"][0]
    assert step["op"] == "create-policy-version" and step["expected_default_version"] == "v1"
    assert step["delete_version"] is None
    assert any(ln.startswith("+") and '"Deny"' in ln for ln in plan["policy"]["diff"])
    # Bob's role is incomplete in the fixture: the selection can only be unknown, never isolated.
    assert plan["verdict_after"] == "unknown"
    assert not plan["recommendations"]


def test_new_version_with_five_versions_names_the_oldest_non_default():
    snap = _snap()
    versions = [
        {"version_id": "v7", "is_default": False, "create_date": "2026-01-03T00:00:00Z"},
        {"version_id": "v4", "is_default": False, "create_date": "2026-01-02T00:00:00Z"},
        {"version_id": "v9", "is_default": True, "create_date": "2026-01-01T00:00:00Z"},
        {"version_id": "v8", "is_default": False, "create_date": "2026-01-04T00:00:00Z"},
        {"version_id": "v10", "is_default": False, "create_date": "2026-01-05T00:00:00Z"},
    ]
    plan = P.build_plan(
        snap, "deny", _state(snap["policies"][ISO_ARN]["document"], versions, default="v9")
    )
    step = plan["steps"][0]
    assert step["delete_version"] == "v4"  # oldest, and the default v9 is never chosen
    assert P.oldest_non_default_version([versions[2]]) is None


def test_absent_policy_is_created_and_attached_to_every_role():
    snap = _snap()
    plan = P.build_plan(snap, "deny", _state(None))
    assert plan["policy"]["action"] == "create" and plan["policy"]["exists"] is False
    assert plan["steps"][0]["op"] == "create-policy"
    # In the fixture the two roles already name the ARN; only Bob lacks it.
    assert {s["role_arn"] for s in plan["steps"] if s["op"] == "attach-role-policy"} == {BOB}


def test_already_applied_plan_has_no_steps():
    snap = _snap()
    doc = templates.render(DOMAIN_ARN, "deny")
    snap["policies"][ISO_ARN]["document"] = doc
    snap["roles"][BOB]["attached_policies"].append(ISO_ARN)
    snap["roles"][BOB]["complete"] = True
    snap["errors"] = [e for e in snap.get("errors") or () if e.get("target") != BOB]
    plan = P.build_plan(snap, "deny", _state(doc))
    assert plan["steps"] == []
    assert all(r["verdict_after"] == "isolated" for r in plan["roles"])


def test_role_selection_touches_only_those_roles():
    snap = _snap()
    plan = P.build_plan(
        snap, "deny", _state(snap["policies"][ISO_ARN]["document"]), role_arns=[BOB]
    )
    assert plan["selection"] == "roles"
    assert [r["arn"] for r in plan["roles"] if r["selected"]] == [BOB]
    assert all(s.get("role_arn") in (None, BOB) for s in plan["steps"])
    # The new version also reaches Alice (she attaches the policy): she is affected.
    assert _role(plan, ALICE)["affected"] is True
    assert _role(plan, ALICE)["verdict_after"] == "isolated"


def test_unknown_role_and_bad_variant_are_plan_errors():
    snap = _snap()
    with pytest.raises(P.PlanError, match="not in the snapshot"):
        P.build_plan(snap, "deny", _state(None), role_arns=["arn:aws:iam::1:role/Nope"])
    with pytest.raises(P.PlanError, match="variant must be one of aws-doc, allow, deny"):
        P.build_plan(snap, "strict", _state(None))


def test_incomplete_role_never_gets_isolated_after():
    snap = _snap("incomplete_role.json")
    plan = P.build_plan(snap, "deny", {"policies": {}})
    selected = [r for r in plan["roles"] if r["selected"]]
    assert selected
    incomplete = [a for a, r in snap["roles"].items() if r.get("complete") is not True]
    for r in selected:
        if r["arn"] in incomplete:
            assert r["verdict_after"] == "unknown"
    assert plan["verdict_after"] != "isolated"
    assert any("could not be fully read" in w for w in plan["warnings"])


def test_quota_check_fails_when_the_role_would_exceed_it():
    snap = _snap()
    snap["roles"][BOB]["attached_policies"] = ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"]
    plan = P.build_plan(snap, "deny", _state(None, quota=1))
    quota = [c for c in plan["validation"]["checks"] if c["id"] == "quota"]
    bob = next(c for c in quota if c["role"] == BOB)
    assert bob["ok"] is False and "quota 1" in bob["detail"]
    assert plan["validation"]["ok"] is False


def test_quota_defaults_to_ten_when_unread_and_says_so():
    snap = _snap()
    plan = P.build_plan(snap, "deny", {"policies": {}, "attached_policies_quota": None})
    c = next(c for c in plan["validation"]["checks"] if c["id"] == "quota")
    assert "quota 10" in c["detail"] and "could not be read" in c["detail"]


def test_access_analyzer_error_finding_fails_validation_and_not_run_is_neutral():
    snap = _snap()
    name = templates.policy_name(DOMAIN_ID)
    bad = {
        name: {
            "status": "findings",
            "findings": [{"findingType": "ERROR", "issueCode": "MISSING_VERSION"}],
        }
    }
    plan = P.build_plan(snap, "deny", _state(None), access_analyzer=bad)
    aa = next(
        c
        for c in plan["validation"]["checks"]
        if c["id"] == "access-analyzer" and c["policy"] == name
    )
    assert aa["ok"] is False and "MISSING_VERSION" in aa["detail"]
    assert plan["validation"]["ok"] is False
    skipped = {name: {"status": "not-run", "detail": "AccessDenied"}}
    plan = P.build_plan(snap, "deny", _state(None), access_analyzer=skipped)
    aa = next(c for c in plan["validation"]["checks"] if c["id"] == "access-analyzer")
    assert aa["ok"] is None and "AccessDenied" in aa["detail"]
    assert plan["validation"]["ok"] is True


def test_validate_document_size_json_and_placeholders():
    ok = templates.render(DOMAIN_ARN, "allow")
    assert all(c["ok"] for c in P.validate_document("p", ok))
    big = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": f"sagemaker:Describe{i:05d}", "Resource": "*"}
            for i in range(200)
        ],
    }
    size = next(c for c in P.validate_document("p", big) if c["id"] == "size")
    assert size["ok"] is False and size["size"] > P.MANAGED_POLICY_MAX_CHARS
    raw = json.loads(
        (
            Path(templates.__file__).parent.parent
            / "data"
            / "isolation_policies"
            / "aws-docs-studio-domain-resource-isolation.json"
        ).read_text()
    )
    ph = next(c for c in P.validate_document("p", raw) if c["id"] == "placeholder")
    assert ph["ok"] is False and "domain-arn" in ph["detail"]
    broken = P.validate_document("p", {"Statement": [{"Effect": "Maybe"}]})
    assert broken[0]["id"] == "json" and broken[0]["ok"] is False


def test_document_size_does_not_count_whitespace():
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "A B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    compact = json.dumps(doc, separators=(",", ":"))
    assert P.document_size(doc) == len(compact) - 1  # the space inside "A B"


def test_plan_round_trips_and_detects_tampering(allow_plan):
    text = json.dumps(allow_plan)
    assert P.load_plan(text)["plan_hash"] == allow_plan["plan_hash"]
    edited = copy.deepcopy(allow_plan)
    edited["steps"][0]["policy_arn"] = "arn:aws:iam::111122223333:policy/Other"
    with pytest.raises(P.PlanError, match="plan_hash does not match"):
        P.load_plan(edited)
    with pytest.raises(P.PlanError, match="not a sagemaker-isolation plan"):
        P.load_plan({"steps": []})
    with pytest.raises(P.PlanError, match="not valid JSON"):
        P.load_plan("{")


def test_render_plan_text_shows_verdicts_steps_and_recommendation(allow_plan):
    text = P.render_plan_text(allow_plan)
    assert "AliceRole: not_isolated -> not_isolated" in text
    assert "attach StudioDomainResourceIsolationPolicy-d-fixture00001 to role BobRole" in text
    assert "Recommendation:" in text and allow_plan["plan_hash"] in text


def test_new_version_warns_when_attached_roles_are_unknown():
    snap = _snap()
    doc = snap["policies"][ISO_ARN]["document"]
    plan = P.build_plan(snap, "deny", _state(doc, attached=None))
    assert any("could not be listed" in w for w in plan["warnings"])
    other = "arn:aws:iam::111122223333:role/SomeOtherTeamRole"
    plan = P.build_plan(snap, "deny", _state(doc, attached=[ALICE, other]))
    assert any(other in w and "not in this plan" in w for w in plan["warnings"])


def test_load_plan_rejects_a_rehashed_plan_missing_fields(allow_plan):
    broken = copy.deepcopy(allow_plan)
    del broken["validation"]
    broken["plan_hash"] = P.plan_hash(broken)
    with pytest.raises(P.PlanError, match="plan field validation: expected an object"):
        P.load_plan(broken)
