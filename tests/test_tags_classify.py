"""Pure tag-coverage logic: classification, summaries, proposals, plans (sagemaker/tags.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagemaker_isolation_ext.sagemaker import tags as T

ACCOUNT = "111122223333"
REGION = "us-east-1"


def arn(kind: str, rest: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:sagemaker:{region}:{account}:{kind}/{rest}"


RESEARCH = T.DomainRef(id="d-research1", arn=arn("domain", "d-research1"), name="research",
                       region=REGION, account_id=ACCOUNT,
                       roles=("arn:aws:iam::111122223333:role/ResearchRole",
                              "arn:aws:iam::111122223333:role/SharedRole"),
                       user_profiles=("alice",))
PROD = T.DomainRef(id="d-prod1", arn=arn("domain", "d-prod1"), name="prod", region=REGION,
                   account_id=ACCOUNT,
                   roles=("arn:aws:iam::111122223333:role/ProdRole",
                          "arn:aws:iam::111122223333:role/SharedRole"))
DOMAINS = {RESEARCH.arn: RESEARCH, PROD.arn: PROD}
SCOPES = {(ACCOUNT, REGION)}


def cls(resource_arn, tags, target=RESEARCH):
    return T.classify(resource_arn, tags, target, DOMAINS, SCOPES)


# -- classify ----------------------------------------------------------------------------------


def test_this_other_untagged():
    job = arn("training-job", "j1")
    assert cls(job, {T.DOMAIN_TAG: RESEARCH.arn}).class_ == "this_domain"
    other = cls(job, {T.DOMAIN_TAG: PROD.arn})
    assert (other.class_, other.other_domain, other.domain_exists) == ("other_domain", "prod", True)
    assert cls(job, {}).class_ == "untagged"
    assert cls(job, None).class_ == "untagged"
    assert cls(job, {"team": "a"}).class_ == "untagged"


def test_same_resource_flips_with_target():
    job = arn("model", "m1")
    tags = {T.DOMAIN_TAG: PROD.arn}
    assert cls(job, tags, RESEARCH).class_ == "other_domain"
    assert cls(job, tags, PROD).class_ == "this_domain"


def test_value_match_is_exact_case_sensitive():
    # StringEquals is case-sensitive: an upper-cased ARN is not this domain's.
    c = cls(arn("model", "m1"), {T.DOMAIN_TAG: RESEARCH.arn.upper()})
    assert c.class_ != "this_domain"


def test_tag_key_must_be_exact():
    c = cls(arn("model", "m1"), {"Sagemaker:Domain-Arn": RESEARCH.arn})
    assert c.class_ == "untagged"


def test_stale_domain_in_listed_scope():
    gone = arn("domain", "d-deleted9")
    c = cls(arn("endpoint", "e1"), {T.DOMAIN_TAG: gone})
    assert (c.class_, c.other_domain, c.domain_exists) == ("stale_domain", "d-deleted9", False)


def test_domain_in_unlisted_region_is_other_not_stale():
    elsewhere = arn("domain", "d-west1", region="us-west-2")
    c = cls(arn("endpoint", "e1"), {T.DOMAIN_TAG: elsewhere})
    assert (c.class_, c.other_domain, c.domain_exists) == ("other_domain", "d-west1", None)


def test_non_domain_value_is_stale():
    c = cls(arn("endpoint", "e1"), {T.DOMAIN_TAG: "research"})
    assert c.class_ == "stale_domain"
    assert c.domain_exists is False


@pytest.mark.parametrize("resource_arn", [
    arn("image-version", "my-image/3"),
    arn("model-card", "card1/export-job/exp1"),
    arn("model-package", "pkg/1"),
    arn("app", "d-research1/alice/jupyterserver/default"),
])
def test_never_tagged_by_design(resource_arn):
    c = cls(resource_arn, {T.DOMAIN_TAG: PROD.arn})
    assert c.class_ == "never_tagged_by_design"
    assert c.domain_tag == PROD.arn  # shown anyway


@pytest.mark.parametrize("resource_arn", [
    arn("app", "d-research1/alice/jupyterserver/mine"),
    arn("app", "d-research1/alice/kernelgateway/default"),
    arn("model-package-group", "pkg"),
    arn("model-card", "card1"),
    arn("image", "my-image"),
])
def test_not_by_design(resource_arn):
    assert cls(resource_arn, {}).class_ == "untagged"


def test_resource_type_of():
    assert T.resource_type_of(arn("training-job", "x")) == "training-job"
    assert T.resource_type_of(arn("model-card", "c/export-job/j")) == "model-card-export-job"
    assert T.resource_type_of("arn:aws:s3:::bucket") == "unknown"
    assert T.resource_type_of("not an arn") == "unknown"
    assert T.domain_id_in_arn(arn("user-profile", "d-research1/alice")) == "d-research1"
    assert T.domain_id_in_arn(arn("training-job", "d-research1")) is None


def test_creator_tags_shown():
    up = arn("user-profile", "d-research1/alice")
    c = cls(arn("training-job", "j"), {T.DOMAIN_TAG: RESEARCH.arn,
                                       "sagemaker:user-profile-arn": up})
    assert c.creator == {"user_profile": up}
    assert c.to_json()["creator"] == {"user_profile": up}


@given(st.dictionaries(st.text(max_size=30), st.text(max_size=60), max_size=6))
def test_this_domain_only_with_exact_tag(tags):
    c = cls(arn("training-job", "j"), tags)
    assert (c.class_ == "this_domain") == (tags.get(T.DOMAIN_TAG) == RESEARCH.arn)
    assert c.class_ in T.CLASSES


# -- accumulator -------------------------------------------------------------------------------


def test_accumulator_summaries_rows_and_cap():
    acc = T.TagScanAccumulator(targets=[RESEARCH, PROD], domains=DOMAINS, listed_scopes=SCOPES,
                               rows="problems", max_rows=2)
    acc.add(arn("training-job", "a"), {T.DOMAIN_TAG: RESEARCH.arn})
    acc.add(arn("training-job", "b"), {T.DOMAIN_TAG: PROD.arn})
    acc.add(arn("model", "c"), {})
    acc.add(arn("model", "d"), {})
    acc.add(arn("image-version", "i/1"), {})
    r = acc.result()
    assert r["summary"] == {"this_domain": 1, "other_domain": 1, "untagged": 2,
                            "stale_domain": 0, "never_tagged_by_design": 1, "unreadable": 0}
    assert acc.summaries[PROD.arn]["this_domain"] == 1
    assert acc.summaries[PROD.arn]["other_domain"] == 1
    assert r["by_type"]["model"]["untagged"] == 2
    assert [row["arn"].rsplit("/", 1)[1] for row in r["resources"]] == ["b", "c"]
    assert r["rows_dropped"] == 1
    assert r["total"] == 5
    assert "proposal" in r["resources"][1]


def test_accumulator_merge_and_bad_args():
    a = T.TagScanAccumulator(targets=[RESEARCH], domains=DOMAINS, rows="all", max_rows=3)
    b = T.TagScanAccumulator(targets=[RESEARCH], domains=DOMAINS, rows="all", max_rows=3)
    for i in range(2):
        a.add(arn("model", f"a{i}"), {})
        b.add(arn("model", f"b{i}"), {T.DOMAIN_TAG: RESEARCH.arn})
    a.merge(b)
    r = a.result()
    assert r["summary"]["untagged"] == 2 and r["summary"]["this_domain"] == 2
    assert len(r["resources"]) == 3 and r["rows_dropped"] == 1
    with pytest.raises(ValueError, match="rows must be"):
        T.TagScanAccumulator(targets=[RESEARCH], domains=DOMAINS, rows="some")
    with pytest.raises(ValueError, match="at least one target"):
        T.TagScanAccumulator(targets=[], domains=DOMAINS)


def test_multi_domain_view_never_assumes_isolated():
    acc = T.TagScanAccumulator(targets=[RESEARCH, PROD], domains=DOMAINS, rows="none")
    acc.add(arn("model", "a"), {T.DOMAIN_TAG: RESEARCH.arn})
    view = T.multi_domain_view(acc, {RESEARCH.arn: {"verdict": "not_isolated"}})
    assert view[0]["verdict"] == "not_isolated" and view[0]["own"] == 1
    assert view[1]["verdict"] == "unknown" and view[1]["foreign"] == 1


# -- proposals ---------------------------------------------------------------------------------


def propose(resource_arn, tags=None, **kw):
    return T.propose_domain(resource_arn, tags, [RESEARCH, PROD], **kw)


def test_proposal_from_own_arn():
    p = propose(arn("space", "d-prod1/shared"))
    assert (p.domain_id, p.evidence, p.confidence) == ("d-prod1", "arn", "high")


def test_proposal_from_creator_tag():
    p = propose(arn("training-job", "x"),
                {"sagemaker:space-arn": arn("space", "d-research1/team")})
    assert (p.domain_arn, p.evidence, p.confidence) == (RESEARCH.arn, "creator-tag", "high")


def test_creator_tags_of_two_domains_conflict():
    p = propose(arn("training-job", "x"),
                {"sagemaker:space-arn": arn("space", "d-research1/team"),
                 "sagemaker:user-profile-arn": arn("user-profile", "d-prod1/carol")})
    assert p.domain_arn is None and p.evidence == "conflict"


def test_proposal_from_role_unique_and_shared():
    p = propose(arn("training-job", "x"), role_arn="arn:aws:iam::111122223333:role/ProdRole")
    assert (p.domain_id, p.evidence, p.confidence) == ("d-prod1", "role", "medium")
    shared = propose(arn("training-job", "x"),
                     role_arn="arn:aws:iam::111122223333:role/SharedRole")
    assert shared.domain_arn is None and shared.evidence == "conflict"


def test_proposal_from_name_longest_wins():
    ml = T.DomainRef(id="d-ml1", arn=arn("domain", "d-ml1"), name="mlx")
    mlprod = T.DomainRef(id="d-mlprod1", arn=arn("domain", "d-mlprod1"), name="mlx-prod")
    p = T.propose_domain(arn("model", "mlx-prod-churn"), {}, [ml, mlprod])
    assert (p.domain_id, p.evidence, p.confidence) == ("d-mlprod1", "name", "low")
    p = T.propose_domain(arn("model", "mlx-churn"), {}, [ml, mlprod])
    assert p.domain_id == "d-ml1"


def test_no_evidence():
    p = propose(arn("training-job", "unrelated-job"))
    assert p.domain_arn is None and p.evidence == "none" and p.confidence is None


# -- plans -------------------------------------------------------------------------------------


def _rows():
    acc = T.TagScanAccumulator(targets=[RESEARCH], domains=DOMAINS, rows="problems")
    acc.add(arn("space", "d-research1/team"), {})  # high (arn)
    acc.add(arn("training-job", "t1"), {}, {"role_arn": "arn:aws:iam::111122223333:role/"
                                                         "ResearchRole"})  # medium
    acc.add(arn("training-job", "other"), {})  # none
    acc.add(arn("space", "d-prod1/x"), {})  # proposal for prod, not research
    return acc.result()["resources"]


def test_build_plan_selects_only_high():
    plan = T.build_plan(RESEARCH, _rows(), created_at="2026-12-01T07:00:00Z")
    items = {i["arn"].split(":", 5)[5]: i for i in plan["items"]}
    assert set(items) == {"space/d-research1/team", "training-job/t1"}
    assert items["space/d-research1/team"]["selected"] is True
    assert items["training-job/t1"]["selected"] is False
    assert items["training-job/t1"]["confidence"] == "medium"
    assert all(i["tags"] == {T.DOMAIN_TAG: RESEARCH.arn} for i in plan["items"])
    assert T.load_plan(T.dump_plan(plan))["items"] == plan["items"]
    assert len(T.plan_items_selected(plan)) == 1


def test_build_plan_explicit_arns():
    plan = T.build_plan(RESEARCH, [], created_at="t", arns=[arn("model", "m"), arn("model", "m")])
    assert len(plan["items"]) == 1
    assert plan["items"][0]["confidence"] == "operator" and plan["items"][0]["selected"]


def _plan(**item):
    base = {"arn": arn("model", "m"), "tags": {T.DOMAIN_TAG: RESEARCH.arn}}
    base.update(item)
    return {"schema_version": 1, "kind": T.PLAN_KIND, "domain": RESEARCH.to_json(),
            "created_at": "t", "items": [base]}


@pytest.mark.parametrize("mutate, message", [
    (lambda p: p.update(kind="other"), "plan kind"),
    (lambda p: p.update(schema_version=2), "schema_version"),
    (lambda p: p["domain"].update(arn="arn:aws:s3:::x"), "domain ARN"),
    (lambda p: p.update(items={}), "items must be a list"),
    (lambda p: p["items"][0].update(arn="nope"), "SageMaker ARN"),
    (lambda p: p["items"][0].update(tags={}), "non-empty"),
    (lambda p: p["items"][0].update(tags={"aws:x": "1"}), "reserved aws:"),
    (lambda p: p["items"][0].update(tags={"k" * 129: "1"}), "bad tag key"),
    (lambda p: p["items"][0].update(tags={"k": "v" * 257}), "bad value"),
    (lambda p: p["items"][0].update(tags={T.DOMAIN_TAG: PROD.arn}), "not the plan's domain"),
    (lambda p: p["items"][0].update(selected="yes"), "selected must be"),
    (lambda p: p["items"].append(dict(p["items"][0])), "duplicate arn"),
    (lambda p: p["items"][0].update(tags={f"k{i}": "v" for i in range(51)}), "more than 50"),
])
def test_load_plan_rejects(mutate, message):
    plan = _plan()
    mutate(plan)
    with pytest.raises(T.PlanError, match=message):
        T.load_plan(plan)


def test_load_plan_text_errors():
    with pytest.raises(T.PlanError, match="not valid JSON"):
        T.load_plan("{not json")
    with pytest.raises(T.PlanError, match="JSON object"):
        T.load_plan(json.dumps([1]))


def test_call_budget():
    assert T.call_budget(250, {"model": 1000, "training-job": 1}, 5) == 3 + 10 + 1 + 5
