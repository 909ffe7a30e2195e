"""New Studio domains (issue 16): experience per user profile, the ``studio`` template profile,
the "Studio still works" flows and the within-domain axis.

Cross-domain verdicts come from the exact analysis (``analysis.analyze``); flows from the plain
engine, with a closed-world referee for every flow said to work.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from sagemaker_isolation_ext.iam import PolicySet, Request, evaluate, parse_policy
from sagemaker_isolation_ext.sagemaker import analysis as A
from sagemaker_isolation_ext.sagemaker import experience as X
from sagemaker_isolation_ext.sagemaker import flows as FL
from sagemaker_isolation_ext.sagemaker import templates as T
from sagemaker_isolation_ext.sagemaker.catalog import load_catalog
from sagemaker_isolation_ext.sagemaker.snapshot import load_snapshot
from sagemaker_isolation_ext.sagemaker.within_domain import OTHER_USER, family, within_domain

DATA = Path(__file__).resolve().parents[1] / "sagemaker_isolation_ext" / "data"
SNAP = Path(__file__).parent / "fixtures" / "snapshots"
DARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-fixture00001"
DOM = T.parse_domain_arn(DARN)
ROLE = "arn:aws:iam::111122223333:role/StudioUserRole"


def _managed(name: str):
    doc = json.loads((DATA / "managed_policies" / f"{name}.json").read_text())
    return parse_policy(doc.get("document", doc), name)


FULL = _managed("AmazonSageMakerFullAccess")


def _tmpl(variant, experience="studio", private_spaces=False):
    return parse_policy(
        T.render(DARN, variant, experience, private_spaces), T.policy_name(DOM.domain_id)
    )


# ------------------------------------------------------------------------------------------
# Experience per user profile


@pytest.mark.parametrize(
    "domain, user, expected",
    [
        ({"StudioWebPortal": "ENABLED", "DefaultLandingUri": "studio::"}, None, "studio"),
        (
            {"StudioWebPortal": "DISABLED", "DefaultLandingUri": "app:JupyterServer:"},
            None,
            "classic",
        ),
        ({"StudioWebPortal": "DISABLED"}, None, "classic"),
        ({"StudioWebPortal": "ENABLED", "DefaultLandingUri": "app:JupyterServer:"}, None, "both"),
        ({}, None, "unknown"),
        (None, None, "unknown"),
        ({"StudioWebPortal": "ENABLED"}, None, "unknown"),
        # studio:: is accepted only with the portal ENABLED (API reference)
        ({"DefaultLandingUri": "studio::"}, None, "studio"),
        # reading: a Classic landing page with the portal not read may still open Studio
        ({"DefaultLandingUri": "app:JupyterServer:"}, None, "unknown"),
        # the profile's UserSettings override the domain's, field by field
        (
            {"StudioWebPortal": "ENABLED", "DefaultLandingUri": "studio::"},
            {"StudioWebPortal": "DISABLED"},
            "classic",
        ),
        (
            {"StudioWebPortal": "ENABLED", "DefaultLandingUri": "studio::"},
            {"DefaultLandingUri": "app:JupyterServer:"},
            "both",
        ),
        (
            {"studio_web_portal": "DISABLED", "default_landing_uri": "app:JupyterServer:"},
            {"studio_web_portal": "ENABLED", "default_landing_uri": "studio::"},
            "studio",
        ),
    ],
)
def test_experience_for(domain, user, expected):
    assert X.experience_for(domain, user) == expected
    assert X.explain_experience(domain, user).startswith(expected + ":")


def test_experience_profiles_and_combine():
    assert X.profiles_for("studio") == ("studio",)
    assert X.profiles_for("classic") == ("classic",)
    assert X.profiles_for("both") == X.profiles_for("unknown") == ("studio", "classic")
    assert X.combine(["studio", "studio"]) == "studio"
    assert X.combine(["studio", "classic"]) == "both"
    assert X.combine(["classic", "unknown"]) == "unknown"
    assert X.combine([]) == "unknown"


def test_snapshot_experiences_per_profile():
    snap = {
        "domain": {"studio_web_portal": "ENABLED", "default_landing_uri": "studio::"},
        "user_profiles": [
            {"name": "alice"},
            {"name": "bob", "studio_web_portal": "DISABLED"},
            {"name": "carol", "complete": False},
        ],
    }
    e = X.snapshot_experiences(snap)
    assert e["domain"] == "studio"
    assert {k: v["experience"] for k, v in e["profiles"].items()} == {
        "alice": "studio",
        "bob": "classic",
        "carol": "unknown",
    }
    assert X.role_experience(["user-profile:alice", "user-profile:bob"], e["by_use"]) == "both"
    assert X.role_experience(["default-space"], e["by_use"]) == "studio"


# ------------------------------------------------------------------------------------------
# Templates of the studio profile


def test_studio_templates_cite_every_statement():
    for exp in T.PROFILES:
        for variant in T.VARIANTS:
            for ps in (False, True):
                if ps and variant == "allow":
                    continue
                doc = T.render(DARN, variant, exp, ps)
                cites = T.citations(DARN, variant, exp, ps)
                assert len(cites) == len(doc["Statement"])
                for c, st in zip(cites, doc["Statement"]):
                    assert c["sid"] == st.get("Sid")
                    assert c["sources"], c
                    for src in c["sources"]:
                        assert src["url"].startswith("https://docs.aws.amazon.com/")


def test_studio_aws_doc_is_the_two_aws_pages():
    doc = T.render(DARN, "aws-doc", "studio")
    sids = [s.get("Sid") for s in doc["Statement"]]
    assert sids[:4] == [
        "CreateAPIs",
        "ResourceAccessRequireDomainTag",
        "AllowActionsThatDontSupportTagging",
        "DeleteDefaultApp",
    ]
    assert "SMStudioRestrictCreatePrivateSpaceAppsToOwnerUserProfile" in sids
    text = json.dumps(doc)
    assert "{{" not in text and "111122223333" in text and "us-east-1" in text
    # the option is AWS's text: unchanged
    assert T.render(DARN, "aws-doc", "studio", True) == doc
    assert T.describe(DARN, "aws-doc", "studio", True)["private_spaces"] is False


def test_classic_profile_unchanged_by_default():
    for variant in T.VARIANTS:
        assert T.render(DARN, variant) == T.render(DARN, variant, "classic")


def test_allow_with_private_spaces_refused_for_size():
    with pytest.raises(ValueError, match="6,144"):
        T.render(DARN, "allow", "studio", True)
    with pytest.raises(ValueError, match="experience"):
        T.render(DARN, "deny", "new-studio")


def test_studio_templates_fit_a_managed_policy():
    from sagemaker_isolation_ext.sagemaker.policy_plan import (
        MANAGED_POLICY_MAX_CHARS,
        document_size,
    )

    for variant in T.VARIANTS:
        for ps in (False, True):
            if ps and variant == "allow":
                continue
            assert document_size(T.render(DARN, variant, "studio", ps)) <= MANAGED_POLICY_MAX_CHARS


def test_owner_keyed_actions_match_the_catalog():
    cat = load_catalog()
    keyed = sorted(
        a
        for a in cat.actions
        if {"sagemaker:owneruserprofilearn", "sagemaker:spacesharingtype"}
        <= {k.lower() for k in cat.actions[a].condition_keys}
    )
    assert keyed == sorted(T.OWNER_KEYED_ACTIONS)


# ------------------------------------------------------------------------------------------
# Cross-domain: the exact analysis proves the studio templates isolate


def _snapshot(docs, landing="studio::", portal="ENABLED"):
    base = json.loads((SNAP / "deny_plus_fullaccess.json").read_text())
    snap = copy.deepcopy(base)
    snap["domain"]["default_landing_uri"] = landing
    snap["domain"]["studio_web_portal"] = portal
    role = next(iter(snap["roles"].values()))
    role["attached_policies"] = []
    snap["policies"] = {}
    for p in docs:
        arn = f"arn:aws:iam::111122223333:policy/{p.name}"
        snap["policies"][arn] = {
            "arn": arn,
            "name": p.name,
            "version_id": "v1",
            "document": p.document,
        }
        role["attached_policies"].append(arn)
    return load_snapshot(snap)


_REPORTS: dict = {}


def _report(key, docs):
    if key not in _REPORTS:
        _REPORTS[key] = A.analyze(_snapshot(docs))
    return _REPORTS[key]


@pytest.mark.parametrize(
    "variant, beside_full, ps, verdict",
    [
        ("deny", True, False, "isolated"),
        ("deny", True, True, "isolated"),
        ("allow", False, False, "isolated"),
        ("aws-doc", False, False, "not_isolated"),
        ("aws-doc", True, False, "not_isolated"),
    ],
)
def test_studio_templates_cross_domain(variant, beside_full, ps, verdict):
    docs = [_tmpl(variant, "studio", ps)] + ([FULL] if beside_full else [])
    r = _report((variant, beside_full, ps), docs)
    (role,) = r["roles"]
    assert role["verdict"] == verdict, role["verdict_reason"]
    if verdict == "isolated":
        assert not [c for c in role["cross_domain"] if not c["accepted"]]
        assert not any(c.get("conditional_on") for c in role["cross_domain"])
    else:
        # the witness is a request on another domain the engine allows, with no condition
        leak = next(c for c in role["cross_domain"] if c["action"] == "sagemaker:CreateApp")
        w = leak["witness"]
        assert "d-fixture00001" not in w["resource"].split(":app/")[1].split("/")[0]
        assert not w["conditional_on"]
        ps_ = PolicySet(identity=docs)
        assert (
            evaluate(
                Request(w["principal"], w["action"], w["resource"], w["context"]), ps_
            ).decision
            == "allow"
        )


# ------------------------------------------------------------------------------------------
# Studio still works


def _status(results):
    return {r["id"]: r["status"] for r in results}


def _referee_works(flow_result, policy_set, user="alice"):
    """Independent check of a flow said to work: every concrete request of every reading is
    allowed in a closed world (unknown keys absent)."""
    flow = next(f for f in FL.load_flows()["flows"] if f["id"] == flow_result["id"])
    values = FL._values(DOM, ROLE, user)
    caller = {
        "aws:PrincipalArn": ROLE,
        "aws:PrincipalAccount": DOM.account,
        "aws:ResourceAccount": DOM.account,
        "sagemaker:DomainId": DOM.domain_id,
        "sagemaker:UserProfileName": user,
    }
    for reading in [r["id"] for r in FL.load_flows()["readings"]]:
        for _row, req in FL._requests(flow, reading, values, caller, load_catalog(), set()):
            closed = Request(req.principal, req.action, req.resource, req.context)
            assert evaluate(closed, policy_set).decision == "allow", (flow_result["id"], req)


ALL_STUDIO = [f["id"] for f in FL.flows_for(("studio",))]
ALL_CLASSIC = [f["id"] for f in FL.flows_for(("classic",))]


def _beside_full(variant, exp, ps=False):
    return PolicySet(identity=[FULL, _tmpl(variant, exp, ps)])


def _alone(variant, exp, ps=False):
    kept = FL.strip_sagemaker_grants(PolicySet(identity=[FULL]), parse_policy)
    return PolicySet(identity=list(kept.identity) + [_tmpl(variant, exp, ps)])


@pytest.mark.parametrize(
    "label, make, profile, not_working",
    [
        ("FullAccess only", lambda: PolicySet(identity=[FULL]), "studio", {}),
        ("FullAccess only", lambda: PolicySet(identity=[FULL]), "classic", {}),
        ("studio deny beside FullAccess", lambda: _beside_full("deny", "studio"), "studio", {}),
        (
            "studio deny + private spaces beside FullAccess",
            lambda: _beside_full("deny", "studio", True),
            "studio",
            {},
        ),
        ("classic deny beside FullAccess", lambda: _beside_full("deny", "classic"), "classic", {}),
        # allow judged as the role's only SageMaker grant (iam:PassRole etc. kept)
        (
            "studio allow alone",
            lambda: _alone("allow", "studio"),
            "studio",
            # pipeline executions: tag keys per the SAR, none per AWS's isolation page
            {"studio.run-pipeline": "depends"},
        ),
        (
            "classic allow alone",
            lambda: _alone("allow", "classic"),
            "classic",
            {"studio.run-pipeline": "depends"},
        ),
        (
            "studio aws-doc alone",
            lambda: _alone("aws-doc", "studio"),
            "studio",
            {"studio.run-pipeline": "breaks"},
        ),
        (
            # the Classic policy does not fit the new Studio: no List*, no AddTags, no spaces
            "classic aws-doc alone, new Studio",
            lambda: _alone("aws-doc", "classic"),
            "studio",
            {
                "studio.open-home": "breaks",
                "studio.create-private-space": "breaks",
                "studio.create-shared-space": "breaks",
                "studio.start-jupyterlab": "breaks",
                "studio.start-code-editor": "breaks",
                "studio.presigned-url": "breaks",
                "studio.run-training-job": "breaks",
                "studio.run-pipeline": "breaks",
            },
        ),
    ],
)
def test_flow_table(label, make, profile, not_working):
    ps = make()
    res = FL.evaluate_flows((profile,), ps, DOM, ROLE, "alice")
    ids = ALL_STUDIO if profile == "studio" else ALL_CLASSIC
    expected = {i: not_working.get(i, "works") for i in ids}
    assert _status(res) == expected, label
    for r in res:
        if r["status"] == "works":
            assert not r["depends_on"] and not r["breaks"]
            _referee_works(r, ps)
        if r["status"] == "breaks":
            assert r["breaks"] and all(b["action"] and b["resource"] for b in r["breaks"])


def test_breaks_names_the_request_and_the_statement():
    deny = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "NoSpaces",
                    "Effect": "Deny",
                    "Action": "sagemaker:CreateSpace",
                    "Resource": "*",
                }
            ],
        },
        "Guard",
    )
    res = FL.evaluate_flows(("studio",), PolicySet(identity=[FULL, deny]), DOM, ROLE, "alice")
    r = next(x for x in res if x["id"] == "studio.create-private-space")
    assert r["status"] == "breaks"
    b = r["breaks"][0]
    assert b["action"] == "sagemaker:CreateSpace" and b["decision"] == "explicit_deny"
    assert b["statement"] == {"policy": "Guard", "sid": "NoSpaces", "index": 0}
    assert b["resource"].startswith(
        "arn:aws:sagemaker:us-east-1:111122223333:space/d-fixture00001/"
    )


def test_tag_on_create_readings_both_checked():
    # AddTags allowed only when the Create request itself carries no tags is impossible to
    # express; instead: an Allow on CreateApp that requires the request tag works in one
    # reading (tags in the request) and not in the other: depends, never works.
    needs_tag = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sagemaker:CreateApp",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:RequestTag/sagemaker:domain-arn": DARN}},
                },
                {
                    "Effect": "Deny",
                    "Action": "sagemaker:CreateApp",
                    "Resource": "*",
                    "Condition": {"Null": {"aws:RequestTag/sagemaker:domain-arn": "true"}},
                },
            ],
        },
        "NeedsTag",
    )
    res = FL.evaluate_flows(("studio",), PolicySet(identity=[FULL, needs_tag]), DOM, ROLE, "alice")
    r = next(x for x in res if x["id"] == "studio.start-jupyterlab")
    assert r["readings"] == {"create-tags-in-request": "works", "create-tags-added-later": "breaks"}
    assert r["status"] == "depends"


def test_conditional_allow_is_depends_not_works():
    ip = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sagemaker:*",
                    "Resource": "*",
                    "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                },
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
            ],
        },
        "OnlyFromVpc",
    )
    res = FL.evaluate_flows(("studio",), PolicySet(identity=[ip]), DOM, ROLE, "alice")
    assert set(_status(res).values()) == {"depends"}
    assert all("aws:SourceIp" in r["depends_on"] for r in res)


def test_flow_table_shape():
    doc = FL.load_flows()
    ids = [f["id"] for f in doc["flows"]]
    assert len(ids) == len(set(ids))
    for fid in (
        "studio.create-private-space",
        "studio.start-jupyterlab",
        "studio.start-code-editor",
        "studio.delete-own-app",
        "studio.run-training-job",
        "studio.run-pipeline",
        "classic.start-kernel",
    ):
        assert fid in ids
    cat = load_catalog()
    for f in doc["flows"]:
        for r in f["requests"]:
            assert r["action"] in cat.actions or r["action"] == "iam:PassRole"
            assert r["source"] == "inferred" or all(s in doc["sources"] for s in r["source"])
            if r["action"] == "iam:PassRole":
                assert r["context"]["iam:PassedToService"] == "sagemaker.amazonaws.com"
    assert {r["id"] for r in doc["readings"]} == {
        "create-tags-in-request",
        "create-tags-added-later",
    }


def test_newly_broken_lists_what_works_now_and_would_not():
    before = [
        {"id": "a", "title": "A", "status": "works"},
        {"id": "b", "title": "B", "status": "breaks"},
    ]
    after = [
        {
            "id": "a",
            "title": "A",
            "status": "breaks",
            "breaks": [{"action": "x"}],
            "depends_on": [],
        },
        {"id": "b", "title": "B", "status": "breaks", "breaks": [], "depends_on": []},
    ]
    (nb,) = FL.newly_broken(before, after)
    assert nb["id"] == "a" and nb["status_after"] == "breaks"


# ------------------------------------------------------------------------------------------
# Within the domain


@pytest.mark.parametrize(
    "label, make, verdict, must_reach, must_not_reach",
    [
        (
            "FullAccess",
            lambda: PolicySet(identity=[FULL]),
            "not_isolated",
            {"sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeSpace"},
            # FullAccess already restricts private-space apps to their owner
            {"sagemaker:CreateApp", "sagemaker:DeleteApp", "sagemaker:UpdateSpace"},
        ),
        (
            "studio deny beside FullAccess",
            lambda: _beside_full("deny", "studio"),
            "not_isolated",
            {"sagemaker:DeleteApp", "sagemaker:CreateApp"},
            set(),
        ),
        (
            "studio deny + private spaces beside FullAccess",
            lambda: _beside_full("deny", "studio", True),
            "partial",
            {"sagemaker:DescribeSpace", "sagemaker:DescribeApp"},
            {
                "sagemaker:CreateApp",
                "sagemaker:DeleteApp",
                "sagemaker:UpdateSpace",
                "sagemaker:DeleteSpace",
                "sagemaker:CreatePresignedDomainUrl",
            },
        ),
        (
            "no Studio at all",
            lambda: PolicySet(
                identity=[
                    parse_policy(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
                                {
                                    "Effect": "Deny",
                                    "Action": "sagemaker:*",
                                    "Resource": [
                                        "arn:aws:sagemaker:*:*:space/*",
                                        "arn:aws:sagemaker:*:*:app/*",
                                        "arn:aws:sagemaker:*:*:user-profile/*",
                                    ],
                                },
                            ],
                        },
                        "NoStudio",
                    )
                ]
            ),
            "isolated",
            set(),
            {"sagemaker:DescribeSpace"},
        ),
    ],
)
def test_within_domain_table(label, make, verdict, must_reach, must_not_reach):
    ps = make()
    wd = within_domain(ROLE, ps, DOM, "alice")
    reached = {r["action"] for r in wd["reachable"]}
    assert wd["verdict"] == verdict, (label, reached)
    assert must_reach <= reached, label
    assert not (must_not_reach & reached), label
    for r in wd["reachable"]:
        w = r["witness"]
        # the witness targets another user's private space of this domain, and is allowed
        assert f"/{DOM.domain_id}/" in w["resource"]
        assert OTHER_USER in w["resource"]
        if "sagemaker:OwnerUserProfileArn" in w["context"]:
            assert w["context"]["sagemaker:OwnerUserProfileArn"].endswith("/" + OTHER_USER)
            assert w["context"]["sagemaker:SpaceSharingType"] == "Private"
        if not w["conditional_on"]:
            req = Request(w["principal"], w["action"], w["resource"], w["context"])
            assert evaluate(req, ps).decision == "allow"
    assert set(wd["uncoverable"]) >= {"sagemaker:DescribeSpace", "sagemaker:StartSession"}
    assert not set(wd["uncoverable"]) & set(T.OWNER_KEYED_ACTIONS)


def test_within_domain_family():
    pairs = family()
    assert ("sagemaker:CreateApp", "app") in pairs
    assert ("sagemaker:CreatePresignedDomainUrl", "user-profile") in pairs
    assert not any(a == "sagemaker:CreateSpace" for a, _ in pairs)


# ------------------------------------------------------------------------------------------
# The report


def test_report_carries_experience_flows_and_within_domain():
    r = _report(("deny", True, True), [_tmpl("deny", "studio", True), FULL])
    assert r["domain"]["experience"] == "studio"
    (role,) = r["roles"]
    assert role["experience"] == "studio" and role["experience_profiles"] == ["studio"]
    assert {f["status"] for f in role["flows"]} == {"works"}
    assert role["flows_summary"]["works"] == len(ALL_STUDIO)
    assert role["within_domain"]["verdict"] == "partial"
    (f,) = [f for f in r["findings"] if f["id"] == "private-spaces-reachable"]
    assert f["severity"] == "medium"
    # the second axis does not change the cross-domain verdict
    assert r["verdict"] == "isolated"
    by = {(t["variant"], t["experience"]): t for t in r["templates"]}
    assert set(by) == {(v, e) for v in T.VARIANTS for e in T.PROFILES}
    (aws_doc_classic,) = by[("aws-doc", "classic")]["roles"]
    # the Classic policy beside FullAccess takes nothing away; alone it would
    assert aws_doc_classic["flows_broken"] == []
    allow_c = by[("allow", "classic")]["roles"][0]
    assert [b["id"] for b in allow_c["flows_broken_alone"]] == ["studio.run-pipeline"]
    for t in r["templates"]:
        assert len(t["citations"]) == len(t["document"]["Statement"])


def test_classic_domain_reports_no_studio_templates():
    snap = json.loads((SNAP / "deny_plus_fullaccess.json").read_text())
    r = A.analyze(load_snapshot(snap))
    assert r["domain"]["experience"] == "classic"
    assert {t["experience"] for t in r["templates"]} == {"classic"}
    assert "private-spaces-reachable" not in {f["id"] for f in r["findings"]}
    (role,) = r["roles"]
    assert {f["id"] for f in role["flows"]} == set(ALL_CLASSIC)


# ------------------------------------------------------------------------------------------
# Renderers


def test_text_and_html_show_experience_flows_and_private_spaces():
    from sagemaker_isolation_ext.notebook.check import IsolationReport
    from sagemaker_isolation_ext.render.text import render_report_text

    guard = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "NoKernels",
                    "Effect": "Deny",
                    "Action": "sagemaker:CreateApp",
                    "Resource": "*",
                }
            ],
        },
        "NoApps",
    )
    r = A.analyze(_snapshot([FULL, guard]))
    text = render_report_text(r)
    assert "Experience (judged): studio" in text
    assert "Studio flows (studio): 9 work, 2 break, 0 depend" in text
    assert (
        "studio.start-jupyterlab breaks: sagemaker:CreateApp on "
        "arn:aws:sagemaker:us-east-1:111122223333:app/d-fixture00001/example-user-space/"
        "jupyterlab/default: denied by NoApps statement NoKernels"
    ) in text
    assert "Other users' private spaces: not isolated" in text
    html = IsolationReport(report=r)._repr_html_()
    assert "<dt>Experience judged</dt>" in html and ">studio</dd>" in html
    assert "studio.start-code-editor" in html and "NoKernels" in html
    assert "Other users&#x27; private spaces: not isolated" in html
